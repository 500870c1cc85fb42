using Lantern.Training.Metrics;
using Xunit;

namespace Lantern.Tests.Training;

/// <summary>
/// Classification and regression metrics against worked examples: scikit-learn's documentation examples
/// (precision_recall_fscore_support, confusion_matrix, mean_squared_error) and counts done by hand from the
/// torchmetrics definitions (stated in each test).
/// </summary>
public class MetricsTests
{
    private const double Tol = 1e-12;

    private static Tensor L(params long[] v) => Tensor.FromArray(v);

    private static Tensor Scores(int c, params float[] v) => Tensor.FromArray(v, [v.Length / c, c]);

    private static double[] Vec(Tensor t) => t.ToArray<double>();

    // scikit-learn precision_recall_fscore_support example: y_true = [0,1,2,0,1,2], y_pred = [0,2,1,0,0,1].
    // By hand: class 0 TP 2 FP 1 FN 0; class 1 TP 0 FP 2 FN 2; class 2 TP 0 FP 1 FN 2.
    private static readonly long[] SkTrue = [0, 1, 2, 0, 1, 2];
    private static readonly long[] SkPred = [0, 2, 1, 0, 0, 1];

    private static double Value(PredictionMetric m, long[] pred, long[] target)
    {
        m.Update(L(pred), L(target));
        return m.ComputeItem();
    }

    [Fact]
    public void SklearnPrecisionRecallF1Example()
    {
        var mc = ClassificationTask.Multiclass;
        Assert.Equal(2.0 / 9, Value(new Precision(mc, 3, Average.Macro), SkPred, SkTrue), Tol);     // sklearn: 0.22...
        Assert.Equal(1.0 / 3, Value(new Precision(mc, 3, Average.Micro), SkPred, SkTrue), Tol);     // 0.33...
        Assert.Equal(2.0 / 9, Value(new Precision(mc, 3, Average.Weighted), SkPred, SkTrue), Tol);  // 0.22...
        Assert.Equal(1.0 / 3, Value(new Recall(mc, 3, Average.Macro), SkPred, SkTrue), Tol);
        Assert.Equal(1.0 / 3, Value(new Recall(mc, 3, Average.Micro), SkPred, SkTrue), Tol);
        Assert.Equal(4.0 / 15, Value(new F1Score(mc, 3, Average.Macro), SkPred, SkTrue), Tol);      // 0.2666...
        Assert.Equal(1.0 / 3, Value(new F1Score(mc, 3, Average.Micro), SkPred, SkTrue), Tol);
        Assert.Equal(4.0 / 15, Value(new F1Score(mc, 3, Average.Weighted), SkPred, SkTrue), Tol);
        Assert.Equal(1.0 / 3, Value(new Accuracy(mc, 3), SkPred, SkTrue), Tol);

        var p = new Precision(mc, 3, Average.None); p.Update(L(SkPred), L(SkTrue));
        Assert.Equal([2.0 / 3, 0, 0], Vec(p.Compute()));
        var r = new Recall(mc, 3, Average.None); r.Update(L(SkPred), L(SkTrue));
        Assert.Equal([1.0, 0, 0], Vec(r.Compute()));
        var f = new F1Score(mc, 3, Average.None); f.Update(L(SkPred), L(SkTrue));
        Assert.Equal(0.8, Vec(f.Compute())[0], Tol);
        Assert.Equal([0.0, 0.0], Vec(f.Compute())[1..]);
        Assert.Equal([2L, 0, 0], p.TruePositives);
        Assert.Equal([1L, 2, 1], p.FalsePositives);
        Assert.Equal([0L, 2, 2], p.FalseNegatives);
    }

    [Fact] // y_true [0,0,0,1,1,2], y_pred [0,0,1,1,2,2]: P [1, 1/2, 1/2], R [2/3, 1/2, 1], F1 [4/5, 1/2, 2/3], support [3, 2, 1]
    public void WeightedAveragesUseSupport()
    {
        long[] t = [0, 0, 0, 1, 1, 2], pr = [0, 0, 1, 1, 2, 2];
        var mc = ClassificationTask.Multiclass;
        Assert.Equal((3 * 1.0 + 2 * 0.5 + 1 * 0.5) / 6, Value(new Precision(mc, 3, Average.Weighted), pr, t), Tol);
        Assert.Equal((3 * (2.0 / 3) + 2 * 0.5 + 1 * 1.0) / 6, Value(new Recall(mc, 3, Average.Weighted), pr, t), Tol);
        Assert.Equal((3 * 0.8 + 2 * 0.5 + 1 * (2.0 / 3)) / 6, Value(new F1Score(mc, 3, Average.Weighted), pr, t), Tol);
        Assert.Equal((0.8 + 0.5 + 2.0 / 3) / 3, Value(new F1Score(mc, 3, Average.Macro), pr, t), Tol);
        Assert.Equal(4.0 / 6, Value(new F1Score(mc, 3, Average.Micro), pr, t), Tol);
        Assert.Equal((2.0 / 3 + 0.5 + 1) / 3, Value(new Accuracy(mc, 3, average: Average.Macro), pr, t), Tol);
        // F-beta with beta = 2 per class: 5 TP / (5 TP + 4 FN + FP): [10/14, 5/10, 5/6]
        Assert.Equal((10.0 / 14 + 0.5 + 5.0 / 6) / 3, Value(new FBetaScore(mc, 2.0, 3), pr, t), Tol);
    }

    [Fact] // y_true [0,1,1], y_pred [0,0,0], C = 3: class 1 never predicted (precision 0/0), class 2 absent (left out of macro)
    public void ZeroDivisionAndAbsentClasses()
    {
        long[] t = [0, 1, 1], pr = [0, 0, 0];
        var mc = ClassificationTask.Multiclass;
        var p0 = new Precision(mc, 3, Average.None); p0.Update(L(pr), L(t));
        Assert.Equal([1.0 / 3, 0, 0], Vec(p0.Compute()));
        var p1 = new Precision(mc, 3, Average.None, zeroDivision: 1); p1.Update(L(pr), L(t));
        Assert.Equal([1.0 / 3, 1, 1], Vec(p1.Compute()));
        Assert.Equal((1.0 / 3 + 0) / 2, Value(new Precision(mc, 3), pr, t), Tol);
        Assert.Equal((1.0 / 3 + 1) / 2, Value(new Precision(mc, 3, zeroDivision: 1), pr, t), Tol);   // sklearn zero_division=1: 2/3
        Assert.Equal((0.5 + 0) / 2, Value(new F1Score(mc, 3), pr, t), Tol);   // F1_1 = 0/(0+0+2) = 0 even with zeroDivision 1
        Assert.Equal((0.5 + 0) / 2, Value(new F1Score(mc, 3, zeroDivision: 1), pr, t), Tol);
        Assert.Throws<ArgumentException>(() => new F1Score(mc, 3, zeroDivision: 0.5));
    }

    [Fact] // torchmetrics MulticlassAccuracy docstring: target [2,1,0,0], preds [2,1,0,1]: micro 0.75, macro 0.8333, none [0.5, 1, 1]
    public void TorchmetricsAccuracyExample()
    {
        long[] t = [2, 1, 0, 0], pr = [2, 1, 0, 1];
        var mc = ClassificationTask.Multiclass;
        Assert.Equal(0.75, Value(new Accuracy(mc, 3), pr, t), Tol);
        Assert.Equal(2.5 / 3, Value(new Accuracy(mc, 3, average: Average.Macro), pr, t), Tol);
        var a = new Accuracy(mc, 3, average: Average.None); a.Update(L(pr), L(t));
        Assert.Equal([0.5, 1, 1], Vec(a.Compute()));
        var probs = Scores(3, 0.16f, 0.26f, 0.58f, 0.22f, 0.61f, 0.17f, 0.71f, 0.09f, 0.20f, 0.05f, 0.82f, 0.13f);
        var b = new Accuracy(mc, 3); b.Update(probs, L(t));
        Assert.Equal(0.75, b.ComputeItem(), Tol);
    }

    [Fact]
    public void TopKCountsTheTargetIfAmongTheBestElseTheBest()
    {
        // rows: target 2 in top-2 {1,2}; target 1 in {0,1}; target 0 not in {2,1} (FP to 2, FN to 0); target 0 best.
        var s = Scores(3, 0.1f, 0.7f, 0.2f, 0.5f, 0.3f, 0.2f, 0.2f, 0.3f, 0.5f, 0.6f, 0.1f, 0.3f);
        var t = L(2, 1, 0, 0);
        var mc = ClassificationTask.Multiclass;
        var top2 = new Accuracy(mc, 3, topK: 2); top2.Update(s, t);
        Assert.Equal(0.75, top2.ComputeItem(), Tol);
        Assert.Equal("top2_accuracy", top2.Name);
        var top1 = new Accuracy(mc, 3); top1.Update(s, t);
        Assert.Equal(0.25, top1.ComputeItem(), Tol);   // argmax [1, 0, 2, 0]
        // refined predictions [2, 1, 2, 0]: precision per class [1, 1, 1/2], recall [1/2, 1, 1]
        var p = new Precision(mc, 3, Average.None, topK: 2); p.Update(s, t);
        Assert.Equal([1.0, 1, 0.5], Vec(p.Compute()));
        var r = new Recall(mc, 3, Average.None, topK: 2); r.Update(s, t);
        Assert.Equal([0.5, 1, 1], Vec(r.Compute()));
        var pm = new Precision(mc, 3, topK: 2); pm.Update(s, t);
        Assert.Equal(2.5 / 3, pm.ComputeItem(), Tol);
        Assert.Throws<ArgumentException>(() => new Accuracy(mc, 3, topK: 4));
        var e = Assert.Throws<ArgumentException>(() => new Accuracy(mc, 3, topK: 2).Update(L(0, 1), L(0, 1)));
        Assert.Contains("Accuracy", e.Message);
    }

    [Fact] // t [0,1,0,1,1], p [0.1,0.8,0.6,0.4,0.9] > 0.5 -> [0,1,1,0,1]: TP 2, FP 1, FN 1, TN 1
    public void BinaryProbabilitiesLogitsAndLabels()
    {
        var t = L(0, 1, 0, 1, 1);
        var bin = ClassificationTask.Binary;
        foreach (var preds in new[]
                 {
                     Tensor.FromArray(new[] { 0.1f, 0.8f, 0.6f, 0.4f, 0.9f }),
                     Tensor.FromArray(new[] { -2f, 1.5f, 0.3f, -0.1f, 3f }),   // logits: sigmoid > 0.5 <=> logit > 0
                     L(0, 1, 1, 0, 1),
                 })
        {
            var acc = new Accuracy(bin); acc.Update(preds, t);
            Assert.Equal(0.6, acc.ComputeItem(), Tol);
            var p = new Precision(bin); p.Update(preds, t);
            Assert.Equal(2.0 / 3, p.ComputeItem(), Tol);
            var r = new Recall(bin); r.Update(preds, t);
            Assert.Equal(2.0 / 3, r.ComputeItem(), Tol);
            var f = new F1Score(bin); f.Update(preds, t);
            Assert.Equal(2.0 / 3, f.ComputeItem(), Tol);
            var cm = new ConfusionMatrix(bin); cm.Update(preds, t);
            Assert.Equal(new long[,] { { 1, 1 }, { 1, 2 } }, cm.Counts);   // sklearn: tn, fp / fn, tp
        }
        var hi = new Recall(bin, threshold: 0.85); hi.Update(Tensor.FromArray(new[] { 0.1f, 0.8f, 0.6f, 0.4f, 0.9f }), t);
        Assert.Equal(1.0 / 3, hi.ComputeItem(), Tol);
        Assert.Throws<ArgumentException>(() => new Accuracy(bin).Update(L(0, 2), L(0, 1)));
        Assert.Throws<ArgumentException>(() => new Accuracy(bin).Update(L(0, 1), L(0, 3)));
    }

    [Fact] // scikit-learn confusion_matrix example: y_true [2,0,2,2,0,1], y_pred [0,0,2,2,0,2] -> [[2,0,0],[0,0,1],[1,0,2]]
    public void ConfusionMatrixAndNormalisations()
    {
        long[] t = [2, 0, 2, 2, 0, 1], pr = [0, 0, 2, 2, 0, 2];
        var mc = ClassificationTask.Multiclass;
        var cm = new ConfusionMatrix(mc, 3); cm.Update(L(pr), L(t));
        var counts = cm.Compute();
        Assert.Equal(DType.Int64, counts.DType);
        Assert.Equal([2L, 0, 0, 0, 0, 1, 1, 0, 2], counts.ToArray<long>());
        double[] Norm(ConfusionNormalize n) { var m = new ConfusionMatrix(mc, 3, n); m.Update(L(pr), L(t)); return Vec(m.Compute()); }
        AssertClose([1, 0, 0, 0, 0, 1, 1.0 / 3, 0, 2.0 / 3], Norm(ConfusionNormalize.True));
        AssertClose([2.0 / 3, 0, 0, 0, 0, 1.0 / 3, 1.0 / 3, 0, 2.0 / 3], Norm(ConfusionNormalize.Pred));   // column 1 sums to 0 -> zeros
        AssertClose([2.0 / 6, 0, 0, 0, 0, 1.0 / 6, 1.0 / 6, 0, 2.0 / 6], Norm(ConfusionNormalize.All));
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], Tol);
    }

    [Fact]
    public void BatchingMergeForwardAndResetGiveTheSameCounts()
    {
        var g = new Generator(7);
        var scores = Tensor.Randn([50, 4], generator: g);
        var target = Tensor.FromArray(Enumerable.Range(0, 50).Select(i => (long)(i * 7 % 4)).ToArray());
        var pred = scores.ToArray<float>().Chunk(4).Select(r => (long)Array.IndexOf(r, r.Max())).ToArray();
        int correct = pred.Zip(target.ToArray<long>(), (a, b) => a == b ? 1 : 0).Sum();
        var mc = ClassificationTask.Multiclass;

        var whole = new F1Score(mc, 4, Average.Weighted); whole.Update(scores, target);
        var split = new F1Score(mc, 4, Average.Weighted);
        var other = new F1Score(mc, 4, Average.Weighted);
        split.Update(scores[0..20], target[0..20]);
        double batchValue = Value(new F1Score(mc, 4, Average.Weighted), pred[20..35], target.ToArray<long>()[20..35]);
        Assert.Equal(batchValue, other.Forward(scores[20..35], target[20..35]).ToArray<double>()[0], Tol);
        other.Update(scores[35..50], target[35..50]);
        split.Merge(other);
        Assert.Equal(whole.ComputeItem(), split.ComputeItem(), Tol);
        Assert.Equal(3, split.UpdateCount);

        var acc = new Accuracy(mc, 4); acc.Update(scores, target);
        Assert.Equal(correct / 50.0, acc.ComputeItem(), Tol);
        acc.Reset();
        Assert.Throws<InvalidOperationException>(() => acc.Compute());
        Assert.Throws<ArgumentException>(() => acc.Merge(new Accuracy(mc, 5)));
        Assert.Throws<ArgumentException>(() => acc.Merge(new Recall(mc, 4)));
        Assert.Throws<ArgumentException>(() => new FBetaScore(mc, 2, 4).Merge(new FBetaScore(mc, 0.5, 4)));
    }

    [Fact]
    public void MultidimensionalInputsAndIgnoreIndex()
    {
        // preds [N=1, C=2, 3] scores; target [1, 3]; argmax over dim 1 -> [1, 0, 1]
        var s = Tensor.FromArray(new[] { 0.1f, 0.9f, 0.2f, 0.9f, 0.1f, 0.8f }, [1, 2, 3]);
        var acc = new Accuracy(ClassificationTask.Multiclass, 2);
        acc.Update(s, Tensor.FromArray(new long[] { 1, 0, 0 }, [1, 3]));
        Assert.Equal(2.0 / 3, acc.ComputeItem(), Tol);
        var ign = new Accuracy(ClassificationTask.Multiclass, 3, ignoreIndex: -1);
        ign.Update(L(0, 1, 2, 2), L(0, -1, 1, 2));   // the -1 sample is dropped: 2 of 3 right
        Assert.Equal(2.0 / 3, ign.ComputeItem(), Tol);
        Assert.Equal(3, ign.Samples);
    }

    [Fact]
    public void BadInputsNameTheMetricAndShapes()
    {
        var mc = ClassificationTask.Multiclass;
        var e = Assert.Throws<ArgumentException>(() => new Precision(mc, 3).Update(Tensor.Zeros([4, 3]), L(0, 1, 2)));
        Assert.Contains("Precision", e.Message);
        Assert.Contains("[4, 3]", e.Message);
        Assert.Contains("[3]", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Recall(mc, 3).Update(Tensor.Zeros([2, 4]), L(0, 1)));
        Assert.Contains("Recall", e.Message);
        Assert.Contains("numClasses = 3", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Accuracy(mc, 3).Update(L(0, 1), L(0, 3)));
        Assert.Contains("class 3", e.Message);
        e = Assert.Throws<ArgumentException>(() => new ConfusionMatrix(mc, 3).Update(L(0, 1), Tensor.Zeros([2])));
        Assert.Contains("ConfusionMatrix", e.Message);
        e = Assert.Throws<ArgumentException>(() => new MeanSquaredError().Update(Tensor.Zeros([2, 3]), Tensor.Zeros([3, 2])));
        Assert.Contains("MeanSquaredError", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[3, 2]", e.Message);
        Assert.Throws<ArgumentException>(() => new Accuracy(mc, 1));
        var f = new F1Score(mc, 3);
        Assert.ThrowsAny<ArgumentException>(() => f.Update(L(0, 5), L(0, 1)));
        Assert.Equal(0, f.UpdateCount);   // a rejected batch leaves the state alone
    }

    [Fact] // scikit-learn mean_squared_error example: y_true [3,-0.5,2,7], y_pred [2.5,0,2,8] -> MSE 0.375, MAE 0.5
    public void RegressionMetrics()
    {
        var t = Tensor.FromArray(new[] { 3.0, -0.5, 2, 7 });
        var p = Tensor.FromArray(new[] { 2.5, 0.0, 2, 8 });
        var mse = new MeanSquaredError();
        mse.Update(p[0..1], t[0..1]);
        mse.Update(p[1..4], t[1..4]);
        Assert.Equal(0.375, mse.ComputeItem(), Tol);
        var rmse = new MeanSquaredError(squared: false); rmse.Update(p, t);
        Assert.Equal(Math.Sqrt(0.375), rmse.ComputeItem(), Tol);
        Assert.Equal("rmse", rmse.Name);
        var mae = new MeanAbsoluteError(); mae.Update(p, t);
        Assert.Equal(0.5, mae.ComputeItem(), Tol);
        Assert.Throws<ArgumentException>(() => mse.Merge(rmse));
    }

    [Fact]
    public void AggregationMetrics()
    {
        var mean = new MeanMetric();
        mean.Update(Tensor.FromArray(new[] { 1.0, 2, 3 }), Tensor.FromArray(new[] { 1.0, 0, 2 }));   // (1 + 6) / 3
        Assert.Equal(7.0 / 3, mean.ComputeItem(), Tol);
        mean.Update(4.0, 3.0);                                                                        // (7 + 12) / 6
        Assert.Equal(19.0 / 6, mean.ComputeItem(), Tol);
        mean.Update(Tensor.FromArray(new[] { double.NaN, 5 }));                                         // NaN dropped: (19 + 5) / 7
        Assert.Equal(24.0 / 7, mean.ComputeItem(), Tol);
        Assert.Throws<ArgumentException>(() => mean.Update(Tensor.Zeros([2]), Tensor.Zeros([3])));

        var err = new SumMetric(NanStrategy.Error);
        err.Update(Tensor.FromArray(new[] { 1.5f, 2.5f }));
        Assert.Throws<ArgumentException>(() => err.Update(double.NaN));
        Assert.Equal(4.0, err.ComputeItem(), Tol);
        var rep = new SumMetric(NanStrategy.Replace, 10); rep.Update(Tensor.FromArray(new[] { 1.0, double.NaN }));
        Assert.Equal(11.0, rep.ComputeItem(), Tol);
        var dis = new MeanMetric(NanStrategy.Disable); dis.Update(double.NaN);
        Assert.True(double.IsNaN(dis.ComputeItem()));

        var max = new MaxMetric(); var min = new MinMetric();
        foreach (var batch in new[] { new[] { 3.0, -1 }, new[] { 7.0, 2 }, new[] { 0.5 } })
        {
            max.Update(Tensor.FromArray(batch));
            min.Update(Tensor.FromArray(batch));
        }
        Assert.Equal(7.0, max.ComputeItem());
        Assert.Equal(-1.0, min.ComputeItem());
        var max2 = new MaxMetric();
        Assert.Equal(9.0, max2.Forward(Tensor.FromArray(new[] { 9.0 })).ToArray<double>()[0]);
        max.Merge(max2);
        Assert.Equal(9.0, max.ComputeItem());
        Assert.Equal(4, max.UpdateCount);
        Assert.Throws<ArgumentException>(() => max.Merge(new MaxMetric(NanStrategy.Error)));
    }
}

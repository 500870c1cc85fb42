using Lantern.Training.Metrics;
using Xunit;

namespace Lantern.Tests.Training;

/// <summary>classification_report and MetricCollection.</summary>
public class MetricReportTests
{
    private static Tensor L(params long[] v) => Tensor.FromArray(v);

    [Fact] // scikit-learn classification_report docstring: y_true [0,1,2,2,2], y_pred [0,0,2,2,1]; text copied from the documentation
    public void ClassificationReportMatchesScikitLearnText()
    {
        var cm = new ConfusionMatrix(ClassificationTask.Multiclass, 3);
        cm.Update(L(0, 0, 2, 2, 1), L(0, 1, 2, 2, 2));
        var report = ClassificationReport.FromConfusionMatrix(cm.Counts, ["class 0", "class 1", "class 2"]);
        const string expected =
            "              precision    recall  f1-score   support\n" +
            "\n" +
            "     class 0       0.50      1.00      0.67         1\n" +
            "     class 1       0.00      0.00      0.00         1\n" +
            "     class 2       1.00      0.67      0.80         3\n" +
            "\n" +
            "    accuracy                           0.60         5\n" +
            "   macro avg       0.50      0.56      0.49         5\n" +
            "weighted avg       0.70      0.60      0.61         5\n";
        Assert.Equal(expected, report.ToString());
        Assert.Equal(0.6, report.Accuracy, 12);
        Assert.Equal((1 + 0 + 2.0 / 3) / 3, report.MacroAverage.Recall, 12);
        Assert.Equal((2.0 / 3 + 0 + 3 * 0.8) / 5, report.WeightedAverage.F1, 12);
        Assert.Throws<ArgumentException>(() => ClassificationReport.FromConfusionMatrix(new long[2, 2], ["a"]));
    }

    [Fact]
    public void CollectionUpdatesEveryMetricAndClonesEmpty()
    {
        var mc = ClassificationTask.Multiclass;
        var train = new MetricCollection([new Accuracy(mc, 3), new F1Score(mc, 3, Average.Micro)], prefix: "train_");
        train.Update(L(0, 2, 1, 0, 0, 1), L(0, 1, 2, 0, 1, 2));   // 2 of 6 right
        var v = train.Compute();
        Assert.Equal(["train_accuracy", "train_f1"], v.Keys.Order().ToArray());
        Assert.Equal(1.0 / 3, v["train_accuracy"].ToArray<double>()[0], 12);
        Assert.Equal(1.0 / 3, v["train_f1"].ToArray<double>()[0], 12);
        var val = train.Clone("val_");
        Assert.Equal(0, val["accuracy"].UpdateCount);
        var batch = val.Forward(L(1, 1), L(1, 0));
        Assert.Equal(0.5, batch["val_accuracy"].ToArray<double>()[0], 12);
        Assert.Equal(1, train["accuracy"].UpdateCount);
        train.Reset();
        Assert.Throws<InvalidOperationException>(() => train.Compute());
        var e = Assert.Throws<ArgumentException>(() => new MetricCollection([new Accuracy(mc, 3), new Accuracy(mc, 3, topK: 1)]));
        Assert.Contains("'accuracy'", e.Message);
    }

    [Fact]
    public void BoolAndByteLabels()
    {
        var acc = new Accuracy(ClassificationTask.Binary);
        acc.Update(Tensor.FromArray(new[] { true, false, true }), Tensor.FromArray(new[] { true, true, true }));
        Assert.Equal(2.0 / 3, acc.ComputeItem(), 12);
        var m = new Accuracy(ClassificationTask.Multiclass, 3);
        m.Update(Tensor.FromArray(new byte[] { 0, 2, 1 }), Tensor.FromArray(new byte[] { 0, 2, 2 }));
        Assert.Equal(2.0 / 3, m.ComputeItem(), 12);
    }
}

using Lantern.NN;
using Xunit;

namespace Lantern.Tests.NN;

public class LossTests
{
    private static Tensor R(ulong seed, params int[] shape) => Tensor.Randn(shape, DType.Float64, generator: new Generator(seed));
    private static Tensor U(ulong seed, params int[] shape) => Tensor.Rand(shape, DType.Float64, generator: new Generator(seed));
    private static Tensor Idx(params long[] v) => Tensor.FromArray(v);
    private static Tensor Pm1(params double[] v) => Tensor.FromArray(v);

    private static void Close(Tensor expected, Tensor actual, double tol = 1e-12)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var e = expected.ToArray<double>();
        var a = actual.ToArray<double>();
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= tol * (1 + Math.Abs(e[i])) || (double.IsNaN(e[i]) && double.IsNaN(a[i])), $"element {i}: expected {e[i]}, got {a[i]}");
    }

    [Fact] // each module is its functional form with the module's arguments
    public void ModulesEqualFunctional()
    {
        var x = R(1, 6, 4);
        var t = Idx(0, 3, 1, -100, 2, 1);
        var w = U(2, 4).Add(0.5);
        Close(F.CrossEntropy(x, t, w, -100, "sum", 0.1), new CrossEntropyLoss(w, reduction: "sum", labelSmoothing: 0.1).Forward(x, t));
        Close(F.CrossEntropy(x, t.MaskedFill(t.Eq(-100), 1), ignoreIndex: 1), new CrossEntropyLoss(ignoreIndex: 1).Forward(x, t.MaskedFill(t.Eq(-100), 1)));
        var lp = F.LogSoftmax(x, 1);
        Close(F.NllLoss(lp, t, w, reduction: "none"), new NLLLoss(w, reduction: "none").Forward(lp, t));
        var p = U(3, 6, 4).Mul(0.9).Add(0.05);
        var y = U(4, 6, 4);
        Close(F.BinaryCrossEntropy(p, y, w), new BCELoss(w).Forward(p, y));
        Close(F.BinaryCrossEntropyWithLogits(x, y, w, "sum", w.Add(1)), new BCEWithLogitsLoss(w, "sum", w.Add(1)).Forward(x, y));
        Close(F.SigmoidFocalLoss(x, y, 0.4, 1.0), new SigmoidFocalLoss(0.4, 1.0).Forward(x, y));
        Close(F.DiceLoss(R(5, 2, 3, 4), Idx(0, 1, 2, 2, 1, 0, 0, 1).Reshape(2, 4), "multiclass", 0.5),
            new DiceLoss("multiclass", 0.5).Forward(R(5, 2, 3, 4), Idx(0, 1, 2, 2, 1, 0, 0, 1).Reshape(2, 4)));
        Close(F.MseLoss(x, y, "sum"), new MSELoss("sum").Forward(x, y));
        Close(F.L1Loss(x, y), new L1Loss().Forward(x, y));
        Close(F.SmoothL1Loss(x, y, beta: 0.3), new SmoothL1Loss(beta: 0.3).Forward(x, y));
        Close(F.HuberLoss(x, y, "none", 0.3), new HuberLoss("none", 0.3).Forward(x, y));
        Close(F.KlDiv(lp, y, "batchmean"), new KLDivLoss("batchmean").Forward(lp, y));
        Close(F.KlDiv(lp, lp, "sum", true), new KLDivLoss("sum", logTarget: true).Forward(lp, lp));
        var lab = Pm1(1, -1, -1, 1, 1, -1);
        Close(F.CosineEmbeddingLoss(x, y, lab, 0.2), new CosineEmbeddingLoss(0.2).Forward(x, y, lab));
        Close(F.MarginRankingLoss(x.Select(1, 0), y.Select(1, 0), lab, 0.1, "none"), new MarginRankingLoss(0.1, "none").Forward(x.Select(1, 0), y.Select(1, 0), lab));
        Close(F.TripletMarginLoss(x, y, p, 0.5, 1, 1e-6, true), new TripletMarginLoss(0.5, 1, swap: true).Forward(x, y, p));
        var lpc = F.LogSoftmax(R(6, 5, 2, 4), 2);
        var tc = Tensor.FromArray(new long[] { 1, 3, 2, 2, 3, 1 }, [2, 3]);
        Close(F.CtcLoss(lpc, tc, Idx(5, 4), Idx(3, 2), 0, "sum", true), new CTCLoss(reduction: "sum", zeroInfinity: true).Forward(lpc, tc, Idx(5, 4), Idx(3, 2)));
        var tb = Tensor.FromArray(new long[] { 2, 0, 1, 1, 2, 0 }, [2, 3]);
        Close(F.CtcLoss(lpc, tb, Idx(5, 4), Idx(3, 2), 3), new CTCLoss(3).Forward(lpc, tb, Idx(5, 4), Idx(3, 2)));
    }

    [Fact] // CTC: no double backward (as PyTorch), and an impossible alignment costs +inf unless zeroInfinity
    public void CtcSpecialCases()
    {
        var x = R(40, 3, 1, 3).RequiresGrad_();
        var t = Tensor.FromArray(new long[] { 1, 1 }, [1, 2]);
        var loss = F.CtcLoss(F.LogSoftmax(x, 2), t, Idx(3), Idx(2));
        Assert.Contains("CtcLoss: double backward", Assert.Throws<NotSupportedException>(() => Autograd.Grad([loss], [x], createGraph: true)).Message);
        // "1 1" needs three steps (1, blank, 1): two are not enough.
        Assert.True(double.IsPositiveInfinity(F.CtcLoss(F.LogSoftmax(x, 2).Narrow(0, 0, 2), t, Idx(2), Idx(2), reduction: "sum").Item<double>()));
        var xz = x.Detach().Clone().RequiresGrad_();
        var zeroed = F.CtcLoss(F.LogSoftmax(xz, 2).Narrow(0, 0, 2), t, Idx(2), Idx(2), reduction: "sum", zeroInfinity: true);
        Assert.Equal(0.0, zeroed.Item<double>());
        zeroed.Backward();
        Assert.All(xz.Grad!.ToArray<double>(), g => Assert.Equal(0.0, g));
        // A single step and an empty target: -log p(blank).
        var lp1 = F.LogSoftmax(R(41, 1, 1, 4), 2);
        Assert.Equal(-lp1[0, 0, 0].Item<double>(), F.CtcLoss(lp1, Tensor.Zeros([1, 0], DType.Int64), Idx(1), Idx(0), reduction: "sum").Item<double>(), 1e-14);
    }

    [Fact] // weights are buffers named as PyTorch's; loss modules print no arguments, as PyTorch's
    public void StateDictAndRepr()
    {
        Assert.Empty(new CrossEntropyLoss().StateDict());
        Assert.Equal(["weight"], new CrossEntropyLoss(Tensor.Ones([3])).StateDict().Keys);
        Assert.Equal(["weight"], new NLLLoss(Tensor.Ones([3])).StateDict().Keys);
        Assert.Equal(["weight", "pos_weight"], new BCEWithLogitsLoss(Tensor.Ones([3]), posWeight: Tensor.Ones([3])).StateDict().Keys);
        Assert.Equal(["pos_weight"], new BCEWithLogitsLoss(posWeight: Tensor.Ones([3])).StateDict().Keys);
        Assert.Empty(new CrossEntropyLoss(Tensor.Ones([3])).Parameters());
        Assert.Equal("CrossEntropyLoss()", new CrossEntropyLoss(labelSmoothing: 0.1).ToString());
        Assert.Equal("TripletMarginLoss()", new TripletMarginLoss().ToString());
        Assert.Equal("KLDivLoss()", new KLDivLoss("batchmean").ToString());
        Assert.Equal("SigmoidFocalLoss(alpha=0.25, gamma=2.0)", new SigmoidFocalLoss().ToString());
        Assert.Equal("DiceLoss(mode='binary', smooth=1.0)", new DiceLoss().ToString());
        Assert.Equal("mean", new MSELoss().Reduction);
        Assert.Equal("none", new SigmoidFocalLoss().Reduction);
    }

    [Fact]
    public void ConstructorErrorsNameTheLoss()
    {
        Assert.Contains("CrossEntropyLoss: reduction must be 'none', 'mean' or 'sum', got 'avg'", Assert.Throws<ArgumentException>(() => new CrossEntropyLoss(reduction: "avg")).Message);
        Assert.Contains("MSELoss: reduction", Assert.Throws<ArgumentException>(() => new MSELoss("batchmean")).Message);
        Assert.Contains("CrossEntropyLoss: labelSmoothing", Assert.Throws<ArgumentException>(() => new CrossEntropyLoss(labelSmoothing: -0.1)).Message);
        Assert.Contains("SmoothL1Loss: beta", Assert.Throws<ArgumentException>(() => new SmoothL1Loss(beta: -1)).Message);
        Assert.Contains("HuberLoss: delta", Assert.Throws<ArgumentException>(() => new HuberLoss(delta: -1)).Message);
        Assert.Contains("TripletMarginLoss: the norm degree p", Assert.Throws<ArgumentException>(() => new TripletMarginLoss(p: 0)).Message);
        Assert.Contains("DiceLoss: mode", Assert.Throws<ArgumentException>(() => new DiceLoss("multilabel")).Message);
    }

    // The composite cross-entropy: log_softmax, then NLL and the smoothing term, through autograd (no fused backward).
    private static Tensor CompositeCrossEntropy(Tensor x, Tensor t, Tensor? w, long ii, string reduction, double eps)
    {
        int cd = x.Rank == 1 ? 0 : 1, c = x.Shape[cd];
        var lp = F.LogSoftmax(x, cd);
        var valid = t.Ne(ii);
        var nll = F.NllLoss(lp, t, w, ii, "none");
        var wv = w is null ? null : w.Reshape(Enumerable.Range(0, x.Rank).Select(d => d == cd ? c : 1).ToArray());
        var smooth = Tensor.Where(valid, (wv is null ? lp : lp.Mul(wv)).Sum(cd).Neg(), 0);
        var per = nll.Mul(1 - eps).Add(smooth.Mul(eps / c));
        if (reduction == "none") return per;
        if (reduction == "sum") return per.Sum();
        var safe = t.MaskedFill(valid.LogicalNot(), 0);
        var denom = w is null ? valid.To(x.DType).Sum() : w.IndexSelect(0, safe.Reshape(-1)).Reshape(safe.Shape.ToArray()).Mul(valid.To(x.DType)).Sum();
        return per.Sum().Div(denom);
    }

    public static TheoryData<string, double, bool, int> FusedCases() => new()
    {
        { "mean", 0.0, false, 2 }, { "mean", 0.2, true, 2 }, { "sum", 0.1, true, 4 }, { "none", 0.3, true, 3 }, { "none", 0.0, false, 1 }, { "mean", 0.25, true, 4 },
        { "none", 0.1, true, 5 }, { "mean", 0.0, false, 5 },
    };

    [Theory, MemberData(nameof(FusedCases))] // the fused op (kernel and create_graph backward) and the composite agree in value, gradient and second derivative
    public void FusedCrossEntropyEqualsComposite(string reduction, double eps, bool weighted, int rank)
    {
        // rank 5 stands for [2, 5, 300]: more positions than one kernel block (256), the last block partial.
        int[] shape = rank switch { 1 => [5], 2 => [6, 5], 3 => [2, 5, 3], 4 => [2, 5, 2, 2], _ => [2, 5, 300] };
        var x = R(10, shape).Mul(3);
        var tshape = shape.Where((_, i) => i != (rank == 1 ? 0 : 1)).ToArray();
        var tv = Tensor.RandInt(0, 5, tshape, generator: new Generator(11)).ToArray<long>();
        if (tv.Length > 1) tv[1] = -100;
        var t = Tensor.FromArray(tv, tshape);
        var w = weighted ? U(12, 5).Add(0.5) : null;
        var xa = x.Clone().RequiresGrad_();
        var xb = x.Clone().RequiresGrad_();
        var ya = F.CrossEntropy(xa, t, w, -100, reduction, eps);
        var yb = CompositeCrossEntropy(xb, t, w, -100, reduction, eps);
        Close(yb, ya, 1e-12);
        var v = R(13, ya.Shape.ToArray());
        var kernel = Autograd.Grad([ya], [xa], [v], retainGraph: true)[0]!; // first order: the fused kernel
        var ga = Autograd.Grad([ya], [xa], [v], createGraph: true)[0]!;     // create_graph: differentiable ops
        Close(ga, kernel, 1e-12);
        var gb = Autograd.Grad([yb], [xb], [v], createGraph: true)[0]!;
        Close(gb, ga, 1e-12);
        var u = R(14, shape);
        Close(Autograd.Grad(gb.Mul(u).Sum(), xb), Autograd.Grad(ga.Mul(u).Sum(), xa), 1e-10);
    }

    [Fact] // gradient of the fused op is (softmax - smoothed one-hot) / N without weights
    public void FusedGradientIsSoftmaxMinusSmoothedOneHot()
    {
        var x = R(20, 3, 4).RequiresGrad_();
        var t = Idx(2, 0, 3);
        F.CrossEntropy(x, t, labelSmoothing: 0.2).Backward();
        var p = F.Softmax(x.Detach(), 1);
        var target = Tensor.OneHot(t, 4).To(DType.Float64).Mul(0.8).Add(0.05);
        Close(p.Sub(target).Div(3), x.Grad!, 1e-12);
    }

    [Fact] // label smoothing over class indices equals the probability form with a smoothed one-hot target (no weight)
    public void SmoothedIndicesEqualProbabilities()
    {
        var x = R(21, 4, 5);
        var t = Idx(0, 4, 2, 2);
        var probs = Tensor.OneHot(t, 5).To(DType.Float64);
        Close(F.CrossEntropy(x, probs, labelSmoothing: 0.3), F.CrossEntropy(x, t, labelSmoothing: 0.3), 1e-12);
        Close(F.CrossEntropy(x, probs, reduction: "none"), F.CrossEntropy(x, t, reduction: "none"), 1e-12);
    }

    [Theory] // logits of +-100 and +-1e4 in float32: finite loss and gradient, with the exact values
    [InlineData(100.0)]
    [InlineData(1e4)]
    public void ExtremeLogitsStayFinite(double m)
    {
        var x = Tensor.FromArray(new float[] { (float)m, (float)-m, 0, (float)-m, (float)m, 0 }, [2, 3]).RequiresGrad_();
        var t = Idx(1, 0);
        var loss = F.CrossEntropy(x, t, labelSmoothing: 0.1);
        loss.Backward();
        // Each row: logp = [0, -2m, -m] for the winning class first; the target is the loser (-2m).
        double expected = 0.9 * 2 * m + 0.1 / 3 * 3 * m;
        Assert.Equal(expected, loss.Item<double>(), expected * 1e-6);
        Assert.All(x.Grad!.ToArray<float>(), g => Assert.True(float.IsFinite(g)));
        Assert.Equal(0.5 * (1 - 0.1 / 3), x.Grad!.ToArray<float>()[0], 1e-6);
        foreach (var f in new Func<Tensor, Tensor>[]
                 {
                     z => F.BinaryCrossEntropyWithLogits(z, Tensor.FromArray(new float[] { 0, 1, 1, 1, 0, 0 }, [2, 3]), posWeight: Tensor.Full([3], 2.0f)),
                     z => F.SigmoidFocalLoss(z, Tensor.FromArray(new float[] { 0, 1, 1, 1, 0, 0 }, [2, 3]), reduction: "sum"),
                     z => F.DiceLoss(z, Idx(1, 0), "multiclass"),
                     z => F.NllLoss(F.LogSoftmax(z, 1), t),
                 })
        {
            var xz = x.Detach().Clone().RequiresGrad_();
            var l = f(xz);
            l.Backward();
            Assert.True(float.IsFinite(l.Item<float>()));
            Assert.All(xz.Grad!.ToArray<float>(), g => Assert.True(float.IsFinite(g)));
        }
    }

    [Fact] // every target ignored: the mean is NaN (0/0, as PyTorch) and the gradient is zero
    public void AllTargetsIgnored()
    {
        var x = R(22, 2, 3).RequiresGrad_();
        var loss = F.CrossEntropy(x, Idx(-100, -100));
        Assert.True(double.IsNaN(loss.Item<double>()));
        loss.Backward();
        Assert.All(x.Grad!.ToArray<double>(), g => Assert.Equal(0.0, g));
        Assert.Equal([0.0, 0.0], F.CrossEntropy(x, Idx(-100, -100), reduction: "none").ToArray<double>());
        Assert.True(double.IsNaN(F.NllLoss(x, Idx(-100, -100)).Item<double>()));
    }

    [Fact] // the weighted mean divides by the weights of the non-ignored targets
    public void WeightedMeanDenominator()
    {
        var x = R(23, 3, 2);
        var w = Tensor.FromArray(new[] { 1.0, 3.0 });
        var per = F.CrossEntropy(x, Idx(0, 1, -100), w, reduction: "none").ToArray<double>();
        Assert.Equal((per[0] + per[1]) / 4, F.CrossEntropy(x, Idx(0, 1, -100), w).Item<double>(), 1e-14);
        Assert.Equal(0.0, per[2]);
    }

    [Fact] // bad inputs name the loss and the offending values
    public void ErrorMessages()
    {
        var ex = Assert.Throws<ArgumentException>(() => F.CrossEntropy(R(1, 2, 3, 4), Idx(0, 3)));
        Assert.Contains("CrossEntropy: expected target shape [2, 4] for input shape [2, 3, 4]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => F.CrossEntropy(R(1, 2, 3), Idx(0, 3)));
        Assert.Equal("CrossEntropy: target class 3 is out of range for 3 classes (valid: 0 to 2, or ignoreIndex -100).", ex.Message);
        // An ignoreIndex outside [0, C) is fine (as PyTorch): those targets are skipped, not range-checked.
        Assert.Equal(F.CrossEntropy(R(1, 2, 3).Narrow(0, 0, 1), Idx(0)).Item<double>(), F.CrossEntropy(R(1, 2, 3), Idx(0, 5), ignoreIndex: 5).Item<double>(), 1e-14);
        Assert.Throws<ArgumentException>(() => F.CrossEntropy(R(1, 2, 3), Tensor.FromArray(new long[] { 0, 1, 2, 0, 1, 2 }, [2, 3])));
        ex = Assert.Throws<ArgumentException>(() => F.MseLoss(R(1, 3, 4), R(2, 1, 4)));
        Assert.Contains("MseLoss: target shape [1, 4] differs from input shape [3, 4]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => F.BinaryCrossEntropyWithLogits(R(1, 3, 4), R(2, 3, 4), posWeight: R(3, 3)));
        Assert.Contains("BinaryCrossEntropyWithLogits: posWeight of shape [3] does not broadcast to the input shape [3, 4]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => F.SmoothL1Loss(R(1, 3), R(2, 3), "mean", -0.5));
        Assert.Contains("SmoothL1Loss: beta must be non-negative, got -0.5", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => F.KlDiv(R(1, 3), R(2, 3), "batch"));
        Assert.Contains("KlDiv: reduction", ex.Message);
    }

    [Fact] // reference values by hand
    public void HandComputedValues()
    {
        // BCE clamps log(0) at -100 as PyTorch: -(1 * -100) = 100.
        Assert.Equal(100.0, F.BinaryCrossEntropy(Tensor.FromArray(new[] { 0.0 }), Tensor.FromArray(new[] { 1.0 })).Item<double>());
        // KL batchmean = sum / N.
        var lq = Tensor.FromArray(new[] { Math.Log(0.5), Math.Log(0.5), Math.Log(0.25), Math.Log(0.75) }, [2, 2]);
        var p = Tensor.FromArray(new[] { 0.25, 0.75, 0.5, 0.5 }, [2, 2]);
        double kl = 0.25 * Math.Log(0.5) + 0.75 * Math.Log(1.5) + 0.5 * Math.Log(2) + 0.5 * Math.Log(2.0 / 3);
        Assert.Equal(kl / 2, F.KlDiv(lq, p, "batchmean").Item<double>(), 1e-14);
        Assert.Equal(kl / 4, F.KlDiv(lq, p).Item<double>(), 1e-14);
        // Dice: a perfect hard prediction with smooth 0 has loss 0; p = 0.5 everywhere against half ones: 1 - (2*1 + 1)/(2 + 2 + 1).
        Assert.Equal(0.0, F.DiceLoss(Tensor.FromArray(new[] { 1.0, 0.0 }, [1, 2]), Tensor.FromArray(new[] { 1.0, 0.0 }, [1, 2]), smooth: 0, fromLogits: false).Item<double>());
        Assert.Equal(1 - 3.0 / 5, F.DiceLoss(Tensor.Zeros([1, 4], DType.Float64), Tensor.FromArray(new[] { 1.0, 1.0, 0.0, 0.0 }, [1, 4])).Item<double>(), 1e-14);
        // Empty mask and empty prediction: (0 + 1) / (0 + 1) -> loss 0.
        Assert.Equal(0.0, F.DiceLoss(Tensor.Zeros([1, 3], DType.Float64), Tensor.Zeros([1, 3], DType.Float64), fromLogits: false).Item<double>());
        // Focal loss with gamma 0 and alpha < 0 is BCE with logits.
        var x = R(30, 6);
        var t = U(31, 6);
        Close(F.BinaryCrossEntropyWithLogits(x, t, reduction: "none"), F.SigmoidFocalLoss(x, t, -1, 0));
        // BCE with logits equals BCE of the sigmoid for moderate logits.
        Close(F.BinaryCrossEntropy(x.Sigmoid(), t), F.BinaryCrossEntropyWithLogits(x, t), 1e-12);
        // Huber = delta * SmoothL1(beta = delta).
        Close(F.SmoothL1Loss(x, t, "none", 0.4).Mul(0.4), F.HuberLoss(x, t, "none", 0.4), 1e-14);
        // Margin ranking by hand: y = 1, x1 = 0.2, x2 = 0.5, margin 0.1 -> 0.4.
        Assert.Equal(0.4, F.MarginRankingLoss(Pm1(0.2), Pm1(0.5), Pm1(1), 0.1).Item<double>(), 1e-15);
    }
}

using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using TorchTensor = TorchSharp.torch.Tensor;
using LTensor = global::Lantern.Tensor;
using LF = global::Lantern.NN.F;
using Gen = global::Lantern.Generator;

namespace Lantern.Reference.Tests.NN;

/// <summary>
/// Loss parity with PyTorch (TorchSharp 0.107 / libtorch 2.10): values and the gradients of every differentiable
/// input (input, and target where PyTorch differentiates it), within 1e-5 relative in float64 (3e-4 in float32), on random inputs
/// including logits of +-100 and ignored targets. Where TorchSharp lacks a feature (kl_div 'batchmean',
/// nll_loss ignore_index, torchvision's sigmoid_focal_loss, Dice), the expected values are PyTorch's formula written
/// with TorchSharp ops, as stated beside each case.
/// </summary>
public class LossReferenceTests(ITestOutputHelper output)
{
    private const double Rtol = 1e-5;
    // float32: gradients like s (softmax - 1) w_t for a confident class keep only a few bits of 1 - p in float32 in
    // either library, so elements far below the largest gradient differ by ~1e-7 of that largest gradient.
    private const double Rtol32 = 3e-4;

    private static LTensor Randn(ulong seed, params int[] shape) => LTensor.Randn(shape, generator: new Gen(seed));
    private static LTensor Rand(ulong seed, params int[] shape) => LTensor.Rand(shape, generator: new Gen(seed));

    private static torch.nn.Reduction Red(string r) => r switch { "none" => torch.nn.Reduction.None, "sum" => torch.nn.Reduction.Sum, _ => torch.nn.Reduction.Mean };

    /// <summary>Class indices in [0, c) with the listed flat positions set to ignoreIndex.</summary>
    private static LTensor Classes(ulong seed, int c, int[] shape, long ignoreIndex = -100, params int[] ignored)
    {
        var t = LTensor.RandInt(0, c, shape, generator: new Gen(seed)).ToArray<long>();
        foreach (int i in ignored) t[i] = ignoreIndex;
        return LTensor.FromArray(t, shape);
    }

    /// <summary>
    /// Runs both in float64 (tolerance 1e-5; agreement is typically 1e-13) and in float32 (tolerance 3e-4: gradients
    /// such as softmax * A - B cancel to values a few float32 ulps of their terms wide), compares the value,
    /// backpropagates one random output gradient and compares the gradients of the inputs listed in <paramref name="grad"/>.
    /// </summary>
    private void Check(string what, Func<LTensor[], LTensor> ours, Func<TorchTensor[], TorchTensor> theirs, LTensor[] inputs, params int[] grad)
    {
        var in64 = inputs.Select(t => t.DType == DType.Float32 ? t.To(DType.Float64) : t).ToArray();
        double w64 = Run(what + " float64", ours, theirs, in64, grad, Rtol);
        double w32 = Run(what + " float32", ours, theirs, inputs, grad, Rtol32);
        output.WriteLine($"{what}: max relative error float64 {w64:E2} float32 {w32:E2}");
    }

    private static double Run(string what, Func<LTensor[], LTensor> ours, Func<TorchTensor[], TorchTensor> theirs, LTensor[] inputs, int[] grad, double rtol)
    {
        var xs = inputs.Select(t => t.Detach().Clone()).ToArray();
        foreach (int i in grad) xs[i].RequiresGrad_();
        var txs = inputs.Select((t, i) => Torch.From(t, grad.Contains(i))).ToArray();
        var y = ours(xs);
        var ty = theirs(txs);
        double worst = Torch.AssertClose(ty, y, rtol, $"{what} value");
        var g = LTensor.Randn(y.Shape, y.DType, generator: new Gen(99));
        y.Backward(g);
        ty.backward([Torch.From(g)]);
        foreach (int i in grad) worst = Math.Max(worst, Torch.AssertClose(txs[i].grad!, xs[i].Grad!, rtol, $"{what} gradient of input {i}"));
        return worst;
    }

    public static TheoryData<string> Reductions() => ["mean", "sum", "none"];

    [Theory, MemberData(nameof(Reductions))]
    public void CrossEntropyIndices(string red)
    {
        var w = Rand(1, 5).Add(0.5f);
        foreach (var (name, x, t) in new[]
                 {
                     ("[8,5] ignored", Randn(2, 8, 5).Mul(3), Classes(3, 5, [8], -100, 1, 6)),
                     ("[8,5] logits +-100, ignored", Randn(4, 8, 5).Mul(100), Classes(5, 5, [8], -100, 3)),
                     ("[2,5,3,3] K-dim ignored", Randn(6, 2, 5, 3, 3).Mul(2), Classes(7, 5, [2, 3, 3], -100, 0, 5, 11)),
                     ("[5] unbatched", Randn(8, 5), Classes(9, 5, [])),
                     ("[2,5,20,20] K-dim, two kernel blocks per sample, ignored", Randn(12, 2, 5, 20, 20).Mul(5), Classes(13, 5, [2, 20, 20], -100, 3, 300, 401, 799)),
                 })
        {
            Check($"cross_entropy {red} {name}", a => LF.CrossEntropy(a[0], a[1], reduction: red),
                b => torch.nn.functional.cross_entropy(b[0], b[1], reduction: Red(red)), [x, t], 0);
            foreach (double eps in new[] { 0.0, 0.15 })
                Check($"cross_entropy {red} weight smoothing {eps} {name}", a => LF.CrossEntropy(a[0], a[1], a[2], reduction: red, labelSmoothing: eps),
                    b => torch.nn.functional.cross_entropy(b[0], b[1], b[2], reduction: Red(red), label_smoothing: eps), [x, t, w], 0);
        }
        // ignoreIndex 2 (a real class) with weight and smoothing
        var x2 = Randn(10, 9, 5).Mul(4);
        var t2 = Classes(11, 5, [9], 2, 0, 4);
        Check($"cross_entropy {red} ignoreIndex 2", a => LF.CrossEntropy(a[0], a[1], a[2], 2, red, 0.1),
            b => torch.nn.functional.cross_entropy(b[0], b[1], b[2], 2, Red(red), 0.1), [x2, t2, w], 0);
    }

    [Fact] // logits of +-1e4: finite loss and gradient equal to PyTorch's
    public void CrossEntropyHugeLogits()
    {
        var x = LTensor.FromArray(new float[] { 1e4f, -1e4f, 0, 3, -1e4f, 1e4f, 2, 0, 0, 0, 1e4f, -1e4f }, [3, 4]);
        var t = LTensor.FromArray(new long[] { 1, 0, 3 });
        foreach (double eps in new[] { 0.0, 0.2 })
            Check($"cross_entropy logits +-1e4 smoothing {eps}", a => LF.CrossEntropy(a[0], a[1], labelSmoothing: eps),
                b => torch.nn.functional.cross_entropy(b[0], b[1], label_smoothing: eps), [x, t], 0);
    }

    [Theory, MemberData(nameof(Reductions))]
    public void CrossEntropyProbabilities(string red)
    {
        var w = Rand(20, 4).Add(0.5f);
        var x = Randn(21, 6, 4).Mul(3);
        var p = LF.Softmax(Randn(22, 6, 4), 1);
        var xk = Randn(23, 2, 4, 3).Mul(100);
        var pk = Rand(24, 2, 4, 3);
        foreach (var (name, xi, ti) in new[] { ("[6,4]", x, p), ("[2,4,3] +-100 unnormalised", xk, pk) })
            foreach (double eps in new[] { 0.0, 0.1 })
                Check($"cross_entropy probabilities {red} smoothing {eps} {name}", a => LF.CrossEntropy(a[0], a[1], a[2], reduction: red, labelSmoothing: eps),
                    b => torch.nn.functional.cross_entropy(b[0], b[1], b[2], reduction: Red(red), label_smoothing: eps), [xi, ti, w], 0, 1);
    }

    [Theory, MemberData(nameof(Reductions))]
    public void NllLoss(string red)
    {
        var w = Rand(30, 5).Add(0.5f);
        var lp = LF.LogSoftmax(Randn(31, 7, 5).Mul(3), 1);
        var t = Classes(32, 5, [7]);
        Check($"nll_loss {red} weight", a => LF.NllLoss(a[0], a[1], a[2], reduction: red),
            b => torch.nn.functional.nll_loss(b[0], b[1], b[2], reduction: Red(red)), [lp, t, w], 0);
        var lpk = LF.LogSoftmax(Randn(33, 2, 5, 4), 1);
        var tk = Classes(34, 5, [2, 4]);
        Check($"nll_loss {red} K-dim", a => LF.NllLoss(a[0], a[1], reduction: red),
            b => torch.nn.functional.nll_loss(b[0], b[1], reduction: Red(red)), [lpk, tk], 0);
        // ignore_index: TorchSharp's nll_loss has no such argument; PyTorch's definition (LossNLL.cpp) written with
        // TorchSharp ops: l_i = -w[t_i] x[i, t_i] masked to 0 for ignored targets, mean divided by the kept weights.
        var ti = Classes(35, 5, [7], -100, 2, 5);
        Check($"nll_loss {red} weight ignore_index", a => LF.NllLoss(a[0], a[1], a[2], reduction: red), b =>
        {
            var valid = b[1].ne(-100);
            var safe = b[1].masked_fill(valid.logical_not(), 0);
            var wt = b[2].index_select(0, safe).mul(valid.to_type(b[0].dtype));
            var per = b[0].gather(1, safe.unsqueeze(1)).squeeze(1).mul(wt).neg();
            return red switch { "none" => per, "sum" => per.sum(), _ => per.sum().div(wt.sum()) };
        }, [lp, ti, w], 0);
    }

    [Theory, MemberData(nameof(Reductions))]
    public void BinaryCrossEntropy(string red)
    {
        // Probabilities in (0, 1) plus exact 0 and 1 (logs clamped at -100, gradient through max((1 - x) x, 1e-12)).
        var x = Rand(40, 4, 5).Mul(0.98f).Add(0.01f);
        var xs = x.ToArray<float>();
        xs[0] = 0; xs[1] = 1; xs[2] = 0; xs[3] = 1;
        x = LTensor.FromArray(xs, [4, 5]);
        var tt = Rand(41, 4, 5).ToArray<float>();
        tt[0] = 0; tt[1] = 1; tt[2] = 1; tt[3] = 0;
        var t = LTensor.FromArray(tt, [4, 5]);
        var w = Rand(42, 5).Add(0.5f);
        Check($"binary_cross_entropy {red} weight", a => LF.BinaryCrossEntropy(a[0], a[1], a[2], red),
            b => torch.nn.functional.binary_cross_entropy(b[0], b[1], b[2], Red(red)), [x, t, w], 0);
        var xi = Rand(43, 4, 5).Mul(0.9f).Add(0.05f);
        Check($"binary_cross_entropy {red} soft targets", a => LF.BinaryCrossEntropy(a[0], a[1], reduction: red),
            b => torch.nn.functional.binary_cross_entropy(b[0], b[1], reduction: Red(red)), [xi, Rand(44, 4, 5)], 0, 1);
    }

    [Theory, MemberData(nameof(Reductions))]
    public void BinaryCrossEntropyWithLogits(string red)
    {
        var w = Rand(50, 5).Add(0.5f);
        var pw = Rand(51, 5).Mul(3).Add(0.2f);
        foreach (var (name, x) in new[] { ("[4,5]", Randn(52, 4, 5).Mul(3)), ("[4,5] logits +-100", Randn(53, 4, 5).Mul(100)) })
        {
            var t = Rand(54, 4, 5);
            Check($"bce_with_logits {red} {name}", a => LF.BinaryCrossEntropyWithLogits(a[0], a[1], reduction: red),
                b => torch.nn.functional.binary_cross_entropy_with_logits(b[0], b[1], reduction: Red(red)), [x, t], 0, 1);
            Check($"bce_with_logits {red} weight pos_weight {name}", a => LF.BinaryCrossEntropyWithLogits(a[0], a[1], a[2], red, a[3]),
                b => torch.nn.functional.binary_cross_entropy_with_logits(b[0], b[1], b[2], Red(red), b[3]), [x, t, w, pw], 0, 1);
        }
    }

    [Theory, MemberData(nameof(Reductions))]
    public void Regression(string red)
    {
        var x = Randn(60, 5, 6).Mul(2);
        var t = Randn(61, 5, 6).Mul(2);
        Check($"mse_loss {red}", a => LF.MseLoss(a[0], a[1], red), b => torch.nn.functional.mse_loss(b[0], b[1], Red(red)), [x, t], 0, 1);
        Check($"l1_loss {red}", a => LF.L1Loss(a[0], a[1], red), b => torch.nn.functional.l1_loss(b[0], b[1], Red(red)), [x, t], 0, 1);
        foreach (double beta in new[] { 1.0, 0.5, 0.0 })
            Check($"smooth_l1_loss {red} beta {beta}", a => LF.SmoothL1Loss(a[0], a[1], red, beta),
                b => torch.nn.functional.smooth_l1_loss(b[0], b[1], Red(red), beta), [x, t], 0, 1);
        foreach (double delta in new[] { 1.0, 0.7 })
            Check($"huber_loss {red} delta {delta}", a => LF.HuberLoss(a[0], a[1], red, delta),
                b => torch.nn.functional.huber_loss(b[0], b[1], delta, Red(red)), [x, t], 0, 1);
    }

    [Theory, MemberData(nameof(Reductions))]
    public void KlDiv(string red)
    {
        var lq = LF.LogSoftmax(Randn(70, 4, 6), 1);
        var p = LF.Softmax(Randn(71, 4, 6), 1);
        var lp = LF.LogSoftmax(Randn(72, 4, 6), 1);
        Check($"kl_div {red}", a => LF.KlDiv(a[0], a[1], red), b => torch.nn.functional.kl_div(b[0], b[1], false, Red(red)), [lq, p], 0, 1);
        Check($"kl_div {red} log_target", a => LF.KlDiv(a[0], a[1], red, true), b => torch.nn.functional.kl_div(b[0], b[1], true, Red(red)), [lq, lp], 0, 1);
    }

    [Fact] // 'batchmean' is missing from TorchSharp: PyTorch defines it as the 'sum' reduction divided by input.size(0)
    public void KlDivBatchMean()
    {
        var lq = LF.LogSoftmax(Randn(73, 4, 6), 1);
        var p = LF.Softmax(Randn(74, 4, 6), 1);
        Check("kl_div batchmean", a => LF.KlDiv(a[0], a[1], "batchmean"), b => torch.nn.functional.kl_div(b[0], b[1], false, torch.nn.Reduction.Sum).div(4), [lq, p], 0, 1);
        Check("kl_div batchmean log_target", a => LF.KlDiv(a[0], a[1], "batchmean", true),
            b => torch.nn.functional.kl_div(b[0], b[1], true, torch.nn.Reduction.Sum).div(4), [lq, lq.Mul(1.1f)], 0, 1);
    }

    [Theory, MemberData(nameof(Reductions))]
    public void EmbeddingLosses(string red)
    {
        var x1 = Randn(80, 6, 5);
        var x2 = Randn(81, 6, 5);
        var x3 = Randn(82, 6, 5);
        var y = LTensor.FromArray(new float[] { 1, -1, -1, 1, -1, 1 });
        foreach (double m in new[] { 0.0, 0.3 })
            Check($"cosine_embedding_loss {red} margin {m}", a => LF.CosineEmbeddingLoss(a[0], a[1], a[2], m, red),
                b => torch.nn.functional.cosine_embedding_loss(b[0], b[1], b[2], m, Red(red)), [x1, x2, y], 0, 1);
        var s1 = Randn(83, 6);
        var s2 = Randn(84, 6);
        Check($"margin_ranking_loss {red}", a => LF.MarginRankingLoss(a[0], a[1], a[2], 0.5, red),
            b => torch.nn.functional.margin_ranking_loss(b[0], b[1], b[2], 0.5, Red(red)), [s1, s2, y], 0, 1);
        foreach (var (p, swap) in new[] { (2, false), (2, true), (1, false), (1, true) })
            Check($"triplet_margin_loss {red} p {p} swap {swap}", a => LF.TripletMarginLoss(a[0], a[1], a[2], 1.5, p, 1e-6, swap, red),
                b => torch.nn.functional.triplet_margin_loss(b[0], b[1], b[2], 1.5, p, 1e-6, swap, Red(red)), [x1, x2, x3], 0, 1, 2);
    }

    [Theory, MemberData(nameof(Reductions))] // torchvision/ops/focal_loss.py, line by line in TorchSharp ops
    public void SigmoidFocalLoss(string red)
    {
        foreach (var (alpha, gamma) in new[] { (0.25, 2.0), (-1.0, 1.0), (0.7, 0.5) })
        foreach (var (name, x) in new[] { ("[4,5]", Randn(90, 4, 5).Mul(2)), ("+-100", Randn(91, 4, 5).Mul(100)) })
        {
            var t = Rand(92, 4, 5).Ge(0.6).To(DType.Float32);
            Check($"sigmoid_focal_loss {red} alpha {alpha} gamma {gamma} {name}", a => LF.SigmoidFocalLoss(a[0], a[1], alpha, gamma, red), b =>
            {
                var p = torch.sigmoid(b[0]);
                var ce = torch.nn.functional.binary_cross_entropy_with_logits(b[0], b[1], reduction: torch.nn.Reduction.None);
                var pt = p * b[1] + (1 - p) * (1 - b[1]);
                var loss = ce * (1 - pt).pow(gamma);
                if (alpha >= 0) loss = (alpha * b[1] + (1 - alpha) * (1 - b[1])) * loss;
                return red switch { "none" => loss, "sum" => loss.sum(), _ => loss.mean() };
            }, [x, t], 0);
        }
    }

    [Fact] // Dice is not in PyTorch: its definition (F.DiceLoss docs) written with TorchSharp ops
    public void DiceLoss()
    {
        var x = Randn(100, 2, 3, 4, 4).Mul(3);
        var t = Classes(101, 3, [2, 4, 4]);
        Check("dice multiclass", a => LF.DiceLoss(a[0], a[1], "multiclass"), b =>
        {
            var p = torch.nn.functional.softmax(b[0], 1);
            var oh = torch.nn.functional.one_hot(b[1], 3).permute(0, 3, 1, 2).to_type(b[0].dtype);
            var inter = (p * oh).sum([2L, 3L]);
            var card = p.sum([2L, 3L]) + oh.sum([2L, 3L]);
            return (1 - (2 * inter + 1) / (card + 1)).mean();
        }, [x, t], 0);
        var xb = Randn(102, 3, 1, 5, 5).Mul(2);
        var m = Rand(103, 3, 1, 5, 5).Ge(0.5).To(DType.Float32);
        Check("dice binary", a => LF.DiceLoss(a[0], a[1], smooth: 0.5, reduction: "none"), b =>
        {
            var p = torch.sigmoid(b[0]);
            return 1 - (2 * (p * b[1]).sum([1L, 2L, 3L]) + 0.5) / (p.sum([1L, 2L, 3L]) + b[1].sum([1L, 2L, 3L]) + 0.5);
        }, [xb, m], 0);
    }

    [Theory]
    [InlineData(2.0, 0.5)]
    [InlineData(1.0, 2.0)]
    [InlineData(double.PositiveInfinity, 0.3)]
    [InlineData(2.0, 100.0)] // no clipping: the factor is clamped to 1
    public void ClipGradNorm(double normType, double maxNorm)
    {
        var shapes = new[] { new[] { 3, 4 }, new[] { 5 }, new[] { 2, 2, 2 } };
        var grads = shapes.Select((s, i) => Randn(110 + (ulong)i, s)).ToArray();
        // Gradients arrive through backward in both libraries: d/dp sum(p * g) = g.
        var ours = shapes.Select(s => LTensor.Zeros(s, requiresGrad: true)).ToArray();
        ours.Zip(grads).Select(pg => pg.First.Mul(pg.Second).Sum()).Aggregate((a, b) => a.Add(b)).Backward();
        var theirs = shapes.Select(s => new TorchSharp.Modules.Parameter(torch.zeros(s.Select(d => (long)d).ToArray()))).ToArray();
        theirs.Zip(grads).Select(pg => (pg.First * Torch.From(pg.Second)).sum()).Aggregate((a, b) => a + b).backward();
        double total = global::Lantern.NN.Utils.ClipGradNorm_(ours, maxNorm, normType).Item<double>();
        double expected = torch.nn.utils.clip_grad_norm_(theirs, maxNorm, normType);
        Assert.True(Math.Abs(total - expected) <= Rtol * expected, $"total norm {total} vs PyTorch {expected}");
        double worst = Math.Abs(total - expected) / expected;
        for (int i = 0; i < shapes.Length; i++)
            worst = Math.Max(worst, Torch.AssertClose(theirs[i].grad!, ours[i].Grad!, Rtol, $"clip_grad_norm_ {normType} gradient {i}"));
        output.WriteLine($"clip_grad_norm_ norm {normType} max {maxNorm}: max relative error {worst:E2}");
    }

    [Fact]
    public void ClipGradValueAndPenalties()
    {
        var g = Randn(120, 4, 5).Mul(2);
        var ours = LTensor.Zeros([4, 5], requiresGrad: true);
        ours.Mul(g).Sum().Backward();
        var theirs = new TorchSharp.Modules.Parameter(torch.zeros(4, 5));
        (theirs * Torch.From(g)).sum().backward();
        global::Lantern.NN.Utils.ClipGradValue_([ours], 0.7);
        torch.nn.utils.clip_grad_value_([theirs], 0.7);
        Torch.AssertClose(theirs.grad!, ours.Grad!, 0, "clip_grad_value_");
        var w = new[] { Randn(121, 3, 4), Randn(122, 6) };
        Check("L1Penalty", a => global::Lantern.NN.Regularization.L1Penalty(a), b => b[0].abs().sum() + b[1].abs().sum(), w, 0, 1);
        Check("L2Penalty", a => global::Lantern.NN.Regularization.L2Penalty(a), b => b[0].pow(2).sum() + b[1].pow(2).sum(), w, 0, 1);
    }

    [Theory, MemberData(nameof(Reductions))]
    public void CtcLoss(string red)
    {
        var logits = Randn(130, 12, 3, 6).Mul(3);
        var padded = LTensor.RandInt(1, 6, [3, 5], generator: new Gen(131));
        var inLen = LTensor.FromArray(new long[] { 12, 10, 7 });
        var tgLen = LTensor.FromArray(new long[] { 5, 3, 0 });
        var concatenated = LTensor.FromArray(new long[] { 1, 4, 4, 2, 5, 3, 3, 1 });
        var tgLen2 = LTensor.FromArray(new long[] { 4, 3, 1 });
        foreach (var (name, tg, tl) in new[] { ("padded", padded, tgLen), ("concatenated", concatenated, tgLen2) })
        {
            // Through log_softmax (the usual use): the gradient with respect to the logits.
            Check($"ctc_loss {red} {name} via log_softmax", a => LF.CtcLoss(LF.LogSoftmax(a[0], 2), a[1], a[2], a[3], reduction: red),
                b => torch.nn.functional.ctc_loss(torch.nn.functional.log_softmax(b[0], 2), b[1], b[2], b[3], reduction: Red(red)), [logits, tg, inLen, tl], 0);
            // On a log-probability leaf: PyTorch's gradient convention (exp(lp) - ...) reproduced.
            Check($"ctc_loss {red} {name} leaf", a => LF.CtcLoss(a[0], a[1], a[2], a[3], reduction: red),
                b => torch.nn.functional.ctc_loss(b[0], b[1], b[2], b[3], reduction: Red(red)), [LF.LogSoftmax(logits, 2), tg, inLen, tl], 0);
        }
        // blank 5, and an impossible sample (4 labels with a repeat in 4 steps) zeroed by zero_infinity.
        var tgB = LTensor.FromArray(new long[] { 0, 2, 2, 1, 4, 0, 1, 3, 3, 3, 1, 0, 0, 0, 0 }, [3, 5]);
        Check($"ctc_loss {red} blank 5 zero_infinity", a => LF.CtcLoss(LF.LogSoftmax(a[0], 2), a[1], a[2], a[3], 5, red, true),
            b => torch.nn.functional.ctc_loss(torch.nn.functional.log_softmax(b[0], 2), b[1], b[2], b[3], 5, true, Red(red)),
            [logits, tgB, LTensor.FromArray(new long[] { 12, 4, 9 }), LTensor.FromArray(new long[] { 5, 4, 2 })], 0);
    }
}

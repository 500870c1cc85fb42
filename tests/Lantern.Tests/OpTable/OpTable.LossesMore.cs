using Lantern.NN;

namespace Lantern.Tests.OpTable;

// Rows for the binary, regression, divergence and embedding losses, with float64 loop references written from
// the PyTorch / torchvision formulas (aten Loss.cpp, LossNLL.cpp; torchvision/ops/focal_loss.py).
public static partial class Ops
{
    private static double LogSigmoidRef(double x) => x < 0 ? x - Math.Log(1 + Math.Exp(x)) : -Math.Log(1 + Math.Exp(-x));

    private static double BceWithLogitsRef(double x, double t, double pw) => (1 - t) * x - (1 + (pw - 1) * t) * LogSigmoidRef(x);

    /// <summary>Soft Dice per sample (binary) or per sample and class (multiclass, t = class indices or probabilities).</summary>
    private static Nd DiceRef(Nd x, Nd t, bool multiclass, double smooth, string reduction)
    {
        int n = x.Shape[0];
        if (!multiclass)
        {
            int m = x.Data.Length / n;
            var per = new Nd([n]);
            for (int i = 0; i < n; i++)
            {
                double inter = 0, card = 0;
                for (int j = 0; j < m; j++)
                {
                    double p = 1 / (1 + Math.Exp(-x.Data[i * m + j])), tt = t.Data[i * m + j];
                    inter += p * tt;
                    card += p + tt;
                }
                per.Data[i] = 1 - (2 * inter + smooth) / (card + smooth);
            }
            return LossReduceRef(per, reduction);
        }
        int c = x.Shape[1], sp = x.Data.Length / (n * c);
        bool indices = t.Rank != x.Rank;
        var r = new Nd([n, c]);
        for (int i = 0; i < n; i++)
            for (int k = 0; k < c; k++)
            {
                double inter = 0, card = 0;
                for (int j = 0; j < sp; j++)
                {
                    double max = double.NegativeInfinity, sum = 0;
                    for (int q = 0; q < c; q++) max = Math.Max(max, x.Data[(i * c + q) * sp + j]);
                    for (int q = 0; q < c; q++) sum += Math.Exp(x.Data[(i * c + q) * sp + j] - max);
                    double p = Math.Exp(x.Data[(i * c + k) * sp + j] - max) / sum;
                    double tt = indices ? (t.Data[i * sp + j] == k ? 1 : 0) : t.Data[(i * c + k) * sp + j];
                    inter += p * tt;
                    card += p + tt;
                }
                r[i, k] = 1 - (2 * inter + smooth) / (card + smooth);
            }
        return LossReduceRef(r, reduction);
    }

    private static Nd TripletRef(Nd a, Nd pos, Nd neg, double margin, double p, double eps, bool swap, string reduction)
    {
        int d = a.Shape[^1], n = a.Data.Length / d;
        double Dist(Nd u, Nd v, int i)
        {
            double s = 0;
            for (int j = 0; j < d; j++) s += Math.Pow(Math.Abs(u.Data[i * d + j] - v.Data[i * d + j] + eps), p);
            return Math.Pow(s, 1 / p);
        }
        var per = new Nd(a.Shape[..^1]);
        for (int i = 0; i < n; i++)
        {
            double dn = Dist(a, neg, i);
            if (swap) dn = Math.Min(dn, Dist(pos, neg, i));
            per.Data[i] = Math.Max(Dist(a, pos, i) - dn + margin, 0);
        }
        return LossReduceRef(per, reduction);
    }

    private static Nd CosineEmbeddingRef(Nd x1, Nd x2, Nd y, double margin, string reduction)
    {
        int d = x1.Shape[^1], n = x1.Data.Length / d;
        var per = new Nd(x1.Shape[..^1]);
        for (int i = 0; i < n; i++)
        {
            double prod = 0, m1 = 1e-12, m2 = 1e-12;
            for (int j = 0; j < d; j++)
            {
                prod += x1.Data[i * d + j] * x2.Data[i * d + j];
                m1 += x1.Data[i * d + j] * x1.Data[i * d + j];
                m2 += x2.Data[i * d + j] * x2.Data[i * d + j];
            }
            double cos = prod / Math.Sqrt(m1 * m2);
            per.Data[i] = y.Data[i] == 1 ? 1 - cos : Math.Max(0, cos - margin);
        }
        return LossReduceRef(per, reduction);
    }

    private static Tensor PlusMinusOne(params int[] shape) => U(-1, 1, shape).Ge(0).To(DType.Float64).Mul(2).Sub(1);

    [OpFamily]
    private static IEnumerable<OpInfo> LossesBinary()
    {
        foreach (var red in new[] { "mean", "sum", "none" })
            yield return new OpInfo
            {
                Name = "F.BinaryCrossEntropy",
                Variant = "weight " + red,
                Op = x => F.BinaryCrossEntropy(x[0], x[1], x[2], red),
                Samples = () => [S("[3,4] soft targets, weight [4]", U(0.05, 0.95, 3, 4), U(0.05, 0.95, 3, 4), U(0.5, 2, 4))],
                Reference = x => LossReduceRef(Nd.Zip3(x[0], x[1], x[2], (p, t, w) => -w * (t * Math.Max(Math.Log(p), -100) + (1 - t) * Math.Max(Math.Log(1 - p), -100))), red),
                GradInputs = [0, 1],
                Errors = red != "mean" ? null : () =>
                [
                    new(() => F.BinaryCrossEntropy(Tensor.FromArray(new[] { 0.5, 1.5 }), Tensor.FromArray(new[] { 0.0, 1.0 })), "BinaryCrossEntropy: all elements of input should be between 0 and 1, got 1.5", "input > 1"),
                    new(() => F.BinaryCrossEntropy(Tensor.FromArray(new[] { 0.5, 0.5 }), Tensor.FromArray(new[] { 0.0, -1.0 })), "BinaryCrossEntropy: all elements of target should be between 0 and 1", "target < 0"),
                    new(() => F.BinaryCrossEntropy(U(0, 1, 3, 4), U(0, 1, 3, 1)), "BinaryCrossEntropy: target shape [3, 1] differs from input shape [3, 4]", "shape"),
                    new(() => F.BinaryCrossEntropy(U(0, 1, 3, 4), U(0, 1, 3, 4), U(0, 1, 3)), "BinaryCrossEntropy: weight of shape [3] does not broadcast", "weight"),
                ],
            };
        // Inputs at exactly 0 and 1: each log is clamped at -100 (no gradcheck: the function is only defined on [0, 1]).
        yield return new OpInfo
        {
            Name = "F.BinaryCrossEntropy",
            Variant = "clamped logs",
            Op = x => F.BinaryCrossEntropy(x[0], x[1], reduction: "none"),
            Samples = () => [S("x in {0, 1}", Tensor.FromArray(new[] { 0.0, 1.0, 0.0, 1.0, 1e-50, 0.3 }), Tensor.FromArray(new[] { 1.0, 0.0, 0.0, 1.0, 1.0, 0.0 }))],
            Reference = x => Nd.Zip(x[0], x[1], (p, t) => -(t * Math.Max(Math.Log(p), -100) + (1 - t) * Math.Max(Math.Log(1 - p), -100))),
            SupportsGrad = false,
        };
        foreach (var red in new[] { "mean", "none" })
            yield return new OpInfo
            {
                Name = "F.BinaryCrossEntropyWithLogits",
                Variant = "posWeight weight " + red,
                Op = x => F.BinaryCrossEntropyWithLogits(x[0], x[1], x[2], red, x[3]),
                Samples = () => [S("[3,4]", R(3, 4).Mul(3), U(0, 1, 3, 4), U(0.5, 2, 4), U(0.5, 3, 4)),
                                 S("logits +-100", R(3, 4).Mul(100), U(0, 1, 3, 4).Ge(0.5).To(DType.Float64), U(0.5, 2, 4), U(0.5, 3, 4)),
                                 S("[2,3,2] posWeight [3,1]", R(2, 3, 2), U(0, 1, 2, 3, 2), U(0.5, 2, 2), U(0.5, 3, 3, 1))],
                Reference = x => LossReduceRef(Nd.Zip(Nd.Zip3(x[0], x[1], x[3], BceWithLogitsRef), x[2], (l, w) => l * w), red),
                GradInputs = [0, 1],
                Errors = red != "mean" ? null : () =>
                [
                    new(() => F.BinaryCrossEntropyWithLogits(R(3, 4), R(4)), "BinaryCrossEntropyWithLogits: target shape [4] differs from input shape [3, 4]", "shape"),
                    new(() => F.BinaryCrossEntropyWithLogits(R(3, 4), R(3, 4), posWeight: R(3)), "BinaryCrossEntropyWithLogits: posWeight of shape [3]", "posWeight"),
                ],
            };
        yield return new OpInfo
        {
            Name = "F.BinaryCrossEntropyWithLogits",
            Op = x => F.BinaryCrossEntropyWithLogits(x[0], x[1]),
            Samples = () => [S("[5]", R(5).Mul(2), U(0, 1, 5)), S("+-1e4", Tensor.FromArray(new[] { 1e4, -1e4, 1e4, -1e4 }), Tensor.FromArray(new[] { 0.0, 1.0, 1.0, 0.0 }))],
            Reference = x => LossReduceRef(Nd.Zip(x[0], x[1], (a, t) => BceWithLogitsRef(a, t, 1)), "mean"),
        };
        foreach (var (alpha, gamma, red) in new[] { (0.25, 2.0, "none"), (-1.0, 1.5, "mean"), (0.6, 0.0, "sum") })
            yield return new OpInfo
            {
                Name = "F.SigmoidFocalLoss",
                Variant = $"alpha {alpha} gamma {gamma} {red}",
                Op = x => F.SigmoidFocalLoss(x[0], x[1], alpha, gamma, red),
                Samples = () => [S("[3,4]", R(3, 4).Mul(2), U(0, 1, 3, 4).Ge(0.7).To(DType.Float64)), S("soft", R(6), U(0.1, 0.9, 6)),
                                 S("logits +-100", R(3, 4).Mul(100), U(0, 1, 3, 4).Ge(0.5).To(DType.Float64))],
                Reference = x => LossReduceRef(Nd.Zip(x[0], x[1], (a, t) =>
                {
                    double p = 1 / (1 + Math.Exp(-a)), pt = p * t + (1 - p) * (1 - t);
                    double l = BceWithLogitsRef(a, t, 1) * Math.Pow(1 - pt, gamma);
                    return alpha >= 0 ? (alpha * t + (1 - alpha) * (1 - t)) * l : l;
                }), red),
                // (1 - p_t)^1.5 is undefined just past p_t = 1, where a hard target perturbed by gradcheck lands.
                GradInputs = gamma == 1.5 ? [0] : null,
                Errors = red != "none" ? null : () => [new(() => F.SigmoidFocalLoss(R(3), R(4)), "SigmoidFocalLoss: targets shape [4] differs from inputs shape [3]", "shape")],
            };
        yield return new OpInfo
        {
            Name = "F.DiceLoss",
            Variant = "binary",
            Op = x => F.DiceLoss(x[0], x[1]),
            Samples = () => [S("[2,3,4] soft mask", R(2, 3, 4), U(0, 1, 2, 3, 4)), S("[3,5] hard mask", R(3, 5).Mul(3), U(0, 1, 3, 5).Ge(0.5).To(DType.Float64))],
            Reference = x => DiceRef(x[0], x[1], false, 1.0, "mean"),
            Errors = () =>
            [
                new(() => F.DiceLoss(R(2, 3), R(2, 4)), "DiceLoss: target shape [2, 4] differs", "shape"),
                new(() => F.DiceLoss(R(2, 3), R(2, 3), mode: "multilabel"), "DiceLoss: mode", "mode"),
                new(() => F.DiceLoss(R(2, 3, 4), Tensor.FromArray(new long[] { 0, 1, 2, 4, 0, 0, 1, 1 }, [2, 4]), mode: "multiclass"), "DiceLoss: target class 4 is out of range for 3 classes", "class >= C"),
            ],
        };
        yield return new OpInfo
        {
            Name = "F.DiceLoss",
            Variant = "multiclass none smooth 0.5",
            Op = x => F.DiceLoss(x[0], x[1], "multiclass", smooth: 0.5, reduction: "none"),
            Samples = () => [S("[2,3,4] indices", R(2, 3, 4), Classes(3, [2, 4])), S("[2,3,2,2] indices", R(2, 3, 2, 2), Classes(3, [2, 2, 2])),
                             S("[2,3,4] probabilities", R(2, 3, 4), F.Softmax(R(2, 3, 4), 1))],
            Reference = x => DiceRef(x[0], x[1], true, 0.5, "none"),
        };
    }

    [OpFamily]
    private static IEnumerable<OpInfo> LossesRegression()
    {
        foreach (var red in new[] { "mean", "sum", "none" })
        {
            yield return new OpInfo { Name = "F.MseLoss", Variant = red, Op = x => F.MseLoss(x[0], x[1], red), Samples = () => [S("[3,4]", R(3, 4), R(3, 4)), S("0-dim", R(), R())],
                Reference = x => LossReduceRef(Nd.Zip(x[0], x[1], (a, b) => (a - b) * (a - b)), red),
                Errors = red != "mean" ? null : () => [new(() => F.MseLoss(R(3, 4), R(4)), "MseLoss: target shape [4] differs from input shape [3, 4]", "no broadcasting"),
                                                        new(() => F.MseLoss(R(3), Classes(3, [3])), "MseLoss: expected a floating-point target", "int target")] };
            yield return new OpInfo { Name = "F.L1Loss", Variant = red, Op = x => F.L1Loss(x[0], x[1], red), Samples = () => [S("[3,4]", R(3, 4), R(3, 4))],
                Reference = x => LossReduceRef(Nd.Zip(x[0], x[1], (a, b) => Math.Abs(a - b)), red),
                Errors = red != "mean" ? null : () => [new(() => F.L1Loss(R(3, 1), R(3, 4)), "L1Loss: target shape [3, 4] differs", "shape")] };
        }
        foreach (var beta in new[] { 1.0, 0.5, 0.0 })
            yield return new OpInfo
            {
                Name = "F.SmoothL1Loss", Variant = $"beta {beta}", Op = x => F.SmoothL1Loss(x[0], x[1], beta: beta),
                Samples = () => [S("[4,5]", R(4, 5), R(4, 5))],
                Reference = x => LossReduceRef(Nd.Zip(x[0], x[1], (a, b) => Math.Abs(a - b) < beta ? 0.5 * (a - b) * (a - b) / beta : Math.Abs(a - b) - 0.5 * beta), "mean"),
                Errors = beta != 1 ? null : () => [new(() => F.SmoothL1Loss(R(3), R(3), beta: -1), "SmoothL1Loss: beta", "negative beta")],
            };
        foreach (var (delta, red) in new[] { (1.0, "mean"), (0.7, "none") })
            yield return new OpInfo
            {
                Name = "F.HuberLoss", Variant = $"delta {delta} {red}", Op = x => F.HuberLoss(x[0], x[1], red, delta),
                Samples = () => [S("[4,5]", R(4, 5), R(4, 5))],
                Reference = x => LossReduceRef(Nd.Zip(x[0], x[1], (a, b) => Math.Abs(a - b) < delta ? 0.5 * (a - b) * (a - b) : delta * (Math.Abs(a - b) - 0.5 * delta)), red),
                Errors = red != "mean" ? null : () => [new(() => F.HuberLoss(R(3), R(3), delta: 0), "HuberLoss: delta", "delta 0")],
            };
        foreach (var red in new[] { "mean", "batchmean", "sum", "none" })
            yield return new OpInfo
            {
                Name = "F.KlDiv", Variant = red, Op = x => F.KlDiv(x[0], x[1], red),
                Samples = () => [S("[3,4]", F.LogSoftmax(R(3, 4), 1), F.Softmax(R(3, 4), 1))],
                Reference = x =>
                {
                    var per = Nd.Zip(x[0], x[1], (lq, t) => t == 0 ? 0 : t * (Math.Log(t) - lq));
                    return red == "batchmean" ? new Nd([], [per.Data.Sum() / x[0].Shape[0]]) : LossReduceRef(per, red);
                },
                Errors = red != "mean" ? null : () => [new(() => F.KlDiv(R(3, 4), R(3, 1)), "KlDiv: target shape [3, 1] differs", "shape"),
                                                        new(() => F.KlDiv(R(3), R(3), "avg"), "KlDiv: reduction must be 'none', 'mean', 'sum' or 'batchmean'", "reduction")],
            };
        yield return new OpInfo
        {
            Name = "F.KlDiv", Variant = "zero targets", Op = x => F.KlDiv(x[0], x[1], "batchmean"),
            Samples = () => [S("t with zeros", F.LogSoftmax(R(2, 3), 1), Tensor.FromArray(new[] { 0.0, 0.4, 0.6, 1.0, 0.0, 0.0 }, [2, 3]))],
            Reference = x => new Nd([], [Nd.Zip(x[0], x[1], (lq, t) => t == 0 ? 0 : t * (Math.Log(t) - lq)).Data.Sum() / 2]),
            GradInputs = [0],
        };
        yield return new OpInfo
        {
            Name = "F.KlDiv", Variant = "logTarget", Op = x => F.KlDiv(x[0], x[1], "batchmean", logTarget: true),
            Samples = () => [S("[3,4]", F.LogSoftmax(R(3, 4), 1), F.LogSoftmax(R(3, 4), 1))],
            Reference = x => new Nd([], [Nd.Zip(x[0], x[1], (lq, lt) => Math.Exp(lt) * (lt - lq)).Data.Sum() / 3]),
        };
    }

    [OpFamily]
    private static IEnumerable<OpInfo> LossesEmbedding()
    {
        foreach (var (margin, red) in new[] { (0.0, "mean"), (0.3, "none") })
            yield return new OpInfo
            {
                Name = "F.CosineEmbeddingLoss", Variant = $"margin {margin} {red}",
                Op = x => F.CosineEmbeddingLoss(x[0], x[1], x[2], margin, red),
                Samples = () => [S("[6,4]", R(6, 4), R(6, 4), PlusMinusOne(6)), S("[5] unbatched", R(5), R(5), Tensor.Scalar(-1.0, DType.Float64))],
                Reference = x => CosineEmbeddingRef(x[0], x[1], x[2], margin, red),
                GradInputs = [0, 1],
                Errors = red != "mean" ? null : () =>
                [
                    new(() => F.CosineEmbeddingLoss(R(3, 4), R(3, 4), Tensor.FromArray(new[] { 1.0, 0.0, -1.0 })), "CosineEmbeddingLoss: target labels must be 1 or -1, got 0", "label 0"),
                    new(() => F.CosineEmbeddingLoss(R(3, 4), R(3, 5), PlusMinusOne(3)), "CosineEmbeddingLoss: input2 shape [3, 5] differs from input1 shape [3, 4]", "shape"),
                    new(() => F.CosineEmbeddingLoss(R(3, 4), R(3, 4), PlusMinusOne(4)), "CosineEmbeddingLoss: expected target shape [3]", "target shape"),
                ],
            };
        yield return new OpInfo
        {
            Name = "F.MarginRankingLoss", Op = x => F.MarginRankingLoss(x[0], x[1], x[2], 0.5),
            Samples = () => [S("[8]", R(8), R(8), PlusMinusOne(8))],
            Reference = x => LossReduceRef(Nd.Zip3(x[0], x[1], x[2], (a, b, y) => Math.Max(0, -y * (a - b) + 0.5)), "mean"),
            GradInputs = [0, 1],
            Errors = () => [new(() => F.MarginRankingLoss(R(3), R(3), Tensor.FromArray(new[] { 1.0, 2.0, -1.0 })), "MarginRankingLoss: target labels must be 1 or -1, got 2", "label 2"),
                            new(() => F.MarginRankingLoss(R(3), R(3), PlusMinusOne(1)), "MarginRankingLoss: target shape [1] differs", "no broadcasting")],
        };
        foreach (var (p, swap, red) in new[] { (2.0, false, "mean"), (2.0, true, "none"), (1.0, false, "sum"), (3.0, true, "mean") })
            yield return new OpInfo
            {
                Name = "F.TripletMarginLoss", Variant = $"p {p} swap {swap} {red}",
                Op = x => F.TripletMarginLoss(x[0], x[1], x[2], margin: 1.5, p: p, swap: swap, reduction: red),
                Samples = () => [S("[5,4]", R(5, 4), R(5, 4), R(5, 4)), S("[3] unbatched", R(3), R(3), R(3))],
                Reference = x => TripletRef(x[0], x[1], x[2], 1.5, p, 1e-6, swap, red),
                Errors = red != "mean" || swap ? null : () =>
                [
                    new(() => F.TripletMarginLoss(R(3, 4), R(3, 4), R(2, 4)), "TripletMarginLoss: negative shape [2, 4] differs from anchor shape [3, 4]", "shape"),
                    new(() => F.TripletMarginLoss(R(2, 3, 4), R(2, 3, 4), R(2, 3, 4)), "TripletMarginLoss: inputs must be [N, D] or [D]", "rank"),
                ],
            };
    }
}

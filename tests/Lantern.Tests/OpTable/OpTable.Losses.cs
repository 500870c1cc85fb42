using Lantern.NN;

namespace Lantern.Tests.OpTable;

// Rows for cross-entropy and NLL. References are float64 loops written from PyTorch's formulas
// (aten/src/ATen/native/LossNLL.cpp: cross_entropy_loss_label_smoothing / cross_entropy_loss_prob_target, nll_loss).
public static partial class Ops
{
    /// <summary>none: the per-element losses; sum; mean = sum / denom (default: the element count).</summary>
    internal static Nd LossReduceRef(Nd per, string reduction, double? denom = null)
    {
        if (reduction == "none") return per;
        double s = per.Data.Sum();
        return new Nd([], [reduction == "sum" ? s : s / (denom ?? per.Data.Length)]);
    }

    /// <summary>The index of x addressed by a target index ti with class c inserted at the class dim cd.</summary>
    private static int[] WithClass(int[] ti, int cd, int c)
    {
        var r = new List<int>(ti);
        r.Insert(cd, c);
        return r.ToArray();
    }

    /// <summary>log_softmax (or the row itself when logInput) of the class row of x at target position ti.</summary>
    private static double[] ClassRow(Nd x, int[] ti, int cd, bool logInput)
    {
        int c = x.Shape[cd];
        var row = new double[c];
        for (int k = 0; k < c; k++) row[k] = x[WithClass(ti, cd, k)];
        if (logInput) return row;
        double max = row.Max(), sum = 0;
        foreach (var v in row) sum += Math.Exp(v - max);
        return row.Select(v => v - max - Math.Log(sum)).ToArray();
    }

    /// <summary>Cross-entropy (or NLL with logInput) over class indices, with weight, ignoreIndex and label smoothing.</summary>
    internal static Nd CrossEntropyRef(Nd x, Nd t, Nd? w, long ignoreIndex, string reduction, double eps, bool logInput = false)
    {
        int cd = x.Rank == 1 ? 0 : 1, c = x.Shape[cd];
        var per = new Nd(t.Shape);
        double denom = 0;
        for (int i = 0; i < t.Data.Length; i++)
        {
            long cls = (long)t.Data[i];
            if (cls == ignoreIndex) continue;
            var lp = ClassRow(x, t.Unravel(i), cd, logInput);
            double W(int k) => w is null ? 1 : w.Data[k];
            double smooth = 0;
            for (int k = 0; k < c; k++) smooth -= W(k) * lp[k];
            per.Data[i] = (1 - eps) * -W((int)cls) * lp[cls] + eps / c * smooth;
            denom += W((int)cls);
        }
        return LossReduceRef(per, reduction, denom);
    }

    /// <summary>Cross-entropy with class-probability targets t (x's shape): -sum_c w_c t'_c logp_c, mean over samples.</summary>
    internal static Nd CrossEntropyProbRef(Nd x, Nd t, Nd? w, string reduction, double eps)
    {
        int cd = x.Rank == 1 ? 0 : 1, c = x.Shape[cd];
        var outShape = x.Shape.Where((_, i) => i != cd).ToArray();
        var per = new Nd(outShape);
        for (int i = 0; i < per.Data.Length; i++)
        {
            var ti = per.Unravel(i);
            var lp = ClassRow(x, ti, cd, false);
            double s = 0;
            for (int k = 0; k < c; k++) s -= (w is null ? 1 : w.Data[k]) * (t[WithClass(ti, cd, k)] * (1 - eps) + eps / c) * lp[k];
            per.Data[i] = s;
        }
        return LossReduceRef(per, reduction);
    }

    /// <summary>Deterministic Int64 class indices in [0, c), with the listed flat positions set to ignoreIndex.</summary>
    internal static Tensor Classes(int c, int[] shape, long ignoreIndex = -100, params int[] ignored)
    {
        var t = Tensor.RandInt(0, c, shape, generator: new Generator((ulong)Interlocked.Increment(ref s_seed))).ToArray<long>();
        foreach (int i in ignored) t[i] = ignoreIndex;
        return Tensor.FromArray(t, shape);
    }

    /// <summary>Logits of +-1e4 (and 0): softmax saturates to exact 0/1 and the losing classes cost about 2e4.</summary>
    private static Tensor HugeLogits() => Tensor.FromArray(new double[] { 1e4, -1e4, 0, 3, -1e4, 1e4, 2, 0, 0, 0, 1e4, -1e4 }, [3, 4]);

    [OpFamily]
    private static IEnumerable<OpInfo> LossesCrossEntropy()
    {
        ErrorInput[] ceErrors() =>
        [
            new(() => F.CrossEntropy(R(3, 5), Tensor.FromArray(new long[] { 0, 5, 1 })), "target class 5 is out of range for 5 classes", "class >= C"),
            new(() => F.CrossEntropy(R(3, 5), Tensor.FromArray(new long[] { 0, -1, 1 })), "CrossEntropy: target class -1", "negative class"),
            new(() => F.CrossEntropy(R(3, 5), Tensor.FromArray(new long[] { 0, 1 })), "CrossEntropy: expected target shape [3]", "batch mismatch"),
            new(() => F.CrossEntropy(R(3, 5), R(3)), "CrossEntropy: expected an Int64 class-index target", "float class target"),
            new(() => F.CrossEntropy(R(3, 5), Classes(5, [3]), R(4)), "CrossEntropy: weight must have shape [5]", "weight size"),
            new(() => F.CrossEntropy(R(3, 5), Classes(5, [3]), reduction: "avg"), "CrossEntropy: reduction", "bad reduction"),
            new(() => F.CrossEntropy(R(3, 5), Classes(5, [3]), labelSmoothing: 1.5), "CrossEntropy: labelSmoothing", "smoothing > 1"),
            new(() => F.CrossEntropy(R(3, 5), U(0, 1, 3, 5), ignoreIndex: 0), "CrossEntropy: ignoreIndex", "ignore with probabilities"),
            new(() => F.CrossEntropy(R(2, 3, 4), Classes(3, [2, 5])), "CrossEntropy: expected target shape [2, 4]", "K-dim mismatch"),
        ];
        // x, target, weight: gradients only for the logits (weights are constants, as PyTorch).
        foreach (var red in new[] { "mean", "sum", "none" })
            yield return new OpInfo
            {
                Name = "F.CrossEntropy",
                Variant = red,
                Op = x => F.CrossEntropy(x[0], x[1], reduction: red),
                Samples = () => [S("[4,5]", R(4, 5), Classes(5, [4])), S("[5] unbatched", R(5), Classes(5, [])),
                                 S("[2,3,2,2] K-dim", R(2, 3, 2, 2), Classes(3, [2, 2, 2])), S("logits +-100", R(4, 5).Mul(100), Classes(5, [4])),
                                 S("logits +-1e4", HugeLogits(), Tensor.FromArray(new long[] { 1, 0, 1 }))],
                Reference = x => CrossEntropyRef(x[0], x[1], null, -100, red, 0),
                GradInputs = [0],
                Errors = red == "mean" ? ceErrors : null,
            };
        yield return new OpInfo
        {
            Name = "F.CrossEntropy",
            Variant = "weight+ignore",
            Op = x => F.CrossEntropy(x[0], x[1], x[2]),
            Samples = () => [S("[5,4] two ignored", R(5, 4), Classes(4, [5], -100, 1, 3), U(0.5, 2, 4)),
                             S("[2,4,3] K-dim ignored", R(2, 4, 3), Classes(4, [2, 3], -100, 0, 4), U(0.5, 2, 4)),
                             S("+-100 ignored", R(5, 4).Mul(100), Classes(4, [5], -100, 2), U(0.5, 2, 4))],
            Reference = x => CrossEntropyRef(x[0], x[1], x[2], -100, "mean", 0),
            GradInputs = [0],
        };
        foreach (var red in new[] { "mean", "none" })
            yield return new OpInfo
            {
                Name = "F.CrossEntropy",
                Variant = "smoothing 0.2 weight ignore=1 " + red,
                Op = x => F.CrossEntropy(x[0], x[1], x[2], ignoreIndex: 1, reduction: red, labelSmoothing: 0.2),
                Samples = () => [S("[6,4]", R(6, 4), Classes(4, [6], 1, 0), U(0.5, 2, 4)), S("[2,3,2] K-dim", R(2, 3, 2), Classes(3, [2, 2], 1, 3), U(0.5, 2, 3)),
                                 S("+-100", R(6, 4).Mul(100), Classes(4, [6], 1, 2), U(0.5, 2, 4))],
                Reference = x => CrossEntropyRef(x[0], x[1], x[2], 1, red, 0.2),
                GradInputs = [0],
            };
        yield return new OpInfo
        {
            Name = "F.CrossEntropy",
            Variant = "smoothing 0.1",
            Op = x => F.CrossEntropy(x[0], x[1], labelSmoothing: 0.1),
            Samples = () => [S("[4,5] ignored", R(4, 5), Classes(5, [4], -100, 2)), S("logits +-1e4", HugeLogits(), Tensor.FromArray(new long[] { 1, 0, 1 }))],
            Reference = x => CrossEntropyRef(x[0], x[1], null, -100, "mean", 0.1),
            GradInputs = [0],
        };
        foreach (var red in new[] { "mean", "sum", "none" })
            yield return new OpInfo
            {
                Name = "F.CrossEntropy",
                Variant = "probabilities weight smoothing " + red,
                Op = x => F.CrossEntropy(x[0], x[1], x[2], reduction: red, labelSmoothing: 0.15),
                Samples = () => [S("[3,4]", R(3, 4), F.Softmax(R(3, 4), 1), U(0.5, 2, 4)), S("[2,3,2] K-dim", R(2, 3, 2), F.Softmax(R(2, 3, 2), 1), U(0.5, 2, 3)),
                                 S("+-100", R(3, 4).Mul(100), F.Softmax(R(3, 4), 1), U(0.5, 2, 4))],
                Reference = x => CrossEntropyProbRef(x[0], x[1], x[2], red, 0.15),
                GradInputs = [0, 1],
            };
        yield return new OpInfo
        {
            Name = "F.CrossEntropy",
            Variant = "probabilities",
            Op = x => F.CrossEntropy(x[0], x[1]),
            Samples = () => [S("[3,4]", R(3, 4), U(0, 1, 3, 4)), S("[4] unbatched", R(4), F.Softmax(R(4), 0))],
            Reference = x => CrossEntropyProbRef(x[0], x[1], null, "mean", 0),
            GradInputs = [0, 1],
        };

        foreach (var red in new[] { "mean", "sum", "none" })
            yield return new OpInfo
            {
                Name = "F.NllLoss",
                Variant = red,
                Op = x => F.NllLoss(x[0], x[1], x[2], reduction: red),
                Samples = () => [S("[5,4] ignored", F.LogSoftmax(R(5, 4), 1), Classes(4, [5], -100, 1), U(0.5, 2, 4)),
                                 S("[2,3,2] K-dim", F.LogSoftmax(R(2, 3, 2), 1), Classes(3, [2, 2], -100, 3), U(0.5, 2, 3)),
                                 S("[3] unbatched", F.LogSoftmax(R(3), 0), Classes(3, []), U(0.5, 2, 3))],
                Reference = x => CrossEntropyRef(x[0], x[1], x[2], -100, red, 0, logInput: true),
                GradInputs = [0],
                Errors = red != "mean" ? null : () =>
                [
                    new(() => F.NllLoss(R(3, 4), Tensor.FromArray(new long[] { 0, 4, 1 })), "NllLoss: target class 4 is out of range for 4 classes", "class >= C"),
                    new(() => F.NllLoss(R(3, 4), Tensor.FromArray(new long[] { 0, 1, 1, 2 })), "NllLoss: expected target shape [3]", "shape"),
                    new(() => F.NllLoss(R(3, 4), Tensor.Ones([3], DType.UInt8)), "NllLoss: expected an Int64 class-index target", "dtype"),
                    new(() => F.NllLoss(Tensor.Ones([3, 4], DType.Int64), Classes(4, [3])), "NllLoss: expected a floating-point input", "int input"),
                ],
            };
        yield return new OpInfo
        {
            Name = "F.NllLoss",
            Variant = "ignoreIndex 2",
            Op = x => F.NllLoss(x[0], x[1], ignoreIndex: 2),
            Samples = () => [S("[5,4]", F.LogSoftmax(R(5, 4), 1), Classes(4, [5], 2, 0, 4))],
            Reference = x => CrossEntropyRef(x[0], x[1], null, 2, "mean", 0, logInput: true),
            GradInputs = [0],
        };
    }
}

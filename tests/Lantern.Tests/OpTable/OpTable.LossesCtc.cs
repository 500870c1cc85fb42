using Lantern.NN;

namespace Lantern.Tests.OpTable;

// CTC rows: the reference sums the probability of every one of the C^T paths that collapses (merge repeats, drop
// blanks) to the target: exponential, independent of the alpha/beta recursions, fine for T <= 5 and C = 3.
public static partial class Ops
{
    private static double CtcBruteForce(Nd lp, int n, int time, long[] target, int blank)
    {
        int c = lp.Shape[2];
        double total = 0;
        var path = new int[time];
        for (int code = 0; code < (int)Math.Pow(c, time); code++)
        {
            int v = code;
            for (int t = 0; t < time; t++) { path[t] = v % c; v /= c; }
            var collapsed = new List<long>();
            for (int t = 0; t < time; t++)
                if (path[t] != blank && (t == 0 || path[t] != path[t - 1])) collapsed.Add(path[t]);
            if (!collapsed.SequenceEqual(target)) continue;
            double logp = 0;
            for (int t = 0; t < time; t++) logp += lp[t, n, path[t]];
            total += Math.Exp(logp);
        }
        return -Math.Log(total);
    }

    /// <summary>inputs: logits [T, N, C] (log_softmax applied inside), targets, inputLengths, targetLengths.</summary>
    private static Nd CtcRef(Nd[] x, string reduction, bool zeroInfinity, int blank = 0)
    {
        var lp = SoftmaxRef(x[0], 2, true);
        int n = lp.Shape[1];
        var per = new Nd([n]);
        long offset = 0;
        for (int i = 0; i < n; i++)
        {
            int len = (int)x[3].Data[i];
            var target = new long[len];
            for (int k = 0; k < len; k++) target[k] = (long)(x[1].Rank == 2 ? x[1][i, k] : x[1].Data[offset + k]);
            offset += len;
            double nll = CtcBruteForce(lp, i, (int)x[2].Data[i], target, blank);
            per.Data[i] = zeroInfinity && double.IsInfinity(nll) ? 0 : nll;
        }
        if (reduction != "mean") return LossReduceRef(per, reduction);
        return new Nd([], [Enumerable.Range(0, n).Sum(i => per.Data[i] / Math.Max(1, x[3].Data[i])) / n]);
    }

    [OpFamily]
    private static IEnumerable<OpInfo> LossesCtc()
    {
        static Tensor L(params long[] v) => Tensor.FromArray(v);
        foreach (var red in new[] { "mean", "sum", "none" })
            yield return new OpInfo
            {
                Name = "F.CtcLoss",
                Variant = red,
                Op = x => F.CtcLoss(F.LogSoftmax(x[0], 2), x[1], x[2], x[3], reduction: red),
                Samples = () => [S("T=5 N=2 C=3 padded, repeat label", R(5, 2, 3), Tensor.FromArray(new long[] { 1, 2, 0, 1, 1, 2 }, [2, 3]), L(5, 4), L(2, 3)),
                                 S("T=4 N=3 concatenated, empty target", R(4, 3, 3).Mul(2), L(2, 2, 1), L(4, 3, 2), L(2, 0, 1))],
                Reference = x => CtcRef(x, red, false),
                GradInputs = [0],
                SupportsGradGrad = false,
                Errors = red != "mean" ? null : () =>
                [
                    new(() => F.CtcLoss(R(4, 1, 3), Tensor.FromArray(new long[] { 1, 0 }, [1, 2]), L(4), L(2)), "CtcLoss: target 0 of sample 0 must be in [0, 3) and differ from the blank 0", "blank target"),
                    new(() => F.CtcLoss(R(4, 1, 3), Tensor.FromArray(new long[] { 1, 2 }, [1, 2]), L(5), L(2)), "CtcLoss: inputLengths[0] = 5 is outside [0, 4]", "input length > T"),
                    new(() => F.CtcLoss(R(4, 1, 3), Tensor.FromArray(new long[] { 1, 2 }, [1, 2]), L(4), L(3)), "CtcLoss: targetLengths[0] = 3", "target length > S"),
                    new(() => F.CtcLoss(R(4, 2, 3), L(1, 2, 1), L(4, 4), L(2, 2)), "CtcLoss: concatenated targets must have sum(targetLengths) = 4", "concatenated size"),
                    new(() => F.CtcLoss(R(4, 1, 3), Tensor.FromArray(new long[] { 1, 2 }, [1, 2]), L(4), L(2), blank: 3), "CtcLoss: blank must be in [0, 3)", "blank range"),
                ],
            };
        // An impossible alignment (3 labels need at least 3 steps, 1 1 needs 3): +inf, or 0 with zeroInfinity.
        yield return new OpInfo
        {
            Name = "F.CtcLoss",
            Variant = "zeroInfinity",
            Op = x => F.CtcLoss(F.LogSoftmax(x[0], 2), x[1], x[2], x[3], reduction: "sum", zeroInfinity: true),
            Samples = () => [S("one impossible sample", R(3, 2, 3), Tensor.FromArray(new long[] { 1, 1, 2, 1, 0, 0 }, [2, 3]), L(2, 3), L(2, 1))],
            Reference = x => CtcRef(x, "sum", true),
            GradInputs = [0],
            SupportsGradGrad = false,
        };
        yield return new OpInfo
        {
            Name = "F.CtcLoss",
            Variant = "unbatched blank 2",
            Op = x => F.CtcLoss(F.LogSoftmax(x[0], 1), x[1], x[2], x[3], blank: 2, reduction: "none"),
            Samples = () => [S("T=5 C=3", R(5, 3), L(0, 1, 1), Tensor.Scalar(5L), Tensor.Scalar(3L))],
            Reference = x => CtcRef([new Nd([5, 1, 3], x[0].Data), new Nd([1, 3], x[1].Data), new Nd([1], x[2].Data), new Nd([1], x[3].Data)], "none", false, 2) is var r
                ? new Nd([], r.Data) : null!,
            GradInputs = [0],
            SupportsGradGrad = false,
            TestExpanded = false,
        };
    }
}

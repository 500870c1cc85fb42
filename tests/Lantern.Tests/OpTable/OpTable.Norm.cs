using Lantern.NN;

namespace Lantern.Tests.OpTable;

// Rows for batch, instance, group and local response norm. References: loops over groups of elements in
// float64 (mean and biased variance per group), independent of the fused kernels.
public static partial class Ops
{
    /// <summary>(x - mean_g) / sqrt(var_g + eps) * w(c) + b(c), g = group(index); fixed statistics per group when given.</summary>
    private static Nd GroupNormalizeRef(Nd x, Func<int[], int> group, int groups, Nd? w, Nd? b, double eps = 1e-5, Nd? fixedMean = null, Nd? fixedVar = null)
    {
        var sum = new double[groups];
        var count = new double[groups];
        for (int i = 0; i < x.Data.Length; i++) { int g = group(x.Unravel(i)); sum[g] += x.Data[i]; count[g]++; }
        var mean = sum.Select((s, g) => s / count[g]).ToArray();
        var m2 = new double[groups];
        for (int i = 0; i < x.Data.Length; i++) { int g = group(x.Unravel(i)); m2[g] += (x.Data[i] - mean[g]) * (x.Data[i] - mean[g]); }
        var variance = m2.Select((s, g) => s / count[g]).ToArray();
        var r = new Nd(x.Shape);
        for (int i = 0; i < x.Data.Length; i++)
        {
            var idx = x.Unravel(i);
            int g = group(idx), c = idx[1];
            double mu = fixedMean?.Data[c] ?? mean[g], v = fixedVar?.Data[c] ?? variance[g];
            r.Data[i] = (x.Data[i] - mu) / Math.Sqrt(v + eps) * (w?.Data[c] ?? 1) + (b?.Data[c] ?? 0);
        }
        return r;
    }

    [OpFamily]
    private static IEnumerable<OpInfo> Norm()
    {
        yield return new OpInfo
        {
            Name = "F.BatchNorm",
            Op = x => F.BatchNorm(x[0], null, null, x[1], x[2], training: true),
            Samples = () => [S("[4,3] affine", R(4, 3), R(3), R(3)), S("[2,3,5] affine", R(2, 3, 5).Add(3), R(3), R(3)),
                             S("[2,2,3,3] affine", R(2, 2, 3, 3), R(2), R(2))],
            Reference = x => GroupNormalizeRef(x[0], i => i[1], x[0].Shape[1], x[1], x[2]),
            Errors = () => [new ErrorInput(() => F.BatchNorm(R(4, 3), null, null, R(4), null, true), "BatchNorm", "weight size"),
                            new ErrorInput(() => F.BatchNorm(R(4, 3), null, null, training: false), "BatchNorm", "eval without stats"),
                            new ErrorInput(() => F.BatchNorm(R(1, 3), null, null, training: true), "more than 1 value per channel", "single value"),
                            new ErrorInput(() => F.BatchNorm(R(4), null, null, training: true), "BatchNorm", "rank 1"),
                            new ErrorInput(() => F.BatchNorm(R(4, 3), R(2), R(3), training: false), "running_mean", "running_mean size")],
        };
        yield return new OpInfo
        {
            Name = "F.BatchNorm",
            Variant = "no affine",
            Op = x => F.BatchNorm(x[0], null, null, null, null, training: true, eps: 1e-3),
            Samples = () => [S("[3,2,4]", R(3, 2, 4)), S("[5,2]", R(5, 2))],
            Reference = x => GroupNormalizeRef(x[0], i => i[1], x[0].Shape[1], null, null, 1e-3),
        };
        yield return new OpInfo
        {
            Name = "F.BatchNorm",
            Variant = "eval (running stats)",
            Op = x => F.BatchNorm(x[0], x[3], x[4], x[1], x[2], training: false),
            Samples = () => [S("[2,3,4] affine", R(2, 3, 4), R(3), R(3), R(3), U(0.5, 2, 3)), S("[4,3]", R(4, 3), R(3), R(3), R(3), U(0.5, 2, 3))],
            Reference = x => GroupNormalizeRef(x[0], i => i[1], x[0].Shape[1], x[1], x[2], 1e-5, x[3], x[4]),
            GradInputs = [0, 1, 2],
        };
        yield return new OpInfo
        {
            Name = "F.InstanceNorm",
            Op = x => F.InstanceNorm(x[0], null, null, x[1], x[2]),
            Samples = () => [S("[2,3,5] affine", R(2, 3, 5), R(3), R(3)), S("[2,2,2,3] affine", R(2, 2, 2, 3).Mul(3), R(2), R(2))],
            Reference = x => GroupNormalizeRef(x[0], i => i[0] * x[0].Shape[1] + i[1], x[0].Shape[0] * x[0].Shape[1], x[1], x[2]),
            Errors = () => [new ErrorInput(() => F.InstanceNorm(R(2, 3, 1)), "more than 1 spatial element", "one spatial element"),
                            new ErrorInput(() => F.InstanceNorm(R(2, 3)), "InstanceNorm", "rank 2"),
                            new ErrorInput(() => F.InstanceNorm(R(2, 3, 4), null, null, R(2)), "InstanceNorm", "weight size")],
        };
        yield return new OpInfo
        {
            Name = "F.InstanceNorm",
            Variant = "running stats",
            Op = x => F.InstanceNorm(x[0], x[1], x[2], useInputStats: false),
            Samples = () => [S("[2,3,4]", R(2, 3, 4), R(3), U(0.5, 2, 3))],
            Reference = x => GroupNormalizeRef(x[0], i => i[1], 3, null, null, 1e-5, x[1], x[2]),
            GradInputs = [0],
        };
        yield return new OpInfo
        {
            Name = "F.GroupNorm",
            Op = x => F.GroupNorm(x[0], 2, x[1], x[2]),
            Samples = () => [S("[2,4,3] G=2 affine", R(2, 4, 3), R(4), R(4)), S("[3,2,2,2] G=2 affine", R(3, 2, 2, 2).Add(2), R(2), R(2)),
                             S("[2,6] G=2 affine", R(2, 6), R(6), R(6))],
            Reference = x =>
            {
                int c = x[0].Shape[1], cpg = c / 2;
                return GroupNormalizeRef(x[0], i => i[0] * 2 + i[1] / cpg, x[0].Shape[0] * 2, x[1], x[2]);
            },
            Errors = () => [new ErrorInput(() => F.GroupNorm(R(2, 5, 3), 2), "divisible by num_groups", "groups not dividing"),
                            new ErrorInput(() => F.GroupNorm(R(2, 4, 3), 2, R(3)), "GroupNorm", "weight size"),
                            new ErrorInput(() => F.GroupNorm(R(4), 2), "GroupNorm", "rank 1")],
        };
        yield return new OpInfo
        {
            Name = "F.GroupNorm",
            Variant = "G=3 no affine",
            Op = x => F.GroupNorm(x[0], 3, eps: 1e-2),
            Samples = () => [S("[2,6,4]", R(2, 6, 4))],
            Reference = x => GroupNormalizeRef(x[0], i => i[0] * 3 + i[1] / 2, 6, null, null, 1e-2),
        };
        yield return new OpInfo
        {
            Name = "F.LocalResponseNorm",
            Op = x => F.LocalResponseNorm(x[0], 3, 0.5, 0.75, 1.5),
            Samples = () => [S("[2,5,3]", R(2, 5, 3)), S("[1,4,2,2]", R(1, 4, 2, 2))],
            Reference = x => LrnRef(x[0], 3, 0.5, 0.75, 1.5),
            Errors = () => [new ErrorInput(() => F.LocalResponseNorm(R(3, 4), 2), "LocalResponseNorm", "rank 2")],
        };
        yield return new OpInfo
        {
            Name = "F.LocalResponseNorm",
            Variant = "size 2",
            Op = x => F.LocalResponseNorm(x[0], 2, 0.3, 0.5, 1),
            Samples = () => [S("[2,4,3]", R(2, 4, 3))],
            Reference = x => LrnRef(x[0], 2, 0.3, 0.5, 1),
        };
    }

    // y = x / (k + alpha / size * sum_{c' = c - size/2}^{c + (size-1)/2} x[c']^2)^beta.
    private static Nd LrnRef(Nd x, int size, double alpha, double beta, double k)
    {
        var r = new Nd(x.Shape);
        int c = x.Shape[1];
        for (int i = 0; i < x.Data.Length; i++)
        {
            var idx = x.Unravel(i);
            var j = (int[])idx.Clone();
            double s = 0;
            for (int cc = idx[1] - size / 2; cc <= idx[1] + (size - 1) / 2; cc++)
                if (cc >= 0 && cc < c) { j[1] = cc; s += x[j] * x[j]; }
            r.Data[i] = x.Data[i] / Math.Pow(k + alpha / size * s, beta);
        }
        return r;
    }
}

namespace Lantern.Tests.OpTable;

// Rows for reductions and scans. References loop over Nd groups.
public static partial class Ops
{
    private static double VarRef(List<double> v, double correction)
    {
        double m = v.Average();
        return v.Sum(x => (x - m) * (x - m)) / (v.Count - correction);
    }

    private static Sample[] ReduceSamples(Func<int[], Tensor> gen) =>
    [
        S("[3,4]", gen([3, 4])),
        S("[2,3,4]", gen([2, 3, 4])),
        S("[5]", gen([5])),
        S("[2,70] (SIMD tails)", gen([2, 70])),
    ];

    private static OpInfo ReduceRow(string name, string variant, Func<Tensor, Tensor> f, Func<Nd, Nd> reference, Func<int[], Tensor>? gen = null,
        bool grad = true, bool gradGrad = true) => new()
    {
        Name = name,
        Variant = variant,
        Op = x => f(x[0]),
        Samples = () => ReduceSamples(gen ?? (s => R(s))),
        Reference = x => reference(x[0]),
        SupportsGrad = grad,
        SupportsGradGrad = gradGrad,
    };

    private static Tensor Distinct(int[] s)
    {
        // Distinct values (no ties): a permutation of evenly spaced numbers.
        int n = s.Aggregate(1, (a, b) => a * b);
        var perm = Tensor.RandPerm(n, generator: new Generator((ulong)Interlocked.Increment(ref s_seed)));
        return perm.To(DType.Float64).Mul(0.37).Sub(n * 0.15).Reshape(s);
    }

    [OpFamily]
    private static IEnumerable<OpInfo> Reductions()
    {
        yield return ReduceRow("Sum", "all", x => x.Sum(), x => x.Reduce(null, false, v => v.Sum()));
        yield return ReduceRow("Sum", "dim -1 keepdim", x => x.Sum(-1, keepDim: true), x => x.Reduce([-1], true, v => v.Sum()));
        yield return ReduceRow("Sum", "dim 0", x => x.Sum(0), x => x.Reduce([0], false, v => v.Sum()));
        yield return ReduceRow("Mean", "all", x => x.Mean(), x => x.Reduce(null, false, v => v.Average()));
        yield return ReduceRow("Mean", "dim 0 keepdim", x => x.Mean(0, keepDim: true), x => x.Reduce([0], true, v => v.Average()));
        yield return ReduceRow("Prod", "all", x => x.Prod(), x => x.Reduce(null, false, v => v.Aggregate(1.0, (a, b) => a * b)), s => U(0.5, 1.5, s));
        yield return ReduceRow("Prod", "dim -1", x => x.Prod(-1), x => x.Reduce([-1], false, v => v.Aggregate(1.0, (a, b) => a * b)), s => U(0.5, 1.5, s));
        yield return new OpInfo
        {
            Name = "Prod",
            Variant = "with zeros",
            Op = x => x[0].Prod(1),
            Samples = () => [S("one zero per row", Tensor.FromArray(new double[] { 1.5, 0, 2, 0.5, -1, 3, 0, 0 }, [2, 4]))],
            Reference = x => x[0].Reduce([1], false, v => v.Aggregate(1.0, (a, b) => a * b)),
            SupportsGradGrad = false,
        };
        yield return ReduceRow("Amax", "all", x => x.Amax(), x => x.Reduce(null, false, v => v.Max()), Distinct);
        yield return ReduceRow("Amax", "dim -1 keepdim", x => x.Amax([-1], keepDim: true), x => x.Reduce([-1], true, v => v.Max()), Distinct);
        yield return ReduceRow("Amin", "dims 0,-1", x => x.Rank > 1 ? x.Amin([0, -1]) : x.Amin([0]), x => x.Rank > 1 ? x.Reduce([0, x.Rank - 1], false, v => v.Min()) : x.Reduce([0], false, v => v.Min()), Distinct);
        yield return new OpInfo
        {
            Name = "Amax",
            Variant = "ties share the gradient",
            Op = x => x[0].Amax([1]),
            Samples = () => [S("ties", Tensor.FromArray(new double[] { 1, 3, 3, 0, 2, 2, 2, -1 }, [2, 4]))],
            Reference = x => x[0].Reduce([1], false, v => v.Max()),
            SupportsGrad = false, // finite differences cannot see a kink; checked analytically in ReductionTests
        };
        yield return ReduceRow("Max", "dim 1", x => x.Max(x.Rank > 1 ? 1 : 0).Values, x => x.Reduce([x.Rank > 1 ? 1 : 0], false, v => v.Max()), Distinct);
        yield return ReduceRow("Min", "dim 0 keepdim", x => x.Min(0, keepDim: true).Values, x => x.Reduce([0], true, v => v.Min()), Distinct);
        yield return ReduceRow("Norm", "p=2 all", x => x.Norm(), x => x.Reduce(null, false, v => Math.Sqrt(v.Sum(a => a * a))));
        yield return ReduceRow("Norm", "p=3 dim -1", x => x.Norm(3, [-1]), x => x.Reduce([-1], false, v => Math.Pow(v.Sum(a => Math.Pow(Math.Abs(a), 3)), 1.0 / 3)), Nz);
        yield return ReduceRow("Norm", "p=1 dim 0", x => x.Norm(1, [0]), x => x.Reduce([0], false, v => v.Sum(Math.Abs)), Nz);
        yield return ReduceRow("Norm", "p=inf", x => x.Norm(double.PositiveInfinity), x => x.Reduce(null, false, v => v.Max(Math.Abs)), Distinct);
        yield return ReduceRow("CumSum", "dim -1", x => x.CumSum(-1), x => ScanRef(x, -1, (a, b) => a + b, 0));
        yield return ReduceRow("CumSum", "dim 0", x => x.CumSum(0), x => ScanRef(x, 0, (a, b) => a + b, 0));
        yield return ReduceRow("CumProd", "dim -1", x => x.CumProd(-1), x => ScanRef(x, -1, (a, b) => a * b, 1), s => U(0.5, 1.5, s));
        yield return new OpInfo
        {
            Name = "CumProd",
            Variant = "with zeros",
            Op = x => x[0].CumProd(1),
            Samples = () => [S("zeros", Tensor.FromArray(new double[] { 1.5, 0, 2, 0.5, 0, 3, 0, 2 }, [2, 4]))],
            Reference = x => ScanRef(x[0], 1, (a, b) => a * b, 1),
            SupportsGradGrad = false,
        };
        // Composites (Var, Std, LogSumExp) are checked here too although they need no backward of their own.
        yield return ReduceRow("Sum", "Var composite", x => x.Var([-1]), x => x.Reduce([-1], false, v => VarRef(v, 1)));
        yield return ReduceRow("Sum", "Std composite correction 0", x => x.Std(null, correction: 0), x => x.Reduce(null, false, v => Math.Sqrt(VarRef(v, 0))));
        yield return ReduceRow("Sum", "LogSumExp composite", x => x.LogSumExp(-1), x => x.Reduce([-1], false, v => Math.Log(v.Sum(Math.Exp))));
    }

    private static Nd ScanRef(Nd x, int dim, Func<double, double, double> op, double init)
    {
        int d = dim < 0 ? dim + x.Rank : dim;
        var r = new Nd(x.Shape);
        for (int i = 0; i < x.Data.Length; i++)
        {
            var idx = x.Unravel(i);
            double acc = init;
            var j = (int[])idx.Clone();
            for (int k = 0; k <= idx[d]; k++) { j[d] = k; acc = op(acc, x[j]); }
            r.Data[i] = acc;
        }
        return r;
    }
}

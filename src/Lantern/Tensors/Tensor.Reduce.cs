using Lantern.Kernels;

namespace Lantern;

// Reductions over one or several dims with keepDim, and scans. Sum/Mean/Amax/Amin/Max/Min/Prod have their
// own backward rules; Var/Std/LogSumExp are composites of those.
public sealed partial class Tensor
{
    /// <summary>Normalised, de-duplicated reduce flags for <paramref name="dims"/> (null or empty: all dims).</summary>
    private bool[] ReduceFlags(int[]? dims, string op)
    {
        var flags = new bool[Rank];
        if (dims is null || dims.Length == 0) { Array.Fill(flags, true); return flags; }
        foreach (int d in dims)
        {
            int n = Shape.NormalizeDim(d, op);
            if (Rank == 0) continue;
            if (flags[n]) throw new ArgumentException($"{op}: dim {n} appears multiple times in the list of dims [{string.Join(", ", dims)}].");
            flags[n] = true;
        }
        return flags;
    }

    private Shape ReducedShape(bool[] flags, bool keepDim)
    {
        var dims = new List<int>();
        for (int d = 0; d < Rank; d++)
            if (!flags[d]) dims.Add(Shape[d]);
            else if (keepDim) dims.Add(1);
        return Shape.Wrap(dims.ToArray());
    }

    /// <summary>Raw reduction kernel call (no autograd); output dtype given.</summary>
    private Tensor ReduceForward(ReduceOp op, bool[] flags, bool keepDim, DType outType, string name)
    {
        if (DType == DType.Bool && outType == DType.Bool && op is ReduceOp.Max or ReduceOp.Min)
            op = op == ReduceOp.Max ? ReduceOp.Any : ReduceOp.All; // max/min of booleans are any/all
        var src = op is ReduceOp.All or ReduceOp.Any ? this : ToNoGrad(outType);
        if (Rank == 0) return op is ReduceOp.All or ReduceOp.Any ? src.Ne(0) : src.Clone().Detach();
        var outShape = ReducedShape(flags, keepDim);
        var r = Uninitialized(outShape, outType);
        if (op is ReduceOp.Max or ReduceOp.Min && Numel() == 0 && outShape.Numel > 0)
            throw new ArgumentException($"{name}: expected reduction dim to be specified for input.numel() == 0 (shape {Shape}); the reduced dims are empty.");
        Backend.Reduce(op, src.Buffer, src._layout, flags, r.Buffer);
        return r;
    }

    /// <summary>Gradient of a reduction broadcast back over the reduced dims.</summary>
    private static Tensor ExpandReduced(Tensor g, Shape inShape, bool[] flags, bool keepDim)
    {
        if (!keepDim)
            for (int d = 0; d < flags.Length; d++) if (flags[d]) g = g.Unsqueeze(d);
        return g.Expand(inShape.ToArray());
    }

    private static DType SumType(DType t) => t.IsFloatingPoint() ? t : DType.Int64;

    /// <summary>torch.sum over dims (all when null), integer and bool inputs summing in int64.</summary>
    [Differentiable]
    public Tensor Sum(int[]? dims = null, bool keepDim = false, DType? dtype = null)
    {
        var flags = ReduceFlags(dims, "Sum");
        var y = ReduceForward(ReduceOp.Sum, flags, keepDim, dtype ?? SumType(DType), "Sum");
        var inShape = Shape;
        return Autograd.Record(y, "Sum", [this], g => [ExpandReduced(g, inShape, flags, keepDim)]);
    }

    /// <summary>torch.sum(dim, keepdim).</summary>
    public Tensor Sum(int dim, bool keepDim = false) => Sum([dim], keepDim);

    /// <summary>torch.mean over dims (floating inputs only).</summary>
    /// <exception cref="InvalidOperationException">Integer or bool input.</exception>
    [Differentiable]
    public Tensor Mean(int[]? dims = null, bool keepDim = false)
    {
        if (!DType.IsFloatingPoint())
            throw new InvalidOperationException($"Mean: could not infer output dtype. Input dtype must be a floating point dtype, got {DType}.");
        var flags = ReduceFlags(dims, "Mean");
        long n = 1;
        for (int d = 0; d < Rank; d++) if (flags[d]) n *= Shape[d];
        var y = ReduceForward(ReduceOp.Sum, flags, keepDim, DType, "Mean");
        y = BinaryForward(BinaryOp.Div, y, Scalar((double)n, DType), DType, "Mean");
        var inShape = Shape;
        return Autograd.Record(y, "Mean", [this], g => [ExpandReduced(g, inShape, flags, keepDim).Div((double)n)]);
    }

    /// <summary>torch.mean(dim, keepdim).</summary>
    public Tensor Mean(int dim, bool keepDim = false) => Mean([dim], keepDim);

    /// <summary>torch.prod over dims; the gradient is exact when some elements are zero.</summary>
    [Differentiable]
    public Tensor Prod(int[]? dims = null, bool keepDim = false)
    {
        var flags = ReduceFlags(dims, "Prod");
        var y = ReduceForward(ReduceOp.Prod, flags, keepDim, SumType(DType), "Prod");
        var x = this;
        return Autograd.Record(y, "Prod", [x], g => [ProdBackward(x, ExpandReduced(g, x.Shape, flags, keepDim), flags)], x);
    }

    /// <summary>torch.prod(dim, keepdim).</summary>
    public Tensor Prod(int dim, bool keepDim = false) => Prod([dim], keepDim);

    // d prod / d x_i = product of the other elements: exclusive prefix products times exclusive suffix products,
    // computed on the reduced dims moved to the end and flattened.
    private static Tensor ProdBackward(Tensor x, Tensor gExpanded, bool[] flags)
    {
        if (x.Rank == 0) return gExpanded;
        var perm = Enumerable.Range(0, x.Rank).Where(d => !flags[d]).Concat(Enumerable.Range(0, x.Rank).Where(d => flags[d])).ToArray();
        var inv = new int[perm.Length];
        for (int i = 0; i < perm.Length; i++) inv[perm[i]] = i;
        var xp = x.Permute(perm);
        int keptRank = flags.Count(f => !f);
        var keptShape = xp.Shape.ToArray()[..keptRank];
        var flat = xp.Reshape([.. keptShape, -1]);
        int n = flat.Shape[-1];
        if (n == 0) return gExpanded;
        var ones = OnesLike(flat.Narrow(-1, 0, 1));
        var left = Cat([ones, flat.Narrow(-1, 0, n - 1)], -1).CumProd(-1);
        var right = Cat([ones, flat.Flip([-1]).Narrow(-1, 0, n - 1)], -1).CumProd(-1).Flip([-1]);
        var others = left.Mul(right).Reshape(xp.Shape.ToArray()).Permute(inv);
        return gExpanded.Mul(others);
    }

    /// <summary>torch.amax over dims; the gradient is shared evenly among tied maxima.</summary>
    [Differentiable]
    public Tensor Amax(int[]? dims = null, bool keepDim = false) => MinMaxAll(ReduceOp.Max, dims, keepDim, "Amax");

    /// <summary>torch.amin over dims; the gradient is shared evenly among tied minima.</summary>
    [Differentiable]
    public Tensor Amin(int[]? dims = null, bool keepDim = false) => MinMaxAll(ReduceOp.Min, dims, keepDim, "Amin");

    /// <summary>torch.max(): the largest element (NaN if any), as a 0-dim tensor.</summary>
    public Tensor Max() => MinMaxAll(ReduceOp.Max, null, false, "Max");

    /// <summary>torch.min(): the smallest element (NaN if any), as a 0-dim tensor.</summary>
    public Tensor Min() => MinMaxAll(ReduceOp.Min, null, false, "Min");

    private Tensor MinMaxAll(ReduceOp op, int[]? dims, bool keepDim, string name)
    {
        if (Numel() == 0 && (dims is null || dims.Length == 0))
            throw new ArgumentException($"{name}: expected reduction dim to be specified for input.numel() == 0.");
        var flags = ReduceFlags(dims, name);
        var y = ReduceForward(op, flags, keepDim, DType == DType.Bool ? DType.Bool : DType, name);
        var x = this;
        return Autograd.Record(y, name, [x], g =>
        {
            var mask = x.Eq(ExpandReduced(y, x.Shape, flags, keepDim)).To(g.DType);
            var count = mask.Sum(Enumerable.Range(0, x.Rank).Where(d => flags[d]).ToArray(), keepDim: true);
            return [ExpandReduced(g, x.Shape, flags, keepDim).Mul(mask).Div(count)];
        }, x, y);
    }

    /// <summary>torch.max(dim, keepdim): values and the index of the first maximum (first NaN wins).</summary>
    [Differentiable]
    public (Tensor Values, Tensor Indices) Max(int dim, bool keepDim = false) => ArgReduce(true, dim, keepDim, "Max");

    /// <summary>torch.min(dim, keepdim): values and the index of the first minimum (first NaN wins).</summary>
    [Differentiable]
    public (Tensor Values, Tensor Indices) Min(int dim, bool keepDim = false) => ArgReduce(false, dim, keepDim, "Min");

    private (Tensor, Tensor) ArgReduce(bool max, int dim, bool keepDim, string name)
    {
        if (Rank == 0) { Shape.NormalizeDim(dim, name); return (Clone(), Zeros([], DType.Int64)); }
        int d = Shape.NormalizeDim(dim, name);
        if (Shape[d] == 0) throw new ArgumentException($"{name}: expected reduction dim {d} to have non-zero size (shape {Shape}).");
        var flags = new bool[Rank];
        flags[d] = true;
        var outShape = ReducedShape(flags, keepDim);
        var values = Uninitialized(outShape, DType);
        var indices = Uninitialized(outShape, DType.Int64);
        Backend.ArgReduce(max, Buffer, _layout, d, values.Buffer, indices.Buffer);
        var inShape = Shape;
        values = Autograd.Record(values, name, [this], g =>
        {
            var gi = keepDim ? g : g.Unsqueeze(d);
            var ii = keepDim ? indices : indices.Unsqueeze(d);
            return [Zeros(inShape, g.DType).Scatter(d, ii, gi)];
        });
        return (values, indices);
    }

    /// <summary>torch.argmax: index of the first maximum over the flattened tensor (dim null) or along dim.</summary>
    public Tensor ArgMax(int? dim = null, bool keepDim = false)
    {
        if (dim is null)
        {
            var (_, i) = Reshape(-1).Max(0);
            return keepDim ? i.Reshape(Enumerable.Repeat(1, Rank).ToArray()) : i;
        }
        return Max(dim.Value, keepDim).Indices;
    }

    /// <summary>torch.argmin: index of the first minimum.</summary>
    public Tensor ArgMin(int? dim = null, bool keepDim = false)
    {
        if (dim is null)
        {
            var (_, i) = Reshape(-1).Min(0);
            return keepDim ? i.Reshape(Enumerable.Repeat(1, Rank).ToArray()) : i;
        }
        return Min(dim.Value, keepDim).Indices;
    }

    /// <summary>torch.all: true when every element is nonzero (over dims, or all).</summary>
    public Tensor All(int[]? dims = null, bool keepDim = false) => ReduceForward(ReduceOp.All, ReduceFlags(dims, "All"), keepDim, DType.Bool, "All");

    /// <summary>torch.any: true when some element is nonzero (over dims, or all).</summary>
    public Tensor Any(int[]? dims = null, bool keepDim = false) => ReduceForward(ReduceOp.Any, ReduceFlags(dims, "Any"), keepDim, DType.Bool, "Any");

    /// <summary>torch.var(dims, correction, keepdim): sum((x - mean)^2) / (N - correction).</summary>
    public Tensor Var(int[]? dims = null, double correction = 1, bool keepDim = false)
    {
        var flags = ReduceFlags(dims, "Var");
        var rd = Enumerable.Range(0, Rank).Where(d => flags[d]).ToArray();
        long n = 1;
        foreach (int d in rd) n *= Shape[d];
        var centered = Sub(Mean(rd, keepDim: true));
        return centered.Mul(centered).Sum(rd, keepDim).Div(Math.Max(0, n - correction));
    }

    /// <summary>torch.std(dims, correction, keepdim): sqrt of <see cref="Var"/>; zero gradient where std is 0.</summary>
    public Tensor Std(int[]? dims = null, double correction = 1, bool keepDim = false)
    {
        var v = Var(dims, correction, keepDim);
        var s = UnaryForward(UnaryOp.Sqrt, v);
        return Autograd.Record(s, "Sqrt", [v], g => [g.Div(s.Mul(2)).MaskedFill(s.Eq(0), 0)], s);
    }

    /// <summary>torch.logsumexp(dims, keepdim): log(sum(exp(x))) computed stably around the maximum.</summary>
    public Tensor LogSumExp(int[] dims, bool keepDim = false)
    {
        Tensor m;
        using (Autograd.NoGrad())
        {
            m = Amax(dims, keepDim: true);
            m = m.MaskedFill(m.IsInf(), 0);
        }
        var r = Sub(m).Exp().Sum(dims, keepDim: true).Log().Add(m);
        return keepDim ? r : r.SqueezeDims(ReduceFlags(dims, "LogSumExp"));
    }

    /// <summary>torch.logsumexp over one dim.</summary>
    public Tensor LogSumExp(int dim, bool keepDim = false) => LogSumExp([dim], keepDim);

    private Tensor SqueezeDims(bool[] flags)
    {
        var t = this;
        for (int d = flags.Length - 1; d >= 0; d--) if (flags[d]) t = t.Squeeze(d);
        return t;
    }

    /// <summary>
    /// torch.linalg.vector_norm(x, p, dims): (sum |x|^p)^(1/p); p = +inf is max |x|, -inf min |x|, 0 counts
    /// nonzeros. The gradient at a zero norm is zero (as PyTorch).
    /// </summary>
    [Differentiable]
    public Tensor Norm(double p = 2, int[]? dims = null, bool keepDim = false)
    {
        if (!DType.IsFloatingPoint()) throw new InvalidOperationException($"Norm: expected a floating dtype, got {DType}.");
        var a = Abs();
        if (double.IsPositiveInfinity(p)) return a.Amax(dims, keepDim);
        if (double.IsNegativeInfinity(p)) return a.Amin(dims, keepDim);
        if (p == 0) using (Autograd.NoGrad()) return a.Ne(0).To(DType).Sum(dims, keepDim);
        if (p == 1) return a.Sum(dims, keepDim);
        var flags = ReduceFlags(dims, "Norm");
        Tensor y;
        using (Autograd.NoGrad()) y = (p == 2 ? a.Mul(a) : a.Pow(p)).Sum(dims, keepDim).Pow(1 / p);
        var x = this;
        return Autograd.Record(y, "Norm", [x], g =>
        {
            var ye = ExpandReduced(y, x.Shape, flags, keepDim);
            var ge = ExpandReduced(g, x.Shape, flags, keepDim);
            var scale = p == 2 ? x.Div(ye) : x.Mul(x.Abs().Pow(p - 2)).Div(ye.Pow(p - 1));
            return [ge.Mul(scale).MaskedFill(ye.Eq(0), 0)];
        }, x, y);
    }

    /// <summary>torch.cumsum(dim): inclusive running sum (floats accumulate in double, ints in int64).</summary>
    [Differentiable]
    public Tensor CumSum(int dim)
    {
        int d = Shape.NormalizeDim(dim, "CumSum");
        var x = DType.IsFloatingPoint() ? this : To(DType.Int64);
        if (Rank == 0) return x.Clone();
        var y = Uninitialized(Shape, x.DType);
        Backend.Scan(false, x.Buffer, x._layout, d, y.Buffer);
        return Autograd.Record(y, "CumSum", [x], g => [g.Flip([d]).CumSum(d).Flip([d])]);
    }

    /// <summary>torch.cumprod(dim): inclusive running product; the gradient is exact with zeros.</summary>
    [Differentiable]
    public Tensor CumProd(int dim)
    {
        int d = Shape.NormalizeDim(dim, "CumProd");
        var x = DType.IsFloatingPoint() ? this : To(DType.Int64);
        if (Rank == 0) return x.Clone();
        var y = Uninitialized(Shape, x.DType);
        Backend.Scan(true, x.Buffer, x._layout, d, y.Buffer);
        return Autograd.Record(y, "CumProd", [x], g => [CumProdBackward(x, y, g, d)], x, y);
    }

    // Without zeros: sum_{k>=i} g_k y_k / x_i (differentiable). With zeros: the exact O(n^2) sum per line.
    private static Tensor CumProdBackward(Tensor x, Tensor y, Tensor g, int d)
    {
        bool hasZero;
        using (Autograd.NoGrad()) hasZero = x.Eq(0).Any().Item<bool>();
        if (!hasZero) return g.Mul(y).Flip([d]).CumSum(d).Flip([d]).Div(x);
        using (Autograd.NoGrad())
        {
            var xs = x.MoveDimToEnd(d).Contiguous().To(DType.Float64).ToArray<double>();
            var gs = g.MoveDimToEnd(d).Contiguous().To(DType.Float64).ToArray<double>();
            int n = x.Shape[d], lines = n == 0 ? 0 : xs.Length / n;
            var r = new double[xs.Length];
            for (int l = 0; l < lines; l++)
                for (int i = 0; i < n; i++)
                {
                    double total = 0, prod = 1;
                    for (int k = 0; k < n; k++)
                    {
                        if (k != i) prod *= xs[l * n + k];
                        if (k >= i) total += gs[l * n + k] * prod;
                    }
                    r[l * n + i] = total;
                }
            var moved = x.MoveDimToEnd(d).Shape.ToArray();
            return FromArray(r, moved).To(g.DType).MoveEndToDim(d);
        }
    }

    private Tensor MoveDimToEnd(int d) => Rank == 0 ? this : Permute([.. Enumerable.Range(0, Rank).Where(i => i != d), d]);

    private Tensor MoveEndToDim(int d)
    {
        var perm = new int[Rank];
        for (int i = 0, j = 0; i < Rank; i++) perm[i] = i == d ? Rank - 1 : j++;
        return Permute(perm);
    }
}

using Lantern.Kernels;

namespace Lantern;

// ScatterReduce (torch.scatter_reduce): forward on the Scatter kernel, backward as PyTorch's
// scatter_reduce_backward, written with Gather / ScatterAdd / ScatterReduce so it is itself differentiable.
public sealed partial class Tensor
{
    /// <summary>
    /// torch.scatter_reduce(dim, index, src, reduce, include_self): a copy of this tensor where every position
    /// t = p with p[dim] = index[p] (p over index's positions) combines src[p] into out[t] with
    /// <paramref name="reduce"/> "sum", "prod", "mean", "amax" or "amin". With <paramref name="includeSelf"/> the
    /// old value out[t] takes part; without it, positions that receive at least one value forget it (positions
    /// receiving none keep it). "mean" divides by the number of contributions (floor division for integers).
    /// index and src have this tensor's rank, index.size(k) &lt;= src.size(k) and &lt;= size(k) for k != dim.
    /// Gradients follow PyTorch: sum passes g through (g.gather to src); mean divides by the count; prod uses
    /// out / x (exact with zeros: a single zero gets the product of the others); amax/amin share g evenly among all
    /// inputs equal to the winning value (self counted only when it took part).
    /// </summary>
    /// <example><c>Tensor.Zeros([3]).ScatterReduce(0, idx, src, "amax", includeSelf: false)</c></example>
    /// <exception cref="ArgumentException">Unknown reduce, dtype or rank mismatch, Bool tensors, an index out of range.</exception>
    [Differentiable]
    public Tensor ScatterReduce(int dim, Tensor index, Tensor src, string reduce, bool includeSelf = true)
    {
        const string op = "ScatterReduce";
        var mode = reduce switch
        {
            "sum" or "mean" => ScatterMode.Add,
            "prod" => ScatterMode.Multiply,
            "amax" => ScatterMode.Amax,
            "amin" => ScatterMode.Amin,
            _ => throw new ArgumentException($"{op}: reduce argument must be either sum, prod, mean, amax or amin, got '{reduce}'."),
        };
        if (src.DType != DType)
            throw new ArgumentException($"{op}: expected self.dtype to be equal to src.dtype, got {DType} and {src.DType}.");
        if (DType == DType.Bool) throw new ArgumentException($"{op}: reduce '{reduce}' is not defined for Bool tensors.");
        if (src.Rank != Rank)
            throw new ArgumentException($"{op}: index tensor must have the same number of dimensions as src tensor (self {Shape}, index {index.Shape}, src {src.Shape}).");
        if (Rank == 0)
        {
            Shape.NormalizeDim(dim, op);
            CheckGatherShapes(0, index, src, op);
            return Reshape(1).ScatterReduce(0, index.Reshape(1), src.Reshape(1), reduce, includeSelf).Reshape();
        }
        int d = Shape.NormalizeDim(dim, op);
        CheckGatherShapes(d, index, src, op);
        CheckIndexValues(index, Shape[d], d, op);

        Tensor y;
        using (Autograd.NoGrad())
        {
            y = Clone();
            if (index.Numel() > 0)
            {
                if (!includeSelf)
                {
                    var identity = Full(index.Shape, ScatterIdentity(reduce, DType), DType);
                    IndexBackend.Scatter(y.Buffer, y._layout, d, index.Buffer, index._layout, identity.Buffer, identity._layout, ScatterMode.Assign);
                }
                IndexBackend.Scatter(y.Buffer, y._layout, d, index.Buffer, index._layout, src.Buffer, src._layout, mode);
            }
            if (reduce == "mean")
            {
                var n = ScatterCounts(d, index, includeSelf, DType);
                y = DType.IsFloatingPoint() ? y.Div(n) : y.Div(n, "floor");
            }
        }

        var x = this;
        var result = y;
        var srcShape = src.Shape;
        Tensor[] saved = reduce is "prod" or "amax" or "amin" ? [x, src, result] : [x, src];
        return Autograd.Record(y, op, [x, src], g =>
        {
            var s = NarrowTo(src, index.Shape);
            var dt = g.DType;
            Tensor gSelf, gSrc;
            Tensor? scattered = includeSelf ? null : Zeros(x.Shape, DType.Bool).Scatter(d, index, true);
            switch (reduce)
            {
                case "sum":
                    gSelf = g;
                    gSrc = g.Gather(d, index);
                    break;
                case "mean":
                    gSelf = g.Div(x.ScatterCounts(d, index, includeSelf, dt));
                    gSrc = gSelf.Gather(d, index);
                    break;
                case "prod":
                {
                    // Exact with zeros: self's gradient is the product of the other contributions; a src zero that is
                    // alone at its target gets the product of the others, two or more zeros give zero everywhere.
                    var maskedSelf = x.MaskedFill(x.Eq(0), 1);
                    gSelf = g.Mul(maskedSelf.ScatterReduce(d, index, src, "prod", includeSelf)).Div(maskedSelf);
                    var srcZero = s.Eq(0);
                    var zerosAtTarget = Zeros(x.Shape, dt).ScatterAdd(d, index, srcZero.To(dt)).Gather(d, index);
                    var singleZero = srcZero & zerosAtTarget.Eq(1);
                    var withoutZero = x.ScatterReduce(d, index, s.MaskedFill(singleZero, 1), "prod", includeSelf);
                    gSrc = Where(singleZero, g.Mul(withoutZero).Gather(d, index), g.Mul(result).Gather(d, index).Div(s.MaskedFill(srcZero, 1)));
                    break;
                }
                default:
                {
                    // amax / amin: g shared evenly among every contribution equal to the result.
                    var value = result.Gather(d, index);
                    var selfIsResult = x.Eq(result);
                    if (scattered is not null) selfIsResult = selfIsResult & !scattered;
                    var srcIsResult = s.Eq(value);
                    var share = g.Div(selfIsResult.To(dt).ScatterAdd(d, index, srcIsResult.To(dt)));
                    gSelf = selfIsResult.To(dt).Mul(share);
                    gSrc = srcIsResult.To(dt).Mul(share.Gather(d, index));
                    break;
                }
            }
            if (scattered is not null) gSelf = gSelf.MaskedFill(scattered, 0);
            return [gSelf, GatherToShape(gSrc, srcShape)];
        }, saved);
    }

    /// <summary>In-place <see cref="ScatterReduce"/> (torch.Tensor.scatter_reduce_).</summary>
    public Tensor ScatterReduce_(int dim, Tensor index, Tensor src, string reduce, bool includeSelf = true) =>
        InPlace("ScatterReduce_", t => t.ScatterReduce(dim, index, src, reduce, includeSelf), src);

    /// <summary>The value a target starts from when include_self is false (the reduction's identity).</summary>
    private static Number ScatterIdentity(string reduce, DType dt)
    {
        switch (reduce)
        {
            case "prod": return 1;
            case "amax":
                if (dt.IsFloatingPoint()) return double.NegativeInfinity;
                return dt == DType.Int64 ? long.MinValue : 0;
            case "amin":
                if (dt.IsFloatingPoint()) return double.PositiveInfinity;
                return dt == DType.Int64 ? long.MaxValue : byte.MaxValue;
            default: return 0;
        }
    }

    /// <summary>Contributions per target (plus one for self when included), at least 1: the "mean" divisor.</summary>
    private Tensor ScatterCounts(int d, Tensor index, bool includeSelf, DType dt)
    {
        var n = (includeSelf ? Ones(Shape, dt) : Zeros(Shape, dt)).ScatterAdd(d, index, Ones(index.Shape, dt));
        return n.MaskedFill(n.Eq(0), 1);
    }

    /// <summary>The leading region of t with <paramref name="shape"/> (a view): the part of src a scatter reads.</summary>
    private static Tensor NarrowTo(Tensor t, Shape shape)
    {
        for (int k = 0; k < shape.Rank; k++)
            if (t.Shape[k] != shape[k]) t = t.Narrow(k, 0, shape[k]);
        return t;
    }
}

using Lantern.Kernels;

namespace Lantern;

// Index-based selection and accumulation: IndexSelect, IndexAdd, Gather, Scatter, ScatterAdd.
public sealed partial class Tensor
{
    private static IIndexBackend IndexBackend => CpuBackend.Instance;

    /// <summary>Checks that index is Int64 with every value in [0, size).</summary>
    internal static void CheckIndexValues(Tensor index, int size, int dim, string op)
    {
        if (index.DType != DType.Int64)
            throw new ArgumentException($"{op}: expected an Int64 index tensor, got {index.DType}.");
        if (index.Numel() == 0) return;
        long lo, hi;
        using (Autograd.NoGrad())
        {
            lo = index.Min().Item<long>();
            hi = index.Max().Item<long>();
        }
        if (lo < 0 || hi >= size)
            throw new ArgumentOutOfRangeException(nameof(index), $"{op}: index {(lo < 0 ? lo : hi)} is out of bounds for dimension {dim} with size {size}.");
    }

    /// <summary>torch.index_select(dim, index): the slices at the positions in the 1-D Int64 index.</summary>
    /// <exception cref="ArgumentException">index not 1-D Int64, or a value out of range.</exception>
    [Differentiable]
    public Tensor IndexSelect(int dim, Tensor index)
    {
        int d = Shape.NormalizeDim(dim, "IndexSelect");
        if (index.Rank > 1) throw new ArgumentException($"IndexSelect: index should have at most 1 dimension, got shape {index.Shape}.");
        var src = Rank == 0 ? Reshape(1) : this;
        CheckIndexValues(index, src.Shape[d], d, "IndexSelect");
        var outDims = src.Shape.ToArray();
        outDims[d] = index.Numel();
        var y = Uninitialized(outDims, DType);
        IndexBackend.IndexSelect(src.Buffer, src._layout, d, index.Buffer, index._layout.Rank == 0 ? index._layout.Unsqueeze(0) : index._layout, y.Buffer, y._layout);
        if (Rank == 0) y = y.Reshape();
        var inShape = Shape;
        return Autograd.Record(y, "IndexSelect", [this], g => [Zeros(inShape, g.DType).IndexAdd(d, index, g)]);
    }

    /// <summary>
    /// torch.index_add(dim, index, source, alpha): a copy of this with alpha * source.select(dim, j) added at
    /// position index[j] (duplicates accumulate).
    /// </summary>
    /// <exception cref="ArgumentException">Shapes or index inconsistent.</exception>
    [Differentiable]
    public Tensor IndexAdd(int dim, Tensor index, Tensor source, double alpha = 1)
    {
        int d = Shape.NormalizeDim(dim, "IndexAdd");
        if (index.Rank > 1) throw new ArgumentException($"IndexAdd: index should have at most 1 dimension, got shape {index.Shape}.");
        var self = Rank == 0 ? Reshape(1) : this;
        var src = source.Rank == 0 ? source.Reshape(1) : source;
        if (src.Rank != self.Rank || src.Shape[d] != index.Numel())
            throw new ArgumentException($"IndexAdd: source of shape {source.Shape} does not match index of length {index.Numel()} along dim {d} of self {Shape}.");
        for (int k = 0; k < self.Rank; k++)
            if (k != d && src.Shape[k] != self.Shape[k])
                throw new ArgumentException($"IndexAdd: source shape {source.Shape} must match self shape {Shape} except at dim {d}.");
        CheckIndexValues(index, self.Shape[d], d, "IndexAdd");
        var y = self.ToNoGrad(DType).Clone().Detach();
        if (ReferenceEquals(y, self)) y = self.Clone().Detach();
        var sc = src.ToNoGrad(DType);
        IndexBackend.IndexAdd(y.Buffer, y._layout, d, index.Buffer, index._layout.Rank == 0 ? index._layout.Unsqueeze(0) : index._layout, sc.Buffer, sc._layout, alpha);
        if (Rank == 0) y = new Tensor(y._storage, Layout.Contiguous([]));
        return Autograd.Record(y, "IndexAdd", [this, source], g =>
        {
            var gs = (g.Rank == 0 ? g.Reshape(1) : g).IndexSelect(d, index);
            if (alpha != 1) gs = gs.Mul(alpha);
            return [g, source.Rank == 0 ? gs.Reshape() : gs];
        });
    }

    /// <summary>In-place index add.</summary>
    public Tensor IndexAdd_(int dim, Tensor index, Tensor source, double alpha = 1) =>
        InPlace("IndexAdd_", t => t.IndexAdd(dim, index, source, alpha), source);

    private void CheckGatherShapes(int d, Tensor index, Tensor? src, string op)
    {
        if (index.DType != DType.Int64) throw new ArgumentException($"{op}: expected an Int64 index tensor, got {index.DType}.");
        if (index.Rank != Rank)
            throw new ArgumentException($"{op}: index tensor must have the same number of dimensions as input tensor (index {index.Shape}, input {Shape}).");
        for (int k = 0; k < Rank; k++)
        {
            if (k != d && index.Shape[k] > Shape[k])
                throw new ArgumentException($"{op}: size of dimension {k} of index ({index.Shape[k]}) must not exceed the input's ({Shape[k]}) (index {index.Shape}, input {Shape}).");
            if (src is not null && index.Shape[k] > src.Shape[k])
                throw new ArgumentException($"{op}: size of dimension {k} of index ({index.Shape[k]}) must not exceed the source's ({src.Shape[k]}) (index {index.Shape}, source {src.Shape}).");
        }
    }

    /// <summary>torch.gather(dim, index): out[p] = this[p with p[dim] = index[p]]; out has index's shape.</summary>
    /// <exception cref="ArgumentException">Rank or size mismatch, or an index out of range.</exception>
    [Differentiable]
    public Tensor Gather(int dim, Tensor index)
    {
        int d = Shape.NormalizeDim(dim, "Gather");
        CheckGatherShapes(d, index, null, "Gather");
        CheckIndexValues(index, Rank == 0 ? 1 : Shape[d], d, "Gather");
        var y = Uninitialized(index.Shape, DType);
        if (Rank == 0) { if (y.Numel() > 0) Backend.Copy(Buffer, _layout, y.Buffer, y._layout); }
        else IndexBackend.Gather(Buffer, _layout, d, index.Buffer, index._layout, y.Buffer, y._layout);
        var inShape = Shape;
        return Autograd.Record(y, "Gather", [this], g => [Zeros(inShape, g.DType).ScatterAdd(d, index, g)]);
    }

    private Tensor ScatterImpl(int dim, Tensor index, Tensor src, ScatterMode mode, string op)
    {
        int d = Shape.NormalizeDim(dim, op);
        CheckGatherShapes(d, index, src, op);
        CheckIndexValues(index, Rank == 0 ? 1 : Shape[d], d, op);
        var y = Clone().Detach();
        var s = src.ToNoGrad(DType);
        if (Rank == 0)
        {
            if (index.Numel() > 0) y = Where(Ones([], DType.Bool), mode == ScatterMode.Add ? y.Add(s) : s, y).Detach();
        }
        else IndexBackend.Scatter(y.Buffer, y._layout, d, index.Buffer, index._layout, s.Buffer, s._layout, mode);
        return y;
    }

    /// <summary>torch.scatter(dim, index, src): a copy of this with this[p with p[dim] = index[p]] = src[p].</summary>
    /// <exception cref="ArgumentException">Rank or size mismatch, or an index out of range.</exception>
    [Differentiable]
    public Tensor Scatter(int dim, Tensor index, Tensor src)
    {
        var y = ScatterImpl(dim, index, src, ScatterMode.Assign, "Scatter");
        int d = Shape.NormalizeDim(dim, "Scatter");
        var srcShape = src.Shape;
        return Autograd.Record(y, "Scatter", [this, src], g =>
            [g.Scatter(d, index, Zeros(index.Shape, g.DType)), GatherToShape(g.Gather(d, index), srcShape)]);
    }

    /// <summary>torch.scatter(dim, index, value): scalar source.</summary>
    public Tensor Scatter(int dim, Tensor index, Number value) => Scatter(dim, index, Full(index.Shape, value, DType));

    /// <summary>In-place scatter.</summary>
    public Tensor Scatter_(int dim, Tensor index, Tensor src) => InPlace("Scatter_", t => t.Scatter(dim, index, src), src);

    /// <summary>torch.scatter_add(dim, index, src): this[p with p[dim] = index[p]] += src[p] (duplicates accumulate in order).</summary>
    [Differentiable]
    public Tensor ScatterAdd(int dim, Tensor index, Tensor src)
    {
        var y = ScatterImpl(dim, index, src, ScatterMode.Add, "ScatterAdd");
        int d = Shape.NormalizeDim(dim, "ScatterAdd");
        var srcShape = src.Shape;
        return Autograd.Record(y, "ScatterAdd", [this, src], g => [g, GatherToShape(g.Gather(d, index), srcShape)]);
    }

    /// <summary>In-place scatter-add.</summary>
    public Tensor ScatterAdd_(int dim, Tensor index, Tensor src) => InPlace("ScatterAdd_", t => t.ScatterAdd(dim, index, src), src);

    // A gradient gathered at index positions has index's shape; the source may be larger (unused tail gets 0).
    private static Tensor GatherToShape(Tensor g, Shape srcShape)
    {
        if (g.Shape == srcShape) return g;
        var pad = new int[2 * srcShape.Rank];
        for (int k = 0; k < srcShape.Rank; k++) pad[2 * (srcShape.Rank - 1 - k) + 1] = srcShape[k] - g.Shape[k];
        return g.Pad(pad);
    }

    /// <summary>torch.flip(dims): reverses the order of elements along dims (a copy).</summary>
    [Differentiable]
    public Tensor Flip(int[] dims)
    {
        var flags = new bool[Math.Max(Rank, 1)];
        foreach (int dim in dims)
        {
            int d = Shape.NormalizeDim(dim, "Flip");
            if (flags[d]) throw new ArgumentException($"Flip: dim {d} appears multiple times in the list of dims [{string.Join(", ", dims)}].");
            flags[d] = true;
        }
        Tensor y;
        using (Autograd.NoGrad())
        {
            y = this;
            for (int d = 0; d < Rank; d++)
            {
                if (!flags[d] || Shape[d] <= 1) continue;
                var rev = Arange(Shape[d] - 1, -1, -1);
                y = y.IndexSelect(d, rev);
            }
            if (ReferenceEquals(y, this)) y = Clone();
        }
        y = y.Detach();
        return Autograd.Record(y, "Flip", [this], g => [g.Flip(dims)]);
    }
}

using Lantern.Kernels;

namespace Lantern;

// Selection by data: advanced indexing (Index, IndexPut with Bool masks and Int64 index tensors), MaskedSelect,
// Take, Nonzero, OneHot. All are composites of Gather / IndexSelect / Scatter / ScatterAdd over a view that merges
// the indexed dims into one, so their gradients come from those ops. Index bookkeeping (nonzero positions, bounds
// checks, broadcasting) runs without autograd.
public sealed partial class Tensor
{
    /// <summary>Int64 1-D row-major linear positions of the nonzero elements (no autograd).</summary>
    internal Tensor NonZeroPositions()
    {
        int n = SortBackend.CountNonZero(Buffer, _layout);
        var p = Uninitialized([n], DType.Int64);
        if (n > 0) SortBackend.NonZero(Buffer, _layout, p.Buffer);
        return p;
    }

    /// <summary>
    /// torch.nonzero(): the coordinates of the nonzero elements (NaN counts as nonzero) as an Int64 tensor of shape
    /// [count, rank], in row-major order.
    /// </summary>
    public Tensor Nonzero()
    {
        using var noGrad = Autograd.NoGrad();
        var pos = NonZeroPositions();
        if (Rank == 0) return Zeros([pos.Numel(), 0], DType.Int64);
        return Stack(Coordinates(pos, Shape), 1);
    }

    /// <summary>Per-dim coordinates of row-major positions in <paramref name="shape"/>: (pos / stride_d) mod size_d.</summary>
    private static Tensor[] Coordinates(Tensor pos, Shape shape)
    {
        var r = new Tensor[shape.Rank];
        long stride = 1;
        for (int d = shape.Rank - 1; d >= 0; d--)
        {
            r[d] = pos.Div(stride, "floor").Remainder(Math.Max(shape[d], 1));
            stride *= Math.Max(shape[d], 1);
        }
        return r;
    }

    /// <summary>Bounds-checks an Int64 index against [-size, size) and wraps negatives (Python indexing).</summary>
    private static Tensor WrapIndex(Tensor index, int size, Func<long, string> message)
    {
        if (index.Numel() == 0) return index;
        long lo = index.Min().Item<long>(), hi = index.Max().Item<long>();
        if (lo < -size) throw new ArgumentOutOfRangeException(nameof(index), message(lo));
        if (hi >= size) throw new ArgumentOutOfRangeException(nameof(index), message(hi));
        return lo < 0 ? index.Remainder(size) : index;
    }

    private static bool BroadcastsTo(Shape from, Shape to)
    {
        if (from.Rank > to.Rank) return false;
        for (int i = 1; i <= from.Rank; i++)
            if (from[^i] != 1 && from[^i] != to[^i]) return false;
        return true;
    }

    /// <summary>
    /// Resolves advanced indices against the leading dims: each Bool mask becomes its nonzero coordinates (one
    /// Int64 tensor per mask dim), Int64 tensors are bounds-checked and wrapped, all are broadcast together to
    /// shape B, and the result is the Int64 row-major position within the first K dims (shape B).
    /// </summary>
    private (Tensor Linear, Shape B, int K) AdvancedIndex(Tensor[] indices, string op)
    {
        if (indices.Length == 0) throw new ArgumentException($"{op}: expected at least one index tensor.");
        using var noGrad = Autograd.NoGrad();
        var parts = new List<(Tensor Index, int Dim)>();
        int k = 0;
        foreach (var t in indices)
        {
            int consumed = t.DType == DType.Bool ? t.Rank : 1;
            if (t.DType != DType.Bool && t.DType != DType.Int64)
                throw new ArgumentException($"{op}: tensors used as indices must be Int64 or Bool tensors, got {t.DType}.");
            if (t.DType == DType.Bool && t.Rank == 0)
                throw new ArgumentException($"{op}: a 0-dim Bool index is not supported (indexed tensor of shape {Shape}).");
            if (k + consumed > Rank)
                throw new ArgumentException($"{op}: too many indices for tensor of dimension {Rank} (shape {Shape}).");
            if (t.DType == DType.Int64)
            {
                parts.Add((t, k++));
                continue;
            }
            for (int j = 0; j < t.Rank; j++)
                if (t.Shape[j] != Shape[k + j])
                    throw new ArgumentException($"{op}: the shape of the mask {t.Shape} at index {j} does not match the shape of the indexed tensor {Shape} at index {k + j}.");
            var pos = t.NonZeroPositions();
            if (indices.Length == 1) return (pos, pos.Shape, t.Rank); // x[mask]: positions are already linear
            var coords = Coordinates(pos, t.Shape);
            for (int j = 0; j < t.Rank; j++) parts.Add((coords[j], k + j));
            k += t.Rank;
        }
        var b = parts[0].Index.Shape;
        try
        {
            for (int i = 1; i < parts.Count; i++) b = Shape.Broadcast(b, parts[i].Index.Shape, op);
        }
        catch (ArgumentException)
        {
            throw new ArgumentException($"{op}: shape mismatch: indexing tensors could not be broadcast together with shapes " +
                string.Join(", ", parts.Select(p => p.Index.Shape.ToString())) + ".");
        }
        Tensor? linear = null;
        foreach (var (index, dim) in parts)
        {
            int size = Shape[dim];
            var wrapped = WrapIndex(index, size, v => $"{op}: index {v} is out of bounds for dimension {dim} with size {size} (shape {Shape}).");
            linear = linear is null ? wrapped : linear.Mul(size).Add(wrapped);
        }
        if (linear!.Shape != b) linear = linear.Expand(b.ToArray());
        return (linear, b, k);
    }

    /// <summary>Leading K dims merged: [prod(shape[..K]), shape[K..]...] (a view when the strides allow).</summary>
    private Tensor MergeLeading(int k, out int[] rest)
    {
        rest = Shape.Dims[k..].ToArray();
        long lead = 1;
        for (int d = 0; d < k; d++) lead *= Shape[d];
        return Reshape([(int)lead, .. rest]);
    }

    /// <summary>index [n] broadcast over the trailing dims: [n, rest...] for Gather/Scatter along dim 0.</summary>
    private static Tensor RowIndex(Tensor index, int[] rest)
    {
        int n = index.Numel();
        if (rest.Length == 0) return index.Reshape(n);
        var ones = Enumerable.Repeat(1, rest.Length).ToArray();
        return index.Reshape([n, .. ones]).Expand([n, .. rest]);
    }

    /// <summary>
    /// Advanced indexing x[indices] (PyTorch's x[mask] or x[i0, i1, ...] on the leading dims): either one Bool mask
    /// whose shape equals the leading dims (result [count, rest...]), or Int64 tensors (negative values count from
    /// the end; Bool masks in the list stand for their nonzero coordinates) broadcast together to shape B, indexing
    /// dims 0..K-1 (result [B..., rest...]). The result is a copy. Gradient: scattered back (duplicates accumulate).
    /// </summary>
    /// <example><c>x.Index([x.Gt(0)])</c> is x[x &gt; 0]; <c>x.Index([rows, cols])</c> is x[rows, cols].</example>
    /// <exception cref="ArgumentException">Wrong index dtype, a mask shape that differs from the indexed dims, indices
    /// that do not broadcast, more indices than dims, or an index out of bounds.</exception>
    [Differentiable]
    public Tensor Index(params Tensor[] indices)
    {
        var (linear, b, k) = AdvancedIndex(indices, "Index");
        var flat = MergeLeading(k, out var rest);
        var idx = linear.Reshape(-1);
        long restNumel = rest.Aggregate(1L, (a, s) => a * s);
        // Whole slices move best with IndexSelect; small ones elementwise with Gather.
        var y = restNumel >= 32 ? flat.IndexSelect(0, idx) : flat.Gather(0, RowIndex(idx, rest));
        return y.Reshape([.. b.ToArray(), .. rest]);
    }

    /// <summary>
    /// torch.index_put(indices, values, accumulate): a copy of this tensor with x[indices] = values (the indices as
    /// in <see cref="Index"/>); values (cast to this dtype) broadcast to the indexed shape [B..., rest...]. With
    /// <paramref name="accumulate"/> the values are added and duplicate positions accumulate; without it a
    /// duplicate position takes the last value in index order (deterministic; PyTorch leaves it unspecified).
    /// Gradient: this tensor gets g with the written positions zeroed (kept when accumulating), values get g[indices].
    /// </summary>
    /// <exception cref="ArgumentException">Bad indices (see <see cref="Index"/>) or values that do not broadcast to the indexed shape.</exception>
    [Differentiable]
    public Tensor IndexPut(Tensor[] indices, Tensor values, bool accumulate = false)
    {
        var (linear, b, k) = AdvancedIndex(indices, "IndexPut");
        var flat = MergeLeading(k, out var rest);
        var v = IndexPutValues(values, b, rest);
        var idx = RowIndex(linear.Reshape(-1), rest);
        var y = accumulate ? flat.ScatterAdd(0, idx, v) : flat.Scatter(0, idx, v);
        return y.Reshape(Shape.ToArray());
    }

    private Tensor IndexPutValues(Tensor values, Shape b, int[] rest)
    {
        var target = Shape.Wrap([.. b.ToArray(), .. rest]);
        if (!BroadcastsTo(values.Shape, target))
            throw new ArgumentException($"IndexPut: shape mismatch: value tensor of shape {values.Shape} cannot be broadcast to indexing result of shape {target}.");
        return values.To(DType).Expand(target.ToArray()).Reshape([b.Numel, .. rest]);
    }

    /// <summary>In-place <see cref="IndexPut"/> (PyTorch's x[indices] = values); returns this tensor.</summary>
    /// <exception cref="ArgumentException">As <see cref="IndexPut"/>.</exception>
    public Tensor IndexPut_(Tensor[] indices, Tensor values, bool accumulate = false) =>
        InPlace("IndexPut_", t => t.IndexPut(indices, values, accumulate), values, () =>
        {
            // Without autograd: scatter straight into this tensor's storage when its leading dims merge as a view.
            var (linear, b, k) = AdvancedIndex(indices, "IndexPut_");
            var rest = Shape.Dims[k..].ToArray();
            long lead = 1;
            for (int d = 0; d < k; d++) lead *= Shape[d];
            var flat = _layout.TryView([(int)lead, .. rest], "IndexPut_");
            if (flat is not { } fl || values.SharesStorageWith(this)) return false;
            Tensor v;
            using (Autograd.NoGrad()) v = IndexPutValues(values, b, rest);
            var idx = RowIndex(linear.Reshape(-1), rest);
            if (idx.Numel() > 0)
                IndexBackend.Scatter(Buffer, fl, 0, idx.Buffer, idx._layout, v.Buffer, v._layout, accumulate ? ScatterMode.Add : ScatterMode.Assign);
            return true;
        });

    /// <summary>
    /// torch.masked_select(mask): the elements where the Bool mask is true, as a 1-D tensor in row-major order; this
    /// tensor and the mask broadcast together first. Gradient: scattered back to the selected positions.
    /// </summary>
    /// <exception cref="ArgumentException">mask is not Bool or does not broadcast with this tensor.</exception>
    [Differentiable]
    public Tensor MaskedSelect(Tensor mask)
    {
        if (mask.DType != DType.Bool) throw new ArgumentException($"MaskedSelect: expected a Bool mask, got {mask.DType} (mask shape {mask.Shape}).");
        var shape = Shape.Broadcast(Shape, mask.Shape, "MaskedSelect");
        Tensor pos;
        using (Autograd.NoGrad()) pos = mask.Expand(shape.ToArray()).NonZeroPositions();
        return Expand(shape.ToArray()).Reshape(-1).Gather(0, pos);
    }

    /// <summary>
    /// torch.take(index): out[p] = this.flatten()[index[p]]; out has index's shape; negative indices count from the
    /// end of the flattened tensor. Gradient: scattered back (duplicates accumulate).
    /// </summary>
    /// <exception cref="ArgumentException">index is not Int64, or a value is outside [-numel, numel).</exception>
    [Differentiable]
    public Tensor Take(Tensor index)
    {
        if (index.DType != DType.Int64) throw new ArgumentException($"Take: expected an Int64 index tensor, got {index.DType}.");
        int n = Numel();
        Tensor idx;
        using (Autograd.NoGrad())
            idx = WrapIndex(index, n, v => $"Take: out of range: tried to access index {v} on a tensor of {n} elements (shape {Shape}).");
        return Reshape(-1).Gather(0, idx.Reshape(-1)).Reshape(index.Shape.ToArray());
    }

    /// <summary>
    /// torch.nn.functional.one_hot(labels, numClasses): an Int64 tensor of shape [labels..., numClasses] with 1 at
    /// each label's position and 0 elsewhere. numClasses -1 means max(labels) + 1.
    /// </summary>
    /// <example><c>Tensor.OneHot(Tensor.FromArray(new long[] { 0, 2 }))  // [[1, 0, 0], [0, 0, 1]]</c></example>
    /// <exception cref="ArgumentException">labels not Int64, a negative label, a label &gt;= numClasses, numClasses &lt; -1,
    /// or -1 with empty labels.</exception>
    public static Tensor OneHot(Tensor labels, int numClasses = -1)
    {
        if (labels.DType != DType.Int64) throw new ArgumentException($"OneHot: one_hot is only applicable to Int64 index tensors, got {labels.DType}.");
        if (numClasses < -1) throw new ArgumentException($"OneHot: numClasses must be -1 or non-negative, got {numClasses}.");
        using var noGrad = Autograd.NoGrad();
        if (labels.Numel() == 0)
        {
            if (numClasses == -1) throw new ArgumentException($"OneHot: can not infer the total number of classes from an empty tensor (labels shape {labels.Shape}).");
            return Zeros([.. labels.Shape.ToArray(), numClasses], DType.Int64);
        }
        long lo = labels.Min().Item<long>(), hi = labels.Max().Item<long>();
        if (lo < 0) throw new ArgumentOutOfRangeException(nameof(labels), $"OneHot: class values must be non-negative, got {lo}.");
        if (numClasses == -1)
        {
            if (hi >= int.MaxValue) throw new ArgumentOutOfRangeException(nameof(labels), $"OneHot: class value {hi} is too large to infer numClasses.");
            numClasses = (int)hi + 1;
        }
        else if (hi >= numClasses)
            throw new ArgumentOutOfRangeException(nameof(labels), $"OneHot: class values must be smaller than numClasses ({numClasses}), got {hi}.");
        return Zeros([.. labels.Shape.ToArray(), numClasses], DType.Int64).Scatter(-1, labels.Unsqueeze(-1), 1);
    }
}

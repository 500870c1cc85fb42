using Lantern.Kernels;

namespace Lantern;

/// <summary>The result of <see cref="Tensor.Unique"/> (torch.unique's tuple).</summary>
/// <param name="Values">The distinct values (dim null: 1-D, ascending) or distinct slices along dim (lexicographic order).</param>
/// <param name="Inverse">Int64, when requested: the position in Values of each input element (dim null: the input's
/// shape) or of each slice along dim (1-D of that dim's size).</param>
/// <param name="Counts">Int64, when requested: how many times each entry of Values occurs.</param>
public readonly record struct UniqueResult(Tensor Values, Tensor? Inverse, Tensor? Counts);

// Sorting: Sort, ArgSort, TopK, Unique. Kernels behind ISortBackend; NaN sorts as the largest value and equal
// elements keep their order, so results are deterministic. Values are differentiable (gradient scattered back
// through the indices).
public sealed partial class Tensor
{
    private static ISortBackend SortBackend => CpuBackend.Instance;

    /// <summary>
    /// torch.sort(dim, descending, stable): the elements of every slice along dim in order, with the Int64 position
    /// each came from, so that <c>Values == this.Gather(dim, Indices)</c>. NaN sorts as the largest value (last
    /// ascending, first descending). Every sort is stable here (equal elements keep their original order), so
    /// <paramref name="stable"/> only documents intent. Gradient: dL/dx = zeros.scatter_add(dim, Indices, g).
    /// </summary>
    /// <example><c>var (v, i) = Tensor.FromArray(new float[] { 3, 1, 2 }).Sort();  // v = [1, 2, 3], i = [1, 2, 0]</c></example>
    /// <exception cref="ArgumentOutOfRangeException">dim outside [-rank, rank-1].</exception>
    [Differentiable]
    public (Tensor Values, Tensor Indices) Sort(int dim = -1, bool descending = false, bool stable = false)
    {
        _ = stable; // always stable
        int d = Shape.NormalizeDim(dim, "Sort");
        if (Rank == 0) return (Clone(), Zeros([], DType.Int64));
        var values = Uninitialized(Shape, DType);
        var indices = Uninitialized(Shape, DType.Int64);
        SortBackend.Sort(Buffer, _layout, d, descending, values.Buffer, indices.Buffer);
        var inShape = Shape;
        values = Autograd.Record(values, "Sort", [this], g => [Zeros(inShape, g.DType).ScatterAdd(d, indices, g)]);
        return (values, indices);
    }

    /// <summary>torch.argsort(dim, descending, stable): the Int64 indices that sort each slice along dim (see <see cref="Sort"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">dim outside [-rank, rank-1].</exception>
    public Tensor ArgSort(int dim = -1, bool descending = false, bool stable = false)
    {
        using (Autograd.NoGrad()) return Sort(dim, descending, stable).Indices;
    }

    /// <summary>
    /// torch.topk(k, dim, largest, sorted): the k largest (or smallest) elements of every slice along dim and their
    /// Int64 positions; dim has size k in both results. NaN counts as the largest value; among equal values the
    /// lower position is taken first. Results are always in sorted order (PyTorch leaves the order unspecified when
    /// <paramref name="sorted"/> is false). Cost O(n log k) per slice. Gradient: scattered back through the indices.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">k outside [0, size(dim)], or dim out of range.</exception>
    [Differentiable]
    public (Tensor Values, Tensor Indices) TopK(int k, int dim = -1, bool largest = true, bool sorted = true)
    {
        _ = sorted; // always sorted
        int d = Shape.NormalizeDim(dim, "TopK");
        int size = Rank == 0 ? 1 : Shape[d];
        if (k < 0 || k > size)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"TopK: selected index k out of range: k = {k}, but dimension {d} of the input {Shape} has size {size}.");
        if (Rank == 0) return k == 1 ? (Clone(), Zeros([], DType.Int64)) : (Reshape(1).Narrow(0, 0, 0), Zeros([0], DType.Int64));
        var outDims = Shape.ToArray();
        outDims[d] = k;
        var values = Uninitialized(outDims, DType);
        var indices = Uninitialized(outDims, DType.Int64);
        SortBackend.TopK(Buffer, _layout, d, k, largest, values.Buffer, indices.Buffer);
        var inShape = Shape;
        values = Autograd.Record(values, "TopK", [this], g => [Zeros(inShape, g.DType).ScatterAdd(d, indices, g)]);
        return (values, indices);
    }

    /// <summary>
    /// torch.unique(sorted, return_inverse, return_counts, dim). With dim null the tensor is flattened and the result
    /// holds its distinct elements in ascending order; with a dim it holds the distinct slices along that dim, in
    /// lexicographic order of their row-major contents. Equality is elementwise ==, so every NaN is distinct (as in
    /// PyTorch). The values are always sorted (PyTorch may return an unspecified order when
    /// <paramref name="sorted"/> is false). Not differentiable.
    /// </summary>
    /// <example><c>var u = Tensor.FromArray(new long[] { 2, 1, 2 }).Unique(returnInverse: true);  // Values [1, 2], Inverse [1, 0, 1]</c></example>
    /// <exception cref="ArgumentOutOfRangeException">dim out of range.</exception>
    public UniqueResult Unique(bool sorted = true, bool returnInverse = false, bool returnCounts = false, int? dim = null)
    {
        _ = sorted; // always sorted
        using var noGrad = Autograd.NoGrad();
        Tensor rows;
        int[]? perm = null;
        if (dim is null) rows = Reshape(-1, 1);
        else
        {
            if (Rank == 0) throw new ArgumentOutOfRangeException(nameof(dim), dim, "Unique: dim was given for a 0-dim tensor (use dim: null).");
            int d = Shape.NormalizeDim(dim.Value, "Unique");
            int n = Shape[d];
            perm = new int[Rank];
            perm[0] = d;
            for (int k = 0, j = 1; k < Rank; k++) if (k != d) perm[j++] = k;
            rows = Permute(perm).Reshape(n, n == 0 ? 0 : Numel() / n);
        }
        int count = rows.Shape[0];
        var rep = Uninitialized([count], DType.Int64);
        var inverse = Uninitialized([count], DType.Int64);
        var counts = Uninitialized([count], DType.Int64);
        int groups = SortBackend.UniqueRows(rows.Buffer, rows._layout, rep.Buffer, inverse.Buffer, counts.Buffer);
        var first = rep.Narrow(0, 0, groups);
        Tensor values;
        if (perm is null) values = rows.Index(first).Reshape(-1);
        else
        {
            // Distinct slices picked from the dim-first view, then the dims put back in order.
            var inversePerm = new int[Rank];
            for (int i = 0; i < Rank; i++) inversePerm[perm[i]] = i;
            values = Permute(perm).Index(first).Permute(inversePerm).Contiguous();
        }
        Tensor? inv = returnInverse ? (dim is null ? inverse.Reshape(Shape.ToArray()) : inverse) : null;
        Tensor? cnt = returnCounts ? counts.Narrow(0, 0, groups).Clone() : null;
        return new UniqueResult(values, inv, cnt);
    }
}

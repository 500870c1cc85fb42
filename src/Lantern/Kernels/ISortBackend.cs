namespace Lantern.Kernels;

/// <summary>
/// Sorting and data-dependent-size selection kernels of a backend (the seam beside <see cref="IIndexBackend"/>).
/// Orders are total and deterministic: NaN sorts as the largest value (PyTorch's rule), and equal keys keep
/// their original order (every sort is stable), so results never depend on the thread count.
/// Output buffers are contiguous; Int64 index outputs hold positions along the sorted dimension.
/// </summary>
public interface ISortBackend
{
    /// <summary>
    /// Sorts every 1-D slice of src along <paramref name="dim"/>: values[p] = src[p with p[dim] = indices[p]].
    /// Ascending puts NaN last; descending puts NaN first; ties keep their original order either way.
    /// values (src's dtype) and indices (Int64) are contiguous with src's shape.
    /// </summary>
    void Sort(DeviceBuffer src, Layout ls, int dim, bool descending, DeviceBuffer values, DeviceBuffer indices);

    /// <summary>
    /// The <paramref name="k"/> largest (or smallest) elements of every slice along dim, in sorted order (NaN
    /// counts as the largest; among ties the lower index comes first). values and indices are contiguous with
    /// src's shape except that dim has size k; 0 &lt;= k &lt;= size(dim).
    /// </summary>
    void TopK(DeviceBuffer src, Layout ls, int dim, int k, bool largest, DeviceBuffer values, DeviceBuffer indices);

    /// <summary>
    /// Groups the rows of a 2-D layout [n, m] into classes of equal rows (elementwise ==, so a row holding NaN
    /// equals no other row) in lexicographic ascending order, and returns the number of classes G.
    /// representative[g] (Int64) is the index of the first row (in original order) of class g, counts[g] its
    /// size, and inverse[i] the class of row i. All three are Int64 buffers of length >= n; only the first G
    /// entries of representative and counts are written.
    /// </summary>
    int UniqueRows(DeviceBuffer src, Layout ls, DeviceBuffer representative, DeviceBuffer inverse, DeviceBuffer counts);

    /// <summary>Number of nonzero elements (NaN counts as nonzero, as a cast to bool does).</summary>
    int CountNonZero(DeviceBuffer src, Layout ls);

    /// <summary>
    /// Writes the row-major linear positions of the nonzero elements of src, in increasing order, into
    /// <paramref name="positions"/> (Int64, length <see cref="CountNonZero"/>).
    /// </summary>
    void NonZero(DeviceBuffer src, Layout ls, DeviceBuffer positions);

    /// <summary>
    /// torch.repeat_interleave(counts): dst holds counts[0] copies of 0, then counts[1] copies of 1, and so on.
    /// counts is a 1-D Int64 layout of non-negative values; dst (Int64) has length sum(counts).
    /// </summary>
    void RepeatIndices(DeviceBuffer counts, Layout lc, DeviceBuffer dst);
}

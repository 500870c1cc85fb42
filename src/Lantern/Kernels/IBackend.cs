namespace Lantern.Kernels;

/// <summary>
/// The backend seam: every tensor op reaches memory through one of these entry points, with buffers and
/// <see cref="Layout"/>s only (no Tensor, no autograd). The CPU backend is the only one today; a GPU backend
/// implements the same interface and Tensor, autograd and NN stay untouched. Layouts passed in are already
/// broadcast to the destination shape (stride 0 for broadcast dims); dtypes are already promoted.
/// </summary>
public interface IBackend
{
    /// <summary>The device this backend serves.</summary>
    Device Device { get; }

    /// <summary>A zero-filled buffer.</summary>
    DeviceBuffer Allocate(DType dtype, int length);

    /// <summary>A buffer whose contents are unspecified (the caller overwrites every element).</summary>
    DeviceBuffer AllocateUninitialized(DType dtype, int length);

    /// <summary>dst[l] = value for every element of layout l (value cast to dst's dtype).</summary>
    void Fill(DeviceBuffer dst, Layout l, Number value);

    /// <summary>dst[ld] = cast(src[ls]); shapes equal; dtypes may differ (PyTorch cast rules).</summary>
    void Copy(DeviceBuffer src, Layout ls, DeviceBuffer dst, Layout ld);

    /// <summary>dst[ld] = op(src[ls]); same dtype; p0..p2 are scalar arguments of the op.</summary>
    void Unary(UnaryOp op, DeviceBuffer src, Layout ls, DeviceBuffer dst, Layout ld, double p0 = 0, double p1 = 0, double p2 = 0);

    /// <summary>dst = op(a, b); all one dtype; layouts share dst's shape.</summary>
    void Binary(BinaryOp op, DeviceBuffer a, Layout la, DeviceBuffer b, Layout lb, DeviceBuffer dst, Layout ld);

    /// <summary>dst(Bool) = a op b; a and b share a dtype.</summary>
    void Compare(CompareOp op, DeviceBuffer a, Layout la, DeviceBuffer b, Layout lb, DeviceBuffer dst, Layout ld);

    /// <summary>dst(Bool) = predicate(src).</summary>
    void Predicate(PredicateOp op, DeviceBuffer src, Layout ls, DeviceBuffer dst, Layout ld);

    /// <summary>dst = cond ? a : b; cond is Bool; a, b, dst share a dtype.</summary>
    void Where(DeviceBuffer cond, Layout lc, DeviceBuffer a, Layout la, DeviceBuffer b, Layout lb, DeviceBuffer dst, Layout ld);

    /// <summary>
    /// Reduces src over the dimensions flagged in <paramref name="reduce"/>; dst is contiguous with the kept
    /// dimensions in order (keepdim is a view concern). Sum/Prod/Max/Min keep src's dtype; All/Any write Bool.
    /// </summary>
    void Reduce(ReduceOp op, DeviceBuffer src, Layout ls, ReadOnlySpan<bool> reduce, DeviceBuffer dst);

    /// <summary>Max or min along one dim with the index of the first extreme (first NaN wins); dst and indices contiguous.</summary>
    void ArgReduce(bool max, DeviceBuffer src, Layout ls, int dim, DeviceBuffer values, DeviceBuffer indices);

    /// <summary>Inclusive cumulative sum or product along dim; dst contiguous of src's shape.</summary>
    void Scan(bool product, DeviceBuffer src, Layout ls, int dim, DeviceBuffer dst);

    /// <summary>
    /// Batched matrix product C[i] = alpha * A[i]·B[i] + beta * C[i]; layouts are 3-D [batch, m, k], [batch, k, n],
    /// [batch, m, n] with any strides (batch stride 0 broadcasts). Float32 and Float64.
    /// </summary>
    void MatMul(DeviceBuffer a, Layout la, DeviceBuffer b, Layout lb, DeviceBuffer c, Layout lc, double alpha, double beta);

    /// <summary>Fills dst (contiguous) with the counter-based random stream (seed, offset): uniform [lo, hi) or normal (mean lo, std hi).</summary>
    void Random(bool normal, DeviceBuffer dst, ulong seed, ulong offset, double lo, double hi);
}

/// <summary>How <see cref="IIndexBackend.Scatter"/> combines a source value with the destination.</summary>
public enum ScatterMode
{
    /// <summary>dst = src (last write wins, in index order).</summary>
    Assign,
    /// <summary>dst += src.</summary>
    Add,
    /// <summary>dst *= src.</summary>
    Multiply,
    /// <summary>dst = max(dst, src).</summary>
    Amax,
    /// <summary>dst = min(dst, src).</summary>
    Amin,
}

/// <summary>
/// Index-based kernels of a backend. Index buffers are Int64 and already bounds-checked (and wrapped to
/// non-negative) by the caller; duplicate indices are processed in index order, so results are deterministic.
/// </summary>
public interface IIndexBackend
{
    /// <summary>dst.select(dim, j) = src.select(dim, index[j]) for each j; index is 1-D.</summary>
    void IndexSelect(DeviceBuffer src, Layout ls, int dim, DeviceBuffer index, Layout li, DeviceBuffer dst, Layout ld);

    /// <summary>dst.select(dim, index[j]) += alpha * src.select(dim, j) for each j; index is 1-D.</summary>
    void IndexAdd(DeviceBuffer dst, Layout ld, int dim, DeviceBuffer index, Layout li, DeviceBuffer src, Layout ls, double alpha);

    /// <summary>dst[p] = src[p with p[dim] = index[p]] for every position p of index (dst has index's shape).</summary>
    void Gather(DeviceBuffer src, Layout ls, int dim, DeviceBuffer index, Layout li, DeviceBuffer dst, Layout ld);

    /// <summary>dst[p with p[dim] = index[p]] (mode)= src[p] for every position p of index.</summary>
    void Scatter(DeviceBuffer dst, Layout ld, int dim, DeviceBuffer index, Layout li, DeviceBuffer src, Layout ls, ScatterMode mode);
}

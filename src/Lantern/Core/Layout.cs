namespace Lantern;

/// <summary>
/// Where a tensor's elements sit in its storage: shape, strides (in elements) and the storage offset of
/// element [0, ..., 0]. Element (i0, ..., ik) lives at <c>Offset + sum(i_d * Strides[d])</c>.
/// Immutable value type: every view operation returns a new Layout and never touches data.
/// View arithmetic (Layout.Views.cs) follows PyTorch exactly, so strides and offsets equal PyTorch's for the
/// same calls.
/// </summary>
public readonly partial struct Layout : IEquatable<Layout>
{
    private static readonly int[] s_empty = [];
    private readonly int[]? _strides;

    /// <summary>Sizes of each dimension.</summary>
    public Shape Shape { get; }

    /// <summary>Storage offset (elements) of the first element.</summary>
    public int Offset { get; }

    /// <summary>Strides in elements, one per dimension.</summary>
    public ReadOnlySpan<int> Strides => _strides ?? s_empty;

    internal int[] RawStrides => _strides ?? s_empty;

    /// <summary>A layout with explicit strides.</summary>
    /// <exception cref="ArgumentException">Stride count differs from the rank, or a stride is negative.</exception>
    public Layout(Shape shape, ReadOnlySpan<int> strides, int offset = 0)
    {
        if (strides.Length != shape.Rank)
            throw new ArgumentException($"Layout: {strides.Length} strides for shape {shape} of rank {shape.Rank}.");
        foreach (int s in strides)
            if (s < 0) throw new ArgumentException($"Layout: negative stride {s} (strides [{string.Join(", ", strides.ToArray())}]).");
        if (offset < 0) throw new ArgumentException($"Layout: negative storage offset {offset}.");
        Shape = shape;
        _strides = strides.ToArray();
        Offset = offset;
    }

    private Layout(Shape shape, int[] strides, int offset, bool _)
    {
        Shape = shape;
        _strides = strides;
        Offset = offset;
    }

    /// <summary>Trusted constructor: arrays are owned by the new layout.</summary>
    internal static Layout Create(Shape shape, int[] strides, int offset) => new(shape, strides, offset, false);

    /// <summary>Row-major (C-contiguous) layout of <paramref name="shape"/> at <paramref name="offset"/>.</summary>
    public static Layout Contiguous(Shape shape, int offset = 0) => new(shape, ContiguousStrides(shape.Dims), offset, false);

    /// <summary>
    /// PyTorch's contiguous strides: stride[last] = 1, stride[i] = stride[i+1] * max(size[i+1], 1).
    /// </summary>
    public static int[] ContiguousStrides(ReadOnlySpan<int> sizes)
    {
        var st = new int[sizes.Length];
        long s = 1;
        for (int i = sizes.Length - 1; i >= 0; i--)
        {
            st[i] = (int)s;
            s *= Math.Max(sizes[i], 1);
        }
        return st;
    }

    /// <summary>Number of dimensions.</summary>
    public int Rank => Shape.Rank;

    /// <summary>Number of elements.</summary>
    public int Numel => Shape.Numel;

    /// <summary>
    /// PyTorch's is_contiguous: strides equal the row-major ones, ignoring dimensions of size 1;
    /// a layout with no elements is contiguous.
    /// </summary>
    public bool IsContiguous
    {
        get
        {
            var sizes = Shape.Dims;
            var strides = Strides;
            long expected = 1;
            for (int d = sizes.Length - 1; d >= 0; d--)
            {
                if (sizes[d] == 0) return true;
            }
            for (int d = sizes.Length - 1; d >= 0; d--)
            {
                if (sizes[d] == 1) continue;
                if (strides[d] != expected) return false;
                expected *= sizes[d];
            }
            return true;
        }
    }

    /// <summary>
    /// True when distinct indices map to distinct storage elements (no stride-0 broadcast of a dimension
    /// larger than 1, no overlapping strides). Conservative: may report false for some exotic non-overlapping layouts.
    /// </summary>
    public bool IsNonOverlapping
    {
        get
        {
            if (Numel <= 1) return true;
            var sizes = Shape.Dims;
            var strides = Strides;
            // Sort the dims with size > 1 by stride; each stride must be >= the extent of the previous ones.
            Span<(int stride, int size)> dims = stackalloc (int, int)[sizes.Length];
            int n = 0;
            for (int d = 0; d < sizes.Length; d++)
                if (sizes[d] > 1) dims[n++] = (strides[d], sizes[d]);
            dims = dims[..n];
            dims.Sort();
            long extent = 1;
            foreach (var (stride, size) in dims)
            {
                if (stride < extent) return false;
                extent = (long)stride * (size - 1) + extent;
            }
            return true;
        }
    }

    /// <summary>Largest storage index addressed plus one (Offset when empty).</summary>
    public long RequiredStorageLength
    {
        get
        {
            long max = Offset;
            var sizes = Shape.Dims;
            var strides = Strides;
            for (int d = 0; d < sizes.Length; d++)
            {
                if (sizes[d] == 0) return Offset;
                max += (long)(sizes[d] - 1) * strides[d];
            }
            return max + 1;
        }
    }

    /// <summary>Storage index of the element at <paramref name="index"/> (one entry per dimension).</summary>
    public int StorageIndex(ReadOnlySpan<int> index)
    {
        int s = Offset;
        var strides = Strides;
        for (int d = 0; d < index.Length; d++) s += index[d] * strides[d];
        return s;
    }

    /// <summary>Storage index of the element at linear (row-major) position <paramref name="linear"/>.</summary>
    public int StorageIndexOfLinear(int linear)
    {
        int s = Offset;
        var sizes = Shape.Dims;
        var strides = Strides;
        for (int d = sizes.Length - 1; d >= 0; d--)
        {
            int i = linear % sizes[d];
            linear /= sizes[d];
            s += i * strides[d];
        }
        return s;
    }

    /// <inheritdoc/>
    public bool Equals(Layout other) =>
        Offset == other.Offset && Shape == other.Shape && Strides.SequenceEqual(other.Strides);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Layout l && Equals(l);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Shape, Offset, Strides.Length > 0 ? Strides[0] : 0);

    /// <summary>Equality of shape, strides and offset.</summary>
    public static bool operator ==(Layout a, Layout b) => a.Equals(b);

    /// <summary>Inequality.</summary>
    public static bool operator !=(Layout a, Layout b) => !a.Equals(b);

    /// <summary>"shape [2, 3], strides [3, 1], offset 0".</summary>
    public override string ToString() => $"shape {Shape}, strides [{string.Join(", ", RawStrides)}], offset {Offset}";
}

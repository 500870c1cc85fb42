using System.Numerics;
using System.Runtime.CompilerServices;

namespace Lantern.Kernels;

// Sorting and selection kernels on the CPU. A slice is sorted as one array of 128-bit integers, each an
// order-preserving key of the element above its position, so a primitive sort is stable and deterministic;
// slices run in parallel. Top-k keeps a bounded heap of the same integers. Unique rows, nonzero counting and
// positions (chunked, two passes).
public sealed partial class CpuBackend : ISortBackend
{
    /// <summary>
    /// An unsigned key whose order is PyTorch's sort order for the element: floats by value with every NaN equal and
    /// above +inf and -0 equal to +0; integers by value. Flipping all bits reverses the order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong OrderKey<T>(T v) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            float f = Unsafe.As<T, float>(ref v);
            uint b = float.IsNaN(f) ? 0x7FC00000u : f == 0 ? 0u : BitConverter.SingleToUInt32Bits(f);
            return (b & 0x80000000u) != 0 ? ~b : b | 0x80000000u;
        }
        if (typeof(T) == typeof(double))
        {
            double d = Unsafe.As<T, double>(ref v);
            ulong b = double.IsNaN(d) ? 0x7FF8000000000000ul : d == 0 ? 0ul : BitConverter.DoubleToUInt64Bits(d);
            return (b & 0x8000000000000000ul) != 0 ? ~b : b | 0x8000000000000000ul;
        }
        if (typeof(T) == typeof(long)) return (ulong)Unsafe.As<T, long>(ref v) ^ 0x8000000000000000ul;
        if (typeof(T) == typeof(byte)) return Unsafe.As<T, byte>(ref v);
        throw new NotSupportedException($"OrderKey: {typeof(T).Name}.");
    }

    // Key and original position packed into one primitive: sorting it is a stable sort by key, ties by position.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static UInt128 Pack(ulong key, int position) => ((UInt128)key << 32) | (uint)position;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int PositionOf(UInt128 packed) => (int)(uint)(ulong)(packed & uint.MaxValue);

    /// <summary>Fills buf[..n] with the packed keys of one slice (descending: flipped keys).</summary>
    private static void PackSlice<T>(T[] s, int so, int st, int n, bool descending, UInt128[] buf) where T : unmanaged
    {
        ulong flip = descending ? ulong.MaxValue : 0;
        for (int k = 0; k < n; k++) buf[k] = Pack(OrderKey(s[so + k * st]) ^ flip, k);
    }

    /// <summary>The 1-D slices of l along dim: slice r starts at Rows.StorageIndexOfLinear(r), step Stride.</summary>
    private static (Layout Rows, int Stride) Slices(Layout l, int dim) =>
        (Layout.Create(Shape.Wrap(Layout.Remove(l.Shape.Dims, dim)), Layout.Remove(l.Strides, dim), l.Offset), l.Strides[dim]);

    /// <summary>
    /// Runs body(firstRow, endRow) over [0, rows) in up to 4 chunks per thread of at least ~16K elements each, so the
    /// pool's dynamic claiming rebalances when a thread is slow (each chunk's work is fixed: results do not depend on it).
    /// </summary>
    private static void ForRows(int rows, int rowLength, Action<int, int> body)
    {
        int minRows = Math.Max(1, (1 << 14) / Math.Max(rowLength, 1));
        int chunks = Math.Min(4 * KernelThreads.Threads, Math.Max(1, rows / minRows));
        if (chunks <= 1)
        {
            KernelThreads.For(rows, rows, body);
            return;
        }
        KernelThreads.ForChunks(chunks, c => body((int)((long)rows * c / chunks), (int)((long)rows * (c + 1) / chunks)));
    }

    /// <inheritdoc/>
    public void Sort(DeviceBuffer src, Layout ls, int dim, bool descending, DeviceBuffer values, DeviceBuffer indices)
    {
        var idx = Data<long>(indices);
        switch (src.DType)
        {
            case DType.Float32: SortT(Data<float>(src), ls, dim, descending, Data<float>(values), idx); break;
            case DType.Float64: SortT(Data<double>(src), ls, dim, descending, Data<double>(values), idx); break;
            case DType.Int64: SortT(Data<long>(src), ls, dim, descending, Data<long>(values), idx); break;
            case DType.UInt8: SortT(Data<byte>(src), ls, dim, descending, Data<byte>(values), idx); break;
            default: SortT(AsBytes(src).Data, ls, dim, descending, AsBytes(values).Data, idx); break;
        }
    }

    private static void SortT<T>(T[] s, Layout ls, int dim, bool descending, T[] v, long[] idx) where T : unmanaged, INumber<T>
    {
        int n = ls.Shape.Dims[dim];
        if (n == 0 || ls.Numel == 0) return;
        var (rows, st) = Slices(ls, dim);
        var (outRows, ost) = Slices(Layout.Contiguous(ls.Shape), dim);
        ForRows(rows.Numel, n, (a, b) =>
        {
            var buf = new UInt128[n];
            for (int r = a; r < b; r++)
            {
                int so = rows.StorageIndexOfLinear(r), o = outRows.StorageIndexOfLinear(r);
                PackSlice(s, so, st, n, descending, buf);
                buf.AsSpan().Sort();
                for (int k = 0; k < n; k++)
                {
                    int j = PositionOf(buf[k]);
                    v[o + k * ost] = s[so + j * st];
                    idx[o + k * ost] = j;
                }
            }
        });
    }

    /// <inheritdoc/>
    public void TopK(DeviceBuffer src, Layout ls, int dim, int k, bool largest, DeviceBuffer values, DeviceBuffer indices)
    {
        var idx = Data<long>(indices);
        switch (src.DType)
        {
            case DType.Float32: TopKT(Data<float>(src), ls, dim, k, largest, Data<float>(values), idx); break;
            case DType.Float64: TopKT(Data<double>(src), ls, dim, k, largest, Data<double>(values), idx); break;
            case DType.Int64: TopKT(Data<long>(src), ls, dim, k, largest, Data<long>(values), idx); break;
            case DType.UInt8: TopKT(Data<byte>(src), ls, dim, k, largest, Data<byte>(values), idx); break;
            default: TopKT(AsBytes(src).Data, ls, dim, k, largest, AsBytes(values).Data, idx); break;
        }
    }

    private static void TopKT<T>(T[] s, Layout ls, int dim, int k, bool largest, T[] v, long[] idx) where T : unmanaged, INumber<T>
    {
        int n = ls.Shape.Dims[dim];
        if (k == 0 || ls.Numel == 0) return;
        var (rows, st) = Slices(ls, dim);
        var outDims = ls.Shape.ToArray();
        outDims[dim] = k;
        var (outRows, ost) = Slices(Layout.Contiguous(Shape.Wrap(outDims)), dim);
        ForRows(rows.Numel, n, (a, b) =>
        {
            var buf = new UInt128[n];
            for (int r = a; r < b; r++)
            {
                int so = rows.StorageIndexOfLinear(r), o = outRows.StorageIndexOfLinear(r);
                PackSlice(s, so, st, n, largest, buf);
                SmallestFirst(buf, k);
                for (int j = 0; j < k; j++)
                {
                    int p = PositionOf(buf[j]);
                    v[o + j * ost] = s[so + p * st];
                    idx[o + j * ost] = p;
                }
            }
        });
    }

    /// <summary>Leaves the k smallest items, sorted, in items[..k]: a bounded max-heap when k is small, else a full sort.</summary>
    private static void SmallestFirst(Span<UInt128> items, int k)
    {
        int n = items.Length;
        if (k * 4 >= n)
        {
            items.Sort();
            return;
        }
        // items[..k] is a max-heap: its root is the largest of the k smallest seen so far.
        for (int i = k / 2 - 1; i >= 0; i--) SiftDown(items, i, k);
        for (int i = k; i < n; i++)
        {
            if (items[i] >= items[0]) continue;
            items[0] = items[i];
            SiftDown(items, 0, k);
        }
        items[..k].Sort();
    }

    private static void SiftDown(Span<UInt128> h, int i, int size)
    {
        var x = h[i];
        while (true)
        {
            int c = 2 * i + 1;
            if (c >= size) break;
            if (c + 1 < size && h[c + 1] > h[c]) c++;
            if (h[c] <= x) break;
            h[i] = h[c];
            i = c;
        }
        h[i] = x;
    }

    /// <inheritdoc/>
    public int UniqueRows(DeviceBuffer src, Layout ls, DeviceBuffer representative, DeviceBuffer inverse, DeviceBuffer counts)
    {
        if (ls.Rank != 2) throw new ArgumentException($"UniqueRows: expected a 2-D layout, got shape {ls.Shape}.");
        var (rep, inv, cnt) = (Data<long>(representative), Data<long>(inverse), Data<long>(counts));
        return src.DType switch
        {
            DType.Float32 => UniqueRowsT(Data<float>(src), ls, rep, inv, cnt),
            DType.Float64 => UniqueRowsT(Data<double>(src), ls, rep, inv, cnt),
            DType.Int64 => UniqueRowsT(Data<long>(src), ls, rep, inv, cnt),
            DType.UInt8 => UniqueRowsT(Data<byte>(src), ls, rep, inv, cnt),
            _ => UniqueRowsT(AsBytes(src).Data, ls, rep, inv, cnt),
        };
    }

    private readonly struct RowOrder<T>(T[] s, int offset, int s0, int s1, int m) : IComparer<int> where T : unmanaged
    {
        public int Compare(int a, int b)
        {
            int pa = offset + a * s0, pb = offset + b * s0;
            for (int j = 0; j < m; j++)
            {
                int c = OrderKey(s[pa + j * s1]).CompareTo(OrderKey(s[pb + j * s1]));
                if (c != 0) return c;
            }
            return a.CompareTo(b);
        }
    }

    private static int UniqueRowsT<T>(T[] s, Layout ls, long[] rep, long[] inv, long[] cnt) where T : unmanaged, INumber<T>
    {
        int n = ls.Shape.Dims[0], m = ls.Shape.Dims[1];
        if (n == 0) return 0;
        int s0 = ls.Strides[0], s1 = ls.Strides[1], off = ls.Offset;
        var order = new int[n];
        if (m == 1)
        {
            var buf = new UInt128[n];
            PackSlice(s, off, s0, n, false, buf);
            buf.AsSpan().Sort();
            for (int i = 0; i < n; i++) order[i] = PositionOf(buf[i]);
        }
        else
        {
            for (int i = 0; i < n; i++) order[i] = i;
            order.AsSpan().Sort(new RowOrder<T>(s, off, s0, s1, m));
        }
        int g = -1;
        for (int i = 0; i < n; i++)
        {
            int r = order[i];
            if (i == 0 || !RowsEqual(s, off + order[i - 1] * s0, off + r * s0, s1, m))
            {
                g++;
                rep[g] = r;
                cnt[g] = 0;
            }
            cnt[g]++;
            inv[r] = g;
        }
        return g + 1;
    }

    private static bool RowsEqual<T>(T[] s, int pa, int pb, int s1, int m) where T : INumber<T>
    {
        for (int j = 0; j < m; j++)
            if (!(s[pa + j * s1] == s[pb + j * s1])) return false;
        return true;
    }

    // ---- Nonzero ----

    private const int NonZeroGrain = 1 << 16;

    /// <summary>src's elements as one contiguous run: (buffer, offset of element 0); copies only when strided.</summary>
    private (DeviceBuffer Buffer, int Offset) Flat(DeviceBuffer b, Layout l)
    {
        if (l.IsContiguous) return (b, l.Offset);
        var c = AllocateUninitialized(b.DType, l.Numel);
        Copy(b, l, c, Layout.Contiguous(l.Shape));
        return (c, 0);
    }

    /// <inheritdoc/>
    public int CountNonZero(DeviceBuffer src, Layout ls)
    {
        int n = ls.Numel;
        if (n == 0) return 0;
        var (b, off) = Flat(src, ls);
        return b.DType switch
        {
            DType.Float32 => CountChunks(Data<float>(b), off, n).Sum(),
            DType.Float64 => CountChunks(Data<double>(b), off, n).Sum(),
            DType.Int64 => CountChunks(Data<long>(b), off, n).Sum(),
            DType.UInt8 => CountChunks(Data<byte>(b), off, n).Sum(),
            _ => CountChunks(AsBytes(b).Data, off, n).Sum(),
        };
    }

    /// <inheritdoc/>
    public void NonZero(DeviceBuffer src, Layout ls, DeviceBuffer positions)
    {
        int n = ls.Numel;
        if (n == 0) return;
        var (b, off) = Flat(src, ls);
        var pos = Data<long>(positions);
        switch (b.DType)
        {
            case DType.Float32: NonZeroT(Data<float>(b), off, n, pos); break;
            case DType.Float64: NonZeroT(Data<double>(b), off, n, pos); break;
            case DType.Int64: NonZeroT(Data<long>(b), off, n, pos); break;
            case DType.UInt8: NonZeroT(Data<byte>(b), off, n, pos); break;
            default: NonZeroT(AsBytes(b).Data, off, n, pos); break;
        }
    }

    private static int Chunks(int n) => Math.Clamp(n / NonZeroGrain, 1, KernelThreads.Threads);

    private static (int Start, int End) ChunkRange(int n, int chunks, int c) =>
        ((int)((long)n * c / chunks), (int)((long)n * (c + 1) / chunks));

    private static int[] CountChunks<T>(T[] s, int off, int n) where T : INumber<T>
    {
        int chunks = Chunks(n);
        var counts = new int[chunks];
        KernelThreads.ForChunks(chunks, c =>
        {
            var (a, b) = ChunkRange(n, chunks, c);
            int k = 0;
            for (int i = a; i < b; i++) if (!T.IsZero(s[off + i])) k++;
            counts[c] = k;
        });
        return counts;
    }

    // Two passes: count per fixed chunk, then each chunk writes from its prefix offset (independent of threads).
    private static void NonZeroT<T>(T[] s, int off, int n, long[] pos) where T : INumber<T>
    {
        var counts = CountChunks(s, off, n);
        int chunks = counts.Length;
        var start = new int[chunks];
        for (int c = 1; c < chunks; c++) start[c] = start[c - 1] + counts[c - 1];
        KernelThreads.ForChunks(chunks, c =>
        {
            var (a, b) = ChunkRange(n, chunks, c);
            int w = start[c];
            for (int i = a; i < b; i++) if (!T.IsZero(s[off + i])) pos[w++] = i;
        });
    }

    /// <inheritdoc/>
    public void RepeatIndices(DeviceBuffer counts, Layout lc, DeviceBuffer dst)
    {
        var c = Data<long>(counts);
        var d = Data<long>(dst);
        int w = 0;
        for (int i = 0; i < lc.Numel; i++)
        {
            long r = c[lc.StorageIndexOfLinear(i)];
            for (long j = 0; j < r; j++) d[w++] = i;
        }
    }
}

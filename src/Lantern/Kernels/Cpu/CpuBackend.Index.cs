using System.Numerics;

namespace Lantern.Kernels;

// Index kernels on the CPU: slice-wise IndexSelect/IndexAdd, element-wise Gather/Scatter.
public sealed partial class CpuBackend : IIndexBackend
{
    /// <inheritdoc/>
    public void IndexSelect(DeviceBuffer src, Layout ls, int dim, DeviceBuffer index, Layout li, DeviceBuffer dst, Layout ld)
    {
        var idx = Data<long>(index);
        int n = li.Numel;
        if (ls.IsContiguous && ld.IsContiguous)
        {
            switch (src.DType)
            {
                case DType.Float32: IndexSelectContiguous(Data<float>(src), ls, dim, idx, li, Data<float>(dst), ld); return;
                case DType.Float64: IndexSelectContiguous(Data<double>(src), ls, dim, idx, li, Data<double>(dst), ld); return;
                case DType.Int64: IndexSelectContiguous(Data<long>(src), ls, dim, idx, li, Data<long>(dst), ld); return;
                case DType.UInt8: IndexSelectContiguous(Data<byte>(src), ls, dim, idx, li, Data<byte>(dst), ld); return;
                case DType.Bool: IndexSelectContiguous(Data<bool>(src), ls, dim, idx, li, Data<bool>(dst), ld); return;
            }
        }
        KernelThreads.For(n, Math.Max(1, (1 << 15) / Math.Max(1, ls.Numel / Math.Max(1, ls.Shape[dim]))), (a, b) =>
        {
            for (int j = a; j < b; j++)
            {
                int k = (int)idx[li.StorageIndexOfLinear(j)];
                Copy(src, ls.Select(dim, k), dst, ld.Select(dim, j));
            }
        });
    }

    // Both sides row-major: each selected slice is `outer` blocks of `inner` consecutive elements (block copies).
    private static void IndexSelectContiguous<T>(T[] s, Layout ls, int dim, long[] idx, Layout li, T[] d, Layout ld)
    {
        int n = li.Numel, size = ls.Shape[dim], outer = 1, inner = 1;
        for (int k = 0; k < dim; k++) outer *= ls.Shape[k];
        for (int k = dim + 1; k < ls.Rank; k++) inner *= ls.Shape[k];
        var rows = new int[n];
        for (int j = 0; j < n; j++) rows[j] = (int)idx[li.StorageIndexOfLinear(j)];
        int so = ls.Offset, dOff = ld.Offset;
        KernelThreads.For(outer * n, Math.Max(1, (1 << 16) / Math.Max(1, inner)), (a, b) =>
        {
            for (int t = a; t < b; t++)
            {
                int o = t / n, j = t - o * n;
                Array.Copy(s, so + ((long)o * size + rows[j]) * inner, d, dOff + (long)t * inner, inner);
            }
        });
    }

    /// <inheritdoc/>
    public void IndexAdd(DeviceBuffer dst, Layout ld, int dim, DeviceBuffer index, Layout li, DeviceBuffer src, Layout ls, double alpha)
    {
        var idx = Data<long>(index);
        int n = li.Numel;
        DeviceBuffer s = src;
        Layout lss = ls;
        if (alpha != 1)
        {
            s = AllocateUninitialized(src.DType, ls.Numel);
            lss = Layout.Contiguous(ls.Shape);
            var al = Allocate(src.DType, 1);
            Fill(al, Layout.Contiguous([]), alpha);
            Binary(BinaryOp.Mul, src, ls, al, Layout.Contiguous([]).Expand(ls.Shape.Raw), s, lss);
        }
        // Sequential over j so duplicate indices accumulate in order; each slice add is itself parallel.
        for (int j = 0; j < n; j++)
        {
            int k = (int)idx[li.StorageIndexOfLinear(j)];
            var dSlice = ld.Select(dim, k);
            Binary(BinaryOp.Add, dst, dSlice, s, lss.Select(dim, j), dst, dSlice);
        }
    }

    /// <inheritdoc/>
    public void Gather(DeviceBuffer src, Layout ls, int dim, DeviceBuffer index, Layout li, DeviceBuffer dst, Layout ld)
    {
        switch (src.DType)
        {
            case DType.Float32: GatherT(Data<float>(src), ls, dim, Data<long>(index), li, Data<float>(dst), ld); break;
            case DType.Float64: GatherT(Data<double>(src), ls, dim, Data<long>(index), li, Data<double>(dst), ld); break;
            case DType.Int64: GatherT(Data<long>(src), ls, dim, Data<long>(index), li, Data<long>(dst), ld); break;
            case DType.UInt8: GatherT(Data<byte>(src), ls, dim, Data<long>(index), li, Data<byte>(dst), ld); break;
            default: GatherT(Data<bool>(src), ls, dim, Data<long>(index), li, Data<bool>(dst), ld); break;
        }
    }

    private static void GatherT<T>(T[] s, Layout ls, int dim, long[] idx, Layout li, T[] d, Layout ld)
    {
        int rank = li.Rank, n = li.Numel;
        KernelThreads.For(n, 1 << 14, (a, b) =>
        {
            Span<int> pos = stackalloc int[Math.Max(rank, 1)];
            for (int i = a; i < b; i++)
            {
                Decompose(i, li.Shape.Dims, pos);
                int k = (int)idx[li.StorageIndex(pos)];
                int dOff = ld.StorageIndex(pos);
                pos[dim] = k;
                d[dOff] = s[ls.StorageIndex(pos)];
            }
        });
    }

    /// <inheritdoc/>
    public void Scatter(DeviceBuffer dst, Layout ld, int dim, DeviceBuffer index, Layout li, DeviceBuffer src, Layout ls, ScatterMode mode)
    {
        switch (dst.DType)
        {
            case DType.Float32: ScatterT(Data<float>(dst), ld, dim, Data<long>(index), li, Data<float>(src), ls, mode); break;
            case DType.Float64: ScatterT(Data<double>(dst), ld, dim, Data<long>(index), li, Data<double>(src), ls, mode); break;
            case DType.Int64: ScatterT(Data<long>(dst), ld, dim, Data<long>(index), li, Data<long>(src), ls, mode); break;
            case DType.UInt8: ScatterT(Data<byte>(dst), ld, dim, Data<long>(index), li, Data<byte>(src), ls, mode); break;
            default:
                if (mode != ScatterMode.Assign) throw new NotSupportedException($"Scatter {mode}: not defined for Bool.");
                ScatterT(AsBytes(dst).Data, ld, dim, Data<long>(index), li, AsBytes(src).Data, ls, mode);
                break;
        }
    }

    // Sequential: duplicate targets combine in index order (deterministic).
    private static void ScatterT<T>(T[] d, Layout ld, int dim, long[] idx, Layout li, T[] s, Layout ls, ScatterMode mode) where T : INumber<T>
    {
        int rank = li.Rank, n = li.Numel;
        Span<int> pos = stackalloc int[Math.Max(rank, 1)];
        for (int i = 0; i < n; i++)
        {
            Decompose(i, li.Shape.Dims, pos);
            int k = (int)idx[li.StorageIndex(pos)];
            T v = s[ls.StorageIndex(pos)];
            pos[dim] = k;
            ref T t = ref d[ld.StorageIndex(pos)];
            t = mode switch
            {
                ScatterMode.Assign => v,
                ScatterMode.Add => t + v,
                ScatterMode.Multiply => t * v,
                ScatterMode.Amax => T.IsNaN(t) || T.IsNaN(v) ? (T.IsNaN(t) ? t : v) : T.Max(t, v),
                _ => T.IsNaN(t) || T.IsNaN(v) ? (T.IsNaN(t) ? t : v) : T.Min(t, v),
            };
        }
    }

    private static void Decompose(int linear, ReadOnlySpan<int> sizes, Span<int> pos)
    {
        for (int d = sizes.Length - 1; d >= 0; d--)
        {
            pos[d] = linear % sizes[d];
            linear /= sizes[d];
        }
    }
}

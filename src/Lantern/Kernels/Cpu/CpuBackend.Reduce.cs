using System.Numerics;
using System.Numerics.Tensors;

namespace Lantern.Kernels;

// Reductions over dimension sets, arg-reductions and scans on the CPU.
public sealed partial class CpuBackend
{
    private const int ReduceBlock = 1 << 16; // fixed block size for full reductions: results never depend on the thread count

    private interface IReducer<T>
    {
        static abstract T Identity { get; }
        static abstract T Combine(T acc, T x);
        static abstract T Reduce(ReadOnlySpan<T> s);              // s non-empty
        static abstract void Accumulate(Span<T> acc, ReadOnlySpan<T> x); // acc[i] = Combine(acc[i], x[i])
    }

    private readonly struct SumReducer<T> : IReducer<T> where T : INumber<T>
    {
        public static T Identity => T.Zero;
        public static T Combine(T acc, T x) => acc + x;
        public static T Reduce(ReadOnlySpan<T> s) => TensorPrimitives.Sum(s);
        public static void Accumulate(Span<T> acc, ReadOnlySpan<T> x) => TensorPrimitives.Add(acc, x, acc);
    }

    private readonly struct ProdReducer<T> : IReducer<T> where T : INumber<T>
    {
        public static T Identity => T.One;
        public static T Combine(T acc, T x) => acc * x;
        public static T Reduce(ReadOnlySpan<T> s) => TensorPrimitives.Product(s);
        public static void Accumulate(Span<T> acc, ReadOnlySpan<T> x) => TensorPrimitives.Multiply(acc, x, acc);
    }

    private readonly struct MaxReducer<T> : IReducer<T> where T : INumber<T>
    {
        public static T Identity => throw new InvalidOperationException("max of an empty set");
        public static T Combine(T acc, T x) => T.Max(acc, x);
        public static T Reduce(ReadOnlySpan<T> s) => TensorPrimitives.Max(s);
        public static void Accumulate(Span<T> acc, ReadOnlySpan<T> x) => TensorPrimitives.Max(acc, x, acc);
    }

    private readonly struct MinReducer<T> : IReducer<T> where T : INumber<T>
    {
        public static T Identity => throw new InvalidOperationException("min of an empty set");
        public static T Combine(T acc, T x) => T.Min(acc, x);
        public static T Reduce(ReadOnlySpan<T> s) => TensorPrimitives.Min(s);
        public static void Accumulate(Span<T> acc, ReadOnlySpan<T> x) => TensorPrimitives.Min(acc, x, acc);
    }

    /// <summary>Splits a layout into its kept part (offset kept) and its reduced part (offset 0).</summary>
    private static (Layout kept, Layout red) SplitLayout(Layout ls, ReadOnlySpan<bool> reduce)
    {
        var ks = new List<int>(); var kst = new List<int>(); var rs = new List<int>(); var rst = new List<int>();
        for (int d = 0; d < ls.Rank; d++)
        {
            if (reduce[d]) { rs.Add(ls.Shape.Dims[d]); rst.Add(ls.Strides[d]); }
            else { ks.Add(ls.Shape.Dims[d]); kst.Add(ls.Strides[d]); }
        }
        return (Layout.Create(Shape.Wrap(ks.ToArray()), kst.ToArray(), ls.Offset), Layout.Create(Shape.Wrap(rs.ToArray()), rst.ToArray(), 0));
    }

    /// <inheritdoc/>
    public void Reduce(ReduceOp op, DeviceBuffer src, Layout ls, ReadOnlySpan<bool> reduce, DeviceBuffer dst)
    {
        if (op is ReduceOp.All or ReduceOp.Any)
        {
            // Logical reductions: test "nonzero" first, then reduce the Bool bytes with max/min.
            var nz = (CpuBuffer<bool>)Allocate(DType.Bool, ls.Numel);
            var lnz = Layout.Contiguous(ls.Shape);
            Predicate(PredicateOp.NonZero, src, ls, nz, lnz);
            var bytes = AsBytes(nz);
            var outBytes = AsBytes(dst);
            if (op == ReduceOp.All) ReduceT<byte, MinReducer<byte>>(bytes.Data, lnz, reduce, outBytes.Data);
            else ReduceT<byte, MaxReducer<byte>>(bytes.Data, lnz, reduce, outBytes.Data);
            return;
        }
        switch (src.DType)
        {
            case DType.Float32: ReduceTyped(op, Data<float>(src), ls, reduce, Data<float>(dst)); break;
            case DType.Float64: ReduceTyped(op, Data<double>(src), ls, reduce, Data<double>(dst)); break;
            case DType.Int64: ReduceTyped(op, Data<long>(src), ls, reduce, Data<long>(dst)); break;
            case DType.UInt8: ReduceTyped(op, Data<byte>(src), ls, reduce, Data<byte>(dst)); break;
            default: throw new NotSupportedException($"Reduce {op}: not defined for {src.DType}.");
        }
    }

    private static void ReduceTyped<T>(ReduceOp op, T[] s, Layout ls, ReadOnlySpan<bool> reduce, T[] d) where T : unmanaged, INumber<T>
    {
        switch (op)
        {
            case ReduceOp.Sum: ReduceT<T, SumReducer<T>>(s, ls, reduce, d); break;
            case ReduceOp.Prod: ReduceT<T, ProdReducer<T>>(s, ls, reduce, d); break;
            case ReduceOp.Max: ReduceT<T, MaxReducer<T>>(s, ls, reduce, d); break;
            default: ReduceT<T, MinReducer<T>>(s, ls, reduce, d); break;
        }
    }

    private static void ReduceT<T, TR>(T[] s, Layout ls, ReadOnlySpan<bool> reduce, T[] d) where T : unmanaged where TR : IReducer<T>
    {
        var (kept, red) = SplitLayout(ls, reduce);
        int nOut = kept.Numel, nRed = red.Numel;
        if (nOut == 0) return;
        if (nRed == 0) { Array.Fill(d, TR.Identity, 0, nOut); return; }

        if (red.IsContiguous && nOut == 1)
        {
            // Full reduction of one contiguous block: fixed-size blocks, partials combined in order.
            int blocks = (nRed + ReduceBlock - 1) / ReduceBlock;
            var partial = new T[blocks];
            int off = kept.Offset;
            KernelThreads.ForChunks(blocks, b =>
            {
                int start = b * ReduceBlock, len = Math.Min(ReduceBlock, nRed - start);
                partial[b] = TR.Reduce(new ReadOnlySpan<T>(s, off + start, len));
            });
            T acc = partial[0];
            for (int b = 1; b < blocks; b++) acc = TR.Combine(acc, partial[b]);
            d[0] = acc;
            return;
        }
        if (red.IsContiguous)
        {
            // Inner reduction: each output reduces one contiguous run.
            var keptLayout = kept;
            KernelThreads.For(nOut, Math.Max(1, (1 << 14) / nRed), (a, b) =>
            {
                for (int o = a; o < b; o++)
                    d[o] = TR.Reduce(new ReadOnlySpan<T>(s, keptLayout.StorageIndexOfLinear(o), nRed));
            });
            return;
        }
        if (kept.IsContiguous)
        {
            // Outer reduction: the kept block is contiguous; accumulate it once per reduced index.
            var redLayout = red;
            int baseOff = kept.Offset;
            KernelThreads.For(nOut, 4096, (a, b) =>
            {
                var acc = new Span<T>(d, a, b - a);
                new ReadOnlySpan<T>(s, baseOff + redLayout.StorageIndexOfLinear(0) + a, b - a).CopyTo(acc);
                for (int r = 1; r < nRed; r++)
                    TR.Accumulate(acc, new ReadOnlySpan<T>(s, baseOff + redLayout.StorageIndexOfLinear(r) + a, b - a));
            });
            return;
        }
        {
            // General strided reduction: each output walks its reduced elements.
            var keptLayout = kept;
            var redLayout = red;
            KernelThreads.For(nOut, Math.Max(1, (1 << 14) / nRed), (a, b) =>
            {
                for (int o = a; o < b; o++)
                {
                    int baseOff = keptLayout.StorageIndexOfLinear(o);
                    T acc = s[baseOff + redLayout.StorageIndexOfLinear(0)];
                    for (int r = 1; r < nRed; r++) acc = TR.Combine(acc, s[baseOff + redLayout.StorageIndexOfLinear(r)]);
                    d[o] = acc;
                }
            });
        }
    }

    /// <inheritdoc/>
    public void ArgReduce(bool max, DeviceBuffer src, Layout ls, int dim, DeviceBuffer values, DeviceBuffer indices)
    {
        switch (src.DType)
        {
            case DType.Float32: ArgReduceT(max, Data<float>(src), ls, dim, Data<float>(values), Data<long>(indices)); break;
            case DType.Float64: ArgReduceT(max, Data<double>(src), ls, dim, Data<double>(values), Data<long>(indices)); break;
            case DType.Int64: ArgReduceT(max, Data<long>(src), ls, dim, Data<long>(values), Data<long>(indices)); break;
            case DType.UInt8: ArgReduceT(max, Data<byte>(src), ls, dim, Data<byte>(values), Data<long>(indices)); break;
            default: ArgReduceT(max, AsBytes(src).Data, ls, dim, AsBytes(values).Data, Data<long>(indices)); break;
        }
    }

    private static void ArgReduceT<T>(bool max, T[] s, Layout ls, int dim, T[] v, long[] idx) where T : unmanaged, INumber<T>
    {
        Span<bool> red = stackalloc bool[ls.Rank];
        red[dim] = true;
        var (kept, _) = SplitLayout(ls, red);
        int n = ls.Shape.Dims[dim], st = ls.Strides[dim], nOut = kept.Numel;
        KernelThreads.For(nOut, Math.Max(1, (1 << 14) / Math.Max(n, 1)), (a, b) =>
        {
            for (int o = a; o < b; o++)
            {
                int off = kept.StorageIndexOfLinear(o);
                T best = s[off];
                int bi = 0;
                if (!T.IsNaN(best))
                {
                    for (int k = 1; k < n; k++)
                    {
                        T x = s[off + k * st];
                        if (T.IsNaN(x)) { best = x; bi = k; break; }
                        if (max ? x > best : x < best) { best = x; bi = k; }
                    }
                }
                v[o] = best;
                idx[o] = bi;
            }
        });
    }

    /// <inheritdoc/>
    public void Scan(bool product, DeviceBuffer src, Layout ls, int dim, DeviceBuffer dst)
    {
        switch (src.DType)
        {
            case DType.Float32: ScanT<float, double>(product, Data<float>(src), ls, dim, Data<float>(dst)); break;
            case DType.Float64: ScanT<double, double>(product, Data<double>(src), ls, dim, Data<double>(dst)); break;
            case DType.Int64: ScanT<long, long>(product, Data<long>(src), ls, dim, Data<long>(dst)); break;
            default: throw new NotSupportedException($"Scan: not defined for {src.DType}.");
        }
    }

    // PyTorch accumulates float cumsum/cumprod in double (acc_type on CPU).
    private static void ScanT<T, TAcc>(bool product, T[] s, Layout ls, int dim, T[] d)
        where T : unmanaged, INumber<T> where TAcc : unmanaged, INumber<TAcc>
    {
        Span<bool> red = stackalloc bool[ls.Rank];
        red[dim] = true;
        var (kept, _) = SplitLayout(ls, red);
        var outLayout = Layout.Contiguous(ls.Shape);
        var (keptOut, _) = SplitLayout(outLayout, red);
        int n = ls.Shape.Dims[dim], st = ls.Strides[dim], dst = outLayout.Strides[dim], nOut = kept.Numel;
        KernelThreads.For(nOut, Math.Max(1, (1 << 14) / Math.Max(n, 1)), (a, b) =>
        {
            for (int o = a; o < b; o++)
            {
                int so = kept.StorageIndexOfLinear(o), dOff = keptOut.StorageIndexOfLinear(o);
                TAcc acc = product ? TAcc.One : TAcc.Zero;
                for (int k = 0; k < n; k++)
                {
                    TAcc x = TAcc.CreateTruncating(s[so + k * st]);
                    acc = product ? acc * x : acc + x;
                    d[dOff + k * dst] = T.CreateTruncating(acc);
                }
            }
        });
    }
}

using System.Numerics;
using System.Runtime.CompilerServices;

namespace Lantern.Kernels;

// Unary, binary, compare, predicate and where on the CPU.
public sealed partial class CpuBackend
{
    private const int ElementwiseGrain = 1 << 15;

    /// <inheritdoc/>
    public void Unary(UnaryOp op, DeviceBuffer src, Layout ls, DeviceBuffer dst, Layout ld, double p0 = 0, double p1 = 0, double p2 = 0)
    {
        switch (src.DType)
        {
            case DType.Float32: UnaryT<float>(op, src, ls, dst, ld, (float)p0, (float)p1, (float)p2); break;
            case DType.Float64: UnaryT<double>(op, src, ls, dst, ld, p0, p1, p2); break;
            case DType.Int64: UnaryT<long>(op, src, ls, dst, ld, (long)p0, (long)p1, (long)p2); break;
            case DType.UInt8: UnaryT<byte>(op, src, ls, dst, ld, (byte)p0, (byte)p1, (byte)p2); break;
            default: throw new NotSupportedException($"Unary {op}: not defined for {src.DType}.");
        }
    }

    private void UnaryT<T>(UnaryOp op, DeviceBuffer src, Layout ls, DeviceBuffer dst, Layout ld, T p0, T p1, T p2) where T : unmanaged
    {
        var s = Data<T>(src);
        var d = Data<T>(dst);
        if (!ld.IsContiguous || !ld.IsNonOverlapping)
        {
            // Strided destination (in-place on a view): compute contiguously, then scatter.
            var tmp = (CpuBuffer<T>)AllocateUninitialized(src.DType, ls.Numel);
            var lt = Layout.Contiguous(ls.Shape);
            UnaryT(op, src, ls, tmp, lt, p0, p1, p2);
            Copy(tmp, lt, dst, ld);
            return;
        }
        int n = ld.Numel;
        int so = ls.Offset;
        if (!ls.IsContiguous)
        {
            Copy(src, ls, dst, ld);
            s = d;
            so = ld.Offset;
        }
        int doff = ld.Offset;
        KernelThreads.For(n, ElementwiseGrain, (a, b) =>
            ApplyUnary(op, new ReadOnlySpan<T>(s, so + a, b - a), new Span<T>(d, doff + a, b - a), p0, p1, p2));
    }

    private static void ApplyUnary<T>(UnaryOp op, ReadOnlySpan<T> x, Span<T> y, T p0, T p1, T p2) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
            UnaryKernels.ApplyFloating(op, Reinterpret<T, float>(x), Reinterpret<T, float>(y), Unsafe.As<T, float>(ref p0), Unsafe.As<T, float>(ref p1), Unsafe.As<T, float>(ref p2));
        else if (typeof(T) == typeof(double))
            UnaryKernels.ApplyFloating(op, Reinterpret<T, double>(x), Reinterpret<T, double>(y), Unsafe.As<T, double>(ref p0), Unsafe.As<T, double>(ref p1), Unsafe.As<T, double>(ref p2));
        else if (typeof(T) == typeof(long))
            UnaryKernels.ApplyInteger(op, Reinterpret<T, long>(x), Reinterpret<T, long>(y), Unsafe.As<T, long>(ref p0), Unsafe.As<T, long>(ref p1));
        else if (typeof(T) == typeof(byte))
            UnaryKernels.ApplyInteger(op, Reinterpret<T, byte>(x), Reinterpret<T, byte>(y), Unsafe.As<T, byte>(ref p0), Unsafe.As<T, byte>(ref p1));
    }

    private static ReadOnlySpan<TTo> Reinterpret<TFrom, TTo>(ReadOnlySpan<TFrom> s) where TFrom : unmanaged where TTo : unmanaged
        => System.Runtime.InteropServices.MemoryMarshal.Cast<TFrom, TTo>(s);

    private static Span<TTo> Reinterpret<TFrom, TTo>(Span<TFrom> s) where TFrom : unmanaged where TTo : unmanaged
        => System.Runtime.InteropServices.MemoryMarshal.Cast<TFrom, TTo>(s);

    // ---- Binary ----

    private readonly struct BinaryBody<T, TOp>(T[] a, T[] b, T[] d) : IRun3 where T : unmanaged where TOp : IBinaryOperator<T>
    {
        public void Run(int o0, int s0, int o1, int s1, int o2, int s2, int len) =>
            BinaryDriver.Apply<T, TOp>(ref At(a, o1), s1, ref At(b, o2), s2, ref At(d, o0), s0, len);
    }

    private static void Run<T, TOp>(DeviceBuffer a, Layout la, DeviceBuffer b, Layout lb, DeviceBuffer d, Layout ld)
        where T : unmanaged where TOp : IBinaryOperator<T>
        => Strided.Run(ld, la, lb, new BinaryBody<T, TOp>(Data<T>(a), Data<T>(b), Data<T>(d)), ElementwiseGrain);

    /// <inheritdoc/>
    public void Binary(BinaryOp op, DeviceBuffer a, Layout la, DeviceBuffer b, Layout lb, DeviceBuffer dst, Layout ld)
    {
        switch (a.DType)
        {
            case DType.Float32: BinaryFloat<float>(op, a, la, b, lb, dst, ld); break;
            case DType.Float64: BinaryFloat<double>(op, a, la, b, lb, dst, ld); break;
            case DType.Int64: BinaryInt<long>(op, a, la, b, lb, dst, ld); break;
            case DType.UInt8: BinaryInt<byte>(op, a, la, b, lb, dst, ld); break;
            default:
                // Bool: logical ops on the 0/1 bytes.
                BinaryInt<byte>(op switch
                {
                    BinaryOp.And or BinaryOp.Mul or BinaryOp.Minimum => BinaryOp.And,
                    BinaryOp.Or or BinaryOp.Add or BinaryOp.Maximum => BinaryOp.Or,
                    BinaryOp.Xor => BinaryOp.Xor,
                    _ => throw new NotSupportedException($"Binary {op}: not defined for Bool."),
                }, AsBytes(a), la, AsBytes(b), lb, AsBytes(dst), ld);
                break;
        }
    }

    private static CpuBuffer<byte> AsBytes(DeviceBuffer b) => new(Unsafe.As<byte[]>(Data<bool>(b)));

    private static void BinaryFloat<T>(BinaryOp op, DeviceBuffer a, Layout la, DeviceBuffer b, Layout lb, DeviceBuffer d, Layout ld)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case BinaryOp.Add: Run<T, AddOperator<T>>(a, la, b, lb, d, ld); break;
            case BinaryOp.Sub: Run<T, SubtractOperator<T>>(a, la, b, lb, d, ld); break;
            case BinaryOp.Mul: Run<T, MultiplyOperator<T>>(a, la, b, lb, d, ld); break;
            case BinaryOp.Div: Run<T, DivideOperator<T>>(a, la, b, lb, d, ld); break;
            case BinaryOp.FloorDiv: Run<T, FloatFloorDivideOperator<T>>(a, la, b, lb, d, ld); break;
            case BinaryOp.TruncDiv: Run<T, FloatTruncDivideOperator<T>>(a, la, b, lb, d, ld); break;
            case BinaryOp.Remainder: Run<T, RemainderOperator<T>>(a, la, b, lb, d, ld); break;
            case BinaryOp.Fmod: Run<T, FmodOperator<T>>(a, la, b, lb, d, ld); break;
            case BinaryOp.Pow: Run<T, PowOperator<T>>(a, la, b, lb, d, ld); break;
            case BinaryOp.Maximum: Run<T, MaximumOperator<T>>(a, la, b, lb, d, ld); break;
            case BinaryOp.Minimum: Run<T, MinimumOperator<T>>(a, la, b, lb, d, ld); break;
            case BinaryOp.Atan2: Run<T, Atan2Operator<T>>(a, la, b, lb, d, ld); break;
            default: throw new NotSupportedException($"Binary {op}: not defined for floating dtypes.");
        }
    }

    private static void BinaryInt<T>(BinaryOp op, DeviceBuffer a, Layout la, DeviceBuffer b, Layout lb, DeviceBuffer d, Layout ld)
        where T : unmanaged, IBinaryInteger<T>
    {
        switch (op)
        {
            case BinaryOp.Add: Run<T, AddOperator<T>>(a, la, b, lb, d, ld); break;
            case BinaryOp.Sub: Run<T, SubtractOperator<T>>(a, la, b, lb, d, ld); break;
            case BinaryOp.Mul: Run<T, IntMultiplyOperator<T>>(a, la, b, lb, d, ld); break;
            case BinaryOp.FloorDiv: Run<T, FloorDivideOperator<T>>(a, la, b, lb, d, ld); break;
            case BinaryOp.TruncDiv: Run<T, TruncDivideOperator<T>>(a, la, b, lb, d, ld); break;
            case BinaryOp.Remainder: Run<T, RemainderOperator<T>>(a, la, b, lb, d, ld); break;
            case BinaryOp.Fmod: Run<T, FmodOperator<T>>(a, la, b, lb, d, ld); break;
            case BinaryOp.Pow: Run<T, IntPowOperator<T>>(a, la, b, lb, d, ld); break;
            case BinaryOp.Maximum: Run<T, MaximumOperator<T>>(a, la, b, lb, d, ld); break;
            case BinaryOp.Minimum: Run<T, MinimumOperator<T>>(a, la, b, lb, d, ld); break;
            case BinaryOp.And: Run<T, AndOperator<T>>(a, la, b, lb, d, ld); break;
            case BinaryOp.Or: Run<T, OrOperator<T>>(a, la, b, lb, d, ld); break;
            case BinaryOp.Xor: Run<T, XorOperator<T>>(a, la, b, lb, d, ld); break;
            default: throw new NotSupportedException($"Binary {op}: not defined for integer dtypes.");
        }
    }
}

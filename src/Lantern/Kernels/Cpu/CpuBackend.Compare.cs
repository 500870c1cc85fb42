using System.Numerics;

namespace Lantern.Kernels;

// Comparisons, predicates and where on the CPU.
public sealed partial class CpuBackend
{
    private interface ICompare<T> { static abstract bool Invoke(T a, T b); }
    private readonly struct EqOp<T> : ICompare<T> where T : INumber<T> { public static bool Invoke(T a, T b) => a == b; }
    private readonly struct NeOp<T> : ICompare<T> where T : INumber<T> { public static bool Invoke(T a, T b) => a != b; }
    private readonly struct LtOp<T> : ICompare<T> where T : INumber<T> { public static bool Invoke(T a, T b) => a < b; }
    private readonly struct LeOp<T> : ICompare<T> where T : INumber<T> { public static bool Invoke(T a, T b) => a <= b; }
    private readonly struct GtOp<T> : ICompare<T> where T : INumber<T> { public static bool Invoke(T a, T b) => a > b; }
    private readonly struct GeOp<T> : ICompare<T> where T : INumber<T> { public static bool Invoke(T a, T b) => a >= b; }

    private readonly struct CompareBody<T, TOp>(T[] a, T[] b, bool[] d) : IRun3 where TOp : ICompare<T>
    {
        public void Run(int o0, int s0, int o1, int s1, int o2, int s2, int len)
        {
            for (int k = 0; k < len; k++) At(d, o0 + k * s0) = TOp.Invoke(At(a, o1 + k * s1), At(b, o2 + k * s2));
        }
    }

    /// <inheritdoc/>
    public void Compare(CompareOp op, DeviceBuffer a, Layout la, DeviceBuffer b, Layout lb, DeviceBuffer dst, Layout ld)
    {
        var d = Data<bool>(dst);
        switch (a.DType)
        {
            case DType.Float32: CompareT(op, Data<float>(a), la, Data<float>(b), lb, d, ld); break;
            case DType.Float64: CompareT(op, Data<double>(a), la, Data<double>(b), lb, d, ld); break;
            case DType.Int64: CompareT(op, Data<long>(a), la, Data<long>(b), lb, d, ld); break;
            case DType.UInt8: CompareT(op, Data<byte>(a), la, Data<byte>(b), lb, d, ld); break;
            default: CompareT(op, AsBytes(a).Data, la, AsBytes(b).Data, lb, d, ld); break;
        }
    }

    private static void CompareT<T>(CompareOp op, T[] a, Layout la, T[] b, Layout lb, bool[] d, Layout ld) where T : INumber<T>
    {
        switch (op)
        {
            case CompareOp.Eq: Strided.Run(ld, la, lb, new CompareBody<T, EqOp<T>>(a, b, d), ElementwiseGrain); break;
            case CompareOp.Ne: Strided.Run(ld, la, lb, new CompareBody<T, NeOp<T>>(a, b, d), ElementwiseGrain); break;
            case CompareOp.Lt: Strided.Run(ld, la, lb, new CompareBody<T, LtOp<T>>(a, b, d), ElementwiseGrain); break;
            case CompareOp.Le: Strided.Run(ld, la, lb, new CompareBody<T, LeOp<T>>(a, b, d), ElementwiseGrain); break;
            case CompareOp.Gt: Strided.Run(ld, la, lb, new CompareBody<T, GtOp<T>>(a, b, d), ElementwiseGrain); break;
            default: Strided.Run(ld, la, lb, new CompareBody<T, GeOp<T>>(a, b, d), ElementwiseGrain); break;
        }
    }

    private readonly struct PredicateBody<T>(PredicateOp op, T[] s, bool[] d) : IRun2 where T : INumber<T>
    {
        public void Run(int o0, int s0, int o1, int s1, int len)
        {
            for (int k = 0; k < len; k++)
            {
                T v = At(s, o1 + k * s1);
                At(d, o0 + k * s0) = op switch
                {
                    PredicateOp.IsNan => T.IsNaN(v),
                    PredicateOp.IsInf => T.IsInfinity(v),
                    PredicateOp.IsFinite => T.IsFinite(v),
                    PredicateOp.NonZero => v != T.Zero,
                    _ => v == T.Zero,
                };
            }
        }
    }

    /// <inheritdoc/>
    public void Predicate(PredicateOp op, DeviceBuffer src, Layout ls, DeviceBuffer dst, Layout ld)
    {
        var d = Data<bool>(dst);
        switch (src.DType)
        {
            case DType.Float32: Strided.Run(ld, ls, new PredicateBody<float>(op, Data<float>(src), d), ElementwiseGrain); break;
            case DType.Float64: Strided.Run(ld, ls, new PredicateBody<double>(op, Data<double>(src), d), ElementwiseGrain); break;
            case DType.Int64: Strided.Run(ld, ls, new PredicateBody<long>(op, Data<long>(src), d), ElementwiseGrain); break;
            case DType.UInt8: Strided.Run(ld, ls, new PredicateBody<byte>(op, Data<byte>(src), d), ElementwiseGrain); break;
            default: Strided.Run(ld, ls, new PredicateBody<byte>(op, AsBytes(src).Data, d), ElementwiseGrain); break;
        }
    }

    private readonly struct WhereBody<T>(bool[] c, T[] a, T[] b, T[] d) : IRun4
    {
        public void Run(int o0, int s0, int o1, int s1, int o2, int s2, int o3, int s3, int len)
        {
            for (int k = 0; k < len; k++)
                At(d, o0 + k * s0) = At(c, o1 + k * s1) ? At(a, o2 + k * s2) : At(b, o3 + k * s3);
        }
    }

    /// <inheritdoc/>
    public void Where(DeviceBuffer cond, Layout lc, DeviceBuffer a, Layout la, DeviceBuffer b, Layout lb, DeviceBuffer dst, Layout ld)
    {
        var c = Data<bool>(cond);
        switch (a.DType)
        {
            case DType.Float32: Strided.Run(ld, lc, la, lb, new WhereBody<float>(c, Data<float>(a), Data<float>(b), Data<float>(dst)), ElementwiseGrain); break;
            case DType.Float64: Strided.Run(ld, lc, la, lb, new WhereBody<double>(c, Data<double>(a), Data<double>(b), Data<double>(dst)), ElementwiseGrain); break;
            case DType.Int64: Strided.Run(ld, lc, la, lb, new WhereBody<long>(c, Data<long>(a), Data<long>(b), Data<long>(dst)), ElementwiseGrain); break;
            case DType.UInt8: Strided.Run(ld, lc, la, lb, new WhereBody<byte>(c, Data<byte>(a), Data<byte>(b), Data<byte>(dst)), ElementwiseGrain); break;
            default: Strided.Run(ld, lc, la, lb, new WhereBody<bool>(c, Data<bool>(a), Data<bool>(b), Data<bool>(dst)), ElementwiseGrain); break;
        }
    }
}

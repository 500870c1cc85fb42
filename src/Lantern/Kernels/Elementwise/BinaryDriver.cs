using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Lantern.Kernels;

/// <summary>
/// Runs an <see cref="IBinaryOperator{T}"/> over one run: d[k*sd] = op(x[k*sx], y[k*sy]) for k in [0, len).
/// Unit strides (and stride 0 for one input, a broadcast scalar) take the Vector512/256/128 paths when the
/// hardware has them; any other stride takes the scalar path.
/// </summary>
public static class BinaryDriver
{
    /// <summary>Applies the operator over one run.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Apply<T, TOp>(ref T x, int sx, ref T y, int sy, ref T d, int sd, int len)
        where T : unmanaged where TOp : IBinaryOperator<T>
    {
        if (TOp.Vectorizable && sd == 1)
        {
            if (sx == 1 && sy == 1) { Contiguous<T, TOp>(ref x, ref y, ref d, len); return; }
            if (sx == 1 && sy == 0) { ScalarRight<T, TOp>(ref x, y, ref d, len); return; }
            if (sx == 0 && sy == 1) { ScalarLeft<T, TOp>(x, ref y, ref d, len); return; }
        }
        for (int k = 0; k < len; k++)
            Unsafe.Add(ref d, k * sd) = TOp.Invoke(Unsafe.Add(ref x, k * sx), Unsafe.Add(ref y, k * sy));
    }

    /// <summary>Span form: d = op(x, y), all the same length.</summary>
    public static void Apply<T, TOp>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d)
        where T : unmanaged where TOp : IBinaryOperator<T>
    {
        if (x.Length != d.Length || y.Length != d.Length)
            throw new ArgumentException($"BinaryDriver.Apply: lengths {x.Length}, {y.Length}, {d.Length} differ.");
        Apply<T, TOp>(ref MemoryMarshal.GetReference(x), 1, ref MemoryMarshal.GetReference(y), 1, ref MemoryMarshal.GetReference(d), 1, d.Length);
    }

    private static void Contiguous<T, TOp>(ref T x, ref T y, ref T d, int len) where T : unmanaged where TOp : IBinaryOperator<T>
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
        {
            int w = Vector512<T>.Count;
            for (; i <= len - w; i += w)
                TOp.Invoke(Vector512.LoadUnsafe(ref x, (nuint)i), Vector512.LoadUnsafe(ref y, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
        }
        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
        {
            int w = Vector256<T>.Count;
            for (; i <= len - w; i += w)
                TOp.Invoke(Vector256.LoadUnsafe(ref x, (nuint)i), Vector256.LoadUnsafe(ref y, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
        }
        if (Vector128.IsHardwareAccelerated && Vector128<T>.IsSupported)
        {
            int w = Vector128<T>.Count;
            for (; i <= len - w; i += w)
                TOp.Invoke(Vector128.LoadUnsafe(ref x, (nuint)i), Vector128.LoadUnsafe(ref y, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
        }
        for (; i < len; i++) Unsafe.Add(ref d, i) = TOp.Invoke(Unsafe.Add(ref x, i), Unsafe.Add(ref y, i));
    }

    private static void ScalarRight<T, TOp>(ref T x, T y, ref T d, int len) where T : unmanaged where TOp : IBinaryOperator<T>
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
        {
            int w = Vector512<T>.Count;
            var vy = Vector512.Create(y);
            for (; i <= len - w; i += w) TOp.Invoke(Vector512.LoadUnsafe(ref x, (nuint)i), vy).StoreUnsafe(ref d, (nuint)i);
        }
        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
        {
            int w = Vector256<T>.Count;
            var vy = Vector256.Create(y);
            for (; i <= len - w; i += w) TOp.Invoke(Vector256.LoadUnsafe(ref x, (nuint)i), vy).StoreUnsafe(ref d, (nuint)i);
        }
        if (Vector128.IsHardwareAccelerated && Vector128<T>.IsSupported)
        {
            int w = Vector128<T>.Count;
            var vy = Vector128.Create(y);
            for (; i <= len - w; i += w) TOp.Invoke(Vector128.LoadUnsafe(ref x, (nuint)i), vy).StoreUnsafe(ref d, (nuint)i);
        }
        for (; i < len; i++) Unsafe.Add(ref d, i) = TOp.Invoke(Unsafe.Add(ref x, i), y);
    }

    private static void ScalarLeft<T, TOp>(T x, ref T y, ref T d, int len) where T : unmanaged where TOp : IBinaryOperator<T>
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
        {
            int w = Vector512<T>.Count;
            var vx = Vector512.Create(x);
            for (; i <= len - w; i += w) TOp.Invoke(vx, Vector512.LoadUnsafe(ref y, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
        }
        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
        {
            int w = Vector256<T>.Count;
            var vx = Vector256.Create(x);
            for (; i <= len - w; i += w) TOp.Invoke(vx, Vector256.LoadUnsafe(ref y, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
        }
        if (Vector128.IsHardwareAccelerated && Vector128<T>.IsSupported)
        {
            int w = Vector128<T>.Count;
            var vx = Vector128.Create(x);
            for (; i <= len - w; i += w) TOp.Invoke(vx, Vector128.LoadUnsafe(ref y, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
        }
        for (; i < len; i++) Unsafe.Add(ref d, i) = TOp.Invoke(x, Unsafe.Add(ref y, i));
    }
}

using System.Runtime.CompilerServices;

namespace Lantern.Kernels;

/// <summary>Element conversions with PyTorch's cast semantics (C++ static_cast; to bool is "nonzero", NaN is true).</summary>
public static class Cast
{
    /// <summary>Converts one element.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TD To<TS, TD>(TS v) where TS : unmanaged where TD : unmanaged
    {
        if (typeof(TS) == typeof(TD)) return Unsafe.As<TS, TD>(ref v);
        if (typeof(TD) == typeof(bool)) { bool b = ToDouble(v) != 0; return Unsafe.As<bool, TD>(ref b); }
        if (typeof(TD) == typeof(double)) { double d = ToDouble(v); return Unsafe.As<double, TD>(ref d); }
        if (typeof(TD) == typeof(float))
        {
            float f = typeof(TS) == typeof(long) ? (float)Unsafe.As<TS, long>(ref v) : (float)ToDouble(v);
            return Unsafe.As<float, TD>(ref f);
        }
        if (typeof(TD) == typeof(long)) { long l = ToLong(v); return Unsafe.As<long, TD>(ref l); }
        if (typeof(TD) == typeof(byte)) { byte b = unchecked((byte)ToLong(v)); return Unsafe.As<byte, TD>(ref b); }
        throw new NotSupportedException($"Cast: {typeof(TS).Name} -> {typeof(TD).Name}.");
    }

    /// <summary>The element as a double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ToDouble<T>(T v) where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return Unsafe.As<T, float>(ref v);
        if (typeof(T) == typeof(double)) return Unsafe.As<T, double>(ref v);
        if (typeof(T) == typeof(long)) return Unsafe.As<T, long>(ref v);
        if (typeof(T) == typeof(byte)) return Unsafe.As<T, byte>(ref v);
        if (typeof(T) == typeof(bool)) return Unsafe.As<T, bool>(ref v) ? 1 : 0;
        throw new NotSupportedException($"Cast.ToDouble: {typeof(T).Name}.");
    }

    /// <summary>The element as a long (floating values truncated toward zero).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long ToLong<T>(T v) where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return (long)Unsafe.As<T, float>(ref v);
        if (typeof(T) == typeof(double)) return (long)Unsafe.As<T, double>(ref v);
        if (typeof(T) == typeof(long)) return Unsafe.As<T, long>(ref v);
        if (typeof(T) == typeof(byte)) return Unsafe.As<T, byte>(ref v);
        if (typeof(T) == typeof(bool)) return Unsafe.As<T, bool>(ref v) ? 1 : 0;
        throw new NotSupportedException($"Cast.ToLong: {typeof(T).Name}.");
    }

    /// <summary>A double converted to T (as a Python float would be cast).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T FromDouble<T>(double v) where T : unmanaged => To<double, T>(v);
}

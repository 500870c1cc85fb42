using System.Numerics;
using System.Runtime.Intrinsics;

namespace Lantern.Kernels;

/// <summary>Base of operators that only have a scalar path (the drivers never call the vector members).</summary>
public static class ScalarOnly
{
    internal static Exception NoVector() => new NotSupportedException("scalar-only operator");
}

/// <summary>torch.pow(x, y) = x^y with C pow semantics (negative base with integral exponent is finite).</summary>
public readonly struct PowOperator<T> : IBinaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    public static bool Vectorizable => false;
    /// <inheritdoc/>
    public static T Invoke(T x, T y) => T.Pow(x, y);
    /// <inheritdoc/>
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => throw ScalarOnly.NoVector();
    /// <inheritdoc/>
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => throw ScalarOnly.NoVector();
    /// <inheritdoc/>
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => throw ScalarOnly.NoVector();
}

/// <summary>Integer power by squaring; negative exponents give 0 except for bases 1 and -1 (PyTorch's rule raises for them; Tensor checks).</summary>
public readonly struct IntPowOperator<T> : IBinaryOperator<T> where T : unmanaged, IBinaryInteger<T>
{
    /// <inheritdoc/>
    public static bool Vectorizable => false;
    /// <inheritdoc/>
    public static T Invoke(T x, T y)
    {
        if (T.IsNegative(y))
        {
            if (x == T.One) return T.One;
            if (x == T.Zero - T.One) return T.IsEvenInteger(y) ? T.One : x;
            return T.Zero;
        }
        T r = T.One, b = x;
        while (y != T.Zero)
        {
            if (T.IsOddInteger(y)) r *= b;
            b *= b;
            y >>= 1;
        }
        return r;
    }
    /// <inheritdoc/>
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => throw ScalarOnly.NoVector();
    /// <inheritdoc/>
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => throw ScalarOnly.NoVector();
    /// <inheritdoc/>
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => throw ScalarOnly.NoVector();
}

/// <summary>Integer division rounded toward negative infinity (torch.div(rounding_mode='floor') on integers).</summary>
public readonly struct FloorDivideOperator<T> : IBinaryOperator<T> where T : unmanaged, IBinaryInteger<T>
{
    /// <inheritdoc/>
    public static bool Vectorizable => false;
    /// <inheritdoc/>
    public static T Invoke(T x, T y)
    {
        T q = x / y;
        if ((x % y != T.Zero) && (T.IsNegative(x) != T.IsNegative(y))) q -= T.One;
        return q;
    }
    /// <inheritdoc/>
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => throw ScalarOnly.NoVector();
    /// <inheritdoc/>
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => throw ScalarOnly.NoVector();
    /// <inheritdoc/>
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => throw ScalarOnly.NoVector();
}

/// <summary>Floating division rounded toward negative infinity, PyTorch's div_floor_floating (from fmod, so x == q*y + r).</summary>
public readonly struct FloatFloorDivideOperator<T> : IBinaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    public static bool Vectorizable => false;
    /// <inheritdoc/>
    public static T Invoke(T x, T y)
    {
        if (y == T.Zero) return x / y;
        T mod = x % y;
        T div = (x - mod) / y;
        if (mod != T.Zero && (y < T.Zero) != (mod < T.Zero)) div -= T.One;
        if (div == T.Zero) return T.CopySign(T.Zero, x / y);
        T floordiv = T.Floor(div);
        if (div - floordiv > T.CreateTruncating(0.5)) floordiv += T.One;
        return floordiv;
    }
    /// <inheritdoc/>
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => throw ScalarOnly.NoVector();
    /// <inheritdoc/>
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => throw ScalarOnly.NoVector();
    /// <inheritdoc/>
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => throw ScalarOnly.NoVector();
}

/// <summary>Integer division rounded toward zero (C division).</summary>
public readonly struct TruncDivideOperator<T> : IBinaryOperator<T> where T : unmanaged, IBinaryInteger<T>
{
    /// <inheritdoc/>
    public static bool Vectorizable => false;
    /// <inheritdoc/>
    public static T Invoke(T x, T y) => x / y;
    /// <inheritdoc/>
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => throw ScalarOnly.NoVector();
    /// <inheritdoc/>
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => throw ScalarOnly.NoVector();
    /// <inheritdoc/>
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => throw ScalarOnly.NoVector();
}

/// <summary>Floating division rounded toward zero: trunc(x / y).</summary>
public readonly struct FloatTruncDivideOperator<T> : IBinaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    public static bool Vectorizable => false;
    /// <inheritdoc/>
    public static T Invoke(T x, T y) => T.Truncate(x / y);
    /// <inheritdoc/>
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => throw ScalarOnly.NoVector();
    /// <inheritdoc/>
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => throw ScalarOnly.NoVector();
    /// <inheritdoc/>
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => throw ScalarOnly.NoVector();
}

/// <summary>torch.remainder: x - floor(x / y) * y (result has the sign of y).</summary>
public readonly struct RemainderOperator<T> : IBinaryOperator<T> where T : unmanaged, INumber<T>
{
    /// <inheritdoc/>
    public static bool Vectorizable => false;
    /// <inheritdoc/>
    public static T Invoke(T x, T y)
    {
        T r = x % y;
        if (r != T.Zero && (T.IsNegative(r) != T.IsNegative(y))) r += y;
        return r;
    }
    /// <inheritdoc/>
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => throw ScalarOnly.NoVector();
    /// <inheritdoc/>
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => throw ScalarOnly.NoVector();
    /// <inheritdoc/>
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => throw ScalarOnly.NoVector();
}

/// <summary>torch.fmod: C fmod (result has the sign of x).</summary>
public readonly struct FmodOperator<T> : IBinaryOperator<T> where T : unmanaged, INumber<T>
{
    /// <inheritdoc/>
    public static bool Vectorizable => false;
    /// <inheritdoc/>
    public static T Invoke(T x, T y) => x % y;
    /// <inheritdoc/>
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => throw ScalarOnly.NoVector();
    /// <inheritdoc/>
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => throw ScalarOnly.NoVector();
    /// <inheritdoc/>
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => throw ScalarOnly.NoVector();
}

/// <summary>Integer multiply, scalar path only.</summary>
public readonly struct IntMultiplyOperator<T> : IBinaryOperator<T> where T : unmanaged, INumber<T>
{
    /// <inheritdoc/>
    public static bool Vectorizable => false;
    /// <inheritdoc/>
    public static T Invoke(T x, T y) => x * y;
    /// <inheritdoc/>
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => throw ScalarOnly.NoVector();
    /// <inheritdoc/>
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => throw ScalarOnly.NoVector();
    /// <inheritdoc/>
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => throw ScalarOnly.NoVector();
}

/// <summary>atan2(y = x, x = y): the angle of (y, x) as torch.atan2(input, other).</summary>
public readonly struct Atan2Operator<T> : IBinaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    public static bool Vectorizable => false;
    /// <inheritdoc/>
    public static T Invoke(T x, T y) => T.Atan2(x, y);
    /// <inheritdoc/>
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => throw ScalarOnly.NoVector();
    /// <inheritdoc/>
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => throw ScalarOnly.NoVector();
    /// <inheritdoc/>
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => throw ScalarOnly.NoVector();
}

using System.Numerics;
using System.Runtime.Intrinsics;

namespace Lantern.Kernels;

/// <summary>
/// An elementwise binary operator in the TensorPrimitives pattern: a scalar path and Vector128/256/512 paths
/// that must agree. <see cref="Vectorizable"/> false means only the scalar path is used.
/// </summary>
public interface IBinaryOperator<T> where T : unmanaged
{
    /// <summary>Whether the vector paths are implemented for T.</summary>
    static abstract bool Vectorizable { get; }
    /// <summary>Scalar path.</summary>
    static abstract T Invoke(T x, T y);
    /// <summary>128-bit path.</summary>
    static abstract Vector128<T> Invoke(Vector128<T> x, Vector128<T> y);
    /// <summary>256-bit path.</summary>
    static abstract Vector256<T> Invoke(Vector256<T> x, Vector256<T> y);
    /// <summary>512-bit path.</summary>
    static abstract Vector512<T> Invoke(Vector512<T> x, Vector512<T> y);
}

/// <summary>x + y.</summary>
public readonly struct AddOperator<T> : IBinaryOperator<T> where T : unmanaged, INumberBase<T>
{
    /// <inheritdoc/>
    public static bool Vectorizable => true;
    /// <inheritdoc/>
    public static T Invoke(T x, T y) => x + y;
    /// <inheritdoc/>
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => x + y;
    /// <inheritdoc/>
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => x + y;
    /// <inheritdoc/>
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => x + y;
}

/// <summary>x - y.</summary>
public readonly struct SubtractOperator<T> : IBinaryOperator<T> where T : unmanaged, INumberBase<T>
{
    /// <inheritdoc/>
    public static bool Vectorizable => true;
    /// <inheritdoc/>
    public static T Invoke(T x, T y) => x - y;
    /// <inheritdoc/>
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => x - y;
    /// <inheritdoc/>
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => x - y;
    /// <inheritdoc/>
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => x - y;
}

/// <summary>x * y (integer multiply has no 64-bit vector form before AVX-512DQ; the vector paths use the JIT's lowering).</summary>
public readonly struct MultiplyOperator<T> : IBinaryOperator<T> where T : unmanaged, INumberBase<T>
{
    /// <inheritdoc/>
    public static bool Vectorizable => typeof(T) == typeof(float) || typeof(T) == typeof(double);
    /// <inheritdoc/>
    public static T Invoke(T x, T y) => x * y;
    /// <inheritdoc/>
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => x * y;
    /// <inheritdoc/>
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => x * y;
    /// <inheritdoc/>
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => x * y;
}

/// <summary>x / y (floating types; integer division is handled by the floor/trunc operators).</summary>
public readonly struct DivideOperator<T> : IBinaryOperator<T> where T : unmanaged, INumberBase<T>
{
    /// <inheritdoc/>
    public static bool Vectorizable => typeof(T) == typeof(float) || typeof(T) == typeof(double);
    /// <inheritdoc/>
    public static T Invoke(T x, T y) => x / y;
    /// <inheritdoc/>
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => x / y;
    /// <inheritdoc/>
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => x / y;
    /// <inheritdoc/>
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => x / y;
}

/// <summary>torch.maximum: the larger value; NaN if either is NaN (IEEE 754-2019 maximum).</summary>
public readonly struct MaximumOperator<T> : IBinaryOperator<T> where T : unmanaged, INumber<T>
{
    /// <inheritdoc/>
    public static bool Vectorizable => true;
    /// <inheritdoc/>
    public static T Invoke(T x, T y) => T.Max(x, y);
    /// <inheritdoc/>
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => Vector128.Max(x, y);
    /// <inheritdoc/>
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => Vector256.Max(x, y);
    /// <inheritdoc/>
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => Vector512.Max(x, y);
}

/// <summary>torch.minimum: the smaller value; NaN if either is NaN.</summary>
public readonly struct MinimumOperator<T> : IBinaryOperator<T> where T : unmanaged, INumber<T>
{
    /// <inheritdoc/>
    public static bool Vectorizable => true;
    /// <inheritdoc/>
    public static T Invoke(T x, T y) => T.Min(x, y);
    /// <inheritdoc/>
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => Vector128.Min(x, y);
    /// <inheritdoc/>
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => Vector256.Min(x, y);
    /// <inheritdoc/>
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => Vector512.Min(x, y);
}

/// <summary>Bitwise and (logical and for 0/1 bytes).</summary>
public readonly struct AndOperator<T> : IBinaryOperator<T> where T : unmanaged, IBinaryInteger<T>
{
    /// <inheritdoc/>
    public static bool Vectorizable => true;
    /// <inheritdoc/>
    public static T Invoke(T x, T y) => x & y;
    /// <inheritdoc/>
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => x & y;
    /// <inheritdoc/>
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => x & y;
    /// <inheritdoc/>
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => x & y;
}

/// <summary>Bitwise or.</summary>
public readonly struct OrOperator<T> : IBinaryOperator<T> where T : unmanaged, IBinaryInteger<T>
{
    /// <inheritdoc/>
    public static bool Vectorizable => true;
    /// <inheritdoc/>
    public static T Invoke(T x, T y) => x | y;
    /// <inheritdoc/>
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => x | y;
    /// <inheritdoc/>
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => x | y;
    /// <inheritdoc/>
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => x | y;
}

/// <summary>Bitwise xor.</summary>
public readonly struct XorOperator<T> : IBinaryOperator<T> where T : unmanaged, IBinaryInteger<T>
{
    /// <inheritdoc/>
    public static bool Vectorizable => true;
    /// <inheritdoc/>
    public static T Invoke(T x, T y) => x ^ y;
    /// <inheritdoc/>
    public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => x ^ y;
    /// <inheritdoc/>
    public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => x ^ y;
    /// <inheritdoc/>
    public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => x ^ y;
}

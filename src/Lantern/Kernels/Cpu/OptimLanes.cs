using System.Numerics;
using System.Runtime.CompilerServices;

namespace Lantern.Kernels;

/// <summary>
/// One lane of an optimiser update: a scalar T or a <see cref="Vector{T}"/>. Each update rule is written once
/// against this interface and runs vectorised over the body and scalar over the tail; every operation is an
/// IEEE-754 correctly rounded op (no fused multiply-add), so both paths give identical bits.
/// </summary>
internal interface ILane<TSelf, T>
    where TSelf : struct, ILane<TSelf, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    static abstract int Width { get; }
    static abstract TSelf Load(ref T src, nint i);
    static abstract void Store(TSelf v, ref T dst, nint i);
    static abstract TSelf Splat(T s);
    static abstract TSelf operator +(TSelf a, TSelf b);
    static abstract TSelf operator -(TSelf a, TSelf b);
    static abstract TSelf operator *(TSelf a, TSelf b);
    static abstract TSelf operator /(TSelf a, TSelf b);
    static abstract TSelf operator -(TSelf a);
    static abstract TSelf Sqrt(TSelf a);
    static abstract TSelf Abs(TSelf a);

    /// <summary>a &gt; b ? a : b, NaN when either is NaN (torch.maximum).</summary>
    static abstract TSelf Max(TSelf a, TSelf b);
}

internal readonly struct ScalarLane<T>(T v) : ILane<ScalarLane<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T _v = v;

    public static int Width => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> Load(ref T src, nint i) => new(Unsafe.Add(ref src, i));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(ScalarLane<T> v, ref T dst, nint i) => Unsafe.Add(ref dst, i) = v._v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> Splat(T s) => new(s);

    public static ScalarLane<T> operator +(ScalarLane<T> a, ScalarLane<T> b) => new(a._v + b._v);
    public static ScalarLane<T> operator -(ScalarLane<T> a, ScalarLane<T> b) => new(a._v - b._v);
    public static ScalarLane<T> operator *(ScalarLane<T> a, ScalarLane<T> b) => new(a._v * b._v);
    public static ScalarLane<T> operator /(ScalarLane<T> a, ScalarLane<T> b) => new(a._v / b._v);
    public static ScalarLane<T> operator -(ScalarLane<T> a) => new(-a._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> Sqrt(ScalarLane<T> a) => new(T.Sqrt(a._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> Abs(ScalarLane<T> a) => new(T.Abs(a._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane<T> Max(ScalarLane<T> a, ScalarLane<T> b) =>
        new(T.IsNaN(a._v) || T.IsNaN(b._v) ? a._v + b._v : a._v > b._v ? a._v : b._v);
}

internal readonly struct VectorLane<T>(Vector<T> v) : ILane<VectorLane<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector<T> _v = v;

    public static int Width => Vector<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> Load(ref T src, nint i) => new(Vector.LoadUnsafe(ref src, (nuint)i));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(VectorLane<T> v, ref T dst, nint i) => v._v.StoreUnsafe(ref dst, (nuint)i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> Splat(T s) => new(new Vector<T>(s));

    public static VectorLane<T> operator +(VectorLane<T> a, VectorLane<T> b) => new(a._v + b._v);
    public static VectorLane<T> operator -(VectorLane<T> a, VectorLane<T> b) => new(a._v - b._v);
    public static VectorLane<T> operator *(VectorLane<T> a, VectorLane<T> b) => new(a._v * b._v);
    public static VectorLane<T> operator /(VectorLane<T> a, VectorLane<T> b) => new(a._v / b._v);
    public static VectorLane<T> operator -(VectorLane<T> a) => new(-a._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> Sqrt(VectorLane<T> a) => new(Vector.SquareRoot(a._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> Abs(VectorLane<T> a) => new(Vector.Abs(a._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane<T> Max(VectorLane<T> a, VectorLane<T> b)
    {
        var greater = Vector.ConditionalSelect(Vector.GreaterThan(a._v, b._v), a._v, b._v);
        var ordered = Vector.Equals(a._v, a._v) & Vector.Equals(b._v, b._v);
        return new(Vector.ConditionalSelect(ordered, greater, a._v + b._v));
    }
}

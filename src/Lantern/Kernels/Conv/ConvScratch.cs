using System.Numerics;
using System.Runtime.CompilerServices;

namespace Lantern.Kernels;

/// <summary>
/// Per-thread pinned scratch for the convolution kernels (column tiles, partial weight gradients). Each thread
/// keeps one buffer per slot and element type and grows it on demand, so steady-state training allocates nothing.
/// </summary>
internal static unsafe class ConvScratch<T> where T : unmanaged
{
    [ThreadStatic] private static T[]?[]? t_slots;

    /// <summary>A pinned buffer of at least <paramref name="length"/> elements owned by the calling thread (contents unspecified).</summary>
    public static T* Get(int slot, long length)
    {
        var slots = t_slots ??= new T[]?[4];
        var a = slots[slot];
        if (a is null || a.Length < length)
        {
            a = GC.AllocateUninitializedArray<T>((int)Math.Max(length, 64), pinned: true);
            slots[slot] = a;
        }
        return (T*)Unsafe.AsPointer(ref a[0]);
    }
}

/// <summary>Small SIMD helpers on raw pointers shared by the direct convolution loops.</summary>
internal static unsafe class ConvVec<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>y[i] += a * x[i] for i &lt; n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Axpy(T* x, T a, T* y, int n)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<T>.Count)
        {
            var va = new Vector<T>(a);
            for (; i <= n - Vector<T>.Count; i += Vector<T>.Count)
            {
                var vy = Vector.Load(y + i);
                Vector.Store(vy + va * Vector.Load(x + i), y + i);
            }
        }
        for (; i < n; i++) y[i] += a * x[i];
    }

    /// <summary>sum of x[i] * y[i] for i &lt; n (fixed order for a given n and machine).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Dot(T* x, T* y, int n)
    {
        int i = 0;
        T s = T.Zero;
        if (Vector.IsHardwareAccelerated && n >= Vector<T>.Count)
        {
            var acc = Vector<T>.Zero;
            for (; i <= n - Vector<T>.Count; i += Vector<T>.Count) acc += Vector.Load(x + i) * Vector.Load(y + i);
            s = Vector.Sum(acc);
        }
        for (; i < n; i++) s += x[i] * y[i];
        return s;
    }
}

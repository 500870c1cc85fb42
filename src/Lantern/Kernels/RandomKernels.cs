using System.Runtime.CompilerServices;

namespace Lantern.Kernels;

/// <summary>
/// Counter-based random numbers: element i of a draw at stream position p is a pure function of
/// (seed, p + i) through the SplitMix64 finaliser, so results are identical whatever the thread count and
/// however the work is split. Uniform draws consume n counters, normal draws 2n (Box-Muller).
/// </summary>
public static class RandomKernels
{
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;

    /// <summary>The 64-bit random word at counter position <paramref name="counter"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Word(ulong seed, ulong counter)
    {
        ulong z = seed + (counter + 1) * Gamma;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Uniform(ulong seed, ulong counter) => (Word(seed, counter) >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform float in [0, 1) with 24 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float UniformFloat(ulong seed, ulong counter) => (Word(seed, counter) >> 40) * (1.0f / (1 << 24));

    /// <summary>Standard normal from counters 2c and 2c+1 (Box-Muller; u1 in (0, 1]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Normal(ulong seed, ulong counter)
    {
        double u1 = 1.0 - Uniform(seed, 2 * counter);
        double u2 = Uniform(seed, 2 * counter + 1);
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Fills d with uniform [lo, hi) or normal(mean lo, std hi) values from stream position offset.</summary>
    public static void Fill<T>(bool normal, T[] d, ulong seed, ulong offset, double lo, double hi) where T : unmanaged
    {
        KernelThreads.For(d.Length, 1 << 14, (a, b) =>
        {
            for (int i = a; i < b; i++)
            {
                ulong c = offset + (ulong)i;
                double v;
                if (normal) v = lo + hi * Normal(seed, offset / 2 + (ulong)i);
                else if (typeof(T) == typeof(float))
                {
                    // Computed in float so that the result stays strictly below hi.
                    float f = (float)lo + ((float)hi - (float)lo) * UniformFloat(seed, c);
                    if (f >= (float)hi) f = MathF.BitDecrement((float)hi);
                    d[i] = Unsafe.As<float, T>(ref f);
                    continue;
                }
                else v = lo + (hi - lo) * Uniform(seed, c);
                d[i] = Cast.FromDouble<T>(v);
            }
        });
    }
}

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lantern.Kernels;

/// <summary>
/// The packing transpose: dst[p * ld + i] = src[i * stride + p] for i &lt; ld, p &lt; kc, that is ld source runs
/// (rows of a row-major A, columns of a column-major B), each contiguous in k, interleaved into k-major order.
/// With AVX it works on 8 x 8 (float) or 4 x 4 (double) register transposes instead of one element at a time.
/// </summary>
internal static unsafe class GemmTranspose<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// Transposes a full panel. With <paramref name="spill"/> it may write up to 8 elements past dst[kc * ld - 1]
    /// (the next panel's start, packed later by the same thread, or the buffer's slack); without, it never writes
    /// outside the panel. Everything inside the panel is final on return. The first <paramref name="nextRuns"/>
    /// runs of the next panel (src + ld * stride on) are prefetched along the way: runs are only kc long, too
    /// short for the hardware prefetcher to ramp up.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Panel(T* src, nint stride, int kc, T* dst, int ld, bool spill, int nextRuns)
    {
        int p = 0;
        // A partial register group spills into the next k step; keep one scalar step after the last block
        // to absorb it when the panel may not spill.
        int width = typeof(T) == typeof(float) ? 8 : 4;
        int vectorKc = spill || ld % width == 0 ? kc : kc - 1;
        if (Avx.IsSupported && typeof(T) == typeof(float))
            p = Float8((float*)src, stride, vectorKc, (float*)dst, ld, nextRuns);
        else if (Avx.IsSupported && typeof(T) == typeof(double))
            p = Double4((double*)src, stride, vectorKc, (double*)dst, ld, nextRuns);
        for (; p < kc; p++)
        {
            T* d = dst + p * ld;
            for (int i = 0; i < ld; i++) d[i] = src[i * stride + p];
        }
    }

    /// <summary>
    /// 8 x 8 blocks; returns the number of k steps done. Row groups are handled last to first: a partial last
    /// group stores whole vectors whose extra lanes spill into the next k step's first slots, which the full
    /// groups (or the next block, or the scalar tail) then overwrite.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Float8(float* src, nint stride, int kc, float* dst, int ld, int nextRuns)
    {
        int groups = (ld + 7) / 8;
        int p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            if ((p & 15) == 0) PrefetchNext(src + ld * stride + p, stride, nextRuns, p + 16 >= kc ? kc - p - 1 : 0);
            for (int g = groups - 1; g >= 0; g--)
            {
                int rows = Math.Min(8, ld - 8 * g);
                float* s = src + 8 * g * stride + p;
                Vector256<float> r0 = Vector256.Load(s);
                Vector256<float> r1 = rows > 1 ? Vector256.Load(s + stride) : default;
                Vector256<float> r2 = rows > 2 ? Vector256.Load(s + 2 * stride) : default;
                Vector256<float> r3 = rows > 3 ? Vector256.Load(s + 3 * stride) : default;
                Vector256<float> r4 = rows > 4 ? Vector256.Load(s + 4 * stride) : default;
                Vector256<float> r5 = rows > 5 ? Vector256.Load(s + 5 * stride) : default;
                Vector256<float> r6 = rows > 6 ? Vector256.Load(s + 6 * stride) : default;
                Vector256<float> r7 = rows > 7 ? Vector256.Load(s + 7 * stride) : default;

                Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
                Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
                Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
                Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
                Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
                Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
                Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
                Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);

                float* d = dst + p * ld + 8 * g;
                Vector256.Store(Avx.Permute2x128(u0, u4, 0x20), d);
                Vector256.Store(Avx.Permute2x128(u1, u5, 0x20), d + ld);
                Vector256.Store(Avx.Permute2x128(u2, u6, 0x20), d + 2 * ld);
                Vector256.Store(Avx.Permute2x128(u3, u7, 0x20), d + 3 * ld);
                Vector256.Store(Avx.Permute2x128(u0, u4, 0x31), d + 4 * ld);
                Vector256.Store(Avx.Permute2x128(u1, u5, 0x31), d + 5 * ld);
                Vector256.Store(Avx.Permute2x128(u2, u6, 0x31), d + 6 * ld);
                Vector256.Store(Avx.Permute2x128(u3, u7, 0x31), d + 7 * ld);
            }
        }
        return p;
    }

    /// <summary>4 x 4 blocks of doubles; same scheme as <see cref="Float8"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Double4(double* src, nint stride, int kc, double* dst, int ld, int nextRuns)
    {
        int groups = (ld + 3) / 4;
        int p = 0;
        for (; p + 4 <= kc; p += 4)
        {
            if ((p & 7) == 0) PrefetchNext(src + ld * stride + p, stride, nextRuns, p + 8 >= kc ? kc - p - 1 : 0);
            for (int g = groups - 1; g >= 0; g--)
            {
                int rows = Math.Min(4, ld - 4 * g);
                double* s = src + 4 * g * stride + p;
                Vector256<double> r0 = Vector256.Load(s);
                Vector256<double> r1 = rows > 1 ? Vector256.Load(s + stride) : default;
                Vector256<double> r2 = rows > 2 ? Vector256.Load(s + 2 * stride) : default;
                Vector256<double> r3 = rows > 3 ? Vector256.Load(s + 3 * stride) : default;
                Vector256<double> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
                Vector256<double> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
                double* d = dst + p * ld + 4 * g;
                Vector256.Store(Avx.Permute2x128(t0, t2, 0x20), d);
                Vector256.Store(Avx.Permute2x128(t1, t3, 0x20), d + ld);
                Vector256.Store(Avx.Permute2x128(t0, t2, 0x31), d + 2 * ld);
                Vector256.Store(Avx.Permute2x128(t1, t3, 0x31), d + 3 * ld);
            }
        }
        return p;
    }

    /// <summary>Prefetches the line at p (and at p + last when last &gt; 0: a run's final line) of each of runs runs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchNext<TE>(TE* at, nint stride, int runs, int last) where TE : unmanaged
    {
        for (int r = 0; r < runs; r++)
        {
            Sse.Prefetch0(at + r * stride);
            if (last > 0) Sse.Prefetch0(at + r * stride + last);
        }
    }
}

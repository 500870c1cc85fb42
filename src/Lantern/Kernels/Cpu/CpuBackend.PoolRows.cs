using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lantern.Kernels;

// The W (along-a-row) passes of the separable pooling kernels. Each row is split into the regular run of the taps
// (interior pooling windows: Kernel consecutive inputs at Offset + Stride * o, one weight) and the rest. The rest
// and every non-float32 row take the general scalar loop over the taps; the regular run of a contiguous float32 row
// is vectorised across 8 outputs with Vector256 (stride 1: unaligned loads; stride 2: even/odd deinterleave, AVX2),
// with a scalar loop of the same arithmetic for the tail, so vector and scalar results are identical.
public sealed partial class CpuBackend
{
    private static readonly Vector256<int> s_iota = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);

    /// <summary>True when the regular run of <paramref name="t"/> can take the Vector256 path for contiguous float32 rows.</summary>
    private static bool SimdRun(ResampleTaps t, int sw) =>
        sw == 1 && Vector256.IsHardwareAccelerated && t.Regular.Count >= 8 && (t.Regular.Stride == 1 || (t.Regular.Stride == 2 && Avx2.IsSupported));

    /// <summary>Eight inputs p[0], p[s], ..., p[7s] for s = 1 or 2 (reads p[0 .. 8s)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> LoadStrided(ref float p, int stride)
    {
        var v0 = Vector256.LoadUnsafe(ref p);
        if (stride == 1) return v0;
        var v1 = Vector256.LoadUnsafe(ref p, 8);
        // Avx.Shuffle picks (v0[0], v0[2], v1[0], v1[2]) per 128-bit lane; the 64-bit permute puts the lanes in order.
        var evens = Avx.Shuffle(v0, v1, 0b10_00_10_00);
        return Avx2.Permute4x64(evens.AsDouble(), 0b11_01_10_00).AsSingle();
    }

    /// <summary>out[r, o] = sum_j w_j in[r, idx_j] for rows r in [0, rows); in row r starts at sBase + r*sh, element stride sw.
    /// Regular windows sum their inputs first, then scale by the common weight.</summary>
    private static void WidthPass<T>(T[] s, int sBase, int sh, int sw, int rows, ResampleTaps t, T[] w, T[] d, int dBase)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int outW = t.OutSize;
        if (t.IsGather)
        {
            var idx = t.Index;
            for (int r = 0; r < rows; r++)
            {
                int a = sBase + r * sh, o = dBase + r * outW;
                for (int x = 0; x < outW; x++) d[o + x] = s[a + idx[x] * sw];
            }
            return;
        }
        var reg = t.Regular;
        T regW = T.CreateTruncating(reg.Weight);
        bool simd = typeof(T) == typeof(float) && SimdRun(t, sw);
        for (int r = 0; r < rows; r++)
        {
            int a = sBase + r * sh, o = dBase + r * outW;
            GeneralSums(s, a, sw, t, w, d, o, 0, reg.First);
            int x = reg.First, end = reg.First + reg.Count;
            if (simd)
                x = SumRunSimd(MemoryMarshal.Cast<T, float>(s.AsSpan()), a, reg, float.CreateTruncating(regW), MemoryMarshal.Cast<T, float>(d.AsSpan()), o, s.Length);
            for (; x < end; x++)
            {
                int b0 = a + (reg.Offset + reg.Stride * x) * sw;
                T acc = s[b0];
                for (int b = 1; b < reg.Kernel; b++) acc += s[b0 + b * sw];
                d[o + x] = acc * regW;
            }
            GeneralSums(s, a, sw, t, w, d, o, end, outW);
        }
    }

    private static void GeneralSums<T>(T[] s, int a, int sw, ResampleTaps t, T[] w, T[] d, int o, int x0, int x1) where T : IFloatingPointIeee754<T>
    {
        var start = t.Start;
        var index = t.Index;
        for (int x = x0; x < x1; x++)
        {
            T acc = T.Zero;
            for (int j = start[x]; j < start[x + 1]; j++) acc += w[j] * s[a + index[j] * sw];
            d[o + x] = acc;
        }
    }

    /// <summary>Vectorised regular-run sums of one contiguous float32 row starting at s[a]; returns the first output not done.</summary>
    private static int SumRunSimd(Span<float> s, int a, RegularRun reg, float weight, Span<float> d, int o, int sLength)
    {
        int x = reg.First, end = reg.First + reg.Count, st = reg.Stride;
        ref float row = ref MemoryMarshal.GetReference(s);
        var wv = Vector256.Create(weight);
        for (; x + 8 <= end; x += 8)
        {
            int p = a + reg.Offset + st * x;
            if (p + reg.Kernel - 1 + 8 * st > sLength) break; // the deinterleaving load reads one element past the last tap
            var acc = LoadStrided(ref Unsafe.Add(ref row, p), st);
            for (int b = 1; b < reg.Kernel; b++) acc += LoadStrided(ref Unsafe.Add(ref row, p + b), st);
            (acc * wv).StoreUnsafe(ref MemoryMarshal.GetReference(d), (nuint)(o + x));
        }
        return x;
    }

    /// <summary>Row maxima: v[r, x] and column i[r, x] of the first max (last NaN) of each window of each row.</summary>
    private static void MaxWidthPass<T>(T[] s, int sBase, int sh, int sw, int rows, ResampleTaps t, T[] v, int[] iv) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int outW = t.OutSize;
        var reg = t.Regular;
        bool simd = typeof(T) == typeof(float) && SimdRun(t, sw);
        for (int r = 0; r < rows; r++)
        {
            int a = sBase + r * sh, o = r * outW;
            GeneralMax(s, a, sw, t, v, iv, o, 0, reg.First);
            int x = reg.First, end = reg.First + reg.Count;
            if (simd)
                x = MaxRunSimd(MemoryMarshal.Cast<T, float>(s.AsSpan()), a, reg, MemoryMarshal.Cast<T, float>(v.AsSpan()), iv, o, s.Length);
            for (; x < end; x++)
            {
                int c0 = reg.Offset + reg.Stride * x;
                T m = s[a + c0 * sw];
                int mi = c0;
                for (int b = 1; b < reg.Kernel; b++)
                {
                    T val = s[a + (c0 + b) * sw];
                    if (val > m || T.IsNaN(val)) { m = val; mi = c0 + b; }
                }
                v[o + x] = m;
                iv[o + x] = mi;
            }
            GeneralMax(s, a, sw, t, v, iv, o, end, outW);
        }
    }

    private static void GeneralMax<T>(T[] s, int a, int sw, ResampleTaps t, T[] v, int[] iv, int o, int x0, int x1) where T : IFloatingPointIeee754<T>
    {
        var start = t.Start;
        var index = t.Index;
        for (int x = x0; x < x1; x++)
        {
            // PyTorch's scan: running max starts at -inf on the first position; greater or NaN replaces.
            T m = T.NegativeInfinity;
            int mi = index[start[x]];
            for (int j = start[x]; j < start[x + 1]; j++)
            {
                T val = s[a + index[j] * sw];
                if (val > m || T.IsNaN(val)) { m = val; mi = index[j]; }
            }
            v[o + x] = m;
            iv[o + x] = mi;
        }
    }

    /// <summary>Vectorised regular-run maxima (first max, last NaN) of one contiguous float32 row; returns the first output not done.</summary>
    private static int MaxRunSimd(Span<float> s, int a, RegularRun reg, Span<float> v, int[] iv, int o, int sLength)
    {
        int x = reg.First, end = reg.First + reg.Count, st = reg.Stride;
        ref float row = ref MemoryMarshal.GetReference(s);
        var lane = s_iota * st;
        for (; x + 8 <= end; x += 8)
        {
            int c = reg.Offset + st * x, p = a + c;
            if (p + reg.Kernel - 1 + 8 * st > sLength) break;
            var m = LoadStrided(ref Unsafe.Add(ref row, p), st);
            var mi = Vector256.Create(c) + lane;
            for (int b = 1; b < reg.Kernel; b++)
            {
                var val = LoadStrided(ref Unsafe.Add(ref row, p + b), st);
                var take = Vector256.GreaterThan(val, m) | ~Vector256.Equals(val, val);
                m = Vector256.ConditionalSelect(take, val, m);
                mi = Vector256.ConditionalSelect(take.AsInt32(), Vector256.Create(c + b) + lane, mi);
            }
            m.StoreUnsafe(ref MemoryMarshal.GetReference(v), (nuint)(o + x));
            mi.StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(iv), (nuint)(o + x));
        }
        return x;
    }
}

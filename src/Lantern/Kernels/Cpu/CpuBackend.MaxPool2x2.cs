using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lantern.Kernels;

// Max pooling's most common window, 2x2 with stride 2 and no padding or dilation, without the separable passes:
// each output takes its four inputs in row-major scan order with PyTorch's rule (greater or NaN replaces), so
// values and argmax indices equal the general path's bit for bit.
public sealed partial class CpuBackend
{
    /// <summary>True when output o pools exactly inputs 2o and 2o+1 (kernel 2, stride 2, no padding or dilation).</summary>
    private static bool IsPairs(ResampleTaps t)
    {
        var r = t.Regular;
        return r.First == 0 && r.Count == t.OutSize && r.Kernel == 2 && r.Stride == 2 && r.Offset == 0;
    }

    // The common 2x2 / stride-2 window, without the separable passes' scratch rows: each output scans its four
    // inputs in row-major order with PyTorch's rule (greater or NaN replaces), so values and indices match the
    // general path exactly.
    private static void MaxPool2x2<T>(T[] s, Layout ls, int outH, int outW, T[] dv, long[]? di) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int planes = ls.Shape[0], inW = ls.Shape[2];
        int sp = ls.Strides[0], sh = ls.Strides[1], sw = ls.Strides[2], off = ls.Offset;
        int rows = planes * outH;
        KernelThreads.For(rows, Math.Max(1, PoolGrain / Math.Max(1, 4 * outW)), (a, b) =>
        {
            for (int r = a; r < b; r++)
            {
                int p = r / outH, oh = r - p * outH;
                int r0 = off + p * sp + 2 * oh * sh, r1 = r0 + sh, o = r * outW;
                int rowOff = 2 * oh * inW, x0 = 0;
                if (typeof(T) == typeof(float) && sw == 1 && Avx2.IsSupported)
                    x0 = MaxPool2x2Row(MemoryMarshal.Cast<T, float>(s.AsSpan()), r0, r1, outW, inW, rowOff, MemoryMarshal.Cast<T, float>(dv.AsSpan()), di, o);
                for (int x = x0; x < outW; x++)
                {
                    int c = 2 * x * sw;
                    T m = s[r0 + c]; int mi = 0;
                    T v = s[r0 + c + sw]; if (v > m || T.IsNaN(v)) { m = v; mi = 1; }
                    v = s[r1 + c]; if (v > m || T.IsNaN(v)) { m = v; mi = inW; }
                    v = s[r1 + c + sw]; if (v > m || T.IsNaN(v)) { m = v; mi = inW + 1; }
                    dv[o + x] = m;
                    if (di is not null) di[o + x] = rowOff + 2 * x + mi;
                }
            }
        });
    }

    // Eight outputs per step: the even and odd columns of both input rows are split out by shuffles, then the
    // four candidates are combined in scan order with the same greater-or-NaN rule (no branches). Returns the
    // first output left for the scalar loop.
    private static int MaxPool2x2Row(ReadOnlySpan<float> s, int r0, int r1, int outW, int inW, int rowOff, Span<float> dv, long[]? di, int o)
    {
        int x = 0;
        ref float rs = ref MemoryMarshal.GetReference(s);
        ref float rd = ref MemoryMarshal.GetReference(dv);
        Vector256<int> one = Vector256.Create(1), below = Vector256.Create(inW), belowNext = Vector256.Create(inW + 1);
        Vector256<int> lanes = Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14);
        for (; x + 8 <= outW; x += 8)
        {
            var (a, b) = EvenOdd(Vector256.LoadUnsafe(ref rs, (nuint)(r0 + 2 * x)), Vector256.LoadUnsafe(ref rs, (nuint)(r0 + 2 * x + 8)));
            var (c, d) = EvenOdd(Vector256.LoadUnsafe(ref rs, (nuint)(r1 + 2 * x)), Vector256.LoadUnsafe(ref rs, (nuint)(r1 + 2 * x + 8)));
            var m = a;
            var mi = Vector256<int>.Zero;
            var t = (Vector256.GreaterThan(b, m) | ~Vector256.Equals(b, b)).AsInt32();
            m = Vector256.ConditionalSelect(t.AsSingle(), b, m); mi = Vector256.ConditionalSelect(t, one, mi);
            t = (Vector256.GreaterThan(c, m) | ~Vector256.Equals(c, c)).AsInt32();
            m = Vector256.ConditionalSelect(t.AsSingle(), c, m); mi = Vector256.ConditionalSelect(t, below, mi);
            t = (Vector256.GreaterThan(d, m) | ~Vector256.Equals(d, d)).AsInt32();
            m = Vector256.ConditionalSelect(t.AsSingle(), d, m); mi = Vector256.ConditionalSelect(t, belowNext, mi);
            m.StoreUnsafe(ref rd, (nuint)(o + x));
            if (di is not null)
            {
                var idx = mi + lanes + Vector256.Create(rowOff + 2 * x);
                Avx2.ConvertToVector256Int64(idx.GetLower()).StoreUnsafe(ref di[0], (nuint)(o + x));
                Avx2.ConvertToVector256Int64(idx.GetUpper()).StoreUnsafe(ref di[0], (nuint)(o + x + 4));
            }
        }
        return x;
    }

    // (even, odd) elements of the 16 consecutive floats lo ++ hi, each in order.
    private static (Vector256<float> Even, Vector256<float> Odd) EvenOdd(Vector256<float> lo, Vector256<float> hi)
    {
        var even = Avx2.Permute4x64(Avx.Shuffle(lo, hi, 0x88).AsDouble(), 0xD8).AsSingle();
        var odd = Avx2.Permute4x64(Avx.Shuffle(lo, hi, 0xDD).AsDouble(), 0xD8).AsSingle();
        return (even, odd);
    }
}

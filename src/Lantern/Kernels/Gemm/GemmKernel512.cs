using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lantern.Kernels;

/// <summary>
/// AVX-512 micro-kernel: a 14 x (2 * Vector512&lt;T&gt;.Count) register tile (14 x 32 for float, 14 x 16 for
/// double): 28 accumulators + 2 B vectors + 1 broadcast = 31 of the 32 zmm registers. Per k step it loads two
/// vectors of B, broadcasts fourteen values of A and issues 28 FMAs.
/// Written with the cross-platform Vector512 API, so it is also correct (slowly) where Vector512 is emulated,
/// which is how the tests check it on machines without AVX-512.
/// </summary>
internal unsafe struct GemmKernel512<T> : IGemmKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int MR => 14;
    public static int NR => 2 * Vector512<T>.Count;
    // Not tuned on AVX-512 hardware (none was available): chosen for Zen 4/5 class caches (48 KiB L1d, 1 MiB L2):
    // float B micro-panel KC x NR = 32 KiB, A block MC x KC = 336 KiB in L2 (double: 24 KiB, 252 KiB).
    // Retune with `bench gemm --kc --mc --nc`.
    public static int KC => sizeof(T) == 4 ? 256 : 192;
    public static int MC => sizeof(T) == 4 ? 336 : 168;
    public static int NC => sizeof(T) == 4 ? 4096 : 2048;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Fma(Vector512<T> a, Vector512<T> b, Vector512<T> c)
    {
        if (typeof(T) == typeof(float))
            return Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        return Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
    }

    /// <summary>Stores alpha * acc (beta == 0, C not read) or fma(alpha, acc, beta * C) to p.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(T* p, Vector512<T> acc, Vector512<T> alpha, Vector512<T> beta, bool zeroBeta)
    {
        if (zeroBeta) Vector512.Store(alpha * acc, p);
        else Vector512.Store(Fma(alpha, acc, beta * Vector512.Load(p)), p);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, T* a, T* b, T* c, nint rsC, nint csC, int mr, int nr, T alpha, T beta, T* scratch)
    {
        int w = Vector512<T>.Count;
        bool direct = mr == 14 && nr == 2 * w && csC == 1;
        if (direct && Sse.IsSupported)
        {
            // Each row of the C tile spans two or three cache lines: pull them in before the k loop.
            for (int i = 0; i < 14; i++)
            {
                Sse.Prefetch0(c + i * rsC);
                Sse.Prefetch0(c + i * rsC + w);
                Sse.Prefetch0(c + i * rsC + 2 * w - 1);
            }
        }

        Vector512<T> c00a = default, c00b = default;
        Vector512<T> c01a = default, c01b = default;
        Vector512<T> c02a = default, c02b = default;
        Vector512<T> c03a = default, c03b = default;
        Vector512<T> c04a = default, c04b = default;
        Vector512<T> c05a = default, c05b = default;
        Vector512<T> c06a = default, c06b = default;
        Vector512<T> c07a = default, c07b = default;
        Vector512<T> c08a = default, c08b = default;
        Vector512<T> c09a = default, c09b = default;
        Vector512<T> c10a = default, c10b = default;
        Vector512<T> c11a = default, c11b = default;
        Vector512<T> c12a = default, c12b = default;
        Vector512<T> c13a = default, c13b = default;
        Vector512<T> b0, b1, av;
        int p = 0;
        for (; p + 2 <= kc; p += 2)
        {
            b0 = Vector512.Load(b + 0 * w); b1 = Vector512.Load(b + 1 * w);
            av = Vector512.Create(a[0]); c00a = Fma(av, b0, c00a); c00b = Fma(av, b1, c00b);
            av = Vector512.Create(a[1]); c01a = Fma(av, b0, c01a); c01b = Fma(av, b1, c01b);
            av = Vector512.Create(a[2]); c02a = Fma(av, b0, c02a); c02b = Fma(av, b1, c02b);
            av = Vector512.Create(a[3]); c03a = Fma(av, b0, c03a); c03b = Fma(av, b1, c03b);
            av = Vector512.Create(a[4]); c04a = Fma(av, b0, c04a); c04b = Fma(av, b1, c04b);
            av = Vector512.Create(a[5]); c05a = Fma(av, b0, c05a); c05b = Fma(av, b1, c05b);
            av = Vector512.Create(a[6]); c06a = Fma(av, b0, c06a); c06b = Fma(av, b1, c06b);
            av = Vector512.Create(a[7]); c07a = Fma(av, b0, c07a); c07b = Fma(av, b1, c07b);
            av = Vector512.Create(a[8]); c08a = Fma(av, b0, c08a); c08b = Fma(av, b1, c08b);
            av = Vector512.Create(a[9]); c09a = Fma(av, b0, c09a); c09b = Fma(av, b1, c09b);
            av = Vector512.Create(a[10]); c10a = Fma(av, b0, c10a); c10b = Fma(av, b1, c10b);
            av = Vector512.Create(a[11]); c11a = Fma(av, b0, c11a); c11b = Fma(av, b1, c11b);
            av = Vector512.Create(a[12]); c12a = Fma(av, b0, c12a); c12b = Fma(av, b1, c12b);
            av = Vector512.Create(a[13]); c13a = Fma(av, b0, c13a); c13b = Fma(av, b1, c13b);
            b0 = Vector512.Load(b + 2 * w); b1 = Vector512.Load(b + 3 * w);
            av = Vector512.Create(a[14]); c00a = Fma(av, b0, c00a); c00b = Fma(av, b1, c00b);
            av = Vector512.Create(a[15]); c01a = Fma(av, b0, c01a); c01b = Fma(av, b1, c01b);
            av = Vector512.Create(a[16]); c02a = Fma(av, b0, c02a); c02b = Fma(av, b1, c02b);
            av = Vector512.Create(a[17]); c03a = Fma(av, b0, c03a); c03b = Fma(av, b1, c03b);
            av = Vector512.Create(a[18]); c04a = Fma(av, b0, c04a); c04b = Fma(av, b1, c04b);
            av = Vector512.Create(a[19]); c05a = Fma(av, b0, c05a); c05b = Fma(av, b1, c05b);
            av = Vector512.Create(a[20]); c06a = Fma(av, b0, c06a); c06b = Fma(av, b1, c06b);
            av = Vector512.Create(a[21]); c07a = Fma(av, b0, c07a); c07b = Fma(av, b1, c07b);
            av = Vector512.Create(a[22]); c08a = Fma(av, b0, c08a); c08b = Fma(av, b1, c08b);
            av = Vector512.Create(a[23]); c09a = Fma(av, b0, c09a); c09b = Fma(av, b1, c09b);
            av = Vector512.Create(a[24]); c10a = Fma(av, b0, c10a); c10b = Fma(av, b1, c10b);
            av = Vector512.Create(a[25]); c11a = Fma(av, b0, c11a); c11b = Fma(av, b1, c11b);
            av = Vector512.Create(a[26]); c12a = Fma(av, b0, c12a); c12b = Fma(av, b1, c12b);
            av = Vector512.Create(a[27]); c13a = Fma(av, b0, c13a); c13b = Fma(av, b1, c13b);
            a += 28;
            b += 4 * w;
        }
        for (; p < kc; p++)
        {
            b0 = Vector512.Load(b + 0 * w); b1 = Vector512.Load(b + 1 * w);
            av = Vector512.Create(a[0]); c00a = Fma(av, b0, c00a); c00b = Fma(av, b1, c00b);
            av = Vector512.Create(a[1]); c01a = Fma(av, b0, c01a); c01b = Fma(av, b1, c01b);
            av = Vector512.Create(a[2]); c02a = Fma(av, b0, c02a); c02b = Fma(av, b1, c02b);
            av = Vector512.Create(a[3]); c03a = Fma(av, b0, c03a); c03b = Fma(av, b1, c03b);
            av = Vector512.Create(a[4]); c04a = Fma(av, b0, c04a); c04b = Fma(av, b1, c04b);
            av = Vector512.Create(a[5]); c05a = Fma(av, b0, c05a); c05b = Fma(av, b1, c05b);
            av = Vector512.Create(a[6]); c06a = Fma(av, b0, c06a); c06b = Fma(av, b1, c06b);
            av = Vector512.Create(a[7]); c07a = Fma(av, b0, c07a); c07b = Fma(av, b1, c07b);
            av = Vector512.Create(a[8]); c08a = Fma(av, b0, c08a); c08b = Fma(av, b1, c08b);
            av = Vector512.Create(a[9]); c09a = Fma(av, b0, c09a); c09b = Fma(av, b1, c09b);
            av = Vector512.Create(a[10]); c10a = Fma(av, b0, c10a); c10b = Fma(av, b1, c10b);
            av = Vector512.Create(a[11]); c11a = Fma(av, b0, c11a); c11b = Fma(av, b1, c11b);
            av = Vector512.Create(a[12]); c12a = Fma(av, b0, c12a); c12b = Fma(av, b1, c12b);
            av = Vector512.Create(a[13]); c13a = Fma(av, b0, c13a); c13b = Fma(av, b1, c13b);
            a += 14;
            b += 2 * w;
        }

        // Edge tiles and strided C go through the scratch tile with alpha = 1, beta = 0 (an exact copy of the
        // accumulators), then GemmTile.Update applies the same arithmetic as the direct path.
        T* dst = direct ? c : scratch;
        nint ld = direct ? rsC : 2 * w;
        Vector512<T> va = Vector512.Create(direct ? alpha : T.One);
        Vector512<T> vb = Vector512.Create(beta);
        bool zero = !direct || beta == T.Zero;
        Put(dst, c00a, va, vb, zero); Put(dst + w, c00b, va, vb, zero); dst += ld;
        Put(dst, c01a, va, vb, zero); Put(dst + w, c01b, va, vb, zero); dst += ld;
        Put(dst, c02a, va, vb, zero); Put(dst + w, c02b, va, vb, zero); dst += ld;
        Put(dst, c03a, va, vb, zero); Put(dst + w, c03b, va, vb, zero); dst += ld;
        Put(dst, c04a, va, vb, zero); Put(dst + w, c04b, va, vb, zero); dst += ld;
        Put(dst, c05a, va, vb, zero); Put(dst + w, c05b, va, vb, zero); dst += ld;
        Put(dst, c06a, va, vb, zero); Put(dst + w, c06b, va, vb, zero); dst += ld;
        Put(dst, c07a, va, vb, zero); Put(dst + w, c07b, va, vb, zero); dst += ld;
        Put(dst, c08a, va, vb, zero); Put(dst + w, c08b, va, vb, zero); dst += ld;
        Put(dst, c09a, va, vb, zero); Put(dst + w, c09b, va, vb, zero); dst += ld;
        Put(dst, c10a, va, vb, zero); Put(dst + w, c10b, va, vb, zero); dst += ld;
        Put(dst, c11a, va, vb, zero); Put(dst + w, c11b, va, vb, zero); dst += ld;
        Put(dst, c12a, va, vb, zero); Put(dst + w, c12b, va, vb, zero); dst += ld;
        Put(dst, c13a, va, vb, zero); Put(dst + w, c13b, va, vb, zero);
        if (!direct) GemmTile.Update(scratch, 2 * w, c, rsC, csC, mr, nr, alpha, beta);
    }
}

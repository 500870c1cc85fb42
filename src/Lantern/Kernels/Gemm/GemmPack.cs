using System.Numerics;
using System.Runtime.CompilerServices;

namespace Lantern.Kernels;

/// <summary>
/// Packing of GEMM operands into the layouts the micro-kernels stream: any element strides in, contiguous
/// zero-padded panels out. Unit-stride sources get a fast path; everything else takes the general gather.
/// </summary>
internal static unsafe class GemmPack<T, TK> where T : unmanaged, IFloatingPointIeee754<T> where TK : IGemmKernel<T>
{
    /// <summary>
    /// Packs the mc x kc block of A at <paramref name="a"/> (element (i, p) at a[i * rsA + p * csA]) into
    /// ceil(mc / MR) panels of MR x kc: panel q, element (i, p) at dst[q * MR * kc + p * MR + i].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(int mc, int kc, T* a, nint rsA, nint csA, T* dst)
    {
        int mr = TK.MR;
        for (int i0 = 0; i0 < mc; i0 += mr)
        {
            int rows = Math.Min(mr, mc - i0);
            T* src = a + i0 * rsA;
            if (rows < mr)
            {
                // Zero the whole panel first, then fill the rows that exist.
                new Span<T>(dst, mr * kc).Clear();
            }
            if (csA == 1)
            {
                // Row-major A: read each row sequentially, scatter with stride MR (the panel stays in L1).
                for (int i = 0; i < rows; i++)
                {
                    T* s = src + i * rsA;
                    T* d = dst + i;
                    int p = 0;
                    for (; p + 4 <= kc; p += 4)
                    {
                        d[0] = s[p]; d[mr] = s[p + 1]; d[2 * mr] = s[p + 2]; d[3 * mr] = s[p + 3];
                        d += 4 * mr;
                    }
                    for (; p < kc; p++, d += mr) *d = s[p];
                }
            }
            else if (rsA == 1)
            {
                // Column-major A: each k step is MR contiguous values.
                T* d = dst;
                for (int p = 0; p < kc; p++, d += mr)
                {
                    T* s = src + p * csA;
                    for (int i = 0; i < rows; i++) d[i] = s[i];
                }
            }
            else
            {
                T* d = dst;
                for (int p = 0; p < kc; p++, d += mr)
                {
                    T* s = src + p * csA;
                    for (int i = 0; i < rows; i++) d[i] = s[i * rsA];
                }
            }
            dst += mr * kc;
        }
    }

    /// <summary>
    /// Packs panels [panel0, panel1) of the kc x nc block of B at <paramref name="b"/> (element (p, j) at
    /// b[p * rsB + j * csB]) into kc x NR panels: panel q, element (p, j) at dst[q * NR * kc + p * NR + j].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(int kc, int nc, T* b, nint rsB, nint csB, T* dst, int panel0, int panel1)
    {
        int nr = TK.NR;
        for (int q = panel0; q < panel1; q++)
        {
            int j0 = q * nr;
            int cols = Math.Min(nr, nc - j0);
            T* src = b + j0 * csB;
            T* d = dst + (long)q * nr * kc;
            if (cols == nr && csB == 1)
            {
                // Row-major B, full panel: one contiguous NR-wide row per k step.
                for (int p = 0; p < kc; p++, d += nr)
                    Unsafe.CopyBlockUnaligned(d, src + p * rsB, (uint)(nr * sizeof(T)));
                continue;
            }
            if (cols < nr) new Span<T>(d, nr * kc).Clear();
            if (rsB == 1)
            {
                // Column-major B: each column is contiguous in k; scatter with stride NR.
                for (int j = 0; j < cols; j++)
                {
                    T* s = src + j * csB;
                    T* dj = d + j;
                    for (int p = 0; p < kc; p++, dj += nr) *dj = s[p];
                }
            }
            else
            {
                for (int p = 0; p < kc; p++, d += nr)
                {
                    T* s = src + p * rsB;
                    for (int j = 0; j < cols; j++) d[j] = s[j * csB];
                }
            }
        }
    }
}

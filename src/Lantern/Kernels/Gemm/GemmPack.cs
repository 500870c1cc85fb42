using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

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
    /// May write up to 8 elements past the last panel: the buffer needs that slack.
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
                // Row-major A: MR rows, each contiguous in k, transposed into k-major order.
                if (rows == mr)
                {
                    GemmTranspose<T>.Panel(src, rsA, kc, dst, mr, spill: true, nextRuns: Math.Clamp(mc - i0 - mr, 0, mr));
                }
                else
                {
                    for (int i = 0; i < rows; i++)
                    {
                        T* s = src + i * rsA;
                        T* d = dst + i;
                        for (int p = 0; p < kc; p++, d += mr) *d = s[p];
                    }
                }
            }
            else if (rsA == 1)
            {
                // Column-major A: each k step is MR contiguous values of a different column; fetch the
                // next panel's part of that column a panel ahead.
                T* d = dst;
                for (int p = 0; p < kc; p++, d += mr)
                {
                    T* s = src + p * csA;
                    if (Sse.IsSupported) Sse.Prefetch0(s + 2 * mr);
                    if (rows == mr) Unsafe.CopyBlockUnaligned(d, s, (uint)(mr * sizeof(T)));
                    else for (int i = 0; i < rows; i++) d[i] = s[i];
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
        if (csB == 1)
        {
            // Row-major B: full panels are plain NR-wide copies. Sweep 16 rows of B at a time across all
            // panels, so the source streams along rows (few pages, prefetcher-friendly) and each panel
            // receives 16 consecutive rows.
            int full = Math.Min(panel1, nc / nr);
            for (int p0 = 0; p0 < kc; p0 += 16)
            {
                int p1 = Math.Min(kc, p0 + 16);
                for (int q = panel0; q < full; q++)
                {
                    T* s = b + p0 * rsB + q * nr;
                    T* d = dst + ((long)q * kc + p0) * nr;
                    for (int p = p0; p < p1; p++, s += rsB, d += nr)
                        Unsafe.CopyBlockUnaligned(d, s, (uint)(nr * sizeof(T)));
                }
            }
            panel0 = Math.Max(panel0, full);
        }
        for (int q = panel0; q < panel1; q++)
        {
            int j0 = q * nr;
            int cols = Math.Min(nr, nc - j0);
            T* src = b + j0 * csB;
            T* d = dst + (long)q * nr * kc;
            if (cols < nr) new Span<T>(d, nr * kc).Clear();
            if (rsB == 1)
            {
                // Column-major B: NR columns, each contiguous in k, transposed into k-major order.
                if (cols == nr)
                {
                    // Panels may be packed by different threads: no spill into the neighbour.
                    int next = q + 1 < panel1 ? Math.Clamp(nc - j0 - nr, 0, nr) : 0;
                    GemmTranspose<T>.Panel(src, csB, kc, d, nr, spill: false, nextRuns: next);
                    continue;
                }
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

using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lantern.Kernels;

/// <summary>The micro-kernel families; <see cref="Auto"/> picks the fastest the machine accelerates.</summary>
internal enum GemmPath
{
    Auto,
    Avx512,
    Avx2,
    Vector,
    Scalar,
}

/// <summary>
/// Shared core of Sgemm/Dgemm after argument checks: trivial cases, orientation, threading and the choice of
/// micro-kernel.
/// </summary>
internal static unsafe class GemmCore<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Below this many multiply-adds a GEMM runs on one thread (the fork/join costs more).</summary>
    internal const long ParallelThreshold = 96L * 96 * 96;

    /// <summary>C = alpha * A·B + beta * C on pointers whose bounds were checked; <paramref name="threads"/> is the most to use.</summary>
    public static void Run(int m, int n, int k, T alpha, T* a, nint rsA, nint csA, T* b, nint rsB, nint csB,
        T beta, T* c, nint rsC, nint csC, int threads)
    {
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == T.Zero)
        {
            Scale(m, n, beta, c, rsC, csC);
            return;
        }

        // The kernels store whole vectors along rows of C. A column-major C is the row-major C^T = B^T·A^T.
        if (csC != 1 && rsC == 1)
        {
            (m, n) = (n, m);
            T* t = a;
            a = b;
            b = t;
            (rsA, csA, rsB, csB) = (csB, rsB, csA, rsA);
            (rsC, csC) = (csC, rsC);
        }

        if (threads > 1 && (KernelThreads.InsideParallelRegion || (long)m * n * k < ParallelThreshold)) threads = 1;

        switch (Resolve(Gemm.ForcedPath))
        {
            case GemmPath.Avx512:
                GemmDriver<T, GemmKernel512<T>>.Run(m, n, k, alpha, a, rsA, csA, b, rsB, csB, beta, c, rsC, csC, threads);
                break;
            case GemmPath.Avx2:
                GemmDriver<T, GemmKernel256<T>>.Run(m, n, k, alpha, a, rsA, csA, b, rsB, csB, beta, c, rsC, csC, threads);
                break;
            case GemmPath.Vector:
                GemmDriver<T, GemmKernelVector<T>>.Run(m, n, k, alpha, a, rsA, csA, b, rsB, csB, beta, c, rsC, csC, threads);
                break;
            default:
                GemmDriver<T, GemmKernelScalar<T>>.Run(m, n, k, alpha, a, rsA, csA, b, rsB, csB, beta, c, rsC, csC, threads);
                break;
        }
    }

    /// <summary>
    /// Overrides the cache blocking of one path for this element type (0 restores the kernel's value). For tuning
    /// on a new machine from the bench; KC changes the k-summation order, so set it before any work, never per call.
    /// </summary>
    internal static void SetBlocking(GemmPath path, int kc, int mc, int nc)
    {
        switch (Resolve(path))
        {
            case GemmPath.Avx512: Set<GemmKernel512<T>>(kc, mc, nc); break;
            case GemmPath.Avx2: Set<GemmKernel256<T>>(kc, mc, nc); break;
            case GemmPath.Vector: Set<GemmKernelVector<T>>(kc, mc, nc); break;
            default: Set<GemmKernelScalar<T>>(kc, mc, nc); break;
        }

        static void Set<TK>(int kc, int mc, int nc) where TK : IGemmKernel<T>
        {
            GemmDriver<T, TK>.OverrideKC = kc;
            GemmDriver<T, TK>.OverrideMC = mc;
            GemmDriver<T, TK>.OverrideNC = nc;
        }
    }

    /// <summary>The path used for <paramref name="forced"/> (Auto: the best one this machine accelerates).</summary>
    public static GemmPath Resolve(GemmPath forced)
    {
        if (forced != GemmPath.Auto) return forced;
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported) return GemmPath.Avx512;
        if (Vector256.IsHardwareAccelerated && Fma.IsSupported) return GemmPath.Avx2;
        if (Vector.IsHardwareAccelerated) return GemmPath.Vector;
        return GemmPath.Scalar;
    }

    /// <summary>C = beta * C (beta == 0 writes zeros without reading C).</summary>
    private static void Scale(int m, int n, T beta, T* c, nint rsC, nint csC)
    {
        if (beta == T.One) return;
        for (int i = 0; i < m; i++)
        {
            T* row = c + i * rsC;
            if (csC == 1)
            {
                var span = new Span<T>(row, n);
                if (beta == T.Zero) span.Clear();
                else for (int j = 0; j < n; j++) span[j] *= beta;
                continue;
            }
            for (int j = 0; j < n; j++)
            {
                T* p = row + j * csC;
                *p = beta == T.Zero ? T.Zero : beta * *p;
            }
        }
    }
}

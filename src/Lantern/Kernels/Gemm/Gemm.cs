using System.Numerics;

namespace Lantern.Kernels;

/// <summary>
/// General matrix multiply, BLAS semantics on strided spans: C = alpha * A·B + beta * C with A [m, k], B [k, n] and
/// C [m, n]. Each operand is given as a span that starts at its element (0, 0) plus a row stride and a column
/// stride in elements, so transposed and other non-contiguous views need no copy (A^T is A with its strides
/// swapped). Strides must be non-negative; A and B may use stride 0 (broadcast), C may not along a dimension of
/// size &gt; 1. C must not overlap A or B.
/// <para>
/// Implementation: packed, cache-blocked GotoBLAS/BLIS loop nest with an AVX-512 (14 x 32 float tile), AVX2/FMA
/// (6 x 16) or portable micro-kernel, multi-threaded over blocks with <see cref="KernelThreads"/>. Every element of
/// C is summed over k in the same order whatever the thread count, so results are reproducible.
/// </para>
/// </summary>
/// <example>
/// Row-major X [64, 128] times the transpose of a row-major W [256, 128], into Y [64, 256]:
/// <code>Gemm.Sgemm(64, 256, 128, 1f, x, 128, 1, w, 1, 128, 0f, y, 256, 1);</code>
/// </example>
public static class Gemm
{
    [ThreadStatic] private static GemmPath t_forced;

    /// <summary>Micro-kernel family forced for GEMMs issued by the current thread (tests, benchmarks); Auto by default.</summary>
    internal static GemmPath ForcedPath
    {
        get => t_forced;
        set => t_forced = value;
    }

    /// <summary>The micro-kernel family GEMMs issued by the current thread use.</summary>
    internal static GemmPath ActivePath => GemmCore<float>.Resolve(t_forced);

    /// <summary>
    /// Single precision: C[i, j] = alpha * sum_p A[i, p] * B[p, j] + beta * C[i, j] for i &lt; m, j &lt; n, where
    /// A[i, p] = a[i * aRowStride + p * aColStride], B[p, j] = b[p * bRowStride + j * bColStride] and
    /// C[i, j] = c[i * cRowStride + j * cColStride]. beta == 0 overwrites C (its old contents, NaN included, are
    /// never read); k == 0 or alpha == 0 gives C = beta * C without reading A or B.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// A dimension or stride is negative, C has stride 0 along a dimension of size &gt; 1, or a span is shorter than
    /// its last addressed element + 1. The message names Gemm.Sgemm and the values involved.
    /// </exception>
    public static void Sgemm(int m, int n, int k, float alpha, ReadOnlySpan<float> a, int aRowStride, int aColStride,
        ReadOnlySpan<float> b, int bRowStride, int bColStride, float beta, Span<float> c, int cRowStride, int cColStride)
    {
        Batched("Gemm.Sgemm", 1, m, n, k, alpha, a, 0, aRowStride, aColStride, b, 0, bRowStride, bColStride,
            beta, c, 0, cRowStride, cColStride);
    }

    /// <summary>
    /// Double precision: C[i, j] = alpha * sum_p A[i, p] * B[p, j] + beta * C[i, j]; shapes, strides, beta == 0
    /// and k == 0 behave exactly as in <see cref="Sgemm"/>.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="Sgemm"/>; the message names Gemm.Dgemm.</exception>
    public static void Dgemm(int m, int n, int k, double alpha, ReadOnlySpan<double> a, int aRowStride, int aColStride,
        ReadOnlySpan<double> b, int bRowStride, int bColStride, double beta, Span<double> c, int cRowStride, int cColStride)
    {
        Batched("Gemm.Dgemm", 1, m, n, k, alpha, a, 0, aRowStride, aColStride, b, 0, bRowStride, bColStride,
            beta, c, 0, cRowStride, cColStride);
    }

    /// <summary>
    /// Batched single precision: for i in [0, batch), C_i = alpha * A_i·B_i + beta * C_i with A_i [m, k], B_i [k, n],
    /// C_i [m, n], where operand i starts at element i * (its batch stride) of its span and is addressed with its
    /// row/column strides as in <see cref="Sgemm"/>. aBatchStride or bBatchStride 0 broadcasts one matrix to the
    /// whole batch. Small matrices are spread across threads one whole product each; large ones are threaded inside.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// As <see cref="Sgemm"/>, plus batch &lt; 0 or cBatchStride == 0 with batch &gt; 1; the message names
    /// Gemm.SgemmBatched.
    /// </exception>
    public static void SgemmBatched(int batch, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int aBatchStride, int aRowStride, int aColStride,
        ReadOnlySpan<float> b, int bBatchStride, int bRowStride, int bColStride,
        float beta, Span<float> c, int cBatchStride, int cRowStride, int cColStride)
    {
        Batched("Gemm.SgemmBatched", batch, m, n, k, alpha, a, aBatchStride, aRowStride, aColStride,
            b, bBatchStride, bRowStride, bColStride, beta, c, cBatchStride, cRowStride, cColStride);
    }

    /// <summary>
    /// Batched double precision: for i in [0, batch), C_i = alpha * A_i·B_i + beta * C_i; layout and broadcasting
    /// as in <see cref="SgemmBatched"/>.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="SgemmBatched"/>; the message names Gemm.DgemmBatched.</exception>
    public static void DgemmBatched(int batch, int m, int n, int k, double alpha,
        ReadOnlySpan<double> a, int aBatchStride, int aRowStride, int aColStride,
        ReadOnlySpan<double> b, int bBatchStride, int bRowStride, int bColStride,
        double beta, Span<double> c, int cBatchStride, int cRowStride, int cColStride)
    {
        Batched("Gemm.DgemmBatched", batch, m, n, k, alpha, a, aBatchStride, aRowStride, aColStride,
            b, bBatchStride, bRowStride, bColStride, beta, c, cBatchStride, cRowStride, cColStride);
    }

    private static unsafe void Batched<T>(string op, int batch, int m, int n, int k, T alpha,
        ReadOnlySpan<T> a, int aBatchStride, int aRowStride, int aColStride,
        ReadOnlySpan<T> b, int bBatchStride, int bRowStride, int bColStride,
        T beta, Span<T> c, int cBatchStride, int cRowStride, int cColStride)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (batch < 0 || m < 0 || n < 0 || k < 0)
            throw new ArgumentException($"{op}: dimensions must be non-negative, got batch={batch}, m={m}, n={n}, k={k}.");
        if (aBatchStride < 0 || aRowStride < 0 || aColStride < 0 || bBatchStride < 0 || bRowStride < 0 || bColStride < 0
            || cBatchStride < 0 || cRowStride < 0 || cColStride < 0)
        {
            throw new ArgumentException($"{op}: strides must be non-negative, got A ({aBatchStride}, {aRowStride}, {aColStride}), " +
                $"B ({bBatchStride}, {bRowStride}, {bColStride}), C ({cBatchStride}, {cRowStride}, {cColStride}) (batch, row, column).");
        }
        if (batch > 0 && m > 0 && n > 0 && ((m > 1 && cRowStride == 0) || (n > 1 && cColStride == 0) || (batch > 1 && cBatchStride == 0)))
        {
            throw new ArgumentException($"{op}: C [{m}, {n}] with strides ({cBatchStride}, {cRowStride}, {cColStride}) " +
                $"(batch, row, column) writes one element more than once; C strides may be 0 only along dimensions of size 1.");
        }
        CheckLength(op, "A", a.Length, batch, m, k, aBatchStride, aRowStride, aColStride);
        CheckLength(op, "B", b.Length, batch, k, n, bBatchStride, bRowStride, bColStride);
        CheckLength(op, "C", c.Length, batch, m, n, cBatchStride, cRowStride, cColStride);
        if (batch == 0 || m == 0 || n == 0) return;

        int threads = KernelThreads.InsideParallelRegion ? 1 : KernelThreads.Threads;
        fixed (T* pa = a, pb = b, pc = c)
        {
            if (batch == 1)
            {
                GemmCore<T>.Run(m, n, k, alpha, pa, aRowStride, aColStride, pb, bRowStride, bColStride,
                    beta, pc, cRowStride, cColStride, threads);
                return;
            }
            long work = (long)m * n * k;
            bool acrossBatch = threads > 1 && batch >= threads && work * batch >= GemmCore<T>.ParallelThreshold
                && (work < 256L * 256 * 256 || batch % threads == 0 || batch >= 4 * threads);
            if (!acrossBatch)
            {
                for (int i = 0; i < batch; i++)
                {
                    GemmCore<T>.Run(m, n, k, alpha, pa + (long)i * aBatchStride, aRowStride, aColStride,
                        pb + (long)i * bBatchStride, bRowStride, bColStride, beta, pc + (long)i * cBatchStride,
                        cRowStride, cColStride, threads);
                }
                return;
            }
            // One whole product per item, contiguous ranges of the batch per thread.
            nint ia = (nint)pa, ib = (nint)pb, icp = (nint)pc;
            KernelThreads.For(batch, 1, (s, e) =>
            {
                for (int i = s; i < e; i++)
                {
                    GemmCore<T>.Run(m, n, k, alpha, (T*)ia + (long)i * aBatchStride, aRowStride, aColStride,
                        (T*)ib + (long)i * bBatchStride, bRowStride, bColStride, beta, (T*)icp + (long)i * cBatchStride,
                        cRowStride, cColStride, 1);
                }
            });
        }
    }

    private static void CheckLength(string op, string name, int length, int batch, int rows, int cols,
        int batchStride, int rowStride, int colStride)
    {
        if (batch == 0 || rows == 0 || cols == 0) return;
        long last = (long)(batch - 1) * batchStride + (long)(rows - 1) * rowStride + (long)(cols - 1) * colStride;
        if (last < length) return;
        throw new ArgumentException($"{op}: {name} [{rows}, {cols}] with strides ({batchStride}, {rowStride}, {colStride}) " +
            $"(batch, row, column) over a batch of {batch} addresses element {last}, but its span has {length} elements.");
    }
}

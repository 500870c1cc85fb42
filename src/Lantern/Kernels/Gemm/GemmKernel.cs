using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Lantern.Kernels;

/// <summary>
/// A GEMM micro-kernel: multiplies a packed MR x kc panel of A by a packed kc x NR panel of B and updates an
/// mr x nr tile of C (mr &lt;= MR, nr &lt;= NR). It also carries the cache blocking that suits its register tile.
/// Packed layouts: A panel element (i, p) at a[p * MR + i]; B panel element (p, j) at b[p * NR + j]; rows/columns
/// past mr/nr are zero padding.
/// </summary>
internal unsafe interface IGemmKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Rows of the register tile (rows of A broadcast per k step).</summary>
    static abstract int MR { get; }

    /// <summary>Columns of the register tile (a whole number of vectors of B per k step).</summary>
    static abstract int NR { get; }

    /// <summary>Depth of one packed block: the kc x NR micro-panel of B is reused from L1 (or streamed from L2) by
    /// every micro-kernel call of an A block. Also the k-summation block, so fixed per kernel.</summary>
    static abstract int KC { get; }

    /// <summary>Rows of one packed A block (MC x KC stays in L2); a multiple of MR.</summary>
    static abstract int MC { get; }

    /// <summary>Columns of one packed B block (KC x NC lives in L3); a multiple of NR.</summary>
    static abstract int NC { get; }

    /// <summary>
    /// C[i, j] = alpha * sum_p A[i, p] B[p, j] + beta * C[i, j] for i &lt; mr, j &lt; nr; C is not read when beta == 0.
    /// <paramref name="scratch"/> holds at least MR * NR elements (used for edge tiles and strided C).
    /// </summary>
    static abstract void Run(int kc, T* a, T* b, T* c, nint rsC, nint csC, int mr, int nr, T alpha, T beta, T* scratch);
}

/// <summary>Helpers shared by the micro-kernels.</summary>
internal static unsafe class GemmTile
{
    /// <summary>
    /// Writes a computed tile (row-major, leading dimension <paramref name="ldt"/>) into C with the same
    /// arithmetic as the vector store path: beta == 0 ? alpha * t : fma(alpha, t, beta * c).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Update<T>(T* tile, int ldt, T* c, nint rsC, nint csC, int mr, int nr, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < mr; i++)
        {
            T* t = tile + i * ldt;
            T* ci = c + i * rsC;
            if (beta == T.Zero)
            {
                for (int j = 0; j < nr; j++) ci[j * csC] = alpha * t[j];
            }
            else
            {
                for (int j = 0; j < nr; j++)
                {
                    T* p = ci + j * csC;
                    *p = T.FusedMultiplyAdd(alpha, t[j], beta * *p);
                }
            }
        }
    }
}

/// <summary>
/// Per-thread packing buffers, 64-byte aligned, pinned, grown on demand and reused across calls
/// (no allocation in steady state).
/// </summary>
internal static unsafe class GemmBuffers
{
    [ThreadStatic] private static byte[]? t_a;
    [ThreadStatic] private static byte[]? t_b;
    [ThreadStatic] private static byte[]? t_scratch;

    /// <summary>Buffer for packed A blocks of the current thread.</summary>
    public static T* PackA<T>(long count) where T : unmanaged => (T*)Get(ref t_a, count * sizeof(T));

    /// <summary>Buffer for the packed B block owned by the calling (coordinating) thread.</summary>
    public static T* PackB<T>(long count) where T : unmanaged => (T*)Get(ref t_b, count * sizeof(T));

    /// <summary>Scratch tile for edge tiles of the current thread (at least MR * NR elements of any kernel).</summary>
    public static T* Scratch<T>() where T : unmanaged => (T*)Get(ref t_scratch, 64 * 64 * sizeof(T));

    private static void* Get(ref byte[]? array, long bytes)
    {
        if (array == null || array.Length < bytes + 64)
        {
            long size = Math.Max(bytes + 64, 4096);
            size = Math.Min((long)BitOperations.RoundUpToPowerOf2((ulong)size), Array.MaxLength);
            if (size < bytes + 64) throw new OutOfMemoryException($"Gemm: packing buffer of {bytes} bytes is too large.");
            array = null;
            array = GC.AllocateUninitializedArray<byte>((int)size, pinned: true);
        }
        byte* p = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        return (void*)(((nint)p + 63) & ~(nint)63);
    }
}

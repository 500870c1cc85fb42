using System.Numerics;
using System.Runtime.CompilerServices;

namespace Lantern.Kernels;

/// <summary>
/// Portable micro-kernel on <see cref="Vector{T}"/>: a 4 x (2 * Vector&lt;T&gt;.Count) tile, 8 accumulators, for
/// machines with SIMD but without AVX2/FMA (for example Arm64 NEON, or x64 with AVX2 switched off).
/// </summary>
internal unsafe struct GemmKernelVector<T> : IGemmKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int MR => 4;
    public static int NR => 2 * Vector<T>.Count;
    public static int KC => 256;
    public static int MC => 128;
    public static int NC => 2048;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> Fma(Vector<T> a, Vector<T> b, Vector<T> c)
    {
        if (typeof(T) == typeof(float))
            return Vector.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>();
        return Vector.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, T* a, T* b, T* c, nint rsC, nint csC, int mr, int nr, T alpha, T beta, T* scratch)
    {
        int w = Vector<T>.Count;
        Vector<T> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector<T> c20 = default, c21 = default, c30 = default, c31 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector<T> b0 = Vector.Load(b), b1 = Vector.Load(b + w);
            Vector<T> av = new(a[0]);
            c00 = Fma(av, b0, c00); c01 = Fma(av, b1, c01);
            av = new(a[1]);
            c10 = Fma(av, b0, c10); c11 = Fma(av, b1, c11);
            av = new(a[2]);
            c20 = Fma(av, b0, c20); c21 = Fma(av, b1, c21);
            av = new(a[3]);
            c30 = Fma(av, b0, c30); c31 = Fma(av, b1, c31);
            a += 4;
            b += 2 * w;
        }

        // Always through the scratch tile: one store path, the same arithmetic for every tile.
        int ld = 2 * w;
        Vector.Store(c00, scratch); Vector.Store(c01, scratch + w);
        Vector.Store(c10, scratch + ld); Vector.Store(c11, scratch + ld + w);
        Vector.Store(c20, scratch + 2 * ld); Vector.Store(c21, scratch + 2 * ld + w);
        Vector.Store(c30, scratch + 3 * ld); Vector.Store(c31, scratch + 3 * ld + w);
        GemmTile.Update(scratch, ld, c, rsC, csC, mr, nr, alpha, beta);
    }
}

/// <summary>
/// Scalar micro-kernel (4 x 4 tile, 16 accumulators in registers) for machines where no SIMD is accelerated
/// (for example DOTNET_EnableHWIntrinsic=0). Plain multiply-add: on such machines a fused scalar FMA is a
/// software routine.
/// </summary>
internal unsafe struct GemmKernelScalar<T> : IGemmKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int MR => 4;
    public static int NR => 4;
    public static int KC => 256;
    public static int MC => 128;
    public static int NC => 1024;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, T* a, T* b, T* c, nint rsC, nint csC, int mr, int nr, T alpha, T beta, T* scratch)
    {
        T c00 = T.Zero, c01 = T.Zero, c02 = T.Zero, c03 = T.Zero, c10 = T.Zero, c11 = T.Zero, c12 = T.Zero, c13 = T.Zero;
        T c20 = T.Zero, c21 = T.Zero, c22 = T.Zero, c23 = T.Zero, c30 = T.Zero, c31 = T.Zero, c32 = T.Zero, c33 = T.Zero;
        for (int p = 0; p < kc; p++)
        {
            T b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
            T av = a[0];
            c00 += av * b0; c01 += av * b1; c02 += av * b2; c03 += av * b3;
            av = a[1];
            c10 += av * b0; c11 += av * b1; c12 += av * b2; c13 += av * b3;
            av = a[2];
            c20 += av * b0; c21 += av * b1; c22 += av * b2; c23 += av * b3;
            av = a[3];
            c30 += av * b0; c31 += av * b1; c32 += av * b2; c33 += av * b3;
            a += 4;
            b += 4;
        }

        scratch[0] = c00; scratch[1] = c01; scratch[2] = c02; scratch[3] = c03;
        scratch[4] = c10; scratch[5] = c11; scratch[6] = c12; scratch[7] = c13;
        scratch[8] = c20; scratch[9] = c21; scratch[10] = c22; scratch[11] = c23;
        scratch[12] = c30; scratch[13] = c31; scratch[14] = c32; scratch[15] = c33;
        GemmTile.Update(scratch, 4, c, rsC, csC, mr, nr, alpha, beta);
    }
}

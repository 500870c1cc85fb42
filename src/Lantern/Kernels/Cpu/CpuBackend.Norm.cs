using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Lantern.Kernels;

// Normalisation kernels: rows of L contiguous elements, SIMD within a row (float sums in blocks, carried in
// double), rows spread over threads, per-channel totals combined in row order (thread-count independent).
public sealed partial class CpuBackend : INormBackend
{
    private const int NormGrain = 1 << 14;  // elements per parallel chunk
    private const int SumBlock = 1024;      // elements summed in T before carrying into double

    private static void CheckNorm(Layout l, int n, int c, int len, string op)
    {
        if (!l.IsContiguous || (long)n * c * len != l.Numel)
            throw new ArgumentException($"{op} kernel: expected a contiguous [{n}, {c}, {len}] operand, got shape {l.Shape} (contiguous: {l.IsContiguous}).");
    }

    private static int RowsPerChunk(int l) => Math.Max(1, NormGrain / Math.Max(l, 1));

    /// <inheritdoc/>
    public void ChannelMoments(DeviceBuffer x, Layout lx, int n, int c, int l, DeviceBuffer mean, DeviceBuffer variance)
    {
        CheckNorm(lx, n, c, l, "ChannelMoments");
        if (x.DType == DType.Float32) MomentsT(Data<float>(x), lx.Offset, n, c, l, Data<float>(mean), Data<float>(variance));
        else if (x.DType == DType.Float64) MomentsT(Data<double>(x), lx.Offset, n, c, l, Data<double>(mean), Data<double>(variance));
        else throw new NotSupportedException($"ChannelMoments: not defined for {x.DType}.");
    }

    private static void MomentsT<T>(T[] x, int off, int n, int c, int l, T[] mean, T[] variance) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = n * c;
        long count = (long)n * l;
        if (count == 0)
        {
            Array.Fill(mean, T.NaN, 0, c);
            Array.Fill(variance, T.NaN, 0, c);
            return;
        }
        var s1 = new double[rows];
        var s2 = new double[rows];
        KernelThreads.For(rows, RowsPerChunk(l), (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                T shift = x[off + (r % c) * l];
                ShiftedSums(new ReadOnlySpan<T>(x, off + r * l, l), shift, out s1[r], out s2[r]);
            }
        });
        for (int ci = 0; ci < c; ci++)
        {
            double a = 0, b = 0;
            for (int ni = 0; ni < n; ni++) { a += s1[ni * c + ci]; b += s2[ni * c + ci]; }
            double shift = double.CreateTruncating(x[off + ci * l]);
            double m = a / count;
            mean[ci] = T.CreateTruncating(shift + m);
            variance[ci] = T.CreateTruncating(Math.Max(0, b / count - m * m));
        }
    }

    // sum(x - shift) and sum((x - shift)^2) of one row.
    private static void ShiftedSums<T>(ReadOnlySpan<T> row, T shift, out double sum1, out double sum2) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double d1 = 0, d2 = 0;
        ref T r = ref MemoryMarshal.GetReference(row);
        int w = Vector<T>.Count;
        var vs = new Vector<T>(shift);
        for (int b = 0; b < row.Length; b += SumBlock)
        {
            int e = Math.Min(row.Length, b + SumBlock), i = b;
            Vector<T> a1 = Vector<T>.Zero, a2 = Vector<T>.Zero, c1 = Vector<T>.Zero, c2 = Vector<T>.Zero;
            for (; i + 2 * w <= e; i += 2 * w)
            {
                var v = Vector.LoadUnsafe(ref r, (nuint)i) - vs;
                var u = Vector.LoadUnsafe(ref r, (nuint)(i + w)) - vs;
                a1 += v; a2 += v * v; c1 += u; c2 += u * u;
            }
            T t1 = Vector.Sum(a1 + c1), t2 = Vector.Sum(a2 + c2);
            for (; i < e; i++) { T v = Unsafe.Add(ref r, i) - shift; t1 += v; t2 += v * v; }
            d1 += double.CreateTruncating(t1);
            d2 += double.CreateTruncating(t2);
        }
        sum1 = d1;
        sum2 = d2;
    }

    /// <inheritdoc/>
    public void ChannelAffine(DeviceBuffer x, Layout lx, int n, int c, int l, bool perSample, DeviceBuffer? center, int centerDiv,
        DeviceBuffer scale, DeviceBuffer shift, DeviceBuffer y)
    {
        CheckNorm(lx, n, c, l, "ChannelAffine");
        if (x.DType == DType.Float32)
            AffineT(Data<float>(x), lx.Offset, n, c, l, perSample, center is null ? null : Data<float>(center), centerDiv, Data<float>(scale), Data<float>(shift), Data<float>(y));
        else if (x.DType == DType.Float64)
            AffineT(Data<double>(x), lx.Offset, n, c, l, perSample, center is null ? null : Data<double>(center), centerDiv, Data<double>(scale), Data<double>(shift), Data<double>(y));
        else throw new NotSupportedException($"ChannelAffine: not defined for {x.DType}.");
    }

    private static void AffineT<T>(T[] x, int off, int n, int c, int l, bool perSample, T[]? center, int centerDiv, T[] scale, T[] shift, T[] y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (l == 0) return;
        KernelThreads.For(n * c, RowsPerChunk(l), (r0, r1) =>
        {
            int w = Vector<T>.Count;
            for (int r = r0; r < r1; r++)
            {
                int k = perSample ? r : r % c;
                T s = scale[k], t = shift[k], m = center is null ? T.Zero : center[k / centerDiv];
                ref T src = ref x[off + r * l];
                ref T dst = ref y[r * l];
                Vector<T> vs = new(s), vt = new(t), vm = new(m);
                int i = 0;
                for (; i + w <= l; i += w)
                    Vector.StoreUnsafe((Vector.LoadUnsafe(ref src, (nuint)i) - vm) * vs + vt, ref dst, (nuint)i);
                for (; i < l; i++) Unsafe.Add(ref dst, i) = (Unsafe.Add(ref src, i) - m) * s + t;
            }
        });
    }

    /// <inheritdoc/>
    public void ChannelGradSums(DeviceBuffer g, Layout lg, DeviceBuffer x, Layout lx, int n, int c, int l, bool perSample,
        DeviceBuffer center, int centerDiv, DeviceBuffer sumG, DeviceBuffer sumGXc)
    {
        CheckNorm(lg, n, c, l, "ChannelGradSums");
        CheckNorm(lx, n, c, l, "ChannelGradSums");
        if (x.DType == DType.Float32)
            GradSumsT(Data<float>(g), lg.Offset, Data<float>(x), lx.Offset, n, c, l, perSample, Data<float>(center), centerDiv, Data<float>(sumG), Data<float>(sumGXc));
        else if (x.DType == DType.Float64)
            GradSumsT(Data<double>(g), lg.Offset, Data<double>(x), lx.Offset, n, c, l, perSample, Data<double>(center), centerDiv, Data<double>(sumG), Data<double>(sumGXc));
        else throw new NotSupportedException($"ChannelGradSums: not defined for {x.DType}.");
    }

    private static void GradSumsT<T>(T[] g, int goff, T[] x, int xoff, int n, int c, int l, bool perSample, T[] center, int centerDiv, T[] sumG, T[] sumGXc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = n * c;
        var s1 = new double[rows];
        var s2 = new double[rows];
        KernelThreads.For(rows, RowsPerChunk(l), (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                int k = perSample ? r : r % c;
                RowGradSums(new ReadOnlySpan<T>(g, goff + r * l, l), new ReadOnlySpan<T>(x, xoff + r * l, l), center[k / centerDiv], out s1[r], out s2[r]);
            }
        });
        if (perSample)
        {
            for (int r = 0; r < rows; r++) { sumG[r] = T.CreateTruncating(s1[r]); sumGXc[r] = T.CreateTruncating(s2[r]); }
            return;
        }
        for (int ci = 0; ci < c; ci++)
        {
            double a = 0, b = 0;
            for (int ni = 0; ni < n; ni++) { a += s1[ni * c + ci]; b += s2[ni * c + ci]; }
            sumG[ci] = T.CreateTruncating(a);
            sumGXc[ci] = T.CreateTruncating(b);
        }
    }

    // sum(g) and sum(g * (x - m)) of one row.
    private static void RowGradSums<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> x, T m, out double sumG, out double sumGX) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double d1 = 0, d2 = 0;
        ref T rg = ref MemoryMarshal.GetReference(g);
        ref T rx = ref MemoryMarshal.GetReference(x);
        int w = Vector<T>.Count;
        var vm = new Vector<T>(m);
        for (int b = 0; b < g.Length; b += SumBlock)
        {
            int e = Math.Min(g.Length, b + SumBlock), i = b;
            Vector<T> a1 = Vector<T>.Zero, a2 = Vector<T>.Zero, c1 = Vector<T>.Zero, c2 = Vector<T>.Zero;
            for (; i + 2 * w <= e; i += 2 * w)
            {
                var gv = Vector.LoadUnsafe(ref rg, (nuint)i);
                var gu = Vector.LoadUnsafe(ref rg, (nuint)(i + w));
                a1 += gv; a2 += gv * (Vector.LoadUnsafe(ref rx, (nuint)i) - vm);
                c1 += gu; c2 += gu * (Vector.LoadUnsafe(ref rx, (nuint)(i + w)) - vm);
            }
            T t1 = Vector.Sum(a1 + c1), t2 = Vector.Sum(a2 + c2);
            for (; i < e; i++) { T gi = Unsafe.Add(ref rg, i); t1 += gi; t2 += gi * (Unsafe.Add(ref rx, i) - m); }
            d1 += double.CreateTruncating(t1);
            d2 += double.CreateTruncating(t2);
        }
        sumG = d1;
        sumGX = d2;
    }

    /// <inheritdoc/>
    public void ChannelAffineBackward(DeviceBuffer g, Layout lg, DeviceBuffer x, Layout lx, int n, int c, int l, bool perSample,
        DeviceBuffer center, int centerDiv, DeviceBuffer a, DeviceBuffer b, DeviceBuffer k0, DeviceBuffer dx)
    {
        CheckNorm(lg, n, c, l, "ChannelAffineBackward");
        CheckNorm(lx, n, c, l, "ChannelAffineBackward");
        if (x.DType == DType.Float32)
            AffineBackwardT(Data<float>(g), lg.Offset, Data<float>(x), lx.Offset, n, c, l, perSample, Data<float>(center), centerDiv,
                Data<float>(a), Data<float>(b), Data<float>(k0), Data<float>(dx));
        else if (x.DType == DType.Float64)
            AffineBackwardT(Data<double>(g), lg.Offset, Data<double>(x), lx.Offset, n, c, l, perSample, Data<double>(center), centerDiv,
                Data<double>(a), Data<double>(b), Data<double>(k0), Data<double>(dx));
        else throw new NotSupportedException($"ChannelAffineBackward: not defined for {x.DType}.");
    }

    private static void AffineBackwardT<T>(T[] g, int goff, T[] x, int xoff, int n, int c, int l, bool perSample, T[] center, int centerDiv,
        T[] a, T[] b, T[] k0, T[] dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (l == 0) return;
        KernelThreads.For(n * c, RowsPerChunk(l), (r0, r1) =>
        {
            int w = Vector<T>.Count;
            for (int r = r0; r < r1; r++)
            {
                int k = perSample ? r : r % c;
                T ca = a[k], cb = b[k], ck = k0[k], m = center[k / centerDiv];
                ref T rg = ref g[goff + r * l];
                ref T rx = ref x[xoff + r * l];
                ref T rd = ref dx[r * l];
                Vector<T> va = new(ca), vb = new(cb), vk = new(ck), vm = new(m);
                int i = 0;
                for (; i + w <= l; i += w)
                {
                    var v = va * Vector.LoadUnsafe(ref rg, (nuint)i) + vb * (Vector.LoadUnsafe(ref rx, (nuint)i) - vm) + vk;
                    Vector.StoreUnsafe(v, ref rd, (nuint)i);
                }
                for (; i < l; i++) Unsafe.Add(ref rd, i) = ca * Unsafe.Add(ref rg, i) + cb * (Unsafe.Add(ref rx, i) - m) + ck;
            }
        });
    }
}

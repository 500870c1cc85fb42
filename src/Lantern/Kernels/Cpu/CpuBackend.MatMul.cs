namespace Lantern.Kernels;

// Matrix products and random fills on the CPU.
public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void MatMul(DeviceBuffer a, Layout la, DeviceBuffer b, Layout lb, DeviceBuffer c, Layout lc, double alpha, double beta)
    {
        if (la.Rank != 3 || lb.Rank != 3 || lc.Rank != 3)
            throw new ArgumentException($"MatMul kernel: expected 3-D layouts, got {la.Shape}, {lb.Shape}, {lc.Shape}.");
        int batch = lc.Shape[0], m = lc.Shape[1], n = lc.Shape[2], k = la.Shape[2];
        var sa = la.Strides; var sb = lb.Strides; var sc = lc.Strides;
        switch (a.DType)
        {
            case DType.Float32:
                Gemm.SgemmBatched(batch, m, n, k, (float)alpha,
                    Data<float>(a).AsSpan(la.Offset), sa[0], sa[1], sa[2],
                    Data<float>(b).AsSpan(lb.Offset), sb[0], sb[1], sb[2], (float)beta,
                    Data<float>(c).AsSpan(lc.Offset), sc[0], sc[1], sc[2]);
                break;
            case DType.Float64:
                Gemm.DgemmBatched(batch, m, n, k, alpha,
                    Data<double>(a).AsSpan(la.Offset), sa[0], sa[1], sa[2],
                    Data<double>(b).AsSpan(lb.Offset), sb[0], sb[1], sb[2], beta,
                    Data<double>(c).AsSpan(lc.Offset), sc[0], sc[1], sc[2]);
                break;
            default:
                MatMulNaive(a, la, b, lb, c, lc, alpha, beta);
                break;
        }
    }

    // Integer matmul (PyTorch supports it on CPU): exact, with wrap-around, no SIMD.
    private static void MatMulNaive(DeviceBuffer a, Layout la, DeviceBuffer b, Layout lb, DeviceBuffer c, Layout lc, double alpha, double beta)
    {
        if (a.DType != DType.Int64 && a.DType != DType.UInt8)
            throw new NotSupportedException($"MatMul: not defined for {a.DType}.");
        int batch = lc.Shape[0], m = lc.Shape[1], n = lc.Shape[2], k = la.Shape[2];
        if (a.DType == DType.Int64) Naive(Data<long>(a), Data<long>(b), Data<long>(c));
        else Naive(Data<byte>(a), Data<byte>(b), Data<byte>(c));

        void Naive<T>(T[] x, T[] y, T[] z) where T : unmanaged, System.Numerics.INumber<T>
        {
            T al = T.CreateTruncating(alpha), be = T.CreateTruncating(beta);
            for (int bi = 0; bi < batch; bi++)
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++)
                    {
                        T acc = T.Zero;
                        for (int p = 0; p < k; p++)
                            acc += x[la.Offset + bi * la.Strides[0] + i * la.Strides[1] + p * la.Strides[2]]
                                 * y[lb.Offset + bi * lb.Strides[0] + p * lb.Strides[1] + j * lb.Strides[2]];
                        int ci = lc.Offset + bi * lc.Strides[0] + i * lc.Strides[1] + j * lc.Strides[2];
                        z[ci] = beta == 0 ? al * acc : al * acc + be * z[ci];
                    }
        }
    }

    /// <inheritdoc/>
    public void Random(bool normal, DeviceBuffer dst, ulong seed, ulong offset, double lo, double hi)
    {
        switch (dst.DType)
        {
            case DType.Float32: RandomKernels.Fill(normal, Data<float>(dst), seed, offset, lo, hi); break;
            case DType.Float64: RandomKernels.Fill(normal, Data<double>(dst), seed, offset, lo, hi); break;
            default: throw new NotSupportedException($"Random: floating dtypes only, got {dst.DType}.");
        }
    }
}

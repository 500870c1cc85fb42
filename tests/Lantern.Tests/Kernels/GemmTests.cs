using System.Numerics;
using System.Runtime.InteropServices;
using Lantern.Kernels;
using Xunit;

namespace Lantern.Tests.Kernels;

/// <summary>
/// Gemm against a naive float64 triple loop: shapes around every kernel's tile and block sizes, all four
/// transpose combinations and padded / strided views through strides, alpha/beta cases, batched with broadcast,
/// every micro-kernel family (emulated where the machine lacks it), 1 and 2 threads, and argument errors.
/// </summary>
public class GemmTests
{
    /// <summary>How an operand of logical shape [rows, cols] sits in its span.</summary>
    public enum Store { RowMajor, ColMajor, Padded, Strided }

    /// <summary>Mirror of the internal GemmPath (test signatures must be public).</summary>
    public enum Kernel { Auto, Avx512, Avx2, Vector, Scalar }

    // Shapes near each kernel's MR x NR tile (Avx512 14 x 32, Avx2 6 x 16 float, 6 x 8 double, Vector 4 x 2W, Scalar 4 x 4).
    public static TheoryData<Kernel, int, int, int> PathShapes()
    {
        var data = new TheoryData<Kernel, int, int, int>();
        (int, int, int)[] shapes =
        [
            (1, 1, 1), (17, 33, 5), (3, 2, 7), (5, 15, 9), (6, 16, 16), (7, 17, 3), (13, 31, 4), (14, 32, 8),
            (15, 33, 2), (4, 4, 1), (9, 8, 11), (28, 64, 12), (29, 63, 13),
        ];
        foreach (Kernel path in Enum.GetValues<Kernel>())
            foreach (var (m, n, k) in shapes) data.Add(path, m, n, k);
        return data;
    }

    [Theory]
    [MemberData(nameof(PathShapes))]
    public void Sgemm_EveryPath_TileEdges_MatchNaive(Kernel path, int m, int n, int k)
    {
        CheckAgainstNaive<float>(path, m, n, k, Store.RowMajor, Store.RowMajor, Store.RowMajor, 1f, 0f, threads: 1);
        CheckAgainstNaive<float>(path, m, n, k, Store.ColMajor, Store.Strided, Store.Padded, -0.5f, 1.5f, threads: 1);
        CheckAgainstNaive<double>(path, m, n, k, Store.Padded, Store.ColMajor, Store.ColMajor, 2.0, -1.0, threads: 1);
    }

    [Theory]
    [InlineData(Kernel.Avx512)]
    [InlineData(Kernel.Avx2)]
    [InlineData(Kernel.Vector)]
    [InlineData(Kernel.Scalar)]
    public void Sgemm_EveryPath_SeveralBlocks_MatchNaive(Kernel path)
    {
        // k past one KC block (at most 384 for every kernel), so later blocks accumulate on beta * C;
        // m past one MC block (at most 336 float, 168 double); both transposes of A.
        CheckAgainstNaive<float>(path, 350, 40, 400, Store.RowMajor, Store.RowMajor, Store.RowMajor, 1f, 0.5f, threads: 2);
        CheckAgainstNaive<float>(path, 129, 65, 300, Store.ColMajor, Store.ColMajor, Store.RowMajor, 1f, 0f, threads: 1);
        CheckAgainstNaive<double>(path, 177, 40, 390, Store.ColMajor, Store.RowMajor, Store.Strided, 1.0, 0.0, threads: 2);
    }

    public static TheoryData<Store, Store, Store> Layouts()
    {
        var data = new TheoryData<Store, Store, Store>();
        foreach (Store a in Enum.GetValues<Store>())
            foreach (Store b in Enum.GetValues<Store>())
                data.Add(a, b, a == Store.RowMajor ? Store.ColMajor : b);
        return data;
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Sgemm_TransposedAndStridedViews_MatchNaive(Store a, Store b, Store c)
    {
        CheckAgainstNaive<float>(Kernel.Auto, 37, 45, 70, a, b, c, 1f, 0f, threads: 2);
        CheckAgainstNaive<float>(Kernel.Auto, 130, 150, 70, a, b, c, 0.75f, -2f, threads: 2);
    }

    [Theory]
    [InlineData(256, 256, 256, 1)]
    [InlineData(256, 256, 256, 2)]
    [InlineData(300, 20, 600, 2)]
    [InlineData(2, 4100, 3, 1)]
    [InlineData(450, 30, 16, 2)]
    public void Sgemm_LargeShapes_MatchNaive(int m, int n, int k, int threads)
    {
        CheckAgainstNaive<float>(Kernel.Auto, m, n, k, Store.RowMajor, Store.RowMajor, Store.RowMajor, 1f, 0f, threads);
    }

    [Theory]
    [InlineData(0, 5, 3)]
    [InlineData(5, 0, 3)]
    [InlineData(5, 3, 0)]
    [InlineData(1, 1, 0)]
    public void Sgemm_EmptyDimensions(int m, int n, int k)
    {
        CheckAgainstNaive<float>(Kernel.Auto, m, n, k, Store.RowMajor, Store.RowMajor, Store.RowMajor, 1f, 0f, threads: 1);
        CheckAgainstNaive<float>(Kernel.Auto, m, n, k, Store.ColMajor, Store.RowMajor, Store.Padded, 2f, 3f, threads: 1);
    }

    [Theory]
    [InlineData(1f, 0f)]
    [InlineData(1f, 1f)]
    [InlineData(-2.5f, 0.25f)]
    [InlineData(0f, 3f)]
    [InlineData(0f, 0f)]
    public void Sgemm_AlphaBeta_MatchNaive(float alpha, float beta)
    {
        CheckAgainstNaive<float>(Kernel.Auto, 20, 35, 300, Store.RowMajor, Store.ColMajor, Store.RowMajor, alpha, beta, threads: 1);
        CheckAgainstNaive<double>(Kernel.Auto, 20, 35, 300, Store.ColMajor, Store.RowMajor, Store.ColMajor, alpha, beta, threads: 1);
    }

    [Fact]
    public void Sgemm_BetaZero_IgnoresNaNInC()
    {
        // CheckAgainstNaive fills C with NaN when beta == 0; also make sure a NaN never leaks from C or A.
        int m = 19, n = 37, k = 260;
        float[] a = Fill<float>(m * k, 1), b = Fill<float>(k * n, 2), c = new float[m * n];
        Array.Fill(c, float.NaN);
        Gemm.Sgemm(m, n, k, 1f, a, k, 1, b, n, 1, 0f, c, n, 1);
        Assert.DoesNotContain(c, float.IsNaN);

        // alpha == 0: A and B are not read, C = beta * C.
        Array.Fill(a, float.NaN);
        Array.Fill(c, 2f);
        Gemm.Sgemm(m, n, k, 0f, a, k, 1, b, n, 1, 0.5f, c, n, 1);
        Assert.All(c, v => Assert.Equal(1f, v));
    }

    [Theory]
    [InlineData(160, 200, 800)]
    [InlineData(1024, 40, 64)]
    [InlineData(33, 700, 280)]
    public void Sgemm_ResultDoesNotDependOnThreadCount(int m, int n, int k)
    {
        float[] a = Fill<float>(m * k, 3), b = Fill<float>(k * n, 4);
        float[] c1 = Fill<float>(m * n, 5), c2 = (float[])c1.Clone();
        WithThreads(1, () => Gemm.Sgemm(m, n, k, 1.5f, a, k, 1, b, 1, k, 0.5f, c1, n, 1));
        WithThreads(2, () => Gemm.Sgemm(m, n, k, 1.5f, a, k, 1, b, 1, k, 0.5f, c2, n, 1));
        Assert.Equal(c1, c2);
    }

    [Theory]
    [InlineData(7, 10, 12, 9, 0, 1)]     // small: spread across the batch, A broadcast
    [InlineData(4, 20, 30, 40, 1, 0)]    // B broadcast
    [InlineData(3, 120, 110, 100, 1, 1)] // large items: threaded inside each product
    public void SgemmBatched_MatchesNaivePerItem(int batch, int m, int n, int k, int aShared, int bShared)
    {
        int aBatch = aShared == 0 ? 0 : m * k + 3, bBatch = bShared == 0 ? 0 : k * n + 1, cBatch = m * n + 2;
        float[] a = Fill<float>(aBatch * (batch - 1) + m * k, 6), b = Fill<float>(bBatch * (batch - 1) + k * n, 7);
        float[] c0 = Fill<float>(cBatch * (batch - 1) + m * n, 8);
        foreach (int threads in new[] { 1, 2 })
        {
            float[] c = (float[])c0.Clone();
            WithThreads(threads, () => Gemm.SgemmBatched(batch, m, n, k, 0.5f, a, aBatch, k, 1, b, bBatch, 1, k, -1f, c, cBatch, n, 1));
            for (int i = 0; i < batch; i++)
            {
                var want = Naive<float>(m, n, k, 0.5, a.AsSpan(i * aBatch), k, 1, b.AsSpan(i * bBatch), 1, k, -1.0, c0.AsSpan(i * cBatch), n, 1);
                AssertClose<float>(want.Value, want.Scale, c.AsSpan(i * cBatch), n, 1, m, n, k);
            }
        }
    }

    [Fact]
    public void DgemmBatched_MatchesSingleProducts()
    {
        int batch = 5, m = 9, n = 21, k = 33;
        double[] a = Fill<double>(batch * m * k, 9), b = Fill<double>(k * n, 10), c = Fill<double>(batch * m * n, 11);
        double[] expected = (double[])c.Clone();
        for (int i = 0; i < batch; i++)
            Gemm.Dgemm(m, n, k, 2.0, a.AsSpan(i * m * k), k, 1, b, n, 1, 0.5, expected.AsSpan(i * m * n), n, 1);
        WithThreads(2, () => Gemm.DgemmBatched(batch, m, n, k, 2.0, a, m * k, k, 1, b, 0, n, 1, 0.5, c, m * n, n, 1));
        Assert.Equal(expected, c);
    }

    [Fact]
    public void BadArguments_ThrowNamingTheOperation()
    {
        float[] a = new float[6], b = new float[6], c = new float[4];
        var e = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(-1, 2, 3, 1f, a, 3, 1, b, 2, 1, 0f, c, 2, 1));
        Assert.Contains("Gemm.Sgemm", e.Message);
        Assert.Contains("m=-1", e.Message);
        e = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(2, 2, 4, 1f, a, 4, 1, b, 2, 1, 0f, c, 2, 1));
        Assert.Contains("Gemm.Sgemm", e.Message);
        Assert.Contains("A [2, 4]", e.Message);
        e = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(2, 2, 3, 1f, a, 3, 1, b, 2, 1, 0f, c, 2, -1));
        Assert.Contains("non-negative", e.Message);
        e = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(2, 2, 3, 1f, a, 3, 1, b, 2, 1, 0f, c, 0, 1));
        Assert.Contains("more than once", e.Message);
        var d = new double[10];
        e = Assert.Throws<ArgumentException>(() => Gemm.Dgemm(2, 3, 2, 1.0, d, 2, 1, d, 3, 1, 0.0, new double[5], 3, 1));
        Assert.Contains("Gemm.Dgemm", e.Message);
        Assert.Contains("C [2, 3]", e.Message);
        e = Assert.Throws<ArgumentException>(() => Gemm.DgemmBatched(3, 2, 2, 2, 1.0, d, 4, 2, 1, d, 4, 2, 1, 0.0, d, 0, 2, 1));
        Assert.Contains("Gemm.DgemmBatched", e.Message);
        e = Assert.Throws<ArgumentException>(() => Gemm.SgemmBatched(2, 2, 2, 2, 1f, a, 4, 2, 1, b, 0, 2, 1, 0f, new float[8], 4, 2, 1));
        Assert.Contains("Gemm.SgemmBatched", e.Message);
        Assert.Contains("A [2, 2]", e.Message);
    }

    // ---- helpers ----

    private static void CheckAgainstNaive<T>(Kernel path, int m, int n, int k, Store sa, Store sb, Store sc,
        T alpha, T beta, int threads) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (a, rsA, csA) = Make<T>(m, k, sa, 100 + m);
        var (b, rsB, csB) = Make<T>(k, n, sb, 200 + n);
        var (c, rsC, csC) = Make<T>(m, n, sc, 300 + k);
        if (beta == T.Zero) Array.Fill(c, T.NaN);
        T[] c0 = (T[])c.Clone();
        var saved = Gemm.ForcedPath;
        try
        {
            Gemm.ForcedPath = (GemmPath)(int)path;
            WithThreads(threads, () => Call(m, n, k, alpha, a, rsA, csA, b, rsB, csB, beta, c, rsC, csC));
        }
        finally { Gemm.ForcedPath = saved; }

        var want = Naive<T>(m, n, k, double.CreateChecked(alpha), a, rsA, csA, b, rsB, csB, double.CreateChecked(beta), c0, rsC, csC);
        AssertClose<T>(want.Value, want.Scale, c, rsC, csC, m, n, k);
        // Elements of C's span outside the matrix are untouched.
        var inside = new bool[c.Length];
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) inside[i * rsC + j * csC] = true;
        for (int x = 0; x < c.Length; x++)
            if (!inside[x]) Assert.Equal(c0[x], c[x]);
    }

    private static void Call<T>(int m, int n, int k, T alpha, T[] a, int rsA, int csA, T[] b, int rsB, int csB,
        T beta, T[] c, int rsC, int csC) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
            Gemm.Sgemm(m, n, k, (float)(object)alpha, (float[])(object)a, rsA, csA, (float[])(object)b, rsB, csB,
                (float)(object)beta, (float[])(object)c, rsC, csC);
        else
            Gemm.Dgemm(m, n, k, (double)(object)alpha, (double[])(object)a, rsA, csA, (double[])(object)b, rsB, csB,
                (double)(object)beta, (double[])(object)c, rsC, csC);
    }

    /// <summary>Reference in float64, plus the scale alpha * sum |a||b| + |beta c| each element's error is judged by.</summary>
    private static (double[] Value, double[] Scale) Naive<T>(int m, int n, int k, double alpha, ReadOnlySpan<T> a, int rsA, int csA,
        ReadOnlySpan<T> b, int rsB, int csB, double beta, ReadOnlySpan<T> c, int rsC, int csC) where T : unmanaged, INumberBase<T>
    {
        var value = new double[m * n];
        var scale = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0, abs = 0;
                for (int p = 0; p < k; p++)
                {
                    double x = double.CreateChecked(a[i * rsA + p * csA]) * double.CreateChecked(b[p * rsB + j * csB]);
                    s += x;
                    abs += Math.Abs(x);
                }
                double c0 = beta == 0 ? 0 : double.CreateChecked(c[i * rsC + j * csC]);
                value[i * n + j] = alpha * s + beta * c0;
                scale[i * n + j] = Math.Abs(alpha) * abs + Math.Abs(beta * c0);
            }
        return (value, scale);
    }

    private static void AssertClose<T>(double[] want, double[] scale, ReadOnlySpan<T> c, int rsC, int csC, int m, int n, int k)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double eps = typeof(T) == typeof(float) ? 1.2e-7 : 2.3e-16;
        double tol = 2 * (k + 4) * eps;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double got = double.CreateChecked(c[i * rsC + j * csC]);
                double err = Math.Abs(got - want[i * n + j]);
                if (!(err <= tol * scale[i * n + j] + 1e-30))
                    Assert.Fail($"C[{i}, {j}] = {got}, want {want[i * n + j]} (err {err:E2}, allowed {tol * scale[i * n + j]:E2}) for m={m} n={n} k={k}");
            }
    }

    /// <summary>An operand [rows, cols] in the given storage, unused span slots NaN (reading them would show).</summary>
    private static (T[] Data, int Rs, int Cs) Make<T>(int rows, int cols, Store store, int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (rs, cs, len) = store switch
        {
            Store.RowMajor => (cols, 1, rows * cols),
            Store.ColMajor => (1, rows, rows * cols),
            Store.Padded => (cols + 3, 1, rows * (cols + 3)),
            _ => (2 * cols + 1, 2, rows * (2 * cols + 1)),
        };
        var data = new T[Math.Max(len, 1)];
        Array.Fill(data, T.NaN);
        T[] values = Fill<T>(rows * cols, seed);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) data[i * rs + j * cs] = values[i * cols + j];
        return (data, rs, cs);
    }

    /// <summary>Uniform values in [-1, 1), exactly representable in T.</summary>
    private static T[] Fill<T>(int count, int seed) where T : unmanaged, INumberBase<T>
    {
        var rng = new Random(seed);
        var data = new T[count];
        for (int i = 0; i < count; i++) data[i] = T.CreateTruncating((float)(rng.NextDouble() * 2 - 1));
        return data;
    }

    private static void WithThreads(int threads, Action body)
    {
        int saved = KernelThreads.Threads;
        try
        {
            KernelThreads.Threads = threads;
            body();
        }
        finally { KernelThreads.Threads = saved; }
    }
}

using Lantern.Kernels;
using Lantern.Tests.OpTable;
using Xunit;

namespace Lantern.Tests.Kernels;

/// <summary>
/// The convolution kernels against loop-by-loop float64 definitions, on sizes that exercise every path: several
/// column tiles (tiles crossing output rows), batches split into several weight-gradient parts, the sequential
/// path with threaded GEMMs (N * groups below the thread count), 1x1 and depthwise paths; and float32 results
/// bitwise equal for 1 and 2 threads.
/// </summary>
public class ConvKernelTests
{
    public static TheoryData<string> Configs() => new(s_configs.Keys);

    // (N, C, H, W, O, KH, KW, stride, pad (before), dilation, groups)
    private static readonly Dictionary<string, int[]> s_configs = new()
    {
        ["3x3 pad 1, N 10"] = [10, 4, 9, 11, 6, 3, 3, 1, 1, 1, 1],
        ["3x3 stride 2 dilation 2, N 1"] = [1, 3, 12, 10, 5, 3, 3, 2, 2, 2, 1],
        ["5x2 groups 2, N 3"] = [3, 4, 8, 9, 6, 5, 2, 1, 2, 1, 2],
        ["1x1 pointwise, N 9"] = [9, 5, 7, 13, 4, 1, 1, 1, 0, 1, 1],
        ["1x1 stride 2, N 2"] = [2, 5, 7, 13, 4, 1, 1, 2, 0, 1, 1],
        ["depthwise x2 stride 2, N 3"] = [3, 3, 9, 10, 6, 3, 3, 2, 1, 1, 3],
        ["depthwise dilation 2, N 1"] = [1, 4, 9, 10, 4, 3, 3, 1, 2, 2, 4],
        ["one input channel, N 10"] = [10, 1, 8, 9, 7, 3, 3, 1, 1, 1, 1],
        ["Winograd 3x3 pad 1, odd sizes, N 3"] = [3, 16, 9, 17, 20, 3, 3, 1, 1, 1, 1],
        ["Winograd 3x3 pad 2 / 0, groups 2, N 2"] = [2, 32, 8, 16, 32, 3, 3, 1, 2, 1, 2],
        ["Winograd 3x3 pad 0 / 2, N 1"] = [1, 16, 10, 20, 16, 3, 3, 1, 0, 1, 1],
    };

    private static ConvGeometry Geometry(int[] c) => new()
    {
        N = c[0], C = c[1], H = c[2], W = c[3], O = c[4], KH = c[5], KW = c[6],
        StrideH = c[7], StrideW = c[7], PadH = c[8], PadW = c[8], DilationH = c[9], DilationW = c[9], Groups = c[10],
        OH = ConvGeometry.OutputSize(c[2], c[5], c[7], 2 * c[8], c[9]), OW = ConvGeometry.OutputSize(c[3], c[6], c[7], 2 * c[8], c[9]),
    };

    private static Tensor Rand(int seed, params int[] shape) => Tensor.Randn(shape, DType.Float64, generator: new Generator((ulong)seed));

    private static (Tensor Y, Tensor Dx, Tensor Dw, Tensor Db) RunKernels(ConvGeometry g, Tensor x, Tensor w, Tensor b, Tensor dy)
    {
        var be = CpuBackend.Instance;
        var y = Tensor.Zeros([g.N, g.O, g.OH, g.OW], x.DType);
        var dx = Tensor.Zeros(x.Shape, x.DType);
        var dw = Tensor.Zeros(w.Shape, x.DType);
        var db = Tensor.Zeros([g.O], x.DType);
        be.ConvForward(x.Buffer, x.Layout, w.Buffer, w.Layout, b.Buffer, b.Layout, y.Buffer, y.Layout, g);
        be.ConvBackwardInput(dy.Buffer, dy.Layout, w.Buffer, w.Layout, dx.Buffer, dx.Layout, g);
        be.ConvBackwardWeight(x.Buffer, x.Layout, dy.Buffer, dy.Layout, dw.Buffer, dw.Layout, g);
        be.ConvBackwardBias(dy.Buffer, dy.Layout, db.Buffer, db.Layout, g);
        return (y, dx, dw, db);
    }

    // The gradients by their definitions: dx[n, c, ih, iw] and dw[o, c', kh, kw] collect dy[n, o, oh, ow] times the
    // other operand over every (output pixel, kernel point) pair that touches them.
    private static (Nd Dx, Nd Dw, Nd Db) NaiveGrads(ConvGeometry g, Nd x, Nd w, Nd dy)
    {
        var dx = new Nd(x.Shape);
        var dw = new Nd(w.Shape);
        var db = new Nd([g.O]);
        for (int n = 0; n < g.N; n++)
            for (int o = 0; o < g.O; o++)
                for (int oh = 0; oh < g.OH; oh++)
                    for (int ow = 0; ow < g.OW; ow++)
                    {
                        double gy = dy[n, o, oh, ow];
                        db.Data[o] += gy;
                        for (int ci = 0; ci < g.Cg; ci++)
                            for (int i = 0; i < g.KH; i++)
                                for (int j = 0; j < g.KW; j++)
                                {
                                    int ih = oh * g.StrideH - g.PadH + i * g.DilationH, iw = ow * g.StrideW - g.PadW + j * g.DilationW;
                                    if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
                                    int c = o / g.Og * g.Cg + ci;
                                    dx[n, c, ih, iw] += gy * w[o, ci, i, j];
                                    dw[o, ci, i, j] += gy * x[n, c, ih, iw];
                                }
                    }
        return (dx, dw, db);
    }

    [Theory, MemberData(nameof(Configs))]
    public void MatchesDefinitionsOnEveryPath(string name)
    {
        var g = Geometry(s_configs[name]);
        var x = Rand(1, g.N, g.C, g.H, g.W);
        var w = Rand(2, g.O, g.Cg, g.KH, g.KW);
        var b = Rand(3, g.O);
        var dy = Rand(4, g.N, g.O, g.OH, g.OW);
        var y = ConvReference.Conv2d(Nd.From(x), Nd.From(w), Nd.From(b), (g.StrideH, g.StrideW), (g.PadH, g.PadW), (g.DilationH, g.DilationW), g.Groups);
        var (dx, dw, db) = NaiveGrads(g, Nd.From(x), Nd.From(w), Nd.From(dy));
        bool winograd = Winograd<double>.Applies(g) && Winograd<double>.Applies(Winograd<double>.BackwardGeometry(g));
        Assert.Equal(name.StartsWith("Winograd", StringComparison.Ordinal), winograd);
        foreach (int tile in new[] { 0, 7 })
            foreach (int threads in new[] { 1, 2 })
            {
                var r = WithSettings(threads, tile, () => RunKernels(g, x, w, b, dy));
                string what = $"{name}, tile {tile}, threads {threads}";
                Gradcheck.Compare(r.Y.ToArray<double>(), y.Data, 1e-12, 1e-10, what + " forward");
                Gradcheck.Compare(r.Dx.ToArray<double>(), dx.Data, 1e-12, 1e-10, what + " input gradient");
                Gradcheck.Compare(r.Dw.ToArray<double>(), dw.Data, 1e-12, 1e-10, what + " weight gradient");
                Gradcheck.Compare(r.Db.ToArray<double>(), db.Data, 1e-12, 1e-10, what + " bias gradient");
            }
    }

    [Theory, MemberData(nameof(Configs))]
    public void Float32ResultsDoNotDependOnTheThreadCount(string name)
    {
        var g = Geometry(s_configs[name]);
        var x = Rand(5, g.N, g.C, g.H, g.W).To(DType.Float32);
        var w = Rand(6, g.O, g.Cg, g.KH, g.KW).To(DType.Float32);
        var b = Rand(7, g.O).To(DType.Float32);
        var dy = Rand(8, g.N, g.O, g.OH, g.OW).To(DType.Float32);
        var one = WithSettings(1, 0, () => RunKernels(g, x, w, b, dy));
        var two = WithSettings(2, 0, () => RunKernels(g, x, w, b, dy));
        Assert.Equal(one.Y.ToArray<float>(), two.Y.ToArray<float>());
        Assert.Equal(one.Dx.ToArray<float>(), two.Dx.ToArray<float>());
        Assert.Equal(one.Dw.ToArray<float>(), two.Dw.ToArray<float>());
        Assert.Equal(one.Db.ToArray<float>(), two.Db.ToArray<float>());
    }

    [Fact] // im2col / col2im over the batch (Unfold / Fold) with several workers
    public void UnfoldFoldAdjointOverLargeBatch()
    {
        var x = Rand(9, 12, 3, 6, 7);
        var c = Rand(10, 12, 3 * 4, 5 * 6);
        var cols = WithSettings(2, 0, () => global::Lantern.NN.F.Unfold(x, 2));
        var back = WithSettings(2, 0, () => global::Lantern.NN.F.Fold(c, (6, 7), 2));
        // <unfold(x), c> = <x, fold(c)>
        double lhs = cols.Mul(c).Sum().Item<double>(), rhs = x.Mul(back).Sum().Item<double>();
        Assert.Equal(lhs, rhs, 1e-9);
        Gradcheck.Compare(cols.ToArray<double>(), ConvReference.Unfold(Nd.From(x), (2, 2), (1, 1), (0, 0), (1, 1)).Data, 0, 0, "unfold");
    }

    private static T WithSettings<T>(int threads, int tile, Func<T> body)
    {
        int saved = KernelThreads.Threads;
        try
        {
            KernelThreads.Threads = threads;
            ConvGemm<double>.TilePixelsOverride = tile;
            ConvGemm<float>.TilePixelsOverride = tile;
            return body();
        }
        finally
        {
            KernelThreads.Threads = saved;
            ConvGemm<double>.TilePixelsOverride = 0;
            ConvGemm<float>.TilePixelsOverride = 0;
        }
    }
}

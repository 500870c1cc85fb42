using Lantern.Kernels;
using Lantern.NN;
using Xunit;

namespace Lantern.Tests.NN;

/// <summary>Pooling, upsampling and sampling modules: module == functional, reprs, state, double backward, threading, errors.</summary>
public class PoolingTests
{
    private static Tensor X(params int[] shape) => Tensor.Randn(shape, DType.Float64, generator: new Generator((ulong)shape.Sum() + 3));

    private static void Equal(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        Assert.Equal(expected.ToArray<double>(), actual.ToArray<double>());
    }

    private static void Close(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var (e, a) = (expected.ToArray<double>(), actual.ToArray<double>());
        for (int i = 0; i < e.Length; i++) Assert.True(Math.Abs(e[i] - a[i]) <= 1e-14, $"element {i}: {a[i]} vs {e[i]}");
    }

    [Fact]
    public void ModulesEqualTheirFunctionalForms()
    {
        var x = X(2, 3, 9, 10);
        var s = X(2, 3, 11);
        Equal(F.MaxPool2d(x, [3], [2], [1], [1], true), new MaxPool2d(3, 2, 1, ceilMode: true).Call(x));
        Equal(F.MaxPool2d(x, [3, 2], [1, 2], [1, 0], [2, 1]), new MaxPool2d([3, 2], [1, 2], [1, 0], [2, 1]).Call(x));
        Equal(F.MaxPool2dWithIndices(x, [2]).Indices, new MaxPool2d(2).ForwardWithIndices(x).Indices);
        Equal(F.MaxPool1d(s, 3, 2, 1), new MaxPool1d(3, 2, 1).Call(s));
        Equal(F.MaxPool1dWithIndices(s, 2).Indices, new MaxPool1d(2).ForwardWithIndices(s).Indices);
        Equal(F.AvgPool2d(x, [3], [2], [1], false, false, null), new AvgPool2d(3, 2, 1, countIncludePad: false).Call(x));
        Equal(F.AvgPool2d(x, [2, 3], null, null, true, true, 4), new AvgPool2d([2, 3], ceilMode: true, divisorOverride: 4).Call(x));
        Equal(F.AvgPool1d(s, 3, 1, 1), new AvgPool1d(3, 1, 1).Call(s));
        Equal(F.AdaptiveAvgPool2d(x, [4, null]), new AdaptiveAvgPool2d([4, null]).Call(x));
        Equal(F.AdaptiveMaxPool2d(x, 3), new AdaptiveMaxPool2d(3).Call(x));
        Equal(F.AdaptiveMaxPool2dWithIndices(x, [3]).Indices, new AdaptiveMaxPool2d(3).ForwardWithIndices(x).Indices);
        Equal(F.AdaptiveAvgPool1d(s, 4), new AdaptiveAvgPool1d(4).Call(s));
        Equal(F.AdaptiveMaxPool1d(s, 4), new AdaptiveMaxPool1d(4).Call(s));
        Equal(F.AdaptiveMaxPool1dWithIndices(s, 4).Indices, new AdaptiveMaxPool1d(4).ForwardWithIndices(s).Indices);
        Equal(F.AdaptiveAvgPool2d(x, 1), new GlobalAvgPool2d().Call(x));
        Close(x.Mean([2, 3], keepDim: true), new GlobalAvgPool2d().Call(x));
        Equal(x.Amax([2, 3], keepDim: true), new GlobalMaxPool2d().Call(x));
        var (p2, i2) = F.MaxPool2dWithIndices(x, [2]);
        Equal(F.MaxUnpool2d(p2, i2, [2]), new MaxUnpool2d(2).Call((p2, i2)));
        Equal(F.MaxUnpool2d(p2, i2, [2], outputSize: [9, 10]), new MaxUnpool2d(2).Forward(p2, i2, [9, 10]));
        var (p1, i1) = F.MaxPool1dWithIndices(s, 2);
        Equal(F.MaxUnpool1d(p1, i1, 2, outputSize: [11]), new MaxUnpool1d(2).Forward(p1, i1, [11]));
        Equal(F.Interpolate(x, scaleFactor: [2.0], mode: "bilinear"), new Upsample(scaleFactor: [2.0], mode: "bilinear").Call(x));
        Equal(F.Interpolate(x, size: [4, 5], mode: "nearest"), new UpsamplingNearest2d(size: [4, 5]).Call(x));
        Equal(F.Interpolate(x, scaleFactor: [1.5], mode: "bilinear", alignCorners: true), new UpsamplingBilinear2d(scaleFactor: [1.5]).Call(x));
        Equal(F.PixelShuffle(X(2, 12, 3, 4), 2), new PixelShuffle(2).Call(X(2, 12, 3, 4)));
        Equal(F.PixelUnshuffle(x.Narrow(3, 0, 9), 3), new PixelUnshuffle(3).Call(x.Narrow(3, 0, 9)));
    }

    [Fact] // PyTorch's extra_repr: sizes printed as given (ints or tuples); 1-D average pooling and unpooling store tuples
    public void ReprsMatchPyTorch()
    {
        Assert.Equal("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)", new MaxPool2d(2).ToString());
        Assert.Equal("MaxPool2d(kernel_size=(3, 2), stride=(2, 1), padding=(1, 0), dilation=1, ceil_mode=True)",
            new MaxPool2d([3, 2], [2, 1], [1, 0], ceilMode: true).ToString());
        Assert.Equal("MaxPool1d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)", new MaxPool1d(3, 2, 1).ToString());
        Assert.Equal("AvgPool2d(kernel_size=3, stride=2, padding=1)", new AvgPool2d(3, 2, 1).ToString());
        Assert.Equal("AvgPool2d(kernel_size=(2, 3), stride=(2, 3), padding=0)", new AvgPool2d([2, 3]).ToString());
        Assert.Equal("AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))", new AvgPool1d(3).ToString());
        Assert.Equal("AdaptiveAvgPool2d(output_size=1)", new AdaptiveAvgPool2d(1).ToString());
        Assert.Equal("AdaptiveAvgPool2d(output_size=(5, None))", new AdaptiveAvgPool2d([5, null]).ToString());
        Assert.Equal("AdaptiveMaxPool2d(output_size=(7, 7))", new AdaptiveMaxPool2d([7, 7]).ToString());
        Assert.Equal("AdaptiveMaxPool1d(output_size=4)", new AdaptiveMaxPool1d(4).ToString());
        Assert.Equal("MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))", new MaxUnpool2d(2).ToString());
        Assert.Equal("MaxUnpool1d(kernel_size=(2,), stride=(2,), padding=(0,))", new MaxUnpool1d(2).ToString());
        Assert.Equal("Upsample(scale_factor=2.0, mode='bilinear')", new Upsample(scaleFactor: [2.0], mode: "bilinear").ToString());
        Assert.Equal("Upsample(scale_factor=(2.0, 1.5), mode='nearest')", new Upsample(scaleFactor: [2, 1.5]).ToString());
        Assert.Equal("Upsample(size=(4, 5), mode='bicubic')", new Upsample(size: [4, 5], mode: "bicubic").ToString());
        Assert.Equal("UpsamplingBilinear2d(scale_factor=2.0, mode='bilinear')", new UpsamplingBilinear2d(scaleFactor: [2.0]).ToString());
        Assert.Equal("UpsamplingNearest2d(size=8, mode='nearest')", new UpsamplingNearest2d(size: [8]).ToString());
        Assert.Equal("PixelShuffle(upscale_factor=3)", new PixelShuffle(3).ToString());
        Assert.Equal("PixelUnshuffle(downscale_factor=2)", new PixelUnshuffle(2).ToString());
        Assert.Equal("GlobalAvgPool2d()", new GlobalAvgPool2d().ToString());
        Assert.Equal("SpatialPyramidPooling(levels=(1, 2, 4), mode='max')", new SpatialPyramidPooling().ToString());
        Assert.Equal("Sequential(\n  (0): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)\n  (1): PixelShuffle(upscale_factor=2)\n)",
            new Sequential(new MaxPool2d(2), new PixelShuffle(2)).ToString());
    }

    [Fact] // parameter-free layers: empty state dicts, and train/eval make no difference
    public void NoStateAndNoTrainEvalDifference()
    {
        Module[] mods = [new MaxPool2d(2), new AvgPool2d(2), new AdaptiveAvgPool2d(2), new AdaptiveMaxPool2d(2), new GlobalMaxPool2d(),
            new Upsample(scaleFactor: [2.0]), new PixelShuffle(2), new SpatialPyramidPooling([1, 2], "avg"), new MaxUnpool2d(2)];
        foreach (var m in mods)
        {
            Assert.Empty(m.StateDict());
            Assert.Empty(m.Parameters());
        }
        var x = X(2, 4, 6, 6);
        foreach (var m in mods.OfType<Module<Tensor, Tensor>>())
        {
            var train = m.Call(x);
            m.Eval();
            Equal(train, m.Call(x));
        }
    }

    [Fact] // He et al.'s fixed-length vector: C * sum(l²) features from any input size, levels concatenated in order
    public void SpatialPyramidPoolingHasAFixedLength()
    {
        var spp = new SpatialPyramidPooling([1, 2, 4]);
        Assert.Equal(3 * 21, spp.OutputFeatures(3));
        foreach (var (h, w) in new[] { (4, 4), (13, 7), (2, 3), (31, 40) })
        {
            var x = X(2, 3, h, w);
            var y = spp.Call(x);
            Assert.Equal([2, 63], y.Shape.ToArray());
            var expected = Tensor.Cat([F.AdaptiveMaxPool2d(x, 1).Flatten(1), F.AdaptiveMaxPool2d(x, 2).Flatten(1), F.AdaptiveMaxPool2d(x, 4).Flatten(1)], 1);
            Equal(expected, y);
            Equal(x.Amax([2, 3]), y.Narrow(1, 0, 3));
        }
        var avg = new SpatialPyramidPooling([1, 3], "avg");
        var u = X(3, 7, 5);
        var yu = avg.Call(u);
        Assert.Equal([30], yu.Shape.ToArray());
        Close(u.Mean([1, 2]), yu.Narrow(0, 0, 3));
        Assert.Contains("SpatialPyramidPooling", Assert.Throws<ArgumentException>(() => new SpatialPyramidPooling([0, 2])).Message);
        Assert.Contains("mode", Assert.Throws<ArgumentException>(() => new SpatialPyramidPooling([1], "sum")).Message);
        Assert.Contains("SpatialPyramidPooling", Assert.Throws<ArgumentException>(() => spp.Call(X(3, 4))).Message);
    }

    [Fact] // unpool(pool(x)) keeps each window maximum in place and zeros elsewhere
    public void MaxUnpoolInvertsMaxPoolOnTheMaxima()
    {
        var x = X(2, 3, 8, 6);
        var (p, i) = F.MaxPool2dWithIndices(x, [2]);
        var u = F.MaxUnpool2d(p, i, [2]);
        Equal(p, F.MaxPool2d(Tensor.Where(u.Ne(0), u, double.NegativeInfinity), 2));
        Assert.Equal(p.Numel(), u.Ne(0).Sum().Item<long>());
    }

    /// <summary>
    /// For an op linear in its input (or piecewise linear, as max pooling), the input gradient J^T v is itself
    /// differentiable in v, with d(sum(w · J^T v))/dv = J w: the backward of the backward is the forward again.
    /// </summary>
    [Theory]
    [InlineData("maxpool")]
    [InlineData("avgpool")]
    [InlineData("adaptive-avg")]
    [InlineData("adaptive-max")]
    [InlineData("bilinear")]
    [InlineData("bicubic")]
    [InlineData("nearest")]
    [InlineData("unpool")]
    public void DoubleBackwardGivesTheForwardMap(string op)
    {
        var x = X(2, 2, 7, 8).RequiresGrad_();
        var (_, idx) = F.MaxPool2dWithIndices(x.Detach(), [2]);
        Func<Tensor, Tensor> f = op switch
        {
            "maxpool" => t => F.MaxPool2d(t, [3], [2], [1]),
            "avgpool" => t => F.AvgPool2d(t, [3], [2], [1], countIncludePad: false),
            "adaptive-avg" => t => F.AdaptiveAvgPool2d(t, [3, 5]),
            "adaptive-max" => t => F.AdaptiveMaxPool2d(t, [3, 5]),
            "bilinear" => t => F.Interpolate(t, size: [11, 5], mode: "bilinear"),
            "bicubic" => t => F.Interpolate(t, scaleFactor: [1.5], mode: "bicubic", alignCorners: true),
            "nearest" => t => F.Interpolate(t, size: [10, 13]),
            _ => t => F.MaxUnpool2d(t.Narrow(2, 0, 3).Narrow(3, 0, 4), idx, [2], outputSize: [7, 8]),
        };
        var y = f(x);
        var v = Tensor.Randn(y.Shape, DType.Float64, generator: new Generator(8)).RequiresGrad_();
        var gx = Autograd.Grad([y], [x], [v], createGraph: true)[0]!;
        var w = Tensor.Randn(x.Shape, DType.Float64, generator: new Generator(9));
        var gv = Autograd.Grad(gx.Mul(w).Sum(), v);
        // J w: for max pooling, w read at the argmax of x (the linearisation at x).
        Tensor jw = op switch
        {
            "maxpool" => w.Flatten(2).Gather(2, F.MaxPool2dWithIndices(x.Detach(), [3], [2], [1]).Indices.Flatten(2)).Reshape(y.Shape.ToArray()),
            "adaptive-max" => w.Flatten(2).Gather(2, F.AdaptiveMaxPool2dWithIndices(x.Detach(), [3, 5]).Indices.Flatten(2)).Reshape(y.Shape.ToArray()),
            _ => f(w),
        };
        Assert.Equal(jw.Shape, gv.Shape);
        var (a, e) = (gv.ToArray<double>(), jw.ToArray<double>());
        for (int i = 0; i < a.Length; i++) Assert.True(Math.Abs(a[i] - e[i]) <= 1e-12 * (1 + Math.Abs(e[i])), $"{op}: element {i}: {a[i]} vs {e[i]}");
    }

    [Fact] // as in PyTorch, grid_sample's gradients are not differentiable again: asking for it fails loudly
    public void GridSampleDoubleBackwardRaises()
    {
        var x = X(1, 2, 4, 4).RequiresGrad_();
        var grid = Tensor.Uniform([1, 3, 3, 2], -1, 1, DType.Float64, generator: new Generator(2)).RequiresGrad_();
        var y = F.GridSample(x, grid);
        var gs = Autograd.Grad([y.Sum()], [x, grid], createGraph: true);
        var ex = Assert.Throws<NotSupportedException>(() => Autograd.Grad(gs[1]!.Sum(), grid));
        Assert.Contains("GridSample", ex.Message);
    }

    [Fact] // the kernels partition work with a fixed plan: results are bitwise equal for any thread count
    public void ResultsDoNotDependOnTheThreadCount()
    {
        var x = Tensor.Randn([1, 2, 150, 170], generator: new Generator(4));
        var grid = Tensor.Uniform([1, 40, 50, 2], -1.2, 1.2, generator: new Generator(5));
        (float[] Y, float[] G)[] Run()
        {
            var r = new List<(float[], float[])>();
            foreach (var f in new Func<Tensor, Tensor>[] { t => F.MaxPool2d(t, 3, 2, 1), t => F.AvgPool2d(t, 3, 2, 1), t => F.Interpolate(t, scaleFactor: [1.7], mode: "bicubic"),
                         t => F.AdaptiveAvgPool2d(t, 7), t => F.GridSample(t, grid, paddingMode: "reflection") })
            {
                var xi = x.Detach().Clone().RequiresGrad_();
                var y = f(xi);
                y.Backward(Tensor.OnesLike(y).Mul(0.37));
                r.Add((y.ToArray<float>(), xi.Grad!.ToArray<float>()));
            }
            return r.ToArray();
        }
        int saved = KernelThreads.Threads;
        try
        {
            KernelThreads.Threads = 1;
            var one = Run();
            KernelThreads.Threads = 3;
            var three = Run();
            for (int i = 0; i < one.Length; i++)
            {
                Assert.Equal(one[i].Y, three[i].Y);
                Assert.Equal(one[i].G, three[i].G);
            }
        }
        finally { KernelThreads.Threads = saved; }
    }

    [Fact] // the float32 max-pool path is vectorised across output columns; float64 is scalar: same maxima, same indices
    public void VectorisedMaxPoolEqualsScalar()
    {
        var d = Tensor.Randn([2, 3, 9, 70], DType.Float64, generator: new Generator(6)).Round();  // many ties
        var data = d.ToArray<double>();
        for (int i = 0; i < data.Length; i += 37) data[i] = double.NaN;
        for (int i = 5; i < data.Length; i += 53) data[i] = double.NegativeInfinity;
        var x64 = Tensor.FromArray(data, [2, 3, 9, 70]);
        var x32 = x64.To(DType.Float32);
        foreach (var (k, s, p) in new[] { (2, 2, 0), (3, 2, 1), (3, 1, 1), (5, 3, 2) })
        {
            var (y64, i64) = F.MaxPool2dWithIndices(x64, [k], [s], [p]);
            var (y32, i32) = F.MaxPool2dWithIndices(x32, [k], [s], [p]);
            Assert.Equal(i64.ToArray<long>(), i32.ToArray<long>());
            Assert.Equal(y64.ToArray<double>(), y32.To(DType.Float64).ToArray<double>());
        }
    }

    [Fact] // the float32 average-pool rows take the vectorised window sums (strides 1 and 2); float64 the scalar loop
    public void VectorisedAvgPoolMatchesScalar()
    {
        var x64 = Tensor.Randn([2, 3, 5, 70], DType.Float64, generator: new Generator(7));
        var x32 = x64.To(DType.Float32);
        foreach (var (k, s, p, include) in new[] { (2, 2, 0, true), (3, 2, 1, true), (3, 1, 1, false), (4, 2, 2, false), (5, 3, 2, true) })
        {
            var y64 = F.AvgPool2d(x64, [k], [s], [p], countIncludePad: include).ToArray<double>();
            var y32 = F.AvgPool2d(x32, [k], [s], [p], countIncludePad: include).ToArray<float>();
            for (int i = 0; i < y64.Length; i++) Assert.True(Math.Abs(y32[i] - y64[i]) <= 1e-6 * (1 + Math.Abs(y64[i])), $"k{k} s{s} p{p}: element {i}: {y32[i]} vs {y64[i]}");
        }
        var row = Tensor.FromArray(Enumerable.Range(0, 40).Select(i => (float)i).ToArray(), [1, 1, 40]);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => 2 * i + 0.5f).ToArray(), F.AvgPool1d(row, 2).ToArray<float>()); // exact on small integers
        Assert.Equal(Enumerable.Range(0, 38).Select(i => i + 1f).ToArray(), F.AvgPool1d(row, 3, 1).ToArray<float>());
    }

    [Fact] // channels-last storage and strided views give the same values as contiguous inputs
    public void LayoutDoesNotChangeResults()
    {
        var x = X(2, 3, 7, 9);
        var nhwc = x.Permute(0, 2, 3, 1).Contiguous().Permute(0, 3, 1, 2);
        Assert.False(nhwc.IsContiguous);
        Equal(F.MaxPool2d(x, 3, 2, 1), F.MaxPool2d(nhwc, 3, 2, 1));
        Equal(F.Interpolate(x, size: [5, 12], mode: "bilinear"), F.Interpolate(nhwc, size: [5, 12], mode: "bilinear"));
        var grid = Tensor.Uniform([2, 4, 2, 3], -1, 1, DType.Float64, generator: new Generator(3)).Permute(0, 1, 3, 2);
        Equal(F.GridSample(x, grid.Contiguous()), F.GridSample(nhwc, grid));
    }

    [Fact]
    public void ErrorsNameTheOpAndShapes()
    {
        var e1 = Assert.Throws<ArgumentException>(() => F.MaxPool2d(X(1, 2, 3, 3), 4));
        Assert.Contains("MaxPool2d", e1.Message);
        Assert.Contains("[1, 2, 3, 3]", e1.Message);
        // Dilation 3 with padding 1 on a 2-wide input: the only window reads positions -1 and 2, both outside.
        var e2 = Assert.Throws<ArgumentException>(() => F.MaxPool2d(X(1, 1, 2, 2), [2], [1], [1], [3]));
        Assert.Contains("covers only padding", e2.Message);
        var e4 = Assert.Throws<ArgumentException>(() => new MaxUnpool2d(2).Forward(X(1, 1, 2, 2), Tensor.Zeros([1, 1, 2, 2], DType.Int64), [7, 7]));
        Assert.Contains("MaxUnpool2d", e4.Message);
        var e5 = Assert.Throws<ArgumentException>(() => F.GridSample(X(1, 2, 4, 4), X(1, 3, 3, 2).To(DType.Float32)));
        Assert.Contains("GridSample", e5.Message);
        var e6 = Assert.Throws<ArgumentException>(() => F.Interpolate(X(1, 1, 4, 4), size: [8, 8], recomputeScaleFactor: true));
        Assert.Contains("recompute_scale_factor", e6.Message);
    }
    [Theory] // the 2x2 / stride-2 fast path (SIMD for float32) against PyTorch's scan written as loops: ties go to
    // the first position in row-major order, a NaN replaces anything and the last NaN wins; odd sizes leave a tail
    [InlineData(2, 3, 28, 28)]
    [InlineData(1, 2, 7, 37)]
    [InlineData(3, 1, 5, 16)]
    public void MaxPool2x2MatchesScanOrderLoops(int n, int c, int h, int w)
    {
        var gen = new Generator(17);
        var raw = Tensor.RandInt(-2, 3, [n, c, h, w + 1], generator: gen).To(DType.Float32).ToArray<float>();
        for (int i = 0; i < raw.Length; i += 11) raw[i] = float.NaN;
        for (int i = 5; i < raw.Length; i += 13) raw[i] = float.NegativeInfinity;
        var full = Tensor.FromArray(raw, [n, c, h, w + 1]);
        foreach (var x in new[] { full.Narrow(3, 0, w).Contiguous(), full.Narrow(3, 1, w) })
        foreach (var dt in new[] { DType.Float32, DType.Float64 })
        {
            var (v, ix) = F.MaxPool2dWithIndices(x.To(dt), [2]);
            var xs = x.Contiguous().ToArray<float>();
            var vs = v.To(DType.Float32).ToArray<float>();
            var ids = ix.ToArray<long>();
            int oh = h / 2, ow = w / 2;
            Assert.Equal([n, c, oh, ow], v.Shape.ToArray());
            for (int p = 0; p < n * c; p++)
                for (int y = 0; y < oh; y++)
                    for (int x0 = 0; x0 < ow; x0++)
                    {
                        float m = float.NegativeInfinity; long mi = 2 * y * w + 2 * x0;
                        for (int dy = 0; dy < 2; dy++)
                            for (int dx = 0; dx < 2; dx++)
                            {
                                long k = (2 * y + dy) * w + 2 * x0 + dx;
                                float val = xs[p * h * w + k];
                                if (val > m || float.IsNaN(val)) { m = val; mi = k; }
                            }
                        int o = (p * oh + y) * ow + x0;
                        Assert.Equal(mi, ids[o]);
                        Assert.Equal(m, vs[o]);
                    }
        }
    }
}

using Xunit;
using TorchSharp;
using LTensor = global::Lantern.Tensor;
using LF = global::Lantern.NN.F;
using static Lantern.Reference.Tests.NN.PoolParity;

namespace Lantern.Reference.Tests.NN;

/// <summary>Max / average / adaptive pooling and max-unpooling against libtorch (float32; outputs, input gradients, indices).</summary>
public class PoolingReferenceTests
{
    [Theory]
    [InlineData(2, 2, 2, 2, 0, 0, 1, 1, false, 17, 41)]   // the common 2x2/2 (vector path: 20 outputs per row)
    [InlineData(3, 3, 2, 2, 1, 1, 1, 1, false, 16, 40)]   // ResNet stem pool
    [InlineData(3, 3, 1, 1, 1, 1, 2, 2, false, 9, 11)]    // dilation
    [InlineData(3, 2, 2, 1, 1, 0, 1, 2, true, 8, 9)]      // rectangular, ceil
    [InlineData(2, 2, 2, 2, 0, 0, 1, 1, true, 7, 33)]     // ceil with odd sizes
    [InlineData(3, 3, 3, 3, 1, 1, 1, 1, true, 5, 8)]      // ceil: last window dropped when it would start in the right padding
    public void MaxPool2dMatchesTorch(int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, bool ceil, int h, int w)
    {
        var x = Randn(2, 3, h, w);
        string what = $"max_pool2d k({kh},{kw}) s({sh},{sw}) p({ph},{pw}) d({dh},{dw}) ceil={ceil} on {h}x{w}";
        Check("MaxPool2d", what, [x], t => LF.MaxPool2d(t[0], [kh, kw], [sh, sw], [ph, pw], [dh, dw], ceil),
            t => torch.nn.functional.max_pool2d(t[0], L(kh, kw), L(sh, sw), L(ph, pw), L(dh, dw), ceil));
        var (_, idx) = LF.MaxPool2dWithIndices(x, [kh, kw], [sh, sw], [ph, pw], [dh, dw], ceil);
        var (_, tidx) = torch.nn.functional.max_pool2d_with_indices(Torch.From(x), L(kh, kw), L(sh, sw), L(ph, pw), L(dh, dw), ceil);
        Same(tidx, idx, what + " indices");
    }

    [Fact] // NaN propagates (the last NaN of a window wins), ties go to the first maximum, -inf windows point at their first element
    public void MaxPool2dSpecialValuesMatchTorch()
    {
        var v = new float[] { 1, float.NaN, 1, 2, 2, 0, float.NegativeInfinity, 5, float.NaN, 3, 3, 3, float.NegativeInfinity, float.NegativeInfinity, 4, 4 };
        var x = LTensor.FromArray(v, [1, 1, 4, 4]);
        var (y, i) = LF.MaxPool2dWithIndices(x, [2], [1]);
        var (ty, ti) = torch.nn.functional.max_pool2d_with_indices(Torch.From(x), L(2, 2), L(1, 1), L(0, 0), L(1, 1), false);
        Assert.Equal(ty.data<float>().ToArray().Select(f => f.ToString("R")), y.ToArray<float>().Select(f => f.ToString("R")));
        Same(ti, i, "special values");
        var ones = LTensor.Ones([1, 2, 5, 5]);
        var (_, i2) = LF.MaxPool2dWithIndices(ones, [3], [2], [1]);
        Same(torch.nn.functional.max_pool2d_with_indices(Torch.From(ones), L(3, 3), L(2, 2), L(1, 1), L(1, 1), false).Item2, i2, "ties");
        var ninf = LTensor.Full([1, 1, 3, 3], double.NegativeInfinity);
        var (_, i3) = LF.MaxPool2dWithIndices(ninf, [2], [1], [1]);
        Same(torch.nn.functional.max_pool2d_with_indices(Torch.From(ninf), L(2, 2), L(1, 1), L(1, 1), L(1, 1), false).Item2, i3, "-inf");
        Check("MaxPool2d", "ties: gradient to the first maximum", [ones], t => LF.MaxPool2d(t[0], [3], [2], [1]),
            t => torch.nn.functional.max_pool2d(t[0], L(3, 3), L(2, 2), L(1, 1), L(1, 1), false));
    }

    [Fact]
    public void MaxPool2dUnbatchedMatchesTorch() =>
        Check("MaxPool2d", "unbatched [3,9,8] k2", [Randn(3, 9, 8)], t => LF.MaxPool2d(t[0], 2),
            t => torch.nn.functional.max_pool2d(t[0], L(2, 2), L(2, 2), L(0, 0), L(1, 1), false));

    [Theory]
    [InlineData(3, 2, 1, 2, true, 19)]
    [InlineData(2, 2, 0, 1, false, 40)]
    [InlineData(4, 1, 2, 1, false, 13)]
    public void MaxPool1dMatchesTorch(int k, int s, int p, int d, bool ceil, int len)
    {
        var x = Randn(2, 3, len);
        string what = $"max_pool1d k{k} s{s} p{p} d{d} ceil={ceil} on {len}";
        Check("MaxPool1d", what, [x], t => LF.MaxPool1d(t[0], k, s, p, d, ceil), t => torch.nn.functional.max_pool1d(t[0], k, s, p, d, ceil));
        Same(torch.nn.functional.max_pool1d_with_indices(Torch.From(x), k, s, p, d, ceil).Item2, LF.MaxPool1dWithIndices(x, k, s, p, d, ceil).Indices, what);
    }

    [Theory]
    [InlineData(3, 3, 2, 2, 1, 1, false, true, 0, 11, 13)]
    [InlineData(3, 3, 2, 2, 1, 1, true, true, 0, 10, 10)]   // ceil + count_include_pad: divisor clipped at the padded edge
    [InlineData(3, 2, 2, 1, 1, 1, true, false, 0, 9, 8)]
    [InlineData(2, 2, 2, 2, 0, 0, false, true, 3, 8, 40)]   // divisor override
    [InlineData(4, 4, 3, 3, 2, 2, true, false, 0, 10, 11)]
    public void AvgPool2dMatchesTorch(int kh, int kw, int sh, int sw, int ph, int pw, bool ceil, bool includePad, int divisor, int h, int w)
    {
        var x = Randn(2, 3, h, w);
        int? div = divisor == 0 ? null : divisor;
        Check("AvgPool2d", $"avg_pool2d k({kh},{kw}) s({sh},{sw}) p({ph},{pw}) ceil={ceil} include_pad={includePad} divisor={div} on {h}x{w}", [x],
            t => LF.AvgPool2d(t[0], [kh, kw], [sh, sw], [ph, pw], ceil, includePad, div),
            t => torch.nn.functional.avg_pool2d(t[0], L(kh, kw), L(sh, sw), L(ph, pw), ceil, includePad, div));
    }

    [Theory]
    [InlineData(3, 2, 1, true, false, 10)]
    [InlineData(2, 2, 0, false, true, 9)]
    [InlineData(3, 1, 1, false, true, 7)]
    public void AvgPool1dMatchesTorch(int k, int s, int p, bool ceil, bool includePad, int len) =>
        Check("AvgPool1d", $"avg_pool1d k{k} s{s} p{p} ceil={ceil} include_pad={includePad} on {len}", [Randn(2, 3, len)],
            t => LF.AvgPool1d(t[0], k, s, p, ceil, includePad), t => torch.nn.functional.avg_pool1d(t[0], k, s, p, ceil, includePad));

    [Theory]
    [InlineData(7, 9, 3, 4)]   // overlapping bins
    [InlineData(3, 4, 5, 7)]   // more bins than pixels
    [InlineData(13, 11, 1, 1)] // global
    [InlineData(8, 8, 4, 4)]   // exact division
    public void AdaptivePool2dMatchesTorch(int h, int w, int oh, int ow)
    {
        var x = Randn(2, 3, h, w);
        Check("AdaptiveAvgPool2d", $"adaptive_avg_pool2d {h}x{w} -> {oh}x{ow}", [x], t => LF.AdaptiveAvgPool2d(t[0], [oh, ow]),
            t => torch.nn.functional.adaptive_avg_pool2d(t[0], L(oh, ow)));
        Check("AdaptiveMaxPool2d", $"adaptive_max_pool2d {h}x{w} -> {oh}x{ow}", [x], t => LF.AdaptiveMaxPool2d(t[0], [oh, ow]),
            t => torch.nn.functional.adaptive_max_pool2d(t[0], L(oh, ow)));
        Same(torch.nn.functional.adaptive_max_pool2d_with_indices(Torch.From(x), L(oh, ow)).Item2, LF.AdaptiveMaxPool2dWithIndices(x, [oh, ow]).Indices,
            $"adaptive_max_pool2d {h}x{w} -> {oh}x{ow} indices");
    }

    [Theory]
    [InlineData(10, 4)]
    [InlineData(3, 7)]
    public void AdaptivePool1dMatchesTorch(int len, int o)
    {
        var x = Randn(2, 3, len);
        Check("AdaptiveAvgPool1d", $"adaptive_avg_pool1d {len} -> {o}", [x], t => LF.AdaptiveAvgPool1d(t[0], o), t => torch.nn.functional.adaptive_avg_pool1d(t[0], o));
        Check("AdaptiveMaxPool1d", $"adaptive_max_pool1d {len} -> {o}", [x], t => LF.AdaptiveMaxPool1d(t[0], o), t => torch.nn.functional.adaptive_max_pool1d(t[0], o));
        Same(torch.nn.functional.adaptive_max_pool1d_with_indices(Torch.From(x), o).Item2, LF.AdaptiveMaxPool1dWithIndices(x, o).Indices, "adaptive_max_pool1d indices");
    }

    [Theory]
    [InlineData(2, 2, 0, 8, 10, false)]
    [InlineData(3, 2, 1, 9, 11, false)]
    [InlineData(2, 2, 0, 8, 10, true)] // explicit output size one larger than the default
    public void MaxUnpool2dMatchesTorch(int k, int s, int p, int h, int w, bool explicitSize)
    {
        var (pooled, idx) = LF.MaxPool2dWithIndices(Randn(2, 3, h, w), [k], [s], [p]);
        var vals = Randn(pooled.Shape.ToArray());
        if (!explicitSize)
        {
            Check("MaxUnpool2d", $"max_unpool2d k{k} s{s} p{p}", [vals, idx], t => LF.MaxUnpool2d(t[0], t[1], [k], [s], [p]),
                t => torch.nn.functional.max_unpool2d(t[0], t[1], L(k, k), L(s, s), L(p, p)));
            return;
        }
        // TorchSharp 0.107's max_unpool2d drops an explicit output_size ("a length of '0'"), so the expected values come from
        // PyTorch's definition: zeros of the output size with out.view(N, C, -1).scatter_(2, indices, input).
        Check("MaxUnpool2d", $"max_unpool2d k{k} s{s} p{p} size {h + 1}x{w + 1}", [vals, idx], t => LF.MaxUnpool2d(t[0], t[1], [k], [s], [p], [h + 1, w + 1]),
            t => torch.zeros(2, 3, (h + 1) * (w + 1)).scatter(2, t[1].view(2, 3, -1), t[0].view(2, 3, -1)).view(2, 3, h + 1, w + 1));
    }

    [Fact]
    public void MaxUnpool1dMatchesTorch()
    {
        var (pooled, idx) = LF.MaxPool1dWithIndices(Randn(2, 3, 11), 3, 2, 1);
        Check("MaxUnpool1d", "max_unpool1d k3 s2 p1", [Randn(pooled.Shape.ToArray()), idx], t => LF.MaxUnpool1d(t[0], t[1], 3, 2, 1),
            t => torch.nn.functional.max_unpool1d(t[0], t[1], 3, 2, 1));
    }

    [Fact] // modules through the state-dict parity harness (no parameters: output and input gradient)
    public void PoolingModulesMatchTorch()
    {
        var x = Randn(2, 3, 11, 12);
        Assert.True(ModuleParity.Check(new global::Lantern.NN.MaxPool2d(3, 2, 1), torch.nn.MaxPool2d(3, 2, 1), x, 1e-4, "MaxPool2d module") <= 1e-4);
        Assert.True(ModuleParity.Check(new global::Lantern.NN.AvgPool2d([3, 2], [2, 1], [1, 0], ceilMode: true, countIncludePad: false),
            torch.nn.AvgPool2d(L(3, 2), L(2, 1), L(1, 0), ceil_mode: true, count_include_pad: false), x, 1e-4, "AvgPool2d module") <= 1e-4);
        Assert.True(ModuleParity.Check(new global::Lantern.NN.AdaptiveAvgPool2d([5, 3]), torch.nn.AdaptiveAvgPool2d(L(5, 3)), x, 1e-4, "AdaptiveAvgPool2d module") <= 1e-4);
        Assert.True(ModuleParity.Check(new global::Lantern.NN.AdaptiveMaxPool2d([5, 3]), torch.nn.AdaptiveMaxPool2d(L(5, 3)), x, 1e-4, "AdaptiveMaxPool2d module") <= 1e-4);
        var s = Randn(2, 3, 17);
        Assert.True(ModuleParity.Check(new global::Lantern.NN.MaxPool1d(3, 2, 1), torch.nn.MaxPool1d(3, 2, 1), s, 1e-4, "MaxPool1d module") <= 1e-4);
        Assert.True(ModuleParity.Check(new global::Lantern.NN.AvgPool1d(3, 2, 1), torch.nn.AvgPool1d(3, 2, 1), s, 1e-4, "AvgPool1d module") <= 1e-4);
    }
}

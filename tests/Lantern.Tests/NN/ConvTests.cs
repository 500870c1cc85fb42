using Lantern.NN;
using Xunit;

namespace Lantern.Tests.NN;

public class ConvTests
{
    private static Tensor R(params int[] shape) => Tensor.Randn(shape, generator: new Generator((ulong)shape.Sum() * 31 + (ulong)shape.Length));

    private static void Same(Tensor expected, Tensor actual, double tol = 0)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var e = expected.ToArray<float>();
        var a = actual.ToArray<float>();
        for (int i = 0; i < e.Length; i++) Assert.True(Math.Abs(e[i] - a[i]) <= tol, $"element {i}: {a[i]} vs {e[i]}");
    }

    [Fact] // modules are thin wrappers of F: same weights, same arguments, same result
    public void ModulesEqualTheirFunctionalForm()
    {
        var c2 = new Conv2d(4, 6, (3, 2), stride: (2, 1), padding: (1, 2), dilation: (1, 2), groups: 2, generator: new Generator(1));
        var x = R(2, 4, 7, 6);
        Same(F.Conv2d(x, c2.Weight, c2.Bias, (2, 1), (1, 2), (1, 2), 2), c2.Call(x));

        var c1 = new Conv1d(3, 4, 3, padding: "same", dilation: 2, bias: false, generator: new Generator(2));
        var x1 = R(2, 3, 9);
        Same(F.Conv1d(x1, c1.Weight, null, 1, "same", 2), c1.Call(x1));

        var t2 = new ConvTranspose2d(4, 6, 3, stride: 2, padding: 1, outputPadding: 1, groups: 2, generator: new Generator(3));
        var xt = R(2, 4, 3, 5);
        Same(F.ConvTranspose2d(xt, t2.Weight, t2.Bias, 2, 1, 1, 2), t2.Call(xt));

        var t1 = new ConvTranspose1d(3, 2, 4, stride: 3, dilation: 2, generator: new Generator(4));
        var xt1 = R(3, 5);
        Same(F.ConvTranspose1d(xt1, t1.Weight, t1.Bias, 3, 0, 0, 1, 2), t1.Call(xt1));

        var u = new Unfold((2, 3), padding: 1, stride: 2);
        var f = new Fold((5, 6), (2, 3), padding: 1, stride: 2);
        var xu = R(2, 3, 5, 6);
        Same(F.Unfold(xu, (2, 3), 1, 1, 2), u.Call(xu));
        Same(F.Fold(u.Call(xu), (5, 6), (2, 3), 1, 1, 2), f.Call(u.Call(xu)));

        var dcn = new DeformConv2d(4, 6, 3, padding: 1, groups: 2, generator: new Generator(5));
        var xd = R(2, 4, 5, 5);
        var off = R(2, 18, 5, 5).Mul(0.7);
        var mask = R(2, 9, 5, 5).Sigmoid();
        Same(F.DeformConv2d(xd, off, dcn.Weight, dcn.Bias, 1, 1, 1, mask), dcn.Call((xd, off, mask)));
        Same(F.DeformConv2d(xd, off, dcn.Weight, dcn.Bias, 1, 1, 1), dcn.Forward(xd, off));
    }

    [Theory] // non-"zeros" padding modes pad with F.pad first, then convolve without padding (PyTorch's _conv_forward)
    [InlineData("reflect", PadMode.Reflect)]
    [InlineData("replicate", PadMode.Replicate)]
    [InlineData("circular", PadMode.Circular)]
    public void PaddingModesPadThenConvolve(string mode, PadMode padMode)
    {
        var c = new Conv2d(2, 3, (3, 4), padding: (1, 2), paddingMode: mode, generator: new Generator(7));
        var x = R(2, 2, 5, 6);
        Same(F.Conv2d(x.Pad([2, 2, 1, 1], padMode), c.Weight, c.Bias), c.Call(x), 1e-6f);
        // "same" with an even kernel: the extra element goes after (left 1, right 2 for a total of 3).
        var s = new Conv2d(2, 3, (3, 4), padding: "same", paddingMode: mode, generator: new Generator(8));
        Same(F.Conv2d(x.Pad([1, 2, 1, 1], padMode), s.Weight, s.Bias), s.Call(x), 1e-6f);
        Assert.Equal(x.Shape.ToArray()[2..], s.Call(x).Shape.ToArray()[2..]);
        var c1 = new Conv1d(2, 3, 3, padding: 2, paddingMode: mode, generator: new Generator(9));
        var x1 = R(2, 2, 7);
        Same(F.Conv1d(x1.Pad([2, 2], padMode), c1.Weight, c1.Bias), c1.Call(x1), 1e-6f);
    }

    [Fact] // state-dict names and shapes as PyTorch's
    public void StateDictKeysAndShapes()
    {
        var c = new Conv2d(3, 8, 3);
        Assert.Equal(["weight", "bias"], c.StateDict().Keys);
        Assert.Equal([8, 3, 3, 3], c.Weight.Shape.ToArray());
        Assert.Equal(["weight"], new Conv1d(3, 8, 3, bias: false).StateDict().Keys);
        var t = new ConvTranspose2d(6, 4, (2, 3), groups: 2);
        Assert.Equal([6, 2, 2, 3], t.Weight.Shape.ToArray());
        Assert.Equal([4], t.Bias!.Shape.ToArray());
        var ds = new DepthwiseSeparableConv2d(3, 8, 3, padding: 1, depthMultiplier: 2);
        Assert.Equal(["depthwise.weight", "depthwise.bias", "pointwise.weight", "pointwise.bias"], ds.StateDict().Keys);
        Assert.Equal([6, 1, 3, 3], ds.Depthwise.Weight.Shape.ToArray());
        Assert.Equal([8, 6, 1, 1], ds.Pointwise.Weight.Shape.ToArray());
        var x = R(2, 3, 6, 6);
        Same(ds.Pointwise.Call(ds.Depthwise.Call(x)), ds.Call(x));
        var d = new DeformConv2d(4, 8, (3, 2), groups: 2, bias: false);
        Assert.Equal(["weight"], d.StateDict().Keys);
        Assert.Equal([8, 2, 3, 2], d.Weight.Shape.ToArray());
        Assert.Empty(new Unfold(2).StateDict());
    }

    [Fact] // reprs exactly as PyTorch prints them (strings taken from PyTorch 2.x)
    public void ReprMatchesPyTorch()
    {
        Assert.Equal("Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))", new Conv2d(3, 16, 3, padding: 1).ToString());
        Assert.Equal("Conv2d(3, 6, kernel_size=(3, 5), stride=(2, 1))", new Conv2d(3, 6, (3, 5), stride: (2, 1)).ToString());
        Assert.Equal("Conv2d(3, 6, kernel_size=(3, 3), stride=(1, 1), padding=valid, groups=3)", new Conv2d(3, 6, 3, padding: "valid", groups: 3).ToString());
        Assert.Equal("Conv1d(4, 8, kernel_size=(5,), stride=(1,), padding=same, dilation=(2,), bias=False, padding_mode=reflect)",
            new Conv1d(4, 8, 5, padding: "same", dilation: 2, bias: false, paddingMode: "reflect").ToString());
        Assert.Equal("ConvTranspose2d(8, 4, kernel_size=(3, 5), stride=(2, 2), output_padding=(1, 1), groups=2)",
            new ConvTranspose2d(8, 4, (3, 5), stride: 2, outputPadding: 1, groups: 2).ToString());
        Assert.Equal("ConvTranspose1d(2, 3, kernel_size=(4,), stride=(1,), padding=(1,), dilation=(2,))", new ConvTranspose1d(2, 3, 4, padding: 1, dilation: 2).ToString());
        Assert.Equal("Unfold(kernel_size=(2, 3), dilation=1, padding=0, stride=1)", new Unfold((2, 3)).ToString());
        Assert.Equal("Fold(output_size=(4, 5), kernel_size=2, dilation=1, padding=0, stride=(1, 2))", new Fold((4, 5), 2, stride: (1, 2)).ToString());
        Assert.Equal("DeformConv2d(4, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)", new DeformConv2d(4, 8, 3, padding: 1, bias: false).ToString());
        Assert.Equal("DepthwiseSeparableConv2d(\n  (depthwise): Conv2d(3, 3, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), groups=3)\n" +
            "  (pointwise): Conv2d(3, 8, kernel_size=(1, 1), stride=(1, 1))\n)", new DepthwiseSeparableConv2d(3, 8, 3, padding: 1).ToString());
    }

    [Fact] // kaiming_uniform(a = sqrt 5) gives U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the weight, and the bias uses the same bound
    public void DefaultInitBounds()
    {
        void Check(Tensor w, Tensor b, int fanIn)
        {
            double bound = 1 / Math.Sqrt(fanIn);
            var wv = w.ToArray<float>();
            var bv = b.ToArray<float>();
            Assert.All(wv, v => Assert.InRange(Math.Abs(v), 0, bound));
            Assert.All(bv, v => Assert.InRange(Math.Abs(v), 0, bound));
            Assert.True(wv.Max(Math.Abs) > 0.9 * bound, "weights should fill the interval");
            Assert.InRange(wv.Average(v => (double)v * v), bound * bound / 3 * 0.85, bound * bound / 3 * 1.15); // variance of U(-b, b)
        }
        var c = new Conv2d(8, 32, 3, generator: new Generator(11));
        Check(c.Weight, c.Bias!, 8 * 9);
        var t = new ConvTranspose2d(32, 8, 3, groups: 2, generator: new Generator(12)); // fan_in from weight.size(1) = 8 / 2
        Check(t.Weight, t.Bias!, 4 * 9);
        var d = new DeformConv2d(8, 32, 3, generator: new Generator(13));
        Check(d.Weight, d.Bias!, 8 * 9);
        var a = new Conv2d(8, 32, 3, generator: new Generator(14));
        var b = new Conv2d(8, 32, 3, generator: new Generator(14));
        Assert.Equal(a.Weight.ToArray<float>(), b.Weight.ToArray<float>());
    }

    [Fact] // convolutions behave the same in training and evaluation mode
    public void TrainAndEvalAgree()
    {
        var c = new Conv2d(3, 4, 3, padding: 1, generator: new Generator(1));
        var x = R(2, 3, 5, 5);
        var train = c.Call(x);
        c.Eval();
        Same(train, c.Call(x));
    }

    [Fact] // ConvTranspose's output_size picks among the sizes a stride leaves open
    public void TransposedOutputSize()
    {
        var t = new ConvTranspose2d(2, 3, 3, stride: 3, padding: 1, generator: new Generator(2));
        var x = R(1, 2, 4, 4);
        Assert.Equal([1, 3, 10, 10], t.Call(x).Shape.ToArray());
        var y = t.Forward(x, [12, 11]);
        Assert.Equal([1, 3, 12, 11], y.Shape.ToArray());
        Same(F.ConvTranspose2d(x, t.Weight, t.Bias, 3, 1, (2, 1)), y);
        Assert.Equal([1, 3, 12, 10], t.Forward(x, [1, 3, 12, 10]).Shape.ToArray());
        var ex = Assert.Throws<ArgumentException>(() => t.Forward(x, [13, 10]));
        Assert.Contains("requested an output size of [13, 10], but valid sizes range from [10, 10] to [12, 12]", ex.Message);
        var t1 = new ConvTranspose1d(2, 3, 3, stride: 2);
        Assert.Equal([1, 3, 10], t1.Forward(R(1, 2, 4), [10]).Shape.ToArray());
    }

    [Fact] // DCN with zero offsets and a unit mask is a plain convolution
    public void DeformConvWithZeroOffsetsIsConv2d()
    {
        var x = R(2, 4, 6, 7);
        var w = R(6, 2, 3, 3);
        var b = R(6);
        var off = Tensor.Zeros([2, 2 * 2 * 9, 3, 2]);
        var y = F.DeformConv2d(x, off, w, b, stride: 2, padding: (1, 0), dilation: (1, 2), mask: Tensor.Ones([2, 2 * 9, 3, 2]));
        Same(F.Conv2d(x, w, b, 2, (1, 0), (1, 2), groups: 2), y, 1e-5f);
    }

    [Fact] // DCN's gradients are first order only: differentiating them again fails loudly
    public void DeformConvDoubleBackwardIsRefused()
    {
        var x = R(1, 2, 4, 4).RequiresGrad_();
        var off = R(1, 18, 2, 2).RequiresGrad_();
        var w = R(3, 2, 3, 3).RequiresGrad_();
        var y = F.DeformConv2d(x, off, w);
        var gx = Autograd.Grad([y.Sum()], [x], createGraph: true)[0]!;
        var ex = Assert.Throws<NotSupportedException>(() => gx.Sum().Backward());
        Assert.Contains("DeformConv2d: double backward", ex.Message);
    }

    [Fact] // bad constructor arguments and bad inputs name the layer and the values
    public void Errors()
    {
        Assert.Contains("Conv2d: in_channels must be divisible by groups", Assert.Throws<ArgumentException>(() => new Conv2d(3, 6, 3, groups: 2)).Message);
        Assert.Contains("Conv2d: out_channels must be divisible by groups", Assert.Throws<ArgumentException>(() => new Conv2d(4, 6, 3, groups: 4)).Message);
        Assert.Contains("padding_mode must be one of", Assert.Throws<ArgumentException>(() => new Conv2d(3, 6, 3, paddingMode: "mirror")).Message);
        Assert.Contains("padding='same' is not supported for strided convolutions", Assert.Throws<ArgumentException>(() => new Conv1d(3, 6, 3, stride: 2, padding: "same")).Message);
        Assert.Contains("Invalid padding string 'full'", Assert.Throws<ArgumentException>(() => new Conv2d(3, 6, 3, padding: "full")).Message);
        Assert.Contains("Only \"zeros\" padding mode is supported for ConvTranspose2d", Assert.Throws<ArgumentException>(() => new ConvTranspose2d(3, 6, 3, paddingMode: "reflect")).Message);
        Assert.Contains("DepthwiseSeparableConv2d: depth_multiplier must be positive", Assert.Throws<ArgumentException>(() => new DepthwiseSeparableConv2d(3, 6, 3, depthMultiplier: 0)).Message);
        Assert.Contains("DeformConv2d: in_channels must be divisible by groups", Assert.Throws<ArgumentException>(() => new DeformConv2d(3, 6, 3, groups: 2)).Message);
        var c = new Conv2d(3, 6, 3);
        var ex = Assert.Throws<ArgumentException>(() => c.Call(R(2, 4, 8, 8)));
        Assert.Contains("Conv2d: Given groups=1, weight of size [6, 3, 3, 3], expected input[2, 4, 8, 8] to have 3 channels, but got 4 channels instead", ex.Message);
        Assert.Contains("Kernel size can't be greater than actual input size", Assert.Throws<ArgumentException>(() => c.Call(R(1, 3, 2, 8))).Message);
        Assert.Contains("Pad: padding size should be less than", Assert.Throws<ArgumentException>(() => new Conv2d(3, 6, 3, padding: 3, paddingMode: "reflect").Call(R(1, 3, 3, 3))).Message);
    }

    [Fact] // the conv's backward accumulates into parameters like any op, and non-contiguous inputs are fine
    public void BackwardThroughModule()
    {
        var c = new Conv2d(3, 4, 3, padding: 1, generator: new Generator(3));
        var x = R(2, 5, 5, 3).Permute(0, 3, 1, 2); // non-contiguous [2, 3, 5, 5]
        c.Call(x).Sum().Backward();
        // d sum(y) / d bias = N * OH * OW for every channel.
        Assert.All(c.Bias!.Grad!.ToArray<float>(), v => Assert.Equal(2 * 25, v, 3));
        var w0 = c.Weight.Grad!.Clone();
        c.Call(x.Contiguous()).Sum().Backward();
        Same(w0.Mul(2), c.Weight.Grad!, 1e-3f);
    }

    [Fact] // an empty batch gives an empty output and zero parameter gradients, as in PyTorch
    public void EmptyBatch()
    {
        var c = new Conv2d(3, 4, 3, padding: 1, generator: new Generator(4));
        var y = c.Call(Tensor.Zeros([0, 3, 5, 5]));
        Assert.Equal([0, 4, 5, 5], y.Shape.ToArray());
        y.Sum().Backward();
        Assert.All(c.Weight.Grad!.ToArray<float>(), v => Assert.Equal(0f, v));
        Assert.All(c.Bias!.Grad!.ToArray<float>(), v => Assert.Equal(0f, v));
        Assert.Equal([0, 4, 7, 7], new ConvTranspose2d(4, 4, 3).Call(Tensor.Zeros([0, 4, 5, 5])).Shape.ToArray());
        Assert.Equal([0, 27, 9], F.Unfold(Tensor.Zeros([0, 3, 5, 5]), 3).Shape.ToArray());
    }
}

using Xunit;
using Xunit.Abstractions;
using TorchSharp;
using static TorchSharp.torch.nn;
using LTensor = global::Lantern.Tensor;
using LF = global::Lantern.NN.F;
using L = global::Lantern.NN;

namespace Lantern.Reference.Tests.NN;

/// <summary>
/// Convolution layers against PyTorch (TorchSharp 0.107.0 / libtorch 2.10): outputs, input gradients and every
/// parameter gradient, float32, relative 1e-4. Convolutions have no train/eval difference. Each test logs the
/// worst relative error it saw.
/// </summary>
public class ConvReferenceTests(ITestOutputHelper output)
{
    private static LTensor R(int seed, params int[] shape) => LTensor.Randn(shape, generator: new global::Lantern.Generator((ulong)seed));

    private static global::Lantern.Generator G(int seed) => new((ulong)seed);

    private static PaddingModes Mode(string m) => m switch
    {
        "reflect" => PaddingModes.Reflect,
        "replicate" => PaddingModes.Replicate,
        "circular" => PaddingModes.Circular,
        _ => PaddingModes.Zeros,
    };

    private void Log(string what, double worst) => output.WriteLine($"{what}: max relative error {worst:E2}");

    // (in, out, kH, kW, sH, sW, pH, pW, dH, dW, groups, bias, padding mode)
    public static TheoryData<string> Conv2dConfigs() => new()
    {
        { "3,8,3,3,1,1,1,1,1,1,1,true,zeros" },
        { "4,6,3,5,2,1,1,2,1,2,2,true,zeros" },
        { "4,5,1,1,1,1,0,0,1,1,1,false,zeros" },
        { "4,8,3,3,2,2,1,1,1,1,4,true,zeros" },      // depthwise, multiplier 2, strided
        { "6,6,3,3,1,1,2,2,2,2,6,false,zeros" },     // depthwise, dilated
        { "3,4,3,4,1,2,1,2,1,1,1,true,reflect" },
        { "3,4,3,3,2,1,2,1,1,2,1,true,replicate" },
        { "4,4,2,3,1,1,1,2,2,1,2,true,circular" },
    };

    [Theory, MemberData(nameof(Conv2dConfigs))]
    public void Conv2dMatchesTorch(string config)
    {
        var a = config.Split(',');
        var v = a[..11].Select(int.Parse).ToArray();
        var (cin, cout, kh, kw, sh, sw, ph, pw, dh, dw, groups) = (v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10]);
        bool bias = bool.Parse(a[11]);
        string mode = a[12];
        var ours = new L.Conv2d(cin, cout, (kh, kw), (sh, sw), (ph, pw), (dh, dw), groups, bias, mode, generator: G(1));
        var theirs = Conv2d(cin, cout, (kh, kw), (sh, sw), (ph, pw), (dh, dw), Mode(mode), groups, bias);
        var what = ours.ToString();
        Log(what, ModuleParity.Check(ours, theirs, R(2, 2, cin, 9, 10), 1e-4, what));
    }

    [Theory] // padding "same" (odd totals put the extra zero after) and "valid", with each padding mode
    [InlineData(4, 4, 1, 1, "zeros")]
    [InlineData(3, 2, 2, 1, "zeros")]
    [InlineData(4, 3, 1, 3, "reflect")]
    [InlineData(2, 4, 2, 2, "replicate")]
    [InlineData(4, 4, 1, 1, "circular")]
    public void Conv2dSameMatchesTorch(int kh, int kw, int dh, int dw, string mode)
    {
        var ours = new L.Conv2d(3, 5, (kh, kw), padding: "same", dilation: (dh, dw), paddingMode: mode, generator: G(2));
        var what = ours.ToString();
        var x = R(3, 2, 3, 8, 9);
        if (mode == "zeros")
            Log(what, ModuleParity.Check(ours, Conv2d(3, 5, (kh, kw), Padding.Same, dilation: (dh, dw)), x, 1e-4, what));
        else
        {
            // TorchSharp's Conv2d(Padding.Same) with reflect/replicate and an odd total returns a wrong size; the reference
            // is PyTorch's own definition (_conv_forward): F.pad by _reversed_padding_repeated_twice, then an unpadded conv2d.
            long[] pad = [dw * (kw - 1) / 2, dw * (kw - 1) - dw * (kw - 1) / 2, dh * (kh - 1) / 2, dh * (kh - 1) - dh * (kh - 1) / 2];
            Log(what, FunctionalParity(ours, x, (tx, p) => functional.conv2d(functional.pad(tx, pad, Mode(mode)), p["weight"], p["bias"],
                dilation: [dh, dw]), what));
        }
        var valid = new L.Conv2d(3, 5, (kh, kw), padding: "valid", dilation: (dh, dw), generator: G(3));
        Log(valid.ToString(), ModuleParity.Check(valid, Conv2d(3, 5, (kh, kw), Padding.Valid, dilation: (dh, dw)), R(4, 2, 3, 8, 9), 1e-4, "valid"));
    }

    [Theory]
    [InlineData(3, 2, 1, 1, 1, true, "zeros")]
    [InlineData(3, 1, 2, 2, 2, false, "zeros")]
    [InlineData(5, 2, 2, 1, 1, true, "reflect")]
    [InlineData(4, 1, 3, 1, 2, true, "replicate")]
    [InlineData(3, 1, 2, 2, 1, true, "circular")]
    public void Conv1dMatchesTorch(int k, int stride, int padding, int dilation, int groups, bool bias, string mode)
    {
        var ours = new L.Conv1d(4, 6, k, stride, padding, dilation, groups, bias, mode, generator: G(4));
        var theirs = Conv1d(4, 6, k, stride, padding, dilation, Mode(mode), groups, bias);
        var what = ours.ToString();
        Log(what, ModuleParity.Check(ours, theirs, R(5, 3, 4, 11), 1e-4, what));
    }

    [Theory]
    [InlineData(4, 1, "zeros")]
    [InlineData(3, 2, "reflect")]
    public void Conv1dSameMatchesTorch(int k, int dilation, string mode)
    {
        var ours = new L.Conv1d(3, 4, k, padding: "same", dilation: dilation, paddingMode: mode, generator: G(5));
        var theirs = Conv1d(3, 4, k, Padding.Same, dilation: dilation, padding_mode: Mode(mode));
        var what = ours.ToString();
        Log(what, ModuleParity.Check(ours, theirs, R(6, 2, 3, 10), 1e-4, what));
    }

    // (in, out, kH, kW, sH, sW, pH, pW, opH, opW, dH, dW, groups, bias)
    public static TheoryData<string> TransposeConfigs() => new()
    {
        { "4,3,3,3,2,2,1,1,1,1,1,1,1,true" },
        { "4,6,2,3,1,3,1,0,0,2,2,1,2,false" },
        { "6,3,3,3,2,2,0,0,1,0,1,1,3,true" },      // depthwise direction: out / groups = 1
        { "3,6,1,1,1,1,0,0,0,0,1,1,1,true" },      // 1x1
    };

    [Theory, MemberData(nameof(TransposeConfigs))]
    public void ConvTranspose2dMatchesTorch(string config)
    {
        var a = config.Split(',');
        var v = a[..13].Select(int.Parse).ToArray();
        var (cin, cout, kh, kw, sh, sw, ph, pw, oph, opw, dh, dw, groups) = (v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12]);
        bool bias = bool.Parse(a[13]);
        var ours = new L.ConvTranspose2d(cin, cout, (kh, kw), (sh, sw), (ph, pw), (oph, opw), groups, bias, (dh, dw), generator: G(6));
        var what = ours.ToString();
        // TorchSharp's ConvTranspose2d((kh, kw), ...) module applies output_padding.Item1 to both dims; the reference is
        // libtorch's conv_transpose2d itself, called with the full arguments.
        Log(what, FunctionalParity(ours, R(7, 2, cin, 5, 4), (tx, p) => functional.conv_transpose2d(tx, p["weight"], bias ? p["bias"] : null,
            strides: [sh, sw], padding: [ph, pw], output_padding: [oph, opw], dilation: [dh, dw], groups: groups), what));
    }

    [Fact]
    public void ConvTranspose1dMatchesTorch()
    {
        var ours = new L.ConvTranspose1d(4, 6, 3, stride: 3, padding: 1, outputPadding: 2, groups: 2, dilation: 1, generator: G(7));
        var theirs = ConvTranspose1d(4, 6, 3, 3, 1, 2, 1, groups: 2);
        Log(ours.ToString(), ModuleParity.Check(ours, theirs, R(8, 3, 4, 7), 1e-4, ours.ToString()));
    }

    [Fact] // output_size picks the output padding; PyTorch's functional form with that output padding is the reference
    public void ConvTransposeOutputSizeMatchesTorch()
    {
        var ours = new L.ConvTranspose2d(3, 4, 3, stride: 3, padding: 1, generator: G(8));
        var x = R(9, 2, 3, 4, 5);
        var y = ours.Forward(x, [11, 15]);
        var ty = functional.conv_transpose2d(Torch.From(x), Torch.From(ours.Weight.Detach()), Torch.From(ours.Bias!.Detach()),
            strides: [3, 3], padding: [1, 1], output_padding: [1, 2]);
        Log("ConvTranspose2d output_size", Torch.AssertClose(ty, y, 1e-4, "output_size"));
    }

    [Fact]
    public void DepthwiseSeparableMatchesTorch()
    {
        var ours = new L.DepthwiseSeparableConv2d(4, 7, 3, stride: 2, padding: 1, depthMultiplier: 2, generator: G(9));
        var theirs = Sequential(("depthwise", Conv2d(4, 8, 3, 2, 1, groups: 4)), ("pointwise", Conv2d(8, 7, 1)));
        Log("DepthwiseSeparableConv2d", ModuleParity.Check(ours, theirs, R(10, 2, 4, 9, 8), 1e-4, "DepthwiseSeparableConv2d"));
    }

    [Fact]
    public void UnfoldFoldMatchTorch()
    {
        var x = R(11, 2, 3, 7, 8);
        var ours = new L.Unfold((2, 3), dilation: (2, 1), padding: (1, 0), stride: (1, 2));
        var theirs = Unfold((2, 3), dilation: (2, 1), padding: (1, 0), stride: (1, 2));
        double worst = ModuleParity.Check(ours, theirs, x, 1e-5, "Unfold");
        var cols = ours.Call(x).Detach();
        var fold = new L.Fold((7, 8), (2, 3), dilation: (2, 1), padding: (1, 0), stride: (1, 2));
        worst = Math.Max(worst, ModuleParity.Check(fold, Fold((7, 8), (2, 3), dilation: (2, 1), padding: (1, 0), stride: (1, 2)), cols, 1e-5, "Fold"));
        var y = LF.Unfold(x, 3, padding: 1);
        worst = Math.Max(worst, Torch.AssertClose(functional.unfold(Torch.From(x), 3, padding: 1), y, 1e-5, "unfold 3x3"));
        Log("Unfold/Fold", worst);
    }

    [Fact] // DCN with zero offsets and a unit mask is PyTorch's conv2d, outputs and input / weight / bias gradients
    public void DeformConvWithZeroOffsetsMatchesTorchConv()
    {
        var ours = new L.DeformConv2d(4, 6, 3, stride: 2, padding: 1, dilation: (1, 2), groups: 2, generator: G(10));
        var theirs = Conv2d(4, 6, (3, 3), (2, 2), (1, 1), (1, 2), groups: 2);
        ModuleParity.CopyState(ours, theirs);
        var x = R(12, 2, 4, 9, 10).RequiresGrad_();
        var off = LTensor.Zeros([2, 18, 5, 4]);
        var y = ours.Forward(x, off, LTensor.Ones([2, 9, 5, 4]));
        var tx = Torch.From(x.Detach(), requiresGrad: true);
        var ty = theirs.forward(tx);
        double worst = Torch.AssertClose(ty, y, 1e-4, "DeformConv2d forward");
        var g = R(13, y.Shape.ToArray());
        y.Backward(g);
        ty.backward([Torch.From(g)]);
        worst = Math.Max(worst, Torch.AssertClose(tx.grad!, x.Grad!, 1e-4, "DeformConv2d input gradient"));
        foreach (var (name, p) in theirs.named_parameters())
            worst = Math.Max(worst, Torch.AssertClose(p.grad!, name == "weight" ? ours.Weight.Grad! : ours.Bias!.Grad!, 1e-4, $"DeformConv2d {name} gradient"));
        Log("DeformConv2d (zero offsets)", worst);
    }

    [Fact] // a larger layer (several column tiles per sample) through the functional form: forward and all gradients
    public void LargeConv2dMatchesTorch()
    {
        double worst32 = LargeConv(global::Lantern.DType.Float32, 3e-4);
        double worst64 = LargeConv(global::Lantern.DType.Float64, 1e-9);
        Log("conv2d [4,16,20,18] -> 32 float32 (rtol 3e-4)", worst32);
        Log("conv2d [4,16,20,18] -> 32 float64 (rtol 1e-9)", worst64);
    }

    // Float32 sums of 144 products: near-zero outputs carry relative errors of order 1e-4 in PyTorch too (measured
    // 8.2e-5 from float64 for PyTorch, 9.0e-5 for Lantern on this data), so float32 is held to 3e-4 here and the
    // same computation is compared in float64 at 1e-9.
    private static double LargeConv(global::Lantern.DType dtype, double rtol)
    {
        var x = R(14, 4, 16, 20, 18).To(dtype).RequiresGrad_();
        var w = R(15, 32, 16, 3, 3).Mul(0.1).To(dtype).Detach().RequiresGrad_();
        var b = R(16, 32).To(dtype).Detach().RequiresGrad_();
        var y = LF.Conv2d(x, w, b, padding: 1);
        var tx = Torch.From(x.Detach(), true);
        var tw = Torch.From(w.Detach(), true);
        var tb = Torch.From(b.Detach(), true);
        var ty = functional.conv2d(tx, tw, tb, padding: [1, 1]);
        double worst = Torch.AssertClose(ty, y, rtol, "forward");
        var g = R(17, y.Shape.ToArray()).To(dtype);
        y.Backward(g);
        ty.backward([Torch.From(g)]);
        worst = Math.Max(worst, Torch.AssertClose(tx.grad!, x.Grad!, rtol, "input gradient"));
        worst = Math.Max(worst, Torch.AssertClose(tw.grad!, w.Grad!, rtol, "weight gradient"));
        worst = Math.Max(worst, Torch.AssertClose(tb.grad!, b.Grad!, rtol, "bias gradient"));
        return worst;
    }

    /// <summary>
    /// Parity with a libtorch functional expression of the same parameters (where a TorchSharp module deviates):
    /// forward, input gradient and each parameter's gradient by name.
    /// </summary>
    private static double FunctionalParity(global::Lantern.NN.Module<LTensor, LTensor> lantern, LTensor input,
        Func<torch.Tensor, Dictionary<string, torch.Tensor>, torch.Tensor> reference, string what)
    {
        var x = input.Detach().Clone().RequiresGrad_();
        var tx = Torch.From(input, requiresGrad: true);
        var tp = lantern.NamedParameters().ToDictionary(p => p.Key, p => Torch.From(p.Value.Detach(), requiresGrad: true));
        var y = lantern.Forward(x);
        var ty = reference(tx, tp);
        double worst = Torch.AssertClose(ty, y, 1e-4, $"{what} forward");
        var g = LTensor.Randn(y.Shape, generator: new global::Lantern.Generator(99));
        y.Backward(g);
        ty.backward([Torch.From(g)]);
        worst = Math.Max(worst, Torch.AssertClose(tx.grad!, x.Grad!, 1e-4, $"{what} input gradient"));
        foreach (var (name, p) in lantern.NamedParameters())
            worst = Math.Max(worst, Torch.AssertClose(tp[name].grad!, p.Grad!, 1e-4, $"{what} gradient of {name}"));
        return worst;
    }
}

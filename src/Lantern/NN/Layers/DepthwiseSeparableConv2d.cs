namespace Lantern.NN;

/// <summary>
/// A depthwise-separable convolution (MobileNet / Xception): a depthwise convolution (groups = in_channels, each
/// input channel filtered by <c>depthMultiplier</c> kernels of its own) followed by a pointwise 1x1 convolution
/// that mixes channels: y = pointwise(depthwise(x)). About k^2 / (1 + k^2 / out) times fewer multiply-adds than a
/// dense k x k convolution. Submodules "depthwise" and "pointwise" (parameters "depthwise.weight",
/// "depthwise.bias", "pointwise.weight", "pointwise.bias"), each initialised as a PyTorch Conv2d.
/// </summary>
public sealed class DepthwiseSeparableConv2d : Module<Tensor, Tensor>
{
    /// <summary>Depthwise k x k (stride, padding, dilation, padding mode apply to it) then pointwise 1x1.</summary>
    /// <exception cref="ArgumentException">Invalid sizes, a non-positive depth multiplier, or invalid padding.</exception>
    public DepthwiseSeparableConv2d(int inChannels, int outChannels, IntPair kernelSize, IntPair? stride = null, ConvPadding? padding = null,
        IntPair? dilation = null, int depthMultiplier = 1, bool bias = true, string paddingMode = "zeros", DType dtype = DType.Float32,
        Generator? generator = null)
    {
        if (depthMultiplier <= 0)
            throw new ArgumentException($"DepthwiseSeparableConv2d: depth_multiplier must be positive, got {depthMultiplier}.");
        RegisterModule("depthwise", new Conv2d(inChannels, inChannels * depthMultiplier, kernelSize, stride, padding, dilation,
            groups: inChannels, bias: bias, paddingMode: paddingMode, dtype: dtype, generator: generator));
        RegisterModule("pointwise", new Conv2d(inChannels * depthMultiplier, outChannels, 1, bias: bias, dtype: dtype, generator: generator));
    }

    /// <summary>The per-channel k x k convolution.</summary>
    public Conv2d Depthwise => (Conv2d)GetModule("depthwise")!;

    /// <summary>The 1x1 channel-mixing convolution.</summary>
    public Conv2d Pointwise => (Conv2d)GetModule("pointwise")!;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Pointwise.Call(Depthwise.Call(input));
}

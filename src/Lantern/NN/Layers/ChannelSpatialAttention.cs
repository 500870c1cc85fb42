namespace Lantern.NN;

/// <summary>
/// Squeeze-and-Excitation (Hu et al. 2018), laid out as torchvision.ops.SqueezeExcitation:
/// s = scale_activation(fc2(activation(fc1(avgpool(x))))), y = s * x, with fc1 / fc2 1x1 convolutions
/// (weights [squeeze, C, 1, 1] and [C, squeeze, 1, 1] with biases, Conv2d's init) so that state dicts equal
/// torchvision's. The paper's reduction ratio r is squeezeChannels = C / r (see <see cref="WithReduction"/>).
/// Activation defaults to ReLU and scale activation to sigmoid.
/// <para>Input [N, C, H, W] or [C, H, W]; output of the same shape.</para>
/// </summary>
public sealed class SqueezeExcitation : Module<Tensor, Tensor>
{
    private readonly Func<Tensor, Tensor> _activation;
    private readonly Func<Tensor, Tensor> _scaleActivation;

    /// <summary>An SE block with the given bottleneck width.</summary>
    /// <exception cref="ArgumentException">Non-positive channel counts.</exception>
    public SqueezeExcitation(int inputChannels, int squeezeChannels, Func<Tensor, Tensor>? activation = null,
        Func<Tensor, Tensor>? scaleActivation = null, DType dtype = DType.Float32, Generator? generator = null)
    {
        if (inputChannels <= 0 || squeezeChannels <= 0)
            throw new ArgumentException($"SqueezeExcitation: input_channels and squeeze_channels must be positive, got {inputChannels} and {squeezeChannels}.");
        InputChannels = inputChannels;
        SqueezeChannels = squeezeChannels;
        _activation = activation ?? F.Relu;
        _scaleActivation = scaleActivation ?? (x => x.Sigmoid());
        RegisterModule("fc1", new Conv2d(inputChannels, squeezeChannels, 1, dtype: dtype, generator: generator));
        RegisterModule("fc2", new Conv2d(squeezeChannels, inputChannels, 1, dtype: dtype, generator: generator));
    }

    /// <summary>The paper's form: squeeze to channels / reduction (floor), e.g. r = 16.</summary>
    /// <exception cref="ArgumentException">channels / reduction is zero or a size is not positive.</exception>
    public static SqueezeExcitation WithReduction(int channels, int reduction = 16, DType dtype = DType.Float32, Generator? generator = null)
    {
        if (channels <= 0 || reduction <= 0 || channels / reduction == 0)
            throw new ArgumentException($"SqueezeExcitation: channels / reduction must be at least 1, got channels={channels}, reduction={reduction}.");
        return new SqueezeExcitation(channels, channels / reduction, dtype: dtype, generator: generator);
    }

    /// <summary>C.</summary>
    public int InputChannels { get; }

    /// <summary>Bottleneck width.</summary>
    public int SqueezeChannels { get; }

    /// <summary>fc1 weight [squeeze, C, 1, 1].</summary>
    public Tensor Fc1Weight => ((Conv2d)GetModule("fc1")!).Weight;

    /// <summary>fc2 weight [C, squeeze, 1, 1].</summary>
    public Tensor Fc2Weight => ((Conv2d)GetModule("fc2")!).Weight;

    /// <summary>The per-channel scale s, [N, C, 1, 1].</summary>
    public Tensor Scale(Tensor input)
    {
        var x = ChannelAttention.Check4D(input, InputChannels, "SqueezeExcitation");
        var pooled = x.Mean([2, 3]);                                                                     // [N, C]
        var fc1 = (Conv2d)GetModule("fc1")!;
        var fc2 = (Conv2d)GetModule("fc2")!;
        var z = _activation(ChannelAttention.Conv1x1(pooled, fc1));
        return _scaleActivation(ChannelAttention.Conv1x1(z, fc2)).Unsqueeze(-1).Unsqueeze(-1);
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        var s = Scale(input);
        return input.Rank == 3 ? s.Squeeze(0).Mul(input) : s.Mul(input);
    }
}

/// <summary>
/// CBAM (Woo et al. 2018): channel attention, then spatial attention, each multiplying the features.
/// Children "channel" (<see cref="ChannelAttention"/>) and "spatial" (<see cref="SpatialAttention"/>).
/// <para>Input [N, C, H, W] or [C, H, W]; output of the same shape.</para>
/// </summary>
public sealed class Cbam : Module<Tensor, Tensor>
{
    /// <summary>A CBAM block: MLP reduction ratio (hidden = channels / reductionRatio) and a spatial kernel (odd).</summary>
    /// <exception cref="ArgumentException">channels / reductionRatio is zero, or the kernel is not positive and odd.</exception>
    public Cbam(int channels, int reductionRatio = 16, int spatialKernelSize = 7, bool mlpBias = true, DType dtype = DType.Float32, Generator? generator = null)
    {
        Channel = RegisterModule("channel", new ChannelAttention(channels, reductionRatio, mlpBias, dtype, generator));
        Spatial = RegisterModule("spatial", new SpatialAttention(spatialKernelSize, dtype: dtype, generator: generator));
    }

    /// <summary>The channel attention.</summary>
    public ChannelAttention Channel { get; }

    /// <summary>The spatial attention.</summary>
    public SpatialAttention Spatial { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Spatial.Call(Channel.Call(input));
}

/// <summary>
/// CBAM's channel attention: M_c = sigmoid(MLP(avgpool(x)) + MLP(maxpool(x))) with one shared MLP
/// fc2(relu(fc1(.))) of 1x1 convolutions (fc1 [C/r, C, 1, 1], fc2 [C, C/r, 1, 1]); y = M_c * x.
/// </summary>
public sealed class ChannelAttention : Module<Tensor, Tensor>
{
    /// <summary>Channel attention with hidden width channels / reductionRatio.</summary>
    /// <exception cref="ArgumentException">channels / reductionRatio is zero or a size is not positive.</exception>
    public ChannelAttention(int channels, int reductionRatio = 16, bool mlpBias = true, DType dtype = DType.Float32, Generator? generator = null)
    {
        if (channels <= 0 || reductionRatio <= 0 || channels / reductionRatio == 0)
            throw new ArgumentException($"ChannelAttention: channels / reduction_ratio must be at least 1, got channels={channels}, reduction_ratio={reductionRatio}.");
        Channels = channels;
        Hidden = channels / reductionRatio;
        RegisterModule("fc1", new Conv2d(channels, Hidden, 1, bias: mlpBias, dtype: dtype, generator: generator));
        RegisterModule("fc2", new Conv2d(Hidden, channels, 1, bias: mlpBias, dtype: dtype, generator: generator));
    }

    /// <summary>C.</summary>
    public int Channels { get; }

    /// <summary>C / r.</summary>
    public int Hidden { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        var x = Check4D(input, Channels, "ChannelAttention");
        int n = x.Shape[0];
        // Both pooled descriptors go through the shared MLP in one batch: [2N, C].
        var pooled = Tensor.Cat([x.Mean([2, 3]), x.Amax([2, 3])]);
        var fc1 = (Conv2d)GetModule("fc1")!;
        var fc2 = (Conv2d)GetModule("fc2")!;
        var mlp = Conv1x1(F.Relu(Conv1x1(pooled, fc1)), fc2);                                            // [2N, C]
        var scale = mlp.Narrow(0, 0, n).Add(mlp.Narrow(0, n, n)).Sigmoid().Unsqueeze(-1).Unsqueeze(-1);  // [N, C, 1, 1]
        return input.Rank == 3 ? scale.Squeeze(0).Mul(input) : scale.Mul(input);
    }

    /// <summary>The 1x1 convolution applied to pooled features [B, Cin] seen as [B, Cin, 1, 1]; returns [B, Cout].</summary>
    internal static Tensor Conv1x1(Tensor x, Conv2d conv) =>
        conv.Call(x.Unsqueeze(-1).Unsqueeze(-1)).Flatten(1);

    internal static Tensor Check4D(Tensor input, int channels, string op)
    {
        if (input.Rank is not (3 or 4) || input.Shape[input.Rank - 3] != channels)
            throw new ArgumentException($"{op}: expected input of shape [N, {channels}, H, W] or [{channels}, H, W], got {input.Shape}.");
        return input.Rank == 3 ? input.Unsqueeze(0) : input;
    }
}

/// <summary>
/// CBAM's spatial attention: M_s = sigmoid(conv_kxk([mean_c(x); max_c(x)])) with a 2 -> 1 convolution
/// ("conv", weight [1, 2, k, k], padding k/2, no bias by default, Conv2d's init); y = M_s * x.
/// </summary>
public sealed class SpatialAttention : Module<Tensor, Tensor>
{
    /// <summary>Spatial attention with a k x k kernel (odd, default 7).</summary>
    /// <exception cref="ArgumentException">kernelSize not positive and odd.</exception>
    public SpatialAttention(int kernelSize = 7, bool bias = false, DType dtype = DType.Float32, Generator? generator = null)
    {
        if (kernelSize <= 0 || kernelSize % 2 == 0)
            throw new ArgumentException($"SpatialAttention: kernel_size must be positive and odd, got {kernelSize}.");
        KernelSize = kernelSize;
        RegisterModule("conv", new Conv2d(2, 1, kernelSize, 1, kernelSize / 2, bias: bias, dtype: dtype, generator: generator));
    }

    /// <summary>k.</summary>
    public int KernelSize { get; }

    /// <summary>conv weight [1, 2, k, k].</summary>
    public Tensor Weight => ((Conv2d)GetModule("conv")!).Weight;

    /// <summary>The map M_s, [N, 1, H, W].</summary>
    public Tensor Map(Tensor input)
    {
        if (input.Rank is not (3 or 4))
            throw new ArgumentException($"SpatialAttention: expected input of shape [N, C, H, W] or [C, H, W], got {input.Shape}.");
        var x = input.Rank == 3 ? input.Unsqueeze(0) : input;
        var desc = Tensor.Cat([x.Mean([1], keepDim: true), x.Amax([1], keepDim: true)], 1);            // [N, 2, H, W]
        return ((Conv2d)GetModule("conv")!).Call(desc).Sigmoid();
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        var m = Map(input);
        return input.Rank == 3 ? m.Squeeze(0).Mul(input) : m.Mul(input);
    }
}

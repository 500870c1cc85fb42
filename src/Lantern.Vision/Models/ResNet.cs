using Lantern.NN;

namespace Lantern.Vision.Models;

/// <summary>
/// torchvision.models.resnet.ResNet: conv1 (7x7, stride 2, padding 3, bias-free) - bn1 - relu - maxpool (3x3, stride 2,
/// padding 1) - layer1..layer4 (blocks of 64, 128, 256, 512 planes; stride 2 from layer2 on, or dilation instead where
/// replaceStrideWithDilation says so) - avgpool (adaptive 1x1) - flatten - fc (Linear(512 * expansion, numClasses)).
/// Each layer's first block gets a downsample Sequential(conv1x1(stride), BatchNorm2d) when the stride or width changes.
/// Initialisation is torchvision's: kaiming_normal_(mode = "fan_out", nonlinearity = "relu") for every convolution,
/// BatchNorm weight 1 and bias 0, Linear's default; zeroInitResidual zeroes the last BN of each residual branch
/// (bn2 / bn3), so every block starts as the identity. State-dict keys and shapes equal torchvision's
/// (conv1.weight, bn1.running_mean, layer1.0.conv1.weight, layer2.0.downsample.0.weight, ..., fc.bias).
/// <para>Input [N, inChannels, H, W] (torchvision: inChannels = 3); output [N, numClasses] logits.</para>
/// </summary>
/// <example><c>var model = ResNet.ResNet18(numClasses: 10);</c></example>
public sealed class ResNet : Module<Tensor, Tensor>
{
    private readonly bool _bottleneck;
    private readonly int _groups, _baseWidth;
    private int _inplanes = 64, _dilation = 1;

    /// <summary>
    /// A ResNet with <paramref name="layers"/>[i] blocks in stage i; <paramref name="bottleneck"/> selects
    /// <see cref="Bottleneck"/> (else <see cref="BasicBlock"/>).
    /// </summary>
    /// <exception cref="ArgumentException">Not four stage counts, a non-positive count, or bad sizes (see the blocks).</exception>
    public ResNet(bool bottleneck, int[] layers, int numClasses = 1000, bool zeroInitResidual = false, int groups = 1, int widthPerGroup = 64,
        bool[]? replaceStrideWithDilation = null, int inChannels = 3, DType dtype = DType.Float32, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Length != 4 || layers.Any(l => l <= 0))
            throw new ArgumentException($"ResNet: layers must be four positive block counts, got [{string.Join(", ", layers)}].");
        var dil = replaceStrideWithDilation ?? [false, false, false];
        if (dil.Length != 3)
            throw new ArgumentException($"ResNet: replace_stride_with_dilation should be None or a 3-element tuple, got [{string.Join(", ", dil)}].");
        if (numClasses <= 0 || inChannels <= 0)
            throw new ArgumentException($"ResNet: num_classes and in_channels must be positive, got {numClasses} and {inChannels}.");
        _bottleneck = bottleneck;
        _groups = groups;
        _baseWidth = widthPerGroup;
        NumClasses = numClasses;
        InChannels = inChannels;
        RegisterModule("conv1", new Conv2d(inChannels, 64, 7, 2, 3, bias: false, dtype: dtype, generator: generator));
        RegisterModule("bn1", new BatchNorm2d(64, dtype: dtype));
        RegisterModule("relu", new ReLU());
        RegisterModule("maxpool", new MaxPool2d(3, 2, 1));
        RegisterModule("layer1", MakeLayer(64, layers[0], 1, false, dtype, generator));
        RegisterModule("layer2", MakeLayer(128, layers[1], 2, dil[0], dtype, generator));
        RegisterModule("layer3", MakeLayer(256, layers[2], 2, dil[1], dtype, generator));
        RegisterModule("layer4", MakeLayer(512, layers[3], 2, dil[2], dtype, generator));
        RegisterModule("avgpool", new AdaptiveAvgPool2d(1));
        RegisterModule("fc", new Linear(512 * Expansion, numClasses, dtype: dtype, generator: generator));
        InitWeights(this, zeroInitResidual, generator);
    }

    /// <summary>torchvision's resnet18: BasicBlock, [2, 2, 2, 2] (11.7 M parameters at 1000 classes).</summary>
    public static ResNet ResNet18(int numClasses = 1000, bool zeroInitResidual = false, int inChannels = 3, DType dtype = DType.Float32, Generator? generator = null) =>
        new(false, [2, 2, 2, 2], numClasses, zeroInitResidual, inChannels: inChannels, dtype: dtype, generator: generator);

    /// <summary>torchvision's resnet34: BasicBlock, [3, 4, 6, 3].</summary>
    public static ResNet ResNet34(int numClasses = 1000, bool zeroInitResidual = false, int inChannels = 3, DType dtype = DType.Float32, Generator? generator = null) =>
        new(false, [3, 4, 6, 3], numClasses, zeroInitResidual, inChannels: inChannels, dtype: dtype, generator: generator);

    /// <summary>torchvision's resnet50: Bottleneck (v1.5, stride on the 3x3), [3, 4, 6, 3].</summary>
    public static ResNet ResNet50(int numClasses = 1000, bool zeroInitResidual = false, int inChannels = 3, DType dtype = DType.Float32, Generator? generator = null) =>
        new(true, [3, 4, 6, 3], numClasses, zeroInitResidual, inChannels: inChannels, dtype: dtype, generator: generator);

    /// <summary>Output channels per planes of the block type (1 for BasicBlock, 4 for Bottleneck).</summary>
    public int Expansion => _bottleneck ? Bottleneck.Expansion : BasicBlock.Expansion;

    /// <summary>Number of output logits.</summary>
    public int NumClasses { get; }

    /// <summary>Input image channels.</summary>
    public int InChannels { get; }

    /// <summary>
    /// torchvision's weight init for residual networks: kaiming_normal_(fan_out, relu) for convolutions, BatchNorm /
    /// GroupNorm weight 1 and bias 0, and (zeroInitResidual) the last BN of every block zeroed.
    /// </summary>
    public static void InitWeights(Module model, bool zeroInitResidual, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var m in model.Modules())
        {
            if (m is Conv2d conv) Init.KaimingNormal_(conv.Weight, mode: "fan_out", nonlinearity: "relu", generator: generator);
            else if (m is NormBase { Weight: { } w, Bias: { } b }) { Init.Ones_(w); Init.Zeros_(b); }
            else if (m is GroupNorm { Weight: { } gw, Bias: { } gb }) { Init.Ones_(gw); Init.Zeros_(gb); }
        }
        if (!zeroInitResidual) return;
        foreach (var m in model.Modules())
        {
            if (m is Bottleneck { LastBn.Weight: { } w3 }) Init.Zeros_(w3);
            else if (m is BasicBlock { LastBn.Weight: { } w2 }) Init.Zeros_(w2);
        }
    }

    private Sequential MakeLayer(int planes, int blocks, int stride, bool dilate, DType dtype, Generator? generator)
    {
        int previousDilation = _dilation;
        if (dilate)
        {
            _dilation *= stride;
            stride = 1;
        }
        int outPlanes = planes * Expansion;
        Sequential? downsample = stride != 1 || _inplanes != outPlanes ? ResidualConv.Downsample(_inplanes, outPlanes, stride, dtype, generator) : null;
        var layer = new Sequential(Block(_inplanes, planes, stride, downsample, previousDilation, dtype, generator));
        _inplanes = outPlanes;
        for (int i = 1; i < blocks; i++) layer.Append(Block(_inplanes, planes, 1, null, _dilation, dtype, generator));
        return layer;
    }

    private Module<Tensor, Tensor> Block(int inplanes, int planes, int stride, Sequential? downsample, int dilation, DType dtype, Generator? generator) =>
        _bottleneck
            ? new Bottleneck(inplanes, planes, stride, downsample, _groups, _baseWidth, dilation, dtype, generator)
            : new BasicBlock(inplanes, planes, stride, downsample, _groups, _baseWidth, dilation, dtype, generator);

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">Not [N, inChannels, H, W].</exception>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 4 || input.Shape[1] != InChannels)
            throw new ArgumentException($"ResNet: expected input of shape [N, {InChannels}, H, W], got {input.Shape}.");
        var x = input;
        foreach (var (_, m) in NamedChildren())
        {
            x = ((Module<Tensor, Tensor>)m!).Call(x);
            if (m is AdaptiveAvgPool2d) x = x.Flatten(1);
        }
        return x;
    }
}

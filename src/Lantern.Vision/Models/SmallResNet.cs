using Lantern.NN;

namespace Lantern.Vision.Models;

/// <summary>
/// A small CIFAR-style ResNet (He et al. 2016, section 4.2) built from torchvision's <see cref="BasicBlock"/>:
/// conv1 (3x3, in -> 16, padding 1, bias-free) - bn1 - relu - layer1 (16 channels) - layer2 (32, stride 2) -
/// layer3 (64, stride 2) - avgpool (adaptive 1x1) - flatten - fc (Linear(64, numClasses)). Shortcuts that change
/// shape use torchvision's projection downsample (1x1 conv + BN, the paper's option B). blocksPerStage blocks per
/// stage (default 1, i.e. an 8-layer net; 3 gives the paper's ResNet-20 depth). Initialised as torchvision's ResNet.
/// Keys: conv1.weight, bn1.*, layer1.0.conv1.weight, ..., layer2.0.downsample.0.weight, ..., fc.weight, fc.bias.
/// <para>Input [N, inChannels, H, W] (any H, W &gt;= 1; 28 x 28 gives 28, 14, 7 maps); output [N, numClasses].
/// 77,754 parameters for 1 channel, 10 classes and one block per stage.</para>
/// </summary>
public sealed class SmallResNet : Module<Tensor, Tensor>
{
    /// <summary>Stage widths.</summary>
    public static readonly int[] Widths = [16, 32, 64];

    /// <summary>A small ResNet with the given number of blocks in each of the three stages.</summary>
    /// <exception cref="ArgumentException">Non-positive sizes or block count.</exception>
    public SmallResNet(int inChannels = 1, int numClasses = 10, int blocksPerStage = 1, bool zeroInitResidual = false, DType dtype = DType.Float32,
        Generator? generator = null)
    {
        if (inChannels <= 0 || numClasses <= 0 || blocksPerStage <= 0)
            throw new ArgumentException($"SmallResNet: in_channels, num_classes and blocks_per_stage must be positive, got {inChannels}, {numClasses} and {blocksPerStage}.");
        InChannels = inChannels;
        BlocksPerStage = blocksPerStage;
        RegisterModule("conv1", ResidualConv.Conv3x3(inChannels, Widths[0], dtype: dtype, generator: generator));
        RegisterModule("bn1", new BatchNorm2d(Widths[0], dtype: dtype));
        RegisterModule("relu", new ReLU());
        int inplanes = Widths[0];
        for (int s = 0; s < Widths.Length; s++)
        {
            int planes = Widths[s], stride = s == 0 ? 1 : 2;
            var down = stride != 1 || inplanes != planes ? ResidualConv.Downsample(inplanes, planes, stride, dtype, generator) : null;
            var layer = new Sequential(new BasicBlock(inplanes, planes, stride, down, dtype: dtype, generator: generator));
            for (int b = 1; b < blocksPerStage; b++) layer.Append(new BasicBlock(planes, planes, dtype: dtype, generator: generator));
            RegisterModule($"layer{s + 1}", layer);
            inplanes = planes;
        }
        RegisterModule("avgpool", new AdaptiveAvgPool2d(1));
        RegisterModule("fc", new Linear(Widths[^1], numClasses, dtype: dtype, generator: generator));
        ResNet.InitWeights(this, zeroInitResidual, generator);
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Blocks in each stage.</summary>
    public int BlocksPerStage { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">Not [N, inChannels, H, W].</exception>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 4 || input.Shape[1] != InChannels)
            throw new ArgumentException($"SmallResNet: expected input of shape [N, {InChannels}, H, W], got {input.Shape}.");
        var x = input;
        foreach (var (_, m) in NamedChildren())
        {
            x = ((Module<Tensor, Tensor>)m!).Call(x);
            if (m is AdaptiveAvgPool2d) x = x.Flatten(1);
        }
        return x;
    }
}

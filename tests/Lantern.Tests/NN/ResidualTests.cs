using Lantern.NN;
using Lantern.Tests.OpTable;
using Lantern.Vision.Models;
using Xunit;

namespace Lantern.Tests.NN;

// torchvision's BasicBlock / Bottleneck / ResNet: definitions (module == composition of functionals), names, init, errors.
public class ResidualTests
{
    private static Tensor R(int seed, params int[] shape) => Tensor.Randn(shape, DType.Float64, generator: new Generator((ulong)seed));

    internal static void Close(Tensor expected, Tensor actual, double tol = 1e-10)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        Gradcheck.Compare(actual.ToArray<double>(), expected.ToArray<double>(), tol, tol, "module vs functional");
    }

    /// <summary>Random BatchNorm affine parameters and running statistics, so eval mode is not the identity.</summary>
    internal static void RandomizeNorms(Module m, int seed)
    {
        var g = new Generator((ulong)seed);
        using (Autograd.NoGrad())
            foreach (var bn in m.Modules().OfType<NormBase>())
            {
                bn.Weight?.Copy_(Tensor.Rand(bn.Weight.Shape, bn.Weight.DType, generator: g).Add(0.5));
                bn.Bias?.Copy_(Tensor.Randn(bn.Bias.Shape, bn.Bias.DType, generator: g));
                bn.RunningMean?.Copy_(Tensor.Randn(bn.RunningMean.Shape, bn.RunningMean.DType, generator: g).Mul(0.3));
                bn.RunningVar?.Copy_(Tensor.Rand(bn.RunningVar.Shape, bn.RunningVar.DType, generator: g).Add(0.5));
            }
    }

    internal static Tensor P(Module m, string name) => m.StateDict()[name];

    /// <summary>conv (no bias) then batch norm with the module's tensors, looked up by name.</summary>
    internal static Tensor ConvBn(Module m, Tensor x, string conv, string bn, bool training, int stride = 1, int padding = 0, int dilation = 1, int groups = 1)
    {
        var y = F.Conv2d(x, P(m, conv + ".weight"), null, stride, padding, dilation, groups);
        return training
            ? F.BatchNorm(y, null, null, P(m, bn + ".weight"), P(m, bn + ".bias"), training: true)
            : F.BatchNorm(y, P(m, bn + ".running_mean"), P(m, bn + ".running_var"), P(m, bn + ".weight"), P(m, bn + ".bias"));
    }

    [Theory] // out = relu(bn2(conv2(relu(bn1(conv1(x))))) + downsample(x)), stride on conv1
    [InlineData(false)]
    [InlineData(true)]
    public void BasicBlockIsTorchvisionDefinition(bool training)
    {
        var block = new BasicBlock(3, 5, 2, ResidualConv.Downsample(3, 5, 2, DType.Float64), dtype: DType.Float64, generator: new Generator(1));
        RandomizeNorms(block, 2);
        block.Train(training);
        var x = R(3, 2, 3, 7, 6);
        var expected = ConvBn(block, F.Relu(ConvBn(block, x, "conv1", "bn1", training, stride: 2, padding: 1)), "conv2", "bn2", training, padding: 1)
            .Add(ConvBn(block, x, "downsample.0", "downsample.1", training, stride: 2)).Relu();
        var y = block.Forward(x);
        Close(expected, y);
        Assert.Equal(new Shape(2, 5, 4, 3), y.Shape);
        Assert.Equal(
            ["conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked",
             "conv2.weight", "bn2.weight", "bn2.bias", "bn2.running_mean", "bn2.running_var", "bn2.num_batches_tracked",
             "downsample.0.weight", "downsample.1.weight", "downsample.1.bias", "downsample.1.running_mean", "downsample.1.running_var",
             "downsample.1.num_batches_tracked"], block.StateDict().Keys);
        Assert.Equal(new Shape(5, 3, 3, 3), P(block, "conv1.weight").Shape);
        Assert.Equal(new Shape(5, 3, 1, 1), P(block, "downsample.0.weight").Shape);
        var plain = new BasicBlock(4, 4, dtype: DType.Float64, generator: new Generator(4));
        RandomizeNorms(plain, 5);
        plain.Eval();
        var x2 = R(6, 1, 4, 5, 5);
        Close(ConvBn(plain, F.Relu(ConvBn(plain, x2, "conv1", "bn1", false, padding: 1)), "conv2", "bn2", false, padding: 1).Add(x2).Relu(), plain.Forward(x2));
    }

    [Theory] // v1.5: 1x1 -> 3x3 (stride, groups, dilation) -> 1x1 (x4), width = int(planes * base_width / 64) * groups
    [InlineData(false)]
    [InlineData(true)]
    public void BottleneckIsTorchvisionDefinition(bool training)
    {
        var block = new Bottleneck(6, 4, 2, ResidualConv.Downsample(6, 16, 2, DType.Float64), groups: 2, baseWidth: 128, dilation: 2,
            dtype: DType.Float64, generator: new Generator(7));
        Assert.Equal(16, block.Width);
        RandomizeNorms(block, 8);
        block.Train(training);
        var x = R(9, 2, 6, 7, 8);
        var h = F.Relu(ConvBn(block, x, "conv1", "bn1", training));
        h = F.Relu(ConvBn(block, h, "conv2", "bn2", training, stride: 2, padding: 2, dilation: 2, groups: 2));
        var expected = ConvBn(block, h, "conv3", "bn3", training).Add(ConvBn(block, x, "downsample.0", "downsample.1", training, stride: 2)).Relu();
        var y = block.Forward(x);
        Close(expected, y);
        Assert.Equal(new Shape(2, 16, 4, 4), y.Shape);
        Assert.Equal(new Shape(16, 6, 1, 1), P(block, "conv1.weight").Shape);
        Assert.Equal(new Shape(16, 8, 3, 3), P(block, "conv2.weight").Shape);
        Assert.Equal(new Shape(16, 16, 1, 1), P(block, "conv3.weight").Shape);
        Assert.Equal(["conv1", "bn1", "conv2", "bn2", "conv3", "bn3", "relu", "downsample"], block.NamedChildren().Select(c => c.Key));
        Assert.Equal(4, new Bottleneck(16, 4).Width);
    }

    [Fact]
    public void BlocksRejectBadInput()
    {
        Assert.Contains("groups=1 and base_width=64", Assert.Throws<ArgumentException>(() => new BasicBlock(4, 4, groups: 2)).Message);
        Assert.Contains("dilation > 1", Assert.Throws<ArgumentException>(() => new BasicBlock(4, 4, dilation: 2)).Message);
        var block = new BasicBlock(4, 8);
        Assert.Contains("BasicBlock: expected input of shape [N, 4, H, W], got [2, 3, 5, 5]",
            Assert.Throws<ArgumentException>(() => block.Forward(Tensor.Zeros([2, 3, 5, 5]))).Message);
        var msg = Assert.Throws<ArgumentException>(() => block.Forward(Tensor.Zeros([2, 4, 5, 5]))).Message;
        Assert.Contains("needs a downsample", msg);
        Assert.Contains("[2, 8, 5, 5]", msg);
        Assert.Contains("Bottleneck: expected input", Assert.Throws<ArgumentException>(() => new Bottleneck(4, 1).Forward(Tensor.Zeros([1, 4, 3]))).Message);
    }

    private static readonly string[] s_resnet18 =
    [
        // torchvision.models.resnet18().state_dict(): names and shapes in order, written from torchvision's definition
        // (conv1/bn1, layer1..4 of two BasicBlocks, downsample in the first block of layers 2-4, fc).
        "conv1.weight [64, 3, 7, 7]", "bn1.weight [64]", "bn1.bias [64]",
        "bn1.running_mean [64]", "bn1.running_var [64]", "bn1.num_batches_tracked []",
        "layer1.0.conv1.weight [64, 64, 3, 3]", "layer1.0.bn1.weight [64]", "layer1.0.bn1.bias [64]",
        "layer1.0.bn1.running_mean [64]", "layer1.0.bn1.running_var [64]", "layer1.0.bn1.num_batches_tracked []",
        "layer1.0.conv2.weight [64, 64, 3, 3]", "layer1.0.bn2.weight [64]", "layer1.0.bn2.bias [64]",
        "layer1.0.bn2.running_mean [64]", "layer1.0.bn2.running_var [64]", "layer1.0.bn2.num_batches_tracked []",
        "layer1.1.conv1.weight [64, 64, 3, 3]", "layer1.1.bn1.weight [64]", "layer1.1.bn1.bias [64]",
        "layer1.1.bn1.running_mean [64]", "layer1.1.bn1.running_var [64]", "layer1.1.bn1.num_batches_tracked []",
        "layer1.1.conv2.weight [64, 64, 3, 3]", "layer1.1.bn2.weight [64]", "layer1.1.bn2.bias [64]",
        "layer1.1.bn2.running_mean [64]", "layer1.1.bn2.running_var [64]", "layer1.1.bn2.num_batches_tracked []",
        "layer2.0.conv1.weight [128, 64, 3, 3]", "layer2.0.bn1.weight [128]", "layer2.0.bn1.bias [128]",
        "layer2.0.bn1.running_mean [128]", "layer2.0.bn1.running_var [128]", "layer2.0.bn1.num_batches_tracked []",
        "layer2.0.conv2.weight [128, 128, 3, 3]", "layer2.0.bn2.weight [128]", "layer2.0.bn2.bias [128]",
        "layer2.0.bn2.running_mean [128]", "layer2.0.bn2.running_var [128]", "layer2.0.bn2.num_batches_tracked []",
        "layer2.0.downsample.0.weight [128, 64, 1, 1]", "layer2.0.downsample.1.weight [128]", "layer2.0.downsample.1.bias [128]",
        "layer2.0.downsample.1.running_mean [128]", "layer2.0.downsample.1.running_var [128]", "layer2.0.downsample.1.num_batches_tracked []",
        "layer2.1.conv1.weight [128, 128, 3, 3]", "layer2.1.bn1.weight [128]", "layer2.1.bn1.bias [128]",
        "layer2.1.bn1.running_mean [128]", "layer2.1.bn1.running_var [128]", "layer2.1.bn1.num_batches_tracked []",
        "layer2.1.conv2.weight [128, 128, 3, 3]", "layer2.1.bn2.weight [128]", "layer2.1.bn2.bias [128]",
        "layer2.1.bn2.running_mean [128]", "layer2.1.bn2.running_var [128]", "layer2.1.bn2.num_batches_tracked []",
        "layer3.0.conv1.weight [256, 128, 3, 3]", "layer3.0.bn1.weight [256]", "layer3.0.bn1.bias [256]",
        "layer3.0.bn1.running_mean [256]", "layer3.0.bn1.running_var [256]", "layer3.0.bn1.num_batches_tracked []",
        "layer3.0.conv2.weight [256, 256, 3, 3]", "layer3.0.bn2.weight [256]", "layer3.0.bn2.bias [256]",
        "layer3.0.bn2.running_mean [256]", "layer3.0.bn2.running_var [256]", "layer3.0.bn2.num_batches_tracked []",
        "layer3.0.downsample.0.weight [256, 128, 1, 1]", "layer3.0.downsample.1.weight [256]", "layer3.0.downsample.1.bias [256]",
        "layer3.0.downsample.1.running_mean [256]", "layer3.0.downsample.1.running_var [256]", "layer3.0.downsample.1.num_batches_tracked []",
        "layer3.1.conv1.weight [256, 256, 3, 3]", "layer3.1.bn1.weight [256]", "layer3.1.bn1.bias [256]",
        "layer3.1.bn1.running_mean [256]", "layer3.1.bn1.running_var [256]", "layer3.1.bn1.num_batches_tracked []",
        "layer3.1.conv2.weight [256, 256, 3, 3]", "layer3.1.bn2.weight [256]", "layer3.1.bn2.bias [256]",
        "layer3.1.bn2.running_mean [256]", "layer3.1.bn2.running_var [256]", "layer3.1.bn2.num_batches_tracked []",
        "layer4.0.conv1.weight [512, 256, 3, 3]", "layer4.0.bn1.weight [512]", "layer4.0.bn1.bias [512]",
        "layer4.0.bn1.running_mean [512]", "layer4.0.bn1.running_var [512]", "layer4.0.bn1.num_batches_tracked []",
        "layer4.0.conv2.weight [512, 512, 3, 3]", "layer4.0.bn2.weight [512]", "layer4.0.bn2.bias [512]",
        "layer4.0.bn2.running_mean [512]", "layer4.0.bn2.running_var [512]", "layer4.0.bn2.num_batches_tracked []",
        "layer4.0.downsample.0.weight [512, 256, 1, 1]", "layer4.0.downsample.1.weight [512]", "layer4.0.downsample.1.bias [512]",
        "layer4.0.downsample.1.running_mean [512]", "layer4.0.downsample.1.running_var [512]", "layer4.0.downsample.1.num_batches_tracked []",
        "layer4.1.conv1.weight [512, 512, 3, 3]", "layer4.1.bn1.weight [512]", "layer4.1.bn1.bias [512]",
        "layer4.1.bn1.running_mean [512]", "layer4.1.bn1.running_var [512]", "layer4.1.bn1.num_batches_tracked []",
        "layer4.1.conv2.weight [512, 512, 3, 3]", "layer4.1.bn2.weight [512]", "layer4.1.bn2.bias [512]",
        "layer4.1.bn2.running_mean [512]", "layer4.1.bn2.running_var [512]", "layer4.1.bn2.num_batches_tracked []",
        "fc.weight [1000, 512]", "fc.bias [1000]",
    ];

    internal static string[] KeysAndShapes(Module m) =>
        m.StateDict().Select(kv => $"{kv.Key} [{string.Join(", ", kv.Value.Shape.ToArray())}]").ToArray();

    [Fact]
    public void ResNet18StateDictEqualsTorchvision()
    {
        var model = ResNet.ResNet18(generator: new Generator(11));
        Assert.Equal(s_resnet18, KeysAndShapes(model));
        Assert.Equal(11_689_512, model.NumParameters());                 // torchvision's published count for resnet18
        // torchvision init: kaiming_normal_(fan_out, relu): std = sqrt(2 / (out * k * k)); BN weight 1, bias 0.
        var w = model.StateDict()["layer4.1.conv2.weight"].ToArray<float>();
        double std = Math.Sqrt(w.Select(v => (double)v * v).Average());
        Assert.InRange(std / Math.Sqrt(2.0 / (512 * 9)), 0.99, 1.01);
        Assert.All(model.StateDict()["layer3.0.bn2.weight"].ToArray<float>(), v => Assert.Equal(1f, v));
        Assert.Equal("ResNet", model.Name);
        Assert.Contains("(downsample): Sequential(", model.ToString());
    }

    [Fact]
    public void ResNet50ParameterCountAndShapes()
    {
        var r50 = ResNet.ResNet50(numClasses: 7, generator: new Generator(12));
        Assert.Equal(25_557_032 - 2049 * 1000 + 2049 * 7, r50.NumParameters());   // torchvision's published count at 1000 classes
        Assert.Equal(new Shape(1024, 512, 1, 1), r50.StateDict()["layer3.0.downsample.0.weight"].Shape);
        Assert.Equal(new Shape(128, 128, 3, 3), r50.StateDict()["layer2.0.conv2.weight"].Shape);
        Assert.Equal(new Shape(7, 2048), r50.StateDict()["fc.weight"].Shape);
        Assert.False(r50.StateDict().ContainsKey("layer1.1.downsample.0.weight"));
        Assert.True(r50.StateDict().ContainsKey("layer1.0.downsample.0.weight"));    // 64 -> 256 channels at stride 1
    }

    [Fact] // zero_init_residual: every block starts as relu(identity); forward shapes on a small image
    public void ResNetZeroInitResidualAndForward()
    {
        var model = ResNet.ResNet18(numClasses: 10, zeroInitResidual: true, generator: new Generator(13));
        foreach (var b in model.Modules().OfType<BasicBlock>()) Assert.All(b.LastBn.Weight!.ToArray<float>(), v => Assert.Equal(0f, v));
        var block = (BasicBlock)((Sequential)model.NamedChildren().Single(c => c.Key == "layer1").Value!)[1];
        var x = Tensor.Randn([2, 64, 5, 5], generator: new Generator(14));
        Close(x.Relu().Double(), block.Forward(x).Double(), 1e-7);
        var y = model.Forward(Tensor.Randn([2, 3, 32, 32], generator: new Generator(15)));
        Assert.Equal(new Shape(2, 10), y.Shape);
        var bottlenecks = new ResNet(true, [1, 1, 1, 1], numClasses: 3, zeroInitResidual: true, inChannels: 1);
        foreach (var b in bottlenecks.Modules().OfType<Bottleneck>()) Assert.All(b.LastBn.Weight!.ToArray<float>(), v => Assert.Equal(0f, v));
        Assert.All(bottlenecks.StateDict()["layer2.0.bn2.weight"].ToArray<float>(), v => Assert.Equal(1f, v));
        Assert.Equal(new Shape(64, 1, 7, 7), bottlenecks.StateDict()["conv1.weight"].Shape);
        Assert.Contains("ResNet: expected input of shape [N, 3, H, W]", Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros([1, 1, 32, 32]))).Message);
        Assert.Contains("four positive block counts", Assert.Throws<ArgumentException>(() => new ResNet(false, [2, 2, 2])).Message);
    }

    [Fact] // replace_stride_with_dilation keeps the resolution and dilates the following blocks, as torchvision (DeepLab backbones)
    public void ResNetDilation()
    {
        var model = new ResNet(true, [1, 1, 2, 1], replaceStrideWithDilation: [false, true, true]);
        var convs = model.NamedModules().Where(m => m.Value is Conv2d).ToDictionary(m => m.Key, m => (Conv2d)m.Value);
        Assert.Equal([1, 1], convs["layer3.0.conv2"].Stride);
        Assert.Equal([1, 1], convs["layer3.0.conv2"].Dilation);            // first block keeps the previous dilation
        Assert.Equal([2, 2], convs["layer3.1.conv2"].Dilation);
        Assert.Equal([2, 2], convs["layer4.0.conv2"].Dilation);
        Assert.Equal([2, 2], convs["layer4.0.conv2"].Padding);
        Assert.Equal([1, 1], convs["layer4.0.downsample.0"].Stride);
    }
}

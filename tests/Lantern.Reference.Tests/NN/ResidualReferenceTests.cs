using Xunit;
using Xunit.Abstractions;
using TorchSharp;
using static TorchSharp.torch.nn;
using TT = TorchSharp.torch.Tensor;
using LTensor = global::Lantern.Tensor;
using LGenerator = global::Lantern.Generator;
using L = global::Lantern.NN;
using Zoo = global::Lantern.Vision.Models;

namespace Lantern.Reference.Tests.NN;

// torchvision's BasicBlock, Bottleneck, ResNet and DeepLabV3's ASPP have no TorchSharp module (TorchVision's NuGet is not
// referenced): they are rebuilt below from torchvision's definitions with TorchSharp's Conv2d / BatchNorm2d / functional ops,
// registered under torchvision's names, so ModuleParity copies our state dict into them key by key.

/// <summary>torchvision.models.resnet.BasicBlock.forward (children conv1, bn1, conv2, bn2, downsample).</summary>
internal sealed class TBasicBlock : Module<TT, TT>
{
    private readonly Module<TT, TT> _conv1, _bn1, _conv2, _bn2;
    private readonly Module<TT, TT>? _downsample;

    public TBasicBlock(long inplanes, long planes, long stride) : base("BasicBlock")
    {
        register_module("conv1", _conv1 = Conv2d(inplanes, planes, 3, stride: stride, padding: 1, bias: false));
        register_module("bn1", _bn1 = BatchNorm2d(planes));
        register_module("conv2", _conv2 = Conv2d(planes, planes, 3, padding: 1, bias: false));
        register_module("bn2", _bn2 = BatchNorm2d(planes));
        if (stride != 1 || inplanes != planes)
            register_module("downsample", _downsample = Sequential(Conv2d(inplanes, planes, 1, stride: stride, bias: false), BatchNorm2d(planes)));
    }

    public override TT forward(TT x)
    {
        var o = functional.relu(_bn1.forward(_conv1.forward(x)));
        o = _bn2.forward(_conv2.forward(o));
        return functional.relu(o + (_downsample?.forward(x) ?? x));
    }
}

/// <summary>torchvision's Bottleneck (v1.5: stride on conv2), expansion 4.</summary>
internal sealed class TBottleneck : Module<TT, TT>
{
    private readonly Module<TT, TT> _conv1, _bn1, _conv2, _bn2, _conv3, _bn3;
    private readonly Module<TT, TT>? _downsample;

    public TBottleneck(long inplanes, long planes, long stride, long groups = 1, long baseWidth = 64, long dilation = 1) : base("Bottleneck")
    {
        long width = planes * baseWidth / 64 * groups;
        register_module("conv1", _conv1 = Conv2d(inplanes, width, 1, bias: false));
        register_module("bn1", _bn1 = BatchNorm2d(width));
        register_module("conv2", _conv2 = Conv2d(width, width, 3, stride: stride, padding: dilation, dilation: dilation, groups: groups, bias: false));
        register_module("bn2", _bn2 = BatchNorm2d(width));
        register_module("conv3", _conv3 = Conv2d(width, planes * 4, 1, bias: false));
        register_module("bn3", _bn3 = BatchNorm2d(planes * 4));
        if (stride != 1 || inplanes != planes * 4)
            register_module("downsample", _downsample = Sequential(Conv2d(inplanes, planes * 4, 1, stride: stride, bias: false), BatchNorm2d(planes * 4)));
    }

    public override TT forward(TT x)
    {
        var o = functional.relu(_bn1.forward(_conv1.forward(x)));
        o = functional.relu(_bn2.forward(_conv2.forward(o)));
        o = _bn3.forward(_conv3.forward(o));
        return functional.relu(o + (_downsample?.forward(x) ?? x));
    }
}

/// <summary>torchvision's ResNet with BasicBlocks (resnet18: [2, 2, 2, 2]).</summary>
internal sealed class TResNet : Module<TT, TT>
{
    private readonly List<Module<TT, TT>> _seq = [];

    public TResNet(long[] layers, long numClasses) : base("ResNet")
    {
        Add("conv1", Conv2d(3, 64, 7, stride: 2, padding: 3, bias: false));
        Add("bn1", BatchNorm2d(64));
        Add("relu", ReLU());
        Add("maxpool", MaxPool2d(3, 2, 1));
        long inplanes = 64;
        long[] planes = [64, 128, 256, 512];
        for (int i = 0; i < 4; i++)
        {
            var blocks = new List<Module<TT, TT>>();
            for (int b = 0; b < layers[i]; b++)
            {
                blocks.Add(new TBasicBlock(inplanes, planes[i], b == 0 && i > 0 ? 2 : 1));
                inplanes = planes[i];
            }
            Add($"layer{i + 1}", Sequential(blocks.ToArray()));
        }
        Add("avgpool", AdaptiveAvgPool2d(1));
        Add("fc", Linear(512, numClasses));
    }

    private void Add(string name, Module<TT, TT> m)
    {
        register_module(name, m);
        _seq.Add(m);
    }

    public override TT forward(TT x)
    {
        foreach (var m in _seq) x = m is TorchSharp.Modules.Linear ? m.forward(x.flatten(1)) : m.forward(x);
        return x;
    }
}

/// <summary>torchvision's ASPPPooling: children 0..3 (pool, conv, BN, ReLU), then bilinear upsampling (align_corners=False).</summary>
internal sealed class TAsppPooling : Module<TT, TT>
{
    private readonly Module<TT, TT>[] _seq;

    public TAsppPooling(long inCh, long outCh) : base("ASPPPooling")
    {
        _seq = [AdaptiveAvgPool2d(1), Conv2d(inCh, outCh, 1, bias: false), BatchNorm2d(outCh), ReLU()];
        for (int i = 0; i < _seq.Length; i++) register_module(i.ToString(System.Globalization.CultureInfo.InvariantCulture), _seq[i]);
    }

    public override TT forward(TT x)
    {
        var y = x;
        foreach (var m in _seq) y = m.forward(y);
        return functional.interpolate(y, size: [x.shape[2], x.shape[3]], mode: torch.InterpolationMode.Bilinear, align_corners: false);
    }
}

/// <summary>torchvision.models.segmentation.deeplabv3.ASPP.</summary>
internal sealed class TAspp : Module<TT, TT>
{
    private readonly TorchSharp.Modules.ModuleList<Module<TT, TT>> _convs;
    private readonly Module<TT, TT> _project;

    public TAspp(long inCh, long[] rates, long outCh) : base("ASPP")
    {
        var branches = new List<Module<TT, TT>> { Sequential(Conv2d(inCh, outCh, 1, bias: false), BatchNorm2d(outCh), ReLU()) };
        foreach (long r in rates) branches.Add(Sequential(Conv2d(inCh, outCh, 3, padding: r, dilation: r, bias: false), BatchNorm2d(outCh), ReLU()));
        branches.Add(new TAsppPooling(inCh, outCh));
        register_module("convs", _convs = ModuleList(branches.ToArray()));
        register_module("project", _project = Sequential(Conv2d(branches.Count * outCh, outCh, 1, bias: false), BatchNorm2d(outCh), ReLU(), Dropout(0.5)));
    }

    public override TT forward(TT x) => _project.forward(torch.cat(_convs.Select(c => c.forward(x)).ToArray(), 1));
}

public class ResidualReferenceTests(ITestOutputHelper output)
{
    private static LTensor R(int seed, params int[] shape) => LTensor.Randn(shape, generator: new LGenerator((ulong)seed));

    /// <summary>Random BN affine parameters and running statistics (copied to PyTorch with the state dict).</summary>
    private static void RandomizeNorms(L.Module m, int seed)
    {
        var g = new LGenerator((ulong)seed);
        using (global::Lantern.Autograd.NoGrad())
            foreach (var bn in m.Modules().OfType<L.NormBase>())
            {
                bn.Weight!.Copy_(LTensor.Rand(bn.Weight.Shape, generator: g).Add(0.5).To(bn.Weight.DType));
                bn.Bias!.Copy_(LTensor.Randn(bn.Bias.Shape, generator: g).Mul(0.2).To(bn.Bias.DType));
                bn.RunningMean!.Copy_(LTensor.Randn(bn.RunningMean.Shape, generator: g).Mul(0.2).To(bn.RunningMean.DType));
                bn.RunningVar!.Copy_(LTensor.Rand(bn.RunningVar.Shape, generator: g).Add(0.5).To(bn.RunningVar.DType));
            }
    }

    private static double Buffers(L.Module ours, torch.nn.Module theirs, string what)
    {
        double worst = 0;
        var mine = ours.NamedBuffers().ToDictionary(b => b.Key, b => b.Value);
        foreach (var (name, b) in theirs.named_buffers())
            worst = Math.Max(worst, Torch.AssertClose(b, mine[name], 1e-4, $"{what} buffer {name}"));
        return worst;
    }

    /// <summary>Eval parity, then one training step (batch statistics) with parity of outputs, gradients and updated running stats.</summary>
    private double EvalThenTrain(L.Module<LTensor, LTensor> ours, Module<TT, TT> theirs, LTensor x, string what, Action? afterTrain = null, double rtol = 1e-4)
    {
        if (x.DType == global::Lantern.DType.Float64) theirs.to(torch.float64);
        RandomizeNorms(ours, 5);
        ours.Eval(); theirs.eval();
        double worst = ModuleParity.Check(ours, theirs, x, rtol, $"{what} eval");
        ours.Train(); theirs.train();
        afterTrain?.Invoke();
        ours.ZeroGrad(); theirs.zero_grad();
        worst = Math.Max(worst, ModuleParity.Check(ours, theirs, x.Mul(1.5).Add(0.3), rtol, $"{what} train"));
        worst = Math.Max(worst, Buffers(ours, theirs, what));
        output.WriteLine($"{what}: max relative error {worst:E2}");
        return worst;
    }

    [Fact]
    public void BasicBlockMatchesTorchvision()
    {
        EvalThenTrain(new L.BasicBlock(4, 4, generator: new LGenerator(1)), new TBasicBlock(4, 4, 1), R(2, 2, 4, 7, 6), "BasicBlock(4, 4)");
        EvalThenTrain(new L.BasicBlock(4, 6, 2, L.ResidualConv.Downsample(4, 6, 2), generator: new LGenerator(3)), new TBasicBlock(4, 6, 2),
            R(4, 2, 4, 9, 8), "BasicBlock(4, 6, stride 2, downsample)");
    }

    [Fact]
    public void BottleneckMatchesTorchvision()
    {
        EvalThenTrain(new L.Bottleneck(16, 4, generator: new LGenerator(6)), new TBottleneck(16, 4, 1), R(7, 2, 16, 6, 5), "Bottleneck(16, 4)");
        EvalThenTrain(new L.Bottleneck(8, 4, 2, L.ResidualConv.Downsample(8, 16, 2), groups: 2, baseWidth: 32, dilation: 2, generator: new LGenerator(8)),
            new TBottleneck(8, 4, 2, 2, 32, 2), R(9, 2, 8, 9, 7), "Bottleneck(8, 4, stride 2, groups 2, base_width 32, dilation 2)");
    }

    [Fact] // train mode with the projection's dropout switched to eval on both sides (its mask is random)
    public void AsppMatchesTorchvision()
    {
        foreach (var dtype in new[] { global::Lantern.DType.Float32, global::Lantern.DType.Float64 })
        {
            var ours = new L.Aspp(6, [1, 2, 3], 5, dtype: dtype, generator: new LGenerator(10));
            var theirs = new TAspp(6, [1, 2, 3], 5);
            // float32: the projection's weight gradient sums 112 products per element; elements that cancel to ~1e-4 of the
            // largest carry float32 rounding of ~1e-4 relative in both libraries (measured 1.19e-4), hence 2e-4 there;
            // float64 shows the definitions agree to rounding.
            EvalThenTrain(ours, theirs, R(11, 2, 6, 8, 7).To(dtype), $"ASPP(6, [1, 2, 3], 5) {dtype}", () =>
            {
                ours.Project[3].Eval();
                theirs.named_modules().Single(m => m.name == "project.3").module.eval();
            }, rtol: dtype == global::Lantern.DType.Float32 ? 2e-4 : 1e-4);
        }
    }

    [Fact]
    public void HdcBlockMatchesStackedDilatedConvs()
    {
        int[] rates = [1, 2, 5];
        var theirs = Sequential(rates.Select((r, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture),
            (Module<TT, TT>)Sequential(Conv2d(i == 0 ? 3 : 4, 4, 3, padding: r, dilation: r, bias: false), BatchNorm2d(4), ReLU()))).ToArray());
        EvalThenTrain(new L.HdcBlock(3, 4, rates, generator: new LGenerator(12)), theirs, R(13, 2, 3, 12, 11), "HdcBlock(3, 4, [1, 2, 5])");
    }

    [Fact] // the full network: state-dict keys and shapes in torchvision's order, then forward/backward parity
    public void ResNet18MatchesTorchvision()
    {
        var ours = Zoo.ResNet.ResNet18(numClasses: 10, dtype: global::Lantern.DType.Float64, generator: new LGenerator(14));
        var theirs = new TResNet([2, 2, 2, 2], 10);
        var mine = ours.StateDict().Select(kv => (kv.Key, string.Join(",", kv.Value.Shape.ToArray()))).ToArray();
        var ref18 = theirs.state_dict().Select(kv => (kv.Key, string.Join(",", kv.Value.shape))).ToArray();
        // TorchSharp's state_dict lists all parameters before all buffers; PyTorch (and Lantern) interleave them per
        // module, so the full order is checked against torchvision's list in Lantern.Tests and here as a set plus the
        // parameter order, which TorchSharp keeps as PyTorch does.
        Assert.Equal(ref18.OrderBy(k => k.Key, StringComparer.Ordinal), mine.OrderBy(k => k.Key, StringComparer.Ordinal));
        Assert.Equal(122, mine.Length);
        Assert.Equal(theirs.named_parameters().Select(p => p.name), ours.NamedParameters().Select(p => p.Key));
        // Float64 on both sides: 40 layers of float32 reductions leave near-cancelling gradient elements at ~1e-4
        // relative noise (measured 1.8e-4 in a running mean of layer4), which says nothing about the semantics.
        EvalThenTrain(ours, theirs, R(15, 2, 3, 24, 24).Double(), "ResNet-18 (float64)");
    }

    [Fact] // the zoo's reference CNN against the same layers in TorchSharp (keys features.*, classifier.*)
    public void ZooModelsMatchTorch()
    {
        var cnn = Zoo.Models.Create("cnn", 1, 10, 28, generator: new LGenerator(16));
        var tcnn = Sequential(
            ("features", Sequential(Conv2d(1, 32, 3, padding: 1), ReLU(), MaxPool2d(2), Conv2d(32, 64, 3, padding: 1), ReLU(), MaxPool2d(2))),
            ("classifier", Sequential(Flatten(), Linear(3136, 128), ReLU(), Linear(128, 10))));
        // float32 at 2e-4: classifier.1's weight gradient has near-cancelling elements (measured 1.5e-4); float64 below.
        double worst = ModuleParity.Check(cnn, tcnn, R(17, 3, 1, 28, 28), 2e-4, "cnn");
        output.WriteLine($"cnn float32: max relative error {worst:E2}");
        var cnn64 = Zoo.Models.Create("cnn", 1, 10, 28, global::Lantern.DType.Float64, new LGenerator(16));
        tcnn.to(torch.float64);
        tcnn.zero_grad();
        worst = ModuleParity.Check(cnn64, tcnn, R(17, 3, 1, 28, 28).Double(), 1e-4, "cnn float64");
        output.WriteLine($"cnn float64: max relative error {worst:E2}");
    }
}

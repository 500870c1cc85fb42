using Lantern.NN;
using Xunit;
using static Lantern.Tests.NN.ResidualTests;

namespace Lantern.Tests.NN;

// DeepLabV3's ASPP (torchvision's layout) and the HDC block with its rate-schedule validation.
public class AsppHdcTests
{
    private static Tensor R(int seed, params int[] shape) => Tensor.Randn(shape, DType.Float64, generator: new Generator((ulong)seed));

    [Theory] // concat(1x1, atrous 3x3 per rate, upsampled image pooling) -> 1x1 + BN + ReLU (+ dropout, identity in eval)
    [InlineData(false)]
    [InlineData(true)]
    public void AsppIsTorchvisionDefinition(bool training)
    {
        var aspp = new Aspp(3, [1, 2], 4, dtype: DType.Float64, generator: new Generator(1));
        RandomizeNorms(aspp, 2);
        aspp.Train(training);
        aspp.Project[3].Eval();                                          // dropout off, BN still in the requested mode
        var x = R(3, 2, 3, 6, 5);
        var b0 = ConvBn(aspp, x, "convs.0.0", "convs.0.1", training).Relu();
        var b1 = ConvBn(aspp, x, "convs.1.0", "convs.1.1", training, padding: 1, dilation: 1).Relu();
        var b2 = ConvBn(aspp, x, "convs.2.0", "convs.2.1", training, padding: 2, dilation: 2).Relu();
        var pooled = ConvBn(aspp, x.Mean([2, 3], keepDim: true), "convs.3.1", "convs.3.2", training).Relu();  // [2, 4, 1, 1]
        var b3 = pooled.Expand(2, 4, 6, 5);                              // bilinear upsampling of a 1x1 map = broadcast
        var expected = ConvBn(aspp, Tensor.Cat([b0, b1, b2, b3], 1), "project.0", "project.1", training).Relu();
        var y = aspp.Forward(x);
        Close(expected, y);
        Assert.Equal(new Shape(2, 4, 6, 5), y.Shape);
    }

    [Fact]
    public void AsppNamesShapesReprAndDropout()
    {
        var aspp = new Aspp(8, [12, 24, 36], 16, generator: new Generator(4));
        var keys = aspp.StateDict().Keys.ToArray();
        Assert.Equal(
            ["convs.0.0.weight", "convs.0.1.weight", "convs.0.1.bias", "convs.0.1.running_mean", "convs.0.1.running_var", "convs.0.1.num_batches_tracked"],
            keys[..6]);
        Assert.Contains("convs.3.0.weight", keys);
        Assert.Contains("convs.4.1.weight", keys);                       // pooling branch: 0 = pool, 1 = conv, 2 = BN
        Assert.Contains("convs.4.2.running_var", keys);
        Assert.Equal(["project.0.weight", "project.1.weight", "project.1.bias", "project.1.running_mean", "project.1.running_var",
            "project.1.num_batches_tracked"], keys[^6..]);
        Assert.Equal(5 * 6 + 6, keys.Length);
        Assert.Equal(new Shape(16, 8, 3, 3), aspp.StateDict()["convs.2.0.weight"].Shape);
        Assert.Equal(new Shape(16, 80, 1, 1), aspp.StateDict()["project.0.weight"].Shape);
        var conv = (Conv2d)aspp.NamedModules().Single(m => m.Key == "convs.2.0").Value;
        Assert.Equal([24, 24], conv.Dilation);
        Assert.Equal([24, 24], conv.Padding);
        var text = aspp.ToString();
        Assert.StartsWith("ASPP(\n  (convs): ModuleList(\n    (0): Sequential(\n      (0): Conv2d(8, 16, kernel_size=(1, 1), stride=(1, 1), bias=False)", text);
        Assert.Contains("(1): ASPPConv(\n      (0): Conv2d(8, 16, kernel_size=(3, 3), stride=(1, 1), padding=(12, 12), dilation=(12, 12), bias=False)", text);
        Assert.Contains("(4): ASPPPooling(\n      (0): AdaptiveAvgPool2d(output_size=1)", text);
        Assert.Contains("(3): Dropout(p=0.5, inplace=False)", text);
        // Eval: deterministic; train: dropout zeroes about half of the projected features.
        var x = Tensor.Randn([2, 8, 5, 5], generator: new Generator(5));
        aspp.Eval();
        Close(aspp.Forward(x).Double(), aspp.Forward(x).Double(), 0);
        aspp.Train();
        var y = aspp.Forward(x).ToArray<float>();
        aspp.Project[3].Eval();
        var kept = aspp.Forward(x).ToArray<float>();
        int positive = kept.Count(v => v > 0), zeroed = kept.Where((v, i) => v > 0 && y[i] == 0).Count();
        Assert.InRange(zeroed / (double)positive, 0.35, 0.65);
        Assert.All(kept.Select((v, i) => (v, y[i])).Where(p => p.Item2 != 0), p => Assert.Equal(2 * p.v, p.Item2, 4));
    }

    [Fact]
    public void AsppRejectsBadInput()
    {
        Assert.Contains("atrous_rates", Assert.Throws<ArgumentException>(() => new Aspp(4, [])).Message);
        Assert.Contains("[6, 0]", Assert.Throws<ArgumentException>(() => new Aspp(4, [6, 0])).Message);
        var aspp = new Aspp(4, [1], 2);
        Assert.Contains("ASPP: expected input of shape [N, 4, H, W], got [1, 3, 5, 5]",
            Assert.Throws<ArgumentException>(() => aspp.Forward(Tensor.Zeros([1, 3, 5, 5]))).Message);
        Assert.Contains("ASPP: expected input", Assert.Throws<ArgumentException>(() => aspp.Forward(Tensor.Zeros([4, 5, 5]))).Message);
    }

    [Fact] // M_n = r_n, M_i = max(M_{i+1} - 2 r_i, M_{i+1} - 2 (M_{i+1} - r_i), r_i); the paper's examples
    public void HdcRateValidation()
    {
        Assert.Equal([1, 2, 5], HdcBlock.MaxTapDistances([1, 2, 5]));
        Assert.Equal([3, 5, 9], HdcBlock.MaxTapDistances([1, 2, 9]));     // M_2 = max(9 - 4, 9 - 14, 2) = 5, M_1 = max(5 - 2, 5 - 8, 1)
        HdcBlock.ValidateRates([1, 2, 5]);
        HdcBlock.ValidateRates([1, 2, 5, 1, 2, 5]);                         // a repeated group (the paper's sawtooth)
        Assert.Equal([[1, 2, 5], [1, 2, 5], [1, 3]], HdcBlock.Groups([1, 2, 5, 1, 2, 5, 1, 3]).ToArray());
        Assert.Contains("(group [1, 2, 9]): M_2 = 5", Assert.Throws<ArgumentException>(() => HdcBlock.ValidateRates([1, 2, 5, 1, 2, 9])).Message);
        HdcBlock.ValidateRates([1]);
        var holes = Assert.Throws<ArgumentException>(() => HdcBlock.ValidateRates([1, 2, 9])).Message;
        Assert.Contains("[1, 2, 9]", holes);
        Assert.Contains("M_2 = 5", holes);
        var grid = Assert.Throws<ArgumentException>(() => HdcBlock.ValidateRates([2, 4, 8])).Message;
        Assert.Contains("[2, 4, 8]", grid);
        Assert.Contains("common factor 2", grid);
        Assert.Contains("common factor 3", Assert.Throws<ArgumentException>(() => new HdcBlock(2, 2, [3])).Message);
        Assert.Contains("M_2 = 4", Assert.Throws<ArgumentException>(() => new HdcBlock(2, 2, [1, 4])).Message);
        Assert.Contains("positive", Assert.Throws<ArgumentException>(() => new HdcBlock(2, 2, [1, 0])).Message);
        Assert.Contains("odd", Assert.Throws<ArgumentException>(() => new HdcBlock(2, 2, kernelSize: 4)).Message);
        HdcBlock.ValidateRates([1, 4], kernelSize: 5);                        // a larger kernel tolerates a wider step
    }

    [Fact] // what the conditions guard: the taps of the stack (sums of {-r, 0, r} per layer) cover every offset of the span
    public void AcceptedSchedulesHaveNoHoles()
    {
        int accepted = 0;
        for (int a = 1; a <= 6; a++)
            for (int b = 1; b <= 6; b++)
                for (int c = 1; c <= 6; c++)
                {
                    int[] rates = [a, b, c];
                    var reach = new HashSet<int> { 0 };
                    foreach (int r in rates) reach = reach.SelectMany(o => new[] { o - r, o, o + r }).ToHashSet();
                    int span = rates.Sum();
                    bool covered = Enumerable.Range(-span, 2 * span + 1).All(reach.Contains);
                    bool ok;
                    try { HdcBlock.ValidateRates(rates); ok = true; }
                    catch (ArgumentException) { ok = false; }
                    if (ok) { accepted++; Assert.True(covered, $"[{a}, {b}, {c}] accepted but has holes"); }
                    // For one group starting at rate 1 the paper's two conditions alone decide (the enumeration adds no rejection).
                    bool paper = rates.Aggregate(0, (g, r) => (int)System.Numerics.BigInteger.GreatestCommonDivisor(g, r)) == 1 && HdcBlock.MaxTapDistances(rates)[1] <= 3;
                    if (a == 1 && a <= b && b <= c) Assert.Equal(paper, ok);
                }
        Assert.InRange(accepted, 20, 215);
        // [2, 3] meets gcd = 1 and M_2 = 3 <= 3, but its taps {0, +-1, +-2, +-3, +-5} miss +-4.
        Assert.Equal([-4, 4], HdcBlock.ReceptiveFieldHoles([2, 3]));
        var msg = Assert.Throws<ArgumentException>(() => HdcBlock.ValidateRates([2, 3])).Message;
        Assert.Contains("[2, 3] leave holes", msg);
        Assert.Contains("offsets [4]", msg);
        Assert.Empty(HdcBlock.ReceptiveFieldHoles([1, 2, 5]));
    }

    [Fact]
    public void HdcBlockIsStackOfDilatedConvBnRelu()
    {
        var hdc = new HdcBlock(3, 4, [1, 2, 5], dtype: DType.Float64, generator: new Generator(6));
        RandomizeNorms(hdc, 7);
        hdc.Eval();
        var x = R(8, 2, 3, 9, 8);
        var h = x;
        int[] rates = [1, 2, 5];
        for (int i = 0; i < 3; i++) h = ConvBn(hdc, h, $"{i}.0", $"{i}.1", false, padding: rates[i], dilation: rates[i]).Relu();
        Close(h, hdc.Forward(x));
        Assert.Equal(new Shape(4, 3, 3, 3), hdc.StateDict()["0.0.weight"].Shape);
        Assert.Equal(new Shape(4, 4, 3, 3), hdc.StateDict()["2.0.weight"].Shape);
        Assert.Equal(3 * 6, hdc.StateDict().Count);
        Assert.StartsWith("HdcBlock(\n  rates=[1, 2, 5]\n  (0): Sequential(", hdc.ToString());
        Assert.Contains("HdcBlock: expected input of shape [N, 3, H, W]", Assert.Throws<ArgumentException>(() => hdc.Forward(R(1, 1, 4, 5, 5))).Message);
    }
}

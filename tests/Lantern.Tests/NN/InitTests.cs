using Lantern.NN;
using Xunit;

namespace Lantern.Tests.NN;

/// <summary>torch.nn.init formulas: gains, fans, bounds and moments (analytic values).</summary>
public class InitTests
{
    private static Generator G(ulong s) => new(s);

    [Fact] // torch.nn.init.calculate_gain('tanh') == 5/3, ('relu') == sqrt(2), ('leaky_relu', 0.2) == sqrt(2/1.04), ('selu') == 0.75
    public void Gains()
    {
        Assert.Equal(5.0 / 3, Init.CalculateGain("tanh"));
        Assert.Equal(Math.Sqrt(2), Init.CalculateGain("relu"));
        Assert.Equal(Math.Sqrt(2 / 1.04), Init.CalculateGain("leaky_relu", 0.2), 15);
        Assert.Equal(Math.Sqrt(2 / (1 + 0.0001)), Init.CalculateGain("leaky_relu"), 15);
        Assert.Equal(0.75, Init.CalculateGain("selu"));
        Assert.Throws<ArgumentException>(() => Init.CalculateGain("swish"));
    }

    [Fact] // a conv weight [16, 8, 3, 3]: fan_in 72, fan_out 144
    public void Fans()
    {
        Assert.Equal((72, 144), Init.CalculateFanInAndFanOut(Tensor.Zeros([16, 8, 3, 3])));
        Assert.Throws<ArgumentException>(() => Init.CalculateFanInAndFanOut(Tensor.Zeros([5])));
    }

    [Fact] // kaiming_uniform_(w, a=sqrt(5)) on [64, 100]: bound = sqrt(3) * sqrt(2/6) / sqrt(100) = 0.1
    public void KaimingUniformBound()
    {
        var w = Init.KaimingUniform_(Tensor.Empty([64, 100]), a: Math.Sqrt(5), generator: G(1));
        Assert.True(w.Abs().Max().Item() <= 0.1f);
        Assert.True(w.Abs().Max().Item() > 0.099f);
        var linear = new Linear(100, 64, generator: G(2));
        Assert.True(linear.Bias!.Abs().Max().Item() <= 0.1f);
    }

    [Fact] // moments: kaiming_normal_ std = sqrt(2)/sqrt(fan_in) for relu; xavier_normal_ std = sqrt(2/(fan_in+fan_out))
    public void NormalMoments()
    {
        var k = Init.KaimingNormal_(Tensor.Empty([400, 250], DType.Float64), nonlinearity: "relu", generator: G(3));
        Assert.Equal(Math.Sqrt(2.0 / 250), k.Std().Item<double>(), 0.002);
        var x = Init.XavierNormal_(Tensor.Empty([300, 200], DType.Float64), generator: G(4));
        Assert.Equal(Math.Sqrt(2.0 / 500), x.Std().Item<double>(), 0.001);
        var xu = Init.XavierUniform_(Tensor.Empty([300, 200], DType.Float64), gain: 2, generator: G(5));
        Assert.True(xu.Abs().Max().Item<double>() <= 2 * Math.Sqrt(6.0 / 500));
    }

    [Fact] // trunc_normal_ stays in [a, b]
    public void TruncNormal()
    {
        var t = Init.TruncNormal_(Tensor.Empty([10_000], DType.Float64), std: 1, a: -0.5, b: 1.5, generator: G(6));
        Assert.True(t.Min().Item<double>() >= -0.5 && t.Max().Item<double>() <= 1.5);
    }

    [Theory] // orthogonal_: W W^T = gain^2 I for wide matrices, W^T W = gain^2 I for tall ones
    [InlineData(5, 8)]
    [InlineData(8, 5)]
    [InlineData(6, 6)]
    public void Orthogonal(int rows, int cols)
    {
        var w = Init.Orthogonal_(Tensor.Empty([rows, cols], DType.Float64), gain: 2, generator: G(7));
        var gram = rows <= cols ? w.MatMul(w.T) : w.T.MatMul(w);
        var eye = Tensor.Eye(Math.Min(rows, cols), dtype: DType.Float64).Mul(4);
        Assert.True(gram.Sub(eye).Abs().Max().Item<double>() < 1e-12);
    }

    [Fact]
    public void ConstantsAndEye()
    {
        Assert.Equal([0.5f, 0.5f], Init.Constant_(Tensor.Empty([2]), 0.5).ToArray<float>());
        Assert.Equal([1f, 0, 0, 0, 1, 0], Init.Eye_(Tensor.Empty([2, 3])).ToArray<float>());
        var p = Tensor.Zeros([2], requiresGrad: true); // initialisers work on parameters (no grad recorded)
        Init.Ones_(p);
        Assert.True(p.IsLeaf);
        Assert.Equal([1f, 1], p.ToArray<float>());
    }
}

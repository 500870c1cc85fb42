using Lantern.NN;
using Xunit;

namespace Lantern.Tests.NN;

public class RegularizationTests
{
    private static Tensor Param(params float[] grad)
    {
        var p = Tensor.Zeros([grad.Length], requiresGrad: true);
        p.Grad = Tensor.FromArray(grad);
        return p;
    }

    [Theory] // total norm over all gradients together; scaled by maxNorm / (total + 1e-6) when larger than maxNorm
    [InlineData(2.0, 13.0)]            // sqrt(9 + 16 + 144)
    [InlineData(1.0, 3.0 + 4 + 12)]
    [InlineData(double.PositiveInfinity, 12.0)]
    public void ClipGradNormScales(double normType, double total)
    {
        var a = Param(3, -4);
        var b = Param(12);
        var none = Tensor.Zeros([2], requiresGrad: true); // no gradient: skipped
        var result = Utils.ClipGradNorm_([a, none, b], 1.5, normType);
        Assert.Equal(total, result.Item<double>(), total * 1e-6);
        double coef = 1.5 / (total + 1e-6);
        var ga = a.Grad!.ToArray<float>();
        Assert.Equal(3 * coef, ga[0], 1e-6);
        Assert.Equal(-4 * coef, ga[1], 1e-6);
        Assert.Equal(12 * coef, b.Grad!.ToArray<float>()[0], 1e-6);
        Assert.Null(none.Grad);
    }

    [Fact] // below maxNorm the factor is clamped to 1: gradients keep their values; no gradients -> 0
    public void ClipGradNormBelowMax()
    {
        var a = Param(0.3f, 0.4f);
        Assert.Equal(0.5f, Utils.ClipGradNorm_([a], 10).Item<float>(), 1e-7f);
        Assert.Equal([0.3f, 0.4f], a.Grad!.ToArray<float>());
        Assert.Equal(0.0f, Utils.ClipGradNorm_([Tensor.Zeros([2], requiresGrad: true)], 1).Item<float>());
    }

    [Fact] // non-finite total norm: an error only when asked, and the gradients stay as they were
    public void ClipGradNormNonFinite()
    {
        var a = Param(float.NaN, 1);
        var ex = Assert.Throws<InvalidOperationException>(() => Utils.ClipGradNorm_([a], 1, errorIfNonfinite: true));
        Assert.Contains("ClipGradNorm_: the total norm of order 2", ex.Message);
        Assert.Equal(1f, a.Grad!.ToArray<float>()[1]);
        var b = Param(float.PositiveInfinity, 1);
        Assert.True(float.IsPositiveInfinity(Utils.ClipGradNorm_([b], 1).Item<float>()));
        Assert.Equal(0f, b.Grad!.ToArray<float>()[1]); // 1 * (1 / inf), as PyTorch
    }

    [Fact]
    public void ClipGradValueClamps()
    {
        var a = Param(-3, 0.2f, 5);
        Utils.ClipGradValue_([a, Tensor.Zeros([1], requiresGrad: true)], 1);
        Assert.Equal([-1f, 0.2f, 1f], a.Grad!.ToArray<float>());
        Assert.Contains("ClipGradValue_: clipValue must be non-negative, got -1", Assert.Throws<ArgumentException>(() => Utils.ClipGradValue_([a], -1)).Message);
    }

    [Fact] // sum |w| and sum w^2 over all parameters, with gradients sign(w) and 2 w
    public void PenaltiesAndGradients()
    {
        var w1 = Tensor.FromArray(new[] { 1.0, -2.0 }).RequiresGrad_();
        var w2 = Tensor.FromArray(new[] { 3.0 }, [1, 1]).RequiresGrad_();
        var l1 = Regularization.L1Penalty([w1, w2]);
        var l2 = Regularization.L2Penalty([w1, w2]);
        Assert.Equal(6.0, l1.Item<double>());
        Assert.Equal(14.0, l2.Item<double>());
        l1.Add(l2.Mul(0.5)).Backward();
        Assert.Equal([1 + 1.0, -1 - 2.0], w1.Grad!.ToArray<double>());
        Assert.Equal([1 + 3.0], w2.Grad!.ToArray<double>());
        Assert.Equal(0.0, Regularization.L2Penalty([]).Item<double>());
    }

    [Fact] // (lambda / 2) * L2Penalty in the loss gives the gradient of SGD's coupled weight decay lambda
    public void L2PenaltyMatchesWeightDecayGradient()
    {
        var model = new Linear(3, 2, generator: new Generator(3));
        var x = Tensor.Randn([4, 3], generator: new Generator(4));
        var loss = model.Forward(x).Square().Mean();
        var grads = Autograd.Grad([loss], model.Parameters().ToArray());
        var withPenalty = model.Forward(x).Square().Mean().Add(Regularization.L2Penalty(model.Parameters()).Mul(0.01 / 2));
        var penalised = Autograd.Grad([withPenalty], model.Parameters().ToArray());
        var ps = model.Parameters().ToArray();
        for (int i = 0; i < ps.Length; i++)
        {
            var expected = grads[i]!.Add(ps[i].Detach().Mul(0.01)).ToArray<float>();
            var actual = penalised[i]!.ToArray<float>();
            for (int j = 0; j < expected.Length; j++) Assert.Equal(expected[j], actual[j], 1e-6f);
        }
    }
}

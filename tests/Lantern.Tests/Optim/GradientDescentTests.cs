using Lantern.Optim;
using Xunit;

namespace Lantern.Tests.Optim;

/// <summary>
/// Gradient descent, shown: linear regression fitted by hand with <c>Autograd.Grad</c> and a plain update
/// θ ← θ - lr · ∂L/∂θ, and by <see cref="SGD"/>; both paths produce the same bits at every step.
/// </summary>
public class GradientDescentTests
{
    [Fact]
    public void HandWrittenGradientDescentEqualsSgdBitwise()
    {
        // y = X w* + b* + noise, X [64, 3]
        var gen = new Generator(3);
        var x = Tensor.Randn([64, 3], generator: gen);
        var wTrue = Tensor.FromArray(new float[] { 1.5f, -2f, 0.5f }, [3, 1]);
        var y = x.MatMul(wTrue) + 0.7 + Tensor.Randn([64, 1], generator: gen) * 0.01;
        const double lr = 0.1;

        // By hand: the functional gradient, then a plain update outside the graph.
        var w = Tensor.Zeros([3, 1], requiresGrad: true);
        var b = Tensor.Zeros([1], requiresGrad: true);
        // With the optimiser: backward fills .Grad, SGD updates in place.
        var w2 = Tensor.Zeros([3, 1], requiresGrad: true);
        var b2 = Tensor.Zeros([1], requiresGrad: true);
        var opt = new SGD([w2, b2], lr: lr);

        for (int step = 0; step < 100; step++)
        {
            var loss = (x.MatMul(w) + b - y).Square().Mean();
            var grads = Autograd.Grad([loss], [w, b]);
            using (Autograd.NoGrad())
            {
                w.Sub_(grads[0]!.Mul(lr));
                b.Sub_(grads[1]!.Mul(lr));
            }

            opt.ZeroGrad();
            var loss2 = (x.MatMul(w2) + b2 - y).Square().Mean();
            loss2.Backward();
            opt.Step();

            Assert.Equal(loss.Item(), loss2.Item());
            OptimTestKit.AssertBitEqual(w.Detach(), w2.Detach(), $"w at step {step}");
            OptimTestKit.AssertBitEqual(b.Detach(), b2.Detach(), $"b at step {step}");
        }
        // and it found the line
        var fitted = w.ToArray<float>();
        Assert.Equal(1.5, fitted[0], 2);
        Assert.Equal(-2.0, fitted[1], 2);
        Assert.Equal(0.5, fitted[2], 2);
        Assert.Equal(0.7, b.Item(), 2);
    }
}

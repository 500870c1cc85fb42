using Xunit;
using TorchSharp;
using LTensor = global::Lantern.Tensor;

namespace Lantern.Reference.Tests.NN;

public class LinearReferenceTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LinearMatchesTorch(bool bias)
    {
        var ours = new global::Lantern.NN.Linear(7, 5, bias, generator: new global::Lantern.Generator(1));
        var theirs = torch.nn.Linear(7, 5, hasBias: bias);
        var x = LTensor.Randn([3, 4, 7], generator: new global::Lantern.Generator(2));
        ModuleParity.Check(ours, theirs, x, 1e-5, $"Linear(bias={bias})");
    }

    [Fact]
    public void BilinearMatchesTorch()
    {
        var w = LTensor.Randn([4, 3, 5], generator: new global::Lantern.Generator(3));
        var b = LTensor.Randn([4], generator: new global::Lantern.Generator(4));
        var x1 = LTensor.Randn([2, 6, 3], generator: new global::Lantern.Generator(5));
        var x2 = LTensor.Randn([2, 6, 5], generator: new global::Lantern.Generator(6));
        var y = global::Lantern.NN.F.Bilinear(x1, x2, w, b);
        var ty = torch.nn.functional.bilinear(Torch.From(x1), Torch.From(x2), Torch.From(w), Torch.From(b));
        Torch.AssertClose(ty, y, 1e-5, "bilinear");
    }
}

using Xunit;

namespace Lantern.Tests.Tensors;

/// <summary>torch.nn.functional.pad values (PyTorch's outputs in comments) and gradients (gradcheck).</summary>
public class PadTests
{
    private static readonly Tensor X = Tensor.FromArray(new double[] { 1, 2, 3 }).Reshape(1, 1, 3);

    [Theory] // F.pad(torch.tensor([[[1., 2., 3.]]]), (2, 1), mode)
    [InlineData(PadMode.Constant, new double[] { 0, 0, 1, 2, 3, 0 })]
    [InlineData(PadMode.Reflect, new double[] { 3, 2, 1, 2, 3, 2 })]
    [InlineData(PadMode.Replicate, new double[] { 1, 1, 1, 2, 3, 3 })]
    [InlineData(PadMode.Circular, new double[] { 2, 3, 1, 2, 3, 1 })]
    public void OneDimModes(PadMode mode, double[] expected) => Assert.Equal(expected, X.Pad([2, 1], mode).ToArray<double>());

    [Fact] // F.pad(x, (1, 1, 1, 0), value=9) on a [2, 2] -> [[9,9,9,9],[9,1,2,9],[9,3,4,9]]; negative pads crop: F.pad(x, (-1, 0))
    public void TwoDimsConstantAndCrop()
    {
        var x = Tensor.FromArray(new double[] { 1, 2, 3, 4 }, [2, 2]);
        Assert.Equal([9.0, 9, 9, 9, 9, 1, 2, 9, 9, 3, 4, 9], x.Pad([1, 1, 1, 0], value: 9).ToArray<double>());
        Assert.Equal([2.0, 4], x.Pad([-1, 0]).ToArray<double>());
        Assert.Equal([3, 2], x.Pad([0, 0, 1, 0]).Shape.ToArray());
    }

    [Fact] // F.pad(x, (3, 0), 'reflect') on size 3 raises "Padding size should be less than the corresponding input dimension"
    public void ReflectPadTooLarge()
    {
        var ex = Assert.Throws<ArgumentException>(() => X.Pad([3, 0], PadMode.Reflect));
        Assert.Contains("less than the corresponding input dimension", ex.Message);
        Assert.Throws<ArgumentException>(() => X.Pad([1]));
    }

    [Theory]
    [InlineData(PadMode.Constant)]
    [InlineData(PadMode.Reflect)]
    [InlineData(PadMode.Replicate)]
    [InlineData(PadMode.Circular)]
    public void Gradients(PadMode mode)
    {
        var x = Tensor.Randn([2, 3, 4], DType.Float64, generator: new Generator(3));
        OpTable.Gradcheck.Check(t => t[0].Pad([2, 1, 1, 2], mode), [x], [0]);
    }
}

using Xunit;

namespace Lantern.Tests.Tensors;

/// <summary>
/// Tensor.ToString against PyTorch's repr (torch/_tensor_str.py, default print options). Each case shows the
/// PyTorch call and what it prints; Lantern's grad_fn names drop PyTorch's trailing version digit (AddBackward0).
/// </summary>
public class FormatTests
{
    private static Tensor F(params float[] v) => Tensor.FromArray(v);
    private static Tensor D(params double[] v) => Tensor.FromArray(v);

    [Fact]
    public void FloatMatrixUsesFourDecimals()
    {
        // torch.tensor([[1., 2.5], [3., 4.]])
        // tensor([[1.0000, 2.5000],
        //         [3.0000, 4.0000]])
        Assert.Equal("tensor([[1.0000, 2.5000],\n        [3.0000, 4.0000]])", F(1, 2.5f, 3, 4).View(2, 2).ToString());
    }

    [Fact]
    public void IntegerValuedFloatsPrintWithATrailingPoint()
    {
        // torch.tensor([1., 2., 3.])  ->  tensor([1., 2., 3.])
        Assert.Equal("tensor([1., 2., 3.])", F(1, 2, 3).ToString());
        // torch.tensor([-0., 1.])  ->  tensor([-0., 1.])
        Assert.Equal("tensor([-0., 1.])", F(-0f, 1).ToString());
        // torch.zeros(2)  ->  tensor([0., 0.])
        Assert.Equal("tensor([0., 0.])", Tensor.Zeros([2]).ToString());
        // torch.tensor([float('nan'), 1., float('inf')])  ->  tensor([nan, 1., inf])
        Assert.Equal("tensor([nan, 1., inf])", F(float.NaN, 1, float.PositiveInfinity).ToString());
    }

    [Fact]
    public void IntsAndBools()
    {
        // torch.tensor([1, 2, 3])  ->  tensor([1, 2, 3])
        Assert.Equal("tensor([1, 2, 3])", Tensor.FromArray(new long[] { 1, 2, 3 }).ToString());
        // torch.tensor([-1, 20])  ->  tensor([-1, 20])
        Assert.Equal("tensor([-1, 20])", Tensor.FromArray(new long[] { -1, 20 }).ToString());
        // torch.tensor([True, False])  ->  tensor([ True, False])
        Assert.Equal("tensor([ True, False])", Tensor.FromArray(new[] { true, false }).ToString());
        // torch.tensor([1, 255], dtype=torch.uint8)  ->  tensor([  1, 255], dtype=torch.uint8)
        Assert.Equal("tensor([  1, 255], dtype=torch.uint8)", Tensor.FromArray(new byte[] { 1, 255 }).ToString());
    }

    [Fact]
    public void Scalars()
    {
        // torch.tensor(3.5)  ->  tensor(3.5000)
        Assert.Equal("tensor(3.5000)", Tensor.Scalar(3.5).ToString());
        // torch.tensor(5)  ->  tensor(5)
        Assert.Equal("tensor(5)", Tensor.Scalar(5).ToString());
        // torch.tensor(True)  ->  tensor(True)
        Assert.Equal("tensor(True)", Tensor.Scalar(true).ToString());
    }

    [Fact]
    public void ScientificNotation()
    {
        // torch.tensor([1e-5, 1.])  ->  tensor([1.0000e-05, 1.0000e+00])
        Assert.Equal("tensor([1.0000e-05, 1.0000e+00])", F(1e-5f, 1).ToString());
        // torch.tensor([1., 1e9])  ->  tensor([1.0000e+00, 1.0000e+09])  (integers, but max > 1e8)
        Assert.Equal("tensor([1.0000e+00, 1.0000e+09])", F(1, 1e9f).ToString());
        // torch.tensor([-1e-5, 1.])  ->  tensor([-1.0000e-05,  1.0000e+00])
        Assert.Equal("tensor([-1.0000e-05,  1.0000e+00])", F(-1e-5f, 1).ToString());
        // torch.tensor([0.1, 100.])  ->  tensor([  0.1000, 100.0000])  (ratio exactly 1000: fixed point)
        Assert.Equal("tensor([  0.1000, 100.0000])", D(0.1, 100).Float().ToString());
        // torch.tensor([1., 2000.])  ->  tensor([1.0000e+00, 2.0000e+03])  (integers, ratio > 1000)
        Assert.Equal("tensor([1.0000e+00, 2.0000e+03])", F(1, 2000).ToString());
    }

    [Fact]
    public void RoundingIsHalfToEvenOnTheExactValue()
    {
        // torch.tensor([0.03125], dtype=torch.float64)  ->  tensor([0.0312], dtype=torch.float64)
        Assert.Equal("tensor([0.0312], dtype=torch.float64)", D(0.03125).ToString());
        // torch.tensor([-1.5, 2.25])  ->  tensor([-1.5000,  2.2500])
        Assert.Equal("tensor([-1.5000,  2.2500])", F(-1.5f, 2.25f).ToString());
        // float32 0.1 is 0.100000001490116...: torch.tensor([0.1, 0.2])  ->  tensor([0.1000, 0.2000])
        Assert.Equal("tensor([0.1000, 0.2000])", F(0.1f, 0.2f).ToString());
    }

    [Fact]
    public void LongRowsWrapAtLineWidth()
    {
        // torch.linspace(0, 1, 20)
        // tensor([0.0000, 0.0526, 0.1053, 0.1579, 0.2105, 0.2632, 0.3158, 0.3684, 0.4211,
        //         0.4737, 0.5263, 0.5789, 0.6316, 0.6842, 0.7368, 0.7895, 0.8421, 0.8947,
        //         0.9474, 1.0000])
        Assert.Equal(
            "tensor([0.0000, 0.0526, 0.1053, 0.1579, 0.2105, 0.2632, 0.3158, 0.3684, 0.4211,\n" +
            "        0.4737, 0.5263, 0.5789, 0.6316, 0.6842, 0.7368, 0.7895, 0.8421, 0.8947,\n" +
            "        0.9474, 1.0000])",
            Tensor.Linspace(0, 1, 20).ToString());
    }

    [Fact]
    public void SuffixMovesToANewLineWhenTheLineIsFull()
    {
        // torch.arange(1, 10, dtype=torch.float64) / 10
        // tensor([0.1000, 0.2000, 0.3000, 0.4000, 0.5000, 0.6000, 0.7000, 0.8000, 0.9000],
        //        dtype=torch.float64)
        Assert.Equal(
            "tensor([0.1000, 0.2000, 0.3000, 0.4000, 0.5000, 0.6000, 0.7000, 0.8000, 0.9000],\n       dtype=torch.float64)",
            Tensor.Arange(1, 10, 1, DType.Float64).Div(10).ToString());
    }

    [Fact]
    public void ThreeDimensionsSeparateBlocksWithABlankLine()
    {
        // torch.arange(8).reshape(2, 2, 2)
        // tensor([[[0, 1],
        //          [2, 3]],
        //
        //         [[4, 5],
        //          [6, 7]]])
        Assert.Equal("tensor([[[0, 1],\n         [2, 3]],\n\n        [[4, 5],\n         [6, 7]]])", Tensor.Arange(8).Reshape(2, 2, 2).ToString());
    }

    [Fact]
    public void MoreThanAThousandElementsAreSummarised()
    {
        // torch.arange(2000)  ->  tensor([   0,    1,    2,  ..., 1997, 1998, 1999])
        Assert.Equal("tensor([   0,    1,    2,  ..., 1997, 1998, 1999])", Tensor.Arange(2000).ToString());
        // torch.arange(2000.): max / min nonzero = 1999 > 1000, so scientific; 6 items of width 10 fit a line
        // tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,
        //         1.9990e+03])
        Assert.Equal("tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n        1.9990e+03])",
            Tensor.Arange(2000).Float().ToString());
        // torch.arange(1000., 3000.)  ->  tensor([1000., 1001., 1002.,  ..., 2997., 2998., 2999.])
        Assert.Equal("tensor([1000., 1001., 1002.,  ..., 2997., 2998., 2999.])", Tensor.Arange(1000, 3000, 1).Float().ToString());
        // torch.zeros(40, 50)
        var row = "[0., 0., 0.,  ..., 0., 0., 0.]";
        var expected = "tensor([" + row + ",\n        " + row + ",\n        " + row + ",\n        ...,\n        " + row + ",\n        " + row + ",\n        " + row + "])";
        Assert.Equal(expected, Tensor.Zeros([40, 50]).ToString());
    }

    [Fact]
    public void EmptyTensorsShowSizeAndDType()
    {
        // torch.zeros(0, 3)  ->  tensor([], size=(0, 3))
        Assert.Equal("tensor([], size=(0, 3))", Tensor.Zeros([0, 3]).ToString());
        // torch.zeros(0)  ->  tensor([])
        Assert.Equal("tensor([])", Tensor.Zeros([0]).ToString());
        // torch.zeros(0, dtype=torch.int64)  ->  tensor([], dtype=torch.int64)
        Assert.Equal("tensor([], dtype=torch.int64)", Tensor.Zeros([0], DType.Int64).ToString());
    }

    [Fact]
    public void AutogradSuffixes()
    {
        // torch.ones(2, requires_grad=True)  ->  tensor([1., 1.], requires_grad=True)
        var x = Tensor.Ones([2], requiresGrad: true);
        Assert.Equal("tensor([1., 1.], requires_grad=True)", x.ToString());
        // torch.ones(2, requires_grad=True) + 1  ->  tensor([2., 2.], grad_fn=<AddBackward0>)
        Assert.Equal("tensor([2., 2.], grad_fn=<AddBackward>)", x.Add(1).ToString());
    }

    [Theory]
    [InlineData(0.00012345, "1.2345e-04")]   // "{:.4e}".format(0.00012345)
    [InlineData(9.99996, "1.0000e+01")]      // rounding carries into the exponent
    [InlineData(-123456789.0, "-1.2346e+08")]
    [InlineData(1e100, "1.0000e+100")]
    [InlineData(0.0, "0.0000e+00")]
    public void SciMatchesPythonFormat(double v, string expected) => Assert.Equal(expected, Tensor.Sci(v, 4));

    [Theory]
    [InlineData(2.5, 0, "2")]          // "{:.0f}".format(2.5): half to even
    [InlineData(3.5, 0, "4")]
    [InlineData(0.125, 2, "0.12")]     // 0.125 is exact: half to even
    [InlineData(0.375, 2, "0.38")]
    [InlineData(-0.00001, 4, "-0.0000")]
    [InlineData(123.456, 4, "123.4560")]
    public void FixedMatchesPythonFormat(double v, int precision, string expected) => Assert.Equal(expected, Tensor.Fixed(v, precision));
}

using Xunit;

namespace Lantern.Tests.Tensors;

/// <summary>
/// x[...]: basic indices give views with the sizes, strides and storage offsets PyTorch gives for the same Python
/// expression (shown beside each case, with x = torch.arange(24.).reshape(2, 3, 4), strides (12, 4, 1));
/// tensors give advanced-indexing copies; the setter writes through.
/// </summary>
public class IndexerTests
{
    private static Tensor X() => Tensor.Arange(24).Float().Reshape(2, 3, 4);

    private static void AssertView(Tensor view, Tensor x, int[] shape, int[] strides, int offset)
    {
        Assert.True(view.SharesStorageWith(x), "basic indexing must return a view");
        Assert.Equal(shape, view.Shape.ToArray());
        Assert.Equal(strides, view.Stride());
        Assert.Equal(offset, view.StorageOffset);
    }

    [Fact]
    public void IntegersSelect()
    {
        var x = X();
        AssertView(x[1], x, [3, 4], [4, 1], 12);                 // x[1]: size (3, 4), stride (4, 1), offset 12
        AssertView(x[1, 2], x, [4], [1], 20);                    // x[1, 2]
        AssertView(x[-1, -1], x, [4], [1], 20);                  // x[-1, -1]
        AssertView(x[^1, ^3], x, [4], [1], 12);                  // x[-1, -3]
        AssertView(x[0, 1, 2], x, [], [], 6);                    // x[0, 1, 2]: 0-dim, offset 6
        Assert.Equal(6f, x[0, 1, 2].Item());
    }

    [Fact]
    public void RangesSlice()
    {
        var x = X();
        AssertView(x[.., 1], x, [2, 4], [12, 1], 4);             // x[:, 1]
        AssertView(x[.., 1..3], x, [2, 2, 4], [12, 4, 1], 4);    // x[:, 1:3]
        AssertView(x[1.., .., ^2..], x, [1, 3, 2], [12, 4, 1], 14); // x[1:, :, -2:]
        AssertView(x[.., TensorIndex.Slice(step: 2)], x, [2, 2, 4], [12, 8, 1], 0); // x[:, ::2]
        AssertView(x[.., .., TensorIndex.Slice(1, null, 2)], x, [2, 3, 2], [12, 4, 2], 1); // x[:, :, 1::2]
        AssertView(x[.., .., TensorIndex.Slice(-3, -1)], x, [2, 3, 2], [12, 4, 1], 1); // x[:, :, -3:-1]
        AssertView(x[10..], x, [0, 3, 4], [12, 4, 1], 24);       // x[10:]: clamped, offset 24
        AssertView(x[..^5], x, [0, 3, 4], [12, 4, 1], 0);        // x[:-5]
    }

    [Fact]
    public void EllipsisAndNewAxis()
    {
        var x = X();
        AssertView(x[TensorIndex.Ellipsis, 1], x, [2, 3], [12, 4], 1);        // x[..., 1]
        AssertView(x[1, TensorIndex.Ellipsis, 2], x, [3], [4], 14);           // x[1, ..., 2]
        AssertView(x[TensorIndex.NewAxis], x, [1, 2, 3, 4], [24, 12, 4, 1], 0); // x[None]
        AssertView(x[.., TensorIndex.NewAxis], x, [2, 1, 3, 4], [12, 12, 4, 1], 0); // x[:, None]
        AssertView(x[TensorIndex.Ellipsis, TensorIndex.NewAxis], x, [2, 3, 4, 1], [12, 4, 1, 1], 0); // x[..., None]
        AssertView(x[TensorIndex.Ellipsis], x, [2, 3, 4], [12, 4, 1], 0);     // x[...] is an alias
        Assert.NotSame(x, x[TensorIndex.Ellipsis]);
    }

    [Fact]
    public void BadIndicesRaise()
    {
        var x = X();
        var e1 = Assert.Throws<ArgumentException>(() => x[0, 0, 0, 0]);
        Assert.Contains("too many indices for tensor of dimension 3", e1.Message);
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => x[2]);
        Assert.Contains("index 2 is out of bounds for dimension 0 with size 2", e2.Message);
        var e3 = Assert.ThrowsAny<ArgumentException>(() => x[.., -4]);
        Assert.Contains("index -4 is out of bounds for dimension 1 with size 3", e3.Message);
        Assert.Throws<ArgumentException>(() => x[TensorIndex.Ellipsis, TensorIndex.Ellipsis]);
        Assert.Throws<ArgumentException>(() => TensorIndex.Slice(step: 0));
    }

    [Fact]
    public void TensorIndicesCopy()
    {
        var x = X();
        var cols = Tensor.FromArray(new long[] { 0, 2 });
        // x[:, [0, 2]]: size (2, 2, 4), contiguous strides (8, 4, 1)
        var a = x[.., cols];
        Assert.False(a.SharesStorageWith(x));
        Assert.Equal([2, 2, 4], a.Shape.ToArray());
        Assert.Equal([8, 4, 1], a.Stride());
        Assert.Equal(new float[] { 0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 20, 21, 22, 23 }, a.ToArray<float>());
        // x[[0, 1], :, [1, 3]]: indices not adjacent, so the index dim goes first: size (2, 3)
        var b = x[Tensor.FromArray(new long[] { 0, 1 }), .., Tensor.FromArray(new long[] { 1, 3 })];
        Assert.Equal([2, 3], b.Shape.ToArray());
        Assert.Equal(new float[] { 1, 5, 9, 15, 19, 23 }, b.ToArray<float>());
        // x[:, [0, 2], [1, 3]]: adjacent indices stay in place: size (2, 2)
        var c = x[.., cols, Tensor.FromArray(new long[] { 1, 3 })];
        Assert.Equal([2, 2], c.Shape.ToArray());
        Assert.Equal(new float[] { 1, 11, 13, 23 }, c.ToArray<float>());
        // x[x > 20]: tensor([21., 22., 23.])
        Assert.Equal(new float[] { 21, 22, 23 }, x[x.Gt(20)].ToArray<float>());
        // x[:, torch.tensor([True, False, True])]: size (2, 2, 4)
        var d = x[.., Tensor.FromArray(new[] { true, false, true })];
        Assert.Equal(a.ToArray<float>(), d.ToArray<float>());
        // x[0, :, [[1], [2]]]: PyTorch applies the 0 as a select first (unlike NumPy), so the single index tensor is
        // adjacent and its broadcast dims stay in place: size (3, 2, 1) (see pytorch/pytorch#157676)
        var e = x[0, .., Tensor.FromArray(new long[] { 1, 2 }, [2, 1])];
        Assert.Equal([3, 2, 1], e.Shape.ToArray());
        Assert.Equal(new float[] { 1, 2, 5, 6, 9, 10 }, e.ToArray<float>());
    }

    [Fact]
    public void SetterCopiesIntoTheView()
    {
        var x = X();
        x[0] = Tensor.Scalar(-1f);                                            // x[0] = -1
        Assert.All(x[0].ToArray<float>(), v => Assert.Equal(-1f, v));
        x[1, .., 0] = Tensor.FromArray(new float[] { 7, 8, 9 });              // x[1, :, 0] = torch.tensor([7., 8., 9.])
        Assert.Equal(new float[] { 7, 8, 9 }, x[1, .., 0].ToArray<float>());
        x[1, 0] = Tensor.Zeros([1, 1, 4]);                                    // leading 1s of the value are dropped
        Assert.Equal(new float[4], x[1, 0].ToArray<float>());
        Assert.Equal(17f, x[1, 1, 1].Item());                                 // other rows untouched
    }

    [Fact]
    public void SetterWithTensorsCallsIndexPut()
    {
        var x = X();
        x[x.Lt(3)] = Tensor.Scalar(100f);                                     // x[x < 3] = 100
        Assert.Equal(new float[] { 100, 100, 100, 3 }, x[0, 0].ToArray<float>());
        // x[:, [0, 2]] = v with v of the getter's shape (2, 2, 4)
        var v = Tensor.Arange(16).Float().Reshape(2, 2, 4).Neg();
        x[.., Tensor.FromArray(new long[] { 0, 2 })] = v;
        Assert.Equal(v[1, 1].ToArray<float>(), x[1, 2].ToArray<float>());
        Assert.Equal(v[0, 0].ToArray<float>(), x[0, 0].ToArray<float>());
        Assert.Equal(new float[] { 16, 17, 18, 19 }, x[1, 1].ToArray<float>());
        // x[:, [0, 2], [1, 3]] = torch.tensor([[1., 2.], [3., 4.]]): position (i, j) of the value goes to x[i, c[j], d[j]]
        x[.., Tensor.FromArray(new long[] { 0, 2 }), Tensor.FromArray(new long[] { 1, 3 })] = Tensor.FromArray(new float[] { 1, 2, 3, 4 }, [2, 2]);
        Assert.Equal(new float[] { 1, 2, 3, 4 }, new[] { x[0, 0, 1], x[0, 2, 3], x[1, 0, 1], x[1, 2, 3] }.Select(t => t.Item()).ToArray());
    }

    [Fact]
    public void GetterAndSetterAreDifferentiable()
    {
        var w = Tensor.Arange(6).Double().Reshape(2, 3).RequiresGrad_();
        // (w[:, 1:] * 2).sum() + w[w > 3].sum(): d/dw = 2 on columns 1..2, +1 where w > 3
        var loss = w[.., 1..].Mul(2).Sum().Add(w[w.Detach().Gt(3)].Sum());
        loss.Backward();
        Assert.Equal(new double[] { 0, 2, 2, 0, 3, 3 }, w.Grad!.ToArray<double>());

        var a = Tensor.Arange(4).Double().RequiresGrad_();
        var y = a.Mul(3);
        y[Tensor.FromArray(new long[] { 1 })] = Tensor.Scalar(0.0); // y[[1]] = 0 cuts the gradient of a[1]
        y[3] = Tensor.Scalar(5.0);                                  // y[3] = 5 too
        y.Sum().Backward();
        Assert.Equal(new double[] { 3, 0, 3, 0 }, a.Grad!.ToArray<double>());
    }
}

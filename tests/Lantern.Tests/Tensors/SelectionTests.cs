using Xunit;

namespace Lantern.Tests.Tensors;

/// <summary>
/// ScatterReduce, IndexPut, MaskedSelect, Take, Nonzero, OneHot and the repeating ops against PyTorch's documented
/// examples and hand-computed gradients (the op table covers random inputs and gradcheck).
/// </summary>
public class SelectionTests
{
    private static Tensor F(params float[] v) => Tensor.FromArray(v);
    private static Tensor D(params double[] v) => Tensor.FromArray(v);
    private static Tensor L(params long[] v) => Tensor.FromArray(v);

    [Fact]
    public void ScatterReduceDocExamples()
    {
        // src = tensor([1., 2., 3., 4., 5., 6.]); index = tensor([0, 1, 0, 1, 2, 1]); input = tensor([1., 2., 3., 4.])
        var src = F(1, 2, 3, 4, 5, 6);
        var index = L(0, 1, 0, 1, 2, 1);
        var input = F(1, 2, 3, 4);
        // input.scatter_reduce(0, index, src, reduce="sum")  ->  tensor([ 5., 14.,  8.,  4.])
        Assert.Equal(new float[] { 5, 14, 8, 4 }, input.ScatterReduce(0, index, src, "sum").ToArray<float>());
        // ... include_self=False  ->  tensor([ 4., 12.,  5.,  4.])
        Assert.Equal(new float[] { 4, 12, 5, 4 }, input.ScatterReduce(0, index, src, "sum", includeSelf: false).ToArray<float>());
        // input2 = tensor([5., 4., 3., 2.]); input2.scatter_reduce(0, index, src, reduce="amax")  ->  tensor([5., 6., 5., 2.])
        var input2 = F(5, 4, 3, 2);
        Assert.Equal(new float[] { 5, 6, 5, 2 }, input2.ScatterReduce(0, index, src, "amax").ToArray<float>());
        // ... include_self=False  ->  tensor([3., 6., 5., 2.])
        Assert.Equal(new float[] { 3, 6, 5, 2 }, input2.ScatterReduce(0, index, src, "amax", includeSelf: false).ToArray<float>());
        // mean: (1+1+3)/3, (2+2+4+6)/4, (3+5)/2, 4  /  without self: 2, 4, 5, 4
        Assert.Equal(new float[] { 5f / 3, 3.5f, 4, 4 }, input.ScatterReduce(0, index, src, "mean").ToArray<float>());
        Assert.Equal(new float[] { 2, 4, 5, 4 }, input.ScatterReduce(0, index, src, "mean", includeSelf: false).ToArray<float>());
        // integer mean floors: tensor([1, 2, 3, 4]).scatter_reduce(0, index, tensor([1, 2, 3, 4, 5, 6]), "mean")  ->  [1, 3, 4, 4]
        Assert.Equal(new long[] { 1, 3, 4, 4 }, L(1, 2, 3, 4).ScatterReduce(0, index, L(1, 2, 3, 4, 5, 6), "mean").ToArray<long>());
        // prod and amin
        Assert.Equal(new float[] { 3, 96, 15, 4 }, input.ScatterReduce(0, index, src, "prod").ToArray<float>());
        Assert.Equal(new float[] { 1, 2, 5, 4 }, input.ScatterReduce(0, index, src, "amin", includeSelf: false).ToArray<float>());
    }

    [Fact]
    public void ScatterReduceAmaxSharesTheGradientAmongTies()
    {
        // self [2, 0], src [2, 2, 1] at [0, 0, 1]: target 0 has three equal maxima (self and two srcs), target 1 one.
        var self = D(2, 0).RequiresGrad_();
        var src = D(2, 2, 1).RequiresGrad_();
        var y = self.ScatterReduce(0, L(0, 0, 1), src, "amax");
        Assert.Equal(new double[] { 2, 1 }, y.ToArray<double>());
        y.Sum().Backward();
        Assert.Equal(new double[] { 1.0 / 3, 0 }, self.Grad!.ToArray<double>());
        Assert.Equal(new double[] { 1.0 / 3, 1.0 / 3, 1 }, src.Grad!.ToArray<double>());
    }

    [Fact]
    public void ScatterReduceWithoutSelfIgnoresAnEqualSelfValue()
    {
        // Deviation from PyTorch (documented): with includeSelf false an old value that happens to equal the max does
        // not take a share of the gradient (PyTorch counts it, then zeroes it, giving src only 1/2).
        var self = D(2, 0).RequiresGrad_();
        var src = D(2, 1).RequiresGrad_();
        self.ScatterReduce(0, L(0, 1), src, "amax", includeSelf: false).Sum().Backward();
        Assert.Equal(new double[] { 0, 0 }, self.Grad!.ToArray<double>());
        Assert.Equal(new double[] { 1, 1 }, src.Grad!.ToArray<double>());
    }

    [Fact]
    public void ScatterReduceProdGradientIsExactWithZeros()
    {
        // self [2, 3], src [0, 4, 5] at [0, 0, 1]: out = [2*0*4, 3*5] = [0, 15]
        var self = D(2, 3).RequiresGrad_();
        var src = D(0, 4, 5).RequiresGrad_();
        var y = self.ScatterReduce(0, L(0, 0, 1), src, "prod");
        Assert.Equal(new double[] { 0, 15 }, y.ToArray<double>());
        y.Sum().Backward();
        Assert.Equal(new double[] { 0, 5 }, self.Grad!.ToArray<double>());       // d/dself0 = 0*4, d/dself1 = 5
        Assert.Equal(new double[] { 8, 0, 3 }, src.Grad!.ToArray<double>());     // d/dsrc0 = 2*4 (the single zero)
    }

    [Fact]
    public void IndexPutAccumulatesDuplicates()
    {
        // torch.zeros(3).index_put_((tensor([0, 0, 2]),), tensor([1., 2., 3.]), accumulate=True)  ->  tensor([3., 0., 3.])
        var idx = new[] { L(0, 0, 2) };
        Assert.Equal(new float[] { 3, 0, 3 }, Tensor.Zeros([3]).IndexPut_(idx, F(1, 2, 3), accumulate: true).ToArray<float>());
        // Without accumulate the last duplicate wins here (PyTorch: unspecified).
        Assert.Equal(new float[] { 2, 0, 3 }, Tensor.Zeros([3]).IndexPut(idx, F(1, 2, 3)).ToArray<float>());
    }

    [Fact]
    public void IndexPutInPlaceOnAStridedTensor()
    {
        // The leading dims of a transposed tensor do not merge as a view: the write goes through a copy-back.
        var baseT = Tensor.Zeros([3, 2]);
        var x = baseT.T;                                     // [2, 3], strides (1, 2)
        int before = x.Storage.Version;
        x.IndexPut_([L(1), L(2)], Tensor.Scalar(5f));        // x[1, 2] = 5
        Assert.True(x.Storage.Version > before);
        Assert.Equal(5f, baseT[2, 1].Item());
        x.IndexPut_([x.Gt(1)], Tensor.Scalar(7f));            // x[x > 1] = 7
        Assert.Equal(new float[] { 0, 0, 0, 0, 0, 7 }, baseT.ToArray<float>());
    }

    [Fact]
    public void IndexPutBackward()
    {
        // y = x.index_put((rows,), v, accumulate=False): x's gradient is zero at the written rows, v gets g there.
        var x = Tensor.Ones([3, 2], DType.Float64, requiresGrad: true);
        var v = Tensor.Ones([2], DType.Float64, requiresGrad: true);
        var y = x.IndexPut([L(0, 2)], v);
        y.Mul(D(1, 2, 3, 4, 5, 6).View(3, 2)).Sum().Backward();
        Assert.Equal(new double[] { 0, 0, 3, 4, 0, 0 }, x.Grad!.ToArray<double>());
        Assert.Equal(new double[] { 1 + 5, 2 + 6 }, v.Grad!.ToArray<double>());
    }

    [Fact]
    public void MaskedSelectTakeNonzero()
    {
        // torch.masked_select(tensor([[1, 2], [3, 4]]), tensor([True, False]))  ->  tensor([1, 3])
        Assert.Equal(new long[] { 1, 3 }, Tensor.FromArray(new long[] { 1, 2, 3, 4 }, [2, 2]).MaskedSelect(Tensor.FromArray(new[] { true, false })).ToArray<long>());
        // torch.take(tensor([[4, 3, 5], [6, 7, 8]]), tensor([0, 2, 5]))  ->  tensor([4, 5, 8]); take(..., tensor(-1))  ->  tensor(8)
        var src = Tensor.FromArray(new long[] { 4, 3, 5, 6, 7, 8 }, [2, 3]);
        Assert.Equal(new long[] { 4, 5, 8 }, src.Take(L(0, 2, 5)).ToArray<long>());
        var last = src.Take(Tensor.Scalar(-1L));
        Assert.Equal(0, last.Rank);
        Assert.Equal(8L, last.Item<long>());
        // torch.nonzero(tensor([[0.6, 0.0], [0.0, nan]]))  ->  tensor([[0, 0], [1, 1]])
        var nz = Tensor.FromArray(new float[] { 0.6f, 0, 0, float.NaN }, [2, 2]).Nonzero();
        Assert.Equal([2, 2], nz.Shape.ToArray());
        Assert.Equal(new long[] { 0, 0, 1, 1 }, nz.ToArray<long>());
    }

    [Fact]
    public void NonzeroOfALargeStridedMaskMatchesLinq()
    {
        // Several chunks (threads) and a strided source.
        var x = Tensor.Rand([700, 600], generator: new Generator(3)).T;
        var mask = x.Gt(0.7);
        var values = x.ToArray<float>();
        var expected = mask.ToArray<bool>().Select((b, i) => (b, i)).Where(p => p.b).Select(p => (double)values[p.i]).ToArray();
        Assert.Equal(expected, x.MaskedSelect(mask).ToArray<double>());
        Assert.Equal(expected.Length, mask.Nonzero().Shape[0]);
    }

    [Fact]
    public void OneHot()
    {
        // F.one_hot(tensor([0, 2, 1]))  ->  [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
        var y = Tensor.OneHot(L(0, 2, 1));
        Assert.Equal(DType.Int64, y.DType);
        Assert.Equal(new long[] { 1, 0, 0, 0, 0, 1, 0, 1, 0 }, y.ToArray<long>());
        // F.one_hot(tensor([[0], [3]]), num_classes=5).shape  ->  (2, 1, 5)
        Assert.Equal([2, 1, 5], Tensor.OneHot(Tensor.FromArray(new long[] { 0, 3 }, [2, 1]), 5).Shape.ToArray());
        Assert.Equal([0, 4], Tensor.OneHot(Tensor.Zeros([0], DType.Int64), 4).Shape.ToArray());
        Assert.Contains("non-negative", Assert.ThrowsAny<ArgumentException>(() => Tensor.OneHot(L(1, -1))).Message);
        Assert.Contains("smaller than numClasses (3)", Assert.ThrowsAny<ArgumentException>(() => Tensor.OneHot(L(1, 3), 3)).Message);
        Assert.Contains("empty", Assert.ThrowsAny<ArgumentException>(() => Tensor.OneHot(Tensor.Zeros([0], DType.Int64))).Message);
        Assert.Contains("Int64", Assert.ThrowsAny<ArgumentException>(() => Tensor.OneHot(F(1))).Message);
    }

    [Fact]
    public void RepeatingDocExamples()
    {
        // torch.tensor([1, 2, 3]).repeat(4, 2).shape == (4, 6); .repeat(4, 2, 1).shape == (4, 2, 3)
        var x = L(1, 2, 3);
        Assert.Equal([4, 6], x.Repeat(4, 2).Shape.ToArray());
        Assert.Equal(new long[] { 1, 2, 3, 1, 2, 3 }, x.Repeat(4, 2)[0].ToArray<long>());
        Assert.Equal([4, 2, 3], x.Repeat(4, 2, 1).Shape.ToArray());
        Assert.False(x.Repeat(1).SharesStorageWith(x));
        // torch.tensor([[1, 2], [3, 4]]).tile((2, 2))
        var y = Tensor.FromArray(new long[] { 1, 2, 3, 4 }, [2, 2]);
        Assert.Equal(new long[] { 1, 2, 1, 2, 3, 4, 3, 4, 1, 2, 1, 2, 3, 4, 3, 4 }, y.Tile(2, 2).ToArray<long>());
        // torch.repeat_interleave(y, 2)  ->  [1, 1, 2, 2, 3, 3, 4, 4]
        Assert.Equal(new long[] { 1, 1, 2, 2, 3, 3, 4, 4 }, y.RepeatInterleave(2).ToArray<long>());
        // torch.repeat_interleave(y, torch.tensor([1, 2]), dim=0)  ->  [[1, 2], [3, 4], [3, 4]]
        Assert.Equal(new long[] { 1, 2, 3, 4, 3, 4 }, y.RepeatInterleave(L(1, 2), 0).ToArray<long>());
        // x = torch.arange(1, 9).view(4, 2)
        var r = Tensor.Arange(1, 9, 1).View(4, 2);
        Assert.Equal(new long[] { 8, 1, 2, 3, 4, 5, 6, 7 }, r.Roll(1).ToArray<long>());                  // roll(x, 1)
        Assert.Equal(new long[] { 7, 8, 1, 2, 3, 4, 5, 6 }, r.Roll(1, 0).ToArray<long>());               // roll(x, 1, 0)
        Assert.Equal(new long[] { 3, 4, 5, 6, 7, 8, 1, 2 }, r.Roll(-1, 0).ToArray<long>());              // roll(x, -1, 0)
        Assert.Equal(new long[] { 6, 5, 8, 7, 2, 1, 4, 3 }, r.Roll([2, 1], [0, 1]).ToArray<long>());    // roll(x, (2, 1), (0, 1))
    }

    [Fact]
    public void TriangularAndDiag()
    {
        var a = Tensor.Ones([3, 3], DType.Int64);
        // torch.ones(3, 3, dtype=torch.long).tril(-1)  ->  [[0, 0, 0], [1, 0, 0], [1, 1, 0]]
        Assert.Equal(new long[] { 0, 0, 0, 1, 0, 0, 1, 1, 0 }, a.Tril(-1).ToArray<long>());
        // .triu(1)  ->  [[0, 1, 1], [0, 0, 1], [0, 0, 0]]
        Assert.Equal(new long[] { 0, 1, 1, 0, 0, 1, 0, 0, 0 }, a.Triu(1).ToArray<long>());
        Assert.Equal(new[] { true, false, true, true }, Tensor.Ones([2, 2], DType.Bool).Tril().ToArray<bool>());
        // torch.diag(torch.tensor([1., 2.]), 1)  ->  [[0., 1., 0.], [0., 0., 2.], [0., 0., 0.]]
        Assert.Equal(new float[] { 0, 1, 0, 0, 0, 2, 0, 0, 0 }, F(1, 2).Diag(1).ToArray<float>());
        // torch.diag(torch.arange(9.).view(3, 3), -1)  ->  tensor([3., 7.])
        var m = Tensor.Arange(9).Float().View(3, 3);
        var d = Tensor.Diag(m, -1);
        Assert.Equal(new float[] { 3, 7 }, d.ToArray<float>());
        Assert.False(d.SharesStorageWith(m));
    }
}

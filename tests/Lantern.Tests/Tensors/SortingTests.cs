using Lantern.Tests.OpTable;
using Xunit;

namespace Lantern.Tests.Tensors;

/// <summary>Sort, ArgSort, TopK and Unique: NaN placement, stability, indices, edge shapes, PyTorch doc examples.</summary>
public class SortingTests
{
    private static Tensor F(params float[] v) => Tensor.FromArray(v);
    private static long[] I(Tensor t) => t.ToArray<long>();

    [Fact]
    public void NaNSortsAsLargest()
    {
        // torch.sort(torch.tensor([3., nan, 1., 2.]))  ->  values [1., 2., 3., nan], indices [2, 3, 0, 1]
        var (v, i) = F(3, float.NaN, 1, 2).Sort();
        Assert.Equal(new float[] { 1, 2, 3, float.NaN }, v.ToArray<float>());
        Assert.Equal(new long[] { 2, 3, 0, 1 }, I(i));
        // descending=True  ->  values [nan, 3., 2., 1.], indices [1, 0, 3, 2]
        (v, i) = F(3, float.NaN, 1, 2).Sort(descending: true);
        Assert.Equal(new float[] { float.NaN, 3, 2, 1 }, v.ToArray<float>());
        Assert.Equal(new long[] { 1, 0, 3, 2 }, I(i));
    }

    [Fact]
    public void EqualElementsKeepTheirOrder()
    {
        // torch.sort(torch.tensor([1, 0, 1, 0, 1]), stable=True)  ->  indices [1, 3, 0, 2, 4]
        var x = Tensor.FromArray(new long[] { 1, 0, 1, 0, 1 });
        Assert.Equal(new long[] { 1, 3, 0, 2, 4 }, I(x.Sort(stable: true).Indices));
        // descending=True, stable=True  ->  [0, 2, 4, 1, 3]
        Assert.Equal(new long[] { 0, 2, 4, 1, 3 }, I(x.Sort(descending: true, stable: true).Indices));
        Assert.Equal(new long[] { 0, 2, 4, 1, 3 }, I(x.ArgSort(descending: true)));
        // -0. equals 0. (ties keep order) and keeps its sign: torch.sort(torch.tensor([0., -0., -1.])) -> [-1., 0., -0.]
        var z = F(0f, -0f, -1f).Sort();
        Assert.Equal(new long[] { 2, 0, 1 }, I(z.Indices));
        Assert.True(float.IsNegative(z.Values.ToArray<float>()[2]));
        // Bool sorts as 0 < 1.
        Assert.Equal(new[] { false, false, true }, Tensor.FromArray(new[] { true, false, false }).Sort().Values.ToArray<bool>());
    }

    [Fact]
    public void SortAlongAnInnerDimOfAStridedTensor()
    {
        // A [4, 3] view of a transposed [3, 4] tensor, sorted along dim 0.
        var x = Tensor.FromArray(new float[] { 5, 1, 4, 2, 3, 9, 0, 7, 8, 6, 11, 10 }, [3, 4]).T;
        var (v, i) = x.Sort(0);
        // x = [[5, 3, 8], [1, 9, 6], [4, 0, 11], [2, 7, 10]]
        Assert.Equal(new float[] { 1, 0, 6, 2, 3, 8, 4, 7, 10, 5, 9, 11 }, v.ToArray<float>());
        Assert.Equal(new long[] { 1, 2, 1, 3, 0, 0, 2, 3, 3, 0, 1, 2 }, I(i));
        Assert.Equal(v.ToArray<float>(), x.Gather(0, i).ToArray<float>());
    }

    [Fact]
    public void ManyRowsMatchTheReference()
    {
        // Enough rows to use several threads; each compared with the LINQ reference.
        var x = Tensor.Randn([300, 97], DType.Float64, generator: new Generator(7)).Mul(3).Round();
        var (v, i) = x.Sort(-1, descending: true);
        var (rv, ri) = Ops.SortRef(Nd.From(x), -1, true);
        Assert.Equal(rv.Data, v.ToArray<double>());
        Assert.Equal(ri.Data, i.ToArray<double>());
        var (tv, ti) = x.TopK(5, 1);
        var (kv, ki) = Ops.SortRef(Nd.From(x), 1, true, 5);
        Assert.Equal(kv.Data, tv.ToArray<double>());
        Assert.Equal(ki.Data, ti.ToArray<double>());
    }

    [Fact]
    public void SortGradientFollowsTheIndices()
    {
        var x = Tensor.FromArray(new double[] { 3, 1, 2 }, requiresGrad: true);
        var (v, _) = x.Sort();                                  // [1, 2, 3] from positions [1, 2, 0]
        v.Mul(Tensor.FromArray(new double[] { 10, 20, 30 })).Sum().Backward();
        Assert.Equal(new double[] { 30, 10, 20 }, x.Grad!.ToArray<double>());
        Assert.Equal("SortBackward", v.GradFn!.ToString());
        Assert.Null(x.ArgSort().GradFn);
    }

    [Fact]
    public void TopKEdgeCases()
    {
        // torch.topk(torch.tensor([1., 3., nan, 2.]), 2)  ->  values [nan, 3.], indices [2, 1]
        var (v, i) = F(1, 3, float.NaN, 2).TopK(2);
        Assert.Equal(new float[] { float.NaN, 3 }, v.ToArray<float>());
        Assert.Equal(new long[] { 2, 1 }, I(i));
        // largest=False puts NaN last: torch.topk(..., 2, largest=False)  ->  [1., 2.], [0, 3]
        (v, i) = F(1, 3, float.NaN, 2).TopK(2, largest: false);
        Assert.Equal(new long[] { 0, 3 }, I(i));
        // k = 0 and k = size
        Assert.Equal([3, 0], Tensor.Zeros([3, 4]).TopK(0).Values.Shape.ToArray());
        Assert.Equal(new long[] { 3, 2, 1, 0 }, I(Tensor.Arange(4).TopK(4).Indices));
        // ties: lower positions first
        Assert.Equal(new long[] { 0, 2 }, I(Tensor.FromArray(new long[] { 5, 1, 5, 5 }).TopK(2).Indices));
        // 0-dim
        Assert.Equal(7f, Tensor.Scalar(7f).TopK(1).Values.Item());
    }

    [Fact]
    public void UniqueFlattened()
    {
        // torch.unique(torch.tensor([2, 1, 2, 3, 1]), return_inverse=True, return_counts=True)
        //   -> (tensor([1, 2, 3]), tensor([1, 0, 1, 2, 0]), tensor([2, 2, 1]))
        var (values, inverse, counts) = Tensor.FromArray(new long[] { 2, 1, 2, 3, 1 }).Unique(returnInverse: true, returnCounts: true);
        Assert.Equal(new long[] { 1, 2, 3 }, I(values));
        Assert.Equal(new long[] { 1, 0, 1, 2, 0 }, I(inverse!));
        Assert.Equal(new long[] { 2, 2, 1 }, I(counts!));
        // A 2-D input: the inverse has the input's shape.
        var u = Tensor.FromArray(new float[] { 1, 3, 3, 1 }, [2, 2]).Unique(returnInverse: true);
        Assert.Equal([2, 2], u.Inverse!.Shape.ToArray());
        Assert.Equal(new long[] { 0, 1, 1, 0 }, I(u.Inverse));
        Assert.Null(u.Counts);
        // Every NaN is distinct: torch.unique(torch.tensor([nan, 1., nan]))  ->  tensor([1., nan, nan])
        var n = F(float.NaN, 1, float.NaN).Unique(returnCounts: true);
        Assert.Equal(new float[] { 1, float.NaN, float.NaN }, n.Values.ToArray<float>());
        Assert.Equal(new long[] { 1, 1, 1 }, I(n.Counts!));
        // Empty
        Assert.Equal(0, Tensor.Zeros([0]).Unique().Values.Numel());
        Assert.Equal(new[] { false, true }, Tensor.FromArray(new[] { true, false, true }).Unique().Values.ToArray<bool>());
    }

    [Fact]
    public void UniqueAlongADim()
    {
        // torch.unique(torch.tensor([[1, 2], [0, 5], [1, 2]]), dim=0, return_inverse=True, return_counts=True)
        //   -> (tensor([[0, 5], [1, 2]]), tensor([1, 0, 1]), tensor([1, 2]))
        var x = Tensor.FromArray(new long[] { 1, 2, 0, 5, 1, 2 }, [3, 2]);
        var (v, inv, cnt) = x.Unique(returnInverse: true, returnCounts: true, dim: 0);
        Assert.Equal([2, 2], v.Shape.ToArray());
        Assert.Equal(new long[] { 0, 5, 1, 2 }, I(v));
        Assert.Equal(new long[] { 1, 0, 1 }, I(inv!));
        Assert.Equal(new long[] { 1, 2 }, I(cnt!));
        // dim=1 on the transpose gives the transposed answer: columns compared lexicographically.
        var (vt, invt, _) = x.T.Unique(returnInverse: true, dim: 1);
        Assert.Equal([2, 2], vt.Shape.ToArray());
        Assert.Equal(new long[] { 0, 1, 5, 2 }, I(vt));
        Assert.Equal(new long[] { 1, 0, 1 }, I(invt!));
        // Rows ordered lexicographically, later columns breaking ties.
        var y = Tensor.FromArray(new float[] { 1, 9, 0, 7, 1, 3 }, [3, 2]).Unique(dim: 0).Values;
        Assert.Equal(new float[] { 0, 7, 1, 3, 1, 9 }, y.ToArray<float>());
    }
}

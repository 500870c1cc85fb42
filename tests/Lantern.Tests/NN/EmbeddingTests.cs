using Lantern.NN;
using Lantern.Tests.OpTable;
using Xunit;

namespace Lantern.Tests.NN;

// Embedding, EmbeddingBag, Identity/Flatten/Unflatten, Dropout2d and AlphaDropout.
public class EmbeddingTests
{
    private static Tensor Idx(params long[] v) => Tensor.FromArray(v);

    [Fact] // weight ~ N(0, 1); the padding row is zero and never receives gradient; repr
    public void EmbeddingInitPaddingAndGradient()
    {
        var big = new Embedding(200, 50, generator: new Generator(1));
        var w = big.Weight.ToArray<float>();
        Assert.InRange(w.Average(), -0.05, 0.05);
        Assert.InRange(Math.Sqrt(w.Average(v => v * v)), 0.95, 1.05);
        var e = new Embedding(6, 3, paddingIdx: -2, generator: new Generator(2));
        Assert.Equal(4, e.PaddingIdx);
        Assert.Equal("Embedding(6, 3, padding_idx=4)", e.ToString());
        Assert.Equal(["weight"], e.StateDict().Keys);
        Assert.Equal([0f, 0f, 0f], e.Weight.Select(0, 4).ToArray<float>());
        var idx = Tensor.FromArray(new long[] { 4, 1, 1, 0, 4, 5 }, [2, 3]);
        var y = e.Forward(idx);
        Assert.Equal([2, 3, 3], y.Shape.ToArray());
        Assert.Equal(e.Weight.Select(0, 1).ToArray<float>(), y.Select(0, 0).Select(0, 1).ToArray<float>());
        var g = Tensor.Randn([2, 3, 3], generator: new Generator(3));
        y.Backward(g);
        var gw = e.Weight.Grad!;
        var ga = g.Reshape(6, 3);
        Assert.Equal([0f, 0f, 0f], gw.Select(0, 4).ToArray<float>());                       // padding row: no gradient
        Assert.Equal(ga.Select(0, 1).Add(ga.Select(0, 2)).ToArray<float>(), gw.Select(0, 1).ToArray<float>());
        Assert.Equal([0f, 0f, 0f], gw.Select(0, 2).ToArray<float>());
        Assert.Equal(F.Embedding(idx, e.Weight, 4).ToArray<float>(), y.ToArray<float>());
    }

    [Fact] // scale_grad_by_freq divides a row's gradient by its index count in the batch
    public void EmbeddingScaleGradByFreq()
    {
        var w = Tensor.Randn([4, 2], generator: new Generator(4)).RequiresGrad_();
        var idx = Idx(1, 1, 1, 3);
        var g = Autograd.Grad([F.Embedding(idx, w, scaleGradByFreq: true).Sum()], [w])[0]!;
        Assert.Equal(new float[] { 0, 0, 1, 1, 0, 0, 1, 1 }, g.ToArray<float>());
        Assert.Equal("Embedding(4, 2, scale_grad_by_freq=True)", new Embedding(4, 2, scaleGradByFreq: true).ToString());
    }

    [Fact] // max_norm renormalises the looked-up rows in place (norm <= max_norm), leaves the others, records no gradient
    public void EmbeddingMaxNorm()
    {
        var e = new Embedding(5, 4, maxNorm: 1, generator: new Generator(5));
        using (Autograd.NoGrad()) e.Weight.Mul_(3);
        var before = e.Weight.Detach().Clone();
        int version = e.Weight.Storage.Version;
        var y = e.Forward(Idx(0, 2, 2));
        Assert.True(e.Weight.Storage.Version > version);
        var norms = e.Weight.Detach().Norm(2, [1]).ToArray<float>();
        foreach (int r in new[] { 0, 2 })
        {
            double n0 = before.Select(0, r).Norm().Item();
            Assert.Equal(n0 > 1 ? 1 / (n0 + 1e-7) * n0 : n0, norms[r], 5);
        }
        Assert.Equal(before.Select(0, 1).ToArray<float>(), e.Weight.Select(0, 1).ToArray<float>());
        Assert.Equal(e.Weight.Select(0, 2).ToArray<float>(), y.Select(0, 2).ToArray<float>());
        Assert.Equal("Embedding(5, 4, max_norm=1.0)", e.ToString());
    }

    [Fact] // from_pretrained shares the table and freezes it by default
    public void EmbeddingFromPretrained()
    {
        var table = Tensor.Randn([3, 2], generator: new Generator(6));
        var e = Embedding.FromPretrained(table);
        Assert.False(e.Weight.RequiresGrad);
        Assert.True(e.Weight.SharesStorageWith(table));
        Assert.Equal(table.Select(0, 2).ToArray<float>(), e.Forward(Idx(2)).Select(0, 0).ToArray<float>());
        Assert.True(Embedding.FromPretrained(table, freeze: false).Weight.RequiresGrad);
        Assert.Throws<ArgumentException>(() => Embedding.FromPretrained(Tensor.Randn([3])));
        Assert.Contains("out of range", Assert.Throws<ArgumentException>(() => e.Forward(Idx(3))).Message);
    }

    [Fact] // EmbeddingBag module == functional; mean over bags leaves out padding; repr
    public void EmbeddingBagModule()
    {
        var m = new EmbeddingBag(10, 3, mode: "sum", paddingIdx: 0, generator: new Generator(7));
        Assert.Equal("EmbeddingBag(10, 3, mode='sum', padding_idx=0)", m.ToString());
        Assert.Equal("EmbeddingBag(10, 3, mode='mean')", new EmbeddingBag(10, 3).ToString());
        var idx = Idx(1, 0, 2, 4, 4);
        var offsets = Idx(0, 3);
        var y = m.Forward(idx, offsets);
        Assert.Equal(F.EmbeddingBag(idx, m.Weight, offsets, mode: "sum", paddingIdx: 0).ToArray<float>(), y.ToArray<float>());
        Assert.Equal(m.Weight.Select(0, 1).Add(m.Weight.Select(0, 2)).ToArray<float>(), y.Select(0, 0).ToArray<float>());
        y.Sum().Backward();
        Assert.Equal([0f, 0f, 0f], m.Weight.Grad!.Select(0, 0).ToArray<float>());
        Assert.Equal([2f, 2f, 2f], m.Weight.Grad!.Select(0, 4).ToArray<float>());
        var mean = new EmbeddingBag(10, 3, paddingIdx: 0, generator: new Generator(7));
        var ym = mean.Forward(Tensor.FromArray(new long[] { 1, 0, 2, 0, 0, 0 }, [2, 3]));
        Assert.Equal(mean.Weight.Select(0, 1).Add(mean.Weight.Select(0, 2)).Div(2).ToArray<float>(), ym.Select(0, 0).ToArray<float>());
        Assert.Equal([0f, 0f, 0f], ym.Select(0, 1).ToArray<float>());
    }

    [Fact] // Identity, Flatten, Unflatten: shapes and repr
    public void IdentityFlattenUnflatten()
    {
        var x = Tensor.Randn([2, 3, 4, 5]);
        Assert.Same(x, new Identity().Forward(x));
        Assert.Equal("Identity()", new Identity().ToString());
        Assert.Equal([2, 60], new Flatten().Forward(x).Shape.ToArray());
        Assert.Equal([6, 4, 5], new Flatten(0, 1).Forward(x).Shape.ToArray());
        Assert.Equal("Flatten(start_dim=1, end_dim=-1)", new Flatten().ToString());
        var u = new Unflatten(1, [2, -1]);
        Assert.Equal([2, 2, 30], u.Forward(x.Flatten(1)).Shape.ToArray());
        Assert.Equal("Unflatten(dim=1, unflattened_size=(2, -1))", u.ToString());
        Assert.Equal(x.ToArray<float>(), new Unflatten(1, [3, 4, 5]).Forward(x.Flatten(1)).ToArray<float>());
    }

    [Fact] // Dropout2d drops whole channels at rate p, scales kept ones by 1/(1-p); exact mask from the generator; eval identity
    public void Dropout2dStatistics()
    {
        var x = Tensor.Ones([100, 40, 3, 3]);
        var m = new Dropout2d(0.3, new Generator(8));
        Assert.Equal("Dropout2d(p=0.3, inplace=False)", m.ToString());
        var y = m.Forward(x).Reshape(4000, 9).ToArray<float>();
        int dropped = 0;
        for (int c = 0; c < 4000; c++)
        {
            var plane = y.Skip(c * 9).Take(9).ToArray();
            Assert.True(plane.All(v => v == plane[0]), "a channel is dropped or kept as a whole");
            Assert.True(plane[0] == 0 || Math.Abs(plane[0] - 1 / 0.7) < 1e-6);
            if (plane[0] == 0) dropped++;
        }
        Assert.InRange(dropped / 4000.0, 0.27, 0.33);
        var u = Tensor.Rand([100, 40], generator: new Generator(8)).ToArray<float>();
        for (int c = 0; c < 4000; c++) Assert.Equal(u[c] >= 0.3f, y[c * 9] != 0);
        m.Eval();
        Assert.Same(x, m.Forward(x));
        Assert.Equal(0f, F.Dropout2d(x, 1).Abs().Sum().Item());
    }

    [Fact] // AlphaDropout keeps mean 0 and variance 1 of standard normal inputs; p=1 gives zeros; eval identity
    public void AlphaDropoutStatistics()
    {
        var x = Tensor.Randn([200000], generator: new Generator(9));
        var m = new AlphaDropout(0.2, new Generator(10));
        Assert.Equal("AlphaDropout(p=0.2, inplace=False)", m.ToString());
        var y = m.Forward(x);
        Assert.InRange(y.Mean().Item(), -0.01, 0.01);
        Assert.InRange(y.Std().Item(), 0.99, 1.01);
        Assert.Equal(0f, F.AlphaDropout(x, 1, training: true).Abs().Sum().Item());
        Assert.Same(x, F.AlphaDropout(x, 0.5));   // PyTorch's functional default is training=False
        m.Eval();
        Assert.Same(x, m.Forward(x));
    }
}

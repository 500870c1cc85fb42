using Xunit;

namespace Lantern.Tests.Tensors;

/// <summary>Factories against PyTorch's values (in comments) and analytic properties of random draws.</summary>
[Collection(global::Lantern.Tests.Training.GlobalRngCollection.Name)] // reseeds the global generator: no test may draw from it meanwhile
public class CreationTests
{
    [Fact] // torch.arange(5) -> int64 [0..4]; torch.arange(1, 2, 0.3) -> float32 [1.0, 1.3, 1.6, 1.9]; torch.arange(5, 0, -2) -> [5, 3, 1]
    public void Arange()
    {
        Assert.Equal([0L, 1, 2, 3, 4], Tensor.Arange(5).ToArray<long>());
        var f = Tensor.Arange(1, 2, 0.3);
        Assert.Equal(DType.Float32, f.DType);
        Assert.Equal([1f, 1.3f, 1.6f, 1.9f], f.ToArray<float>());
        Assert.Equal([5L, 3, 1], Tensor.Arange(5, 0, -2).ToArray<long>());
        Assert.Throws<ArgumentException>(() => Tensor.Arange(0, 5, -1));
    }

    [Fact] // torch.linspace(0, 1, 5) -> [0, 0.25, 0.5, 0.75, 1]; torch.linspace(-1, 1, 1) -> [-1]
    public void Linspace()
    {
        Assert.Equal([0f, 0.25f, 0.5f, 0.75f, 1f], Tensor.Linspace(0, 1, 5).ToArray<float>());
        Assert.Equal([-1f], Tensor.Linspace(-1, 1, 1).ToArray<float>());
        Assert.Empty(Tensor.Linspace(0, 1, 0).ToArray<float>());
    }

    [Fact] // torch.eye(2, 3) -> [[1, 0, 0], [0, 1, 0]]
    public void Eye() => Assert.Equal([1f, 0, 0, 0, 1, 0], Tensor.Eye(2, 3).ToArray<float>());

    [Fact] // torch.full((2,), 7) is int64; torch.full((2,), 7.) float32; torch.full((2,), True) bool
    public void FullInfersDType()
    {
        Assert.Equal(DType.Int64, Tensor.Full([2], 7).DType);
        Assert.Equal(DType.Float32, Tensor.Full([2], 7.0).DType);
        Assert.Equal(DType.Bool, Tensor.Full([2], true).DType);
        Assert.Equal(DType.Float64, Tensor.Full([2], 7, DType.Float64).DType);
    }

    [Fact] // a C# rectangular array of any rank keeps its shape
    public void FromMultiDimensionalArray()
    {
        var t = Tensor.FromArray(new float[,,] { { { 1, 2 }, { 3, 4 } }, { { 5, 6 }, { 7, 8 } } });
        Assert.Equal([2, 2, 2], t.Shape.ToArray());
        Assert.Equal(7f, t.Select(0, 1).Select(0, 1).Select(0, 0).Item());
        Assert.Throws<ArgumentException>(() => Tensor.FromArray(new float[5], [2, 3]));
        Assert.Throws<InvalidOperationException>(() => Tensor.Zeros([2]).Item());
    }

    [Fact] // same seed -> same stream; the stream does not depend on the thread count
    public void RandomStreamsAreReproducibleAcrossThreadCounts()
    {
        int saved = Lantern.Threads;
        try
        {
            Lantern.Threads = 1;
            Lantern.ManualSeed(42);
            var a = Tensor.Randn([100_000]).ToArray<float>();
            var u = Tensor.Rand([70_000], DType.Float64).ToArray<double>();
            Lantern.Threads = 2;
            Lantern.ManualSeed(42);
            var b = Tensor.Randn([100_000]).ToArray<float>();
            var v = Tensor.Rand([70_000], DType.Float64).ToArray<double>();
            Assert.Equal(a, b);
            Assert.Equal(u, v);
            Lantern.ManualSeed(43);
            Assert.NotEqual(a, Tensor.Randn([100_000]).ToArray<float>());
        }
        finally { Lantern.Threads = saved; }
    }

    [Fact] // moments of 200k draws: N(0,1) mean within 0.01 and std within 0.01; U[0,1) in range with mean 0.5
    public void RandomDistributions()
    {
        var g = new Generator(7);
        var n = Tensor.Randn([200_000], DType.Float64, generator: g);
        Assert.InRange(n.Mean().Item<double>(), -0.01, 0.01);
        Assert.InRange(n.Std().Item<double>(), 0.99, 1.01);
        var u = Tensor.Rand([200_000], generator: g);
        Assert.True(u.Ge(0).All().Item<bool>() && u.Lt(1).All().Item<bool>());
        Assert.InRange(u.Mean().Item(), 0.495f, 0.505f);
        var r = Tensor.RandInt(-3, 4, [50_000], generator: g);
        Assert.Equal(-3L, r.Min().Item<long>());
        Assert.Equal(3L, r.Max().Item<long>());
        var p = Tensor.RandPerm(1000, generator: g).ToArray<long>();
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (long)i), p.Order());
        Assert.NotEqual(Enumerable.Range(0, 1000).Select(i => (long)i), p);
    }
}

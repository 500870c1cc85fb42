using Lantern.Data;
using Xunit;

namespace Lantern.Tests.DataLoading;

/// <summary>TensorDataset, Subset, ConcatDataset, RandomSplit and the default collate.</summary>
public class DatasetTests
{
    private static readonly Tensor X = Tensor.Arange(12, DType.Float32).Reshape(6, 2);
    private static readonly Tensor Y = Tensor.FromArray(new long[] { 5, 4, 3, 2, 1, 0 });

    [Fact]
    public void TensorDatasetRows()
    {
        var ds = new TensorDataset(X, Y);
        Assert.Equal(6, ds.Count);
        var row = ds[2];
        Assert.Equal([4f, 5f], row[0].ToArray<float>());
        Assert.Equal(3L, row[1].Item<long>());
        var ex = Assert.Throws<ArgumentException>(() => new TensorDataset(X, Tensor.Zeros([5])));
        Assert.Contains("[6, 2]", ex.Message);
        Assert.Contains("[5]", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ds[6]);
    }

    [Fact]
    public void SubsetAndConcat()
    {
        var ds = new LambdaDataset<int>(5, i => i * 10);
        var sub = new Subset<int>(ds, [4, 0, 2]);
        Assert.Equal([40, 0, 20], sub.ToArray());
        var cat = new ConcatDataset<int>([sub, new LambdaDataset<int>(0, i => -1), new LambdaDataset<int>(2, i => 100 + i)]);
        Assert.Equal(5, cat.Count);
        Assert.Equal([3, 3, 5], cat.CumulativeSizes);
        Assert.Equal([40, 0, 20, 100, 101], cat.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => new Subset<int>(ds, [5]));
        Assert.Throws<ArgumentOutOfRangeException>(() => cat[5]);
    }

    [Fact]
    public void RandomSplitLengthsAndFractions()
    {
        var ds = new LambdaDataset<int>(11, i => i);
        var parts = Dataset.RandomSplit(ds, [0.5, 0.3, 0.2], new Generator(9));
        Assert.Equal([6, 3, 2], parts.Select(p => p.Count));      // floor 5, 3, 2 and the remainder to the first (PyTorch)
        Assert.Equal(Enumerable.Range(0, 11), parts.SelectMany(p => p).OrderBy(i => i));
        var again = Dataset.RandomSplit(ds, [6, 3, 2], new Generator(9));
        Assert.Equal(parts[1].ToArray(), again[1].ToArray());          // seeded: the same split
        var perm = Tensor.RandPerm(11, generator: new Generator(9)).ToArray<long>();
        Assert.Equal(perm.Take(6).Select(i => (int)i), parts[0].Indices); // one permutation, cut in order
        Assert.Contains("sum of input lengths", Assert.Throws<ArgumentException>(() => Dataset.RandomSplit(ds, [5, 5])).Message);
    }

    private sealed record Sample(Tensor Image, long Label, string Name);
    private sealed record Batch(Tensor Image, Tensor Label, string[] Name);

    [Fact]
    public void DefaultCollateTuplesRecordsDictionaries()
    {
        var a = Tensor.FromArray(new float[] { 1, 2 });
        var b = Tensor.FromArray(new float[] { 3, 4 });
        var (img, lab) = Collate.Default<(Tensor, long), (Tensor, Tensor)>()([(a, 7), (b, 8)]);
        Assert.Equal([2, 2], img.Shape.ToArray());
        Assert.Equal([1f, 2, 3, 4], img.ToArray<float>());
        Assert.Equal(DType.Int64, lab.DType);
        Assert.Equal([7L, 8], lab.ToArray<long>());

        var rec = Collate.Default<Sample, Batch>()([new(a, 1, "a"), new(b, 2, "b")]);
        Assert.Equal([1f, 2, 3, 4], rec.Image.ToArray<float>());
        Assert.Equal([1L, 2], rec.Label.ToArray<long>());
        Assert.Equal(["a", "b"], rec.Name);

        var dict = Collate.Default<Dictionary<string, float>, Dictionary<string, Tensor>>()([new() { ["x"] = 1.5f }, new() { ["x"] = 2.5f }]);
        Assert.Equal(DType.Float32, dict["x"].DType);
        Assert.Equal([1.5f, 2.5f], dict["x"].ToArray<float>());

        var arr = Collate.Default<Tensor[], (Tensor, Tensor)>()([[a, Tensor.Scalar(1L)], [b, Tensor.Scalar(0L)]]);
        Assert.Equal([1L, 0], arr.Item2.ToArray<long>());
        var ints = Collate.Default<int, Tensor>()([3, 4]);
        Assert.Equal(DType.Int64, ints.DType);
        Assert.Equal(DType.Float64, Collate.Default<double, Tensor>()([1.0]).DType);
        Assert.Equal(DType.UInt8, Collate.Default<byte, Tensor>()([(byte)1]).DType);
    }

    [Fact]
    public void CollateErrorsNameTheField()
    {
        var ex = Assert.Throws<ArgumentException>(() => Collate.Default<(Tensor, long), (Tensor, Tensor)>()([(Tensor.Zeros([2]), 1), (Tensor.Zeros([3]), 2)]));
        Assert.Contains("sample.Item1", ex.Message);
        Assert.Contains("[3]", ex.Message);
        var rule = Assert.Throws<ArgumentException>(() => Collate.Default<string, Tensor>());
        Assert.Contains("String", rule.Message);
    }
}

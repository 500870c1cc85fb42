using Lantern.Data;
using Xunit;

namespace Lantern.Tests.DataLoading;

/// <summary>DataLoader: batch values, shuffling per epoch, fast path == per-sample path, pinned order for any numWorkers, errors, disposal.</summary>
public class DataLoaderTests
{
    private static TensorDataset Rows(int n) =>
        new(Tensor.Arange(n * 3, DType.Float32).Reshape(n, 3), Tensor.Arange(n, DType.Int64));

    private static float[][] Firsts(IEnumerable<(Tensor X, Tensor Y)> loader) => loader.Select(b => b.X.ToArray<float>()).ToArray();

    [Fact]
    public void SequentialBatchesAndDropLast()
    {
        var loader = new DataLoader<Tensor[], (Tensor, Tensor)>(Rows(5), batchSize: 2);
        Assert.Equal(3, loader.Count);
        var batches = loader.ToArray();
        Assert.Equal([2, 3], batches[0].Item1.Shape.ToArray());
        Assert.Equal([6f, 7, 8, 9, 10, 11], batches[1].Item1.ToArray<float>());
        Assert.Equal([2L, 3], batches[1].Item2.ToArray<long>());
        Assert.Equal([4L], batches[2].Item2.ToArray<long>());
        var dropped = new DataLoader<Tensor[], (Tensor, Tensor)>(Rows(5), batchSize: 2, dropLast: true);
        Assert.Equal(2, dropped.Count);
        Assert.Equal(2, dropped.Count());
    }

    [Fact]
    public void ShuffleIsDeterministicPerEpoch()
    {
        var a = new DataLoader<Tensor[], (Tensor, Tensor)>(Rows(20), batchSize: 4, shuffle: true, generator: new Generator(11));
        var b = new DataLoader<Tensor[], (Tensor, Tensor)>(Rows(20), batchSize: 4, shuffle: true, generator: new Generator(11));
        long[] Epoch(DataLoader<Tensor[], (Tensor, Tensor)> l) => l.SelectMany(x => x.Item2.ToArray<long>()).ToArray();
        var a0 = Epoch(a);
        var a1 = Epoch(a);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), a0.OrderBy(i => i));
        Assert.NotEqual(a0, a1);
        b.SetEpoch(1);
        Assert.Equal(a1, Epoch(b));            // epoch 1 of seed 11, without running epoch 0
        Assert.Equal(2, b.NextEpoch);
        b.SetEpoch(0);
        Assert.Equal(a0, Epoch(b));
    }

    [Fact]
    public void FastPathEqualsPerSampleCollate()
    {
        var ds = Rows(10);
        var fast = new DataLoader<Tensor[], (Tensor, Tensor)>(ds, batchSize: 3, shuffle: true, generator: new Generator(2)).ToArray();
        var slow = new DataLoader<Tensor[], (Tensor, Tensor)>(ds, batchSize: 3, shuffle: true, generator: new Generator(2),
            collate: Collate.Default<Tensor[], (Tensor, Tensor)>()).ToArray();
        Assert.Equal(slow.Length, fast.Length);
        for (int i = 0; i < fast.Length; i++)
        {
            Assert.Equal(slow[i].Item1.Shape, fast[i].Item1.Shape);
            Assert.Equal(slow[i].Item1.ToArray<float>(), fast[i].Item1.ToArray<float>());
            Assert.Equal(slow[i].Item2.ToArray<long>(), fast[i].Item2.ToArray<long>());
        }
        // the subset forwards the fast path with mapped indices
        var sub = new Subset<Tensor[]>(ds, [9, 1]);
        var b = new DataLoader<Tensor[], Tensor[]>(sub, batchSize: 2).Single();
        Assert.Equal([27f, 28, 29, 3, 4, 5], b[0].ToArray<float>());
    }

    // A dataset whose samples are random: each draws from the loader's per-sample stream.
    private static LambdaDataset<(Tensor, long)> Noisy(int n) =>
        new(n, i => (Tensor.Rand([4], generator: DataRandom.Resolve(null)).Add(i), i));

    [Fact]
    public void BatchesAreIdenticalForEveryNumWorkers()
    {
        float[][] Run(int workers, int prefetch) =>
            new DataLoader<(Tensor, long), (Tensor, Tensor)>(Noisy(37), batchSize: 5, shuffle: true, numWorkers: workers,
                prefetchFactor: prefetch, generator: new Generator(123)).Select(b => b.Item1.ToArray<float>()).ToArray();
        var w0 = Run(0, 2);
        Assert.Equal(8, w0.Length);
        foreach (var (w, p) in new[] { (1, 1), (2, 2), (4, 3) })
        {
            var wn = Run(w, p);
            Assert.Equal(w0.Length, wn.Length);
            for (int i = 0; i < w0.Length; i++) Assert.Equal(w0[i], wn[i]);
        }
        // and the random values differ between epochs of one loader
        var loader = new DataLoader<(Tensor, long), (Tensor, Tensor)>(Noisy(4), batchSize: 4, generator: new Generator(1));
        Assert.NotEqual(loader.First().Item1.ToArray<float>(), loader.First().Item1.ToArray<float>());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void SampleFailureSurfacesInOrderWithItsIndex(int workers)
    {
        var ds = new LambdaDataset<(Tensor, long)>(20, i => i == 13 ? throw new InvalidOperationException("bad record") : (Tensor.Zeros([2]), i));
        var loader = new DataLoader<(Tensor, long), (Tensor, Tensor)>(ds, batchSize: 4, numWorkers: workers);
        var seen = new List<long>();
        var ex = Assert.Throws<DataLoaderException>(() => { foreach (var b in loader) seen.AddRange(b.Item2.ToArray<long>()); });
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (long)i), seen);   // batches before the failing one arrive, in order
        Assert.Equal(13, ex.SampleIndex);
        Assert.Equal(3, ex.BatchIndex);
        Assert.Contains("sample 13", ex.Message);
        Assert.Contains("bad record", ex.Message);
        Assert.IsType<InvalidOperationException>(ex.InnerException);
        if (workers > 0) Assert.NotNull(ex.Worker);
    }

    [Fact]
    public void CollateFailureNamesTheBatch()
    {
        var ds = new LambdaDataset<Tensor>(6, i => Tensor.Zeros([i < 4 ? 2 : 3]));
        var ex = Assert.Throws<DataLoaderException>(() => new DataLoader<Tensor, Tensor>(ds, batchSize: 3, numWorkers: 2).ToArray());
        Assert.Equal(1, ex.BatchIndex);
        Assert.Null(ex.SampleIndex);
        Assert.Contains("collating", ex.Message);
    }

    [Fact]
    public void EarlyExitJoinsWorkersAndPrefetchIsBounded()
    {
        int fetched = 0;
        var ds = new LambdaDataset<Tensor>(400, i => { Interlocked.Increment(ref fetched); return Tensor.Full([1], i); });
        var loader = new DataLoader<Tensor, Tensor>(ds, batchSize: 2, numWorkers: 2, prefetchFactor: 2);
        var e = loader.GetEnumerator();
        Assert.True(e.MoveNext());
        Assert.Equal([0f, 1], e.Current.ToArray<float>());
        Thread.Sleep(100);
        Assert.InRange(Volatile.Read(ref fetched), 2, (1 + 2 * 2) * 2);   // the consumed batch + numWorkers * prefetchFactor in flight
        var p = Assert.IsType<Prefetcher<Tensor>>(e);
        e.Dispose();
        Assert.Equal(0, p.LiveThreads);
        int after = Volatile.Read(ref fetched);
        Thread.Sleep(50);
        Assert.Equal(after, Volatile.Read(ref fetched));
    }

    [Fact]
    public void IterableDatasetBatchesInOrder()
    {
        var ds = IterableDataset<long>.From(Enumerable.Range(0, 7).Select(i => (long)i), count: 7);
        var plain = new DataLoader<long, Tensor>(ds, batchSize: 3).Select(b => b.ToArray<long>()).ToArray();
        Assert.Equal([[0L, 1, 2], [3, 4, 5], [6]], plain);
        var threaded = new DataLoader<long, Tensor>(ds, batchSize: 3, numWorkers: 2, dropLast: true);
        Assert.Equal(2, threaded.Count);
        Assert.Equal([[0L, 1, 2], [3, 4, 5]], threaded.Select(b => b.ToArray<long>()).ToArray());
    }

    [Fact]
    public void OptionConflictsAreRejected()
    {
        var ds = Rows(4);
        var sampler = new SequentialSampler(4);
        Assert.Contains("mutually exclusive", Assert.Throws<ArgumentException>(() => new DataLoader<Tensor[], Tensor[]>(ds, shuffle: true, sampler: sampler)).Message);
        Assert.Contains("mutually exclusive", Assert.Throws<ArgumentException>(() => new DataLoader<Tensor[], Tensor[]>(ds, batchSize: 2, batchSampler: new BatchSampler(sampler, 2))).Message);
        Assert.Throws<ArgumentException>(() => new DataLoader<Tensor[], Tensor[]>(ds, batchSize: 0));
        Assert.Throws<ArgumentException>(() => new DataLoader<Tensor[], Tensor[]>(ds, numWorkers: -1));
        Assert.Throws<ArgumentException>(() => new DataLoader<Tensor[], string>(ds));
        // a custom batch sampler decides the batches
        var custom = new DataLoader<Tensor[], Tensor[]>(ds, batchSampler: new BatchSampler(new SequentialSampler(4), 3));
        Assert.Null(custom.BatchSize);
        Assert.Equal([3, 1], custom.Select(b => b[0].Shape[0]));
    }
}

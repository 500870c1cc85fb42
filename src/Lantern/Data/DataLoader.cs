using System.Collections;

namespace Lantern.Data;

/// <summary>
/// Batches of a dataset (torch.utils.data.DataLoader). Each enumeration is one epoch: the batch sampler gives
/// index batches, each batch is fetched (sample by sample, or with the dataset's
/// <see cref="Dataset{T}.TryGetBatch"/> fast path under the default collate) and collated.
/// <para>
/// Shuffling is deterministic per epoch: epoch e of a loader seeded s always gives the same order
/// (<see cref="SetEpoch"/> to resume). Each sample is loaded inside a <see cref="DataRandom"/> scope seeded by
/// (s, e, position in the epoch), so random transforms give the same values on any thread.
/// </para>
/// <para>
/// With numWorkers &gt; 0, numWorkers dedicated background threads fetch and collate whole batches (kernels
/// run inline on them); at most numWorkers * prefetchFactor batches are in flight or waiting. Batches are
/// yielded in sampler order (pinned order), so the batches are identical for every numWorkers. A failure is
/// raised on the consuming thread when its batch is reached, as a <see cref="DataLoaderException"/> naming
/// the batch and the dataset index. Disposing the enumerator (leaving a foreach early) stops and joins the workers.
/// </para>
/// </summary>
/// <typeparam name="T">The sample type.</typeparam>
/// <typeparam name="TBatch">The batch type the collate produces, e.g. (Tensor, Tensor) for (Tensor, long) samples.</typeparam>
public sealed class DataLoader<T, TBatch> : IEnumerable<TBatch>
{
    private readonly Dataset<T>? _map;
    private readonly IterableDataset<T>? _iterable;
    private readonly Func<IReadOnlyList<T>, TBatch> _collate;
    private readonly bool _defaultCollate;
    private readonly ulong _sampleSeed;
    private int _nextEpoch;

    /// <summary>
    /// A loader over a map-style dataset. <paramref name="batchSampler"/> excludes batchSize (other than 1),
    /// shuffle, sampler and dropLast; <paramref name="sampler"/> excludes shuffle. With shuffle, a
    /// <see cref="RandomSampler"/> seeded from <paramref name="generator"/> (its initial seed; default: one
    /// word of the global generator) orders each epoch.
    /// </summary>
    /// <exception cref="ArgumentException">Conflicting options, batchSize or prefetchFactor not positive, numWorkers negative, or a default collate that cannot map T to TBatch.</exception>
    public DataLoader(Dataset<T> dataset, int batchSize = 1, bool shuffle = false, Sampler? sampler = null,
        IBatchSampler? batchSampler = null, int numWorkers = 0, Func<IReadOnlyList<T>, TBatch>? collate = null,
        bool dropLast = false, int prefetchFactor = 2, Generator? generator = null)
    {
        CheckCommon(batchSize, numWorkers, prefetchFactor);
        if (batchSampler != null && (batchSize != 1 || shuffle || sampler != null || dropLast))
            throw new ArgumentException("DataLoader: batchSampler option is mutually exclusive with batchSize, shuffle, sampler, and dropLast.");
        if (sampler != null && shuffle)
            throw new ArgumentException("DataLoader: sampler option is mutually exclusive with shuffle.");
        _map = dataset;
        ulong seed = generator?.InitialSeed ?? Lantern.DefaultGenerator.WordAt(Lantern.DefaultGenerator.Advance(1));
        sampler ??= shuffle ? new RandomSampler(dataset.Count, generator: new Generator(SeedMix.Mix(seed, 1))) : new SequentialSampler(dataset.Count);
        BatchSampler = batchSampler ?? new BatchSampler(sampler, batchSize, dropLast);
        Sampler = batchSampler == null ? sampler : null;
        BatchSize = batchSampler == null ? batchSize : null;
        DropLast = dropLast;
        NumWorkers = numWorkers;
        PrefetchFactor = prefetchFactor;
        _sampleSeed = SeedMix.Mix(seed, 2);
        _defaultCollate = collate == null;
        _collate = collate ?? Collate.Default<T, TBatch>();
    }

    /// <summary>A loader over an iterable dataset: consecutive samples grouped by batchSize (no sampler or shuffle).</summary>
    /// <exception cref="ArgumentException">batchSize or prefetchFactor not positive, numWorkers negative, or no default collate from T to TBatch.</exception>
    public DataLoader(IterableDataset<T> dataset, int batchSize = 1, int numWorkers = 0, Func<IReadOnlyList<T>, TBatch>? collate = null,
        bool dropLast = false, int prefetchFactor = 2, Generator? generator = null)
    {
        CheckCommon(batchSize, numWorkers, prefetchFactor);
        _iterable = dataset;
        BatchSize = batchSize;
        DropLast = dropLast;
        NumWorkers = numWorkers;
        PrefetchFactor = prefetchFactor;
        _sampleSeed = SeedMix.Mix(generator?.InitialSeed ?? Lantern.DefaultGenerator.WordAt(Lantern.DefaultGenerator.Advance(1)), 2);
        _defaultCollate = collate == null;
        _collate = collate ?? Collate.Default<T, TBatch>();
    }

    private static void CheckCommon(int batchSize, int numWorkers, int prefetchFactor)
    {
        if (batchSize <= 0) throw new ArgumentException($"DataLoader: batchSize should be a positive integer value, but got batchSize={batchSize}.");
        if (numWorkers < 0) throw new ArgumentException($"DataLoader: numWorkers option should be non-negative, got {numWorkers}.");
        if (prefetchFactor <= 0) throw new ArgumentException($"DataLoader: prefetchFactor should be a positive integer, got {prefetchFactor}.");
    }

    /// <summary>The map-style dataset, or null for an iterable one.</summary>
    public Dataset<T>? Dataset => _map;

    /// <summary>The iterable dataset, or null for a map-style one.</summary>
    public IterableDataset<T>? IterableDataset => _iterable;

    /// <summary>Samples per batch, or null when a custom batch sampler decides.</summary>
    public int? BatchSize { get; }

    /// <summary>Whether the last incomplete batch is dropped.</summary>
    public bool DropLast { get; }

    /// <summary>Background loading threads (0: load on the consuming thread).</summary>
    public int NumWorkers { get; }

    /// <summary>Batches each worker may have loaded ahead.</summary>
    public int PrefetchFactor { get; }

    /// <summary>The index sampler (null for an iterable dataset or a custom batch sampler).</summary>
    public Sampler? Sampler { get; }

    /// <summary>The batch sampler (null for an iterable dataset).</summary>
    public IBatchSampler? BatchSampler { get; }

    /// <summary>The epoch the next enumeration loads.</summary>
    public int NextEpoch => _nextEpoch;

    /// <summary>Sets the epoch the next enumeration loads (its shuffle order and sample seeds).</summary>
    /// <exception cref="ArgumentOutOfRangeException">epoch is negative.</exception>
    public void SetEpoch(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        _nextEpoch = epoch;
    }

    /// <summary>Batches per epoch (len(loader)).</summary>
    /// <exception cref="NotSupportedException">An iterable dataset of unknown length.</exception>
    public int Count
    {
        get
        {
            if (BatchSampler != null) return BatchSampler.Count;
            int n = _iterable!.Count ?? throw new NotSupportedException("DataLoader: the iterable dataset has no known length.");
            return DropLast ? n / BatchSize!.Value : (n + BatchSize!.Value - 1) / BatchSize!.Value;
        }
    }

    /// <summary>Starts an epoch (and advances <see cref="NextEpoch"/>).</summary>
    public IEnumerator<TBatch> GetEnumerator()
    {
        int epoch = _nextEpoch++;
        BatchSampler?.SetEpoch(epoch);
        var jobs = _map != null ? MapJobs(epoch) : IterableJobs(epoch);
        return NumWorkers == 0 ? Sequential(jobs) : new Prefetcher<TBatch>(jobs, NumWorkers, NumWorkers * PrefetchFactor);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static IEnumerator<TBatch> Sequential(IEnumerable<Func<int?, TBatch>> jobs)
    {
        foreach (var job in jobs) yield return job(null);
    }

    // One job per batch; the job runs on a worker (or inline) and wraps failures with the batch and index.
    private IEnumerable<Func<int?, TBatch>> MapJobs(int epoch)
    {
        int b = 0;
        long start = 0;
        foreach (var indices in BatchSampler!)
        {
            int batch = b++;
            long first = start;
            start += indices.Length;
            yield return worker => FetchMap(indices, batch, first, epoch, worker);
        }
    }

    private TBatch FetchMap(int[] indices, int batch, long first, int epoch, int? worker)
    {
        var ds = _map!;
        if (_defaultCollate)
        {
            try
            {
                if (ds.TryGetBatch(indices, out TBatch? fast)) return fast!;
            }
            catch (Exception e)
            {
                throw Wrap(e, batch, null, worker, $"gathering indices [{Preview(indices)}]");
            }
        }
        var samples = new T[indices.Length];
        for (int k = 0; k < samples.Length; k++)
        {
            try
            {
                using (DataRandom.Use(SampleGenerator(epoch, first + k))) samples[k] = ds.Get(indices[k]);
            }
            catch (Exception e)
            {
                throw Wrap(e, batch, indices[k], worker, $"reading sample {indices[k]}");
            }
        }
        return CollateBatch(samples, batch, worker);
    }

    private IEnumerable<Func<int?, TBatch>> IterableJobs(int epoch)
    {
        int size = BatchSize!.Value, b = 0;
        long position = 0;
        using var it = _iterable!.GetEnumerator();
        while (true)
        {
            var samples = new List<T>(size);
            while (samples.Count < size)
            {
                bool more;
                try
                {
                    using (DataRandom.Use(SampleGenerator(epoch, position)))
                    {
                        more = it.MoveNext();
                        if (more) samples.Add(it.Current);
                    }
                }
                catch (Exception e)
                {
                    throw Wrap(e, b, (int)Math.Min(position, int.MaxValue), null, $"reading sample {position} of the iterable dataset");
                }
                if (!more) break;
                position++;
            }
            if (samples.Count == 0 || (samples.Count < size && DropLast)) yield break;
            int batch = b++;
            var items = samples.ToArray();
            yield return worker => CollateBatch(items, batch, worker);
            if (samples.Count < size) yield break;
        }
    }

    private TBatch CollateBatch(T[] samples, int batch, int? worker)
    {
        try
        {
            return _collate(samples);
        }
        catch (Exception e)
        {
            throw Wrap(e, batch, null, worker, "collating the batch");
        }
    }

    private Generator SampleGenerator(int epoch, long position) => global::Lantern.Data.Sampler.EpochGenerator(_sampleSeed, epoch, (ulong)position);

    private static DataLoaderException Wrap(Exception e, int batch, int? index, int? worker, string what) =>
        e as DataLoaderException ?? new DataLoaderException(
            $"DataLoader: {what} for batch {batch}{(worker is { } w ? $" in worker {w}" : "")} failed: {e.GetType().Name}: {e.Message}",
            batch, index, worker, e);

    private static string Preview(int[] indices) => string.Join(", ", indices.Take(8)) + (indices.Length > 8 ? ", ..." : "");
}

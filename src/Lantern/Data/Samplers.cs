using System.Collections;

namespace Lantern.Data;

/// <summary>
/// An ordering of dataset indices for one epoch (torch.utils.data.Sampler). Random samplers are reshuffled
/// every epoch deterministically: the draws of epoch e are a pure function of (seed, e), so epoch e of seed s
/// always gives the same order, whatever happened before (a resumed run only has to call
/// <see cref="SetEpoch"/>). Without <see cref="SetEpoch"/>, each enumeration advances the epoch by one.
/// </summary>
public abstract class Sampler : IEnumerable<int>
{
    private int _nextEpoch;

    /// <summary>Number of indices one epoch yields (len(sampler)).</summary>
    public abstract int Count { get; }

    /// <summary>The epoch the next enumeration draws (DistributedSampler.set_epoch).</summary>
    /// <exception cref="ArgumentOutOfRangeException">epoch is negative.</exception>
    public void SetEpoch(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        _nextEpoch = epoch;
    }

    /// <summary>The epoch the next enumeration will draw.</summary>
    public int NextEpoch => _nextEpoch;

    /// <summary>Enumerates the indices of the next epoch (and advances the epoch).</summary>
    public IEnumerator<int> GetEnumerator()
    {
        int epoch = _nextEpoch++;
        return Indices(epoch).GetEnumerator();
    }

    /// <summary>The indices of <paramref name="epoch"/>.</summary>
    protected abstract IEnumerable<int> Indices(int epoch);

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The seed of a sampler: the generator's initial seed, or one word drawn from the global generator.</summary>
    private protected static ulong SeedFrom(Generator? generator) =>
        generator?.InitialSeed ?? Lantern.DefaultGenerator.WordAt(Lantern.DefaultGenerator.Advance(1));

    /// <summary>A generator whose stream is a pure function of (seed, epoch).</summary>
    internal static Generator EpochGenerator(ulong seed, int epoch, ulong stream = 0) => new(SeedMix.Mix(seed, (ulong)epoch, stream));
}

/// <summary>Mixing of seeds (SplitMix64 finaliser) for derived, independent streams.</summary>
internal static class SeedMix
{
    public static ulong Mix(ulong a, ulong b, ulong c = 0)
    {
        ulong h = Finalise(a ^ 0x9E3779B97F4A7C15UL);
        h = Finalise(h ^ (b + 0x632BE59BD9B4E019UL));
        return Finalise(h ^ (c + 0x85157AF5UL));
    }

    private static ulong Finalise(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>0, 1, ..., n-1 in order (torch.utils.data.SequentialSampler).</summary>
public sealed class SequentialSampler : Sampler
{
    private readonly int _n;

    /// <summary>A sampler over <paramref name="count"/> indices.</summary>
    /// <exception cref="ArgumentException">count is negative.</exception>
    public SequentialSampler(int count)
    {
        if (count < 0) throw new ArgumentException($"SequentialSampler: count must be non-negative, got {count}.");
        _n = count;
    }

    /// <inheritdoc/>
    public override int Count => _n;

    /// <inheritdoc/>
    protected override IEnumerable<int> Indices(int epoch) => Enumerable.Range(0, _n);
}

/// <summary>
/// Random indices (torch.utils.data.RandomSampler): without replacement, whole permutations of 0..n-1
/// (numSamples may exceed n: further permutations follow, the last one cut); with replacement, numSamples
/// uniform draws. Epoch e draws from a generator seeded by (seed, e) (see <see cref="Sampler"/>).
/// </summary>
public sealed class RandomSampler : Sampler
{
    private readonly int _n;
    private readonly Generator? _generator;
    private readonly ulong _seed;

    /// <summary>
    /// A sampler over <paramref name="count"/> indices. The seed is <paramref name="generator"/>'s initial seed
    /// (read at each epoch), or one word drawn now from the global generator.
    /// </summary>
    /// <exception cref="ArgumentException">count negative, or numSamples not positive.</exception>
    public RandomSampler(int count, bool replacement = false, int? numSamples = null, Generator? generator = null)
    {
        if (count < 0) throw new ArgumentException($"RandomSampler: count must be non-negative, got {count}.");
        if (numSamples is <= 0) throw new ArgumentException($"RandomSampler: num_samples should be a positive integer value, but got num_samples={numSamples}.");
        _n = count;
        Replacement = replacement;
        NumSamples = numSamples ?? count;
        _generator = generator;
        _seed = SeedFrom(generator);
    }

    /// <summary>Whether indices are drawn with replacement.</summary>
    public bool Replacement { get; }

    /// <summary>Indices per epoch.</summary>
    public int NumSamples { get; }

    /// <inheritdoc/>
    public override int Count => NumSamples;

    /// <inheritdoc/>
    protected override IEnumerable<int> Indices(int epoch)
    {
        if (_n == 0) yield break;
        var g = EpochGenerator(_generator?.InitialSeed ?? _seed, epoch);
        if (Replacement)
        {
            foreach (long i in Tensor.RandInt(0, _n, [NumSamples], generator: g).ToArray<long>()) yield return (int)i;
            yield break;
        }
        for (int left = NumSamples; left > 0; left -= _n)
        {
            var perm = Tensor.RandPerm(_n, generator: g).ToArray<long>();
            for (int k = 0; k < Math.Min(left, _n); k++) yield return (int)perm[k];
        }
    }
}

/// <summary>A random permutation of given indices, new each epoch (torch.utils.data.SubsetRandomSampler).</summary>
public sealed class SubsetRandomSampler : Sampler
{
    private readonly int[] _indices;
    private readonly Generator? _generator;
    private readonly ulong _seed;

    /// <summary>A sampler yielding <paramref name="indices"/> in a random order per epoch.</summary>
    public SubsetRandomSampler(IEnumerable<int> indices, Generator? generator = null)
    {
        _indices = indices.ToArray();
        _generator = generator;
        _seed = SeedFrom(generator);
    }

    /// <inheritdoc/>
    public override int Count => _indices.Length;

    /// <inheritdoc/>
    protected override IEnumerable<int> Indices(int epoch)
    {
        if (_indices.Length == 0) return [];
        var perm = Tensor.RandPerm(_indices.Length, generator: EpochGenerator(_generator?.InitialSeed ?? _seed, epoch)).ToArray<long>();
        return perm.Select(p => _indices[p]);
    }
}

/// <summary>
/// Indices drawn with probabilities proportional to <c>weights</c> (torch.utils.data.WeightedRandomSampler,
/// torch.multinomial): with replacement, numSamples independent draws by inverse CDF; without, numSamples
/// distinct indices by weighted sampling without replacement (keys u^(1/w), largest first; the same
/// distribution as PyTorch's successive draws).
/// </summary>
public sealed class WeightedRandomSampler : Sampler
{
    private readonly double[] _weights;
    private readonly Generator? _generator;
    private readonly ulong _seed;

    /// <summary>A sampler of <paramref name="numSamples"/> indices in [0, weights.Length).</summary>
    /// <exception cref="ArgumentException">numSamples not positive, a negative or non-finite weight, all weights zero, or (without replacement) numSamples above the number of nonzero weights.</exception>
    public WeightedRandomSampler(double[] weights, int numSamples, bool replacement = true, Generator? generator = null)
    {
        if (numSamples <= 0) throw new ArgumentException($"WeightedRandomSampler: num_samples should be a positive integer value, but got num_samples={numSamples}.");
        if (weights.Length == 0) throw new ArgumentException("WeightedRandomSampler: weights must be non-empty.");
        foreach (double w in weights)
            if (!(w >= 0) || double.IsInfinity(w))
                throw new ArgumentException($"WeightedRandomSampler: weights must be finite and non-negative, got {w}.");
        int nonzero = weights.Count(w => w > 0);
        if (nonzero == 0) throw new ArgumentException("WeightedRandomSampler: invalid multinomial distribution (sum of probabilities <= 0).");
        if (!replacement && numSamples > nonzero)
            throw new ArgumentException($"WeightedRandomSampler: cannot sample num_samples={numSamples} > {nonzero} nonzero weights without replacement.");
        _weights = (double[])weights.Clone();
        NumSamples = numSamples;
        Replacement = replacement;
        _generator = generator;
        _seed = SeedFrom(generator);
    }

    /// <summary>Indices per epoch.</summary>
    public int NumSamples { get; }

    /// <summary>Whether indices are drawn with replacement.</summary>
    public bool Replacement { get; }

    /// <summary>The weights (not necessarily summing to 1).</summary>
    public IReadOnlyList<double> Weights => _weights;

    /// <inheritdoc/>
    public override int Count => NumSamples;

    /// <inheritdoc/>
    protected override IEnumerable<int> Indices(int epoch)
    {
        var g = EpochGenerator(_generator?.InitialSeed ?? _seed, epoch);
        int n = _weights.Length;
        if (Replacement)
        {
            var cdf = new double[n];
            double acc = 0;
            for (int i = 0; i < n; i++) cdf[i] = acc += _weights[i];
            ulong pos = g.Advance(NumSamples);
            var result = new int[NumSamples];
            for (int k = 0; k < NumSamples; k++)
            {
                double u = g.UniformAt(pos + (ulong)k) * acc;
                int lo = 0, hi = n - 1;   // first i with cdf[i] > u (never a zero-weight index)
                while (lo < hi)
                {
                    int mid = (lo + hi) >> 1;
                    if (cdf[mid] > u) hi = mid; else lo = mid + 1;
                }
                result[k] = lo;
            }
            return result;
        }
        ulong p0 = g.Advance(n);
        var keys = new double[n];
        for (int i = 0; i < n; i++)
        {
            double u = g.UniformAt(p0 + (ulong)i);
            keys[i] = _weights[i] > 0 ? Math.Log(Math.Max(u, double.Epsilon)) / _weights[i] : double.NegativeInfinity;
        }
        return Enumerable.Range(0, n).OrderByDescending(i => keys[i]).ThenBy(i => i).Take(NumSamples).ToArray();
    }
}

/// <summary>
/// A source of index batches for one epoch (torch's batch_sampler). <see cref="BatchSampler"/> wraps a
/// <see cref="Sampler"/>; implement this interface for custom batching (e.g. bucketing by length).
/// </summary>
public interface IBatchSampler : IEnumerable<int[]>
{
    /// <summary>Number of batches per epoch.</summary>
    int Count { get; }

    /// <summary>Sets the epoch that the next enumeration draws (forwarded to random samplers).</summary>
    void SetEpoch(int epoch);
}

/// <summary>
/// Groups a sampler's indices into batches of <see cref="BatchSize"/> (torch.utils.data.BatchSampler); the
/// last, shorter batch is kept unless <see cref="DropLast"/>.
/// </summary>
public sealed class BatchSampler : IBatchSampler
{
    /// <summary>Batches of <paramref name="batchSize"/> indices from <paramref name="sampler"/>.</summary>
    /// <exception cref="ArgumentException">batchSize not positive.</exception>
    public BatchSampler(Sampler sampler, int batchSize, bool dropLast = false)
    {
        if (batchSize <= 0) throw new ArgumentException($"BatchSampler: batch_size should be a positive integer value, but got batch_size={batchSize}.");
        Sampler = sampler;
        BatchSize = batchSize;
        DropLast = dropLast;
    }

    /// <summary>The index source.</summary>
    public Sampler Sampler { get; }

    /// <summary>Indices per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Whether a last incomplete batch is dropped.</summary>
    public bool DropLast { get; }

    /// <summary>floor(n / batchSize) with dropLast, else ceil(n / batchSize).</summary>
    public int Count => DropLast ? Sampler.Count / BatchSize : (Sampler.Count + BatchSize - 1) / BatchSize;

    /// <inheritdoc/>
    public void SetEpoch(int epoch) => Sampler.SetEpoch(epoch);

    /// <summary>Enumerates one epoch of batches.</summary>
    public IEnumerator<int[]> GetEnumerator()
    {
        var batch = new List<int>(BatchSize);
        foreach (int i in Sampler)
        {
            batch.Add(i);
            if (batch.Count == BatchSize)
            {
                yield return batch.ToArray();
                batch.Clear();
            }
        }
        if (batch.Count > 0 && !DropLast) yield return batch.ToArray();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

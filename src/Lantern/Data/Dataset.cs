using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Lantern.Data;

/// <summary>
/// A map-style dataset (torch.utils.data.Dataset): <see cref="Count"/> samples addressed by index
/// 0..Count-1. Subclasses implement <see cref="Count"/> and <see cref="Get"/>; <see cref="Get"/> must be
/// safe to call from several threads at once (a <see cref="DataLoader{T, TBatch}"/> with workers does).
/// </summary>
/// <typeparam name="T">The sample type, e.g. <c>(Tensor Image, long Label)</c> or <c>Tensor[]</c>.</typeparam>
public abstract class Dataset<T> : IReadOnlyList<T>
{
    /// <summary>Number of samples (len(dataset)).</summary>
    public abstract int Count { get; }

    /// <summary>The sample at <paramref name="index"/> (dataset[index]).</summary>
    /// <exception cref="ArgumentOutOfRangeException">index outside [0, Count).</exception>
    public abstract T Get(int index);

    /// <summary>Same as <see cref="Get"/>.</summary>
    public T this[int index] => Get(index);

    /// <summary>
    /// Optional fast path used by <see cref="DataLoader{T, TBatch}"/> with the default collate: gathers the
    /// batch for <paramref name="indices"/> directly (for example one IndexSelect on stacked storage instead
    /// of one tensor per sample). The result must equal the default collate of the samples. Returns false
    /// (the default) when this dataset has no such path for <typeparamref name="TBatch"/>.
    /// </summary>
    public virtual bool TryGetBatch<TBatch>(int[] indices, [MaybeNullWhen(false)] out TBatch batch)
    {
        batch = default;
        return false;
    }

    /// <summary>Checks an index against Count; the message names the dataset type.</summary>
    /// <exception cref="ArgumentOutOfRangeException">index outside [0, Count).</exception>
    protected void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"{GetType().Name}: index {index} is out of range for a dataset of {Count} samples.");
    }

    /// <summary>Enumerates the samples in index order.</summary>
    public IEnumerator<T> GetEnumerator()
    {
        for (int i = 0; i < Count; i++) yield return Get(i);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>
/// An iterable-style dataset (torch.utils.data.IterableDataset): a stream of samples with no random access.
/// A <see cref="DataLoader{T, TBatch}"/> reads it in order on the consuming thread and groups it into
/// batches; with workers only the collate runs in the background. Shuffling and samplers do not apply.
/// </summary>
/// <typeparam name="T">The sample type.</typeparam>
public abstract class IterableDataset<T> : IEnumerable<T>
{
    /// <summary>The number of samples when known (len(dataset)), else null (the default).</summary>
    public virtual int? Count => null;

    /// <summary>Starts a new pass over the samples.</summary>
    public abstract IEnumerator<T> GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>An iterable dataset over any sequence (each pass enumerates <paramref name="source"/> again).</summary>
    public static IterableDataset<T> From(IEnumerable<T> source, int? count = null) => new SequenceDataset(source, count);

    private sealed class SequenceDataset(IEnumerable<T> source, int? count) : IterableDataset<T>
    {
        public override int? Count => count;
        public override IEnumerator<T> GetEnumerator() => source.GetEnumerator();
    }
}

/// <summary>A map-style dataset defined by a count and a function (handy for tests and synthetic data).</summary>
/// <typeparam name="T">The sample type.</typeparam>
public sealed class LambdaDataset<T> : Dataset<T>
{
    private readonly int _count;
    private readonly Func<int, T> _get;

    /// <summary>A dataset of <paramref name="count"/> samples, sample i = <paramref name="get"/>(i).</summary>
    /// <exception cref="ArgumentException">count is negative.</exception>
    public LambdaDataset(int count, Func<int, T> get)
    {
        if (count < 0) throw new ArgumentException($"LambdaDataset: count must be non-negative, got {count}.");
        _count = count;
        _get = get;
    }

    /// <inheritdoc/>
    public override int Count => _count;

    /// <inheritdoc/>
    public override T Get(int index)
    {
        CheckIndex(index);
        return _get(index);
    }
}

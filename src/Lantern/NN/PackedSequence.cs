namespace Lantern.NN;

/// <summary>
/// torch.nn.utils.rnn.PackedSequence: a batch of variable-length sequences stored step by step. For each time
/// step t, <see cref="Data"/> holds the rows of the BatchSizes[t] sequences still running at t, in order of
/// decreasing length, so step t occupies rows [sum(BatchSizes[..t]), + BatchSizes[t]). Sequences are sorted by
/// decreasing length: <see cref="SortedIndices"/>[k] is the original batch index of the k-th longest sequence
/// (null when the input was already sorted) and <see cref="UnsortedIndices"/> is its inverse. Build it with
/// <see cref="RnnUtils.PackPaddedSequence(Tensor, int[], bool, bool)"/> or <see cref="RnnUtils.PackSequence"/>.
/// Example: sequences "abc" and "x" give Data "axbc" and BatchSizes [2, 1, 1].
/// </summary>
public sealed class PackedSequence
{
    private readonly int[] _sizes;

    /// <summary>
    /// A packed sequence from its parts (normally made by the RnnUtils pack functions). unsortedIndices defaults
    /// to the inverse of sortedIndices.
    /// </summary>
    /// <exception cref="ArgumentException">batchSizes not a 1-D Int64 tensor of positive non-increasing sizes summing to Data's first dim, or index tensors of the wrong length or type.</exception>
    public PackedSequence(Tensor data, Tensor batchSizes, Tensor? sortedIndices = null, Tensor? unsortedIndices = null)
    {
        if (batchSizes.Rank != 1 || batchSizes.DType != DType.Int64 || batchSizes.Numel() == 0)
            throw new ArgumentException($"PackedSequence: batch_sizes must be a non-empty 1-D Int64 tensor, got {batchSizes.DType} of shape {batchSizes.Shape}.");
        if (data.Rank < 1)
            throw new ArgumentException($"PackedSequence: data must have at least 1 dimension, got shape {data.Shape}.");
        _sizes = batchSizes.ToArray<long>().Select(v => (int)v).ToArray();
        for (int t = 0; t < _sizes.Length; t++)
            if (_sizes[t] <= 0 || (t > 0 && _sizes[t] > _sizes[t - 1]))
                throw new ArgumentException($"PackedSequence: batch_sizes must be positive and non-increasing, got [{string.Join(", ", _sizes)}].");
        if (_sizes.Sum() != data.Shape[0])
            throw new ArgumentException($"PackedSequence: batch_sizes [{string.Join(", ", _sizes)}] sum to {_sizes.Sum()}, but data has {data.Shape[0]} rows (shape {data.Shape}).");
        foreach (var (idx, name) in new[] { (sortedIndices, "sorted_indices"), (unsortedIndices, "unsorted_indices") })
            if (idx is not null && (idx.Rank != 1 || idx.DType != DType.Int64 || idx.Numel() != _sizes[0]))
                throw new ArgumentException($"PackedSequence: {name} must be a 1-D Int64 tensor of length batch_sizes[0] = {_sizes[0]}, got {idx.DType} of shape {idx.Shape}.");
        Data = data;
        BatchSizes = batchSizes;
        SortedIndices = sortedIndices;
        UnsortedIndices = unsortedIndices ?? RnnUtils.InvertPermutation(sortedIndices);
    }

    /// <summary>The packed rows [sum of lengths, *].</summary>
    public Tensor Data { get; }

    /// <summary>Int64 [maxLength]: how many sequences are active at each step (non-increasing).</summary>
    public Tensor BatchSizes { get; }

    /// <summary>Int64 [batch] original index of the k-th longest sequence, or null (already sorted).</summary>
    public Tensor? SortedIndices { get; }

    /// <summary>Int64 [batch] inverse of <see cref="SortedIndices"/>: position in sorted order of each original sequence, or null.</summary>
    public Tensor? UnsortedIndices { get; }

    /// <summary>The batch sizes as an int array (a copy).</summary>
    public int[] BatchSizeArray => (int[])_sizes.Clone();

    internal int[] Sizes => _sizes;

    /// <summary>The same batch structure around other data (e.g. an RNN's output rows).</summary>
    /// <exception cref="ArgumentException">data's first dim differs from the total number of packed rows.</exception>
    public PackedSequence WithData(Tensor data) => new(data, BatchSizes, SortedIndices, UnsortedIndices);

    /// <summary>Tuple-style deconstruction: (data, batch_sizes, sorted_indices, unsorted_indices).</summary>
    public void Deconstruct(out Tensor data, out Tensor batchSizes, out Tensor? sortedIndices, out Tensor? unsortedIndices)
    {
        data = Data;
        batchSizes = BatchSizes;
        sortedIndices = SortedIndices;
        unsortedIndices = UnsortedIndices;
    }

    /// <summary>PyTorch's repr: PackedSequence(data=..., batch_sizes=..., sorted_indices=..., unsorted_indices=...).</summary>
    public override string ToString() =>
        $"PackedSequence(data={Data}, batch_sizes={BatchSizes}, sorted_indices={SortedIndices?.ToString() ?? "None"}, unsorted_indices={UnsortedIndices?.ToString() ?? "None"})";
}

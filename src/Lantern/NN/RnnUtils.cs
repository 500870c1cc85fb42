namespace Lantern.NN;

/// <summary>
/// torch.nn.utils.rnn: packing and padding of variable-length batches. Every function is differentiable with
/// respect to the sequence values (each is one IndexSelect on the rows, so gradients flow back to the padded or
/// packed tensor).
/// </summary>
public static class RnnUtils
{
    /// <summary>torch.nn.utils.rnn.invert_permutation: inverse[permutation[i]] = i; null for null.</summary>
    public static Tensor? InvertPermutation(Tensor? permutation)
    {
        if (permutation is null) return null;
        var p = permutation.ToArray<long>();
        var inv = new long[p.Length];
        for (int i = 0; i < p.Length; i++)
        {
            if (p[i] < 0 || p[i] >= p.Length)
                throw new ArgumentException($"InvertPermutation: {p[i]} at position {i} is not a valid index for a permutation of length {p.Length}.");
            inv[p[i]] = i;
        }
        return Tensor.FromArray(inv);
    }

    /// <summary>
    /// torch.nn.utils.rnn.pack_padded_sequence: packs a padded batch [T, B, *] ([B, T, *] with batchFirst) whose
    /// sequence b has length lengths[b]. With enforceSorted the lengths must be non-increasing; otherwise the
    /// sequences are sorted by decreasing length (stable) and the order is kept in SortedIndices.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than 2 dims, empty input, lengths count differing from B, a length &lt;= 0 or &gt; T, or unsorted lengths with enforceSorted.</exception>
    public static PackedSequence PackPaddedSequence(Tensor input, int[] lengths, bool batchFirst = false, bool enforceSorted = true)
    {
        if (input.Rank < 2)
            throw new ArgumentException($"PackPaddedSequence: input must have at least 2 dimensions (T x B x * or B x T x *), got shape {input.Shape}.");
        if (input.Numel() == 0) throw new ArgumentException($"PackPaddedSequence: Cannot pack empty tensors (input shape {input.Shape}).");
        int steps = input.Shape[batchFirst ? 1 : 0], batch = input.Shape[batchFirst ? 0 : 1];
        if (lengths.Length != batch)
            throw new ArgumentException($"PackPaddedSequence: Expected `len(lengths)` to be equal to batch_size, but got {lengths.Length} (batch_size={batch}, input shape {input.Shape}).");
        foreach (var l in lengths)
        {
            if (l <= 0)
                throw new ArgumentException($"PackPaddedSequence: Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0 (lengths [{string.Join(", ", lengths)}]).");
            if (l > steps)
                throw new ArgumentException($"PackPaddedSequence: length {l} exceeds the padded sequence length {steps} (input shape {input.Shape}, batchFirst={batchFirst}).");
        }
        long[]? order = null;
        if (enforceSorted)
        {
            for (int b = 1; b < batch; b++)
                if (lengths[b] > lengths[b - 1])
                    throw new ArgumentException($"PackPaddedSequence: `lengths` array must be sorted in decreasing order when `enforce_sorted` is True, got [{string.Join(", ", lengths)}]. You can pass enforceSorted: false to sidestep this requirement.");
        }
        else order = Enumerable.Range(0, batch).OrderByDescending(b => lengths[b]).Select(b => (long)b).ToArray();  // stable
        var sortedLengths = order is null ? lengths : order.Select(b => lengths[b]).ToArray();
        int maxLen = sortedLengths[0];
        var sizes = new long[maxLen];
        var rows = new List<long>();
        for (int t = 0; t < maxLen; t++)
        {
            int before = rows.Count;
            for (int k = 0; k < batch && sortedLengths[k] > t; k++)
            {
                long b = order?[k] ?? k;
                rows.Add(batchFirst ? b * steps + t : t * (long)batch + b);
            }
            sizes[t] = rows.Count - before;
        }
        var rest = input.Shape.ToArray()[2..];
        var data = input.Reshape([steps * batch, .. rest]).IndexSelect(0, Tensor.FromArray(rows.ToArray()));
        return new PackedSequence(data, Tensor.FromArray(sizes), order is null ? null : Tensor.FromArray(order));
    }

    /// <summary><see cref="PackPaddedSequence(Tensor, int[], bool, bool)"/> with lengths as a 1-D integer tensor.</summary>
    public static PackedSequence PackPaddedSequence(Tensor input, Tensor lengths, bool batchFirst = false, bool enforceSorted = true)
    {
        if (lengths.Rank != 1 || lengths.DType.IsFloatingPoint() || lengths.DType == DType.Bool)
            throw new ArgumentException($"PackPaddedSequence: lengths must be a 1-D integer tensor, got {lengths.DType} of shape {lengths.Shape}.");
        return PackPaddedSequence(input, lengths.To(DType.Int64).ToArray<long>().Select(v => checked((int)v)).ToArray(), batchFirst, enforceSorted);
    }

    /// <summary>
    /// torch.nn.utils.rnn.pad_packed_sequence: the inverse of packing. Returns the padded batch [T, B, *]
    /// ([B, T, *] with batchFirst), T = totalLength or the longest length, padding filled with paddingValue, in the
    /// original batch order, and the Int64 lengths [B] in that order.
    /// </summary>
    /// <exception cref="ArgumentException">totalLength shorter than the longest sequence.</exception>
    public static (Tensor Padded, Tensor Lengths) PadPackedSequence(PackedSequence sequence, bool batchFirst = false, double paddingValue = 0, int? totalLength = null)
    {
        var sizes = sequence.Sizes;
        int maxLen = sizes.Length, batch = sizes[0];
        if (totalLength is { } tl)
        {
            if (tl < maxLen)
                throw new ArgumentException($"PadPackedSequence: Expected total_length to be at least the length of the longest sequence in input, but got total_length={tl} and max sequence length being {maxLen}.");
            maxLen = tl;
        }
        var data = sequence.Data;
        int sumB = data.Shape[0];
        var unsorted = sequence.UnsortedIndices?.ToArray<long>();
        var offsets = new int[sizes.Length];
        for (int t = 1; t < sizes.Length; t++) offsets[t] = offsets[t - 1] + sizes[t - 1];
        var lengths = new long[batch];
        var map = new long[maxLen * batch];
        for (int j = 0; j < batch; j++)
        {
            int k = unsorted is null ? j : (int)unsorted[j];   // position of original sequence j in sorted order
            for (int t = 0; t < maxLen; t++)
            {
                bool active = t < sizes.Length && k < sizes[t];
                if (active) lengths[j]++;
                map[batchFirst ? j * maxLen + t : t * batch + j] = active ? offsets[t] + k : sumB;
            }
        }
        var rest = data.Shape.ToArray()[1..];
        var ext = Tensor.Cat([data, Tensor.Full([1, .. rest], paddingValue, data.DType)]);   // last row = padding
        var padded = ext.IndexSelect(0, Tensor.FromArray(map)).Reshape(batchFirst ? [batch, maxLen, .. rest] : [maxLen, batch, .. rest]);
        return (padded, Tensor.FromArray(lengths));
    }

    /// <summary>
    /// torch.nn.utils.rnn.pad_sequence: stacks sequences [L_i, *] into [T, B, *] ([B, T, *] with batchFirst),
    /// T = max L_i, padding with paddingValue on the right (or the left with paddingSide "left").
    /// </summary>
    /// <exception cref="ArgumentException">No sequences, differing trailing shapes or dtypes, a 0-dim sequence, or a bad paddingSide.</exception>
    public static Tensor PadSequence(IReadOnlyList<Tensor> sequences, bool batchFirst = false, double paddingValue = 0, string paddingSide = "right")
    {
        if (sequences.Count == 0) throw new ArgumentException("PadSequence: received an empty list of sequences.");
        if (paddingSide != "right" && paddingSide != "left")
            throw new ArgumentException($"PadSequence: Expected padding_side to be one of left or right, but got {paddingSide}.");
        var first = sequences[0];
        if (first.Rank == 0) throw new ArgumentException("PadSequence: sequences must have at least 1 dimension, got a 0-dim tensor at position 0.");
        var rest = first.Shape.ToArray()[1..];
        for (int i = 1; i < sequences.Count; i++)
        {
            var s = sequences[i];
            if (s.Rank != first.Rank || !s.Shape.ToArray()[1..].AsSpan().SequenceEqual(rest) || s.DType != first.DType)
                throw new ArgumentException($"PadSequence: sequence {i} ({s.DType} {s.Shape}) does not match sequence 0 ({first.DType} {first.Shape}) in trailing dims or dtype.");
        }
        int batch = sequences.Count, maxLen = sequences.Max(s => s.Shape[0]);
        var starts = new int[batch];
        for (int i = 1; i < batch; i++) starts[i] = starts[i - 1] + sequences[i - 1].Shape[0];
        int total = starts[^1] + sequences[^1].Shape[0];
        var map = new long[maxLen * batch];
        for (int b = 0; b < batch; b++)
        {
            int len = sequences[b].Shape[0], shift = paddingSide == "left" ? maxLen - len : 0;
            for (int t = 0; t < maxLen; t++)
            {
                int src = t - shift;
                map[batchFirst ? b * maxLen + t : t * batch + b] = src >= 0 && src < len ? starts[b] + src : total;
            }
        }
        var ext = Tensor.Cat([.. sequences, Tensor.Full([1, .. rest], paddingValue, first.DType)]);
        return ext.IndexSelect(0, Tensor.FromArray(map)).Reshape(batchFirst ? [batch, maxLen, .. rest] : [maxLen, batch, .. rest]);
    }

    /// <summary>torch.nn.utils.rnn.pack_sequence: PackPaddedSequence(PadSequence(sequences), their lengths, enforceSorted).</summary>
    /// <exception cref="ArgumentException">As PadSequence and PackPaddedSequence (e.g. unsorted lengths with enforceSorted, an empty sequence).</exception>
    public static PackedSequence PackSequence(IReadOnlyList<Tensor> sequences, bool enforceSorted = true) =>
        PackPaddedSequence(PadSequence(sequences), sequences.Select(s => s.Shape[0]).ToArray(), enforceSorted: enforceSorted);

    /// <summary>torch.nn.utils.rnn.unpad_sequence: the first lengths[b] steps of each sequence of a padded batch, as views.</summary>
    /// <exception cref="ArgumentException">lengths count differs from the batch size, or a length exceeds the padded length.</exception>
    public static Tensor[] UnpadSequence(Tensor padded, Tensor lengths, bool batchFirst = false)
    {
        if (padded.Rank < 2) throw new ArgumentException($"UnpadSequence: padded must have at least 2 dimensions, got shape {padded.Shape}.");
        var lens = lengths.To(DType.Int64).ToArray<long>();
        int batchDim = batchFirst ? 0 : 1, timeDim = 1 - batchDim;
        if (lens.Length != padded.Shape[batchDim])
            throw new ArgumentException($"UnpadSequence: got {lens.Length} lengths for a batch of {padded.Shape[batchDim]} (shape {padded.Shape}).");
        var r = new Tensor[lens.Length];
        for (int b = 0; b < lens.Length; b++)
        {
            if (lens[b] < 0 || lens[b] > padded.Shape[timeDim])
                throw new ArgumentException($"UnpadSequence: length {lens[b]} of sequence {b} is outside [0, {padded.Shape[timeDim]}].");
            r[b] = padded.Select(batchDim, b).Narrow(0, 0, (int)lens[b]);
        }
        return r;
    }

    /// <summary>torch.nn.utils.rnn.unpack_sequence: the sequences of a packed batch, in original order.</summary>
    public static Tensor[] UnpackSequence(PackedSequence packed)
    {
        var (padded, lengths) = PadPackedSequence(packed, batchFirst: true);
        return UnpadSequence(padded, lengths, batchFirst: true);
    }
}

namespace Lantern.NN;

// Embedding lookups (torch.nn.functional.embedding / embedding_bag).
public static partial class F
{
    /// <summary>The padding index in [0, num) (negative counts from the end), or null.</summary>
    private static int? NormalizePaddingIdx(int? paddingIdx, int num, string op)
    {
        if (paddingIdx is not { } p) return null;
        if (p >= num || p < -num)
            throw new ArgumentException($"{op}: padding_idx {p} must be within num_embeddings {num} (in [-{num}, {num})).");
        return p < 0 ? p + num : p;
    }

    private static void CheckEmbeddingIndex(Tensor indices, int num, string op)
    {
        if (indices.DType != DType.Int64)
            throw new ArgumentException($"{op}: expected an Int64 index tensor, got {indices.DType} (shape {indices.Shape}).");
        if (indices.Numel() == 0) return;
        long lo, hi;
        using (Autograd.NoGrad()) { lo = indices.Min().Item<long>(); hi = indices.Max().Item<long>(); }
        if (lo < 0 || hi >= num)
            throw new ArgumentException($"{op}: index {(lo < 0 ? lo : hi)} is out of range for num_embeddings {num} (input shape {indices.Shape}).");
    }

    /// <summary>
    /// torch.nn.functional.embedding_renorm_ (what max_norm does): every row of <paramref name="weight"/> looked up by
    /// <paramref name="indices"/> whose normType-norm exceeds maxNorm is scaled in place by maxNorm / (norm + 1e-7),
    /// without recording a gradient.
    /// </summary>
    private static void EmbeddingRenorm(Tensor weight, Tensor indices, double maxNorm, double normType)
    {
        using (Autograd.NoGrad())
        {
            var rows = indices.Reshape(-1).Unique().Values;
            if (rows.Numel() == 0) return;
            var w = weight.IndexSelect(0, rows);
            var norms = w.Norm(normType, [1], keepDim: true);
            var scale = Tensor.Where(norms.Gt(maxNorm), norms.Add(1e-7).Reciprocal().Mul(maxNorm), 1);
            weight.IndexPut_([rows], w.Mul(scale));
        }
    }

    /// <summary>
    /// torch.nn.functional.embedding: y[..., :] = weight[input[...], :]; input is Int64 of any shape, weight
    /// [num_embeddings, embedding_dim], y [*input.shape, embedding_dim]. The gradient adds g rows into the
    /// looked-up rows, except the row <paramref name="paddingIdx"/> (never updated); with
    /// <paramref name="scaleGradByFreq"/> each row's gradient is divided by how often its index occurs in input.
    /// With <paramref name="maxNorm"/> the looked-up rows are first renormalised in place (see PyTorch).
    /// </summary>
    /// <exception cref="ArgumentException">input not Int64, weight not 2-D, an index out of range, or paddingIdx outside the table.</exception>
    [Differentiable]
    public static Tensor Embedding(Tensor input, Tensor weight, int? paddingIdx = null, double? maxNorm = null, double normType = 2, bool scaleGradByFreq = false)
    {
        if (weight.Rank != 2)
            throw new ArgumentException($"Embedding: weight must be 2-D [num_embeddings, embedding_dim], got shape {weight.Shape}.");
        int num = weight.Shape[0], dim = weight.Shape[1];
        var pad = NormalizePaddingIdx(paddingIdx, num, "Embedding");
        CheckEmbeddingIndex(input, num, "Embedding");
        if (maxNorm is { } mn) EmbeddingRenorm(weight, input, mn, normType);
        var idx = input.Reshape(-1);
        Tensor y;
        using (Autograd.NoGrad()) y = weight.IndexSelect(0, idx).Reshape([.. input.Shape.ToArray(), dim]);
        if (!Autograd.NeedsGrad(weight)) return y;
        return Autograd.Record(y, "Embedding", [weight], g =>
        {
            var g2 = g.Reshape(-1, dim);
            if (pad is { } p) g2 = g2.MaskedFill(idx.Eq(p).Unsqueeze(1), 0);
            if (scaleGradByFreq)
            {
                var counts = Tensor.Zeros([num], g.DType).IndexAdd(0, idx, Tensor.Ones([idx.Numel()], g.DType));
                g2 = g2.Div(counts.IndexSelect(0, idx).Unsqueeze(1));
            }
            return [Tensor.Zeros([num, dim], g.DType).IndexAdd(0, idx, g2)];
        });
    }

    /// <summary>
    /// torch.nn.functional.embedding_bag: sums, averages or takes the elementwise max of the embeddings of each bag
    /// without materialising them per bag. Bags: a 2-D input [B, L] holds B bags of L indices (offsets must be
    /// null); a 1-D input is cut at <paramref name="offsets"/> (bag i = input[offsets[i] .. offsets[i + 1]); with
    /// <paramref name="includeLastOffset"/> the last offset closes the last bag). Entries equal to paddingIdx are
    /// left out (also of the mean's count); an empty bag gives zeros. <paramref name="perSampleWeights"/> (input's
    /// shape, mode "sum" only) scale each embedding. Output [B, embedding_dim]. Gradients as F.Embedding; "max"
    /// sends each output gradient to the winning entry (shared evenly on exact ties).
    /// </summary>
    /// <exception cref="ArgumentException">Bad mode, offsets given with a 2-D input or missing with a 1-D one, offsets not starting at 0,
    /// decreasing or past the input, per-sample weights with a mode other than "sum" or of the wrong shape, and as F.Embedding.</exception>
    public static Tensor EmbeddingBag(Tensor input, Tensor weight, Tensor? offsets = null, double? maxNorm = null, double normType = 2,
        bool scaleGradByFreq = false, string mode = "mean", Tensor? perSampleWeights = null, bool includeLastOffset = false, int? paddingIdx = null)
    {
        const string op = "EmbeddingBag";
        if (mode is not ("sum" or "mean" or "max")) throw new ArgumentException($"{op}: mode has to be one of sum, mean or max, got '{mode}'.");
        if (weight.Rank != 2) throw new ArgumentException($"{op}: weight must be 2-D [num_embeddings, embedding_dim], got shape {weight.Shape}.");
        if (perSampleWeights is not null && mode != "sum")
            throw new ArgumentException($"{op}: per_sample_weights was not None. per_sample_weights is only supported for mode='sum' (got mode='{mode}').");
        if (perSampleWeights is not null && perSampleWeights.Shape != input.Shape)
            throw new ArgumentException($"{op}: per_sample_weights shape {perSampleWeights.Shape} must equal the input shape {input.Shape}.");
        long[] starts;
        int total = input.Numel();
        if (input.Rank == 2)
        {
            if (offsets is not null) throw new ArgumentException($"{op}: if input is 2D, then offsets has to be None (input shape {input.Shape}).");
            int bags = input.Shape[0], len = input.Shape[1];
            starts = Enumerable.Range(0, bags).Select(b => (long)b * len).ToArray();
        }
        else if (input.Rank == 1)
        {
            if (offsets is null || offsets.Rank != 1 || offsets.DType != DType.Int64)
                throw new ArgumentException($"{op}: offsets has to be a 1D Int64 tensor when input is 1D, got {(offsets is null ? "null" : $"{offsets.DType} {offsets.Shape}")}.");
            starts = offsets.ToArray<long>();
            if (includeLastOffset)
            {
                if (starts.Length == 0) throw new ArgumentException($"{op}: include_last_offset needs at least one offset.");
                if (starts[^1] != total) throw new ArgumentException($"{op}: with include_last_offset the last offset must equal the input size {total}, got {starts[^1]}.");
                starts = starts[..^1];
            }
            if (starts.Length > 0 && starts[0] != 0)
                throw new ArgumentException($"{op}: offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from position 0. However, got {starts[0]}.");
            for (int i = 0; i < starts.Length; i++)
                if ((i > 0 && starts[i] < starts[i - 1]) || starts[i] > total)
                    throw new ArgumentException($"{op}: offsets must be non-decreasing and at most the input size {total}, got [{string.Join(", ", starts)}].");
        }
        else throw new ArgumentException($"{op}: input has to be 1D or 2D Tensor, but got Tensor of dimension {input.Rank} (shape {input.Shape}).");

        int num = weight.Shape[0], dim = weight.Shape[1], bagCount = starts.Length;
        var pad = NormalizePaddingIdx(paddingIdx, num, op);
        var flat = input.Reshape(-1);
        CheckEmbeddingIndex(flat, num, op);
        // Entries that take part (not padding) and the bag of each.
        var ids = flat.ToArray<long>();
        var keep = new List<long>();
        var bagOf = new List<long>();
        var counts = new double[bagCount];
        for (int b = 0; b < bagCount; b++)
        {
            long end = b + 1 < bagCount ? starts[b + 1] : total;
            for (long i = starts[b]; i < end; i++)
                if (pad is not { } p || ids[i] != p) { keep.Add(i); bagOf.Add(b); counts[b]++; }
        }
        var keepIdx = Tensor.FromArray(keep.ToArray());
        var bag = Tensor.FromArray(bagOf.ToArray());
        var rows = Embedding(flat, weight, pad, maxNorm, normType, scaleGradByFreq).IndexSelect(0, keepIdx);   // [K, dim]
        if (perSampleWeights is not null) rows = rows.Mul(perSampleWeights.Reshape(-1).To(rows.DType).IndexSelect(0, keepIdx).Unsqueeze(1));
        if (mode == "max")
        {
            var init = Tensor.Full([bagCount, dim], double.NegativeInfinity, rows.DType);
            var maxed = init.ScatterReduce(0, bag.Unsqueeze(1).Expand(keep.Count, dim), rows, "amax", includeSelf: false);
            var empty = Tensor.FromArray(counts).Eq(0).Unsqueeze(1);
            return maxed.MaskedFill(empty, 0);
        }
        var sum = Tensor.Zeros([bagCount, dim], rows.DType).IndexAdd(0, bag, rows);
        if (mode == "sum") return sum;
        var divisor = Tensor.FromArray(counts.Select(v => Math.Max(v, 1)).ToArray()).To(rows.DType).Unsqueeze(1);
        return sum.Div(divisor);
    }
}

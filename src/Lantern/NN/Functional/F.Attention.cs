namespace Lantern.NN;

// Scaled dot-product attention (the math path of torch.nn.functional.scaled_dot_product_attention) and the
// mask helpers shared by MultiheadAttention and the transformer layers.
public static partial class F
{
    /// <summary>
    /// torch.nn.functional.scaled_dot_product_attention, PyTorch's math definition:
    /// <c>softmax(Q K^T * scale + bias) V</c> with scale = 1 / sqrt(E) by default, where bias is 0 where
    /// <paramref name="attnMask"/> is true (Bool: true = take part) or the mask itself (floating: added), and
    /// -inf above the diagonal when <paramref name="isCausal"/> (top-left aligned, as torch.ones(L, S).tril()).
    /// Dropout with probability <paramref name="dropoutP"/> is applied to the attention weights whenever it is
    /// positive (the functional form does not look at a training flag, as PyTorch).
    /// A row whose scores are all -inf (every key masked) yields zero weights and a zero output row with zero
    /// gradient, as PyTorch's math path (its _safe_softmax), not NaN.
    /// <para>Shapes: query [..., L, E], key [..., S, E], value [..., S, Ev] (batch dims broadcast as in
    /// MatMul); attnMask broadcastable to [..., L, S]; result [..., L, Ev]. With <paramref name="enableGqa"/>
    /// key/value may have fewer heads (dim -3) than query; each is repeated (repeat_interleave) to match.</para>
    /// </summary>
    /// <example><c>var y = F.ScaledDotProductAttention(q, k, v, isCausal: true);</c></example>
    /// <exception cref="ArgumentException">Rank below 2, differing dtypes, mismatched E or S, batch dims that do not
    /// broadcast, a mask that does not broadcast to [..., L, S] or has another dtype, a mask together with
    /// isCausal, dropoutP outside [0, 1], or head counts that do not divide under enableGqa.</exception>
    public static Tensor ScaledDotProductAttention(Tensor query, Tensor key, Tensor value, Tensor? attnMask = null,
        double dropoutP = 0, bool isCausal = false, double? scale = null, bool enableGqa = false, Generator? generator = null)
    {
        const string op = "ScaledDotProductAttention";
        if (query.Rank < 2 || key.Rank < 2 || value.Rank < 2)
            throw new ArgumentException($"{op}: query, key and value must have at least 2 dims ([..., L, E], [..., S, E], [..., S, Ev]), got {query.Shape}, {key.Shape}, {value.Shape}.");
        if (!query.DType.IsFloatingPoint() || key.DType != query.DType || value.DType != query.DType)
            throw new ArgumentException($"{op}: expected query, key and value to have the same floating dtype, got {query.DType}, {key.DType} and {value.DType}.");
        int l = query.Shape[-2], e = query.Shape[-1], s = key.Shape[-2];
        if (key.Shape[-1] != e)
            throw new ArgumentException($"{op}: query {query.Shape} and key {key.Shape} must have the same last dimension E.");
        if (value.Shape[-2] != s)
            throw new ArgumentException($"{op}: key {key.Shape} and value {value.Shape} must have the same sequence length S (dim -2).");
        if (dropoutP < 0 || dropoutP > 1)
            throw new ArgumentException($"{op}: dropout probability has to be between 0 and 1, but got {dropoutP}.");
        if (isCausal && attnMask is not null)
            throw new ArgumentException($"{op}: explicit attn_mask (shape {attnMask.Shape}) should not be set when isCausal is true.");
        if (enableGqa) (key, value) = RepeatKvHeads(query, key, value, op);
        var batch = Shape.Broadcast(Shape.Create(query.Shape.Raw[..^2]), Shape.Create(key.Shape.Raw[..^2]), op);
        batch = Shape.Broadcast(batch, Shape.Create(value.Shape.Raw[..^2]), op);
        Shape scoresShape = [.. batch.Raw, l, s];

        double sc = scale ?? 1 / Math.Sqrt(e);
        var scores = query.MatMul(key.MT).Mul(sc);                                     // [..., L, S]
        if (isCausal)
        {
            // j > i is masked (ones(L, S).tril(0) takes part).
            var above = Tensor.Arange(s).Unsqueeze(0).Gt(Tensor.Arange(l).Unsqueeze(1));
            scores = scores.MaskedFill(above, double.NegativeInfinity);
        }
        if (attnMask is not null)
        {
            if (attnMask.Rank > scoresShape.Rank || Shape.Broadcast(scoresShape, attnMask.Shape, op) != scoresShape)
                throw new ArgumentException($"{op}: attn_mask of shape {attnMask.Shape} does not broadcast to the attention scores' shape {scoresShape} ([..., L, S]).");
            if (attnMask.DType == DType.Bool) scores = scores.MaskedFill(attnMask.LogicalNot(), double.NegativeInfinity);
            else if (attnMask.DType == query.DType) scores = scores.Add(attnMask);
            else throw new ArgumentException($"{op}: expected attn_mask dtype to be Bool or the query's dtype {query.DType}, but got {attnMask.DType}.");
        }
        var weights = SafeSoftmax(scores);
        if (dropoutP > 0) weights = Dropout(weights, dropoutP, training: true, generator: generator);
        return weights.MatMul(value);
    }

    /// <summary>
    /// PyTorch's _safe_softmax over the last dim: softmax, except that a row of all -inf gives zeros (and a zero
    /// gradient) instead of NaN.
    /// </summary>
    private static Tensor SafeSoftmax(Tensor scores)
    {
        Tensor masked;
        using (Autograd.NoGrad()) masked = scores.Eq(double.NegativeInfinity).All([-1], keepDim: true);
        if (!masked.Any().Item<bool>()) return Softmax(scores, -1);
        // Give masked rows finite scores first so that neither the forward nor the backward sees NaN.
        var y = Softmax(Tensor.Where(masked, 0.0, scores), -1);
        return Tensor.Where(masked, 0.0, y);
    }

    private static (Tensor Key, Tensor Value) RepeatKvHeads(Tensor query, Tensor key, Tensor value, string op)
    {
        if (query.Rank < 3 || key.Rank < 3 || value.Rank < 3)
            throw new ArgumentException($"{op}: enableGqa needs a head dim (-3) in query, key and value, got {query.Shape}, {key.Shape}, {value.Shape}.");
        int hq = query.Shape[-3], hk = key.Shape[-3], hv = value.Shape[-3];
        if (hk == 0 || hv == 0 || hq % hk != 0 || hq % hv != 0)
            throw new ArgumentException($"{op}: with enableGqa the query heads ({hq}) must be a multiple of the key heads ({hk}) and value heads ({hv}).");
        return (hk == hq ? key : key.RepeatInterleave(hq / hk, key.Rank - 3), hv == hq ? value : value.RepeatInterleave(hq / hv, value.Rank - 3));
    }

    /// <summary>
    /// PyTorch's _canonical_mask: a Bool mask (true = masked out) becomes an additive float mask (0 / -inf) of
    /// <paramref name="target"/> dtype; a floating mask of that dtype is returned as is.
    /// </summary>
    internal static Tensor? CanonicalMask(Tensor? mask, string maskName, DType target, string op)
    {
        if (mask is null) return null;
        if (mask.DType == DType.Bool)
        {
            using (Autograd.NoGrad()) return Tensor.Zeros(mask.Shape, target).MaskedFill(mask, double.NegativeInfinity);
        }
        if (!mask.DType.IsFloatingPoint())
            throw new ArgumentException($"{op}: only bool and floating types of {maskName} are supported, got {mask.DType}.");
        if (mask.DType != target)
            throw new ArgumentException($"{op}: floating {maskName} must have the input's dtype {target}, got {mask.DType}.");
        return mask;
    }

    /// <summary>PyTorch's _generate_square_subsequent_mask: [sz, sz] with 0 on and below the diagonal, -inf above.</summary>
    internal static Tensor SquareSubsequentMask(int sz, DType dtype)
    {
        if (sz < 0) throw new ArgumentException($"Transformer.GenerateSquareSubsequentMask: size must be non-negative, got {sz}.");
        return Tensor.Full([sz, sz], double.NegativeInfinity, dtype).Triu(1);
    }

    /// <summary>
    /// PyTorch's _detect_is_causal_mask: an explicit hint wins; without one, a mask equal to the square
    /// subsequent mask of size <paramref name="size"/> counts as causal.
    /// </summary>
    internal static bool DetectIsCausalMask(Tensor? mask, bool? isCausal, int? size)
    {
        if (isCausal is { } hint) return hint;
        if (mask is null) return false;
        int sz = size ?? mask.Shape[-2];
        if (mask.Rank != 2 || mask.Shape[0] != sz || mask.Shape[1] != sz) return false;
        using (Autograd.NoGrad()) return mask.Eq(SquareSubsequentMask(sz, mask.DType)).All().Item<bool>();
    }
}

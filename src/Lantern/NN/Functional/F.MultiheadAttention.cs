namespace Lantern.NN;

// torch.nn.functional.multi_head_attention_forward, step for step.
public static partial class F
{
    /// <summary>
    /// torch.nn.functional.multi_head_attention_forward (sequence-first). Projects query/key/value with the packed
    /// <paramref name="inProjWeight"/> [3E, E] (or the separate q/k/v weights [E, E], [E, kdim], [E, vdim]),
    /// splits E into <paramref name="numHeads"/> heads of E/H, appends bias_k/bias_v ([1, 1, E]) and a zero
    /// key/value when asked, attends per head with scale 1/sqrt(E/H), concatenates heads and applies the output
    /// projection.
    /// <para>Shapes: query [L, N, E] (or unbatched [L, E]), key [S, N, kdim], value [S, N, vdim];
    /// keyPaddingMask [N, S] (Bool: true = ignore; or additive float); attnMask [L, S] or [N*H, L, S]
    /// (Bool: true = not allowed; or additive float). Output [L, N, E]; weights [N, L, S] averaged over heads
    /// (or [N, H, L, S]), or null when <paramref name="needWeights"/> is false.</para>
    /// <para>With needWeights the softmax is the plain one (a fully masked row gives NaN, as PyTorch); without,
    /// the attention runs through <see cref="ScaledDotProductAttention"/> (a fully masked row gives zeros).
    /// <paramref name="isCausal"/> is a hint that attnMask is causal: it needs attnMask, and when there is no
    /// key padding mask and no weights are wanted, the causal mask replaces attnMask (as PyTorch).</para>
    /// </summary>
    /// <exception cref="ArgumentException">Wrong ranks, E differing from embedDimToCheck, E not divisible by the
    /// heads, key/value/batch shapes that disagree, masks of the wrong shape or dtype, a missing projection weight,
    /// isCausal without attnMask, bias_k without bias_v, or static_k/static_v of the wrong shape.</exception>
    public static (Tensor Output, Tensor? Weights) MultiHeadAttentionForward(
        Tensor query, Tensor key, Tensor value, int embedDimToCheck, int numHeads,
        Tensor? inProjWeight, Tensor? inProjBias, Tensor? biasK, Tensor? biasV, bool addZeroAttn,
        double dropoutP, Tensor outProjWeight, Tensor? outProjBias, bool training = true,
        Tensor? keyPaddingMask = null, bool needWeights = true, Tensor? attnMask = null,
        bool useSeparateProjWeight = false, Tensor? qProjWeight = null, Tensor? kProjWeight = null, Tensor? vProjWeight = null,
        Tensor? staticK = null, Tensor? staticV = null, bool averageAttnWeights = true, bool isCausal = false, Generator? generator = null)
    {
        const string op = "MultiheadAttention";
        bool batched = MhaShapeCheck(query, key, value, keyPaddingMask, attnMask, numHeads);
        if (!batched)
        {
            bool kv = ReferenceEquals(key, value), qk = ReferenceEquals(query, key);
            query = query.Unsqueeze(1);
            key = qk ? query : key.Unsqueeze(1);
            value = kv ? key : value.Unsqueeze(1);
            keyPaddingMask = keyPaddingMask?.Unsqueeze(0);
        }
        int l = query.Shape[0], n = query.Shape[1], e = query.Shape[2];
        keyPaddingMask = CanonicalMask(keyPaddingMask, "key_padding_mask", query.DType, op);
        if (isCausal && attnMask is null)
            throw new ArgumentException($"{op}: need attn_mask if specifying the is_causal hint; Transformer.GenerateSquareSubsequentMask creates one.");
        if (isCausal && keyPaddingMask is null && !needWeights) attnMask = null;
        else
        {
            attnMask = CanonicalMask(attnMask, "attn_mask", query.DType, op);
            if (keyPaddingMask is not null) isCausal = false;
        }
        if (e != embedDimToCheck)
            throw new ArgumentException($"{op}: was expecting embedding dimension of {embedDimToCheck}, but got query {query.Shape}.");
        if (numHeads <= 0 || e % numHeads != 0)
            throw new ArgumentException($"{op}: embed_dim {e} not divisible by num_heads {numHeads}.");
        int h = numHeads, hd = e / h;
        if (key.Shape[1] != n || value.Shape[1] != n)
            throw new ArgumentException($"{op}: batch sizes differ: query {query.Shape}, key {key.Shape}, value {value.Shape} (dim 1 is the batch).");
        if (useSeparateProjWeight ? key.Shape[0] != value.Shape[0] : key.Shape != value.Shape)
            throw new ArgumentException($"{op}: key shape {key.Shape} does not match value shape {value.Shape}.");

        var (q, k, v) = useSeparateProjWeight
            ? InProjectionSeparate(query, key, value, qProjWeight, kProjWeight, vProjWeight, inProjBias, e, op)
            : InProjectionPacked(query, key, value, inProjWeight, inProjBias, e, op);

        int s = key.Shape[0];
        if (attnMask is not null)
        {
            if (attnMask.Rank == 2)
            {
                if (attnMask.Shape[0] != l || attnMask.Shape[1] != s)
                    throw new ArgumentException($"{op}: the shape of the 2D attn_mask is {attnMask.Shape}, but should be [{l}, {s}].");
                attnMask = attnMask.Unsqueeze(0);
            }
            else if (attnMask.Shape[0] != n * h || attnMask.Shape[1] != l || attnMask.Shape[2] != s)
                throw new ArgumentException($"{op}: the shape of the 3D attn_mask is {attnMask.Shape}, but should be [{n * h}, {l}, {s}].");
        }

        if (biasK is not null && biasV is not null)
        {
            if (staticK is not null || staticV is not null)
                throw new ArgumentException($"{op}: bias cannot be added to static key or value.");
            if (biasK.Shape != new Shape(1, 1, e) || biasV.Shape != new Shape(1, 1, e))
                throw new ArgumentException($"{op}: bias_k and bias_v must have shape [1, 1, {e}], got {biasK.Shape} and {biasV.Shape}.");
            k = Tensor.Cat([k, biasK.Repeat(1, n, 1)]);
            v = Tensor.Cat([v, biasV.Repeat(1, n, 1)]);
            attnMask = attnMask?.Pad([0, 1]);
            keyPaddingMask = keyPaddingMask?.Pad([0, 1]);
        }
        else if (biasK is not null || biasV is not null)
            throw new ArgumentException($"{op}: bias_k and bias_v must be given together.");

        // Heads become part of the batch: [L, N, E] -> [N*H, L, hd].
        q = q.Reshape(l, n * h, hd).Transpose(0, 1);
        k = StaticOr(staticK, k, "static_k");
        v = StaticOr(staticV, v, "static_v");

        if (addZeroAttn)
        {
            k = Tensor.Cat([k, Tensor.Zeros([n * h, 1, hd], k.DType)], 1);
            v = Tensor.Cat([v, Tensor.Zeros([n * h, 1, hd], v.DType)], 1);
            attnMask = attnMask?.Pad([0, 1]);
            keyPaddingMask = keyPaddingMask?.Pad([0, 1]);
        }
        s = k.Shape[1];

        if (keyPaddingMask is not null)
        {
            if (keyPaddingMask.Shape != new Shape(n, s))
                throw new ArgumentException($"{op}: expecting key_padding_mask shape of [{n}, {s}], but got {keyPaddingMask.Shape}.");
            var kpm = keyPaddingMask.View(n, 1, 1, s).Expand(-1, h, -1, -1).Reshape(n * h, 1, s);
            attnMask = attnMask is null ? kpm : attnMask.Add(kpm);
        }
        if (!training) dropoutP = 0;

        if (needWeights)
        {
            var scores = q.Mul(Math.Sqrt(1.0 / hd)).Bmm(k.MT);                         // [N*H, L, S]
            if (attnMask is not null) scores = scores.Add(attnMask);
            var w = Softmax(scores, -1);
            if (dropoutP > 0) w = Dropout(w, dropoutP, training: true, generator: generator);
            var o = w.Bmm(v).Transpose(0, 1).Reshape(l * n, e);                        // [L*N, E]
            o = Linear(o, outProjWeight, outProjBias).View(l, n, -1);
            var weights = w.View(n, h, l, s);
            if (averageAttnWeights) weights = weights.Mean(1);
            return batched ? (o, weights) : (o.Squeeze(1), weights.Squeeze(0));
        }
        else
        {
            if (attnMask is not null)
                attnMask = attnMask.Shape[0] == 1 ? attnMask.Unsqueeze(0) : attnMask.Reshape(n, h, -1, s);
            var o = ScaledDotProductAttention(q.Reshape(n, h, l, hd), k.Reshape(n, h, s, hd), v.Reshape(n, h, s, hd),
                attnMask, dropoutP, isCausal, generator: generator);                   // [N, H, L, hd]
            o = o.Permute(2, 0, 1, 3).Reshape(l * n, e);
            o = Linear(o, outProjWeight, outProjBias).View(l, n, -1);
            return (batched ? o : o.Squeeze(1), null);
        }

        Tensor StaticOr(Tensor? stat, Tensor t, string name)
        {
            if (stat is null) return t.Reshape(t.Shape[0], n * h, hd).Transpose(0, 1);
            if (stat.Rank != 3 || stat.Shape[0] != n * h || stat.Shape[2] != hd)
                throw new ArgumentException($"{op}: expecting {name} of shape [{n * h}, S, {hd}], but got {stat.Shape}.");
            return stat;
        }
    }

    /// <summary>PyTorch's _mha_shape_check: true for batched (3-D) query, false for unbatched (2-D).</summary>
    private static bool MhaShapeCheck(Tensor query, Tensor key, Tensor value, Tensor? keyPaddingMask, Tensor? attnMask, int numHeads)
    {
        const string op = "MultiheadAttention";
        if (query.Rank == 3)
        {
            if (key.Rank != 3 || value.Rank != 3)
                throw new ArgumentException($"{op}: for batched (3-D) query {query.Shape}, expected key and value to be 3-D but found {key.Shape} and {value.Shape}.");
            if (keyPaddingMask is not null && keyPaddingMask.Rank != 2)
                throw new ArgumentException($"{op}: for batched (3-D) query, expected key_padding_mask to be null or 2-D but found {keyPaddingMask.Shape}.");
            if (attnMask is not null && attnMask.Rank is not (2 or 3))
                throw new ArgumentException($"{op}: for batched (3-D) query, expected attn_mask to be null, 2-D or 3-D but found {attnMask.Shape}.");
            return true;
        }
        if (query.Rank == 2)
        {
            if (key.Rank != 2 || value.Rank != 2)
                throw new ArgumentException($"{op}: for unbatched (2-D) query {query.Shape}, expected key and value to be 2-D but found {key.Shape} and {value.Shape}.");
            if (keyPaddingMask is not null && keyPaddingMask.Rank != 1)
                throw new ArgumentException($"{op}: for unbatched (2-D) query, expected key_padding_mask to be null or 1-D but found {keyPaddingMask.Shape}.");
            if (attnMask is not null)
            {
                if (attnMask.Rank is not (2 or 3))
                    throw new ArgumentException($"{op}: for unbatched (2-D) query, expected attn_mask to be null, 2-D or 3-D but found {attnMask.Shape}.");
                if (attnMask.Rank == 3 && attnMask.Shape != new Shape(numHeads, query.Shape[0], key.Shape[0]))
                    throw new ArgumentException($"{op}: expected attn_mask shape to be [{numHeads}, {query.Shape[0]}, {key.Shape[0]}] but got {attnMask.Shape}.");
            }
            return false;
        }
        throw new ArgumentException($"{op}: query should be unbatched 2-D or batched 3-D but received query of shape {query.Shape}.");
    }

    /// <summary>PyTorch's _in_projection_packed: one GEMM for self-attention, q and (k, v) apart for shared key/value.</summary>
    private static (Tensor Q, Tensor K, Tensor V) InProjectionPacked(Tensor q, Tensor k, Tensor v, Tensor? w, Tensor? b, int e, string op)
    {
        if (w is null || w.Shape != new Shape(3 * e, e))
            throw new ArgumentException($"{op}: in_proj_weight must have shape [{3 * e}, {e}], got {(w is null ? "null" : w.Shape.ToString())}.");
        if (b is not null && b.Shape != new Shape(3 * e))
            throw new ArgumentException($"{op}: in_proj_bias must have shape [{3 * e}], got {b.Shape}.");
        if (k.Shape[-1] != e)
            throw new ArgumentException($"{op}: key and value must have {e} features for the packed projection, got key {k.Shape}.");
        if (ReferenceEquals(k, v))
        {
            if (ReferenceEquals(q, k))
            {
                var proj = Linear(q, w, b);                                                 // [L, N, 3E]
                return (proj.Narrow(-1, 0, e), proj.Narrow(-1, e, e), proj.Narrow(-1, 2 * e, e));
            }
            var wq = w.Narrow(0, 0, e);
            var wkv = w.Narrow(0, e, 2 * e);
            var kv = Linear(k, wkv, b?.Narrow(0, e, 2 * e));
            return (Linear(q, wq, b?.Narrow(0, 0, e)), kv.Narrow(-1, 0, e), kv.Narrow(-1, e, e));
        }
        var ws = w.Chunk(3);
        var bs = b?.Chunk(3);
        return (Linear(q, ws[0], bs?[0]), Linear(k, ws[1], bs?[1]), Linear(v, ws[2], bs?[2]));
    }

    /// <summary>PyTorch's _in_projection with separate q/k/v weights (kdim/vdim may differ from E).</summary>
    private static (Tensor Q, Tensor K, Tensor V) InProjectionSeparate(Tensor q, Tensor k, Tensor v, Tensor? wq, Tensor? wk, Tensor? wv, Tensor? b, int e, string op)
    {
        if (wq is null || wk is null || wv is null)
            throw new ArgumentException($"{op}: use_separate_proj_weight needs q_proj_weight, k_proj_weight and v_proj_weight.");
        if (wq.Shape != new Shape(e, e))
            throw new ArgumentException($"{op}: expecting query weights shape of [{e}, {e}], but got {wq.Shape}.");
        if (wk.Shape != new Shape(e, k.Shape[-1]))
            throw new ArgumentException($"{op}: expecting key weights shape of [{e}, {k.Shape[-1]}] for key {k.Shape}, but got {wk.Shape}.");
        if (wv.Shape != new Shape(e, v.Shape[-1]))
            throw new ArgumentException($"{op}: expecting value weights shape of [{e}, {v.Shape[-1]}] for value {v.Shape}, but got {wv.Shape}.");
        if (b is not null && b.Shape != new Shape(3 * e))
            throw new ArgumentException($"{op}: in_proj_bias must have shape [{3 * e}], got {b.Shape}.");
        var bs = b?.Chunk(3);
        return (Linear(q, wq, bs?[0]), Linear(k, wk, bs?[1]), Linear(v, wv, bs?[2]));
    }
}

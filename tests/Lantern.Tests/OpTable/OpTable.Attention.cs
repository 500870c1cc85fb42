using Lantern.NN;

namespace Lantern.Tests.OpTable;

// Rows for scaled dot-product attention and multi-head attention, against loop references.
public static partial class Ops
{
    /// <summary>Element [batch..., i, j] of t with t's batch dims aligned from the right and broadcast.</summary>
    private static double AtB(Nd t, int[] batch, int i, int j)
    {
        var idx = new int[t.Rank];
        int tb = t.Rank - 2, off = batch.Length - tb;
        for (int d = 0; d < tb; d++) idx[d] = t.Shape[d] == 1 ? 0 : batch[d + off];
        idx[tb] = t.Shape[tb] == 1 ? 0 : i;
        idx[tb + 1] = t.Shape[tb + 1] == 1 ? 0 : j;
        return t[idx];
    }

    /// <summary>
    /// softmax(q k^T * scale + bias) v by loops, PyTorch's math definition: a Bool mask (0/1 values) keeps where 1,
    /// a float mask is added, causal masks j &gt; i; all-masked rows give 0; keep (dropout) multiplies the weights.
    /// </summary>
    private static Nd SdpaRef(Nd q, Nd k, Nd v, Nd? mask, bool boolMask, bool causal, double? scale, Nd? keep = null)
    {
        var batch = Nd.BroadcastShape(Nd.BroadcastShape(q.Shape[..^2], k.Shape[..^2]), v.Shape[..^2]);
        int l = q.Shape[^2], e = q.Shape[^1], s = k.Shape[^2], ev = v.Shape[^1];
        double sc = scale ?? 1 / Math.Sqrt(e);
        var outShape = batch.Concat(new[] { l, ev }).ToArray();
        var r = new Nd(outShape);
        var bshape = new Nd(batch);
        int nb = Math.Max(1, bshape.Data.Length);
        for (int b = 0; b < nb; b++)
        {
            var bi = batch.Length == 0 ? [] : bshape.Unravel(b);
            for (int i = 0; i < l; i++)
            {
                var sco = new double[s];
                for (int j = 0; j < s; j++)
                {
                    double dot = 0;
                    for (int c = 0; c < e; c++) dot += AtB(q, bi, i, c) * AtB(k, bi, j, c);
                    sco[j] = dot * sc;
                    if (causal && j > i) sco[j] = double.NegativeInfinity;
                    if (mask is not null)
                        sco[j] = boolMask ? (AtB(mask, bi, i, j) != 0 ? sco[j] : double.NegativeInfinity) : sco[j] + AtB(mask, bi, i, j);
                }
                double max = sco.Max();
                var w = new double[s];
                if (!double.IsNegativeInfinity(max))
                {
                    double sum = sco.Sum(x => Math.Exp(x - max));
                    for (int j = 0; j < s; j++) w[j] = Math.Exp(sco[j] - max) / sum;
                }
                if (keep is not null)
                    for (int j = 0; j < s; j++) w[j] *= keep.Data[(b * l + i) * s + j];
                for (int c = 0; c < ev; c++)
                {
                    double acc = 0;
                    for (int j = 0; j < s; j++) acc += w[j] * AtB(v, bi, j, c);
                    r.Data[(b * l + i) * ev + c] = acc;
                }
            }
        }
        return r;
    }

    /// <summary>
    /// Multi-head attention by loops: projections, optional bias_k/bias_v and zero key, per-head softmax with an
    /// additive mask(n, h, i, j), concatenation and output projection. Returns the output [L, N, E] and the
    /// head-averaged weights [N, L, S'].
    /// </summary>
    private static (Nd Out, Nd Weights) MhaRef(Nd q, Nd k, Nd v, Nd wq, Nd wk, Nd wv, Nd? bq, Nd? bk, Nd? bv, Nd wo, Nd? bo, int heads,
        Func<int, int, int, int, double>? mask = null, Nd? biasK = null, Nd? biasV = null, bool zeroAttn = false)
    {
        int l = q.Shape[0], n = q.Shape[1], e = wq.Shape[0], s0 = k.Shape[0], hd = e / heads;
        static double[,,] Proj(Nd x, Nd w, Nd? b)
        {
            int t = x.Shape[0], nn = x.Shape[1], o = w.Shape[0], din = w.Shape[1];
            var r = new double[t, nn, o];
            for (int a = 0; a < t; a++)
                for (int m = 0; m < nn; m++)
                    for (int c = 0; c < o; c++)
                    {
                        double acc = b is null ? 0 : b[c];
                        for (int d = 0; d < din; d++) acc += x[a, m, d] * w[c, d];
                        r[a, m, c] = acc;
                    }
            return r;
        }
        var qp = Proj(q, wq, bq);
        var kp0 = Proj(k, wk, bk);
        var vp0 = Proj(v, wv, bv);
        int s = s0 + (biasK is null ? 0 : 1) + (zeroAttn ? 1 : 0);
        var kp = new double[s, n, e];
        var vp = new double[s, n, e];
        for (int j = 0; j < s0; j++)
            for (int m = 0; m < n; m++)
                for (int c = 0; c < e; c++) { kp[j, m, c] = kp0[j, m, c]; vp[j, m, c] = vp0[j, m, c]; }
        if (biasK is not null)
            for (int m = 0; m < n; m++)
                for (int c = 0; c < e; c++) { kp[s0, m, c] = biasK.Data[c]; vp[s0, m, c] = biasV!.Data[c]; }
        var concat = new double[l, n, e];
        var avg = new Nd([n, l, s]);
        for (int m = 0; m < n; m++)
            for (int h = 0; h < heads; h++)
                for (int i = 0; i < l; i++)
                {
                    var sco = new double[s];
                    for (int j = 0; j < s; j++)
                    {
                        double dot = 0;
                        for (int d = 0; d < hd; d++) dot += qp[i, m, h * hd + d] * kp[j, m, h * hd + d];
                        sco[j] = dot / Math.Sqrt(hd) + (mask?.Invoke(m, h, i, j) ?? 0);
                    }
                    double max = sco.Max(), sum = sco.Sum(x => Math.Exp(x - max));
                    for (int j = 0; j < s; j++)
                    {
                        double w = Math.Exp(sco[j] - max) / sum;
                        avg[m, i, j] += w / heads;
                        for (int d = 0; d < hd; d++) concat[i, m, h * hd + d] += w * vp[j, m, h * hd + d];
                    }
                }
        var o = new Nd([l, n, e]);
        for (int i = 0; i < l; i++)
            for (int m = 0; m < n; m++)
                for (int c = 0; c < e; c++)
                {
                    double acc = bo is null ? 0 : bo[c];
                    for (int f = 0; f < e; f++) acc += concat[i, m, f] * wo[c, f];
                    o[i, m, c] = acc;
                }
        return (o, avg);
    }

    private static Nd Rows(Nd w, int start, int count)
    {
        int cols = w.Rank == 2 ? w.Shape[1] : 1;
        var shape = w.Rank == 2 ? new[] { count, cols } : [count];
        return new Nd(shape, w.Data.Skip(start * cols).Take(count * cols).ToArray());
    }

    /// <summary>Packed in_proj weight/bias split into q, k, v parts.</summary>
    private static (Nd, Nd, Nd, Nd, Nd, Nd) SplitInProj(Nd w, Nd b, int e) =>
        (Rows(w, 0, e), Rows(w, e, e), Rows(w, 2 * e, e), Rows(b, 0, e), Rows(b, e, e), Rows(b, 2 * e, e));

    [OpFamily]
    private static IEnumerable<OpInfo> Attention()
    {
        yield return new OpInfo
        {
            Name = "F.ScaledDotProductAttention",
            Op = x => F.ScaledDotProductAttention(x[0], x[1], x[2]),
            Samples = () => [S("q[2,3,4] k[2,5,4] v[2,5,3]", R(2, 3, 4), R(2, 5, 4), R(2, 5, 3)),
                             S("4-D q[1,2,3,2] k[1,2,4,2] v[1,2,4,2]", R(1, 2, 3, 2), R(1, 2, 4, 2), R(1, 2, 4, 2)),
                             S("broadcast batch q[2,3,4] k[5,4] v[5,2]", R(2, 3, 4), R(5, 4), R(5, 2))],
            Reference = x => SdpaRef(x[0], x[1], x[2], null, false, false, null),
            Errors = () =>
            [
                new ErrorInput(() => F.ScaledDotProductAttention(R(3), R(3, 3), R(3, 3)), "ScaledDotProductAttention", "rank 1 query"),
                new ErrorInput(() => F.ScaledDotProductAttention(R(2, 3, 4), R(2, 5, 3), R(2, 5, 3)), "ScaledDotProductAttention", "E mismatch"),
                new ErrorInput(() => F.ScaledDotProductAttention(R(2, 3, 4), R(2, 5, 4), R(2, 4, 3)), "ScaledDotProductAttention", "S mismatch"),
                new ErrorInput(() => F.ScaledDotProductAttention(R(2, 3, 4), R(3, 5, 4), R(3, 5, 4)), "ScaledDotProductAttention", "batch mismatch"),
                new ErrorInput(() => F.ScaledDotProductAttention(R(3, 4), R(5, 4), R(5, 4), R(3, 4).Gt(0)), "ScaledDotProductAttention", "mask shape"),
                new ErrorInput(() => F.ScaledDotProductAttention(R(3, 4), R(5, 4), R(5, 4), R(3, 5).Gt(0), isCausal: true), "ScaledDotProductAttention", "mask with causal"),
                new ErrorInput(() => F.ScaledDotProductAttention(R(3, 4), R(5, 4), R(5, 4), R(3, 5).Float()), "ScaledDotProductAttention", "mask dtype"),
                new ErrorInput(() => F.ScaledDotProductAttention(R(3, 4), R(5, 4).Float(), R(5, 4)), "ScaledDotProductAttention", "dtype mismatch"),
                new ErrorInput(() => F.ScaledDotProductAttention(R(3, 4), R(5, 4), R(5, 4), dropoutP: 1.5), "ScaledDotProductAttention", "dropout p"),
            ],
        };
        // Bool mask [L, S] broadcast over the batch; row 1 is fully masked (zeros, zero gradient).
        static Tensor BoolMask() => Tensor.FromArray(new[] { true, false, true, true, false, false, false, false, false, false, true, true, false, true, true }, [3, 5]);
        yield return new OpInfo
        {
            Name = "F.ScaledDotProductAttention",
            Variant = "bool mask with a fully masked row",
            Op = x => F.ScaledDotProductAttention(x[0], x[1], x[2], x[3]),
            Samples = () => [S("q[2,3,4] k[2,5,4] v[2,5,3] mask[3,5]", R(2, 3, 4), R(2, 5, 4), R(2, 5, 3), BoolMask())],
            Reference = x => SdpaRef(x[0], x[1], x[2], x[3], true, false, null),
        };
        yield return new OpInfo
        {
            Name = "F.ScaledDotProductAttention",
            Variant = "float mask (differentiable) and scale",
            SupportsGradGrad = false, // a composite of rows whose second derivatives are checked
            Op = x => F.ScaledDotProductAttention(x[0], x[1], x[2], x[3], scale: 0.3),
            Samples = () => [S("q[2,3,4] k[2,5,4] v[2,5,3] mask[2,3,5]", R(2, 3, 4), R(2, 5, 4), R(2, 5, 3), R(2, 3, 5)),
                             S("mask [2,1,5] broadcast over L", R(2, 3, 4), R(2, 5, 4), R(2, 5, 3), R(2, 1, 5))],
            Reference = x => SdpaRef(x[0], x[1], x[2], x[3], false, false, 0.3),
        };
        yield return new OpInfo
        {
            Name = "F.ScaledDotProductAttention",
            Variant = "causal",
            SupportsGradGrad = false, // a composite of rows whose second derivatives are checked
            Op = x => F.ScaledDotProductAttention(x[0], x[1], x[2], isCausal: true),
            Samples = () => [S("L=S=4", R(2, 4, 3), R(2, 4, 3), R(2, 4, 2)), S("L=3 < S=5 (top-left)", R(3, 4), R(5, 4), R(5, 3)),
                             S("L=4 > S=2 (rows 0.. see key 0)", R(4, 3), R(2, 3), R(2, 3))],
            Reference = x => SdpaRef(x[0], x[1], x[2], null, false, true, null),
        };
        yield return new OpInfo
        {
            Name = "F.ScaledDotProductAttention",
            Variant = "grouped-query (enableGqa)",
            SupportsGradGrad = false, // a composite of rows whose second derivatives are checked
            Op = x => F.ScaledDotProductAttention(x[0], x[1], x[2], enableGqa: true),
            Samples = () => [S("q[1,4,3,2] k[1,2,5,2] v[1,2,5,3]", R(1, 4, 3, 2), R(1, 2, 5, 2), R(1, 2, 5, 3))],
            // Head h of the query uses key/value head h / 2.
            Reference = x =>
            {
                Nd Rep(Nd t) => new([1, 4, t.Shape[2], t.Shape[3]], Enumerable.Range(0, 4).SelectMany(h => t.Data.Skip(h / 2 * t.Shape[2] * t.Shape[3]).Take(t.Shape[2] * t.Shape[3])).ToArray());
                return SdpaRef(x[0], Rep(x[1]), Rep(x[2]), null, false, false, null);
            },
            Errors = () => [new ErrorInput(() => F.ScaledDotProductAttention(R(1, 3, 3, 2), R(1, 2, 5, 2), R(1, 2, 5, 3), enableGqa: true), "ScaledDotProductAttention", "heads not divisible")],
        };
        yield return new OpInfo
        {
            Name = "F.ScaledDotProductAttention",
            Variant = "dropout",
            SupportsGradGrad = false, // a composite of rows whose second derivatives are checked
            Op = x => F.ScaledDotProductAttention(x[0], x[1], x[2], dropoutP: 0.4, generator: new Generator(7)),
            Samples = () => [S("q[2,3,4] k[2,5,4] v[2,5,3]", R(2, 3, 4), R(2, 5, 4), R(2, 5, 3))],
            // The mask is the generator's draw over the weights [2, 3, 5]: kept iff U >= 0.4, scaled by 1/0.6.
            Reference = x =>
            {
                var u = Tensor.Rand([2, 3, 5], DType.Float64, generator: new Generator(7)).ToArray<double>();
                return SdpaRef(x[0], x[1], x[2], null, false, false, null, new Nd([2, 3, 5], u.Select(a => a >= 0.4 ? 1 / 0.6 : 0).ToArray()));
            },
            CheckFloat32 = false,
        };

        // Multi-head attention: L=3, S=4, N=2, E=4, H=2 unless stated.
        const int E = 4, H = 2;
        static Tensor Mha(Tensor[] x, Tensor? kpm = null, Tensor? mask = null, bool needWeights = false, bool average = true) =>
            F.MultiHeadAttentionForward(x[0], x[1], x[2], E, H, x[3], x[4], null, null, false, 0, x[5], x[6],
                keyPaddingMask: kpm, needWeights: needWeights, attnMask: mask, averageAttnWeights: average).Output;
        Sample[] mhaSamples() => [S("q[3,2,4] k,v[4,2,4]", R(3, 2, 4), R(4, 2, 4), R(4, 2, 4), R(3 * E, E), R(3 * E), R(E, E), R(E))];
        (Nd, Nd) refPacked(Nd[] x, Func<int, int, int, int, double>? mask = null)
        {
            var (wq, wk, wv, bq, bk, bv) = SplitInProj(x[3], x[4], E);
            return MhaRef(x[0], x[1], x[2], wq, wk, wv, bq, bk, bv, x[5], x[6], H, mask);
        }
        yield return new OpInfo
        {
            Name = "F.MultiHeadAttentionForward",
            Op = x => Mha(x),
            Samples = mhaSamples,
            Reference = x => refPacked(x).Item1,
            Errors = () =>
            [
                new ErrorInput(() => F.MultiHeadAttentionForward(R(3, 2, 4), R(4, 2, 4), R(4, 2, 4), 6, 2, R(18, 6), null, null, null, false, 0, R(6, 6), null), "MultiheadAttention", "embed dim check"),
                new ErrorInput(() => F.MultiHeadAttentionForward(R(3, 2, 4), R(4, 2, 4), R(4, 2, 4), 4, 3, R(12, 4), null, null, null, false, 0, R(4, 4), null), "not divisible", "heads"),
                new ErrorInput(() => F.MultiHeadAttentionForward(R(3, 2, 4), R(4, 2, 4), R(4, 2, 4), 4, 2, R(12, 4), null, null, null, false, 0, R(4, 4), null, keyPaddingMask: R(2, 3).Gt(0)), "key_padding_mask", "kpm shape"),
                new ErrorInput(() => F.MultiHeadAttentionForward(R(3, 2, 4), R(4, 2, 4), R(4, 2, 4), 4, 2, R(12, 4), null, null, null, false, 0, R(4, 4), null, attnMask: R(3, 3)), "2D attn_mask", "mask shape"),
                new ErrorInput(() => F.MultiHeadAttentionForward(R(3, 2, 4), R(4, 2, 4), R(4, 2, 4), 4, 2, R(12, 4), null, null, null, false, 0, R(4, 4), null, isCausal: true), "is_causal", "causal without mask"),
                new ErrorInput(() => F.MultiHeadAttentionForward(R(3, 2, 4), R(4, 3, 4), R(4, 3, 4), 4, 2, R(12, 4), null, null, null, false, 0, R(4, 4), null), "batch sizes differ", "batch"),
                new ErrorInput(() => F.MultiHeadAttentionForward(R(3, 2, 4, 1), R(4, 2, 4), R(4, 2, 4), 4, 2, R(12, 4), null, null, null, false, 0, R(4, 4), null), "MultiheadAttention", "4-D query"),
                new ErrorInput(() => F.MultiHeadAttentionForward(R(3, 2, 4), R(4, 2, 4), R(4, 2, 4), 4, 2, R(12, 4), null, null, null, false, 0, R(4, 4), null, attnMask: R(3, 4).Long()), "only bool and floating", "int mask"),
            ],
        };
        yield return new OpInfo
        {
            Name = "F.MultiHeadAttentionForward",
            Variant = "self-attention (one packed projection)",
            SupportsGradGrad = false, // a composite of rows whose second derivatives are checked
            Op = x => F.MultiHeadAttentionForward(x[0], x[0], x[0], E, H, x[1], x[2], null, null, false, 0, x[3], x[4], needWeights: false).Output,
            Samples = () => [S("x[3,2,4]", R(3, 2, 4), R(3 * E, E), R(3 * E), R(E, E), R(E))],
            Reference = x =>
            {
                var (wq, wk, wv, bq, bk, bv) = SplitInProj(x[1], x[2], E);
                return MhaRef(x[0], x[0], x[0], wq, wk, wv, bq, bk, bv, x[3], x[4], H).Out;
            },
        };
        yield return new OpInfo
        {
            Name = "F.MultiHeadAttentionForward",
            Variant = "attention weights averaged over heads",
            SupportsGradGrad = false, // a composite of rows whose second derivatives are checked
            Op = x => F.MultiHeadAttentionForward(x[0], x[1], x[2], E, H, x[3], x[4], null, null, false, 0, x[5], x[6]).Weights!,
            Samples = mhaSamples,
            Reference = x => refPacked(x).Item2,
            GradInputs = [0, 1, 3, 4],
        };
        // Masks: Bool key padding [N, S] (true = ignore) and a float attention mask [L, S], through both paths.
        static Tensor Kpm() => Tensor.FromArray(new[] { false, false, true, false, false, true, true, false }, [2, 4]);
        Func<int, int, int, int, double> refMask(Nd am) => (m, h, i, j) => (Kpm().ToArray<bool>()[m * 4 + j] ? double.NegativeInfinity : 0) + am[i, j];
        foreach (bool needWeights in new[] { false, true })
            yield return new OpInfo
            {
                Name = "F.MultiHeadAttentionForward",
                Variant = $"key padding + float attn mask, needWeights={needWeights}",
            SupportsGradGrad = false, // a composite of rows whose second derivatives are checked
                Op = x => Mha(x, Kpm(), x[7], needWeights),
                Samples = () => [S("q[3,2,4] k,v[4,2,4] mask[3,4]", R(3, 2, 4), R(4, 2, 4), R(4, 2, 4), R(3 * E, E), R(3 * E), R(E, E), R(E), R(3, 4))],
                Reference = x => refPacked(x, refMask(x[7])).Item1,
            };
        yield return new OpInfo
        {
            Name = "F.MultiHeadAttentionForward",
            Variant = "3-D Bool attn mask [N*H, L, S]",
            SupportsGradGrad = false, // a composite of rows whose second derivatives are checked
            Op = x => Mha(x, mask: x[7]),
            Samples = () => [S("mask[4,3,4]", R(3, 2, 4), R(4, 2, 4), R(4, 2, 4), R(3 * E, E), R(3 * E), R(E, E), R(E),
                Tensor.Arange(48).Remainder(5).Eq(1).Reshape(4, 3, 4))],
            Reference = x => refPacked(x, (m, h, i, j) => x[7][m * H + h, i, j] != 0 ? double.NegativeInfinity : 0).Item1,
        };
        yield return new OpInfo
        {
            Name = "F.MultiHeadAttentionForward",
            Variant = "bias_k/bias_v and zero attention",
            SupportsGradGrad = false, // a composite of rows whose second derivatives are checked
            Op = x => F.MultiHeadAttentionForward(x[0], x[1], x[2], E, H, x[3], x[4], x[7], x[8], true, 0, x[5], x[6], keyPaddingMask: Kpm(), needWeights: false).Output,
            Samples = () => [S("bias_k, bias_v [1,1,4]", R(3, 2, 4), R(4, 2, 4), R(4, 2, 4), R(3 * E, E), R(3 * E), R(E, E), R(E), R(1, 1, E), R(1, 1, E))],
            Reference = x =>
            {
                var (wq, wk, wv, bq, bk, bv) = SplitInProj(x[3], x[4], E);
                // Key padding covers the original keys; the bias key and the zero key are never padded.
                return MhaRef(x[0], x[1], x[2], wq, wk, wv, bq, bk, bv, x[5], x[6], H,
                    (m, h, i, j) => j < 4 && Kpm().ToArray<bool>()[m * 4 + j] ? double.NegativeInfinity : 0, x[7], x[8], zeroAttn: true).Out;
            },
        };
        yield return new OpInfo
        {
            Name = "F.MultiHeadAttentionForward",
            Variant = "separate projections kdim=3 vdim=5",
            SupportsGradGrad = false, // a composite of rows whose second derivatives are checked
            Op = x => F.MultiHeadAttentionForward(x[0], x[1], x[2], E, H, null, x[6], null, null, false, 0, x[7], x[8], needWeights: false,
                useSeparateProjWeight: true, qProjWeight: x[3], kProjWeight: x[4], vProjWeight: x[5]).Output,
            Samples = () => [S("q[3,2,4] k[4,2,3] v[4,2,5]", R(3, 2, 4), R(4, 2, 3), R(4, 2, 5), R(E, E), R(E, 3), R(E, 5), R(3 * E), R(E, E), R(E))],
            Reference = x => MhaRef(x[0], x[1], x[2], x[3], x[4], x[5], Rows(x[6], 0, E), Rows(x[6], E, E), Rows(x[6], 2 * E, E), x[7], x[8], H).Out,
            Errors = () => [new ErrorInput(() => F.MultiHeadAttentionForward(R(3, 2, 4), R(4, 2, 3), R(4, 2, 5), 4, 2, null, null, null, null, false, 0, R(4, 4), null,
                useSeparateProjWeight: true, qProjWeight: R(4, 4), kProjWeight: R(4, 4), vProjWeight: R(4, 5)), "key weights", "k weight shape")],
        };
        yield return new OpInfo
        {
            Name = "F.MultiHeadAttentionForward",
            Variant = "unbatched",
            SupportsGradGrad = false, // a composite of rows whose second derivatives are checked
            Op = x => F.MultiHeadAttentionForward(x[0], x[1], x[2], E, H, x[3], x[4], null, null, false, 0, x[5], x[6]).Output,
            Samples = () => [S("q[3,4] k,v[4,4]", R(3, 4), R(4, 4), R(4, 4), R(3 * E, E), R(3 * E), R(E, E), R(E))],
            Reference = x =>
            {
                Nd B(Nd t) => new([t.Shape[0], 1, t.Shape[1]], t.Data);
                var (wq, wk, wv, bq, bk, bv) = SplitInProj(x[3], x[4], E);
                var o = MhaRef(B(x[0]), B(x[1]), B(x[2]), wq, wk, wv, bq, bk, bv, x[5], x[6], H).Out;
                return new Nd([3, E], o.Data);
            },
        };
    }
}

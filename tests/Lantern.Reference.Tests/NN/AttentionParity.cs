using Xunit;
using TorchSharp;
using TorchTensor = TorchSharp.torch.Tensor;
using LTensor = global::Lantern.Tensor;

namespace Lantern.Reference.Tests.NN;

/// <summary>
/// Parity for multi-input computations: the same inputs go to a Lantern function and a TorchSharp function
/// (optionally in float64, for references derived from PyTorch's definitions); outputs, input gradients and the
/// named parameter gradients must agree. Returns the worst relative error seen.
/// <para>Tolerance: |ours - theirs| &lt;= rtol * (|theirs| + floor * max|theirs|) elementwise, floor 1e-3 for outputs (as
/// <see cref="Torch.AssertClose"/>) and 1e-2 for gradients. Attention gradients are long float32 sums in which
/// some elements cancel (the key-bias gradient is analytically zero: softmax ignores a per-row constant); measured
/// against float64, PyTorch's own float32 MultiheadAttention gradients are off by up to 5e-7 of the largest element
/// (Lantern's by up to 3.4e-7), above the 1e-7 absolute level that floor 1e-3 would demand.</para>
/// </summary>
internal static class AttentionParity
{
    private const double GradFloor = 1e-2;

    /// <summary>Elementwise closeness with a floor relative to the largest expected magnitude; returns the worst error.</summary>
    public static double AssertClose(TorchTensor expected, LTensor actual, double rtol, string what, double floor)
    {
        Assert.Equal(expected.shape.Select(d => (int)d).ToArray(), actual.Shape.ToArray());
        var e = expected.detach().cpu().to_type(torch.float64).data<double>().ToArray();
        var a = actual.ToArray<double>();
        double scale = e.Length == 0 ? 0 : e.Max(Math.Abs), worst = 0;
        for (int i = 0; i < e.Length; i++)
        {
            double err = Math.Abs(a[i] - e[i]) / (Math.Abs(e[i]) + scale * floor + 1e-30);
            worst = Math.Max(worst, err);
            if (!(err <= rtol))
                Assert.Fail($"{what}: element {i} of {e.Length}: Lantern {a[i]:R}, PyTorch {e[i]:R} (relative error {err:E2} > {rtol:E1})");
        }
        return worst;
    }

    public static double Check(string what, LTensor[] inputs, bool[] grad, Func<LTensor[], LTensor> ours, Func<TorchTensor[], TorchTensor> theirs,
        global::Lantern.NN.Module? lantern = null, IEnumerable<(string Name, TorchTensor Param)>? torchParams = null, double rtol = 1e-4,
        bool torchFloat64 = false)
    {
        var lx = inputs.Select((t, i) =>
        {
            var c = t.Detach().Clone();
            return grad[i] ? c.RequiresGrad_() : c;
        }).ToArray();
        var tx = inputs.Select((t, i) =>
        {
            var c = Torch.From(t);
            if (torchFloat64 && c.dtype == torch.float32) c = c.to_type(torch.float64);
            return grad[i] ? c.requires_grad_(true) : c;
        }).ToArray();
        var y = ours(lx);
        var ty = theirs(tx);
        Assert.False(y.IsNan().Any().Item<bool>(), $"{what}: Lantern output has NaN");
        Assert.False(ty.isnan().any().item<bool>(), $"{what}: PyTorch output has NaN");
        double worst = AssertClose(ty, y, rtol, $"{what} forward", 1e-3);
        var g = LTensor.Randn(y.Shape, y.DType, generator: new global::Lantern.Generator(99));
        y.Backward(g);
        ty.backward([Torch.From(g).to_type(ty.dtype)]);
        for (int i = 0; i < inputs.Length; i++)
            if (grad[i]) worst = Math.Max(worst, AssertClose(tx[i].grad!, lx[i].Grad!, rtol, $"{what} gradient of input {i}", GradFloor));
        if (lantern is not null && torchParams is not null)
        {
            var mine = lantern.NamedParameters().ToDictionary(p => p.Key, p => p.Value);
            int compared = 0;
            foreach (var (name, p) in torchParams)
            {
                Assert.True(mine.ContainsKey(name), $"{what}: PyTorch parameter '{name}' has no Lantern twin");
                if (p.grad is null) { Assert.True(mine[name].Grad is null || mine[name].Grad!.Abs().Max().Item() == 0, $"{what}: {name}"); continue; }
                worst = Math.Max(worst, AssertClose(p.grad, mine[name].Grad!, rtol, $"{what} gradient of {name}", GradFloor));
                compared++;
            }
            Assert.True(compared > 0, $"{what}: no parameter gradients compared");
        }
        return worst;
    }

    /// <summary>Float64 leaves (requiring grad) holding a Lantern module's parameter values, by PyTorch name.</summary>
    public static Dictionary<string, TorchTensor> Leaves(global::Lantern.NN.Module m) =>
        m.NamedParameters().ToDictionary(p => p.Key, p => Torch.From(p.Value).to_type(torch.float64).requires_grad_(true));

    /// <summary>
    /// PyTorch's multi_head_attention_forward in TorchSharp primitives (sequence-first, separate or packed
    /// projections; attn_mask [L, S] or [N*H, L, S], additive float or Bool with true = not allowed;
    /// Bool key_padding_mask [N, S] with true = ignore).
    /// </summary>
    public static TorchTensor Mha(TorchTensor query, TorchTensor key, TorchTensor value, Dictionary<string, TorchTensor> p, string prefix, int heads,
        TorchTensor? attnMask = null, TorchTensor? keyPaddingMask = null)
    {
        long l = query.shape[0], n = query.shape[1], e = query.shape[2], s = key.shape[0], hd = e / heads;
        TorchTensor wq, wk, wv;
        if (p.TryGetValue(prefix + "in_proj_weight", out var w)) { var c = w.chunk(3); (wq, wk, wv) = (c[0], c[1], c[2]); }
        else (wq, wk, wv) = (p[prefix + "q_proj_weight"], p[prefix + "k_proj_weight"], p[prefix + "v_proj_weight"]);
        TorchTensor? bq = null, bk = null, bv = null;
        if (p.TryGetValue(prefix + "in_proj_bias", out var b)) { var c = b.chunk(3); (bq, bk, bv) = (c[0], c[1], c[2]); }
        var q = torch.nn.functional.linear(query, wq, bq).reshape(l, n * heads, hd).transpose(0, 1);
        var k = torch.nn.functional.linear(key, wk, bk).reshape(s, n * heads, hd).transpose(0, 1);
        var v = torch.nn.functional.linear(value, wv, bv).reshape(s, n * heads, hd).transpose(0, 1);
        var scores = torch.bmm(q.mul(1.0 / Math.Sqrt(hd)), k.transpose(1, 2));                   // [N*H, L, S]
        if (attnMask is not null)
            scores = attnMask.dtype == torch.@bool ? scores.masked_fill(attnMask, double.NegativeInfinity) : scores.add(attnMask.to_type(scores.dtype));
        if (keyPaddingMask is not null)
            scores = scores.view(n, heads, l, s).masked_fill(keyPaddingMask.view(n, 1, 1, s), double.NegativeInfinity).view(n * heads, l, s);
        var o = torch.bmm(torch.nn.functional.softmax(scores, -1), v).transpose(0, 1).reshape(l, n, e);
        p.TryGetValue(prefix + "out_proj.bias", out var ob);
        return torch.nn.functional.linear(o, p[prefix + "out_proj.weight"], ob);
    }

    /// <summary>The named leaves as (name, tensor) pairs for gradient comparison.</summary>
    public static IEnumerable<(string, TorchTensor)> Pairs(Dictionary<string, TorchTensor> leaves) => leaves.Select(kv => (kv.Key, kv.Value));
}

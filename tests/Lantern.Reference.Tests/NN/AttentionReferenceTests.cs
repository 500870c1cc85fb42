using Xunit;
using Xunit.Abstractions;
using TorchSharp;
using TorchTensor = TorchSharp.torch.Tensor;
using LTensor = global::Lantern.Tensor;
using LF = global::Lantern.NN.F;
using LGenerator = global::Lantern.Generator;

namespace Lantern.Reference.Tests.NN;

public class AttentionReferenceTests(ITestOutputHelper log)
{
    private static LTensor R(int seed, params int[] shape) => LTensor.Randn(shape, generator: new LGenerator((ulong)seed));

    private static LTensor Bools(int seed, double pTrue, params int[] shape) =>
        LTensor.Rand(shape, generator: new LGenerator((ulong)seed)).Lt(pTrue);

    private static TorchTensor? Opt(TorchTensor t) => t.numel() == 0 ? null : t;

    public static TheoryData<string> SdpaCases() => ["plain", "bool mask", "float mask", "causal", "scale 0.2", "fully masked row"];

    [Theory, MemberData(nameof(SdpaCases))] // torch.nn.functional.scaled_dot_product_attention: output and q/k/v (and float mask) gradients
    public void ScaledDotProductAttention(string kind)
    {
        var q = R(1, 2, 3, 5, 8);
        var k = R(2, 2, 3, kind == "causal" ? 5 : 7, 8);
        var v = R(3, 2, 3, kind == "causal" ? 5 : 7, 6);
        LTensor? mask = kind switch
        {
            "bool mask" => Bools(4, 0.7, 5, 7) | LTensor.Arange(5).Unsqueeze(1).Eq(LTensor.Arange(7)), // every row keeps a key
            "float mask" => R(5, 2, 1, 5, 7),
            "fully masked row" => LTensor.Arange(5).Ne(2).Unsqueeze(1).Expand(5, 7).Contiguous(), // query 2 sees no key
            _ => null,
        };
        double? scale = kind == "scale 0.2" ? 0.2 : null;
        var inputs = mask is null ? new[] { q, k, v } : [q, k, v, mask];
        var grads = inputs.Select(t => t.DType.IsFloatingPoint()).ToArray();
        double worst = AttentionParity.Check($"SDPA {kind}", inputs, grads,
            x => LF.ScaledDotProductAttention(x[0], x[1], x[2], x.Length > 3 ? x[3] : null, isCausal: kind == "causal", scale: scale),
            // TorchSharp has no scale argument: q * (scale * sqrt(E)) gives scores * scale under the default 1/sqrt(E).
            x => torch.nn.functional.scaled_dot_product_attention(scale is { } s ? x[0].mul(s * Math.Sqrt(8)) : x[0], x[1], x[2],
                x.Length > 3 ? x[3] : null, is_casual: kind == "causal"));
        log.WriteLine($"SDPA {kind}: worst relative error {worst:E2}");
    }

    public static TheoryData<string, bool, bool> MhaCases()
    {
        var d = new TheoryData<string, bool, bool>();
        foreach (var c in new[] { "cross", "self + masks", "3-D bool mask", "bias_kv + zero_attn", "no bias", "kdim=vdim=5", "batch_first" })
            foreach (bool needWeights in new[] { true, false })
                d.Add(c, needWeights, c == "self + masks"); // the masked case also in train mode with dropout 0
        return d;
    }

    [Theory, MemberData(nameof(MhaCases))] // nn.MultiheadAttention against TorchSharp's (same state dict, eval and train with dropout 0)
    public void MultiheadAttention(string kind, bool needWeights, bool alsoTrain)
    {
        const int E = 8, H = 2, L = 5, S = 7, N = 3;
        int kd = kind == "kdim=vdim=5" ? 5 : E;
        var ours = new global::Lantern.NN.MultiheadAttention(E, H, bias: kind != "no bias", addBiasKv: kind == "bias_kv + zero_attn",
            addZeroAttn: kind == "bias_kv + zero_attn", kdim: kd, vdim: kd, batchFirst: kind == "batch_first", generator: new LGenerator(7));
        if (kind == "bias_kv + zero_attn") using (Autograd.NoGrad()) ours.InProjBias!.Copy_(R(8, 3 * E)); // non-zero biases matter
        var theirs = torch.nn.MultiheadAttention(E, H, 0.0, kind != "no bias", kind == "bias_kv + zero_attn", kind == "bias_kv + zero_attn", kd, kd);
        ModuleParity.CopyState(ours, theirs);
        bool self = kind == "self + masks";
        var q = R(9, L, N, E);
        var kv = self ? q : R(10, S, N, kd);
        int s = self ? L : S;
        var kpm = self ? Bools(11, 0.3, N, s) & LTensor.Arange(s).Gt(0) : LTensor.Zeros([0], DType.Bool); // key 0 never padded
        LTensor mask = kind switch
        {
            "self + masks" => R(12, L, s),
            "3-D bool mask" => Bools(13, 0.3, N * H, L, s) & LTensor.Arange(s).Gt(0),
            _ => LTensor.Zeros([0]),
        };
        var derived = kind == "3-D bool mask" ? AttentionParity.Leaves(ours) : null;
        foreach (bool train in alsoTrain ? new[] { false, true } : [false])
        {
            ours.Train(train);
            theirs.train(train);
            double worst = AttentionParity.Check($"MHA {kind} needWeights={needWeights} train={train}", [q, kv, kpm, mask], [true, !self, false, false],
                x =>
                {
                    var key = self ? x[0] : x[1];
                    var (qq, kk) = kind == "batch_first" ? (x[0].Transpose(0, 1), key.Transpose(0, 1)) : (x[0], key);
                    var (o, w) = ours.Forward(qq, kk, kk, x[2].Numel() == 0 ? null : x[2], needWeights, x[3].Numel() == 0 ? null : x[3]);
                    if (kind == "batch_first") o = o.Transpose(0, 1);
                    return needWeights ? LTensor.Cat([o.Flatten(), w!.Flatten()]) : o;
                },
                x =>
                {
                    var key = self ? x[0] : x[1];
                    if (derived is not null) // TorchSharp's native module rejects a 3-D mask (it unsqueezes it to 4-D)
                    {
                        var o3 = AttentionParity.Mha(x[0], key, key, derived, "", H, Opt(x[3]), Opt(x[2]));
                        return needWeights ? torch.cat([o3.flatten(), Weights3(x[0], key, derived, Opt(x[3])).flatten()]) : o3;
                    }
                    var (o, w) = theirs.call(x[0], key, key, Opt(x[2]), true, Opt(x[3]));
                    return needWeights ? torch.cat([o.flatten(), w.flatten()]) : o;
                },
                ours, derived is not null ? AttentionParity.Pairs(derived) : theirs.named_parameters().Select(p => (p.name, (TorchTensor)p.parameter)),
                torchFloat64: derived is not null);
            log.WriteLine($"MHA {kind} needWeights={needWeights} train={train}: worst relative error {worst:E2}");
            ours.ZeroGrad();
            theirs.zero_grad();
        }
    }

    /// <summary>Head-averaged attention weights by PyTorch's definition (packed projections, Bool mask true = masked).</summary>
    private static TorchTensor Weights3(TorchTensor query, TorchTensor key, Dictionary<string, TorchTensor> p, TorchTensor? mask)
    {
        const int H = 2;
        long l = query.shape[0], n = query.shape[1], e = query.shape[2], s = key.shape[0], hd = e / H;
        var w = p["in_proj_weight"].chunk(3);
        var b = p["in_proj_bias"].chunk(3);
        var q = torch.nn.functional.linear(query, w[0], b[0]).reshape(l, n * H, hd).transpose(0, 1);
        var k = torch.nn.functional.linear(key, w[1], b[1]).reshape(s, n * H, hd).transpose(0, 1);
        var scores = torch.bmm(q.mul(1.0 / Math.Sqrt(hd)), k.transpose(1, 2));
        if (mask is not null) scores = scores.masked_fill(mask, double.NegativeInfinity);
        return torch.nn.functional.softmax(scores, -1).view(n, H, l, s).mean([1]);
    }

    [Theory] // kdim != vdim (TorchSharp needs kdim == vdim): PyTorch's multi_head_attention_forward in float64 TorchSharp primitives
    [InlineData(true)]
    [InlineData(false)]
    public void MultiheadAttentionKdimDiffersFromVdim(bool masks)
    {
        const int E = 8, H = 2, L = 5, S = 7, N = 3;
        var ours = new global::Lantern.NN.MultiheadAttention(E, H, kdim: 3, vdim: 6, generator: new LGenerator(21));
        using (Autograd.NoGrad()) ours.InProjBias!.Copy_(R(22, 3 * E));
        var leaves = AttentionParity.Leaves(ours);
        var mask = masks ? R(23, L, S) : LTensor.Zeros([0]);
        var kpm = masks ? Bools(24, 0.3, N, S) & LTensor.Arange(S).Gt(0) : LTensor.Zeros([0], DType.Bool);
        double worst = AttentionParity.Check($"MHA kdim=3 vdim=6 masks={masks}", [R(25, L, N, E), R(26, S, N, 3), R(27, S, N, 6), mask, kpm],
            [true, true, true, false, false],
            x => ours.Forward(x[0], x[1], x[2], x[4].Numel() == 0 ? null : x[4], needWeights: false, attnMask: x[3].Numel() == 0 ? null : x[3]).Output,
            x => AttentionParity.Mha(x[0], x[1], x[2], leaves, "", H, Opt(x[3]), Opt(x[4])),
            ours, AttentionParity.Pairs(leaves), torchFloat64: true);
        log.WriteLine($"MHA kdim!=vdim masks={masks}: worst relative error {worst:E2}");
    }

    [Fact] // the float64 TorchSharp-primitive MHA used above agrees with TorchSharp's native module (packed weights, masks)
    public void DerivedMhaMatchesNativeModule()
    {
        var theirs = torch.nn.MultiheadAttention(8, 2);
        var leaves = theirs.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().to_type(torch.float64));
        var q = Torch.From(R(31, 5, 3, 8));
        var kv = Torch.From(R(32, 7, 3, 8));
        var mask = Torch.From(R(33, 5, 7));
        var kpm = Torch.From(Bools(34, 0.3, 3, 7) & LTensor.Arange(7).Gt(0));
        var native = theirs.call(q, kv, kv, kpm, false, mask).Item1;
        var derived = AttentionParity.Mha(q.to_type(torch.float64), kv.to_type(torch.float64), kv.to_type(torch.float64), leaves, "", 2, mask, kpm);
        AttentionParity.AssertClose(derived, Torch.ToLantern(native), 1e-4, "derived MHA (float64) vs native (float32)", 1e-3);
    }
}

using Lantern.NN;
using Xunit;

namespace Lantern.Tests.NN;

public class TransformerTests
{
    private static Tensor R(int seed, params int[] shape) => Tensor.Randn(shape, generator: new Generator((ulong)seed));

    private static void Close(Tensor expected, Tensor actual, double tol = 1e-5)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var e = expected.ToArray<double>();
        var a = actual.ToArray<double>();
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= tol * (1 + Math.Abs(e[i])), $"element {i}: expected {e[i]}, got {a[i]}");
    }

    private static Tensor P(Module m, string name) => m.NamedParameters().Single(p => p.Key == name).Value;

    private static Tensor Sa(Module m, string prefix, Tensor q, Tensor kv, Tensor? mask = null, Tensor? kpm = null) =>
        F.MultiHeadAttentionForward(q, kv, kv, q.Shape[-1], 2, P(m, prefix + ".in_proj_weight"), P(m, prefix + ".in_proj_bias"),
            null, null, false, 0, P(m, prefix + ".out_proj.weight"), P(m, prefix + ".out_proj.bias"), keyPaddingMask: kpm,
            needWeights: false, attnMask: mask).Output;

    private static Tensor Ln(Module m, string name, Tensor x) => F.LayerNorm(x, [x.Shape[-1]], P(m, name + ".weight"), P(m, name + ".bias"));

    private static Tensor Ff(Module m, Tensor x, Func<Tensor, Tensor> act) =>
        F.Linear(act(F.Linear(x, P(m, "linear1.weight"), P(m, "linear1.bias"))), P(m, "linear2.weight"), P(m, "linear2.bias"));

    private const string EncoderLayerRepr =
        "TransformerEncoderLayer(\n" +
        "  (self_attn): MultiheadAttention(\n" +
        "    (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)\n" +
        "  )\n" +
        "  (linear1): Linear(in_features=8, out_features=16, bias=True)\n" +
        "  (dropout): Dropout(p=0.1, inplace=False)\n" +
        "  (linear2): Linear(in_features=16, out_features=8, bias=True)\n" +
        "  (norm1): LayerNorm((8,), eps=1e-05, elementwise_affine=True)\n" +
        "  (norm2): LayerNorm((8,), eps=1e-05, elementwise_affine=True)\n" +
        "  (dropout1): Dropout(p=0.1, inplace=False)\n" +
        "  (dropout2): Dropout(p=0.1, inplace=False)\n" +
        ")";

    [Fact] // PyTorch's children, state-dict keys and repr
    public void EncoderLayerNamesAndRepr()
    {
        var layer = new TransformerEncoderLayer(8, 2, dimFeedforward: 16);
        Assert.Equal(EncoderLayerRepr, layer.ToString());
        Assert.Equal(["self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias",
            "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias", "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"],
            layer.StateDict().Keys);
        var enc = new TransformerEncoder(layer, 2, new LayerNorm(8));
        Assert.Equal("TransformerEncoder(\n  (layers): ModuleList(\n    (0-1): 2 x " + EncoderLayerRepr.Replace("\n", "\n    ") +
            "\n  )\n  (norm): LayerNorm((8,), eps=1e-05, elementwise_affine=True)\n)", enc.ToString());
        Assert.Equal("layers.1.self_attn.in_proj_weight", enc.StateDict().Keys.ElementAt(12));
        Assert.Equal(["norm.weight", "norm.bias"], enc.StateDict().Keys.TakeLast(2));
    }

    [Theory] // post-norm and pre-norm are PyTorch's formulas over the layer's own parameters (eval: dropout off)
    [InlineData(false, "relu")]
    [InlineData(true, "gelu")]
    [InlineData(false, "custom tanh")]
    public void EncoderLayerEqualsItsDefinition(bool normFirst, string activation)
    {
        TransformerActivation spec = activation == "custom tanh" ? (Func<Tensor, Tensor>)(t => t.Tanh()) : activation;
        var layer = new TransformerEncoderLayer(8, 2, 16, activation: spec, normFirst: normFirst, generator: new Generator(1));
        layer.Eval();
        var x = R(2, 5, 3, 8);
        var mask = R(3, 5, 5);
        var kpm = Tensor.FromArray(new[] { false, false, false, true, true, false, false, false, false, false, false, true, false, false, false }, [3, 5]);
        Func<Tensor, Tensor> act = activation switch { "relu" => F.Relu, "gelu" => t => F.Gelu(t), _ => t => t.Tanh() };
        Tensor expected;
        if (normFirst)
        {
            var h = x.Add(Sa(layer, "self_attn", Ln(layer, "norm1", x), Ln(layer, "norm1", x), mask, kpm));
            expected = h.Add(Ff(layer, Ln(layer, "norm2", h), act));
        }
        else
        {
            var h = Ln(layer, "norm1", x.Add(Sa(layer, "self_attn", x, x, mask, kpm)));
            expected = Ln(layer, "norm2", h.Add(Ff(layer, h, act)));
        }
        Close(expected, layer.Forward(x, mask, kpm), 1e-5);
        // train mode with dropout 0 equals eval
        var noDrop = new TransformerEncoderLayer(8, 2, 16, dropout: 0, activation: spec, normFirst: normFirst);
        noDrop.LoadStateDict(layer.StateDict());
        Close(expected, noDrop.Forward(x, mask, kpm), 1e-5);
    }

    [Fact] // the decoder layer: self-attention, cross-attention, feed-forward, each post-norm
    public void DecoderLayerEqualsItsDefinition()
    {
        var layer = new TransformerDecoderLayer(8, 2, 16, dropout: 0, generator: new Generator(3));
        Assert.Equal(["self_attn", "multihead_attn", "linear1", "dropout", "linear2", "norm1", "norm2", "norm3", "dropout1", "dropout2", "dropout3"],
            layer.NamedChildren().Select(c => c.Key));
        var tgt = R(4, 4, 2, 8);
        var mem = R(5, 6, 2, 8);
        var tgtMask = Transformer.GenerateSquareSubsequentMask(4);
        var memKpm = Tensor.FromArray(new[] { false, false, false, false, true, true, false, false, false, false, false, false }, [2, 6]);
        var h = Ln(layer, "norm1", tgt.Add(Sa(layer, "self_attn", tgt, tgt, tgtMask)));
        h = Ln(layer, "norm2", h.Add(Sa(layer, "multihead_attn", h, mem, kpm: memKpm)));
        var expected = Ln(layer, "norm3", h.Add(Ff(layer, h, F.Relu)));
        Close(expected, layer.Forward(tgt, mem, tgtMask, memoryKeyPaddingMask: memKpm));
        Close(expected, layer.Forward(tgt, mem, tgtMask, memoryKeyPaddingMask: memKpm, tgtIsCausal: true));
    }

    [Fact] // stacks hold deep copies (equal at init, independent afterwards) and apply the final norm
    public void StacksAreDeepCopies()
    {
        var layer = new TransformerEncoderLayer(8, 2, 16, dropout: 0, generator: new Generator(4));
        var enc = new TransformerEncoder(layer, 3, new LayerNorm(8));
        var p0 = P(enc, "layers.0.linear1.weight");
        Close(P(layer, "linear1.weight"), p0, 0);
        Close(p0, P(enc, "layers.2.linear1.weight"), 0);
        Assert.NotSame(p0, P(enc, "layers.1.linear1.weight"));
        using (Autograd.NoGrad()) p0.Add_(1);
        Assert.NotEqual(p0.ToArray<float>(), P(enc, "layers.1.linear1.weight").ToArray<float>());
        var x = R(5, 5, 2, 8);
        var expected = x;
        foreach (var l in enc.Layers) expected = l.Forward(expected);
        Close(enc.Norm!.Forward(expected), enc.Forward(x));
        // An explicit causal mask, detected (null), asserted (true) or not (false): the same result.
        var mask = Transformer.GenerateSquareSubsequentMask(5);
        var y = enc.Forward(x, mask, null, isCausal: false);
        Close(y, enc.Forward(x, mask, null));
        Close(y, enc.Forward(x, mask, null, isCausal: true));
    }

    [Fact] // the full model: encoder + decoder with final norms; parameters with more than one dim re-drawn by xavier_uniform
    public void TransformerModel()
    {
        var t = new Transformer(8, 2, 2, 1, 16, dropout: 0, generator: new Generator(6));
        var keys = t.StateDict().Keys.ToList();
        Assert.Equal("encoder.layers.0.self_attn.in_proj_weight", keys[0]);
        Assert.Contains("encoder.norm.weight", keys);
        Assert.Contains("decoder.layers.0.multihead_attn.out_proj.bias", keys);
        Assert.Equal("decoder.norm.bias", keys[^1]);
        // Encoder layer: attention 3*64+24 + 64+8 = 288, linear1 144, linear2 136, norms 32 -> 600; decoder layer 2*288 + 280 + 48 = 904.
        Assert.Equal(2 * 600 + 16 + 904 + 16, t.NumParameters());
        Assert.NotEqual(P(t, "encoder.layers.0.linear1.weight").ToArray<float>(), P(t, "encoder.layers.1.linear1.weight").ToArray<float>());
        double bound = Math.Sqrt(6.0 / (8 + 16));
        Assert.True(P(t, "encoder.layers.1.linear1.weight").Abs().Max().Item() <= bound);
        var src = R(7, 5, 2, 8);
        var tgt = R(8, 4, 2, 8);
        var mask = Transformer.GenerateSquareSubsequentMask(4);
        var memory = t.Encoder.Forward(src);
        Close(t.Decoder.Forward(tgt, memory, mask), t.Forward(src, tgt, tgtMask: mask));
        var ex = Assert.Throws<ArgumentException>(() => t.Forward(src, R(9, 4, 3, 8)));
        Assert.Contains("batch number", ex.Message);
    }

    [Fact] // generate_square_subsequent_mask: 0 on and below the diagonal, -inf above
    public void SquareSubsequentMask()
    {
        var m = Transformer.GenerateSquareSubsequentMask(3).ToArray<float>();
        float ni = float.NegativeInfinity;
        Assert.Equal([0, ni, ni, 0, 0, ni, 0, 0, 0], m);
        Assert.Equal(DType.Float64, Transformer.GenerateSquareSubsequentMask(2, DType.Float64).DType);
    }

    [Fact] // dropout acts in training only; eval output is deterministic
    public void TrainEvalDropout()
    {
        var layer = new TransformerEncoderLayer(8, 2, 16, dropout: 0.3, generator: new Generator(9));
        var x = R(10, 4, 2, 8);
        var a = layer.Forward(x);
        var b = layer.Forward(x);
        Assert.True(a.Sub(b).Abs().Max().Item() > 1e-4);
        layer.Eval();
        Close(layer.Forward(x), layer.Forward(x), 0);
    }

    [Fact]
    public void Errors()
    {
        Assert.Contains("relu/gelu", Assert.Throws<ArgumentException>(() => new TransformerEncoderLayer(8, 2, activation: "tanh")).Message);
        var layer = new TransformerEncoderLayer(8, 2, 16);
        var ex = Assert.Throws<ArgumentException>(() => layer.Forward(R(1, 4, 2, 6)));
        Assert.Contains("TransformerEncoderLayer", ex.Message);
        Assert.Contains("[4, 2, 6]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => layer.Forward(R(1, 4, 2, 8), R(2, 3, 3), null));
        Assert.Contains("attn_mask", ex.Message);
        var dec = new TransformerDecoderLayer(8, 2, 16);
        ex = Assert.Throws<ArgumentException>(() => dec.Forward(R(1, 4, 2, 8), R(2, 4, 8)));
        Assert.Contains("TransformerDecoderLayer", ex.Message);
    }
}

using Xunit;
using Xunit.Abstractions;
using TorchSharp;
using TorchTensor = TorchSharp.torch.Tensor;
using LTensor = global::Lantern.Tensor;
using LGenerator = global::Lantern.Generator;
using global::Lantern.NN;

namespace Lantern.Reference.Tests.NN;

public class TransformerReferenceTests(ITestOutputHelper log)
{
    private const int E = 8, H = 2, FF = 16;

    private static LTensor R(int seed, params int[] shape) => LTensor.Randn(shape, generator: new LGenerator((ulong)seed));

    /// <summary>Bool [N, S] padding with key 0 never padded (no fully masked rows).</summary>
    private static LTensor Kpm(int seed, int n, int s) =>
        LTensor.Rand([n, s], generator: new LGenerator((ulong)seed)).Lt(0.3) & LTensor.Arange(s).Gt(0);

    private static IEnumerable<(string, TorchTensor)> Params(torch.nn.Module m) => m.named_parameters().Select(p => (p.name, (TorchTensor)p.parameter));

    private static torch.nn.Activations Act(string a) => a == "gelu" ? torch.nn.Activations.GELU : torch.nn.Activations.ReLU;

    /// <summary>Modes compared: eval with dropout 0.1 (off) and train with dropout 0.</summary>
    public static TheoryData<string, bool> Modes()
    {
        var d = new TheoryData<string, bool>();
        foreach (var a in new[] { "relu", "gelu" })
            foreach (bool train in new[] { false, true }) d.Add(a, train);
        return d;
    }

    [Theory, MemberData(nameof(Modes))] // post-norm encoder layer against TorchSharp's, with src_mask and src_key_padding_mask
    public void EncoderLayer(string activation, bool train)
    {
        double p = train ? 0 : 0.1;
        var ours = new TransformerEncoderLayer(E, H, FF, p, activation, generator: new LGenerator(1));
        var theirs = torch.nn.TransformerEncoderLayer(E, H, FF, p, Act(activation));
        ModuleParity.CopyState(ours, theirs);
        ours.Train(train);
        theirs.train(train);
        double worst = AttentionParity.Check($"EncoderLayer {activation} train={train}", [R(2, 5, 3, E), R(3, 5, 5), Kpm(4, 3, 5)], [true, false, false],
            x => ours.Forward(x[0], x[1], x[2]), x => theirs.call(x[0], x[1], x[2]), ours, Params(theirs));
        log.WriteLine($"TransformerEncoderLayer {activation} train={train}: worst relative error {worst:E2}");
    }

    [Theory, MemberData(nameof(Modes))] // post-norm decoder layer against TorchSharp's, with causal tgt mask and memory padding
    public void DecoderLayer(string activation, bool train)
    {
        double p = train ? 0 : 0.1;
        var ours = new TransformerDecoderLayer(E, H, FF, p, activation, generator: new LGenerator(5));
        var theirs = torch.nn.TransformerDecoderLayer(E, H, FF, p, Act(activation));
        ModuleParity.CopyState(ours, theirs);
        ours.Train(train);
        theirs.train(train);
        var tgtMask = Transformer.GenerateSquareSubsequentMask(4);
        double worst = AttentionParity.Check($"DecoderLayer {activation} train={train}", [R(6, 4, 3, E), R(7, 6, 3, E), tgtMask, R(8, 4, 6), Kpm(9, 3, 4), Kpm(10, 3, 6)],
            [true, true, false, false, false, false],
            x => ours.Forward(x[0], x[1], x[2], x[3], x[4], x[5]), x => theirs.call(x[0], x[1], x[2], x[3], x[4], x[5]), ours, Params(theirs));
        log.WriteLine($"TransformerDecoderLayer {activation} train={train}: worst relative error {worst:E2}");
    }

    [Theory] // norm_first (TorchSharp has none): PyTorch's definition x + SA(norm1(x)); x + FF(norm2(x)) in float64 primitives
    [InlineData("relu")]
    [InlineData("gelu")]
    public void EncoderLayerNormFirst(string activation)
    {
        var ours = new TransformerEncoderLayer(E, H, FF, 0, activation, normFirst: true, generator: new LGenerator(11));
        RandomizeNorms(ours, 12);
        var p = AttentionParity.Leaves(ours);
        double worst = AttentionParity.Check($"EncoderLayer norm_first {activation}", [R(13, 5, 3, E), R(14, 5, 5), Kpm(15, 3, 5)], [true, false, false],
            x => ours.Forward(x[0], x[1], x[2]),
            x =>
            {
                var h = x[0].add(AttentionParity.Mha(Ln(p, "norm1", x[0]), Ln(p, "norm1", x[0]), Ln(p, "norm1", x[0]), p, "self_attn.", H, x[1], x[2]));
                return h.add(Ff(p, Ln(p, "norm2", h), activation));
            },
            ours, AttentionParity.Pairs(p), torchFloat64: true);
        log.WriteLine($"TransformerEncoderLayer norm_first {activation}: worst relative error {worst:E2}");
    }

    [Fact] // norm_first decoder layer from PyTorch's definition in float64 primitives
    public void DecoderLayerNormFirst()
    {
        var ours = new TransformerDecoderLayer(E, H, FF, 0, normFirst: true, generator: new LGenerator(16));
        RandomizeNorms(ours, 17);
        var p = AttentionParity.Leaves(ours);
        var tgtMask = Transformer.GenerateSquareSubsequentMask(4);
        double worst = AttentionParity.Check("DecoderLayer norm_first", [R(18, 4, 3, E), R(19, 6, 3, E), tgtMask, Kpm(20, 3, 6)], [true, true, false, false],
            x => ours.Forward(x[0], x[1], x[2], memoryKeyPaddingMask: x[3]),
            x =>
            {
                var n1 = Ln(p, "norm1", x[0]);
                var h = x[0].add(AttentionParity.Mha(n1, n1, n1, p, "self_attn.", H, x[2]));
                var n2 = Ln(p, "norm2", h);
                h = h.add(AttentionParity.Mha(n2, x[1], x[1], p, "multihead_attn.", H, keyPaddingMask: x[3]));
                return h.add(Ff(p, Ln(p, "norm3", h), "relu"));
            },
            ours, AttentionParity.Pairs(p), torchFloat64: true);
        log.WriteLine($"TransformerDecoderLayer norm_first: worst relative error {worst:E2}");
    }

    [Fact] // encoder and decoder stacks (no final norm: TorchSharp's constructors take none) and the full nn.Transformer
    public void StacksAndTransformer()
    {
        var enc = new TransformerEncoder(new TransformerEncoderLayer(E, H, FF, 0, generator: new LGenerator(21)), 2);
        RandomizeAll(enc, 22);
        var tenc = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(E, H, FF, 0), 2);
        ModuleParity.CopyState(enc, tenc);
        var mask = Transformer.GenerateSquareSubsequentMask(5);
        double worst = AttentionParity.Check("TransformerEncoder", [R(23, 5, 3, E), mask, Kpm(24, 3, 5)], [true, false, false],
            x => enc.Forward(x[0], x[1], x[2]), x => tenc.call(x[0], x[1], x[2]), enc, Params(tenc));

        var dec = new TransformerDecoder(new TransformerDecoderLayer(E, H, FF, 0, generator: new LGenerator(25)), 2);
        RandomizeAll(dec, 26);
        var tdec = torch.nn.TransformerDecoder(torch.nn.TransformerDecoderLayer(E, H, FF, 0), 2);
        ModuleParity.CopyState(dec, tdec);
        var tmask = Transformer.GenerateSquareSubsequentMask(4);
        worst = Math.Max(worst, AttentionParity.Check("TransformerDecoder", [R(27, 4, 3, E), R(28, 6, 3, E), tmask], [true, true, false],
            x => dec.Forward(x[0], x[1], x[2]), x => tdec.call(x[0], x[1], x[2]), dec, Params(tdec)));

        var model = new Transformer(E, H, 2, 2, FF, 0, generator: new LGenerator(29));
        var tmodel = torch.nn.Transformer(E, H, 2, 2, FF, 0);
        ModuleParity.CopyState(model, tmodel); // the key sets (encoder.layers.0..., encoder.norm.weight, decoder...) are equal
        worst = Math.Max(worst, AttentionParity.Check("Transformer", [R(30, 5, 3, E), R(31, 4, 3, E), tmask, Kpm(32, 3, 5)], [true, true, false, false],
            x => model.Forward(x[0], x[1], tgtMask: x[2], srcKeyPaddingMask: x[3], memoryKeyPaddingMask: x[3]),
            x => tmodel.call(x[0], x[1], null!, x[2], null, x[3], null, x[3]), model, Params(tmodel)));
        log.WriteLine($"TransformerEncoder/Decoder/Transformer: worst relative error {worst:E2}");
    }

    private static TorchTensor Ln(Dictionary<string, TorchTensor> p, string name, TorchTensor x) =>
        torch.nn.functional.layer_norm(x, [E], p[name + ".weight"], p[name + ".bias"]);

    private static TorchTensor Ff(Dictionary<string, TorchTensor> p, TorchTensor x, string activation)
    {
        var h = torch.nn.functional.linear(x, p["linear1.weight"], p["linear1.bias"]);
        h = activation == "gelu" ? torch.nn.functional.gelu(h) : torch.nn.functional.relu(h);
        return torch.nn.functional.linear(h, p["linear2.weight"], p["linear2.bias"]);
    }

    /// <summary>LayerNorm affine parameters away from (1, 0) so that their placement matters.</summary>
    private static void RandomizeNorms(global::Lantern.NN.Module m, int seed)
    {
        using (Autograd.NoGrad())
            foreach (var (name, t) in m.NamedParameters().Where(q => q.Key.StartsWith("norm", StringComparison.Ordinal)))
                t.Copy_(t.Add(R(seed++, t.Shape.ToArray()).Mul(0.3)));
    }

    /// <summary>Distinct values in every layer copy (copies start equal) and non-zero biases.</summary>
    private static void RandomizeAll(global::Lantern.NN.Module m, int seed)
    {
        using (Autograd.NoGrad())
            foreach (var (_, t) in m.NamedParameters())
                t.Copy_(t.Add(R(seed++, t.Shape.ToArray()).Mul(0.1)));
    }
}

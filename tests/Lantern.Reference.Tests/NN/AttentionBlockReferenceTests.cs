using Xunit;
using Xunit.Abstractions;
using TorchSharp;
using TorchTensor = TorchSharp.torch.Tensor;
using LTensor = global::Lantern.Tensor;
using LGenerator = global::Lantern.Generator;
using global::Lantern.NN;

namespace Lantern.Reference.Tests.NN;

// Blocks without a TorchSharp module: PyTorch's definitions (torchvision's SqueezeExcitation, CBAM as in Woo et al.,
// timm's PatchEmbed, the tutorial's PositionalEncoding) written with TorchSharp's conv2d / pooling / linear.
public class AttentionBlockReferenceTests(ITestOutputHelper log)
{
    private static LTensor R(int seed, params int[] shape) => LTensor.Randn(shape, generator: new LGenerator((ulong)seed));

    private static Dictionary<string, TorchTensor> Leaves(global::Lantern.NN.Module m) =>
        m.NamedParameters().ToDictionary(p => p.Key, p => Torch.From(p.Value).requires_grad_(true));

    private static TorchTensor Conv(Dictionary<string, TorchTensor> p, string name, TorchTensor x, long stride = 1, long pad = 0) =>
        torch.nn.functional.conv2d(x, p[name + ".weight"], p.GetValueOrDefault(name + ".bias"), [stride, stride], [pad, pad]);

    [Fact] // torchvision.ops.SqueezeExcitation.forward: scale = sigmoid(fc2(relu(fc1(adaptive_avg_pool2d(x, 1))))); scale * x
    public void SqueezeExcitation()
    {
        var ours = new SqueezeExcitation(16, 4, generator: new LGenerator(1));
        var p = Leaves(ours);
        double worst = AttentionParity.Check("SqueezeExcitation", [R(2, 2, 16, 7, 5)], [true], x => ours.Forward(x[0]),
            x => torch.nn.functional.sigmoid(Conv(p, "fc2", torch.nn.functional.relu(Conv(p, "fc1", torch.nn.functional.adaptive_avg_pool2d(x[0], 1))))).mul(x[0]),
            ours, p.Select(kv => (kv.Key, kv.Value)));
        log.WriteLine($"SqueezeExcitation: worst relative error {worst:E2}");
    }

    [Fact] // CBAM: x' = sigmoid(mlp(avgpool x) + mlp(maxpool x)) * x; y = sigmoid(conv7x7([mean_c x', max_c x'])) * x'
    public void Cbam()
    {
        var ours = new Cbam(16, 4, generator: new LGenerator(3));
        var p = Leaves(ours);
        double worst = AttentionParity.Check("CBAM", [R(4, 2, 16, 9, 8)], [true], x => ours.Forward(x[0]),
            x =>
            {
                TorchTensor Mlp(TorchTensor v) => Conv(p, "channel.fc2", torch.nn.functional.relu(Conv(p, "channel.fc1", v)));
                var avg = torch.nn.functional.adaptive_avg_pool2d(x[0], 1);
                var max = torch.nn.functional.adaptive_max_pool2d(x[0], [1L, 1L]);
                var xc = torch.nn.functional.sigmoid(Mlp(avg).add(Mlp(max))).mul(x[0]);
                var desc = torch.cat([xc.mean([1], keepdim: true), xc.amax([1], keepdim: true)], 1);
                return torch.nn.functional.sigmoid(Conv(p, "spatial.conv", desc, 1, 3)).mul(xc);
            },
            ours, p.Select(kv => (kv.Key, kv.Value)));
        log.WriteLine($"CBAM: worst relative error {worst:E2}");
    }

    [Fact] // timm PatchEmbed: proj = Conv2d(C, E, p, stride p); x = proj(x).flatten(2).transpose(1, 2)
    public void PatchEmbed()
    {
        var ours = new PatchEmbed(16, 4, 3, 12, generator: new LGenerator(5));
        var theirs = torch.nn.Conv2d(3, 12, 4, stride: 4);
        var p = theirs.named_parameters().ToDictionary(q => "proj." + q.name, q => (TorchTensor)q.parameter);
        using (torch.no_grad())
            foreach (var (k, v) in ours.StateDict()) p[k].copy_(Torch.From(v));
        double worst = AttentionParity.Check("PatchEmbed", [R(6, 2, 3, 16, 16)], [true], x => ours.Forward(x[0]),
            x => theirs.call(x[0]).flatten(2).transpose(1, 2), ours, p.Select(kv => (kv.Key, kv.Value)));
        var vit = new VisionTransformerEmbedding(16, 4, 3, 12, generator: new LGenerator(7));
        var q = Leaves(vit);
        worst = Math.Max(worst, AttentionParity.Check("ViT embedding", [R(8, 2, 3, 16, 16)], [true], x => vit.Forward(x[0]),
            x =>
            {
                var tokens = Conv(q, "patch_embed.proj", x[0], 4).flatten(2).transpose(1, 2);
                return torch.cat([q["cls_token"].expand(2, -1, -1), tokens], 1).add(q["pos_embed"]);
            },
            vit, q.Select(kv => (kv.Key, kv.Value))));
        log.WriteLine($"PatchEmbed / ViT embedding: worst relative error {worst:E2}");
    }

    [Fact] // the tutorial's PositionalEncoding buffer, computed by TorchSharp in float32 the tutorial's way
    public void SinusoidalTable()
    {
        const int d = 16, maxLen = 500;
        var ours = new SinusoidalPositionalEncoding(d, 0, maxLen);
        var position = torch.arange(maxLen).unsqueeze(1);
        var divTerm = torch.exp(torch.arange(0, d, 2).mul(-Math.Log(10000.0) / d));
        // pe[:, 0, 0::2] = sin(position * div_term); pe[:, 0, 1::2] = cos(position * div_term)
        var angle = position.mul(divTerm);
        var pe = torch.stack([torch.sin(angle), torch.cos(angle)], 2).reshape(maxLen, 1, d);
        double worst = Torch.AssertClose(pe, ours.Pe, 1e-4, "PositionalEncoding pe");
        var x = R(9, 7, 2, d);
        worst = Math.Max(worst, Torch.AssertClose(Torch.From(x).add(pe.narrow(0, 0, 7)), ours.Forward(x), 1e-4, "PositionalEncoding forward"));
        log.WriteLine($"SinusoidalPositionalEncoding: worst relative error {worst:E2}");
    }
}

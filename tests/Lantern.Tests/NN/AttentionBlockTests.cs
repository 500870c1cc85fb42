using Lantern.NN;
using Lantern.Tests.OpTable;
using Xunit;

namespace Lantern.Tests.NN;

// Positional encodings, ViT patch embedding, Squeeze-and-Excitation and CBAM.
public class AttentionBlockTests
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

    /// <summary>Direct convolution by loops: x [N, C, H, W], w [O, C, k, k], zero padding p, stride s.</summary>
    private static Tensor ConvRef(Tensor x, Tensor w, Tensor? b, int stride, int pad)
    {
        var xd = Nd.From(x);
        var wd = Nd.From(w);
        int n = xd.Shape[0], c = xd.Shape[1], h = xd.Shape[2], wi = xd.Shape[3], o = wd.Shape[0], k = wd.Shape[2];
        int oh = (h + 2 * pad - k) / stride + 1, ow = (wi + 2 * pad - k) / stride + 1;
        var r = new Nd([n, o, oh, ow]);
        var bd = b is null ? null : b.ToArray<double>();
        for (int a = 0; a < n; a++)
            for (int f = 0; f < o; f++)
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++)
                    {
                        double acc = bd?[f] ?? 0;
                        for (int ch = 0; ch < c; ch++)
                            for (int u = 0; u < k; u++)
                                for (int v = 0; v < k; v++)
                                {
                                    int y = i * stride + u - pad, xx = j * stride + v - pad;
                                    if (y >= 0 && y < h && xx >= 0 && xx < wi) acc += xd[a, ch, y, xx] * wd[f, ch, u, v];
                                }
                        r[a, f, i, j] = acc;
                    }
        return r.ToTensor(x.DType);
    }

    private static Tensor P(Module m, string name) => m.NamedParameters().Single(p => p.Key == name).Value;

    [Fact] // PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(...); added to the input; batchFirst transposes
    public void SinusoidalEncodingValues()
    {
        var pe = new SinusoidalPositionalEncoding(6, dropout: 0, maxLen: 50, dtype: DType.Float64);
        Assert.Equal(["pe"], pe.StateDict().Keys);
        Assert.Equal(new Shape(50, 1, 6), pe.Pe.Shape);
        var t = pe.Pe.ToArray<double>();
        for (int pos = 0; pos < 50; pos += 7)
            for (int i = 0; i < 3; i++)
            {
                double angle = pos / Math.Pow(10000, 2.0 * i / 6);
                Assert.Equal(Math.Sin(angle), t[pos * 6 + 2 * i], 12);
                Assert.Equal(Math.Cos(angle), t[pos * 6 + 2 * i + 1], 12);
            }
        var x = R(1, 4, 2, 6).Double();
        Close(x.Add(pe.Pe.Narrow(0, 0, 4)), pe.Forward(x), 1e-12);
        var bf = new SinusoidalPositionalEncoding(6, dropout: 0, maxLen: 50, batchFirst: true, dtype: DType.Float64);
        Close(pe.Forward(x).Transpose(0, 1), bf.Forward(x.Transpose(0, 1)), 1e-12);
        Assert.Equal("SinusoidalPositionalEncoding(\n  d_model=6, max_len=50\n  (dropout): Dropout(p=0.0, inplace=False)\n)", pe.ToString());
        Assert.Contains("exceeds max_len 50", Assert.Throws<ArgumentException>(() => pe.Forward(R(2, 51, 1, 6).Double())).Message);
        Assert.Contains("even", Assert.Throws<ArgumentException>(() => new SinusoidalPositionalEncoding(5)).Message);
    }

    [Fact] // float32 table as the tutorial computes it; dropout in training only
    public void SinusoidalEncodingDropout()
    {
        var pe = new SinusoidalPositionalEncoding(8, dropout: 0.5, maxLen: 16, generator: new Generator(3));
        var x = R(4, 16, 3, 8);
        var y = pe.Forward(x);
        Assert.True(y.Eq(0).Sum().Item<long>() > 0);
        pe.Eval();
        Close(x.Add(pe.Pe), pe.Forward(x));
        Assert.Equal(Math.Sin(15 / Math.Pow(10000, 6.0 / 8)), pe.Pe[15, 0, 6].Item(), 5);
    }

    [Fact] // learned embedding: rows 0..L-1 of "weight" added; gradient reaches only those rows
    public void LearnedEmbedding()
    {
        var m = new LearnedPositionalEmbedding(10, 4, batchFirst: true, generator: new Generator(5));
        Assert.Equal(["weight"], m.StateDict().Keys);
        var x = R(6, 2, 3, 4);
        var y = m.Forward(x);
        Close(x.Add(m.Weight.Narrow(0, 0, 3).Unsqueeze(0)), y);
        y.Sum().Backward();
        var g = m.Weight.Grad!;
        Close(Tensor.Full([3, 4], 2f), g.Narrow(0, 0, 3));
        Assert.Equal(0f, g.Narrow(0, 3, 7).Abs().Sum().Item());
        Assert.Contains("exceeds max_len", Assert.Throws<ArgumentException>(() => m.Forward(R(7, 1, 11, 4))).Message);
    }

    [Fact] // timm's PatchEmbed: proj.weight [E, C, p, p]; output = conv(x, stride p).flatten(2).transpose(1, 2)
    public void PatchEmbedIsStridedConvolution()
    {
        var m = new PatchEmbed(8, 4, 3, 5, generator: new Generator(7));
        Assert.Equal(["proj.weight", "proj.bias"], m.StateDict().Keys);
        Assert.Equal(new Shape(5, 3, 4, 4), m.Weight.Shape);
        Assert.Equal(4, m.NumPatches);
        Assert.Equal("PatchEmbed(\n  (proj): Conv2d(3, 5, kernel_size=(4, 4), stride=(4, 4))\n)", m.ToString());
        var x = R(8, 2, 3, 8, 8);
        var conv = ConvRef(x, m.Weight, m.Bias, 4, 0);                                           // [2, 5, 2, 2]
        Close(conv.Flatten(2).Transpose(1, 2), m.Forward(x), 1e-5);
        var grid = new PatchEmbed(8, 4, 3, 5, flatten: false);
        grid.LoadStateDict(m.StateDict());
        Close(conv, grid.Forward(x), 1e-5);
        // Conv2d's init: kaiming_uniform(a = sqrt 5) -> bound 1 / sqrt(fan_in) = 1 / sqrt(48).
        Assert.True(m.Weight.Abs().Max().Item() <= 1 / Math.Sqrt(48));
        Assert.Contains("doesn't match model", Assert.Throws<ArgumentException>(() => m.Forward(R(9, 1, 3, 12, 12))).Message);
        Assert.Contains("[N, 3, H, W]", Assert.Throws<ArgumentException>(() => m.Forward(R(9, 1, 4, 8, 8))).Message);
        var dynamic = new PatchEmbed(null, 4, 3, 5);
        Assert.Equal(new Shape(1, 6, 5), dynamic.Forward(R(10, 1, 3, 8, 12)).Shape);
        Assert.Contains("not divisible", Assert.Throws<ArgumentException>(() => dynamic.Forward(R(10, 1, 3, 8, 10))).Message);
    }

    [Fact] // ViT stem: [cls; patches] + pos_embed, names as timm's VisionTransformer
    public void VisionTransformerEmbeddingTokens()
    {
        var m = new VisionTransformerEmbedding(8, 4, 3, 6, generator: new Generator(11));
        Assert.Equal(["cls_token", "pos_embed", "patch_embed.proj.weight", "patch_embed.proj.bias"], m.StateDict().Keys);
        Assert.Equal(new Shape(1, 5, 6), m.PosEmbed.Shape);
        var x = R(12, 2, 3, 8, 8);
        var y = m.Forward(x);
        Assert.Equal(new Shape(2, 5, 6), y.Shape);
        Close(m.ClsToken!.Add(m.PosEmbed.Narrow(1, 0, 1)).Expand(2, 1, 6), y.Narrow(1, 0, 1));
        Close(m.PatchEmbed.Forward(x).Add(m.PosEmbed.Narrow(1, 1, 4)), y.Narrow(1, 1, 4));
        // timm: trunc_normal_(std=0.02) with PyTorch's default absolute bounds [-2, 2] (so practically N(0, 0.02^2)).
        double std = m.PosEmbed.Std().Item();
        Assert.InRange(std, 0.01, 0.04);
    }

    [Fact] // SE: s = sigmoid(fc2(relu(fc1(avgpool x)))) with 1x1 convs; names and shapes as torchvision's SqueezeExcitation
    public void SqueezeExcitationDefinition()
    {
        var m = new SqueezeExcitation(8, 2, generator: new Generator(13));
        Assert.Equal(["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"], m.StateDict().Keys);
        Assert.Equal(new Shape(2, 8, 1, 1), m.Fc1Weight.Shape);
        Assert.Equal(new Shape(8, 2, 1, 1), m.Fc2Weight.Shape);
        var x = R(14, 2, 8, 3, 5);
        var pooled = x.Mean([2, 3], keepDim: true);
        var s = ConvRef(ConvRef(pooled, m.Fc1Weight, P(m, "fc1.bias"), 1, 0).Relu(), m.Fc2Weight, P(m, "fc2.bias"), 1, 0).Sigmoid();
        Close(x.Mul(s), m.Forward(x));
        Close(x.Select(0, 1).Mul(s.Select(0, 1)), m.Forward(x.Select(0, 1)));
        Assert.Equal(16 / 4, SqueezeExcitation.WithReduction(16, 4).SqueezeChannels);
        Assert.Contains("[N, 8, H, W]", Assert.Throws<ArgumentException>(() => m.Forward(R(1, 2, 7, 3, 3))).Message);
        Assert.Contains("at least 1", Assert.Throws<ArgumentException>(() => SqueezeExcitation.WithReduction(8, 16)).Message);
    }

    [Fact] // CBAM: channel attention (shared MLP on avg and max pools), then spatial attention (7x7 conv on [mean_c, max_c])
    public void CbamDefinition()
    {
        var m = new Cbam(8, reductionRatio: 4, generator: new Generator(15));
        Assert.Equal(["channel.fc1.weight", "channel.fc1.bias", "channel.fc2.weight", "channel.fc2.bias", "spatial.conv.weight"], m.StateDict().Keys);
        Assert.Equal(new Shape(1, 2, 7, 7), m.Spatial.Weight.Shape);
        var x = R(16, 2, 8, 6, 5);
        Tensor Mlp(Tensor v) => ConvRef(ConvRef(v, P(m, "channel.fc1.weight"), P(m, "channel.fc1.bias"), 1, 0).Relu(),
            P(m, "channel.fc2.weight"), P(m, "channel.fc2.bias"), 1, 0);
        var mc = Mlp(x.Mean([2, 3], keepDim: true)).Add(Mlp(x.Amax([2, 3], keepDim: true))).Sigmoid();
        var xc = x.Mul(mc);
        var desc = Tensor.Cat([xc.Mean([1], keepDim: true), xc.Amax([1], keepDim: true)], 1);
        var ms = ConvRef(desc, m.Spatial.Weight, null, 1, 3).Sigmoid();
        Close(xc.Mul(ms), m.Forward(x), 1e-5);
        Assert.Equal("Cbam(\n  (channel): ChannelAttention(\n    (fc1): Conv2d(8, 2, kernel_size=(1, 1), stride=(1, 1))\n" +
            "    (fc2): Conv2d(2, 8, kernel_size=(1, 1), stride=(1, 1))\n  )\n  (spatial): SpatialAttention(\n" +
            "    (conv): Conv2d(2, 1, kernel_size=(7, 7), stride=(1, 1), padding=(3, 3), bias=False)\n  )\n)", m.ToString());
        Assert.Contains("odd", Assert.Throws<ArgumentException>(() => new Cbam(8, 4, spatialKernelSize: 4)).Message);
        Assert.Contains("[N, 8, H, W]", Assert.Throws<ArgumentException>(() => m.Forward(R(1, 2, 4, 3, 3))).Message);
    }

    [Fact] // the im2col convolutions and the blocks built on them pass float64 gradcheck
    public void BlocksGradcheck()
    {
        var cbam = new Cbam(4, reductionRatio: 2, spatialKernelSize: 3, dtype: DType.Float64, generator: new Generator(17));
        var se = new SqueezeExcitation(4, 2, dtype: DType.Float64, generator: new Generator(18));
        var patch = new PatchEmbed(4, 2, 2, 3, dtype: DType.Float64, generator: new Generator(19));
        var x = Tensor.Randn([1, 4, 3, 3], DType.Float64, generator: new Generator(20));
        Gradcheck.Check(t => cbam.Forward(t[0]), [x], [0], what: "CBAM");
        Gradcheck.Check(t => se.Forward(t[0]), [x], [0], what: "SE");
        var img = Tensor.Randn([1, 2, 4, 4], DType.Float64, generator: new Generator(21));
        Gradcheck.Check(t => patch.Forward(t[0]), [img], [0], what: "PatchEmbed");
    }
}

using Lantern.NN;
using Xunit;

namespace Lantern.Tests.NN;

public class AttentionTests
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

    [Fact] // a fully masked row: zeros out, zero gradients, no NaN anywhere (PyTorch's math path, _safe_softmax)
    public void SdpaFullyMaskedRowIsZeroWithZeroGradient()
    {
        var q = R(1, 2, 3, 4).RequiresGrad_();
        var k = R(2, 2, 5, 4).RequiresGrad_();
        var v = R(3, 2, 5, 3).RequiresGrad_();
        var mask = Tensor.Ones([3, 5], DType.Bool).Clone();
        mask[1] = Tensor.Zeros([5], DType.Bool);
        var y = F.ScaledDotProductAttention(q, k, v, mask);
        Assert.All(y.Select(1, 1).ToArray<float>(), x => Assert.Equal(0f, x));
        Assert.All(y.Select(1, 0).ToArray<float>(), x => Assert.NotEqual(0f, x));
        y.Sum().Backward();
        Assert.All(q.Grad!.Select(1, 1).ToArray<float>(), x => Assert.Equal(0f, x));
        foreach (var g in new[] { q.Grad!, k.Grad!, v.Grad! }) Assert.False(g.IsNan().Any().Item<bool>());
    }

    [Fact] // the causal flag equals the explicit tril Bool mask and the float 0/-inf square subsequent mask
    public void SdpaCausalEqualsExplicitMasks()
    {
        var q = R(4, 2, 4, 3);
        var k = R(5, 2, 4, 3);
        var v = R(6, 2, 4, 2);
        var causal = F.ScaledDotProductAttention(q, k, v, isCausal: true);
        Close(causal, F.ScaledDotProductAttention(q, k, v, Tensor.Ones([4, 4], DType.Bool).Tril()));
        Close(causal, F.ScaledDotProductAttention(q, k, v, Transformer.GenerateSquareSubsequentMask(4)));
        // First query row sees only key 0, so its output is value row 0.
        Close(v.Select(1, 0), causal.Select(1, 0));
    }

    [Fact] // in_proj_weight [3E, E] xavier_uniform, biases zero, out_proj is a NonDynamicallyQuantizableLinear
    public void MultiheadAttentionParametersAndInit()
    {
        var m = new MultiheadAttention(16, 4, generator: new Generator(1));
        Assert.Equal(["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"], m.StateDict().Keys);
        Assert.Equal(new Shape(48, 16), m.InProjWeight!.Shape);
        double bound = Math.Sqrt(6.0 / (16 + 48));
        var w = m.InProjWeight.ToArray<float>();
        Assert.True(w.Max() <= bound && w.Min() >= -bound && w.Max() > 0.9 * bound);
        Assert.All(m.InProjBias!.ToArray<float>(), x => Assert.Equal(0f, x));
        Assert.All(m.OutProj.Bias!.ToArray<float>(), x => Assert.Equal(0f, x));
        Assert.Equal("MultiheadAttention(\n  (out_proj): NonDynamicallyQuantizableLinear(in_features=16, out_features=16, bias=True)\n)", m.ToString());

        var sep = new MultiheadAttention(8, 2, bias: false, addBiasKv: true, kdim: 3, vdim: 5);
        Assert.Equal(["q_proj_weight", "k_proj_weight", "v_proj_weight", "bias_k", "bias_v", "out_proj.weight"], sep.StateDict().Keys);
        Assert.Equal(new Shape(8, 3), sep.KProjWeight!.Shape);
        Assert.Equal(new Shape(8, 5), sep.VProjWeight!.Shape);
        Assert.Equal(new Shape(1, 1, 8), sep.BiasK!.Shape);
        Assert.Null(sep.InProjWeight);
    }

    [Fact] // the module is its functional form; batchFirst is the transposed computation; weights are averaged or per head
    public void MultiheadAttentionEqualsFunctional()
    {
        var m = new MultiheadAttention(8, 2, generator: new Generator(2));
        var q = R(3, 5, 2, 8);
        var kv = R(4, 6, 2, 8);
        var kpm = Tensor.FromArray(new[] { false, false, true, false, false, false, true, true, false, false, false, false }, [2, 6]);
        var (y, w) = m.Forward(q, kv, kv, kpm);
        var (fy, fw) = F.MultiHeadAttentionForward(q, kv, kv, 8, 2, m.InProjWeight, m.InProjBias, null, null, false, 0,
            m.OutProj.Weight, m.OutProj.Bias, keyPaddingMask: kpm);
        Close(fy, y, 0);
        Close(fw!, w!, 0);
        Assert.Equal(new Shape(2, 5, 6), w!.Shape);
        // Padded keys get zero weight; rows sum to 1.
        Assert.Equal(0f, w[0, .., 2].Abs().Sum().Item());
        Close(Tensor.Ones([2, 5]), w.Sum(-1));
        // needWeights=false runs through SDPA: the same output.
        Close(y, m.Forward(q, kv, kv, kpm, needWeights: false).Output);
        var (_, perHead) = m.Forward(q, kv, kv, kpm, averageAttnWeights: false);
        Assert.Equal(new Shape(2, 2, 5, 6), perHead!.Shape);
        Close(w, perHead.Mean(1));

        var bf = new MultiheadAttention(8, 2, batchFirst: true);
        bf.LoadStateDict(m.StateDict());
        var (by, bw) = bf.Forward(q.Transpose(0, 1), kv.Transpose(0, 1), kv.Transpose(0, 1), kpm);
        Close(y.Transpose(0, 1), by);
        Close(w, bw!);
    }

    [Fact] // a query whose keys are all padded: NaN with needWeights (plain softmax), out_proj.bias without (SDPA), as PyTorch
    public void MultiheadAttentionFullyMaskedRows()
    {
        var m = new MultiheadAttention(4, 2, generator: new Generator(3));
        using (Autograd.NoGrad()) m.OutProj.Bias!.Copy_(Tensor.FromArray(new float[] { 1, 2, 3, 4 }));
        var x = R(4, 3, 2, 4);
        var kpm = Tensor.FromArray(new[] { true, true, true, false, false, false }, [2, 3]);
        var (y, _) = m.Forward(x, x, x, kpm);
        Assert.True(y.Select(1, 0).IsNan().All().Item<bool>());
        Assert.False(y.Select(1, 1).IsNan().Any().Item<bool>());
        var (ys, ws) = m.Forward(x, x, x, kpm, needWeights: false);
        Assert.Null(ws);
        Close(Tensor.FromArray(new float[] { 1, 2, 3, 4 }).Expand(3, 4), ys.Select(1, 0));
    }

    [Fact] // isCausal is a hint about attnMask: with the causal mask the result equals the unhinted one; without a mask it is an error
    public void MultiheadAttentionCausalHint()
    {
        var m = new MultiheadAttention(8, 2, generator: new Generator(4));
        var x = R(5, 4, 2, 8);
        var mask = Transformer.GenerateSquareSubsequentMask(4);
        var plain = m.Forward(x, x, x, attnMask: mask, needWeights: false).Output;
        Close(plain, m.Forward(x, x, x, attnMask: mask, needWeights: false, isCausal: true).Output);
        Close(plain, m.Forward(x, x, x, attnMask: Tensor.Ones([4, 4], DType.Bool).Triu(1)).Output);
        var ex = Assert.Throws<ArgumentException>(() => m.Forward(x, x, x, isCausal: true));
        Assert.Contains("is_causal", ex.Message);
    }

    [Fact] // dropout on the weights only in training; eval is deterministic and equals p = 0
    public void MultiheadAttentionDropoutTrainEval()
    {
        var m = new MultiheadAttention(8, 2, dropout: 0.5, generator: new Generator(5));
        var m0 = new MultiheadAttention(8, 2);
        m0.LoadStateDict(m.StateDict());
        var x = R(6, 4, 2, 8);
        var (train, wTrain) = m.Forward(x, x, x);
        var (ref0, w0) = m0.Forward(x, x, x);
        Assert.True(train.Sub(ref0).Abs().Max().Item() > 1e-3);
        Assert.True(wTrain!.Eq(0).Any().Item<bool>());
        m.Eval();
        Close(ref0, m.Forward(x, x, x).Output);
        Close(w0!, m.Forward(x, x, x).Weights!);
    }

    [Fact] // unbatched input [L, E] equals the batched computation with N = 1
    public void MultiheadAttentionUnbatched()
    {
        var m = new MultiheadAttention(8, 4, addBiasKv: true, addZeroAttn: true, generator: new Generator(6));
        var q = R(7, 3, 8);
        var kv = R(8, 5, 8);
        var (y, w) = m.Forward(q, kv, kv);
        var (yb, wb) = m.Forward(q.Unsqueeze(1), kv.Unsqueeze(1), kv.Unsqueeze(1));
        Close(yb.Squeeze(1), y);
        Close(wb!.Squeeze(0), w!);
        Assert.Equal(new Shape(3, 7), w!.Shape); // 5 keys + bias_k + zero key
    }

    [Fact] // bad construction and bad inputs raise ArgumentException naming the layer and the shapes
    public void MultiheadAttentionErrors()
    {
        Assert.Contains("divisible", Assert.Throws<ArgumentException>(() => new MultiheadAttention(10, 3)).Message);
        Assert.Contains("greater than 0", Assert.Throws<ArgumentException>(() => new MultiheadAttention(0, 1)).Message);
        var m = new MultiheadAttention(8, 2);
        var ex = Assert.Throws<ArgumentException>(() => m.Forward(R(1, 3, 2, 6), R(2, 4, 2, 6), R(2, 4, 2, 6)));
        Assert.Contains("MultiheadAttention", ex.Message);
        Assert.Contains("8", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => m.Forward(R(1, 3, 2, 8), R(2, 4, 2, 8), R(3, 5, 2, 8)));
        Assert.Contains("[4, 2, 8]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => m.Forward(R(1, 3, 2, 8), R(2, 4, 2, 8), R(2, 4, 2, 8), attnMask: R(3, 3, 3, 4)));
        Assert.Contains("3D attn_mask", ex.Message);
        var cross = new MultiheadAttention(8, 2, kdim: 3, vdim: 3);
        ex = Assert.Throws<ArgumentException>(() => cross.Forward(R(1, 3, 2, 8), R(2, 4, 2, 8), R(2, 4, 2, 3)));
        Assert.Contains("key weights", ex.Message);
    }
}

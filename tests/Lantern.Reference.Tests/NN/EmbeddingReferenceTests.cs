using Xunit;
using Xunit.Abstractions;
using TorchSharp;
using LTensor = global::Lantern.Tensor;
using LGenerator = global::Lantern.Generator;
using LNN = global::Lantern.NN;

namespace Lantern.Reference.Tests.NN;

/// <summary>Embedding and EmbeddingBag against PyTorch (outputs and weight gradients, padding rows included);
/// Dropout2d/AlphaDropout formulas (not masks: torch's generator is not ours) on constant inputs.</summary>
public class EmbeddingReferenceTests(ITestOutputHelper output)
{
    private static LTensor Idx(long[] v, params int[] shape) => LTensor.FromArray(v, shape.Length == 0 ? [v.Length] : shape);

    [Fact]
    public void EmbeddingMatchesTorch()
    {
        var idx = Idx([1, 2, 2, 9, 0, 2, 5, 1], 2, 4);
        double w = ModuleParity.Check(new LNN.Embedding(10, 4, generator: new LGenerator(1)), torch.nn.Embedding(10, 4), idx, 1e-6, "Embedding", inputGrad: false);
        w = Math.Max(w, ModuleParity.Check(new LNN.Embedding(10, 4, paddingIdx: 2, generator: new LGenerator(2)), torch.nn.Embedding(10, 4, padding_idx: 2),
            idx, 1e-6, "Embedding(padding_idx=2)", inputGrad: false));
        w = Math.Max(w, ModuleParity.Check(new LNN.Embedding(10, 4, scaleGradByFreq: true, generator: new LGenerator(3)), torch.nn.Embedding(10, 4, scale_grad_by_freq: true),
            idx, 1e-6, "Embedding(scale_grad_by_freq=True)", inputGrad: false));
        output.WriteLine($"Embedding: max relative error {w:E2}");
    }

    [Fact] // max_norm renormalises the looked-up rows of the weight in place: the tables agree afterwards
    public void EmbeddingMaxNormMatchesTorch()
    {
        var ours = new LNN.Embedding(6, 3, maxNorm: 1.5, normType: 1, generator: new LGenerator(4));
        var theirs = torch.nn.Embedding(6, 3, max_norm: 1.5, norm_type: 1);
        var idx = Idx([0, 3, 3, 5]);
        double w = ModuleParity.Check(ours, theirs, idx, 1e-6, "Embedding(max_norm=1.5, norm_type=1)", inputGrad: false);
        Torch.AssertClose(theirs.weight!, ours.Weight, 1e-6, "renormalised table");
        output.WriteLine($"Embedding(max_norm): max relative error {w:E2}");
    }

    [Theory]
    [InlineData("sum")]
    [InlineData("mean")]
    [InlineData("max")]
    public void EmbeddingBagMatchesTorch(string mode)
    {
        var m = mode switch { "sum" => EmbeddingBagMode.Sum, "mean" => EmbeddingBagMode.Mean, _ => EmbeddingBagMode.Max };
        var ours = new LNN.EmbeddingBag(8, 3, mode: mode, generator: new LGenerator(5));
        var theirs = torch.nn.EmbeddingBag(8, 3, mode: m);
        ModuleParity.CopyState(ours, theirs);
        var idx = Idx([1, 4, 4, 0, 7, 2, 6]);
        var offsets = Idx([0, 3, 3, 5]);
        LTensor? psw = mode == "sum" ? LTensor.Randn([7], generator: new LGenerator(6)).RequiresGrad_() : null;
        var tpsw = psw is null ? null : Torch.From(psw, requiresGrad: true);
        var y = ours.Forward(idx, offsets, psw);
        var ty = theirs.call(Torch.From(idx), Torch.From(offsets), tpsw);
        double w = Torch.AssertClose(ty, y, 1e-6, $"EmbeddingBag({mode}) forward");
        var g = LTensor.Randn(y.Shape, generator: new LGenerator(7));
        y.Backward(g);
        ty.backward([Torch.From(g)]);
        w = Math.Max(w, Torch.AssertClose(theirs.weight!.grad!, ours.Weight.Grad!, 1e-6, $"EmbeddingBag({mode}) weight gradient"));
        if (psw is not null) w = Math.Max(w, Torch.AssertClose(tpsw!.grad!, psw.Grad!, 1e-6, "per_sample_weights gradient"));
        // 2-D input form
        var idx2 = Idx([1, 4, 0, 7, 2, 6], 3, 2);
        w = Math.Max(w, Torch.AssertClose(theirs.call(Torch.From(idx2)), ours.Forward(idx2), 1e-6, $"EmbeddingBag({mode}) 2-D"));
        output.WriteLine($"EmbeddingBag({mode}): max relative error {w:E2}");
    }

    [Fact] // the formulas, not the masks: for a constant input x = c both give exactly PyTorch's two values
    public void DropoutFormulasMatchTorch()
    {
        var x = LTensor.Full([64, 32, 2, 2], 0.7);
        var ours = LNN.F.Dropout2d(x, 0.25, training: true, generator: new LGenerator(8));
        var theirs = torch.nn.functional.dropout2d(Torch.From(x), 0.25, training: true);
        Assert.Equal(Values(Torch.ToLantern(theirs)), Values(ours));
        var a = LNN.F.AlphaDropout(x, 0.25, training: true, generator: new LGenerator(9));
        var ta = torch.nn.functional.alpha_dropout(Torch.From(x), 0.25, training: true);
        var mine = Values(a);
        var ref_ = Values(Torch.ToLantern(ta));
        Assert.Equal(2, mine.Length);
        for (int i = 0; i < 2; i++) Assert.Equal(ref_[i], mine[i], 5);
    }

    private static double[] Values(LTensor t) => t.ToArray<double>().Select(v => Math.Round(v, 5)).Distinct().Order().ToArray();
}

using Xunit;
using TorchSharp;
using TorchTensor = TorchSharp.torch.Tensor;
using LTensor = global::Lantern.Tensor;

namespace Lantern.Reference.Tests;

/// <summary>
/// Layer parity with PyTorch: copy the Lantern module's state dict into the TorchSharp module (same names),
/// run both on the same input, compare the output, then backpropagate the same random output gradient and
/// compare the input gradient and every parameter gradient by name.
/// </summary>
public static class ModuleParity
{
    /// <summary>Copies Lantern's state (parameters and buffers) into the TorchSharp module by PyTorch name.</summary>
    public static void CopyState(global::Lantern.NN.Module lantern, torch.nn.Module torchModule)
    {
        var sd = lantern.StateDict();
        var theirs = torchModule.state_dict();
        Assert.Equal(sd.Keys.OrderBy(k => k), theirs.Keys.OrderBy(k => k));
        using (torch.no_grad())
            foreach (var (k, v) in sd)
                theirs[k].copy_(Torch.From(v).to_type(theirs[k].dtype));
    }

    /// <summary>Runs forward and backward in both and asserts agreement; returns the worst relative error seen.</summary>
    public static double Check(global::Lantern.NN.Module<LTensor, LTensor> lantern, torch.nn.Module<TorchTensor, TorchTensor> torchModule,
        LTensor input, double rtol = 1e-4, string what = "", bool inputGrad = true)
    {
        CopyState(lantern, torchModule);
        var x = input.Detach().Clone();
        if (inputGrad) x.RequiresGrad_();
        var tx = Torch.From(input, requiresGrad: inputGrad);
        var y = lantern.Forward(x);
        var ty = torchModule.forward(tx);
        double worst = Torch.AssertClose(ty, y, rtol, $"{what} forward");
        var g = LTensor.Randn(y.Shape, y.DType, generator: new global::Lantern.Generator(99));
        y.Backward(g);
        ty.backward([Torch.From(g)]);
        if (inputGrad) worst = Math.Max(worst, Torch.AssertClose(tx.grad!, x.Grad!, rtol, $"{what} input gradient"));
        var ours = lantern.NamedParameters().ToDictionary(p => p.Key, p => p.Value);
        foreach (var (name, p) in torchModule.named_parameters())
        {
            Assert.True(ours.ContainsKey(name), $"{what}: PyTorch parameter '{name}' has no Lantern twin");
            if (p.grad is null) { Assert.Null(ours[name].Grad); continue; }
            worst = Math.Max(worst, Torch.AssertClose(p.grad, ours[name].Grad!, rtol, $"{what} gradient of {name}"));
        }
        return worst;
    }
}

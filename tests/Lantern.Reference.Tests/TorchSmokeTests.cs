using Xunit;
using static TorchSharp.torch;

namespace Lantern.Reference.Tests;

/// <summary>The oracle loads and agrees with Lantern on a few core ops (fails loudly if libtorch cannot load).</summary>
public class TorchSmokeTests
{
    [Fact]
    public void MatMulAndSoftplusAgreeWithLibtorch()
    {
        var a = global::Lantern.Tensor.Randn([5, 7], generator: new global::Lantern.Generator(1));
        var b = global::Lantern.Tensor.Randn([7, 3], generator: new global::Lantern.Generator(2));
        var ta = Torch.From(a);
        var tb = Torch.From(b);
        Torch.AssertClose(ta.matmul(tb), a.MatMul(b), 1e-5, "matmul");
        Torch.AssertClose(ta.exp().sum(1), a.Exp().Sum(1), 1e-5, "exp-sum");
    }
}

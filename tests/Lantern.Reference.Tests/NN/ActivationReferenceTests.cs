using Xunit;
using Xunit.Abstractions;
using TorchSharp;
using LTensor = global::Lantern.Tensor;
using LGenerator = global::Lantern.Generator;
using LNN = global::Lantern.NN;

namespace Lantern.Reference.Tests.NN;

/// <summary>
/// Every activation module against PyTorch on inputs that include the kinks exactly (0, +-1, +-3, 6, the
/// Softplus threshold 20, the Threshold 0.1), so the one-sided derivatives are compared too.
/// </summary>
public class ActivationReferenceTests(ITestOutputHelper output)
{
    private static LTensor Input()
    {
        float[] kinks = [0, -3, 3, 6, -1, 1, 20, 0.1f, -20, 25, -0.5f, 2.5f];
        var rnd = LTensor.Randn([30 - kinks.Length], generator: new LGenerator(77)).Mul(4).ToArray<float>();
        return LTensor.FromArray([.. kinks, .. rnd], [2, 3, 5]);
    }

    public static TheoryData<string> Names() =>
    [
        "Sigmoid", "Tanh", "ReLU", "ReLU6", "LeakyReLU", "LeakyReLU(0.2)", "PReLU", "PReLU(3)", "Softplus", "Softplus(2, 5)", "ELU", "ELU(0.5)",
        "SELU", "CELU", "CELU(1.7)", "SiLU", "Mish", "GELU", "GELU(tanh)", "GLU", "GLU(1)", "Hardswish", "Hardsigmoid", "Softsign", "Tanhshrink", "Threshold", "Softmax", "LogSoftmax", "Softmin",
    ];

    private static (LNN.Module<LTensor, LTensor>, torch.nn.Module<torch.Tensor, torch.Tensor>) Pair(string name, global::Lantern.DType dtype) => name switch
    {
        "Sigmoid" => (new LNN.Sigmoid(), torch.nn.Sigmoid()),
        "Tanh" => (new LNN.Tanh(), torch.nn.Tanh()),
        "ReLU" => (new LNN.ReLU(), torch.nn.ReLU()),
        "ReLU6" => (new LNN.ReLU6(), torch.nn.ReLU6()),
        "LeakyReLU" => (new LNN.LeakyReLU(), torch.nn.LeakyReLU()),
        "LeakyReLU(0.2)" => (new LNN.LeakyReLU(0.2), torch.nn.LeakyReLU(0.2)),
        "PReLU" => (new LNN.PReLU(dtype: dtype), torch.nn.PReLU(1)),
        "PReLU(3)" => (new LNN.PReLU(3, 0.1, dtype), torch.nn.PReLU(3, 0.1)),
        "Softplus" => (new LNN.Softplus(), torch.nn.Softplus()),
        "Softplus(2, 5)" => (new LNN.Softplus(2, 5), torch.nn.Softplus(2, 5)),
        "ELU" => (new LNN.ELU(), torch.nn.ELU()),
        "ELU(0.5)" => (new LNN.ELU(0.5), torch.nn.ELU(0.5)),
        "SELU" => (new LNN.SELU(), torch.nn.SELU()),
        "CELU" => (new LNN.CELU(), torch.nn.CELU()),
        "CELU(1.7)" => (new LNN.CELU(1.7), torch.nn.CELU(1.7)),
        "SiLU" => (new LNN.SiLU(), torch.nn.SiLU()),
        "Mish" => (new LNN.Mish(), torch.nn.Mish()),
        "GELU" => (new LNN.GELU(), torch.nn.GELU()),
        "GELU(tanh)" => (new LNN.GELU("tanh"), torch.nn.GELU(TorchSharp.Modules.GELU.Approximate.tanh)),
        "GLU" => (new LNN.GLU(), torch.nn.GLU()),
        "GLU(1)" => (new LNN.GLU(0), torch.nn.GLU(0)),
        "Hardswish" => (new LNN.Hardswish(), torch.nn.Hardswish()),
        "Hardsigmoid" => (new LNN.Hardsigmoid(), torch.nn.Hardsigmoid()),
        "Softsign" => (new LNN.Softsign(), torch.nn.Softsign()),
        "Tanhshrink" => (new LNN.Tanhshrink(), torch.nn.Tanhshrink()),
        "Threshold" => (new LNN.Threshold(0.1, 20), torch.nn.Threshold(0.1, 20)),
        "Softmax" => (new LNN.Softmax(1), torch.nn.Softmax(1)),
        "LogSoftmax" => (new LNN.LogSoftmax(-1), torch.nn.LogSoftmax(-1)),
        _ => (new LNN.Softmin(0), torch.nn.Softmin(0)),
    };

    [Theory, MemberData(nameof(Names))]
    public void MatchesTorch(string name)
    {
        var (ours, theirs) = Pair(name, global::Lantern.DType.Float32);
        var x = Input();
        if (name == "GLU") x = x.Reshape(5, 6);        // an even last dim
        if (name == "GLU(1)") x = x.Reshape(6, 5);     // an even dim 0
        double worst = ModuleParity.Check(ours, theirs, x, 1e-4, name);
        // float64 too (the kernels' double paths); libtorch keeps some constants in float (e.g. hardsigmoid's 1/6)
        var (o64, t64) = Pair(name, global::Lantern.DType.Float64);
        worst = Math.Max(worst, ModuleParity.Check(o64, t64.to(torch.ScalarType.Float64), x.Double(), 1e-7, name + " float64"));
        output.WriteLine($"{name}: max relative error {worst:E2}");
    }

    /// <summary>
    /// TorchSharp 0.107.0's nn.Hardtanh and functional.hardtanh return their input unchanged (checked: hardtanh(-3) = -3),
    /// so the reference is PyTorch's definition written with libtorch ops: forward clamp(x, min, max), backward
    /// g * (min &lt; x &lt; max) (aten hardtanh_backward: zero at both edges).
    /// </summary>
    [Theory]
    [InlineData(-1, 1)]
    [InlineData(-2, 0.5)]
    public void HardtanhMatchesPyTorchDefinition(double min, double max)
    {
        double worst = 0;
        foreach (var dt in new[] { global::Lantern.DType.Float32, global::Lantern.DType.Float64 })
        {
            var x = Input().To(dt).RequiresGrad_();
            var m = new LNN.Hardtanh(min, max);
            var y = m.Forward(x);
            var g = LTensor.Randn(y.Shape, dt, generator: new LGenerator(5));
            y.Backward(g);
            var tx = Torch.From(x.Detach());
            worst = Math.Max(worst, Torch.AssertClose(tx.clamp(min, max), y, 1e-7, $"Hardtanh({min}, {max}) {dt} forward"));
            var inside = tx.gt(min).logical_and(tx.lt(max)).to_type(tx.dtype);
            worst = Math.Max(worst, Torch.AssertClose(Torch.From(g).mul(inside), x.Grad!, 1e-7, $"Hardtanh({min}, {max}) {dt} gradient"));
        }
        Assert.Equal("Hardtanh(min_val=-2.0, max_val=0.5)", new LNN.Hardtanh(-2, 0.5).ToString());
        output.WriteLine($"Hardtanh({min}, {max}): max relative error {worst:E2}");
    }
}

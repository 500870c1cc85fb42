using Lantern.NN;
using Lantern.Tests.OpTable;
using Xunit;

namespace Lantern.Tests.NN;

public class ActivationTests
{
    private static double Grad1(Func<Tensor, Tensor> f, double x)
    {
        var t = Tensor.Scalar(x, DType.Float64).RequiresGrad_();
        return Autograd.Grad(f(t), t).Item<double>();
    }

    [Fact] // derivatives at the kinks are PyTorch's one-sided choices
    public void GradientsAtKinks()
    {
        Assert.Equal(0, Grad1(F.Relu, 0));
        Assert.Equal(1, Grad1(F.Relu, double.NaN));                   // threshold_backward: NaN <= 0 is false
        Assert.Equal(1, Grad1(x => F.Hardtanh(x), double.NaN));
        Assert.Equal(0.01, Grad1(x => F.LeakyRelu(x), double.NaN));    // x > 0 is false
        Assert.Equal(0, Grad1(F.Relu6, 0));
        Assert.Equal(0, Grad1(F.Relu6, 6));
        Assert.Equal(1, Grad1(F.Relu6, 3));
        Assert.Equal(0, Grad1(x => F.Hardtanh(x), -1));
        Assert.Equal(0, Grad1(x => F.Hardtanh(x), 1));
        Assert.Equal(0.01, Grad1(x => F.LeakyRelu(x), 0));
        Assert.Equal(1, Grad1(x => F.LeakyRelu(x), 1e-9));
        Assert.Equal(0.5, Grad1(x => F.Elu(x, 0.5), 0));       // x <= 0 branch: alpha exp(0)
        Assert.Equal(F.SeluScale * F.SeluAlpha, Grad1(F.Selu, 0), 12);
        Assert.Equal(1, Grad1(x => F.Celu(x, 2), 0), 12);       // alpha * (1/alpha) * exp(0)
        Assert.Equal(0, Grad1(F.Hardswish, -3));                // libtorch 2.10: 0 at x <= -3, g at x >= 3
        Assert.Equal(1, Grad1(F.Hardswish, 3));
        Assert.Equal(-0.5 + 1e-7 / 3, Grad1(F.Hardswish, -2.9999999), 12);   // -3 < x < 3: x/3 + 1/2
        Assert.Equal(0.5, Grad1(F.Hardswish, 0), 15);
        Assert.Equal(0, Grad1(F.Hardsigmoid, -3));
        Assert.Equal(0, Grad1(F.Hardsigmoid, 3));
        Assert.Equal(1.0 / 6, Grad1(F.Hardsigmoid, 0), 15);
        Assert.Equal(0, Grad1(x => F.Threshold(x, 0.5, 7), 0.5));
        Assert.Equal(1, Grad1(x => F.Softplus(x, 2, 3), 1.6));  // linear above the threshold
        Assert.Equal(1, Grad1(F.Softsign, 0));
        // PReLU at 0 takes the negative branch: dx = w, dw = x = 0.
        var w = Tensor.FromArray(new double[] { 0.3 }).RequiresGrad_();
        var x0 = Tensor.Zeros([1], DType.Float64).RequiresGrad_();
        var g = Autograd.Grad([F.Prelu(x0, w).Sum()], [x0, w]);
        Assert.Equal(0.3, g[0]!.Item<double>(), 15);
        Assert.Equal(0, g[1]!.Item<double>());
    }

    public static TheoryData<string> FusedOps() => ["Hardtanh", "LeakyRelu", "Softplus", "Elu", "Selu", "Celu", "Silu", "Mish", "Hardswish", "Hardsigmoid"];

    private static Tensor Apply(string name, Tensor x) => name switch
    {
        "Hardtanh" => F.Hardtanh(x, -0.5, 2),
        "LeakyRelu" => F.LeakyRelu(x, 0.1),
        "Softplus" => F.Softplus(x, 1.5, 4),
        "Elu" => F.Elu(x, 0.7),
        "Selu" => F.Selu(x),
        "Celu" => F.Celu(x, 1.3),
        "Silu" => F.Silu(x),
        "Mish" => F.Mish(x),
        "Hardswish" => F.Hardswish(x),
        _ => F.Hardsigmoid(x),
    };

    [Theory, MemberData(nameof(FusedOps))] // the fused backward kernel == the differentiable composite used for double backward
    public void FusedBackwardEqualsComposite(string name)
    {
        var x = Ops.R(7, 9).Mul(4);
        var v = Ops.R(7, 9);
        Tensor GradX(bool createGraph)
        {
            var xs = x.Detach().Clone().RequiresGrad_();
            return Autograd.Grad([Apply(name, xs)], [xs], [v], createGraph: createGraph)[0]!;
        }
        Gradcheck.Compare(GradX(false).ToArray<double>(), GradX(true).ToArray<double>(), 1e-12, 1e-12, name);
        // float32 kernel vs float64
        var x32 = x.To(DType.Float32).RequiresGrad_();
        var g32 = Autograd.Grad([Apply(name, x32)], [x32], [v.To(DType.Float32)])[0]!;
        Gradcheck.Compare(g32.ToArray<double>(), GradX(false).ToArray<double>(), 1e-5, 1e-5, name + " float32");
    }

    [Fact] // the vectorised select kernels agree with scalar rules on every length (vector body and tail)
    public void SelectKernelsEveryLength()
    {
        foreach (int n in new[] { 1, 7, 8, 9, 16, 33, 300 })
        {
            var x = Ops.R(n).Mul(2);
            var xa = x.ToArray<double>();
            var v = Ops.R(n);
            var va = v.ToArray<double>();
            Tensor G(Func<Tensor, Tensor> f) { var xs = x.Clone().RequiresGrad_(); return Autograd.Grad([f(xs)], [xs], [v])[0]!; }
            Gradcheck.Compare(G(F.Relu).ToArray<double>(), xa.Select((a, i) => a > 0 ? va[i] : 0).ToArray(), 0, 0, $"relu n={n}");
            Gradcheck.Compare(G(t => F.LeakyRelu(t, 0.3)).ToArray<double>(), xa.Select((a, i) => a > 0 ? va[i] : 0.3 * va[i]).ToArray(), 0, 1e-15, $"leaky n={n}");
            Gradcheck.Compare(G(t => F.Hardtanh(t, -0.5, 1)).ToArray<double>(), xa.Select((a, i) => a > -0.5 && a < 1 ? va[i] : 0).ToArray(), 0, 0, $"hardtanh n={n}");
            Gradcheck.Compare(F.LeakyRelu(x, 0.3).ToArray<double>(), xa.Select(a => a > 0 ? a : 0.3 * a).ToArray(), 0, 1e-15, $"leaky forward n={n}");
            Gradcheck.Compare(F.Relu(x).ToArray<double>(), xa.Select(a => Math.Max(a, 0)).ToArray(), 0, 0, $"relu forward n={n}");
        }
    }

    [Fact] // extreme inputs stay finite and exact in float32 (overflowing exp paths)
    public void ExtremeInputsFloat32()
    {
        var x = Tensor.FromArray(new float[] { -100, -30, -1e-6f, 0, 1e-6f, 30, 100 });
        var sp = F.Softplus(x).ToArray<float>();
        Assert.Equal(100f, sp[6]);
        Assert.Equal(30f, sp[5]);                                   // linear above the threshold 20
        Assert.Equal(Math.Log(2), sp[3], 6);
        Assert.Equal(9.357622968839e-14, sp[1], 9.357622968839e-18); // log1p(exp(-30)) keeps precision
        var mish = F.Mish(x).ToArray<float>();
        Assert.Equal(100f, mish[6]);
        Assert.Equal(30f, mish[5]);
        Assert.True(mish.All(float.IsFinite));
        var elu = F.Elu(x).ToArray<float>();
        Assert.Equal(-1f, elu[0]);
        Assert.Equal(-1e-6, elu[2], 1e-12);  // expm1 keeps precision near 0
        Assert.True(F.Silu(x).ToArray<float>().All(float.IsFinite));
        var xs = x.Clone().RequiresGrad_();
        var gs = Autograd.Grad([F.Mish(xs).Add(F.Silu(xs)).Add(F.Softplus(xs)).Add(F.Elu(xs)).Sum()], [xs])[0]!;
        Assert.True(gs.ToArray<float>().All(float.IsFinite));
    }

    [Fact] // every module equals its functional form; repr as PyTorch
    public void ModulesEqualFunctionalAndRepr()
    {
        var x = Tensor.Randn([2, 4, 3], generator: new Generator(9)).Mul(3);
        (Module<Tensor, Tensor> M, Func<Tensor, Tensor> Fn, string Repr)[] cases =
        [
            (new Sigmoid(), F.Sigmoid, "Sigmoid()"),
            (new Tanh(), F.Tanh, "Tanh()"),
            (new ReLU(), F.Relu, "ReLU()"),
            (new ReLU6(), F.Relu6, "ReLU6()"),
            (new LeakyReLU(), t => F.LeakyRelu(t), "LeakyReLU(negative_slope=0.01)"),
            (new Softplus(), t => F.Softplus(t), "Softplus(beta=1.0, threshold=20.0)"),
            (new ELU(), t => F.Elu(t), "ELU(alpha=1.0)"),
            (new SELU(), F.Selu, "SELU()"),
            (new CELU(0.5), t => F.Celu(t, 0.5), "CELU(alpha=0.5)"),
            (new SiLU(), F.Silu, "SiLU()"),
            (new Mish(), F.Mish, "Mish()"),
            (new GELU(), t => F.Gelu(t), "GELU(approximate='none')"),
            (new GELU("tanh"), t => F.Gelu(t, "tanh"), "GELU(approximate='tanh')"),
            (new GLU(1), t => F.Glu(t, 1), "GLU(dim=1)"),
            (new Hardswish(), F.Hardswish, "Hardswish()"),
            (new Hardsigmoid(), F.Hardsigmoid, "Hardsigmoid()"),
            (new Hardtanh(), t => F.Hardtanh(t), "Hardtanh(min_val=-1.0, max_val=1.0)"),
            (new Softsign(), F.Softsign, "Softsign()"),
            (new Tanhshrink(), F.Tanhshrink, "Tanhshrink()"),
            (new Threshold(0.1, 20), t => F.Threshold(t, 0.1, 20), "Threshold(threshold=0.1, value=20.0)"),
            (new Softmax(1), t => F.Softmax(t, 1), "Softmax(dim=1)"),
            (new LogSoftmax(-1), t => F.LogSoftmax(t, -1), "LogSoftmax(dim=-1)"),
            (new Softmin(0), t => F.Softmin(t, 0), "Softmin(dim=0)"),
        ];
        foreach (var (m, fn, repr) in cases)
        {
            Assert.Equal(repr, m.ToString());
            Assert.Equal(fn(x).ToArray<float>(), m.Forward(x).ToArray<float>());
            Assert.Empty(m.StateDict());
        }
    }

    [Fact] // PReLU: one weight per channel (dim 1) initialised to 0.25; weight gradient = sum of x g over x <= 0
    public void PReLUModule()
    {
        var m = new PReLU(3);
        Assert.Equal("PReLU(num_parameters=3)", m.ToString());
        Assert.Equal(["weight"], m.StateDict().Keys);
        Assert.Equal([0.25f, 0.25f, 0.25f], m.Weight.ToArray<float>());
        var x = Tensor.Randn([2, 3, 4], generator: new Generator(2));
        var y = m.Forward(x);
        y.Sum().Backward();
        var expected = new float[3];
        var xa = x.ToArray<float>();
        for (int i = 0; i < xa.Length; i++) if (xa[i] <= 0) expected[i / 4 % 3] += xa[i];
        Gradcheck.Compare(m.Weight.Grad!.ToArray<double>(), expected.Select(v => (double)v).ToArray(), 1e-5, 1e-5, "PReLU weight grad");
        Assert.Contains("channel size = 4", Assert.Throws<ArgumentException>(() => m.Forward(Tensor.Randn([2, 4, 4]))).Message);
        Assert.Equal("PReLU(num_parameters=1)", new PReLU().ToString());
    }

    [Fact] // construction errors name the layer
    public void ConstructionErrors()
    {
        Assert.Contains("Hardtanh", Assert.Throws<ArgumentException>(() => new Hardtanh(1, 1)).Message);
        Assert.Contains("GELU", Assert.Throws<ArgumentException>(() => new GELU("erf")).Message);
        Assert.Contains("CELU", Assert.Throws<ArgumentException>(() => new CELU(0)).Message);
        Assert.Contains("PReLU", Assert.Throws<ArgumentException>(() => new PReLU(0)).Message);
        Assert.Contains("Glu", Assert.Throws<ArgumentException>(() => new GLU().Forward(Tensor.Randn([2, 3]))).Message);
    }
}

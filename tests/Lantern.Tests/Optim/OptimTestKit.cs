using Lantern.NN;
using Lantern.Optim;

namespace Lantern.Tests.Optim;

/// <summary>A 4-8-3 tanh MLP, its data, and the optimiser configurations every optimiser test runs.</summary>
internal static class OptimTestKit
{
    internal sealed class Mlp : Module<Tensor, Tensor>
    {
        public Mlp(int seed = 1, DType dtype = DType.Float32)
        {
            var g = new Generator((ulong)seed);
            RegisterModule("fc1", new Linear(4, 8, dtype: dtype, generator: g));
            RegisterModule("fc2", new Linear(8, 3, dtype: dtype, generator: g));
        }

        public Linear Fc1 => (Linear)GetModule("fc1")!;
        public Linear Fc2 => (Linear)GetModule("fc2")!;

        public override Tensor Forward(Tensor x) => Fc2.Call(Fc1.Call(x).Tanh());
    }

    /// <summary>Inputs [16, 4] and targets [16, 3] from a fixed generator.</summary>
    public static (Tensor X, Tensor Y) Data(int seed = 7, DType dtype = DType.Float32)
    {
        var g = new Generator((ulong)seed);
        return (Tensor.Randn([16, 4], dtype, generator: g), Tensor.Randn([16, 3], dtype, generator: g));
    }

    public static Tensor Loss(Module<Tensor, Tensor> m, Tensor x, Tensor y) => (m.Forward(x) - y).Square().Mean();

    /// <summary>One training step: zero grads, loss, backward, optimiser step.</summary>
    public static void TrainStep(Module<Tensor, Tensor> m, Optimizer opt, Tensor x, Tensor y)
    {
        opt.ZeroGrad();
        Loss(m, x, y).Backward();
        opt.Step();
    }

    /// <summary>Named optimiser configurations (defaults, weight decay, momentum/nesterov, amsgrad, centered, maximize, decoupled).</summary>
    public static readonly (string Name, Func<IEnumerable<Tensor>, Optimizer> Make)[] Configs =
    [
        ("SGD", p => new SGD(p, lr: 0.1)),
        ("SGD momentum dampening wd", p => new SGD(p, lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 1e-2)),
        ("SGD nesterov", p => new SGD(p, lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3)),
        ("SGD maximize", p => new SGD(p, lr: 0.05, momentum: 0.5, maximize: true)),
        ("Adagrad", p => new Adagrad(p, lr: 0.1)),
        ("Adagrad lrDecay wd init", p => new Adagrad(p, lr: 0.1, lrDecay: 0.01, weightDecay: 1e-2, initialAccumulatorValue: 0.1, eps: 1e-8)),
        ("RMSprop", p => new RMSprop(p, lr: 1e-2)),
        ("RMSprop centered momentum wd", p => new RMSprop(p, lr: 1e-2, alpha: 0.9, momentum: 0.8, centered: true, weightDecay: 1e-2)),
        ("Adam", p => new Adam(p, lr: 1e-2)),
        ("Adam amsgrad wd", p => new Adam(p, lr: 1e-2, betas: (0.8, 0.99), weightDecay: 1e-2, amsgrad: true)),
        ("Adam maximize", p => new Adam(p, lr: 1e-2, maximize: true)),
        ("AdamW", p => new AdamW(p, lr: 1e-2)),
        ("AdamW amsgrad", p => new AdamW(p, lr: 1e-2, weightDecay: 0.1, amsgrad: true)),
        ("NAdam", p => new NAdam(p, lr: 1e-2)),
        ("NAdam wd", p => new NAdam(p, lr: 1e-2, weightDecay: 1e-2)),
        ("NAdam decoupled", p => new NAdam(p, lr: 1e-2, weightDecay: 1e-2, decoupledWeightDecay: true)),
        ("RAdam", p => new RAdam(p, lr: 1e-2)),
        ("RAdam wd", p => new RAdam(p, lr: 1e-2, weightDecay: 1e-2)),
        ("RAdam decoupled", p => new RAdam(p, lr: 1e-2, weightDecay: 1e-2, decoupledWeightDecay: true)),
        ("Adamax", p => new Adamax(p, lr: 1e-2)),
        ("Adamax wd", p => new Adamax(p, lr: 1e-2, betas: (0.3, 0.9), weightDecay: 1e-2)),
        ("Adadelta", p => new Adadelta(p)),
        ("Adadelta wd", p => new Adadelta(p, lr: 0.5, rho: 0.8, weightDecay: 1e-2)),
    ];

    public static IEnumerable<object[]> ConfigNames() => Configs.Select(c => new object[] { c.Name });

    public static Func<IEnumerable<Tensor>, Optimizer> Config(string name) => Configs.Single(c => c.Name == name).Make;

    /// <summary>Asserts two tensors have identical bits.</summary>
    public static void AssertBitEqual(Tensor expected, Tensor actual, string what)
    {
        Xunit.Assert.Equal(expected.Shape, actual.Shape);
        if (expected.DType == DType.Float64)
        {
            var e = expected.ToArray<double>();
            var a = actual.ToArray<double>();
            for (int i = 0; i < e.Length; i++)
                if (BitConverter.DoubleToInt64Bits(e[i]) != BitConverter.DoubleToInt64Bits(a[i]))
                    Xunit.Assert.Fail($"{what}: element {i}: expected {e[i]:R}, got {a[i]:R}");
        }
        else
        {
            var e = expected.ToArray<float>();
            var a = actual.ToArray<float>();
            for (int i = 0; i < e.Length; i++)
                if (BitConverter.SingleToInt32Bits(e[i]) != BitConverter.SingleToInt32Bits(a[i]))
                    Xunit.Assert.Fail($"{what}: element {i}: expected {e[i]:R}, got {a[i]:R}");
        }
    }
}

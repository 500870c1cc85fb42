using Lantern.NN;

namespace Lantern.Tests.Optim;

/// <summary>
/// A minimal BatchNorm1d over [N, C] for the optimiser tests (the real one lives with the norm layers): PyTorch's
/// running-statistics rule, including momentum = null (cumulative average), and <see cref="IRunningStats"/>.
/// </summary>
internal sealed class TestNorm : Module<Tensor, Tensor>, IRunningStats
{
    public TestNorm(int c)
    {
        RegisterParameter("weight", Tensor.Ones([c]));
        RegisterParameter("bias", Tensor.Zeros([c]));
        RegisterBuffer("running_mean", Tensor.Zeros([c]));
        RegisterBuffer("running_var", Tensor.Ones([c]));
        RegisterBuffer("num_batches_tracked", Tensor.Zeros([], DType.Int64));
    }

    public double? Momentum { get; set; } = 0.1;

    public Tensor RunningMean => GetBuffer("running_mean")!;
    public Tensor RunningVar => GetBuffer("running_var")!;
    public Tensor Tracked => GetBuffer("num_batches_tracked")!;

    public void ResetRunningStats()
    {
        using var _ = Autograd.NoGrad();
        RunningMean.Zero_();
        RunningVar.Fill_(1);
        Tracked.Zero_();
    }

    public override Tensor Forward(Tensor x)
    {
        Tensor mean, var;
        if (Training)
        {
            mean = x.Mean([0]);
            var = (x - mean).Square().Mean([0]);
            using var _ = Autograd.NoGrad();
            Tracked.Add_(1);
            double f = Momentum ?? 1.0 / Tracked.Item<long>();
            int n = x.Size(0);
            RunningMean.Copy_(RunningMean * (1 - f) + mean.Detach() * f);
            RunningVar.Copy_(RunningVar * (1 - f) + var.Detach() * ((double)n / (n - 1)) * f);
        }
        else
        {
            mean = RunningMean;
            var = RunningVar;
        }
        return (x - mean) / (var + 1e-5).Sqrt() * GetParameter("weight")! + GetParameter("bias")!;
    }
}

/// <summary>Linear -> TestNorm -> tanh -> Linear, with a "backbone" and a "head".</summary>
internal sealed class TwoPartNet : Module<Tensor, Tensor>
{
    public TwoPartNet(int seed = 3)
    {
        var g = new Generator((ulong)seed);
        RegisterModule("backbone", new Sequential(new Linear(4, 6, generator: g), new TestNorm(6)));
        RegisterModule("head", new Linear(6, 3, generator: g));
    }

    public Sequential Backbone => (Sequential)GetModule("backbone")!;
    public Module<Tensor, Tensor> Head => (Module<Tensor, Tensor>)GetModule("head")!;

    public override Tensor Forward(Tensor x) => Head.Call(Backbone.Call(x).Tanh());
}

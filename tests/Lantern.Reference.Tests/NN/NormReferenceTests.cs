using Xunit;
using Xunit.Abstractions;
using TorchSharp;
using LTensor = global::Lantern.Tensor;
using LGenerator = global::Lantern.Generator;
using LNN = global::Lantern.NN;

namespace Lantern.Reference.Tests.NN;

/// <summary>
/// Normalisation layers against PyTorch: outputs, input and parameter gradients, and the running buffers after
/// every training step (each step starts from the same state on both sides), in train and eval mode.
/// </summary>
public class NormReferenceTests(ITestOutputHelper output)
{
    private static LTensor X(int seed, params int[] shape) => LTensor.Randn(shape, generator: new LGenerator((ulong)seed));

    /// <summary>Compares every buffer by name (running_mean, running_var, num_batches_tracked).</summary>
    private static double BuffersClose(LNN.Module ours, torch.nn.Module theirs, string what)
    {
        double worst = 0;
        var mine = ours.NamedBuffers().ToDictionary(b => b.Key, b => b.Value);
        foreach (var (name, b) in theirs.named_buffers())
        {
            Assert.True(mine.ContainsKey(name), $"{what}: buffer {name} missing");
            worst = Math.Max(worst, Torch.AssertClose(b, mine[name], 1e-4, $"{what} buffer {name}"));
        }
        Assert.Equal(theirs.named_buffers().Count(), mine.Count);
        return worst;
    }

    /// <summary>Several training steps (parity of each step and of the updated buffers), then eval parity.</summary>
    private double TrainThenEval(LNN.Module<LTensor, LTensor> ours, torch.nn.Module<torch.Tensor, torch.Tensor> theirs, int[] shape, string what)
    {
        double worst = 0;
        for (int step = 0; step < 3; step++)
        {
            ours.Train(); theirs.train();
            ours.ZeroGrad(); theirs.zero_grad();
            var x = X(10 + step, shape).Mul(step + 1).Add(step - 1);
            worst = Math.Max(worst, ModuleParity.Check(ours, theirs, x, 1e-4, $"{what} train step {step}"));
            worst = Math.Max(worst, BuffersClose(ours, theirs, $"{what} after step {step}"));
        }
        ours.Eval(); theirs.eval();
        ours.ZeroGrad(); theirs.zero_grad();
        worst = Math.Max(worst, ModuleParity.Check(ours, theirs, X(20, shape), 1e-4, $"{what} eval"));
        output.WriteLine($"{what}: max relative error {worst:E2}");
        return worst;
    }

    [Fact]
    public void BatchNorm2dMatchesTorch()
    {
        TrainThenEval(new LNN.BatchNorm2d(4, momentum: 0.3), torch.nn.BatchNorm2d(4, momentum: 0.3), [3, 4, 5, 6], "BatchNorm2d");
        TrainThenEval(new LNN.BatchNorm2d(3, affine: false), torch.nn.BatchNorm2d(3, affine: false), [2, 3, 4, 4], "BatchNorm2d(affine=False)");
        TrainThenEval(new LNN.BatchNorm2d(3, trackRunningStats: false), torch.nn.BatchNorm2d(3, track_running_stats: false), [2, 3, 4, 4],
            "BatchNorm2d(track_running_stats=False)");
    }

    [Fact]
    public void BatchNorm1dMatchesTorch()
    {
        TrainThenEval(new LNN.BatchNorm1d(5), torch.nn.BatchNorm1d(5), [8, 5], "BatchNorm1d [N,C]");
        TrainThenEval(new LNN.BatchNorm1d(3, eps: 1e-3), torch.nn.BatchNorm1d(3, eps: 1e-3), [4, 3, 7], "BatchNorm1d [N,C,L]");
    }

    [Fact] // TorchSharp's BatchNorm takes no momentum=None; PyTorch's _BatchNorm.forward then calls F.batch_norm with
           // exponential_average_factor = 1 / num_batches_tracked, which is what the reference does here.
    public void BatchNormCumulativeAverageMatchesTorch()
    {
        var ours = new LNN.BatchNorm2d(3, momentum: null);
        var rm = torch.zeros(3);
        var rv = torch.ones(3);
        for (int k = 1; k <= 4; k++)
        {
            var x = X(30 + k, 2, 3, 4, 4).Mul(k).Add(k);
            var y = ours.Forward(x);
            var ty = torch.nn.functional.batch_norm(Torch.From(x), rm, rv, torch.ones(3), torch.zeros(3), training: true, momentum: 1.0 / k);
            Torch.AssertClose(ty, y, 1e-4, $"BN momentum=None step {k}");
            Torch.AssertClose(rm, ours.RunningMean!, 1e-5, $"running_mean step {k}");
            Torch.AssertClose(rv, ours.RunningVar!, 1e-5, $"running_var step {k}");
        }
        Assert.Equal(4L, ours.NumBatchesTracked!.Item<long>());
    }

    [Fact]
    public void InstanceNormMatchesTorch()
    {
        TrainThenEval(new LNN.InstanceNorm1d(3), torch.nn.InstanceNorm1d(3), [2, 3, 6], "InstanceNorm1d");
        TrainThenEval(new LNN.InstanceNorm2d(3, affine: true), torch.nn.InstanceNorm2d(3, affine: true), [2, 3, 4, 5], "InstanceNorm2d(affine=True)");
        TrainThenEval(new LNN.InstanceNorm2d(2, momentum: 0.2, affine: true, trackRunningStats: true),
            torch.nn.InstanceNorm2d(2, momentum: 0.2, affine: true, track_running_stats: true), [3, 2, 4, 4], "InstanceNorm2d(track_running_stats=True)");
        TrainThenEval(new LNN.InstanceNorm1d(2, trackRunningStats: true), torch.nn.InstanceNorm1d(2, track_running_stats: true), [4, 2, 5],
            "InstanceNorm1d(track_running_stats=True)");
    }

    [Fact]
    public void GroupNormMatchesTorch()
    {
        var ours = new LNN.GroupNorm(2, 6);
        using (global::Lantern.Autograd.NoGrad())
        {
            ours.Weight!.Copy_(X(1, 6));
            ours.Bias!.Copy_(X(2, 6));
        }
        double w = ModuleParity.Check(ours, torch.nn.GroupNorm(2, 6), X(3, 3, 6, 4, 5).Add(2), 1e-4, "GroupNorm 4-D");
        ours.ZeroGrad();
        w = Math.Max(w, ModuleParity.Check(ours, torch.nn.GroupNorm(2, 6), X(4, 2, 6, 7), 1e-4, "GroupNorm 3-D"));
        w = Math.Max(w, ModuleParity.Check(new LNN.GroupNorm(3, 3, affine: false), torch.nn.GroupNorm(3, 3, affine: false), X(5, 4, 3, 5), 1e-4, "GroupNorm(affine=False)"));
        output.WriteLine($"GroupNorm: max relative error {w:E2}");
    }

    [Fact]
    public void LocalResponseNormMatchesTorch()
    {
        double w = ModuleParity.Check(new LNN.LocalResponseNorm(3, 0.2, 0.75, 1.5), torch.nn.LocalResponseNorm(3, 0.2, 0.75, 1.5), X(6, 2, 5, 3, 4), 1e-4, "LRN 4-D");
        w = Math.Max(w, ModuleParity.Check(new LNN.LocalResponseNorm(2), torch.nn.LocalResponseNorm(2), X(7, 2, 4, 6).Mul(10), 1e-4, "LRN 3-D"));
        output.WriteLine($"LocalResponseNorm: max relative error {w:E2}");
    }
}

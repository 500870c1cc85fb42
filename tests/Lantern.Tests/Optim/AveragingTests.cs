using Lantern.NN;
using Lantern.Optim;
using Xunit;
using static Lantern.Tests.Optim.OptimTestKit;

namespace Lantern.Tests.Optim;

/// <summary>ModelEma, AveragedModel (SWA / EMA averaging) and UpdateBn against float64 recomputations.</summary>
public class AveragingTests
{
    private static double[] Values(Tensor t) => t.To(DType.Float64).ToArray<double>();

    /// <summary>Trains a few SGD steps and returns the weight snapshots after each step (as float64 arrays by key).</summary>
    private static List<Dictionary<string, double[]>> Train(Module<Tensor, Tensor> m, int steps, Action<int>? after = null)
    {
        var (x, y) = OptimTestKit.Data();
        var opt = new SGD(m.Parameters(), lr: 0.2, momentum: 0.5);
        var snaps = new List<Dictionary<string, double[]>>();
        for (int i = 0; i < steps; i++)
        {
            opt.ZeroGrad();
            Loss(m, x, y).Backward();
            opt.Step();
            snaps.Add(m.StateDict().ToDictionary(kv => kv.Key, kv => Values(kv.Value)));
            after?.Invoke(i);
        }
        return snaps;
    }

    [Theory] // ema_t = d ema_{t-1} + (1 - d) θ_t with d = decay (1 - exp(-t / tau)) when tau > 0
    [InlineData(0.9, 0.0)]
    [InlineData(0.99, 3.0)]
    public void ModelEmaFollowsTheRecurrence(double decay, double tau)
    {
        var m = new Mlp();
        var start = m.StateDict().ToDictionary(kv => kv.Key, kv => Values(kv.Value));
        var ema = new ModelEma(m, decay, tau);
        var snaps = Train(m, 12, _ => ema.Update(m));
        Assert.Equal(12, ema.Updates);
        foreach (var (key, s0) in start)
        {
            var expected = (double[])s0.Clone();
            for (int t = 1; t <= 12; t++)
            {
                double d = tau > 0 ? decay * (1 - Math.Exp(-t / tau)) : decay;
                Assert.Equal(d, ema.DecayAt(t), 15);
                for (int i = 0; i < expected.Length; i++) expected[i] = d * expected[i] + (1 - d) * snaps[t - 1][key][i];
            }
            var actual = Values(ema.Shadow[key]);
            for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 5);
        }
    }

    [Fact] // float buffers averaged by default, copied with averageBuffers: false; integer buffers always copied
    public void ModelEmaBuffers()
    {
        var m = new TwoPartNet();
        var averaged = new ModelEma(m, decay: 0.5);
        var copied = new ModelEma(m, decay: 0.5, averageBuffers: false);
        var before = Values(averaged.Shadow["backbone.1.running_mean"]);
        Train(m, 3, _ => { averaged.Update(m); copied.Update(m); });
        var live = Values(m.StateDict()["backbone.1.running_mean"]);
        Assert.Equal(live, Values(copied.Shadow["backbone.1.running_mean"]));
        Assert.NotEqual(live, Values(averaged.Shadow["backbone.1.running_mean"]));
        Assert.NotEqual(before, Values(averaged.Shadow["backbone.1.running_mean"]));
        Assert.Equal(3L, averaged.Shadow["backbone.1.num_batches_tracked"].Item<long>());
        // parameters are averaged in both
        Assert.Equal(Values(averaged.Shadow["head.weight"]), Values(copied.Shadow["head.weight"]));
    }

    [Fact] // inside the swap the model computes with the EMA weights; afterwards its own weights are back, bit for bit
    public void ModelEmaSwapEvaluatesAndRestores()
    {
        var m = new Mlp();
        var ema = new ModelEma(m, decay: 0.8);
        Train(m, 5, _ => ema.Update(m));
        var trained = m.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
        var (x, _) = OptimTestKit.Data();
        var reference = new Mlp(seed: 42);
        ema.CopyTo(reference);
        var expected = reference.Forward(x);
        using (ema.Swap(m))
            AssertBitEqual(expected, m.Forward(x), "forward with EMA weights");
        foreach (var (k, v) in m.StateDict()) AssertBitEqual(trained[k], v, k);
    }

    [Fact] // a resumed EMA continues bit-identically
    public void ModelEmaStateDictRoundTrip()
    {
        var m = new Mlp();
        var a = new ModelEma(m, 0.9, tau: 5);
        Train(m, 3, _ => a.Update(m));
        var b = new ModelEma(new Mlp(seed: 9), 0.9, tau: 5);
        b.LoadStateDict(a.StateDict());
        Assert.Equal(3L, b.Updates);
        a.Update(m);
        b.Update(m);
        foreach (var (k, v) in a.Shadow) AssertBitEqual(v, b.Shadow[k], k);
        Assert.Throws<ArgumentException>(() => new ModelEma(m, decay: 1.5));
        var e = Assert.Throws<ArgumentException>(() => a.Update(new TwoPartNet()));
        Assert.Contains("ModelEma", e.Message);
    }

    [Fact] // equal-weight SWA mean of the snapshots; buffers copied; n_averaged; PyTorch's state-dict keys
    public void AveragedModelSwaMean()
    {
        var m = new TwoPartNet();
        var swa = new AveragedModel<Tensor, Tensor>(m, () => new TwoPartNet(seed: 77));
        var snaps = Train(m, 6, _ => swa.UpdateParameters(m));
        Assert.Equal(6L, swa.NAveraged);
        foreach (var (name, p) in swa.Module.NamedParameters())
        {
            var mean = new double[p.Numel()];
            foreach (var s in snaps) for (int i = 0; i < mean.Length; i++) mean[i] += s[name][i] / snaps.Count;
            var actual = Values(p);
            for (int i = 0; i < mean.Length; i++) Assert.Equal(mean[i], actual[i], 1e-5); // absolute tolerance (rounding to 5 places flips at boundaries)
        }
        Assert.Equal(Values(m.StateDict()["backbone.1.running_var"]), Values(swa.Module.StateDict()["backbone.1.running_var"]));
        Assert.Equal("n_averaged", swa.StateDict().Keys.First());
        Assert.Contains("module.head.weight", swa.StateDict().Keys);
        var (x, _) = OptimTestKit.Data();
        AssertBitEqual(swa.Module.Forward(x), swa.Call(x), "forward");
    }

    [Fact] // a custom average (EMA) and averaged buffers
    public void AveragedModelEmaWithBuffers()
    {
        var m = new TwoPartNet();
        var ema = new AveragedModel<Tensor, Tensor>(m, () => new TwoPartNet(seed: 5), SwaUtils.EmaAverage(0.75), useBuffers: true);
        var snaps = Train(m, 4, _ => ema.UpdateParameters(m));
        foreach (var key in new[] { "head.bias", "backbone.1.running_mean" })
        {
            var expected = (double[])snaps[0][key].Clone();   // the first update copies
            for (int t = 1; t < snaps.Count; t++)
                for (int i = 0; i < expected.Length; i++) expected[i] = 0.75 * expected[i] + 0.25 * snaps[t][key][i];
            var actual = Values(ema.Module.StateDict()[key]);
            for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 5);
        }
    }

    [Fact] // update_bn: running stats become the average of the per-batch statistics; momentum and mode restored
    public void UpdateBnRecomputesRunningStatistics()
    {
        var m = new TwoPartNet();
        var norm = (TestNorm)m.Backbone[1];
        norm.Momentum = 0.3;
        m.Eval();
        var gen = new Generator(4);
        var batches = Enumerable.Range(0, 5).Select(_ => Tensor.Randn([8, 4], generator: gen)).ToList();
        SwaUtils.UpdateBn(batches, m);
        Assert.Equal(0.3, norm.Momentum);
        Assert.False(m.Training);
        Assert.Equal(5L, norm.Tracked.Item<long>());
        var expected = new double[6];
        foreach (var b in batches)
        {
            var h = Values(m.Backbone[0].Forward(b).Mean([0]));
            for (int i = 0; i < 6; i++) expected[i] += h[i] / batches.Count;
        }
        var actual = Values(norm.RunningMean);
        for (int i = 0; i < 6; i++) Assert.Equal(expected[i], actual[i], 5);
    }

    private sealed class StatsWithoutInterface : Module<Tensor, Tensor>
    {
        public StatsWithoutInterface()
        {
            RegisterBuffer("running_mean", Tensor.Zeros([2]));
            RegisterBuffer("running_var", Tensor.Ones([2]));
        }

        public override Tensor Forward(Tensor x) => x;
    }

    [Fact]
    public void UpdateBnRefusesStatsItCannotReset()
    {
        var e = Assert.Throws<NotSupportedException>(() => SwaUtils.UpdateBn(new[] { Tensor.Zeros([1, 2]) }, new Sequential(new StatsWithoutInterface())));
        Assert.Contains("'0'", e.Message);
    }
}

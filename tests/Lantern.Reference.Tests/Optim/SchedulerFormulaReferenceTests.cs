using Lantern.Optim;
using Xunit;
using Xunit.Abstractions;

namespace Lantern.Reference.Tests.Optim;

/// <summary>
/// Schedules TorchSharp 0.107 lacks or gets wrong (no CosineAnnealingWarmRestarts or SWALR; CyclicLR's exp_range
/// scales per cycle and cycles momentum with the wrong sign; ReduceLROnPlateau never updates get_last_lr), checked
/// against float64 reimplementations of PyTorch's formulas written here from the documentation and source
/// (torch/optim/lr_scheduler.py, torch/optim/swa_utils.py), closed-form where possible. 200 steps, 1e-9 relative,
/// with the Lantern run resumed from its state dicts at step 100.
/// </summary>
public class SchedulerFormulaReferenceTests(ITestOutputHelper output)
{
    private const int Steps = 200;
    private static readonly double[] Base = [0.1, 0.05];

    private double Check(Func<int, int, double> expected, IReadOnlyList<double[]> actual, string what)
    {
        double worst = 0;
        for (int t = 0; t < actual.Count; t++)
            for (int g = 0; g < actual[t].Length; g++)
            {
                double e = expected(t, g), a = actual[t][g];
                double err = e == a ? 0 : Math.Abs(a - e) / Math.Max(Math.Abs(e), 1e-300);
                worst = Math.Max(worst, err);
                Assert.True(err <= 1e-9, $"{what}: step {t}, group {g}: Lantern {a:R}, expected {e:R} (relative error {err:E2})");
            }
        output.WriteLine($"{what}: max relative deviation {worst:E2} over {actual.Count} steps");
        return worst;
    }

    /// <summary>SGDR's closed form: find the period containing epoch e (periods T0, T0·Tm, T0·Tm², ...).</summary>
    private static double Sgdr(double e, double baseLr, int t0, int tMult, double etaMin)
    {
        double start = 0, ti = t0;
        while (e >= start + ti) { start += ti; ti *= tMult; }
        return etaMin + (baseLr - etaMin) * (1 + Math.Cos(Math.PI * (e - start) / ti)) / 2;
    }

    [Theory]
    [InlineData(10, 1)]
    [InlineData(10, 2)]
    [InlineData(7, 3)]
    public void CosineAnnealingWarmRestarts(int t0, int tMult)
    {
        var lrs = SchedulerReferenceTests.RunOurs(false, o => new global::Lantern.Optim.CosineAnnealingWarmRestarts(o, t0, tMult, 1e-3));
        Check((t, g) => Sgdr(t, Base[g], t0, tMult, 1e-3), lrs, $"CosineAnnealingWarmRestarts T0={t0} Tmult={tMult}");
    }

    [Theory] // step(epoch + i / iters) per batch, PyTorch's documented usage
    [InlineData(10, 1)]
    [InlineData(4, 2)]
    public void CosineAnnealingWarmRestartsFractionalEpochs(int t0, int tMult)
    {
        const int iters = 8;
        var lrs = SchedulerReferenceTests.RunOurs(false, o => new global::Lantern.Optim.CosineAnnealingWarmRestarts(o, t0, tMult, 1e-3),
            (s, t) => { ((global::Lantern.Optim.CosineAnnealingWarmRestarts)s).Step((t + 1) / iters + (double)((t + 1) % iters) / iters); return true; });
        Check((t, g) => Sgdr(t / iters + (double)(t % iters) / iters, Base[g], t0, tMult, 1e-3), lrs, $"CosineAnnealingWarmRestarts fractional T0={t0} Tmult={tMult}");
    }

    /// <summary>The triangle wave of CLR: 0 at the start of a cycle, 1 after up steps, 0 again after up + down.</summary>
    private static double Rise(int t, int up, int down)
    {
        int p = t % (up + down);
        return p <= up ? (double)p / up : (double)(up + down - p) / down;
    }

    [Fact] // exp_range scales per iteration (gamma^t) and momentum moves opposite to the lr
    public void CyclicLRExpRangeWithMomentum()
    {
        var momenta = new List<double[]>();
        var lrs = SchedulerReferenceTests.RunOurs(false, o =>
        {
            var s = new CyclicLR(o, 0.01, new[] { 0.1, 0.2 }, 10, 15, mode: "exp_range", gamma: 0.99, baseMomentum: 0.8, maxMomentum: 0.9);
            return s;
        }, (s, t) => { s.Step(); momenta.Add(s.Optimizer.ParamGroups.Select(g => g.GetDouble("momentum")).ToArray()); return true; });
        double[] max = [0.1, 0.2];
        Check((t, g) => 0.01 + (max[g] - 0.01) * Rise(t, 10, 15) * Math.Pow(0.99, t), lrs, "CyclicLR exp_range lr");
        Check((t, g) => 0.9 - 0.1 * Rise(t + 1, 10, 15) * Math.Pow(0.99, t + 1), momenta, "CyclicLR exp_range momentum");
    }

    [Fact] // triangular2 halves the amplitude each cycle; with Adam, β1 cycles
    public void CyclicLRTriangular2CyclesBeta1()
    {
        var betas = new List<double[]>();
        var lrs = SchedulerReferenceTests.RunOurs(true, o => new CyclicLR(o, 0.01, 0.1, 12, mode: "triangular2", baseMomentum: 0.85, maxMomentum: 0.95),
            (s, t) => { s.Step(); betas.Add(s.Optimizer.ParamGroups.Select(g => g.GetPair("betas").Item1).ToArray()); return true; });
        double Scale(int t) => 1 / Math.Pow(2, t / 24);
        Check((t, g) => 0.01 + 0.09 * Rise(t, 12, 12) * Scale(t), lrs, "CyclicLR triangular2 lr");
        Check((t, g) => 0.95 - 0.1 * Rise(t + 1, 12, 12) * Scale(t + 1), betas, "CyclicLR triangular2 beta1");
    }

    [Fact] // a custom scale function of the iteration
    public void CyclicLRCustomScaleFunction()
    {
        var lrs = SchedulerReferenceTests.RunOurs(false, o => new CyclicLR(o, 0.02, 0.1, 8, 8, scaleFn: x => 1 / (1 + 0.01 * x), scaleMode: "iterations", cycleMomentum: false));
        Check((t, g) => 0.02 + 0.08 * Rise(t, 8, 8) / (1 + 0.01 * t), lrs, "CyclicLR custom scale_fn");
    }

    [Theory] // OneCycleLR: lr and momentum follow the phases (ends at step pct·total - 1, 2·pct·total - 2, total - 1), every group
    [InlineData(false, "cos")]
    [InlineData(true, "cos")]
    [InlineData(false, "linear")]
    public void OneCycleLR(bool threePhase, string anneal)
    {
        var momenta = new List<double[]>();
        double[] maxLr = [0.5, 0.2];
        var lrs = SchedulerReferenceTests.RunOurs(false, o => new global::Lantern.Optim.OneCycleLR(o, maxLr, totalSteps: Steps, threePhase: threePhase, annealStrategy: anneal),
            (s, t) => { s.Step(); momenta.Add(s.Optimizer.ParamGroups.Select(g => g.GetDouble("momentum")).ToArray()); return true; });
        double Anneal(double a, double b, double pct) => anneal == "cos" ? b + (a - b) / 2 * (1 + Math.Cos(Math.PI * pct)) : a + (b - a) * pct;
        double up = 0.3 * Steps - 1, down = 2 * 0.3 * Steps - 2, end = Steps - 1;
        // (lr, momentum) at step t for a group with max lr m: initial m / 25, min m / 25 / 1e4
        (double, double) Expected(int t, double m)
        {
            double init = m / 25, min = init / 1e4;
            if (t <= up) return (Anneal(init, m, t / up), Anneal(0.95, 0.85, t / up));
            if (!threePhase) return (Anneal(m, min, (t - up) / (end - up)), Anneal(0.85, 0.95, (t - up) / (end - up)));
            if (t <= down) return (Anneal(m, init, (t - up) / (down - up)), Anneal(0.85, 0.95, (t - up) / (down - up)));
            return (Anneal(init, min, (t - down) / (end - down)), 0.95);
        }
        Check((t, g) => Expected(t, maxLr[g]).Item1, lrs, $"OneCycleLR {anneal} threePhase={threePhase} lr");
        Check((t, g) => Expected(t + 1, maxLr[g]).Item2, momenta, $"OneCycleLR {anneal} threePhase={threePhase} momentum");
    }

    [Fact] // PyTorch counts repeated milestones (a Counter): gamma^k at a milestone listed k times; closed form gamma^bisect_right
    public void MultiStepLRRepeatedMilestones()
    {
        int[] milestones = [30, 80, 80, 150];
        var lrs = SchedulerReferenceTests.RunOurs(false, o => new MultiStepLR(o, milestones, 0.5));
        Check((t, g) => Base[g] * Math.Pow(0.5, milestones.Count(m => m <= t)), lrs, "MultiStepLR repeated milestones");
    }

    [Theory] // swa_utils.SWALR: lr_s = swa_lr · α(s) + lr_0 · (1 - α(s)), α = anneal(min(1, s / anneal_epochs))
    [InlineData("cos", 10)]
    [InlineData("linear", 25)]
    [InlineData("cos", 0)]
    public void SWALRAnneals(string strategy, int annealEpochs)
    {
        var lrs = SchedulerReferenceTests.RunOurs(false, o => new SWALR(o, new[] { 0.02, 0.01 }, annealEpochs, strategy));
        double[] swa = [0.02, 0.01];
        double Alpha(int s)
        {
            if (annealEpochs == 0) return 1;
            double t = Math.Min(1.0, (double)s / annealEpochs);
            return strategy == "linear" ? t : (1 - Math.Cos(Math.PI * t)) / 2;
        }
        Check((t, g) => swa[g] * Alpha(t) + Base[g] * (1 - Alpha(t)), lrs, $"SWALR {strategy} anneal_epochs={annealEpochs}");
    }

    [Theory] // the lr PyTorch's ReduceLROnPlateau would set, and get_last_lr() returning it
    [InlineData("min", "rel", 0)]
    [InlineData("max", "abs", 4)]
    public void ReduceLROnPlateauStateMachine(string mode, string thresholdMode, int cooldown)
    {
        double Metric(int t) => (mode == "min" ? 1 : -1) * (t % 37 < 20 ? 1.0 / (1 + t) : 0.5);
        var lrs = SchedulerReferenceTests.RunOurs(false, o => new ReduceLROnPlateau(o, mode, 0.7, 3, 0.01, thresholdMode, cooldown, 1e-3),
            (s, t) => { ((ReduceLROnPlateau)s).Step(Metric(t)); return true; });
        // the reference state machine
        var expected = new List<double[]> { (double[])Base.Clone() };
        double best = mode == "min" ? double.PositiveInfinity : double.NegativeInfinity;
        int bad = 0, cool = 0;
        var lr = (double[])Base.Clone();
        for (int t = 0; t < Steps; t++)
        {
            double m = Metric(t);
            bool better = (mode, thresholdMode) switch
            {
                ("min", "rel") => m < best * (1 - 0.01),
                ("min", _) => m < best - 0.01,
                (_, "rel") => m > best * (1 + 0.01),
                _ => m > best + 0.01,
            };
            if (better) { best = m; bad = 0; } else bad++;
            if (cool > 0) { cool--; bad = 0; }
            if (bad > 3)
            {
                for (int g = 0; g < 2; g++)
                {
                    double n = Math.Max(lr[g] * 0.7, 1e-3);
                    if (lr[g] - n > 1e-8) lr[g] = n;
                }
                cool = cooldown;
                bad = 0;
            }
            expected.Add((double[])lr.Clone());
        }
        Check((t, g) => expected[t][g], lrs, $"ReduceLROnPlateau {mode} {thresholdMode} cooldown={cooldown}");
        Assert.Contains(lrs, l => l[0] < 0.1);
    }
}

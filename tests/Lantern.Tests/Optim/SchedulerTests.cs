using Lantern.Optim;
using Xunit;

namespace Lantern.Tests.Optim;

public class SchedulerTests
{
    private static SGD Sgd(params double[] lrs) =>
        new(lrs.Select(lr => new ParamGroupSpec([Tensor.Zeros([2], requiresGrad: true)], lr)).ToArray(), lr: 1.0, momentum: 0.9);

    private static List<double> Run(LRScheduler s, int steps, Action<LRScheduler>? step = null)
    {
        var lrs = new List<double> { s.Optimizer.ParamGroups[0].Lr };
        for (int i = 0; i < steps; i++)
        {
            (step ?? (x => x.Step()))(s);
            Assert.Equal(s.Optimizer.ParamGroups.Select(g => g.Lr), s.GetLastLr());
            lrs.Add(s.Optimizer.ParamGroups[0].Lr);
        }
        return lrs;
    }

    private static void AssertSeq(double[] expected, List<double> actual)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 12);
    }

    [Fact]
    public void StepLRMultiStepExponential()
    {
        AssertSeq([1, 1, 0.1, 0.1, 0.01, 0.01], Run(new StepLR(Sgd(1), 2, 0.1), 5));
        AssertSeq([1, 0.5, 0.5, 0.125, 0.125], Run(new MultiStepLR(Sgd(1), [1, 3, 3], 0.5), 4));
        AssertSeq([1, 0.9, 0.81, 0.729], Run(new ExponentialLR(Sgd(1), 0.9), 3));
    }

    [Fact]
    public void LinearConstantPolynomial()
    {
        AssertSeq([0.25, 0.5, 0.75, 1, 1], Run(new LinearLR(Sgd(1), 0.25, 1.0, 3), 4));
        AssertSeq([0.5, 0.5, 1, 1], Run(new ConstantLR(Sgd(1), 0.5, 2), 3));
        AssertSeq([1, 0.5625, 0.25, 0.0625, 0, 0], Run(new PolynomialLR(Sgd(1), 4, 2.0), 5));
    }

    [Fact] // the recursive form tracks the closed form eta_min + (base - eta_min)(1 + cos(pi t / T)) / 2, and climbs back after T_max
    public void CosineAnnealing()
    {
        var lrs = Run(new CosineAnnealingLR(Sgd(0.1), 10, 0.001), 25);
        for (int t = 0; t <= 25; t++) Assert.Equal(0.001 + 0.099 * (1 + Math.Cos(Math.PI * t / 10)) / 2, lrs[t], 12);
    }

    [Fact] // PyTorch's docstring examples of the composite schedulers, lr = 1
    public void SequentialAndChained()
    {
        var o = Sgd(1);
        AssertSeq([0.1, 0.1, 1, 0.9, 0.81], Run(new SequentialLR(o, [new ConstantLR(o, 0.1, 2), new ExponentialLR(o, 0.9)], [2]), 4));
        o = Sgd(1);
        var chained = Run(new ChainedScheduler([new ConstantLR(o, 0.1, 20), new ExponentialLR(o, 0.9)]), 21);
        for (int t = 0; t < 20; t++) Assert.Equal(0.1 * Math.Pow(0.9, t), chained[t], 12);
        Assert.Equal(Math.Pow(0.9, 20), chained[20], 12);
    }

    [Fact] // step(epoch) uses the closed form
    public void StepWithEpochUsesClosedForm()
    {
        var s = new StepLR(Sgd(1), 3, 0.5);
        s.Step(7);
        Assert.Equal(0.25, s.GetLastLr()[0]);
        Assert.Equal(7, s.LastEpoch);
        var c = new CosineAnnealingLR(Sgd(1), 10);
        c.Step(5);
        Assert.Equal(0.5, c.GetLastLr()[0], 15);
    }

    [Fact] // a second scheduler starts from initial_lr (setdefault), not from the lr the first one set
    public void InitialLrIsSharedAndRequiredToResume()
    {
        var o = Sgd(1, 0.5);
        var first = new ConstantLR(o, 0.1, 5);
        Assert.Equal(0.1, o.ParamGroups[0].Lr, 15);
        var second = new ExponentialLR(o, 0.9);
        Assert.Equal([1.0, 0.5], second.BaseLrs);
        Assert.Equal(1.0, o.ParamGroups[0]["initial_lr"]);
        var e = Assert.Throws<ArgumentException>(() => new StepLR(Sgd(1), 2, lastEpoch: 4));
        Assert.Contains("initial_lr", e.Message);
        Assert.NotNull(first);
    }

    [Fact] // min mode, rel threshold, patience 1, cooldown 1, min_lr: GetLastLr returns the reduced lr
    public void ReduceLROnPlateauScript()
    {
        var s = new ReduceLROnPlateau(Sgd(1), factor: 0.5, patience: 1, cooldown: 1, minLr: 0.2);
        double[] metrics = [1, 1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5];
        var lrs = Run(s, metrics.Length, x => ((ReduceLROnPlateau)x).Step(metrics[x.LastEpoch]));
        // bad epochs: e1 1, e2 2 > 1 -> 0.5 (cooldown 1); e3 cooldown; e4 1; e5 better; e6.. 1, 2 -> 0.25; cooldown; 1; 2 -> 0.2 (floor)
        AssertSeq([1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.2], lrs);
        Assert.Throws<InvalidOperationException>(() => s.Step());
    }

    public static IEnumerable<object[]> ResumeConfigs() => new[]
    {
        "StepLR", "MultiStepLR", "ExponentialLR", "LinearLR", "ConstantLR", "PolynomialLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts",
        "CyclicLR", "OneCycleLR", "LambdaLR", "MultiplicativeLR", "SequentialLR", "ChainedScheduler", "SWALR",
    }.Select(n => new object[] { n });

    private static LRScheduler Make(string name, Optimizer o) => name switch
    {
        "StepLR" => new StepLR(o, 7, 0.7),
        "MultiStepLR" => new MultiStepLR(o, [5, 20, 20], 0.3),
        "ExponentialLR" => new ExponentialLR(o, 0.97),
        "LinearLR" => new LinearLR(o, 0.2, 0.9, 30),
        "ConstantLR" => new ConstantLR(o, 0.3, 17),
        "PolynomialLR" => new PolynomialLR(o, 45, 1.5),
        "CosineAnnealingLR" => new CosineAnnealingLR(o, 13, 1e-3),
        "CosineAnnealingWarmRestarts" => new CosineAnnealingWarmRestarts(o, 5, 2, 1e-3),
        "CyclicLR" => new CyclicLR(o, 0.01, 0.1, 6, 9, mode: "exp_range", gamma: 0.995),
        "OneCycleLR" => new OneCycleLR(o, 0.3, totalSteps: 60),
        "LambdaLR" => new LambdaLR(o, e => 1.0 / (e + 1)),
        "MultiplicativeLR" => new MultiplicativeLR(o, e => 0.95),
        "SequentialLR" => new SequentialLR(o, [new LinearLR(o, 0.1, 1, 8), new CosineAnnealingLR(o, 50)], [8]),
        "ChainedScheduler" => new ChainedScheduler([new LinearLR(o, 0.1, 1, 8), new ExponentialLR(o, 0.98)]),
        "SWALR" => new SWALR(o, 0.01, 12),
        _ => throw new ArgumentException(name),
    };

    [Theory] // 60 steps == 25 steps + state dicts into a fresh optimiser and scheduler + 35 steps, bit for bit (momentum too)
    [MemberData(nameof(ResumeConfigs))]
    public void ResumeIsBitIdentical(string name)
    {
        var o1 = Sgd(0.1, 0.05);
        var s1 = Make(name, o1);
        var straight = new List<double[]>();
        for (int t = 0; t < 60; t++)
        {
            s1.Step();
            straight.Add([.. o1.ParamGroups.Select(g => g.Lr), .. o1.ParamGroups.Select(g => g.GetDouble("momentum"))]);
        }
        var o2 = Sgd(0.1, 0.05);
        var s2 = Make(name, o2);
        for (int t = 0; t < 25; t++) s2.Step();
        var so = o2.StateDict();
        var ss = s2.StateDict();
        s2.Step();   // the saved dicts are copies
        var o3 = Sgd(0.1, 0.05);
        var s3 = Make(name, o3);
        o3.LoadStateDict(so);
        s3.LoadStateDict(ss);
        for (int t = 25; t < 60; t++)
        {
            s3.Step();
            Assert.Equal(straight[t], o3.ParamGroups.Select(g => g.Lr).Concat(o3.ParamGroups.Select(g => g.GetDouble("momentum"))).ToArray());
            Assert.Equal(straight[t][..2], s3.GetLastLr());
        }
    }

    [Fact] // PyTorch's attribute names
    public void StateDictKeys()
    {
        var sd = new StepLR(Sgd(1, 2), 3, 0.5).StateDict();
        Assert.Equal(["_get_lr_called_within_step", "_is_initial", "_last_lr", "_step_count", "base_lrs", "gamma", "last_epoch", "step_size"], sd.Keys.Order());
        Assert.Equal(new[] { 1.0, 2.0 }, sd["base_lrs"]);
        Assert.Equal(0L, sd["last_epoch"]);
        Assert.Equal(1L, sd["_step_count"]);
        var o = Sgd(1);
        var seq = new SequentialLR(o, [new ConstantLR(o, 0.1, 2), new ExponentialLR(o, 0.9)], [2]).StateDict();
        Assert.Equal(new[] { 2 }, seq["_milestones"]);
        var children = (Dictionary<string, object>[])seq["_schedulers"];
        Assert.Equal(0.1, children[0]["factor"]);
        Assert.Equal(0.9, children[1]["gamma"]);
    }

    public static IEnumerable<object[]> BadSchedulers()
    {
        yield return [(Action)(() => new LinearLR(Sgd(1), startFactor: 0)), "LinearLR", "0"];
        yield return [(Action)(() => new LinearLR(Sgd(1), endFactor: 1.5)), "LinearLR", "1.5"];
        yield return [(Action)(() => new ConstantLR(Sgd(1), factor: 2)), "ConstantLR", "2"];
        yield return [(Action)(() => new CosineAnnealingWarmRestarts(Sgd(1), 0)), "CosineAnnealingWarmRestarts", "T_0"];
        yield return [(Action)(() => new CosineAnnealingWarmRestarts(Sgd(1), 5, 0)), "CosineAnnealingWarmRestarts", "T_mult"];
        yield return [(Action)(() => new OneCycleLR(Sgd(1), 0.1)), "OneCycleLR", "total_steps"];
        yield return [(Action)(() => new OneCycleLR(Sgd(1), 0.1, totalSteps: 10, pctStart: 1.5)), "OneCycleLR", "1.5"];
        yield return [(Action)(() => new OneCycleLR(Sgd(1), 0.1, totalSteps: 10, annealStrategy: "exp")), "OneCycleLR", "exp"];
        yield return [(Action)(() => new OneCycleLR(Sgd(1, 2), new[] { 0.1, 0.2, 0.3 }, totalSteps: 10)), "OneCycleLR", "max_lr has 3 values, param_groups has 2"];
        yield return [(Action)(() => new CyclicLR(new Adagrad([Tensor.Zeros([1], requiresGrad: true)]), 0.1, 1)), "CyclicLR", "momentum"];
        yield return [(Action)(() => new CyclicLR(Sgd(1), 0.1, 1, mode: "square")), "CyclicLR", "square"];
        yield return [(Action)(() => new ReduceLROnPlateau(Sgd(1), factor: 1.0)), "ReduceLROnPlateau", "1"];
        yield return [(Action)(() => new ReduceLROnPlateau(Sgd(1), mode: "up")), "ReduceLROnPlateau", "up"];
        yield return [(Action)(() => new ReduceLROnPlateau(Sgd(1), thresholdMode: "pct")), "ReduceLROnPlateau", "pct"];
        yield return [(Action)(() => { var o = Sgd(1); new SequentialLR(o, [new StepLR(o, 2), new StepLR(o, 3)], [1, 2]); }), "SequentialLR", "milestone"];
        yield return [(Action)(() => { var o = Sgd(1); new SequentialLR(o, [new StepLR(Sgd(1), 2)], []); }), "SequentialLR", "same optimizer"];
        yield return [(Action)(() => { var o = Sgd(1); new ChainedScheduler([new StepLR(o, 2), new ReduceLROnPlateau(o)]); }), "ChainedScheduler", "ReduceLROnPlateau"];
        yield return [(Action)(() => new LambdaLR(Sgd(1, 2), [e => 1.0])), "LambdaLR", "expected 2"];
        yield return [(Action)(() => new SWALR(Sgd(1), 0.1, annealStrategy: "step")), "SWALR", "step"];
    }

    [Theory]
    [MemberData(nameof(BadSchedulers))]
    public void BadInputThrowsNamingTheScheduler(Action make, string scheduler, string fragment)
    {
        var e = Assert.Throws<ArgumentException>(make);
        Assert.StartsWith(scheduler + ":", e.Message);
        Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public void OneCycleLRRefusesToStepPastTheEnd()
    {
        var s = new OneCycleLR(Sgd(1), 0.1, totalSteps: 3);
        for (int i = 0; i < 3; i++) s.Step();
        var e = Assert.Throws<InvalidOperationException>(() => s.Step());
        Assert.Contains("total steps is 3", e.Message);
    }
}

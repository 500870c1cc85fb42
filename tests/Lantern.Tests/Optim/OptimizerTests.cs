using Lantern.Optim;
using Xunit;
using static Lantern.Tests.Optim.OptimTestKit;

namespace Lantern.Tests.Optim;

public class OptimizerTests
{
    private static Dictionary<string, Tensor> CopyState(global::Lantern.NN.Module m) =>
        m.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone());

    [Theory] // N steps == k steps + save/load into a fresh model and optimiser + N-k steps, bit for bit
    [MemberData(nameof(ConfigNames), MemberType = typeof(OptimTestKit))]
    public void ResumeFromStateDictIsBitIdentical(string config)
    {
        var (x, y) = OptimTestKit.Data();
        var a = new Mlp();
        var optA = Config(config)(a.Parameters());
        for (int i = 0; i < 10; i++) TrainStep(a, optA, x, y);

        var b = new Mlp();
        var optB = Config(config)(b.Parameters());
        for (int i = 0; i < 4; i++) TrainStep(b, optB, x, y);
        var savedModel = CopyState(b);
        var savedOpt = optB.StateDict();
        TrainStep(b, optB, x, y);   // the saved dict must not follow the live state

        var c = new Mlp(seed: 99);
        c.LoadStateDict(savedModel);
        var optC = Config(config)(c.Parameters());
        optC.LoadStateDict(savedOpt);
        for (int i = 0; i < 6; i++) TrainStep(c, optC, x, y);

        foreach (var ((name, pa), (_, pc)) in a.NamedParameters().Zip(c.NamedParameters()))
            AssertBitEqual(pa.Detach(), pc.Detach(), $"{config}: {name}");
        Assert.NotEqual(Loss(new Mlp(), x, y).Item(), Loss(c, x, y).Item());   // it trained
    }

    [Fact] // PyTorch skips parameters whose grad is None: no state, no change (weight decay included)
    public void ParameterWithoutGradIsSkipped()
    {
        var p1 = Tensor.Randn([3], requiresGrad: true);
        var p2 = Tensor.Randn([2], requiresGrad: true);
        var before = p2.Detach().Clone();
        var opt = new AdamW([p1, p2], lr: 0.1, weightDecay: 0.5);
        p1.Grad = Tensor.Ones([3]);
        opt.Step();
        opt.Step();
        AssertBitEqual(before, p2.Detach(), "p2");
        Assert.Null(opt.GetState(p2));
        Assert.Equal(2L, opt.GetState(p1)!["step"]);
        Assert.Equal(["0"], ((Dictionary<string, object>)opt.StateDict()["state"]).Keys);
    }

    [Fact]
    public void ZeroGradSetsToNoneOrZeroesInPlace()
    {
        var p = Tensor.Randn([3], requiresGrad: true);
        var opt = new SGD([p], lr: 0.1);
        p.Grad = Tensor.Ones([3]);
        var g = p.Grad;
        opt.ZeroGrad(setToNone: false);
        Assert.Same(g, p.Grad);
        Assert.Equal([0f, 0f, 0f], p.Grad!.ToArray<float>());
        opt.ZeroGrad();
        Assert.Null(p.Grad);
    }

    [Fact] // groups take the defaults for keys they do not set; each group steps with its own lr
    public void ParamGroupsHaveTheirOwnHyperParameters()
    {
        var a = Tensor.Full([2], 1.0, requiresGrad: true);
        var b = Tensor.Full([2], 1.0, requiresGrad: true);
        var opt = new SGD([new ParamGroupSpec([a]), new ParamGroupSpec([b], lr: 0.5) { ["momentum"] = 0.9 }], lr: 0.1, weightDecay: 0.0);
        Assert.Equal(0.1, opt.ParamGroups[0].Lr);
        Assert.Equal(0.5, opt.ParamGroups[1].Lr);
        Assert.Equal(0.0, opt.ParamGroups[0].Momentum);
        Assert.Equal(0.9, opt.ParamGroups[1].Momentum);
        a.Grad = Tensor.Ones([2]);
        b.Grad = Tensor.Ones([2]);
        opt.Step();
        Assert.Equal(1f + -0.1f * 1f, a.ToArray<float>()[0]);
        Assert.Equal(1f + -0.5f * 1f, b.ToArray<float>()[0]);
        // a scheduler or a user changes hyper-parameters between steps
        opt.ParamGroups[0].Lr = 0.25;
        opt.Step();
        Assert.Equal(0.9f + -0.25f * 1f, a.ToArray<float>()[0]);
        // momentum buffer of group 1: buf = 0.9 * 1 + 1 * 1
        Assert.Equal(0.5f + -0.5f * (1f * 0.9f + 1f), b.ToArray<float>()[0]);
    }

    [Fact]
    public void AddParamGroupFillsDefaults()
    {
        var a = Tensor.Randn([2], requiresGrad: true);
        var b = Tensor.Randn([2], requiresGrad: true);
        var opt = new Adam([a], lr: 0.01, betas: (0.8, 0.9), weightDecay: 0.1);
        opt.AddParamGroup([b], lr: 0.001);
        Assert.Equal(2, opt.ParamGroups.Count);
        Assert.Equal(0.001, opt.ParamGroups[1].Lr);
        Assert.Equal((0.8, 0.9), opt.ParamGroups[1].Betas);
        Assert.Equal(0.1, opt.ParamGroups[1].WeightDecay);
        Assert.Equal((0.8, 0.9), opt.Defaults["betas"] is double[] d ? (d[0], d[1]) : default);
    }

    [Fact]
    public void StateDictLayoutIsPyTorchs()
    {
        var m = new Mlp();
        var (x, y) = OptimTestKit.Data();
        var opt = new Adam([new ParamGroupSpec(m.Fc1.Parameters()), new ParamGroupSpec(m.Fc2.Parameters(), lr: 1e-2)], lr: 1e-3, amsgrad: true);
        TrainStep(m, opt, x, y);
        TrainStep(m, opt, x, y);
        var sd = opt.StateDict();
        var groups = (Dictionary<string, object>[])sd["param_groups"];
        Assert.Equal([0, 1], (int[])groups[0]["params"]);
        Assert.Equal([2, 3], (int[])groups[1]["params"]);
        Assert.Equal(1e-2, groups[1]["lr"]);
        Assert.Equal([0.9, 0.999], (double[])groups[0]["betas"]);
        Assert.Equal(true, groups[0]["amsgrad"]);
        var state = (Dictionary<string, object>)sd["state"];
        Assert.Equal(["0", "1", "2", "3"], state.Keys.OrderBy(k => k));
        var s2 = (Dictionary<string, object>)state["2"];
        Assert.Equal(["exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"], s2.Keys.OrderBy(k => k));
        Assert.Equal(2L, s2["step"]);
        Assert.Equal(m.Fc2.Weight.Shape, ((Tensor)s2["exp_avg"]).Shape);
        // a deep copy: later steps do not change it, and changing it does not change the optimiser
        var saved = ((Tensor)s2["exp_avg"]).Clone();
        TrainStep(m, opt, x, y);
        AssertBitEqual(saved, (Tensor)s2["exp_avg"], "saved exp_avg");
        ((double[])groups[0]["betas"])[0] = 0.5;
        Assert.Equal(0.9, opt.ParamGroups[0].Betas.Beta1);
    }

    [Fact] // load_state_dict replaces the hyper-parameters too (a scheduler's lr survives a resume)
    public void LoadStateDictRestoresHyperParameters()
    {
        var p = Tensor.Randn([2], requiresGrad: true);
        var opt = new SGD([p], lr: 0.1, momentum: 0.9);
        opt.ParamGroups[0].Lr = 0.025;
        opt.ParamGroups[0]["initial_lr"] = 0.1;
        var q = Tensor.Randn([2], requiresGrad: true);
        var fresh = new SGD([q], lr: 0.1);
        fresh.LoadStateDict(opt.StateDict());
        Assert.Equal(0.025, fresh.ParamGroups[0].Lr);
        Assert.Equal(0.9, fresh.ParamGroups[0].Momentum);
        Assert.Equal(0.1, fresh.ParamGroups[0]["initial_lr"]);
    }

    [Fact]
    public void LoadStateDictRejectsMismatchedGroups()
    {
        var a = Tensor.Randn([2], requiresGrad: true);
        var b = Tensor.Randn([2], requiresGrad: true);
        var two = new Adam([new ParamGroupSpec([a]), new ParamGroupSpec([b])]);
        var one = new Adam([Tensor.Randn([2], requiresGrad: true)]);
        var e1 = Assert.Throws<ArgumentException>(() => one.LoadStateDict(two.StateDict()));
        Assert.Contains("Adam", e1.Message);
        Assert.Contains("2 parameter groups", e1.Message);
        var pair = new Adam([Tensor.Randn([2], requiresGrad: true), Tensor.Randn([2], requiresGrad: true)]);
        var e2 = Assert.Throws<ArgumentException>(() => one.LoadStateDict(pair.StateDict()));
        Assert.Contains("doesn't match the size", e2.Message);
        a.Grad = Tensor.Ones([2]);
        two.Step();
        var wrongShape = new Adam([new ParamGroupSpec([Tensor.Randn([3], requiresGrad: true)]), new ParamGroupSpec([b])]);
        var e3 = Assert.Throws<ArgumentException>(() => wrongShape.LoadStateDict(two.StateDict()));
        Assert.Contains("shape", e3.Message);
    }

    [Fact]
    public void StepWithClosureReturnsTheLoss()
    {
        var m = new Mlp();
        var (x, y) = OptimTestKit.Data();
        var opt = new SGD(m.Parameters(), lr: 0.1);
        var before = Loss(m, x, y).Item();
        var loss = opt.Step(() => { opt.ZeroGrad(); var l = Loss(m, x, y); l.Backward(); return l; });
        Assert.Equal(before, loss.Item());
        Assert.True(Loss(m, x, y).Item() < before);
        Assert.Equal(1, opt.StepCount);
    }

    [Fact] // a non-contiguous parameter is updated through a contiguous copy
    public void NonContiguousParameter()
    {
        var p = Tensor.Arange(6, DType.Float32).View(2, 3).T.Detach().RequiresGrad_();
        Assert.False(p.IsContiguous);
        var opt = new SGD([p], lr: 0.5);
        p.Grad = Tensor.Ones([3, 2]);
        int version = p.Storage.Version;
        opt.Step();
        Assert.Equal([-0.5f, 2.5f, 0.5f, 3.5f, 1.5f, 4.5f], p.Contiguous().ToArray<float>());
        Assert.True(p.Storage.Version > version);
    }

    [Fact] // the typed groups expose every hyper-parameter, settable
    public void TypedGroupProperties()
    {
        var p = Tensor.Randn([2], requiresGrad: true);
        var opt = new RMSprop([p]);
        var g = opt.ParamGroups[0];
        g.Momentum = 0.5;
        g.Centered = true;
        g.Alpha = 0.9;
        Assert.Equal(0.5, opt.ParamGroups[0].GetDouble("momentum"));
        Assert.True((bool)opt.ParamGroups[0]["centered"]);
        p.Grad = Tensor.Ones([2]);
        opt.Step();
        Assert.Equal(["step", "square_avg", "momentum_buffer", "grad_avg"], opt.GetState(p)!.Keys);
    }

    [Fact]
    public void ReprIsPyTorchs()
    {
        var opt = new SGD([Tensor.Randn([2], requiresGrad: true)], lr: 0.1, momentum: 0.9);
        Assert.Equal("SGD (\nParameter Group 0\n    dampening: 0.0\n    lr: 0.1\n    maximize: False\n    momentum: 0.9\n    nesterov: False\n    weight_decay: 0.0\n)", opt.ToString());
        var adam = new AdamW([Tensor.Randn([2], requiresGrad: true)], eps: 1e-6);
        Assert.Contains("    betas: (0.9, 0.999)\n", adam.ToString());
        Assert.Contains("    eps: 1e-06\n", adam.ToString());
        Assert.StartsWith("AdamW (", adam.ToString());
    }

    public static IEnumerable<object[]> BadInputs()
    {
        Tensor P() => Tensor.Randn([2], requiresGrad: true);
        var shared = P();
        yield return [(Action)(() => new SGD([new ParamGroupSpec([shared]), new ParamGroupSpec([shared])], lr: 0.1)), "SGD", "more than one parameter group"];
        yield return [(Action)(() => new Adam([shared, shared])), "Adam", "more than one parameter group"];
        yield return [(Action)(() => new SGD([P()], lr: -0.1)), "SGD", "-0.1"];
        yield return [(Action)(() => new Adam([P()], lr: -1e-3)), "Adam", "-0.001"];
        yield return [(Action)(() => new Adam([new ParamGroupSpec([P()], lr: -2)])), "Adam", "-2.0"];
        yield return [(Action)(() => new Adam([P()], betas: (1.0, 0.999))), "Adam", "beta parameter at index 0: 1.0"];
        yield return [(Action)(() => new AdamW([P()], betas: (0.9, -0.1))), "AdamW", "beta parameter at index 1: -0.1"];
        yield return [(Action)(() => new NAdam([P()], betas: (0.9, 1.5))), "NAdam", "1.5"];
        yield return [(Action)(() => new RAdam([P()], betas: (-0.5, 0.9))), "RAdam", "-0.5"];
        yield return [(Action)(() => new Adamax([P()], betas: (0.9, 1.0))), "Adamax", "1.0"];
        yield return [(Action)(() => new SGD([P()], lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true)), "SGD", "dampening=0.1"];
        yield return [(Action)(() => new SGD([P()], lr: 0.1, nesterov: true)), "SGD", "momentum=0.0"];
        yield return [(Action)(() => new Adam([P()], eps: -1e-8)), "Adam", "-1e-08"];
        yield return [(Action)(() => new RMSprop([P()], eps: -1)), "RMSprop", "epsilon"];
        yield return [(Action)(() => new Adagrad([P()], lrDecay: -1)), "Adagrad", "lr_decay"];
        yield return [(Action)(() => new Adadelta([P()], rho: 1.5)), "Adadelta", "rho"];
        yield return [(Action)(() => new SGD(Array.Empty<Tensor>(), lr: 0.1)), "SGD", "empty parameter list"];
        yield return [(Action)(() => new SGD([P().Mul(2)], lr: 0.1)), "SGD", "non-leaf"];
        yield return [(Action)(() => new Adam([P()], lr: double.NaN)), "Adam", "nan"];
    }

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void BadInputThrowsNamingTheOptimiserAndValue(Action make, string optimizer, string fragment)
    {
        var e = Assert.Throws<ArgumentException>(make);
        Assert.StartsWith(optimizer + ":", e.Message);
        Assert.Contains(fragment, e.Message);
    }
}

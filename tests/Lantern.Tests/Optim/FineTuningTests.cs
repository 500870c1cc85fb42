using System.Text.RegularExpressions;
using Lantern.NN;
using Lantern.Optim;
using Xunit;
using static Lantern.Tests.Optim.OptimTestKit;

namespace Lantern.Tests.Optim;

public class FineTuningTests
{
    [Fact]
    public void FreezeAndUnfreezeByGlobAndRegex()
    {
        var m = new TwoPartNet();
        Assert.Equal(4, FineTuning.Freeze(m, "backbone.*"));
        Assert.Equal(["head.weight", "head.bias"], m.NamedParameters().Where(p => p.Value.RequiresGrad).Select(p => p.Key));
        Assert.Equal(2, FineTuning.Unfreeze(m, new Regex(@"^backbone\.1\.")));
        Assert.True(m.Backbone[1].Parameters().All(p => p.RequiresGrad));
        Assert.Equal(4, FineTuning.Freeze(m, "*.bias", "head.weight"));   // matched, whether already frozen or not
        Assert.Equal(["backbone.1.weight"], m.NamedParameters().Where(p => p.Value.RequiresGrad).Select(p => p.Key));
        Assert.Matches(FineTuning.Glob("layer?.*.weight"), "layer1.0.conv.weight");
        Assert.DoesNotMatch(FineTuning.Glob("layer?.weight"), "layer10.weight");
    }

    [Fact] // a typo must not silently leave everything trainable
    public void PatternMatchingNothingThrows()
    {
        var e = Assert.Throws<ArgumentException>(() => FineTuning.Freeze(new TwoPartNet(), "backbon.*"));
        Assert.Contains("backbon.*", e.Message);
        Assert.Contains("backbone.0.weight", e.Message);
        Assert.Throws<ArgumentException>(() => FineTuning.ParamGroups(new TwoPartNet(), 1e-3, ("neck.*", 0.5)));
    }

    [Fact] // backbone at 0.1x, head at 1x; frozen parameters left out; only trainable weights move
    public void PerLayerLearningRates()
    {
        var m = new TwoPartNet();
        FineTuning.Freeze(m, "backbone.1.*");
        var groups = FineTuning.ParamGroups(m, 1e-2, ("backbone.*", 0.1), ("head.*", 1.0));
        Assert.Equal(2, groups.Count);
        Assert.Equal(1e-3, (double)groups[0]["lr"], 15);
        Assert.Equal(1e-2, groups[1]["lr"]);
        Assert.Equal(2, groups[0].Params.Count);   // backbone.0.weight and bias (backbone.1 frozen)
        Assert.Equal(2, groups[1].Params.Count);
        var opt = new SGD(groups, lr: 1.0);
        Assert.Equal([1e-3, 1e-2], opt.ParamGroups.Select(g => g.Lr).Select(v => Math.Round(v, 12)));
        var frozen = m.Backbone[1].Parameters().Select(p => p.Clone()).ToList();
        var w0 = m.Backbone[0].Parameters().First().Clone();
        var (x, y) = OptimTestKit.Data();
        opt.ZeroGrad();
        Loss(m, x.Narrow(1, 0, 4), y).Backward();
        opt.Step();
        foreach (var (before, now) in frozen.Zip(m.Backbone[1].Parameters())) AssertBitEqual(before, now.Detach(), "frozen");
        Assert.NotEqual(w0.ToArray<float>(), m.Backbone[0].Parameters().First().ToArray<float>());
        // unmatched parameters go to a last group at the base lr
        var rest = FineTuning.ParamGroups(new TwoPartNet(), 0.5, ("head.*", 2.0));
        Assert.Equal([1.0, 0.5], rest.Select(g => (double)g["lr"]));
    }

    [Fact] // Train() puts everything in training mode, then frozen norm layers back to eval (stats frozen)
    public void FrozenNormsStayInEval()
    {
        var m = new TwoPartNet();
        var norm = (TestNorm)m.Backbone[1];
        FineTuning.Freeze(m, "backbone.1.*");
        Assert.Equal([norm], FineTuning.FrozenNormModules(m));
        FineTuning.Train(m);
        Assert.False(norm.Training);
        Assert.True(m.Training && m.Head.Training && m.Backbone[0].Training);
        var stats = norm.RunningMean.Clone();
        var (x, _) = OptimTestKit.Data();
        m.Forward(x);
        AssertBitEqual(stats, norm.RunningMean, "running_mean");
        FineTuning.Unfreeze(m, "backbone.*");
        FineTuning.Train(m);
        Assert.True(norm.Training);
        FineTuning.Train(m, false);
        Assert.False(m.Training);
    }

    [Fact] // swap a classifier head by path: in a custom module and inside a Sequential
    public void ReplaceClassifierHead()
    {
        var m = new TwoPartNet();
        var newHead = new Linear(6, 10);
        var old = FineTuning.ReplaceModule(m, "head", newHead);
        Assert.IsType<Linear>(old);
        Assert.Same(newHead, m.Head);
        var (x, _) = OptimTestKit.Data();
        Assert.Equal([16, 10], m.Forward(x).Shape.ToArray());
        Assert.Equal(["backbone.0.weight", "backbone.0.bias", "backbone.1.weight", "backbone.1.bias", "head.weight", "head.bias"], m.NamedParameters().Select(p => p.Key));
        // inside a Sequential: its forward uses the new child, keys keep their place
        var replacement = new Linear(4, 6);
        FineTuning.ReplaceModule(m, "backbone.0", replacement);
        Assert.Same(replacement, m.Backbone[0]);
        Assert.Equal("0", m.Backbone.NamedChildren().First().Key);
        Assert.Throws<KeyNotFoundException>(() => FineTuning.ReplaceModule(m, "neck.fc", new Linear(1, 1)));
        var e = Assert.Throws<ArgumentException>(() => m.Backbone.ReplaceModule("1", new ModuleList<Linear>()));
        Assert.Contains("Sequential", e.Message);
    }
}

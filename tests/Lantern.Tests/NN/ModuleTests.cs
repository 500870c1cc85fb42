using Lantern.NN;
using Xunit;

namespace Lantern.Tests.NN;

public class ModuleTests
{
    private sealed class Block : Module<Tensor, Tensor>
    {
        public Block()
        {
            RegisterModule("fc1", new Linear(4, 3));
            RegisterModule("fc2", new Linear(3, 2, bias: false));
            RegisterBuffer("steps", Tensor.Zeros([], DType.Int64));
            RegisterBuffer("scratch", Tensor.Zeros([2]), persistent: false);
        }

        public Linear Fc1 => (Linear)GetModule("fc1")!;
        public Linear Fc2 => (Linear)GetModule("fc2")!;
        public override Tensor Forward(Tensor x) => Fc2.Call(Fc1.Call(x).Relu());
    }

    [Fact] // names and order follow PyTorch: parameters of each module in registration order, depth first
    public void NamedParametersBuffersModules()
    {
        var m = new Sequential(new Block(), new Linear(2, 1));
        Assert.Equal(["0.fc1.weight", "0.fc1.bias", "0.fc2.weight", "1.weight", "1.bias"], m.NamedParameters().Select(p => p.Key));
        Assert.Equal(["0.steps", "0.scratch"], m.NamedBuffers().Select(p => p.Key));
        Assert.Equal(["", "0", "0.fc1", "0.fc2", "1"], m.NamedModules().Select(p => p.Key));
        Assert.Equal(4 * 3 + 3 + 3 * 2 + 2 + 1, m.NumParameters());
        Assert.All(m.Parameters(), p => Assert.True(p.RequiresGrad && p.IsLeaf));
    }

    [Fact] // state_dict keys: params then persistent buffers per module; non-persistent buffers left out
    public void StateDictKeysAndRoundTrip()
    {
        var a = new Block();
        Assert.Equal(["steps", "fc1.weight", "fc1.bias", "fc2.weight"], a.StateDict().Keys);
        var b = new Block();
        var x = Tensor.Randn([5, 4], generator: new Generator(1));
        Assert.NotEqual(a.Forward(x).ToArray<float>(), b.Forward(x).ToArray<float>());
        var result = b.LoadStateDict(a.StateDict());
        Assert.Empty(result.MissingKeys);
        Assert.Equal(a.Forward(x).ToArray<float>(), b.Forward(x).ToArray<float>());
        Assert.True(b.Fc1.Weight.IsLeaf && b.Fc1.Weight.RequiresGrad);
    }

    [Fact] // load_state_dict(strict=True) lists missing and unexpected keys; size mismatches always raise
    public void LoadStateDictErrors()
    {
        var m = new Linear(3, 2);
        var sd = m.StateDict();
        sd.Remove("bias");
        sd["extra"] = Tensor.Zeros([1]);
        var ex = Assert.Throws<ArgumentException>(() => m.LoadStateDict(sd));
        Assert.Contains("Missing key(s) in state_dict: \"bias\"", ex.Message);
        Assert.Contains("Unexpected key(s) in state_dict: \"extra\"", ex.Message);
        var loose = m.LoadStateDict(sd, strict: false);
        Assert.Equal(["bias"], loose.MissingKeys);
        Assert.Equal(["extra"], loose.UnexpectedKeys);
        var bad = new OrderedDictionary<string, Tensor> { ["weight"] = Tensor.Zeros([2, 4]), ["bias"] = Tensor.Zeros([2]) };
        var sex = Assert.Throws<ArgumentException>(() => m.LoadStateDict(bad));
        Assert.Contains("size mismatch for weight", sex.Message);
        Assert.Contains("[2, 4]", sex.Message);
    }

    [Fact] // train()/eval() recurse; zero_grad(set_to_none) clears; requires_grad_(False) freezes; apply is post-order
    public void ModesGradsFreezingApply()
    {
        var m = new Sequential(new Block(), new Linear(2, 1));
        m.Eval();
        Assert.All(m.Modules(), x => Assert.False(x.Training));
        m.Train();
        Assert.All(m.Modules(), x => Assert.True(x.Training));
        m.Forward(Tensor.Randn([3, 4], generator: new Generator(2))).Sum().Backward();
        Assert.All(m.Parameters(), p => Assert.NotNull(p.Grad));
        m.ZeroGrad(setToNone: false);
        Assert.All(m.Parameters(), p => Assert.Equal(0f, p.Grad!.Abs().Sum().Item()));
        m.ZeroGrad();
        Assert.All(m.Parameters(), p => Assert.Null(p.Grad));
        m.RequiresGrad_(false);
        Assert.False(m.Forward(Tensor.Randn([3, 4])).RequiresGrad);
        var order = new List<string>();
        m.Apply(x => order.Add(x.Name));
        Assert.Equal(["Linear", "Linear", "Block", "Linear", "Sequential"], order);
    }

    [Fact] // forward pre-hooks can replace the input, forward hooks the output; removing the handle stops them
    public void ForwardHooks()
    {
        var m = new Linear(2, 2, bias: false);
        Init.Eye_(m.Weight);
        var x = Tensor.FromArray(new float[] { 1, 2 }, [1, 2]);
        using (m.RegisterForwardPreHook((_, i) => i.Mul(10)))
        using (m.RegisterForwardHook((_, _, o) => o.Add(1)))
            Assert.Equal([11f, 21], m.Call(x).ToArray<float>());
        Assert.Equal([1f, 2], m.Call(x).ToArray<float>());
        Assert.Equal([1f, 2], m.Forward(x).ToArray<float>());
    }

    [Fact] // repr(nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2, bias=False)))
    public void ToStringLikePyTorch()
    {
        var m = new Sequential(new Linear(4, 3), new Linear(3, 2, bias: false));
        Assert.Equal("Sequential(\n  (0): Linear(in_features=4, out_features=3, bias=True)\n  (1): Linear(in_features=3, out_features=2, bias=False)\n)", m.ToString());
        var nested = new Sequential(new Sequential(new Linear(1, 1)));
        Assert.Equal("Sequential(\n  (0): Sequential(\n    (0): Linear(in_features=1, out_features=1, bias=True)\n  )\n)", nested.ToString());
    }

    [Fact] // registration rules: dotted names, duplicates of another kind, non-leaf parameters
    public void RegistrationErrors()
    {
        Assert.Throws<ArgumentException>(() => new BadName());
        var x = Tensor.Ones([2], requiresGrad: true);
        var ex = Assert.Throws<ArgumentException>(() => new NonLeaf(x.Mul(2)));
        Assert.Contains("non-leaf", ex.Message);
    }

    private sealed class BadName : Module { public BadName() => RegisterParameter("a.b", Tensor.Zeros([1])); }
    private sealed class NonLeaf : Module { public NonLeaf(Tensor t) => RegisterParameter("w", t); }

    [Fact] // ModuleList / ModuleDict name children by index / key
    public void ListAndDict()
    {
        var l = new ModuleList<Linear>(new Linear(1, 1), new Linear(1, 1));
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias"], l.NamedParameters().Select(p => p.Key));
        var d = new ModuleDict<Linear> { { "head", new Linear(2, 1) } };
        Assert.Equal(["head.weight", "head.bias"], d.StateDict().Keys);
        Assert.Equal(2, l.Count);
    }
}

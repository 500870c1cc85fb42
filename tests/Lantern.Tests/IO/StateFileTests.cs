using System.Text;
using Lantern.IO;
using Lantern.NN;
using Lantern.Optim;
using Xunit;
using Lantern.Tests.Optim;
using static Lantern.Tests.Optim.OptimTestKit;

namespace Lantern.Tests.IO;

/// <summary>State trees through one safetensors file: exact types and bits, layout, resume, errors; atomic writes.</summary>
public class StateFileTests
{
    /// <summary>Asserts two trees have the same keys in the same order, the same value types and identical bits.</summary>
    internal static void AssertSameTree(object expected, object actual, string path = "")
    {
        Assert.True(expected.GetType() == actual.GetType() ||
            (expected is IEnumerable<KeyValuePair<string, Tensor>> && actual is OrderedDictionary<string, Tensor>),
            $"{path}: {expected.GetType().Name} became {actual.GetType().Name}");
        switch (expected)
        {
            case double d: Assert.Equal(BitConverter.DoubleToUInt64Bits(d), BitConverter.DoubleToUInt64Bits((double)actual)); break;
            case float f: Assert.Equal(BitConverter.SingleToUInt32Bits(f), BitConverter.SingleToUInt32Bits((float)actual)); break;
            case double[] a: Assert.Equal(a.Select(BitConverter.DoubleToUInt64Bits), ((double[])actual).Select(BitConverter.DoubleToUInt64Bits)); break;
            case Tensor t:
                var u = (Tensor)actual;
                Assert.Equal(t.DType, u.DType);
                Assert.Equal(t.Shape, u.Shape);
                Assert.Equal(t.To(DType.Float64).ToArray<double>().Select(BitConverter.DoubleToUInt64Bits), u.To(DType.Float64).ToArray<double>().Select(BitConverter.DoubleToUInt64Bits));
                break;
            case Dictionary<string, object> n:
                var m = (Dictionary<string, object>)actual;
                Assert.Equal(n.Keys, m.Keys);
                foreach (var (k, v) in n) AssertSameTree(v, m[k], path + "." + k);
                break;
            case IEnumerable<KeyValuePair<string, Tensor>> named:
                var back = (OrderedDictionary<string, Tensor>)actual;
                Assert.Equal(named.Select(kv => kv.Key), back.Keys);
                foreach (var (k, v) in named) AssertSameTree(v, back[k], path + "." + k);
                break;
            case Array a:
                var b = (Array)actual;
                Assert.Equal(a.Length, b.Length);
                for (int i = 0; i < a.Length; i++) AssertSameTree(a.GetValue(i)!, b.GetValue(i)!, $"{path}[{i}]");
                break;
            default: Assert.Equal(expected, actual); break;
        }
    }

    private static Dictionary<string, object> EveryKind()
    {
        var g = new Generator(5);
        var rng = new Random(9);
        var randomDoubles = Enumerable.Range(0, 64).Select(_ => BitConverter.Int64BitsToDouble(rng.NextInt64())).Where(double.IsFinite).ToArray();
        return new Dictionary<string, object>
        {
            ["epoch"] = 3L,
            ["min"] = long.MinValue,
            ["lr"] = 1e-3,
            ["third"] = 1.0 / 3.0,
            ["whole"] = 2.0,
            ["negzero"] = -0.0,
            ["tiny"] = double.Epsilon,
            ["huge"] = double.MaxValue,
            ["nan"] = BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_1234),
            ["inf"] = double.NegativeInfinity,
            ["count"] = 7,
            ["seed"] = ulong.MaxValue,
            ["half"] = 0.1f,
            ["flag"] = true,
            ["mode"] = "min \"quoted\" é\n",
            ["$dollar"] = "a key that starts with $",
            ["$$two"] = 2L,
            ["milestones"] = new[] { 30, 60, 90 },
            ["longs"] = new[] { long.MaxValue, -1L },
            ["betas"] = new[] { 0.9, 0.999, double.NaN, double.PositiveInfinity, -0.0 },
            ["random"] = randomDoubles,
            ["flags"] = new[] { true, false },
            ["names"] = new[] { "a", "", "c.d" },
            ["weights"] = Tensor.Randn([2, 3], generator: g),
            ["scalar"] = Tensor.Scalar(4.5, DType.Float64),
            ["empty"] = Tensor.Zeros([0, 3], DType.Int64),
            ["mask"] = Tensor.FromArray(new[] { true, false }),
            ["state_dict"] = new Linear(3, 2, generator: g).StateDict(),
            ["groups"] = new[]
            {
                new Dictionary<string, object> { ["lr"] = 0.1, ["params"] = new[] { 0, 1 } },
                new Dictionary<string, object> { ["lr"] = 0.01, ["buf"] = Tensor.Ones([2]) },
            },
            ["nogroups"] = Array.Empty<Dictionary<string, object>>(),
            ["list"] = new object[] { 1L, "two", 3.0, new Dictionary<string, object> { ["t"] = Tensor.Ones([1]) }, new object[] { false } },
            ["nested"] = new Dictionary<string, object> { ["deeper"] = new Dictionary<string, object> { ["x"] = 1.5, ["empty"] = new Dictionary<string, object>() } },
        };
    }

    [Fact] // every value kind comes back with its type, order and bits
    public void RoundTripIsExact()
    {
        var tree = EveryKind();
        var bytes = StateFile.SaveToBytes(tree, new Dictionary<string, string> { ["note"] = "hi" });
        var back = StateFile.LoadFromBytes(bytes);
        AssertSameTree(tree, back);
        Assert.Equal(bytes, StateFile.SaveToBytes(back, new Dictionary<string, string> { ["note"] = "hi" })); // deterministic
    }

    [Fact] // the layout: tensors under dotted paths in a plain safetensors file; structure JSON in the metadata
    public void LayoutIsPlainSafetensors()
    {
        var tree = new Dictionary<string, object>
        {
            ["step"] = 10L,
            ["lr"] = 0.5,
            ["state_dict"] = new OrderedDictionary<string, Tensor> { ["fc.weight"] = Tensor.Ones([2]) },
            ["optimizer"] = new Dictionary<string, object> { ["state"] = new Dictionary<string, object> { ["0"] = new Dictionary<string, object> { ["exp_avg"] = Tensor.Zeros([2]) } } },
            ["groups"] = new[] { new Dictionary<string, object> { ["m"] = Tensor.Zeros([1]) } },
        };
        var st = SafeTensors.LoadFromBytes(StateFile.SaveToBytes(tree));
        Assert.Equal(["groups.0.m", "optimizer.state.0.exp_avg", "state_dict.fc.weight"], st.Tensors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("state/1", st.Metadata!["lantern.format"]);
        Assert.Equal("{\"step\":10,\"lr\":0.5,\"state_dict\":{\"$tensors\":{\"fc.weight\":\"state_dict.fc.weight\"}}," +
            "\"optimizer\":{\"state\":{\"0\":{\"exp_avg\":{\"$tensor\":\"optimizer.state.0.exp_avg\"}}}}," +
            "\"groups\":[{\"m\":{\"$tensor\":\"groups.0.m\"}}]}", st.Metadata["lantern.tree"]);
    }

    [Fact] // an Adam + OneCycleLR run saved at step 5 and restored into fresh objects continues bit for bit
    public void OptimizerAndSchedulerResumeExactly()
    {
        var (x, y) = OptimTestKit.Data();
        var model = new Mlp(seed: 3);
        var opt = new Adam(model.Parameters(), lr: 1e-2, amsgrad: true);
        var sched = new OneCycleLR(opt, maxLr: 0.05, totalSteps: 20);
        var gen = new Generator(77);
        for (int i = 0; i < 5; i++) { TrainStep(model, opt, x, y); sched.Step(); }
        Tensor.Rand([3], generator: gen);
        string path = Path.Combine(Path.GetTempPath(), $"lantern-ckpt-{Guid.NewGuid():N}.safetensors");
        try
        {
            StateFile.Save(path, new Dictionary<string, object>
            {
                ["global_step"] = 5L,
                ["state_dict"] = model.StateDict(),
                ["optimizer_states"] = new[] { opt.StateDict() },
                ["lr_schedulers"] = new[] { sched.StateDict() },
                ["rng"] = GeneratorState.Capture(gen),
            });
            for (int i = 0; i < 5; i++) { TrainStep(model, opt, x, y); sched.Step(); }
            var expectedNoise = Tensor.Rand([4], generator: gen).ToArray<float>();

            var ckpt = StateFile.Load(path);
            Assert.True(StateFile.IsStateFile(path));
            var model2 = new Mlp(seed: 99);
            var opt2 = new Adam(model2.Parameters(), lr: 1e-2, amsgrad: true);
            var sched2 = new OneCycleLR(opt2, maxLr: 0.05, totalSteps: 20);
            var gen2 = new Generator(1);
            model2.LoadStateDict((OrderedDictionary<string, Tensor>)ckpt["state_dict"]);
            opt2.LoadStateDict(((Dictionary<string, object>[])ckpt["optimizer_states"])[0]);
            sched2.LoadStateDict(((Dictionary<string, object>[])ckpt["lr_schedulers"])[0]);
            GeneratorState.Restore(gen2, (Dictionary<string, object>)ckpt["rng"]);
            Assert.Equal(5L, ckpt["global_step"]);
            for (int i = 0; i < 5; i++) { TrainStep(model2, opt2, x, y); sched2.Step(); }
            foreach (var (k, t) in model.StateDict()) AssertBitEqual(t, model2.StateDict()[k], k);
            Assert.Equal(expectedNoise, Tensor.Rand([4], generator: gen2).ToArray<float>());
            AssertSameTree(opt.StateDict(), opt2.StateDict());
            AssertSameTree(sched.StateDict(), sched2.StateDict());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void SaveErrors()
    {
        Assert.Contains("null", Assert.Throws<ArgumentException>(() => StateFile.SaveToBytes(new() { ["a"] = null! })).Message);
        Assert.Contains("'a.b' has type DateTime", Assert.Throws<ArgumentException>(() => StateFile.SaveToBytes(new() { ["a"] = new Dictionary<string, object> { ["b"] = new DateTime() } })).Message);
        var collide = new Dictionary<string, object> { ["a.b"] = Tensor.Ones([1]), ["a"] = new Dictionary<string, object> { ["b"] = Tensor.Ones([1]) } };
        Assert.Contains("two tensors map to the key 'a.b'", Assert.Throws<ArgumentException>(() => StateFile.SaveToBytes(collide)).Message);
        Assert.Contains("reserved", Assert.Throws<ArgumentException>(() => StateFile.SaveToBytes(new(), new Dictionary<string, string> { ["lantern.x"] = "" })).Message);
    }

    [Fact]
    public void LoadErrors()
    {
        var plain = SafeTensors.SaveToBytes([new("w", Tensor.Ones([1]))]);
        Assert.Contains("not a Lantern state file", Assert.Throws<InvalidDataException>(() => StateFile.LoadFromBytes(plain)).Message);
        InvalidDataException WithTree(string json, params KeyValuePair<string, Tensor>[] tensors) => Assert.Throws<InvalidDataException>(() =>
            StateFile.LoadFromBytes(SafeTensors.SaveToBytes(tensors, new Dictionary<string, string> { ["lantern.format"] = "state/1", ["lantern.tree"] = json })));
        Assert.Contains("malformed", WithTree("{\"a\":").Message);
        Assert.Contains("lacks", WithTree("{\"a\":{\"$tensor\":\"missing\"}}").Message);
        Assert.Contains("does not reference: w", WithTree("{}", new KeyValuePair<string, Tensor>("w", Tensor.Ones([1]))).Message);
        Assert.Contains("unknown tag '$what'", WithTree("{\"a\":{\"$what\":1}}").Message);
        Assert.Contains("'$int' value is malformed", WithTree("{\"a\":{\"$int\":\"x\"}}").Message);
        Assert.Contains("referenced twice", WithTree("{\"a\":{\"$tensor\":\"w\"},\"b\":{\"$tensor\":\"w\"}}", new KeyValuePair<string, Tensor>("w", Tensor.Ones([1]))).Message);
        Assert.Contains("format 'state/9'", Assert.Throws<InvalidDataException>(() => StateFile.LoadFromBytes(SafeTensors.SaveToBytes([],
            new Dictionary<string, string> { ["lantern.format"] = "state/9", ["lantern.tree"] = "{}" }))).Message);
    }

    [Fact] // a writer that fails leaves the old file intact and no temporary file behind
    public void AtomicWriteKeepsTheOldFile()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"lantern-atomic-{Guid.NewGuid():N}");
        string path = Path.Combine(dir, "sub", "last.safetensors");
        try
        {
            AtomicFile.WriteAllText(path, "old");
            Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
            {
                s.Write(Encoding.ASCII.GetBytes("half of the new"));
                throw new InvalidOperationException("crash mid-write");
            }));
            Assert.Equal("old", File.ReadAllText(path));
            Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
            StateFile.Save(path, new() { ["x"] = 1L });
            Assert.Equal(1L, StateFile.Load(path)["x"]);
            Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
            Assert.Throws<ArgumentException>(() => AtomicFile.Write(dir, _ => { }));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}

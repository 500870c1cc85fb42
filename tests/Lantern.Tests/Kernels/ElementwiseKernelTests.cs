using Xunit;

namespace Lantern.Tests.Kernels;

/// <summary>
/// Kernel paths over every length class (empty, scalar tail, vector width +-1, multi-vector, parallel chunks)
/// against scalar double references, and special values (NaN, +-inf, -0). CI reruns this namespace with
/// DOTNET_EnableAVX512F=0 and DOTNET_EnableHWIntrinsic=0 so the Vector256, Vector128 and scalar paths run too.
/// </summary>
public class ElementwiseKernelTests
{
    public static readonly int[] Lengths = [0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 1000, 70_001];

    public static TheoryData<int> LengthData()
    {
        var d = new TheoryData<int>();
        foreach (var n in Lengths) d.Add(n);
        return d;
    }

    private static double[] Data(int n, int seed, double lo = -3, double hi = 3) =>
        Tensor.Uniform([n], lo, hi, DType.Float64, generator: new Generator((ulong)seed)).ToArray<double>();

    private static void Close(double[] expected, Tensor actual, double rtol, double atol, string what)
    {
        var a = actual.ToArray<double>();
        Assert.Equal(expected.Length, a.Length);
        for (int i = 0; i < a.Length; i++)
        {
            double e = expected[i];
            if (!(Math.Abs(a[i] - e) <= atol + rtol * Math.Abs(e)))
                Assert.Fail($"{what}: element {i} of {a.Length}: got {a[i]:R}, expected {e:R}");
        }
    }

    [Theory, MemberData(nameof(LengthData))]
    public void BinaryOpsEveryLayoutPath(int n)
    {
        var x = Data(n, 1);
        var y = Data(n, 2, 0.5, 2);
        foreach (var dt in new[] { DType.Float32, DType.Float64 })
        {
            double tol = dt == DType.Float32 ? 1e-6 : 1e-15;
            var tx = Tensor.FromArray(x).To(dt);
            var ty = Tensor.FromArray(y).To(dt);
            var rx = tx.ToArray<double>();
            var ry = ty.ToArray<double>();
            double s = ry.Length > 0 ? ry[0] : 1.25;
            var ts = Tensor.Scalar(s, dt);
            Close(rx.Zip(ry, (a, b) => a + b).ToArray(), tx.Add(ty), tol, 0, $"{dt} add n={n}");
            Close(rx.Zip(ry, (a, b) => a - b).ToArray(), tx.Sub(ty), tol, tol, $"{dt} sub n={n}");
            Close(rx.Zip(ry, (a, b) => a * b).ToArray(), tx.Mul(ty), tol, 0, $"{dt} mul n={n}");
            Close(rx.Zip(ry, (a, b) => a / b).ToArray(), tx.Div(ty), tol, 0, $"{dt} div n={n}");
            Close(rx.Zip(ry, Math.Max).ToArray(), tx.Maximum(ty), 0, 0, $"{dt} maximum n={n}");
            Close(rx.Zip(ry, Math.Min).ToArray(), tx.Minimum(ty), 0, 0, $"{dt} minimum n={n}");
            Close(rx.Select(a => a * s).ToArray(), tx.Mul(ts), tol, 0, $"{dt} tensor*scalar n={n}");
            Close(rx.Select(a => s - a).ToArray(), ts.Sub(tx), tol, tol, $"{dt} scalar-tensor n={n}");
            // Strided operands (every other element of a larger buffer).
            var wide = Tensor.FromArray(x.Concat(x).ToArray()).To(dt).View(2, n).T; // [n, 2], column 0 is x
            Close(rx.Select(a => a + a).ToArray(), wide.Select(1, 0).Add(tx), tol, 0, $"{dt} strided add n={n}");
        }
        var lx = Tensor.FromArray(x.Select(v => (long)(v * 1000)).ToArray());
        var ly = Tensor.FromArray(y.Select(v => (long)(v * 1000)).ToArray());
        Assert.Equal(lx.ToArray<long>().Zip(ly.ToArray<long>(), (a, b) => a + b), lx.Add(ly).ToArray<long>());
        Assert.Equal(lx.ToArray<long>().Zip(ly.ToArray<long>(), Math.Max), lx.Maximum(ly).ToArray<long>());
        Assert.Equal(lx.ToArray<long>().Zip(ly.ToArray<long>(), (a, b) => a * b), lx.Mul(ly).ToArray<long>());
    }

    [Theory, MemberData(nameof(LengthData))]
    public void UnaryOpsAgreeWithScalarMath(int n)
    {
        var x = Data(n, 3);
        var p = Data(n, 4, 0.01, 5);
        foreach (var dt in new[] { DType.Float32, DType.Float64 })
        {
            bool f32 = dt == DType.Float32;
            var tx = Tensor.FromArray(x).To(dt);
            var tp = Tensor.FromArray(p).To(dt);
            var rx = tx.ToArray<double>();
            var rp = tp.ToArray<double>();
            double tol = f32 ? 2e-6 : 1e-14;
            Close(rx.Select(Math.Exp).ToArray(), tx.Exp(), tol, 0, $"{dt} exp n={n}");
            Close(rp.Select(v => Math.Log(v)).ToArray(), tp.Log(), tol, tol, $"{dt} log n={n}");
            Close(rp.Select(Math.Sqrt).ToArray(), tp.Sqrt(), tol, 0, $"{dt} sqrt n={n}");
            Close(rx.Select(Math.Tanh).ToArray(), tx.Tanh(), tol, tol, $"{dt} tanh n={n}");
            Close(rx.Select(v => 1 / (1 + Math.Exp(-v))).ToArray(), tx.Sigmoid(), tol, tol, $"{dt} sigmoid n={n}");
            int m = Math.Min(n, 1000); // the Simpson reference is slow; the kernel runs on all n, the check reads m
            Close(rx.Take(m).Select(OpTable.Ops.ErfRef).ToArray(), tx.Erf().Narrow(0, 0, m), f32 ? 3e-7 : 1e-13, f32 ? 3e-7 : 1e-14, $"{dt} erf n={n}");
            Close(rx.Select(Math.Abs).ToArray(), tx.Abs(), 0, 0, $"{dt} abs n={n}");
            Close(rx.Select(Math.Floor).ToArray(), tx.Floor(), 0, 0, $"{dt} floor n={n}");
            Close(rx.Select(v => Math.Max(v, 0)).ToArray(), tx.Relu(), 0, 0, $"{dt} relu n={n}");
        }
    }

    [Theory, MemberData(nameof(LengthData))]
    public void ReductionsEveryLength(int n)
    {
        var x = Data(n, 5);
        foreach (var dt in new[] { DType.Float32, DType.Float64 })
        {
            var tx = Tensor.FromArray(x).To(dt);
            var rx = tx.ToArray<double>();
            double tol = (dt == DType.Float32 ? 1e-6 : 1e-14) * rx.Sum(Math.Abs) + 1e-12;
            Assert.Equal(rx.Sum(), tx.Sum().Item<double>(), tol);
            if (n == 0) continue;
            Assert.Equal(rx.Max(), tx.Max().Item<double>());
            Assert.Equal(rx.Min(), tx.Min().Item<double>());
            Assert.Equal(Array.IndexOf(rx, rx.Max()), tx.ArgMax().Item<long>());
            // Outer reduction (kept block contiguous): [2, n] summed over dim 0.
            var two = Tensor.Stack([tx, tx.Neg()]);
            Assert.All(two.Sum(0).ToArray<double>(), v => Assert.Equal(0, v, 1e-12));
        }
    }

    [Fact] // full reductions give the same bits whatever the thread count (fixed blocks)
    public void ReductionsAreDeterministicAcrossThreadCounts()
    {
        var t = Tensor.Randn([300_001], generator: new Generator(9));
        int saved = Lantern.Threads;
        try
        {
            Lantern.Threads = 1;
            float a = t.Sum().Item();
            Lantern.Threads = 2;
            float b = t.Sum().Item();
            Assert.Equal(BitConverter.SingleToInt32Bits(a), BitConverter.SingleToInt32Bits(b));
        }
        finally { Lantern.Threads = saved; }
    }

    public static TheoryData<string, double, double> SpecialCases() => new()
    {
        // op, input, expected (PyTorch's result for torch.<op>(torch.tensor([input], dtype=float64)))
        { "exp", double.NegativeInfinity, 0 },
        { "exp", double.PositiveInfinity, double.PositiveInfinity },
        { "exp", double.NaN, double.NaN },
        { "log", 0, double.NegativeInfinity },
        { "log", -1, double.NaN },
        { "sqrt", -0.0, -0.0 },
        { "sqrt", -1, double.NaN },
        { "sigmoid", double.NegativeInfinity, 0 },
        { "sigmoid", double.PositiveInfinity, 1 },
        { "tanh", double.PositiveInfinity, 1 },
        { "tanh", double.NegativeInfinity, -1 },
        { "tanh", 0.0, 0.0 },
        { "tanh", -0.0, -0.0 },
        { "tanh", 1e-5, 9.9999999996666667e-6 },
        { "tanh", -3e-9, -3e-9 },
        { "erf", double.PositiveInfinity, 1 },
        { "erf", double.NegativeInfinity, -1 },
        { "erf", -0.0, -0.0 },
        { "relu", double.NaN, double.NaN },
        { "sign", double.NaN, 0 },
        { "sign", -0.0, 0 },
        { "abs", -0.0, 0 },
        { "round", 2.5, 2 },
        { "round", -0.5, -0.0 },
        { "round", 1.5, 2 },
        { "floor", -0.5, -1 },
        { "trunc", -1.7, -1 },
        { "reciprocal", -0.0, double.NegativeInfinity },
        { "clamp", double.NaN, double.NaN },
        { "log1p", -1, double.NegativeInfinity },
        { "expm1", -0.0, -0.0 },
        { "expm1", 1e-10, 1.00000000005e-10 },
        { "log1p", 1e-10, 9.9999999995e-11 },
        { "log1p", -0.0, -0.0 },
    };

    [Theory, MemberData(nameof(SpecialCases))]
    public void SpecialValues(string op, double input, double expected)
    {
        foreach (var dt in new[] { DType.Float32, DType.Float64 })
        {
            // Put the value at a vector-body position and a tail position.
            var data = Enumerable.Repeat(input, 67).ToArray();
            var t = Tensor.FromArray(data).To(dt);
            var r = op switch
            {
                "exp" => t.Exp(), "log" => t.Log(), "sqrt" => t.Sqrt(), "sigmoid" => t.Sigmoid(), "tanh" => t.Tanh(),
                "erf" => t.Erf(), "relu" => t.Relu(), "sign" => t.Sign(), "abs" => t.Abs(), "round" => t.Round(),
                "floor" => t.Floor(), "trunc" => t.Trunc(), "reciprocal" => t.Reciprocal(), "clamp" => t.Clamp(-1, 1),
                "log1p" => t.Log1p(), "expm1" => t.Expm1(),
                _ => throw new ArgumentException(op),
            };
            foreach (var v in r.ToArray<double>())
            {
                if (double.IsNaN(expected)) Assert.True(double.IsNaN(v), $"{op}({input}) {dt}: {v}");
                else
                {
                    double want = dt == DType.Float32 ? (float)expected : expected;
                    Assert.Equal(want, v, Math.Abs(want) * 3e-16); // within 1 ulp (exact for the float32 cases)
                    Assert.Equal(double.IsNegative(expected), double.IsNegative(v)); // sign of zero
                }
            }
        }
    }

    [Fact] // torch.maximum/minimum propagate NaN; torch.max reduction returns NaN if any
    public void NaNPropagation()
    {
        var a = Tensor.FromArray(Enumerable.Range(0, 40).Select(i => i == 33 ? double.NaN : i).ToArray());
        var b = Tensor.Zeros([40], DType.Float64);
        Assert.True(double.IsNaN(a.Maximum(b).ToArray<double>()[33]));
        Assert.True(double.IsNaN(a.Minimum(b).ToArray<double>()[33]));
        Assert.True(double.IsNaN(a.Max().Item<double>()));
        Assert.Equal(33L, a.ArgMax().Item<long>());
        Assert.True(double.IsNaN(a.Sum().Item<double>()));
        Assert.Equal([false, true], Tensor.FromArray(new[] { 1.0, double.NaN }).IsNan().ToArray<bool>());
        Assert.Equal([true, false, false], Tensor.FromArray(new[] { 1.0, double.NaN, double.NegativeInfinity }).IsFinite().ToArray<bool>());
        var clean = Tensor.FromArray(new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, 2 }).NanToNum(0.5);
        Assert.Equal([0.5, double.MaxValue, double.MinValue, 2], clean.ToArray<double>());
    }
}

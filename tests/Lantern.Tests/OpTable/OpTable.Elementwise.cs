namespace Lantern.Tests.OpTable;

// Rows for unary and binary elementwise ops. References are plain System.Math on doubles.
public static partial class Ops
{
    private static OpInfo UnaryRow(string name, Func<Tensor, Tensor> f, Func<double, double> reference, Func<int[], Tensor> gen,
        Func<Tensor, Tensor>? inPlace = null, bool grad = true, bool gradGrad = true, double atol32 = 1e-5, double rtol32 = 1e-5, string? variant = null) => new()
    {
        Name = name,
        Variant = variant,
        Op = x => f(x[0]),
        Samples = () => Shapes.Select(s => S($"shape [{string.Join(",", s)}]", gen(s))).ToArray(),
        Reference = x => x[0].Map(reference),
        InPlace = inPlace is null ? null : x => inPlace(x[0]),
        SupportsGrad = grad,
        SupportsGradGrad = gradGrad,
        Atol32 = atol32,
        Rtol32 = rtol32,
    };

    private static Sample[] BinarySamples(Func<int[], Tensor> ga, Func<int[], Tensor> gb) =>
    [
        S("same shape [3,4]", ga([3, 4]), gb([3, 4])),
        S("broadcast [3,4] with [4]", ga([3, 4]), gb([4])),
        S("broadcast [2,1,4] with [3,1]", ga([2, 1, 4]), gb([3, 1])),
        S("0-dim with [3]", ga([]), gb([3])),
        S("long rows [2,37] (SIMD tails)", ga([2, 37]), gb([2, 37])),
    ];

    private static OpInfo BinaryRow(string name, Func<Tensor, Tensor, Tensor> f, Func<double, double, double> reference,
        Func<int[], Tensor> ga, Func<int[], Tensor> gb, Func<Tensor, Tensor, Tensor>? inPlace = null, bool grad = true, bool gradGrad = true,
        string? variant = null) => new()
    {
        Name = name,
        Variant = variant,
        Op = x => f(x[0], x[1]),
        Samples = () => BinarySamples(ga, gb),
        Reference = x => Nd.Zip(x[0], x[1], reference),
        InPlace = inPlace is null ? null : x => inPlace(x[0], x[1]),
        SupportsGrad = grad,
        SupportsGradGrad = gradGrad,
        Errors = () =>
        [
            new ErrorInput(() => f(R(3, 4), R(5)), name, "shapes [3,4] and [5] do not broadcast"),
            new ErrorInput(() => f(R(3, 4), R(5)), "[3, 4]", "message names the first shape"),
            new ErrorInput(() => f(R(3, 4), R(5)), "[5]", "message names the second shape"),
        ],
    };

    private static Tensor Pos(int[] s) => U(0.5, 3, s);
    private static Tensor Any(int[] s) => R(s);
    private static Tensor Nz(int[] s) => NonZero(s);

    /// <summary>erf by Simpson integration of 2/sqrt(pi) e^(-t^2) (independent of Lantern's series).</summary>
    public static double ErfRef(double x)
    {
        if (double.IsNaN(x)) return x;
        if (Math.Abs(x) > 6) return Math.Sign(x);
        int n = 4000;
        double h = x / n, sum = 0;
        for (int i = 0; i <= n; i++)
        {
            double t = i * h, w = i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2;
            sum += w * Math.Exp(-t * t);
        }
        return 2 / Math.Sqrt(Math.PI) * sum * h / 3;
    }

    [OpFamily]
    private static IEnumerable<OpInfo> Unary()
    {
        yield return UnaryRow("Neg", x => x.Neg(), v => -v, Any, x => x.Neg_());
        yield return UnaryRow("Reciprocal", x => x.Reciprocal(), v => 1 / v, Nz, x => x.Reciprocal_());
        yield return UnaryRow("Exp", x => x.Exp(), Math.Exp, Any, x => x.Exp_());
        yield return UnaryRow("Exp2", x => x.Exp2(), v => Math.Pow(2, v), Any);
        yield return UnaryRow("Expm1", x => x.Expm1(), v => Math.Exp(v) - 1, Any, atol32: 1e-5);
        yield return UnaryRow("Log", x => x.Log(), Math.Log, Pos, x => x.Log_());
        yield return UnaryRow("Log2", x => x.Log2(), Math.Log2, Pos);
        yield return UnaryRow("Log1p", x => x.Log1p(), v => Math.Log(1 + v), s => U(-0.5, 2, s));
        yield return UnaryRow("Sqrt", x => x.Sqrt(), Math.Sqrt, Pos, x => x.Sqrt_());
        yield return UnaryRow("Rsqrt", x => x.Rsqrt(), v => 1 / Math.Sqrt(v), Pos);
        yield return UnaryRow("Abs", x => x.Abs(), Math.Abs, Nz, x => x.Abs_());
        yield return UnaryRow("Sign", x => x.Sign(), v => Math.Sign(v), Nz);
        yield return UnaryRow("Sin", x => x.Sin(), Math.Sin, Any);
        yield return UnaryRow("Cos", x => x.Cos(), Math.Cos, Any);
        yield return UnaryRow("Tan", x => x.Tan(), Math.Tan, s => U(-1.2, 1.2, s));
        yield return UnaryRow("Tanh", x => x.Tanh(), Math.Tanh, Any, x => x.Tanh_());
        yield return UnaryRow("Sigmoid", x => x.Sigmoid(), v => 1 / (1 + Math.Exp(-v)), Any, x => x.Sigmoid_());
        yield return UnaryRow("Erf", x => x.Erf(), ErfRef, s => R(s).Mul(1.5), atol32: 3e-7, rtol32: 3e-7);
        yield return UnaryRow("Relu", x => x.Relu(), v => Math.Max(v, 0), Nz, x => x.Relu_());
        yield return UnaryRow("Square", x => x.Square(), v => v * v, Any);
        yield return UnaryRow("Floor", x => x.Floor(), Math.Floor, s => R(s).Mul(3));
        yield return UnaryRow("Ceil", x => x.Ceil(), Math.Ceiling, s => R(s).Mul(3));
        yield return UnaryRow("Round", x => x.Round(), v => Math.Round(v, MidpointRounding.ToEven), s => R(s).Mul(3));
        yield return UnaryRow("Trunc", x => x.Trunc(), Math.Truncate, s => R(s).Mul(3));
        yield return UnaryRow("Clamp", x => x.Clamp(-0.5, 0.7), v => Math.Min(Math.Max(v, -0.5), 0.7), Any, x => x.Clamp_(-0.5, 0.7), variant: "min,max");
        yield return UnaryRow("Clamp", x => x.Clamp(min: -0.3), v => Math.Max(v, -0.3), Any, variant: "min");
        yield return UnaryRow("Clamp", x => x.Clamp(max: 0.2), v => Math.Min(v, 0.2), Any, variant: "max");
        yield return UnaryRow("NanToNum", x => x.NanToNum(), v => v, Any);
        yield return UnaryRow("Pow", x => x.Pow(2), v => v * v, Any, x => x.Pow_(2), variant: "scalar p=2");
        yield return UnaryRow("Pow", x => x.Pow(3), v => v * v * v, Any, variant: "scalar p=3");
        yield return UnaryRow("Pow", x => x.Pow(-1.5), v => Math.Pow(v, -1.5), Pos, variant: "scalar p=-1.5");
        yield return UnaryRow("Pow", x => x.Pow(0.5), Math.Sqrt, Pos, variant: "scalar p=0.5");
        yield return UnaryRow("Pow", x => Tensor.Pow(2.5, x), v => Math.Pow(2.5, v), Any, variant: "scalar base");
        yield return UnaryRow("To", x => x.To(DType.Float32).To(DType.Float64), v => (float)v, Any) with { GradAtol = 1e-3, GradRtol = 0.1, SupportsGradGrad = false, CheckFloat32 = false };
        yield return UnaryRow("Clone", x => x.Clone(), v => v, Any);
    }

    [OpFamily]
    private static IEnumerable<OpInfo> Binary()
    {
        yield return BinaryRow("Add", (a, b) => a.Add(b), (a, b) => a + b, Any, Any, (a, b) => a.Add_(b));
        yield return BinaryRow("Add", (a, b) => a.Add(b, alpha: 2.5), (a, b) => a + 2.5 * b, Any, Any, (a, b) => a.Add_(b, 2.5), variant: "alpha");
        yield return BinaryRow("Sub", (a, b) => a.Sub(b), (a, b) => a - b, Any, Any, (a, b) => a.Sub_(b));
        yield return BinaryRow("Mul", (a, b) => a.Mul(b), (a, b) => a * b, Any, Any, (a, b) => a.Mul_(b));
        yield return BinaryRow("Div", (a, b) => a.Div(b), (a, b) => a / b, Any, Nz, (a, b) => a.Div_(b));
        yield return BinaryRow("Div", (a, b) => a.Div(b, "floor"), (a, b) => Math.Floor(a / b), s => R(s).Mul(4), Nz, grad: false, variant: "floor");
        yield return BinaryRow("Div", (a, b) => a.Div(b, "trunc"), (a, b) => Math.Truncate(a / b), s => R(s).Mul(4), Nz, grad: false, variant: "trunc");
        yield return BinaryRow("Pow", (a, b) => a.Pow(b), Math.Pow, Pos, Any, (a, b) => a.Pow_(b));
        yield return BinaryRow("Maximum", (a, b) => a.Maximum(b), Math.Max, Any, Any);
        yield return BinaryRow("Minimum", (a, b) => a.Minimum(b), Math.Min, Any, Any);
        yield return BinaryRow("Remainder", (a, b) => a.Remainder(b), (a, b) => a - Math.Floor(a / b) * b, s => U(-5, 5, s), Nz, gradGrad: false);
        yield return BinaryRow("Fmod", (a, b) => a.Fmod(b), (a, b) => a % b, s => U(-5, 5, s), Nz, gradGrad: false);
        yield return new OpInfo
        {
            Name = "Where",
            Op = x => Tensor.Where(x[0], x[1], x[2]),
            Samples = () =>
            [
                S("same shape", R(3, 4).Gt(0), R(3, 4), R(3, 4)),
                S("broadcast cond [4], x [3,4], y []", R(4).Gt(0), R(3, 4), R()),
            ],
            Reference = x => Nd.Zip3(x[0], x[1], x[2], (c, a, b) => c != 0 ? a : b),
            Errors = () => [new ErrorInput(() => Tensor.Where(R(3), R(3), R(3)), "Where", "condition must be Bool")],
        };
        yield return new OpInfo
        {
            Name = "MaskedFill",
            Op = x => x[0].MaskedFill(x[1], -2.5),
            Samples = () => [S("mask same shape", R(3, 4), R(3, 4).Gt(0)), S("mask broadcast [4]", R(3, 4), R(4).Gt(0))],
            Reference = x => Nd.Zip(x[0], x[1], (a, m) => m != 0 ? -2.5 : a),
            InPlace = x => x[0].MaskedFill_(x[1], -2.5),
            Errors = () =>
            [
                new ErrorInput(() => R(3, 4).MaskedFill(R(3, 4), 1), "MaskedFill", "mask must be Bool"),
                new ErrorInput(() => R(4).MaskedFill(R(3, 4).Gt(0), 1), "MaskedFill", "mask larger than self"),
            ],
        };
        yield return new OpInfo
        {
            Name = "Lerp",
            Op = x => x[0].Lerp(x[1], x[2]),
            Samples = () => [S("same shape", R(3, 4), R(3, 4), R(3, 4)), S("broadcast weight", R(3, 4), R(3, 4), R(4))],
            Reference = x => Nd.Zip3(x[0], x[1], x[2], (a, b, w) => a + w * (b - a)),
        };
    }
}

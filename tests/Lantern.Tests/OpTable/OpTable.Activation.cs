using Lantern.NN;

namespace Lantern.Tests.OpTable;

// Rows for the activation functions (F.Activation.cs). Samples avoid the kinks (their one-sided derivatives
// are asserted in NN/ActivationTests); references are the textbook formulas in float64.
public static partial class Ops
{
    private static double Softplus1(double v) => Math.Log(1 + Math.Exp(v));

    private static OpInfo Act(string name, Func<Tensor, Tensor> f, Func<double, double> reference, Func<Tensor>? sample = null, string? variant = null,
        double atol32 = 1e-5, double rtol32 = 1e-5) => new()
    {
        Name = name,
        Variant = variant,
        Op = x => f(x[0]),
        Samples = () => sample is null ? [S("[3,4]", NonZero(3, 4)), S("[2,3,4]", NonZero(2, 3, 4).Mul(2)), S("0-dim", NonZero())] : [S("sample", sample()), S("0-dim", NonZero())],
        Reference = x => x[0].Map(reference),
        Atol32 = atol32,
        Rtol32 = rtol32,
    };

    [OpFamily]
    private static IEnumerable<OpInfo> Activation()
    {
        yield return Act("F.Sigmoid", F.Sigmoid, v => 1 / (1 + Math.Exp(-v)));
        yield return Act("F.Tanh", F.Tanh, Math.Tanh);
        yield return Act("F.Relu6", F.Relu6, v => Math.Min(Math.Max(v, 0), 6), () => NonZero(4, 5).Mul(4));
        yield return Act("F.Hardtanh", x => F.Hardtanh(x), v => Math.Min(Math.Max(v, -1), 1), () => NonZero(4, 5).Mul(1.5)) with
        {
            Errors = () => [new ErrorInput(() => F.Hardtanh(R(2), 1, -1), "Hardtanh", "min > max")],
        };
        yield return Act("F.Hardtanh", x => F.Hardtanh(x, -2, 0.5), v => Math.Min(Math.Max(v, -2), 0.5), () => NonZero(4, 5).Mul(1.5), "(-2, 0.5)");
        yield return Act("F.LeakyRelu", x => F.LeakyRelu(x), v => v > 0 ? v : 0.01 * v);
        yield return Act("F.LeakyRelu", x => F.LeakyRelu(x, 0.2), v => v > 0 ? v : 0.2 * v, variant: "slope 0.2");
        yield return Act("F.Softplus", x => F.Softplus(x), Softplus1, () => R(4, 5).Mul(3));
        yield return Act("F.Softplus", x => F.Softplus(x, 2, 3), v => 2 * v > 3 ? v : Softplus1(2 * v) / 2, () => R(4, 5).Mul(2), "beta 2 threshold 3") with
        {
            Errors = () => [new ErrorInput(() => F.Softplus(R(2), 0), "Softplus", "beta 0")],
        };
        yield return Act("F.Elu", x => F.Elu(x), v => v > 0 ? v : Math.Exp(v) - 1);
        yield return Act("F.Elu", x => F.Elu(x, 0.5), v => v > 0 ? v : 0.5 * (Math.Exp(v) - 1), variant: "alpha 0.5");
        yield return Act("F.Selu", F.Selu, v => F.SeluScale * (v > 0 ? v : F.SeluAlpha * (Math.Exp(v) - 1)));
        yield return Act("F.Celu", x => F.Celu(x, 2), v => Math.Max(0, v) + Math.Min(0, 2 * (Math.Exp(v / 2) - 1))) with
        {
            Errors = () => [new ErrorInput(() => F.Celu(R(2), 0), "Celu", "alpha 0")],
        };
        yield return Act("F.Silu", F.Silu, v => v / (1 + Math.Exp(-v)), () => R(4, 5).Mul(3));
        yield return Act("F.Mish", F.Mish, v => v * Math.Tanh(Softplus1(v)), () => R(4, 5).Mul(3));
        yield return Act("F.Hardswish", F.Hardswish, v => v <= -3 ? 0 : v >= 3 ? v : v * (v + 3) / 6, () => NonZero(4, 5).Mul(2.5));
        yield return Act("F.Hardsigmoid", F.Hardsigmoid, v => v <= -3 ? 0 : v >= 3 ? 1 : v / 6 + 0.5, () => NonZero(4, 5).Mul(2.5));
        yield return Act("F.Softsign", F.Softsign, v => v / (1 + Math.Abs(v)));
        yield return Act("F.Tanhshrink", F.Tanhshrink, v => v - Math.Tanh(v));
        yield return Act("F.Threshold", x => F.Threshold(x, 0.1, 20), v => v > 0.1 ? v : 20, () => NonZero(4, 5));
        yield return new OpInfo
        {
            Name = "F.Prelu",
            Op = x => F.Prelu(x[0], x[1]),
            Samples = () => [S("[2,3,4] per channel", NonZero(2, 3, 4), U(0.1, 0.5, 3)), S("[4,3] per channel", NonZero(4, 3), U(0.1, 0.5, 3))],
            Reference = x => new Nd(x[0].Shape, x[0].Data.Select((v, i) => v > 0 ? v : x[1].Data[x[0].Unravel(i)[1]] * v).ToArray()),
            Errors = () => [new ErrorInput(() => F.Prelu(R(2, 4, 3), R(3)), "Prelu", "channel mismatch"),
                            new ErrorInput(() => F.Prelu(R(3), R(3)), "Prelu", "1-D input with several weights"),
                            new ErrorInput(() => F.Prelu(R(2, 3), R(3, 1)), "Prelu", "2-D weight")],
        };
        yield return new OpInfo
        {
            Name = "F.Prelu",
            Variant = "shared weight",
            Op = x => F.Prelu(x[0], x[1]),
            Samples = () => [S("[2,3,4] one weight", NonZero(2, 3, 4), U(0.1, 0.5, 1)), S("0-dim", NonZero(), U(0.1, 0.5, 1))],
            Reference = x => x[0].Map(v => v > 0 ? v : x[1].Data[0] * v),
        };
        yield return new OpInfo
        {
            Name = "F.Glu",
            Op = x => F.Glu(x[0]),
            Samples = () => [S("[3,4]", R(3, 4)), S("[2,3,6]", R(2, 3, 6))],
            Reference = x =>
            {
                int last = x[0].Shape[^1], half = last / 2;
                var shape = (int[])x[0].Shape.Clone();
                shape[^1] = half;
                var r = new Nd(shape);
                for (int i = 0; i < r.Data.Length; i++)
                {
                    int row = i / half, j = i % half;
                    double a = x[0].Data[row * last + j], b = x[0].Data[row * last + half + j];
                    r.Data[i] = a / (1 + Math.Exp(-b));
                }
                return r;
            },
            Errors = () => [new ErrorInput(() => F.Glu(R(3, 5)), "Glu", "odd size"), new ErrorInput(() => F.Glu(R()), "Glu", "0-dim")],
        };
        yield return new OpInfo
        {
            Name = "F.Glu",
            Variant = "dim 0",
            Op = x => F.Glu(x[0], 0),
            Samples = () => [S("[4,3]", R(4, 3))],
            Reference = x =>
            {
                var r = new Nd([2, 3]);
                for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) r[i, j] = x[0][i, j] / (1 + Math.Exp(-x[0][i + 2, j]));
                return r;
            },
        };
    }
}

using Lantern.Kernels;

namespace Lantern;

// Unary math: each op is one line of forward (a kernel) and one line of backward. Floating ops on integer
// inputs compute in float32, like PyTorch.
public sealed partial class Tensor
{
    /// <summary>Runs a unary kernel and records <paramref name="backward"/>(g, x, y) as the gradient of x.</summary>
    private Tensor Unary(UnaryOp op, string name, bool floating, Func<Tensor, Tensor, Tensor, Tensor>? backward,
        bool saveX = false, bool saveY = false, double p0 = 0, double p1 = 0, double p2 = 0)
    {
        var x = floating ? AsFloating() : this;
        var y = UnaryForward(op, x, p0, p1, p2);
        if (backward is null || !Autograd.NeedsGrad(x)) return y;
        Tensor[] saved = saveX && saveY ? [x, y] : saveX ? [x] : saveY ? [y] : [];
        return Autograd.Record(y, name, [x], g => [backward(g, x, y)], saved);
    }

    /// <summary>In-place unary: written straight into this tensor when it is floating (or the op keeps integer dtypes).</summary>
    private Tensor UnaryInPlace(UnaryOp op, string name, Func<Tensor, Tensor> outOfPlace, bool floating, double p0 = 0, double p1 = 0, double p2 = 0) =>
        InPlace(name, outOfPlace, null, floating && !DType.IsFloatingPoint() ? null : () =>
        {
            UnaryForward(op, this, p0, p1, p2, dst: this);
            return true;
        });

    private static Tensor Zero(Tensor g, Tensor x, Tensor y) => ZerosLike(g);

    /// <summary>-x.</summary>
    /// <exception cref="InvalidOperationException">Bool input.</exception>
    [Differentiable]
    public Tensor Neg()
    {
        if (DType == DType.Bool) throw new InvalidOperationException("Neg: negation, the `-` operator, on a bool tensor is not supported. Use the `~` or LogicalNot() operator instead.");
        return Unary(UnaryOp.Neg, "Neg", false, (g, x, y) => g.Neg());
    }

    /// <summary>In-place -x.</summary>
    public Tensor Neg_() => UnaryInPlace(UnaryOp.Neg, "Neg_", t => t.Neg(), false);

    /// <summary>1 / x; d = -g * y^2.</summary>
    [Differentiable]
    public Tensor Reciprocal() => Unary(UnaryOp.Reciprocal, "Reciprocal", true, (g, x, y) => g.Neg().Mul(y).Mul(y), saveY: true);

    /// <summary>In-place 1 / x.</summary>
    public Tensor Reciprocal_() => UnaryInPlace(UnaryOp.Reciprocal, "Reciprocal_", t => t.Reciprocal(), true);

    /// <summary>e^x; d = g * y.</summary>
    [Differentiable]
    public Tensor Exp() => Unary(UnaryOp.Exp, "Exp", true, (g, x, y) => g.Mul(y), saveY: true);

    /// <summary>In-place e^x.</summary>
    public Tensor Exp_() => UnaryInPlace(UnaryOp.Exp, "Exp_", t => t.Exp(), true);

    /// <summary>2^x; d = g * y * ln 2.</summary>
    [Differentiable]
    public Tensor Exp2() => Unary(UnaryOp.Exp2, "Exp2", true, (g, x, y) => g.Mul(y).Mul(Math.Log(2)), saveY: true);

    /// <summary>e^x - 1; d = g * (y + 1).</summary>
    [Differentiable]
    public Tensor Expm1() => Unary(UnaryOp.Expm1, "Expm1", true, (g, x, y) => g.Mul(y.Add(1)), saveY: true);

    /// <summary>ln x; d = g / x.</summary>
    [Differentiable]
    public Tensor Log() => Unary(UnaryOp.Log, "Log", true, (g, x, y) => g.Div(x), saveX: true);

    /// <summary>In-place ln x.</summary>
    public Tensor Log_() => UnaryInPlace(UnaryOp.Log, "Log_", t => t.Log(), true);

    /// <summary>log2 x; d = g / (x ln 2).</summary>
    [Differentiable]
    public Tensor Log2() => Unary(UnaryOp.Log2, "Log2", true, (g, x, y) => g.Div(x.Mul(Math.Log(2))), saveX: true);

    /// <summary>ln(1 + x); d = g / (1 + x).</summary>
    [Differentiable]
    public Tensor Log1p() => Unary(UnaryOp.Log1p, "Log1p", true, (g, x, y) => g.Div(x.Add(1)), saveX: true);

    /// <summary>sqrt x; d = g / (2 y).</summary>
    [Differentiable]
    public Tensor Sqrt() => Unary(UnaryOp.Sqrt, "Sqrt", true, (g, x, y) => g.Div(y.Mul(2)), saveY: true);

    /// <summary>In-place sqrt.</summary>
    public Tensor Sqrt_() => UnaryInPlace(UnaryOp.Sqrt, "Sqrt_", t => t.Sqrt(), true);

    /// <summary>1 / sqrt x; d = -g * y^3 / 2.</summary>
    [Differentiable]
    public Tensor Rsqrt() => Unary(UnaryOp.Rsqrt, "Rsqrt", true, (g, x, y) => g.Mul(y.Pow(3)).Mul(-0.5), saveY: true);

    /// <summary>|x|; d = g * sign(x).</summary>
    [Differentiable]
    public Tensor Abs() => Unary(UnaryOp.Abs, "Abs", false, (g, x, y) => g.Mul(x.Sign()), saveX: true);

    /// <summary>In-place |x|.</summary>
    public Tensor Abs_() => UnaryInPlace(UnaryOp.Abs, "Abs_", t => t.Abs(), false);

    /// <summary>sign(x) in {-1, 0, 1} (0 for NaN, as PyTorch); zero gradient.</summary>
    [Differentiable]
    public Tensor Sign() => DType == DType.Bool ? Clone() : Unary(UnaryOp.Sign, "Sign", false, Zero);

    /// <summary>sin x; d = g cos x.</summary>
    [Differentiable]
    public Tensor Sin() => Unary(UnaryOp.Sin, "Sin", true, (g, x, y) => g.Mul(x.Cos()), saveX: true);

    /// <summary>cos x; d = -g sin x.</summary>
    [Differentiable]
    public Tensor Cos() => Unary(UnaryOp.Cos, "Cos", true, (g, x, y) => g.Mul(x.Sin()).Neg(), saveX: true);

    /// <summary>tan x; d = g (1 + y^2).</summary>
    [Differentiable]
    public Tensor Tan() => Unary(UnaryOp.Tan, "Tan", true, (g, x, y) => g.Mul(y.Mul(y).Add(1)), saveY: true);

    /// <summary>tanh x; d = g (1 - y^2).</summary>
    [Differentiable]
    public Tensor Tanh() => Unary(UnaryOp.Tanh, "Tanh", true, (g, x, y) => g.Mul(Wrap(1).Sub(y.Mul(y))), saveY: true);

    /// <summary>In-place tanh.</summary>
    public Tensor Tanh_() => UnaryInPlace(UnaryOp.Tanh, "Tanh_", t => t.Tanh(), true);

    /// <summary>1 / (1 + e^-x); d = g y (1 - y).</summary>
    [Differentiable]
    public Tensor Sigmoid() => Unary(UnaryOp.Sigmoid, "Sigmoid", true, (g, x, y) => g.Mul(y).Mul(Wrap(1).Sub(y)), saveY: true);

    /// <summary>In-place sigmoid.</summary>
    public Tensor Sigmoid_() => UnaryInPlace(UnaryOp.Sigmoid, "Sigmoid_", t => t.Sigmoid(), true);

    /// <summary>Gauss error function; d = g * 2/sqrt(pi) * e^(-x^2).</summary>
    [Differentiable]
    public Tensor Erf() => Unary(UnaryOp.Erf, "Erf", true, (g, x, y) => g.Mul(x.Mul(x).Neg().Exp()).Mul(2 / Math.Sqrt(Math.PI)), saveX: true);

    /// <summary>max(x, 0); d = g where y &gt; 0 (one fused pass; a differentiable mask when double backward is recorded).</summary>
    [Differentiable]
    public Tensor Relu() => Unary(UnaryOp.Relu, "Relu", false, (g, x, y) =>
        Autograd.IsGradEnabled ? g.MaskedFill(y.Le(0), 0) : ActivationBackward(ActivationOp.Relu, g, y), saveY: true);

    /// <summary>In-place relu.</summary>
    public Tensor Relu_() => UnaryInPlace(UnaryOp.Relu, "Relu_", t => t.Relu(), false);

    /// <summary>x * x; d = 2 g x.</summary>
    [Differentiable]
    public Tensor Square() => Unary(UnaryOp.Square, "Square", false, (g, x, y) => g.Mul(x).Mul(2), saveX: true);

    /// <summary>Round down; zero gradient.</summary>
    [Differentiable]
    public Tensor Floor() => Unary(UnaryOp.Floor, "Floor", false, Zero);

    /// <summary>Round up; zero gradient.</summary>
    [Differentiable]
    public Tensor Ceil() => Unary(UnaryOp.Ceil, "Ceil", false, Zero);

    /// <summary>Round half to even (torch.round); zero gradient.</summary>
    [Differentiable]
    public Tensor Round() => Unary(UnaryOp.Round, "Round", false, Zero);

    /// <summary>Round toward zero; zero gradient.</summary>
    [Differentiable]
    public Tensor Trunc() => Unary(UnaryOp.Trunc, "Trunc", false, Zero);

    /// <summary>
    /// torch.clamp(min, max): min(max(x, min), max); either bound may be omitted; NaN stays NaN. The gradient
    /// passes where min &lt;= x &lt;= max.
    /// </summary>
    /// <exception cref="ArgumentException">Both bounds omitted.</exception>
    [Differentiable]
    public Tensor Clamp(double? min = null, double? max = null)
    {
        if (min is null && max is null) throw new ArgumentException("Clamp: at least one of 'min' or 'max' must not be null.");
        if (min is { } lo && max is { } hi)
            return Unary(UnaryOp.Clamp, "Clamp", false, (g, x, y) => g.MaskedFill(x.Lt(lo).LogicalOr(x.Gt(hi)), 0), saveX: true, p0: lo, p1: hi);
        if (min is { } l)
            return Unary(UnaryOp.ClampMin, "Clamp", false, (g, x, y) => g.MaskedFill(x.Lt(l), 0), saveX: true, p0: l);
        double m = max!.Value;
        return Unary(UnaryOp.ClampMax, "Clamp", false, (g, x, y) => g.MaskedFill(x.Gt(m), 0), saveX: true, p0: m);
    }

    /// <summary>In-place clamp.</summary>
    public Tensor Clamp_(double? min = null, double? max = null) => InPlace("Clamp_", t => t.Clamp(min, max));

    /// <summary>
    /// torch.nan_to_num: NaN -> nan, +inf -> posinf (default: largest finite), -inf -> neginf (default: lowest
    /// finite). The gradient passes where x is finite.
    /// </summary>
    [Differentiable]
    public Tensor NanToNum(double nan = 0, double? posinf = null, double? neginf = null)
    {
        if (!DType.IsFloatingPoint()) return Clone();
        double big = DType == DType.Float32 ? float.MaxValue : double.MaxValue;
        return Unary(UnaryOp.NanToNum, "NanToNum", false, (g, x, y) => g.MaskedFill(x.IsFinite().LogicalNot(), 0), saveX: true,
            p0: nan, p1: posinf ?? big, p2: neginf ?? -big);
    }
}

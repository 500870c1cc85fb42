using Lantern.Kernels;

namespace Lantern;

// Binary arithmetic with broadcasting and type promotion: Add, Sub, Mul, Div, Pow, Maximum, Minimum,
// Remainder, Fmod, their in-place forms and the C# operators. Backward rules sit beside each forward.
public sealed partial class Tensor
{
    /// <summary>Writes op(this, other) straight into this tensor when no promotion, broadcast or aliasing is involved.</summary>
    private bool DirectBinary(BinaryOp op, Tensor other, string name)
    {
        if (ResultType(this, other) != DType) return false;
        if (other.SharesStorageWith(this) && other._layout != _layout) return false;
        if (Shape.Broadcast(Shape, other.Shape, name) != Shape) return false;
        BinaryForward(op, this, other, DType, name, dst: this);
        return true;
    }

    private static void CheckBoolArithmetic(Tensor a, Tensor b, string name, string advice)
    {
        if (a.DType == DType.Bool && b.DType == DType.Bool)
            throw new InvalidOperationException($"{name}: {advice}");
    }

    /// <summary>torch.add: this + alpha * other, broadcast and promoted.</summary>
    /// <exception cref="ArgumentException">Shapes not broadcastable (message names both), or a floating alpha with integral inputs.</exception>
    [Differentiable]
    public Tensor Add(Tensor other, Number? alpha = null)
    {
        if (alpha is { } al && !(al.Kind != NumberKind.Floating && al.ToLong() == 1))
        {
            if (al.IsFloating && !ResultType(this, other).IsFloatingPoint())
                throw new ArgumentException($"Add: for integral input tensors, argument alpha must not be a floating point number (alpha={al}).");
            other = other.Mul(al);
        }
        var y = BinaryForward(BinaryOp.Add, this, other, ResultType(this, other), "Add");
        return Autograd.Record(y, "Add", [this, other], g => [g, g]);
    }

    /// <summary>this + alpha * other for a scalar other.</summary>
    public Tensor Add(Number other, Number? alpha = null) => Add(Wrap(other), alpha);

    /// <summary>In-place <see cref="Add(Tensor, Number?)"/>.</summary>
    public Tensor Add_(Tensor other, Number? alpha = null) =>
        InPlace("Add_", t => t.Add(other, alpha), other, alpha is null ? () => DirectBinary(BinaryOp.Add, other, "Add_") : null);

    /// <summary>In-place scalar add.</summary>
    public Tensor Add_(Number other, Number? alpha = null) => Add_(Wrap(other), alpha);

    /// <summary>torch.sub: this - alpha * other.</summary>
    [Differentiable]
    public Tensor Sub(Tensor other, Number? alpha = null)
    {
        CheckBoolArithmetic(this, other, "Sub", "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or LogicalXor() operator instead.");
        if (alpha is { } al && !(al.Kind != NumberKind.Floating && al.ToLong() == 1)) other = other.Mul(al);
        var y = BinaryForward(BinaryOp.Sub, this, other, ResultType(this, other), "Sub");
        return Autograd.Record(y, "Sub", [this, other], g => [g, g.Neg()]);
    }

    /// <summary>this - alpha * other for a scalar other.</summary>
    public Tensor Sub(Number other, Number? alpha = null) => Sub(Wrap(other), alpha);

    /// <summary>In-place <see cref="Sub(Tensor, Number?)"/>.</summary>
    public Tensor Sub_(Tensor other, Number? alpha = null) =>
        InPlace("Sub_", t => t.Sub(other, alpha), other, alpha is null ? () => DirectBinary(BinaryOp.Sub, other, "Sub_") : null);

    /// <summary>In-place scalar sub.</summary>
    public Tensor Sub_(Number other, Number? alpha = null) => Sub_(Wrap(other), alpha);

    /// <summary>torch.mul: elementwise product.</summary>
    [Differentiable]
    public Tensor Mul(Tensor other)
    {
        var y = BinaryForward(BinaryOp.Mul, this, other, ResultType(this, other), "Mul");
        var a = this;
        return Autograd.Record(y, "Mul", [a, other], g => [g.Mul(other), g.Mul(a)], a, other);
    }

    /// <summary>Product with a scalar.</summary>
    public Tensor Mul(Number other) => Mul(Wrap(other));

    /// <summary>In-place product.</summary>
    public Tensor Mul_(Tensor other) => InPlace("Mul_", t => t.Mul(other), other, () => DirectBinary(BinaryOp.Mul, other, "Mul_"));

    /// <summary>In-place scalar product.</summary>
    public Tensor Mul_(Number other) => Mul_(Wrap(other));

    /// <summary>
    /// torch.div: true division (integer inputs give float32) or, with roundingMode "trunc" / "floor", rounded
    /// division that keeps integer dtypes. Rounded division has zero gradient.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown rounding mode.</exception>
    /// <exception cref="DivideByZeroException">Integer rounded division by zero.</exception>
    [Differentiable]
    public Tensor Div(Tensor other, string? roundingMode = null)
    {
        var dt = ResultType(this, other);
        if (roundingMode is null)
        {
            if (!dt.IsFloatingPoint()) dt = DTypes.DefaultFloat;
            var y = BinaryForward(BinaryOp.Div, this, other, dt, "Div");
            var a = this;
            return Autograd.Record(y, "Div", [a, other], g => [g.Div(other), g.Neg().Mul(a).Div(other.Mul(other))], a, other);
        }
        var op = roundingMode switch
        {
            "trunc" => BinaryOp.TruncDiv,
            "floor" => BinaryOp.FloorDiv,
            _ => throw new ArgumentException($"Div: expected roundingMode to be null, 'trunc', or 'floor' but found '{roundingMode}'."),
        };
        if (dt == DType.Bool) dt = DType.Int64;
        if (!dt.IsFloatingPoint() && other.Eq(0).Any().Item<bool>())
            throw new DivideByZeroException($"Div: integer division by zero (roundingMode '{roundingMode}', divisor shape {other.Shape}).");
        var r = BinaryForward(op, this, other, dt, "Div");
        if (!dt.IsFloatingPoint()) return r;
        return Autograd.Record(r, "Div", [this, other], g => [ZerosLike(g), ZerosLike(g)]);
    }

    /// <summary>Division by a scalar.</summary>
    public Tensor Div(Number other, string? roundingMode = null) => Div(Wrap(other), roundingMode);

    /// <summary>In-place division.</summary>
    public Tensor Div_(Tensor other, string? roundingMode = null) =>
        InPlace("Div_", t => t.Div(other, roundingMode), other,
            roundingMode is null && DType.IsFloatingPoint() ? () => DirectBinary(BinaryOp.Div, other, "Div_") : null);

    /// <summary>In-place division by a scalar.</summary>
    public Tensor Div_(Number other, string? roundingMode = null) => Div_(Wrap(other), roundingMode);

    /// <summary>torch.pow(self, exponent) for a tensor exponent; d/dself is 0 where exponent is 0, d/dexponent is 0 where self is 0 and exponent &gt;= 0.</summary>
    [Differentiable]
    public Tensor Pow(Tensor exponent)
    {
        var dt = ResultType(this, exponent);
        if (!dt.IsFloatingPoint() && exponent.DType != DType.Bool && exponent.Lt(0).Any().Item<bool>())
            throw new ArgumentException("Pow: integers to negative integer powers are not allowed.");
        var y = BinaryForward(BinaryOp.Pow, this, exponent, dt == DType.Bool ? DType.Int64 : dt, "Pow");
        var a = this;
        return Autograd.Record(y, "Pow", [a, exponent], g =>
        [
            Where(exponent.Eq(0), ZerosLike(g), g.Mul(exponent).Mul(a.Pow(exponent.Sub(1)))),
            Where(a.Eq(0).LogicalAnd(exponent.Ge(0)), ZerosLike(g), g.Mul(y).Mul(a.Log())),
        ], a, exponent, y);
    }

    /// <summary>torch.pow(self, p) for a scalar exponent (x*x for 2).</summary>
    [Differentiable]
    public Tensor Pow(Number exponent)
    {
        var dt = ResultType(this, Wrap(exponent));
        if (!dt.IsFloatingPoint() && exponent.Kind == NumberKind.Integer && exponent.ToLong() < 0)
            throw new ArgumentException($"Pow: integers to negative integer powers are not allowed (exponent {exponent}).");
        if (!dt.IsFloatingPoint()) return Pow(Wrap(exponent));
        var x = DType == dt ? this : To(dt);
        double p = exponent.ToDouble();
        var y = p == 2 ? UnaryForward(UnaryOp.Square, x) : UnaryForward(UnaryOp.PowScalar, x, p);
        return Autograd.Record(y, "PowScalar", [x], g => [p == 0 ? ZerosLike(g) : g.Mul(p).Mul(p == 2 ? x : x.Pow(p - 1))], x);
    }

    /// <summary>torch.pow(base, exponent) for a scalar base.</summary>
    [Differentiable]
    public static Tensor Pow(Number @base, Tensor exponent)
    {
        var dt = ResultType(Wrap(@base), exponent);
        if (!dt.IsFloatingPoint()) return Full(exponent.Shape, @base, exponent.DType).Pow(exponent);
        var x = exponent.DType == dt ? exponent : exponent.To(dt);
        double b = @base.ToDouble();
        var y = UnaryForward(UnaryOp.ScalarPow, x, b);
        return Autograd.Record(y, "ScalarPow", [x], g =>
            [b == 0 ? Where(x.Ge(0), ZerosLike(g), g.Mul(y).Mul(Math.Log(b))) : g.Mul(y).Mul(Math.Log(b))], y);
    }

    /// <summary>In-place power.</summary>
    public Tensor Pow_(Tensor exponent) => InPlace("Pow_", t => t.Pow(exponent), exponent);

    /// <summary>In-place scalar power.</summary>
    public Tensor Pow_(Number exponent) => InPlace("Pow_", t => t.Pow(exponent));

    /// <summary>torch.maximum: elementwise max, NaN-propagating; ties split the gradient in half.</summary>
    [Differentiable]
    public Tensor Maximum(Tensor other)
    {
        var y = BinaryForward(BinaryOp.Maximum, this, other, ResultType(this, other), "Maximum");
        var a = this;
        return Autograd.Record(y, "Maximum", [a, other], g =>
        {
            var half = Where(a.Eq(other), g.Div(2), g);
            return [half.MaskedFill(a.Lt(other), 0), half.MaskedFill(a.Gt(other), 0)];
        }, a, other);
    }

    /// <summary>torch.minimum: elementwise min, NaN-propagating; ties split the gradient in half.</summary>
    [Differentiable]
    public Tensor Minimum(Tensor other)
    {
        var y = BinaryForward(BinaryOp.Minimum, this, other, ResultType(this, other), "Minimum");
        var a = this;
        return Autograd.Record(y, "Minimum", [a, other], g =>
        {
            var half = Where(a.Eq(other), g.Div(2), g);
            return [half.MaskedFill(a.Gt(other), 0), half.MaskedFill(a.Lt(other), 0)];
        }, a, other);
    }

    /// <summary>torch.remainder: Python modulus (result has the sign of other); d/dother = -floor(self / other).</summary>
    [Differentiable]
    public Tensor Remainder(Tensor other)
    {
        var y = BinaryForward(BinaryOp.Remainder, this, other, ResultType(this, other), "Remainder");
        var a = this;
        return Autograd.Record(y, "Remainder", [a, other], g => [g, g.Neg().Mul(a.Div(other, "floor"))], a, other);
    }

    /// <summary>Remainder by a scalar.</summary>
    public Tensor Remainder(Number other) => Remainder(Wrap(other));

    /// <summary>torch.fmod: C fmod (result has the sign of self); d/dother = -trunc(self / other).</summary>
    [Differentiable]
    public Tensor Fmod(Tensor other)
    {
        var y = BinaryForward(BinaryOp.Fmod, this, other, ResultType(this, other), "Fmod");
        var a = this;
        return Autograd.Record(y, "Fmod", [a, other], g => [g, g.Neg().Mul(a.Div(other, "trunc"))], a, other);
    }

    /// <summary>Fmod by a scalar.</summary>
    public Tensor Fmod(Number other) => Fmod(Wrap(other));

    /// <summary>Elementwise sum.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);
    /// <summary>Tensor plus scalar.</summary>
    public static Tensor operator +(Tensor a, Number b) => a.Add(b);
    /// <summary>Scalar plus tensor.</summary>
    public static Tensor operator +(Number a, Tensor b) => Wrap(a).Add(b);
    /// <summary>Elementwise difference.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);
    /// <summary>Tensor minus scalar.</summary>
    public static Tensor operator -(Tensor a, Number b) => a.Sub(b);
    /// <summary>Scalar minus tensor.</summary>
    public static Tensor operator -(Number a, Tensor b) => Wrap(a).Sub(b);
    /// <summary>Elementwise product.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);
    /// <summary>Tensor times scalar.</summary>
    public static Tensor operator *(Tensor a, Number b) => a.Mul(b);
    /// <summary>Scalar times tensor.</summary>
    public static Tensor operator *(Number a, Tensor b) => Wrap(a).Mul(b);
    /// <summary>Elementwise true division.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);
    /// <summary>Tensor over scalar.</summary>
    public static Tensor operator /(Tensor a, Number b) => a.Div(b);
    /// <summary>Scalar over tensor.</summary>
    public static Tensor operator /(Number a, Tensor b) => Wrap(a).Div(b);
    /// <summary>Negation.</summary>
    public static Tensor operator -(Tensor a) => a.Neg();
}

using Lantern.Kernels;

namespace Lantern;

// Comparisons, logical ops, predicates, Where, MaskedFill, Lerp. Comparisons and predicates are not
// differentiable (Bool results); Where, MaskedFill and Lerp are.
public sealed partial class Tensor
{
    private Tensor CompareWith(CompareOp op, Tensor other, string name)
    {
        var shape = Shape.Broadcast(Shape, other.Shape, name);
        var dt = ResultType(this, other);
        var a = ToNoGrad(dt);
        var b = other.ToNoGrad(dt);
        var r = Uninitialized(shape, DType.Bool);
        Backend.Compare(op, a.Buffer, a._layout.Expand(shape.Raw), b.Buffer, b._layout.Expand(shape.Raw), r.Buffer, r._layout);
        return r;
    }

    /// <summary>Elementwise ==, broadcast and promoted (Bool result).</summary>
    public Tensor Eq(Tensor other) => CompareWith(CompareOp.Eq, other, "Eq");
    /// <summary>Elementwise == scalar.</summary>
    public Tensor Eq(Number other) => Eq(Wrap(other));
    /// <summary>Elementwise !=.</summary>
    public Tensor Ne(Tensor other) => CompareWith(CompareOp.Ne, other, "Ne");
    /// <summary>Elementwise != scalar.</summary>
    public Tensor Ne(Number other) => Ne(Wrap(other));
    /// <summary>Elementwise &lt;.</summary>
    public Tensor Lt(Tensor other) => CompareWith(CompareOp.Lt, other, "Lt");
    /// <summary>Elementwise &lt; scalar.</summary>
    public Tensor Lt(Number other) => Lt(Wrap(other));
    /// <summary>Elementwise &lt;=.</summary>
    public Tensor Le(Tensor other) => CompareWith(CompareOp.Le, other, "Le");
    /// <summary>Elementwise &lt;= scalar.</summary>
    public Tensor Le(Number other) => Le(Wrap(other));
    /// <summary>Elementwise &gt;.</summary>
    public Tensor Gt(Tensor other) => CompareWith(CompareOp.Gt, other, "Gt");
    /// <summary>Elementwise &gt; scalar.</summary>
    public Tensor Gt(Number other) => Gt(Wrap(other));
    /// <summary>Elementwise &gt;=.</summary>
    public Tensor Ge(Tensor other) => CompareWith(CompareOp.Ge, other, "Ge");
    /// <summary>Elementwise &gt;= scalar.</summary>
    public Tensor Ge(Number other) => Ge(Wrap(other));

    /// <summary>Elementwise &lt; (Bool tensor).</summary>
    public static Tensor operator <(Tensor a, Tensor b) => a.Lt(b);
    /// <summary>Elementwise &gt; (Bool tensor).</summary>
    public static Tensor operator >(Tensor a, Tensor b) => a.Gt(b);
    /// <summary>Elementwise &lt;= (Bool tensor).</summary>
    public static Tensor operator <=(Tensor a, Tensor b) => a.Le(b);
    /// <summary>Elementwise &gt;= (Bool tensor).</summary>
    public static Tensor operator >=(Tensor a, Tensor b) => a.Ge(b);
    /// <summary>Elementwise &lt; scalar.</summary>
    public static Tensor operator <(Tensor a, Number b) => a.Lt(b);
    /// <summary>Elementwise &gt; scalar.</summary>
    public static Tensor operator >(Tensor a, Number b) => a.Gt(b);
    /// <summary>Elementwise &lt;= scalar.</summary>
    public static Tensor operator <=(Tensor a, Number b) => a.Le(b);
    /// <summary>Elementwise &gt;= scalar.</summary>
    public static Tensor operator >=(Tensor a, Number b) => a.Ge(b);

    private Tensor Predicate(PredicateOp op)
    {
        var r = Uninitialized(Shape, DType.Bool);
        Backend.Predicate(op, Buffer, _layout, r.Buffer, r._layout);
        return r;
    }

    /// <summary>torch.isnan.</summary>
    public Tensor IsNan() => DType.IsFloatingPoint() ? Predicate(PredicateOp.IsNan) : Zeros(Shape, DType.Bool);
    /// <summary>torch.isinf.</summary>
    public Tensor IsInf() => DType.IsFloatingPoint() ? Predicate(PredicateOp.IsInf) : Zeros(Shape, DType.Bool);
    /// <summary>torch.isfinite.</summary>
    public Tensor IsFinite() => DType.IsFloatingPoint() ? Predicate(PredicateOp.IsFinite) : Ones(Shape, DType.Bool);

    private Tensor Logical(BinaryOp op, Tensor other, string name)
    {
        var a = DType == DType.Bool ? this : Predicate(PredicateOp.NonZero);
        var b = other.DType == DType.Bool ? other : other.Predicate(PredicateOp.NonZero);
        return BinaryForward(op, a, b, DType.Bool, name);
    }

    /// <summary>torch.logical_and: nonzero and nonzero (Bool result).</summary>
    public Tensor LogicalAnd(Tensor other) => Logical(BinaryOp.And, other, "LogicalAnd");
    /// <summary>torch.logical_or.</summary>
    public Tensor LogicalOr(Tensor other) => Logical(BinaryOp.Or, other, "LogicalOr");
    /// <summary>torch.logical_xor.</summary>
    public Tensor LogicalXor(Tensor other) => Logical(BinaryOp.Xor, other, "LogicalXor");
    /// <summary>torch.logical_not: x == 0 (Bool result).</summary>
    public Tensor LogicalNot() => Predicate(PredicateOp.Zero);

    private Tensor Bitwise(BinaryOp op, Tensor other, string name)
    {
        var dt = ResultType(this, other);
        if (dt.IsFloatingPoint()) throw new InvalidOperationException($"{name}: bitwise operations are not implemented for {dt} (shapes {Shape} and {other.Shape}).");
        return BinaryForward(op, this, other, dt, name);
    }

    /// <summary>Bitwise (or logical, for Bool) and.</summary>
    public static Tensor operator &(Tensor a, Tensor b) => a.Bitwise(BinaryOp.And, b, "BitwiseAnd");
    /// <summary>Bitwise (or logical, for Bool) or.</summary>
    public static Tensor operator |(Tensor a, Tensor b) => a.Bitwise(BinaryOp.Or, b, "BitwiseOr");
    /// <summary>Bitwise (or logical, for Bool) xor.</summary>
    public static Tensor operator ^(Tensor a, Tensor b) => a.Bitwise(BinaryOp.Xor, b, "BitwiseXor");
    /// <summary>Logical not of a Bool tensor.</summary>
    /// <exception cref="InvalidOperationException">Not a Bool tensor.</exception>
    public static Tensor operator !(Tensor a) => a.DType == DType.Bool ? a.LogicalNot() : throw new InvalidOperationException($"operator !: expected a Bool tensor, got {a.DType}.");

    /// <summary>
    /// torch.where(condition, input, other): input where condition, else other; all three broadcast together.
    /// Gradients flow to input where condition holds and to other elsewhere.
    /// </summary>
    /// <exception cref="ArgumentException">condition is not Bool, or the shapes do not broadcast.</exception>
    [Differentiable]
    public static Tensor Where(Tensor condition, Tensor input, Tensor other)
    {
        if (condition.DType != DType.Bool)
            throw new ArgumentException($"Where: expected condition to be a Bool tensor, got {condition.DType}.");
        var shape = Shape.Broadcast(Shape.Broadcast(condition.Shape, input.Shape, "Where"), other.Shape, "Where");
        var dt = ResultType(input, other);
        var a = input.ToNoGrad(dt);
        var b = other.ToNoGrad(dt);
        var r = Uninitialized(shape, dt);
        r.Backend.Where(condition.Buffer, condition._layout.Expand(shape.Raw), a.Buffer, a._layout.Expand(shape.Raw),
            b.Buffer, b._layout.Expand(shape.Raw), r.Buffer, r._layout);
        return Autograd.Record(r, "Where", [input, other], g =>
        {
            var zero = ZerosLike(g);
            return [Where(condition, g, zero), Where(condition, zero, g)];
        });
    }

    /// <summary>torch.where with a scalar for other.</summary>
    public static Tensor Where(Tensor condition, Tensor input, Number other) => Where(condition, input, Wrap(other));

    /// <summary>torch.where with a scalar for input.</summary>
    public static Tensor Where(Tensor condition, Number input, Tensor other) => Where(condition, Wrap(input), other);

    /// <summary>
    /// torch.Tensor.masked_fill(mask, value): value where mask (Bool, broadcastable to this shape), else this.
    /// The gradient is zero where filled.
    /// </summary>
    /// <exception cref="ArgumentException">mask is not Bool or does not broadcast to this tensor's shape.</exception>
    [Differentiable]
    public Tensor MaskedFill(Tensor mask, Number value)
    {
        if (mask.DType != DType.Bool) throw new ArgumentException($"MaskedFill: expected a Bool mask, got {mask.DType}.");
        if (Shape.Broadcast(Shape, mask.Shape, "MaskedFill") != Shape)
            throw new ArgumentException($"MaskedFill: mask of shape {mask.Shape} does not broadcast to the tensor's shape {Shape}.");
        var fill = Scalar(value, DType);
        var r = Uninitialized(Shape, DType);
        Backend.Where(mask.Buffer, mask._layout.Expand(Shape.Raw), fill.Buffer, fill._layout.Expand(Shape.Raw), Buffer, _layout, r.Buffer, r._layout);
        return Autograd.Record(r, "MaskedFill", [this], g => [g.MaskedFill(mask, 0)]);
    }

    /// <summary>In-place masked fill.</summary>
    public Tensor MaskedFill_(Tensor mask, Number value) => InPlace("MaskedFill_", t => t.MaskedFill(mask, value));

    /// <summary>torch.lerp(end, weight): this + weight * (end - this); gradients (1 - w) g, w g, (end - start) g.</summary>
    [Differentiable]
    public Tensor Lerp(Tensor end, Tensor weight)
    {
        Tensor y;
        using (Autograd.NoGrad()) y = Add(weight.Mul(end.Sub(this)));
        var start = this;
        return Autograd.Record(y, "Lerp", [start, end, weight], g =>
            [g.Mul(Wrap(1).Sub(weight)), g.Mul(weight), g.Mul(end.Sub(start))], start, end, weight);
    }

    /// <summary>torch.lerp with a scalar weight.</summary>
    public Tensor Lerp(Tensor end, double weight) => Lerp(end, Wrap(weight));
}

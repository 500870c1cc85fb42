using Lantern.Kernels;

namespace Lantern;

// Shared machinery of elementwise ops: PyTorch type promotion, broadcasting forward kernels, and the
// in-place protocol (version bump, leaf checks, history rebase, views of tensors in the graph).
public sealed partial class Tensor
{
    private bool _wrappedNumber; // a C# scalar operand: promotes like a Python number

    /// <summary>A 0-dim tensor standing for a C# number in an op (PyTorch's wrapped number).</summary>
    internal static Tensor Wrap(Number n)
    {
        var t = Scalar(n, n.Kind switch { NumberKind.Bool => DType.Bool, NumberKind.Integer => DType.Int64, _ => DType.Float64 });
        t._wrappedNumber = true;
        return t;
    }

    /// <summary>
    /// torch.result_type: dimensioned tensors outrank 0-dim tensors, which outrank C# numbers; a lower-ranked
    /// operand can raise the category (bool &lt; integer &lt; floating) but not the width within it.
    /// Floating numbers count as float32 (the default dtype).
    /// </summary>
    public static DType ResultType(params Tensor[] operands)
    {
        DType? dim = null, zero = null, wrapped = null;
        foreach (var t in operands)
        {
            var cur = t.DType;
            if (t._wrappedNumber)
            {
                if (cur.IsFloatingPoint()) cur = DTypes.DefaultFloat;
                wrapped = wrapped is { } w ? DTypes.Promote(w, cur) : cur;
            }
            else if (t.Rank == 0) zero = zero is { } z ? DTypes.Promote(z, cur) : cur;
            else dim = dim is { } d ? DTypes.Promote(d, cur) : cur;
        }
        return Combine(dim, Combine(zero, wrapped)) ?? DTypes.DefaultFloat;

        static DType? Combine(DType? higher, DType? lower)
        {
            if (higher is not { } h) return lower;
            if (h.IsFloatingPoint()) return h;
            if (h == DType.Bool || (lower is { } l && l.IsFloatingPoint())) return lower is { } l2 ? DTypes.Promote(h, l2) : h;
            return h;
        }
    }

    /// <summary>torch.can_cast(from, to): no floating -> integral and no non-bool -> bool.</summary>
    public static bool CanCast(DType from, DType to) =>
        !(from.IsFloatingPoint() && !to.IsFloatingPoint()) && !(from != DType.Bool && to == DType.Bool);

    /// <summary>
    /// out = op(a, b) with broadcasting, computed in <paramref name="dtype"/> (inputs cast as needed), no autograd.
    /// With <paramref name="dst"/> the result is written there (its shape must equal the broadcast shape).
    /// </summary>
    internal static Tensor BinaryForward(BinaryOp op, Tensor a, Tensor b, DType dtype, string name, Tensor? dst = null)
    {
        var shape = Shape.Broadcast(a.Shape, b.Shape, name);
        var ac = a.DType == dtype ? a : a.ToNoGrad(dtype);
        var bc = b.DType == dtype ? b : b.ToNoGrad(dtype);
        var la = ac._layout.Expand(shape.Raw);
        var lb = bc._layout.Expand(shape.Raw);
        var r = dst ?? Uninitialized(shape, dtype);
        r.Backend.Binary(op, ac.Buffer, la, bc.Buffer, lb, r.Buffer, r._layout);
        return r;
    }

    /// <summary>out = op(x) in x's dtype, no autograd; p0..p2 are the op's scalar arguments.</summary>
    internal static Tensor UnaryForward(UnaryOp op, Tensor x, double p0 = 0, double p1 = 0, double p2 = 0, Tensor? dst = null)
    {
        var r = dst ?? Uninitialized(x.Shape, x.DType);
        r.Backend.Unary(op, x.Buffer, x._layout, r.Buffer, r._layout, p0, p1, p2);
        return r;
    }

    /// <summary>A cast without recording (kernel-level helper).</summary>
    internal Tensor ToNoGrad(DType dtype)
    {
        if (dtype == DType) return this;
        var r = Uninitialized(Shape, dtype);
        Backend.Copy(Buffer, _layout, r.Buffer, r._layout);
        return r;
    }

    /// <summary>Floating ops on integer/bool inputs compute in the default float dtype, like PyTorch.</summary>
    internal Tensor AsFloating() => DType.IsFloatingPoint() ? this : To(DTypes.DefaultFloat);

    // ---- In-place protocol ----

    /// <summary>Refuses in-place writes PyTorch refuses: leaves (and views of leaves) that require grad, overlapping tensors.</summary>
    internal void CheckInPlace(string name)
    {
        if (GradMode.Enabled)
        {
            if (_base is null && IsLeaf && _requiresGrad)
                throw new InvalidOperationException($"{name}: a leaf Variable that requires grad is being used in an in-place operation.");
            if (_base is { } b && b.IsLeaf && b._requiresGrad)
                throw new InvalidOperationException($"{name}: a view of a leaf Variable that requires grad is being used in an in-place operation.");
        }
        if (!_layout.IsNonOverlapping)
            throw new InvalidOperationException(
                $"{name}: unsupported operation: more than one element of the written-to tensor refers to a single memory location (shape {Shape}, strides [{string.Join(", ", Stride())}]). Please Clone() the tensor before performing the operation.");
    }

    /// <summary>
    /// Runs an in-place op given its out-of-place form. Without autograd the result is written into this
    /// tensor's storage (directly when <paramref name="direct"/> can do it); with autograd the op is recorded on
    /// a copy of the old value and this tensor (or its view base) takes over the new history.
    /// </summary>
    internal Tensor InPlace(string name, Func<Tensor, Tensor> op, Tensor? other = null, Func<bool>? direct = null)
    {
        CheckInPlace(name);
        bool track = Autograd.NeedsGrad(this) || (other is not null && Autograd.NeedsGrad(other));
        if (!track)
        {
            if (direct is null || !direct())
            {
                Tensor r;
                using (Autograd.NoGrad()) r = op(this);
                WriteResult(r, name);
            }
            else _storage.BumpVersion();
            return this;
        }
        var old = Clone();
        var result = op(old);
        using (Autograd.NoGrad()) WriteResult(result, name);
        if (result.GradFn is { } fn) Rebase(fn, result);
        return this;
    }

    private void WriteResult(Tensor r, string name)
    {
        if (r.Shape != Shape)
            throw new ArgumentException($"{name}: output with shape {Shape} doesn't match the broadcast shape {r.Shape}.");
        if (r.DType != DType && !CanCast(r.DType, DType))
            throw new InvalidOperationException($"{name}: result type {r.DType} can't be cast to the desired output type {DType}.");
        Backend.Copy(r.Buffer, r._layout, Buffer, _layout);
        _storage.BumpVersion();
    }

    /// <summary>Makes this tensor the output of <paramref name="fn"/>; for a view, rewrites the base's history (CopySlices).</summary>
    private void Rebase(Node fn, Tensor result)
    {
        if (_base is null)
        {
            if (result.DType != DType)
            {
                // The recorded result has another dtype: cast back through a recorded op.
                var cast = Autograd.Record(new Tensor(_storage, _layout), "To", [result], g => [g]);
                _gradFn = cast.GradFn;
            }
            else _gradFn = fn;
            _gradFnVersion = _storage.Version;
            return;
        }
        var b = _base;
        if (!b._layout.IsContiguous)
            throw new NotSupportedException($"{result}: in-place on a view of a non-contiguous base is not supported with autograd.");
        var geometry = Layout.Create(_layout.Shape, _layout.RawStrides, _layout.Offset - b._layout.Offset);
        var node = new FunctionNode("CopySlices",
            [new Edge(b.RequiresGrad ? b.GradFn ?? b.GradAccumulator() : null, b.Shape, b.DType), new Edge(fn, result.Shape, result.DType)],
            g =>
            {
                // The base keeps the gradient outside the overwritten region; the new values get the region's.
                var keep = Ones(g.Shape, g.DType);
                keep.Backend.Fill(keep.Buffer, geometry, 0);
                return [g.Mul(keep), g.Contiguous().ViewWithGeometry(geometry)];
            }, null);
        b.SetGradFn(node);
        RegenerateViewGradFn();
    }
}

namespace Lantern;

// dtype conversion and whole-tensor in-place writes (Fill_, Zero_, Copy_).
public sealed partial class Tensor
{
    /// <summary>
    /// torch.Tensor.to(dtype): this tensor when the dtype already matches, else a converted copy (C++ cast
    /// semantics: floats truncate toward zero into integers, nonzero is true). Differentiable between floating dtypes.
    /// </summary>
    [Differentiable]
    public Tensor To(DType dtype)
    {
        if (dtype == DType) return this;
        var r = ToNoGrad(dtype);
        if (!dtype.IsFloatingPoint()) return r;
        var from = DType;
        return Autograd.Record(r, "To", [this], g => [g.To(from)]);
    }

    /// <summary>Shorthand for To(Float32).</summary>
    public Tensor Float() => To(DType.Float32);

    /// <summary>Shorthand for To(Float64).</summary>
    public Tensor Double() => To(DType.Float64);

    /// <summary>Shorthand for To(Int64).</summary>
    public Tensor Long() => To(DType.Int64);

    /// <summary>Shorthand for To(Bool).</summary>
    public Tensor Bool() => To(DType.Bool);

    /// <summary>torch.Tensor.fill_(value): every element set to value; returns this.</summary>
    public Tensor Fill_(Number value)
    {
        CheckInPlace("Fill_");
        if (Autograd.NeedsGrad(this))
            return InPlace("Fill_", t => Where(Ones(t.Shape, DType.Bool), Scalar(value, t.DType), t)); // old values get zero gradient
        Backend.Fill(Buffer, _layout, value);
        _storage.BumpVersion();
        return this;
    }

    /// <summary>torch.Tensor.zero_(): fills with zeros; returns this.</summary>
    public Tensor Zero_() => Fill_(0);

    /// <summary>
    /// torch.Tensor.copy_(src): copies src (broadcast to this shape, cast to this dtype) into this tensor; the
    /// gradient flows to src.
    /// </summary>
    /// <exception cref="ArgumentException">src does not broadcast to this shape.</exception>
    public Tensor Copy_(Tensor src)
    {
        if (Shape.Broadcast(Shape, src.Shape, "Copy_") != Shape)
            throw new ArgumentException($"Copy_: source of shape {src.Shape} does not broadcast to the destination shape {Shape}.");
        return InPlace("Copy_", t => Where(Ones(t.Shape, DType.Bool), src.To(t.DType), t), src, () =>
        {
            if (src.SharesStorageWith(this)) return false;
            Backend.Copy(src.Buffer, src._layout.Expand(Shape.Raw), Buffer, _layout);
            return true;
        });
    }
}

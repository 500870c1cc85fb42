namespace Lantern.Tests.OpTable;

/// <summary>One sample: the op's tensor inputs (float64 unless the op needs other dtypes) and a description.</summary>
public sealed record Sample(Tensor[] Inputs, string Description)
{
    public override string ToString() => Description;
}

/// <summary>An input that must raise: the call, and a fragment the message must contain (the op name at least).</summary>
public sealed record ErrorInput(Action Call, string MessageContains, string Description);

/// <summary>
/// One row of the op table (OpInfo-style). Generic tests run every row: reference values in float64 and
/// float32, float64 gradcheck, gradgradcheck, non-contiguous and expanded inputs, in-place vs out-of-place,
/// error inputs. <see cref="Name"/> equals the [Differentiable] method it covers.
/// </summary>
public sealed record OpInfo
{
    public required string Name { get; init; }

    /// <summary>A label when one method has several rows (e.g. "Sum/dims").</summary>
    public string? Variant { get; init; }

    /// <summary>The op applied to the sample inputs.</summary>
    public required Func<Tensor[], Tensor> Op { get; init; }

    /// <summary>Samples built from float64 inputs (the tests cast floating inputs for float32 runs).</summary>
    public required Func<Sample[]> Samples { get; init; }

    /// <summary>Naive float64 reference on <see cref="Nd"/> arrays; null when the row only checks gradients.</summary>
    public Func<Nd[], Nd>? Reference { get; init; }

    /// <summary>In-place form applied to a clone of input 0 (returns the mutated tensor).</summary>
    public Func<Tensor[], Tensor>? InPlace { get; init; }

    /// <summary>Inputs that must raise, with a message fragment.</summary>
    public Func<ErrorInput[]>? Errors { get; init; }

    /// <summary>Indices of inputs to differentiate (default: every floating input).</summary>
    public int[]? GradInputs { get; init; }

    /// <summary>False for ops whose gradient is zero almost everywhere or undefined (they still run gradcheck-free tests).</summary>
    public bool SupportsGrad { get; init; } = true;

    /// <summary>False where second derivatives are not supported.</summary>
    public bool SupportsGradGrad { get; init; } = true;

    /// <summary>Tolerances against the reference (float32 runs use the looser pair).</summary>
    public double Atol64 { get; init; } = 1e-10;
    public double Rtol64 { get; init; } = 1e-9;
    public double Atol32 { get; init; } = 1e-5;
    public double Rtol32 { get; init; } = 1e-5;

    /// <summary>Gradcheck tolerances (float64 central differences).</summary>
    public double GradAtol { get; init; } = 1e-5;
    public double GradRtol { get; init; } = 1e-3;

    /// <summary>False for ops defined on storage geometry (AsStrided) or that refuse stride-0 inputs (View).</summary>
    public bool TestNonContiguous { get; init; } = true;
    public bool TestExpanded { get; init; } = true;

    /// <summary>Whether float32 inputs are also checked against the reference.</summary>
    public bool CheckFloat32 { get; init; } = true;

    public string Id => Variant is null ? Name : $"{Name}/{Variant}";

    public override string ToString() => Id;
}

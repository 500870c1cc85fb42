namespace Lantern.NN;

/// <summary>
/// torch.nn.MaxPool2d: <see cref="F.MaxPool2d(Tensor, int[], int[], int[], int[], bool)"/> with fixed window arguments.
/// Sizes are given as one int (both dims) or as [h, w]; the repr prints them as given, like PyTorch.
/// PyTorch's return_indices=True is <see cref="ForwardWithIndices"/>.
/// </summary>
public sealed class MaxPool2d : Module<Tensor, Tensor>
{
    private readonly object _k, _s, _p, _d;

    /// <summary>A 2-D max pool with one size for both dims (stride default: kernelSize).</summary>
    public MaxPool2d(int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false)
        : this([kernelSize], stride is null ? null : [stride.Value], [padding], [dilation], ceilMode) =>
        (_k, _s, _p, _d) = (kernelSize, stride ?? kernelSize, padding, dilation);

    /// <summary>A 2-D max pool with per-dim sizes (one or two ints each; stride default: kernelSize).</summary>
    public MaxPool2d(int[] kernelSize, int[]? stride = null, int[]? padding = null, int[]? dilation = null, bool ceilMode = false)
    {
        KernelSize = (int[])kernelSize.Clone();
        Stride = (int[])(stride ?? kernelSize).Clone();
        Padding = (int[])(padding ?? [0]).Clone();
        Dilation = (int[])(dilation ?? [1]).Clone();
        CeilMode = ceilMode;
        (_k, _s, _p, _d) = (KernelSize, Stride, padding is null ? 0 : Padding, dilation is null ? 1 : Dilation);
    }

    /// <summary>Window size (one or two entries).</summary>
    public int[] KernelSize { get; }

    /// <summary>Step (one or two entries).</summary>
    public int[] Stride { get; }

    /// <summary>Implicit -inf padding per side.</summary>
    public int[] Padding { get; }

    /// <summary>Spacing of window elements.</summary>
    public int[] Dilation { get; }

    /// <summary>Ceil instead of floor in the output size.</summary>
    public bool CeilMode { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.MaxPool2d(input, KernelSize, Stride, Padding, Dilation, CeilMode);

    /// <summary>The pooled output and the Int64 positions of the maxima in each flattened input plane (return_indices=True).</summary>
    public (Tensor Output, Tensor Indices) ForwardWithIndices(Tensor input) => F.MaxPool2dWithIndices(input, KernelSize, Stride, Padding, Dilation, CeilMode);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"kernel_size={Py(_k)}, stride={Py(_s)}, padding={Py(_p)}, dilation={Py(_d)}, ceil_mode={Py(CeilMode)}";
}

/// <summary>torch.nn.MaxPool1d: <see cref="F.MaxPool1d"/> on [N, C, L] or [C, L]; <see cref="ForwardWithIndices"/> is return_indices=True.</summary>
public sealed class MaxPool1d : Module<Tensor, Tensor>
{
    /// <summary>A 1-D max pool (stride default: kernelSize).</summary>
    public MaxPool1d(int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false)
    {
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        Padding = padding;
        Dilation = dilation;
        CeilMode = ceilMode;
    }

    /// <summary>Window length.</summary>
    public int KernelSize { get; }

    /// <summary>Step.</summary>
    public int Stride { get; }

    /// <summary>Implicit -inf padding per side.</summary>
    public int Padding { get; }

    /// <summary>Spacing of window elements.</summary>
    public int Dilation { get; }

    /// <summary>Ceil instead of floor in the output size.</summary>
    public bool CeilMode { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.MaxPool1d(input, KernelSize, Stride, Padding, Dilation, CeilMode);

    /// <summary>The pooled output and the Int64 positions of the maxima along L.</summary>
    public (Tensor Output, Tensor Indices) ForwardWithIndices(Tensor input) => F.MaxPool1dWithIndices(input, KernelSize, Stride, Padding, Dilation, CeilMode);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"kernel_size={KernelSize}, stride={Stride}, padding={Padding}, dilation={Dilation}, ceil_mode={Py(CeilMode)}";
}

/// <summary>torch.nn.AvgPool2d: <see cref="F.AvgPool2d(Tensor, int[], int[], int[], bool, bool, int?)"/> with fixed arguments.</summary>
public sealed class AvgPool2d : Module<Tensor, Tensor>
{
    private readonly object _k, _s, _p;

    /// <summary>A 2-D average pool with one size for both dims (stride default: kernelSize).</summary>
    public AvgPool2d(int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true, int? divisorOverride = null)
        : this([kernelSize], stride is null ? null : [stride.Value], [padding], ceilMode, countIncludePad, divisorOverride) =>
        (_k, _s, _p) = (kernelSize, stride ?? kernelSize, padding);

    /// <summary>A 2-D average pool with per-dim sizes (one or two ints each).</summary>
    public AvgPool2d(int[] kernelSize, int[]? stride = null, int[]? padding = null, bool ceilMode = false, bool countIncludePad = true, int? divisorOverride = null)
    {
        KernelSize = (int[])kernelSize.Clone();
        Stride = (int[])(stride ?? kernelSize).Clone();
        Padding = (int[])(padding ?? [0]).Clone();
        CeilMode = ceilMode;
        CountIncludePad = countIncludePad;
        DivisorOverride = divisorOverride;
        (_k, _s, _p) = (KernelSize, Stride, padding is null ? 0 : Padding);
    }

    /// <summary>Window size.</summary>
    public int[] KernelSize { get; }

    /// <summary>Step.</summary>
    public int[] Stride { get; }

    /// <summary>Zero padding per side.</summary>
    public int[] Padding { get; }

    /// <summary>Ceil instead of floor in the output size.</summary>
    public bool CeilMode { get; }

    /// <summary>Whether padded elements count in the divisor.</summary>
    public bool CountIncludePad { get; }

    /// <summary>A fixed divisor, or null.</summary>
    public int? DivisorOverride { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.AvgPool2d(input, KernelSize, Stride, Padding, CeilMode, CountIncludePad, DivisorOverride);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"kernel_size={Py(_k)}, stride={Py(_s)}, padding={Py(_p)}";
}

/// <summary>torch.nn.AvgPool1d: <see cref="F.AvgPool1d"/> on [N, C, L] or [C, L]. The repr prints 1-tuples, as PyTorch.</summary>
public sealed class AvgPool1d : Module<Tensor, Tensor>
{
    /// <summary>A 1-D average pool (stride default: kernelSize).</summary>
    public AvgPool1d(int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true)
    {
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        Padding = padding;
        CeilMode = ceilMode;
        CountIncludePad = countIncludePad;
    }

    /// <summary>Window length.</summary>
    public int KernelSize { get; }

    /// <summary>Step.</summary>
    public int Stride { get; }

    /// <summary>Zero padding per side.</summary>
    public int Padding { get; }

    /// <summary>Ceil instead of floor in the output size.</summary>
    public bool CeilMode { get; }

    /// <summary>Whether padded elements count in the divisor.</summary>
    public bool CountIncludePad { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.AvgPool1d(input, KernelSize, Stride, Padding, CeilMode, CountIncludePad);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"kernel_size={Py(new[] { KernelSize })}, stride={Py(new[] { Stride })}, padding={Py(new[] { Padding })}";
}

/// <summary>
/// torch.nn.MaxUnpool2d: <see cref="F.MaxUnpool2d"/> with fixed window arguments. The input is the pair
/// (pooled values, indices) from <see cref="MaxPool2d.ForwardWithIndices"/>; an explicit output size goes through
/// <see cref="Forward(Tensor, Tensor, int[])"/>.
/// </summary>
public sealed class MaxUnpool2d : Module<(Tensor Input, Tensor Indices), Tensor>
{
    /// <summary>A 2-D max unpool with one size for both dims (stride default: kernelSize).</summary>
    public MaxUnpool2d(int kernelSize, int? stride = null, int padding = 0) : this([kernelSize], stride is null ? null : [stride.Value], [padding]) { }

    /// <summary>A 2-D max unpool with per-dim sizes (one or two ints each).</summary>
    public MaxUnpool2d(int[] kernelSize, int[]? stride = null, int[]? padding = null)
    {
        static int[] Two(int[] v) => v.Length == 1 ? [v[0], v[0]] : (int[])v.Clone();
        KernelSize = Two(kernelSize);
        Stride = Two(stride ?? kernelSize);
        Padding = Two(padding ?? [0]);
    }

    /// <summary>Window size (kH, kW).</summary>
    public int[] KernelSize { get; }

    /// <summary>Step (sH, sW).</summary>
    public int[] Stride { get; }

    /// <summary>Padding (pH, pW).</summary>
    public int[] Padding { get; }

    /// <inheritdoc/>
    public override Tensor Forward((Tensor Input, Tensor Indices) input) => Forward(input.Input, input.Indices);

    /// <summary>Unpools with an optional explicit output size ([H, W] or [N, C, H, W]).</summary>
    public Tensor Forward(Tensor input, Tensor indices, int[]? outputSize = null) => F.MaxUnpool2d(input, indices, KernelSize, Stride, Padding, outputSize);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"kernel_size={Py(KernelSize)}, stride={Py(Stride)}, padding={Py(Padding)}";
}

/// <summary>torch.nn.MaxUnpool1d: <see cref="F.MaxUnpool1d"/> with fixed window arguments; input (values, indices).</summary>
public sealed class MaxUnpool1d : Module<(Tensor Input, Tensor Indices), Tensor>
{
    /// <summary>A 1-D max unpool (stride default: kernelSize).</summary>
    public MaxUnpool1d(int kernelSize, int? stride = null, int padding = 0)
    {
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        Padding = padding;
    }

    /// <summary>Window length.</summary>
    public int KernelSize { get; }

    /// <summary>Step.</summary>
    public int Stride { get; }

    /// <summary>Padding.</summary>
    public int Padding { get; }

    /// <inheritdoc/>
    public override Tensor Forward((Tensor Input, Tensor Indices) input) => Forward(input.Input, input.Indices);

    /// <summary>Unpools with an optional explicit output size ([L] or [N, C, L]).</summary>
    public Tensor Forward(Tensor input, Tensor indices, int[]? outputSize = null) => F.MaxUnpool1d(input, indices, KernelSize, Stride, Padding, outputSize);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"kernel_size={Py(new[] { KernelSize })}, stride={Py(new[] { Stride })}, padding={Py(new[] { Padding })}";
}

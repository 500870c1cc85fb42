namespace Lantern.NN;

/// <summary>torch.nn.Unfold: <see cref="F.Unfold"/> (im2col) with fixed arguments, printed as given.</summary>
public sealed class Unfold : Module<Tensor, Tensor>
{
    /// <summary>Extracts sliding kernelSize blocks.</summary>
    public Unfold(IntPair kernelSize, IntPair? dilation = null, IntPair? padding = null, IntPair? stride = null)
    {
        (KernelSize, Dilation, Padding, Stride) = (kernelSize, dilation ?? 1, padding ?? 0, stride ?? 1);
    }

    /// <summary>Block size.</summary>
    public IntPair KernelSize { get; }

    /// <summary>Spacing inside a block.</summary>
    public IntPair Dilation { get; }

    /// <summary>Implicit zeros on each side.</summary>
    public IntPair Padding { get; }

    /// <summary>Step between blocks.</summary>
    public IntPair Stride { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Unfold(input, KernelSize, Dilation, Padding, Stride);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"kernel_size={KernelSize}, dilation={Dilation}, padding={Padding}, stride={Stride}";
}

/// <summary>torch.nn.Fold: <see cref="F.Fold"/> (col2im) with fixed arguments, printed as given.</summary>
public sealed class Fold : Module<Tensor, Tensor>
{
    /// <summary>Sums sliding blocks into an image of outputSize.</summary>
    public Fold(IntPair outputSize, IntPair kernelSize, IntPair? dilation = null, IntPair? padding = null, IntPair? stride = null)
    {
        (OutputSize, KernelSize, Dilation, Padding, Stride) = (outputSize, kernelSize, dilation ?? 1, padding ?? 0, stride ?? 1);
    }

    /// <summary>Spatial size of the result.</summary>
    public IntPair OutputSize { get; }

    /// <summary>Block size.</summary>
    public IntPair KernelSize { get; }

    /// <summary>Spacing inside a block.</summary>
    public IntPair Dilation { get; }

    /// <summary>Implicit zeros on each side.</summary>
    public IntPair Padding { get; }

    /// <summary>Step between blocks.</summary>
    public IntPair Stride { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Fold(input, OutputSize, KernelSize, Dilation, Padding, Stride);

    /// <inheritdoc/>
    public override string ExtraRepr() =>
        $"output_size={OutputSize}, kernel_size={KernelSize}, dilation={Dilation}, padding={Padding}, stride={Stride}";
}

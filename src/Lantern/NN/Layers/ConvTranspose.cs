namespace Lantern.NN;

/// <summary>
/// The shared part of ConvTranspose1d/2d (PyTorch's _ConvTransposeNd): only "zeros" padding, and an optional
/// output size at call time that resolves the output padding (PyTorch's _output_padding).
/// </summary>
public abstract class ConvTransposeNd : ConvNd
{
    private protected ConvTransposeNd(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, int[] outputPadding,
        int groups, bool bias, int[] dilation, string paddingMode, DType dtype, Generator? generator)
        : base(inChannels, outChannels, kernelSize, stride, padding.Length == 1 ? padding[0] : (padding[0], padding[1]), dilation, true,
            outputPadding, groups, bias, CheckMode(paddingMode, kernelSize.Length), dtype, generator)
    {
        if (outputPadding.Any(p => p < 0)) throw new ArgumentException($"{Name}: output_padding must be non-negative, got {Py(outputPadding)}.");
    }

    private static string CheckMode(string mode, int sd) => mode == "zeros" ? mode
        : throw new ArgumentException($"ConvTranspose{sd}d: Only \"zeros\" padding mode is supported for ConvTranspose{sd}d, got '{mode}'.");

    /// <summary>
    /// PyTorch's _output_padding: with no <paramref name="outputSize"/> the layer's own output padding; otherwise
    /// outputSize (spatial sizes, optionally preceded by the batch and channel sizes) minus the smallest output size,
    /// which must lie within [min, min + stride - 1].
    /// </summary>
    /// <exception cref="ArgumentException">Wrong number of sizes, or a size outside the valid range.</exception>
    public int[] OutputPaddingFor(Tensor input, int[]? outputSize)
    {
        if (outputSize is null) return OutputPadding;
        int sd = KernelSize.Length;
        int nonSpatial = input.Rank == sd + 2 ? 2 : 1;
        var size = outputSize.Length == nonSpatial + sd ? outputSize[nonSpatial..] : outputSize;
        if (size.Length != sd)
            throw new ArgumentException($"{Name}: for {sd}D input, output_size must have {sd} or {sd + nonSpatial} elements (got {outputSize.Length}).");
        var min = new int[sd];
        var max = new int[sd];
        for (int d = 0; d < sd; d++)
        {
            min[d] = (input.Shape[d + nonSpatial] - 1) * Stride[d] - 2 * Padding[d] + Dilation[d] * (KernelSize[d] - 1) + 1;
            max[d] = min[d] + Stride[d] - 1;
        }
        for (int d = 0; d < sd; d++)
            if (size[d] < min[d] || size[d] > max[d])
                throw new ArgumentException($"{Name}: requested an output size of [{string.Join(", ", size)}], but valid sizes range from [{string.Join(", ", min)}] to [{string.Join(", ", max)}] (for an input of [{string.Join(", ", input.Shape.Dims[nonSpatial..].ToArray())}]).");
        return Enumerable.Range(0, sd).Select(d => size[d] - min[d]).ToArray();
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Forward(input, null);

    /// <summary>The transposed convolution; <paramref name="outputSize"/> picks among the output sizes a stride allows.</summary>
    public abstract Tensor Forward(Tensor input, int[]? outputSize);
}

/// <summary>
/// torch.nn.ConvTranspose1d: the transposed (fractionally strided) 1-D convolution; input [N, C_in, L] (or
/// [C_in, L]), weight [in, out / groups, k], output length (L - 1) s - 2 p + d (k - 1) + output_padding + 1.
/// </summary>
public sealed class ConvTranspose1d : ConvTransposeNd
{
    /// <summary>A 1-D transposed convolution (padding mode "zeros" only).</summary>
    /// <exception cref="ArgumentException">Invalid sizes, groups or padding mode.</exception>
    public ConvTranspose1d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int outputPadding = 0,
        int groups = 1, bool bias = true, int dilation = 1, string paddingMode = "zeros", DType dtype = DType.Float32, Generator? generator = null)
        : base(inChannels, outChannels, [kernelSize], [stride], [padding], [outputPadding], groups, bias, [dilation], paddingMode, dtype, generator)
    {
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, int[]? outputSize) =>
        F.ConvTranspose1d(input, Weight, Bias, Stride[0], Padding[0], OutputPaddingFor(input, outputSize)[0], Groups, Dilation[0]);
}

/// <summary>
/// torch.nn.ConvTranspose2d: the transposed 2-D convolution (the input gradient of Conv2d with the same
/// arguments); input [N, C_in, H, W] (or [C_in, H, W]), weight [in, out / groups, kH, kW],
/// output H_out = (H - 1) sH - 2 pH + dH (kH - 1) + output_paddingH + 1 (likewise W).
/// </summary>
public sealed class ConvTranspose2d : ConvTransposeNd
{
    /// <summary>A 2-D transposed convolution (padding mode "zeros" only); sizes are an int or an (h, w) tuple.</summary>
    /// <exception cref="ArgumentException">Invalid sizes, groups or padding mode.</exception>
    public ConvTranspose2d(int inChannels, int outChannels, IntPair kernelSize, IntPair? stride = null, IntPair? padding = null,
        IntPair? outputPadding = null, int groups = 1, bool bias = true, IntPair? dilation = null, string paddingMode = "zeros",
        DType dtype = DType.Float32, Generator? generator = null)
        : base(inChannels, outChannels, kernelSize.ToArray(), (stride ?? 1).ToArray(), (padding ?? 0).ToArray(), (outputPadding ?? 0).ToArray(),
            groups, bias, (dilation ?? 1).ToArray(), paddingMode, dtype, generator)
    {
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, int[]? outputSize)
    {
        var op = OutputPaddingFor(input, outputSize);
        return F.ConvTranspose2d(input, Weight, Bias, (Stride[0], Stride[1]), (Padding[0], Padding[1]), (op[0], op[1]), Groups,
            (Dilation[0], Dilation[1]));
    }
}

using Lantern.Kernels;

namespace Lantern.NN;

// Transposed convolutions: the input gradient of a convolution (conv backward-data) used as a forward op.
public static partial class F
{
    /// <summary>
    /// torch.nn.functional.conv_transpose2d: the adjoint of <see cref="Conv2d"/> with the same stride, padding,
    /// dilation and groups: every input pixel (ih, iw) of channel ci adds x * weight[ci, co', kh, kw] to output
    /// (ih * sH - pH + kh * dH, iw * sW - pW + kw * dW) of channel co = group(ci) * Cout_g + co', plus bias[co].
    /// input [N, Cin, H, W] (or unbatched [Cin, H, W]), weight [Cin, Cout / groups, kH, kW] (PyTorch's layout),
    /// bias [Cout]; output [N, Cout, (H - 1) sH - 2 pH + dH (kH - 1) + outputPaddingH + 1, ...]. outputPadding
    /// (zeros added after, resolving the output size a strided convolution leaves ambiguous) must be smaller than
    /// the stride or the dilation. Differentiable to any order.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// Wrong ranks, input channels not equal to weight.size(0), groups not dividing it, a bias of the wrong size,
    /// non-positive stride / dilation / groups, negative padding, output padding not smaller than stride or
    /// dilation, an empty output, or mixed dtypes (the message names ConvTranspose2d and the shapes).
    /// </exception>
    [Differentiable]
    public static Tensor ConvTranspose2d(Tensor input, Tensor weight, Tensor? bias = null, IntPair? stride = null, IntPair? padding = null,
        IntPair? outputPadding = null, int groups = 1, IntPair? dilation = null)
    {
        IntPair s = stride ?? 1, p = padding ?? 0, op = outputPadding ?? 0, d = dilation ?? 1;
        if (input.Rank != 3 && input.Rank != 4)
            throw new ArgumentException($"ConvTranspose2d: Expected 3D (unbatched) or 4D (batched) input to conv_transpose2d, but got input of size: {input.Shape}.");
        bool unbatched = input.Rank == 3;
        var x = unbatched ? input.Unsqueeze(0) : input;
        var g = ConvTransposeGeometry("ConvTranspose2d", x, weight, bias, [s.H, s.W], [p.H, p.W], [op.H, op.W], [d.H, d.W], groups);
        var y = ConvTransposeOp(x, weight, bias, g, "ConvTranspose2d");
        return unbatched ? y.Squeeze(0) : y;
    }

    /// <summary>
    /// torch.nn.functional.conv_transpose1d: <see cref="ConvTranspose2d"/> along one axis. input [N, Cin, L] (or
    /// [Cin, L]), weight [Cin, Cout / groups, k], bias [Cout]; output length (L - 1) s - 2 p + d (k - 1) + outputPadding + 1.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="ConvTranspose2d"/>, naming ConvTranspose1d.</exception>
    public static Tensor ConvTranspose1d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0,
        int outputPadding = 0, int groups = 1, int dilation = 1)
    {
        if (input.Rank != 2 && input.Rank != 3)
            throw new ArgumentException($"ConvTranspose1d: Expected 2D (unbatched) or 3D (batched) input to conv_transpose1d, but got input of size: {input.Shape}.");
        bool unbatched = input.Rank == 2;
        var x = unbatched ? input.Unsqueeze(0) : input;
        var g = ConvTransposeGeometry("ConvTranspose1d", x, weight, bias, [stride], [padding], [outputPadding], [dilation], groups);
        var y = ConvTransposeOp(x.Unsqueeze(2), weight.Unsqueeze(2), bias, g, "ConvTranspose1d").Squeeze(2);
        return unbatched ? y.Squeeze(0) : y;
    }

    // y = ConvInputGrad(x, w) (+ bias per output channel); g is the geometry of the convolution this op transposes.
    private static Tensor ConvTransposeOp(Tensor x, Tensor w, Tensor? bias, ConvGeometry g, string name)
    {
        var y = ConvInputGrad(x, w, g, name);
        return bias is null ? y : AddChannelBias(y, bias, name + "Bias");
    }

    /// <summary>
    /// Checks a batched transposed convolution (x [N, Cin, *spatial]) and returns the geometry of the convolution it
    /// transposes: that convolution maps the transposed output [N, Cout, Hout, Wout] to x's spatial size.
    /// </summary>
    internal static ConvGeometry ConvTransposeGeometry(string op, Tensor x, Tensor weight, Tensor? bias, int[] stride, int[] padding,
        int[] outputPadding, int[] dilation, int groups)
    {
        int sd = x.Rank - 2;
        if (weight.Rank != sd + 2)
            throw new ArgumentException($"{op}: weight must be {sd + 2}-D [in_channels, out_channels / groups, {(sd == 1 ? "kW" : "kH, kW")}], got weight of size {weight.Shape}.");
        CheckConvDTypes(op, x, weight, bias);
        if (stride.Any(v => v <= 0)) throw new ArgumentException($"{op}: non-positive stride is not supported, got stride={Tuple(stride)}.");
        if (dilation.Any(v => v <= 0)) throw new ArgumentException($"{op}: dilation should be greater than zero, got dilation={Tuple(dilation)}.");
        if (padding.Any(v => v < 0)) throw new ArgumentException($"{op}: negative padding is not supported, got padding={Tuple(padding)}.");
        if (outputPadding.Any(v => v < 0)) throw new ArgumentException($"{op}: negative output_padding is not supported, got output_padding={Tuple(outputPadding)}.");
        if (groups <= 0) throw new ArgumentException($"{op}: non-positive groups is not supported, got groups={groups}.");
        for (int i = 0; i < sd; i++)
            if (outputPadding[i] >= stride[i] && outputPadding[i] >= dilation[i])
                throw new ArgumentException($"{op}: output padding must be smaller than either stride or dilation, but got output_padding={Tuple(outputPadding)}, stride={Tuple(stride)}, dilation={Tuple(dilation)}.");
        int cin = weight.Shape[0], cout = weight.Shape[1] * groups;
        if (cin % groups != 0)
            throw new ArgumentException($"{op}: Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but got weight of size {weight.Shape} instead.");
        if (x.Shape[1] != cin)
            throw new ArgumentException($"{op}: Given transposed=1, weight of size {weight.Shape}, expected input{x.Shape} to have {cin} channels, but got {x.Shape[1]} channels instead.");
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != cout))
            throw new ArgumentException($"{op}: Given transposed=1, weight of size {weight.Shape}, expected bias to be 1-dimensional with {cout} elements, but got bias of size {bias.Shape} instead.");
        if (cin == 0 || cout == 0)
            throw new ArgumentException($"{op}: zero channels are not supported (input {x.Shape}, weight {weight.Shape}).");
        var k = weight.Shape.Dims[2..].ToArray();
        var inSize = x.Shape.Dims[2..].ToArray();
        var outSize = new int[sd];
        for (int i = 0; i < sd; i++)
            outSize[i] = (inSize[i] - 1) * stride[i] - 2 * padding[i] + dilation[i] * (k[i] - 1) + outputPadding[i] + 1;
        if (outSize.Any(v => v <= 0) || inSize.Any(v => v <= 0))
            throw new ArgumentException($"{op}: Given input size per channel: ({string.Join(" x ", inSize)}). Calculated output size per channel: ({string.Join(" x ", outSize)}). Output size is too small (weight {weight.Shape}).");
        int last = sd - 1;
        return new ConvGeometry
        {
            N = x.Shape[0], C = cout, O = cin, Groups = groups,
            H = sd == 2 ? outSize[0] : 1, W = outSize[last],
            KH = sd == 2 ? k[0] : 1, KW = k[last],
            OH = sd == 2 ? inSize[0] : 1, OW = inSize[last],
            StrideH = sd == 2 ? stride[0] : 1, StrideW = stride[last],
            PadH = sd == 2 ? padding[0] : 0, PadW = padding[last],
            DilationH = sd == 2 ? dilation[0] : 1, DilationW = dilation[last],
        };
    }
}

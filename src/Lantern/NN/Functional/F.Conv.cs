using Lantern.Kernels;

namespace Lantern.NN;

// Convolutions: conv1d / conv2d with PyTorch's argument checks; the op itself is ConvOp (F.ConvCore.cs).
public static partial class F
{
    /// <summary>
    /// torch.nn.functional.conv2d: y[n, o] = bias[o] + sum over the input channels c of o's group and (kh, kw) of
    /// weight[o, c', kh, kw] * x[n, c, oh * sH - pH + kh * dH, ow * sW - pW + kw * dW] (zeros outside the input).
    /// input [N, C, H, W] (or unbatched [C, H, W]), weight [O, C / groups, kH, kW], bias [O] or null; output
    /// [N, O, OH, OW] with OH = floor((H + 2 pH - dH (kH - 1) - 1) / sH) + 1. padding is an int, a pair, "valid" or
    /// "same" (stride 1; an odd total puts the extra zero after, as PyTorch). Float32 and Float64. Backward: input
    /// gradient by a transposed convolution, weight gradient by a correlation of input and output gradient, bias
    /// gradient the sum of the output gradient over N, OH, OW; all three are differentiable again.
    /// </summary>
    /// <example><c>var y = F.Conv2d(x, w, b, stride: 2, padding: 1);   // x [8, 3, 32, 32], w [16, 3, 3, 3] -> y [8, 16, 16, 16]</c></example>
    /// <exception cref="ArgumentException">
    /// Wrong rank, channel count not equal to weight.size(1) * groups, groups not dividing the output channels, bias
    /// of the wrong size, non-positive stride / dilation / groups, negative padding, an unknown padding string,
    /// "same" with a stride, a kernel larger than the padded input, or mixed dtypes (the message names Conv2d and
    /// the shapes).
    /// </exception>
    [Differentiable]
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, IntPair? stride = null, ConvPadding? padding = null,
        IntPair? dilation = null, int groups = 1)
    {
        IntPair s = stride ?? 1, d = dilation ?? 1;
        if (input.Rank != 3 && input.Rank != 4)
            throw new ArgumentException($"Conv2d: Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: {input.Shape}.");
        bool unbatched = input.Rank == 3;
        var x = unbatched ? input.Unsqueeze(0) : input;
        var g = ConvGeometryFor("Conv2d", x, weight, bias, [s.H, s.W], padding ?? 0, [d.H, d.W], groups);
        var y = ConvOp(x, weight, bias, g, "Conv2d");
        return unbatched ? y.Squeeze(0) : y;
    }

    /// <summary>
    /// torch.nn.functional.conv1d: <see cref="Conv2d"/> along one axis. input [N, C, L] (or unbatched [C, L]),
    /// weight [O, C / groups, k], bias [O]; output [N, O, floor((L + 2 p - d (k - 1) - 1) / s) + 1]. padding is an
    /// int, "valid" or "same".
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="Conv2d"/>, naming Conv1d.</exception>
    public static Tensor Conv1d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, ConvPadding? padding = null,
        int dilation = 1, int groups = 1)
    {
        if (input.Rank != 2 && input.Rank != 3)
            throw new ArgumentException($"Conv1d: Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: {input.Shape}.");
        var p = padding ?? 0;
        if (p.Mode is null && !p.Size.IsScalar)
            throw new ArgumentException($"Conv1d: padding must be one int, 'valid' or 'same', got {p}.");
        bool unbatched = input.Rank == 2;
        var x = unbatched ? input.Unsqueeze(0) : input;
        var g = ConvGeometryFor("Conv1d", x, weight, bias, [stride], p, [dilation], groups);
        var y = ConvOp(x.Unsqueeze(2), weight.Unsqueeze(2), bias, g, "Conv1d").Squeeze(2);
        return unbatched ? y.Squeeze(0) : y;
    }

    private static string Tuple(ReadOnlySpan<int> v) => v.Length == 1 ? $"({v[0]},)" : "(" + string.Join(", ", v.ToArray()) + ")";

    /// <summary>
    /// Checks a batched convolution call (x [N, C, *spatial], 1 or 2 spatial dims) as PyTorch does and returns its
    /// geometry (1-D convolutions as H = 1).
    /// </summary>
    internal static ConvGeometry ConvGeometryFor(string op, Tensor x, Tensor weight, Tensor? bias, int[] stride, ConvPadding padding,
        int[] dilation, int groups)
    {
        int sd = x.Rank - 2;
        if (weight.Rank != sd + 2)
            throw new ArgumentException($"{op}: weight must be {sd + 2}-D [out_channels, in_channels / groups, {(sd == 1 ? "kW" : "kH, kW")}], got weight of size {weight.Shape}.");
        CheckConvDTypes(op, x, weight, bias);
        if (stride.Any(v => v <= 0)) throw new ArgumentException($"{op}: non-positive stride is not supported, got stride={Tuple(stride)}.");
        if (dilation.Any(v => v <= 0)) throw new ArgumentException($"{op}: dilation should be greater than zero, got dilation={Tuple(dilation)}.");
        if (groups <= 0) throw new ArgumentException($"{op}: non-positive groups is not supported, got groups={groups}.");
        int o = weight.Shape[0], cg = weight.Shape[1];
        if (o % groups != 0)
            throw new ArgumentException($"{op}: Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but got weight of size {weight.Shape} instead.");
        if (x.Shape[1] != cg * groups)
            throw new ArgumentException($"{op}: Given groups={groups}, weight of size {weight.Shape}, expected input{x.Shape} to have {cg * groups} channels, but got {x.Shape[1]} channels instead.");
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != o))
            throw new ArgumentException($"{op}: Given weight of size {weight.Shape}, expected bias to be 1-dimensional with {o} elements, but got bias of size {bias.Shape} instead.");
        var k = weight.Shape.Dims[2..].ToArray();
        var inSize = x.Shape.Dims[2..].ToArray();
        var before = new int[sd];
        var total = new int[sd];
        if (padding.Mode is { } mode)
        {
            if (mode == "same")
            {
                if (stride.Any(v => v != 1)) throw new ArgumentException($"{op}: padding='same' is not supported for strided convolutions (stride={Tuple(stride)}).");
                for (int i = 0; i < sd; i++) { total[i] = dilation[i] * (k[i] - 1); before[i] = total[i] / 2; }
            }
            else if (mode != "valid")
                throw new ArgumentException($"{op}: Invalid padding string '{mode}', should be one of {{'valid', 'same'}}.");
        }
        else
        {
            int[] p = sd == 1 ? [padding.Size.H] : [padding.Size.H, padding.Size.W];
            if (p.Any(v => v < 0)) throw new ArgumentException($"{op}: negative padding is not supported, got padding={Tuple(p)}.");
            for (int i = 0; i < sd; i++) { before[i] = p[i]; total[i] = 2 * p[i]; }
        }
        var padded = new int[sd];
        var effective = new int[sd];
        var outSize = new int[sd];
        for (int i = 0; i < sd; i++)
        {
            padded[i] = inSize[i] + total[i];
            effective[i] = dilation[i] * (k[i] - 1) + 1;
            outSize[i] = ConvGeometry.OutputSize(inSize[i], k[i], stride[i], total[i], dilation[i]);
        }
        if (Enumerable.Range(0, sd).Any(i => padded[i] < effective[i]))
            throw new ArgumentException($"{op}: Calculated padded input size per channel: ({string.Join(" x ", padded)}). Kernel size: ({string.Join(" x ", effective)}). Kernel size can't be greater than actual input size (input {x.Shape}, weight {weight.Shape}).");
        if (x.Shape[1] == 0 || o == 0)
            throw new ArgumentException($"{op}: zero channels are not supported (input {x.Shape}, weight {weight.Shape}).");
        int last = sd - 1;
        return new ConvGeometry
        {
            N = x.Shape[0], C = x.Shape[1], O = o, Groups = groups,
            H = sd == 2 ? inSize[0] : 1, W = inSize[last],
            KH = sd == 2 ? k[0] : 1, KW = k[last],
            OH = sd == 2 ? outSize[0] : 1, OW = outSize[last],
            StrideH = sd == 2 ? stride[0] : 1, StrideW = stride[last],
            PadH = sd == 2 ? before[0] : 0, PadW = before[last],
            DilationH = sd == 2 ? dilation[0] : 1, DilationW = dilation[last],
        };
    }

    internal static void CheckConvDTypes(string op, Tensor x, Tensor weight, Tensor? bias)
    {
        if (x.DType != DType.Float32 && x.DType != DType.Float64)
            throw new ArgumentException($"{op}: expected a Float32 or Float64 input, got {x.DType}.");
        if (weight.DType != x.DType)
            throw new ArgumentException($"{op}: Input type ({x.DType}) and weight type ({weight.DType}) should be the same.");
        if (bias is not null && bias.DType != x.DType)
            throw new ArgumentException($"{op}: Input type ({x.DType}) and bias type ({bias.DType}) should be the same.");
    }
}

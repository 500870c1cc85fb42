using Lantern.Kernels;

namespace Lantern.NN;

// Adaptive average and max pooling (1-D and 2-D): a fixed output size from any input size.
public static partial class F
{
    /// <summary>Resolves an adaptive output size: null entries keep the input size; negative entries are rejected.</summary>
    private static (int H, int W) AdaptiveSize(int?[] outputSize, int inH, int inW, int spatial, string op)
    {
        if (outputSize.Length != 1 && outputSize.Length != spatial)
            throw new ArgumentException($"{op}: output_size must have 1 or {spatial} elements, got {outputSize.Length}.");
        int? h = spatial == 2 ? outputSize[0] : 1, w = outputSize[^1];
        if (h < 0 || w < 0)
            throw new ArgumentException($"{op}: elements of output_size must be greater than or equal to 0, got [{string.Join(", ", outputSize.Select(v => v?.ToString() ?? "None"))}].");
        return (h ?? inH, w ?? inW);
    }

    private static (Tensor Output, Tensor? Indices) AdaptiveNd(Tensor input, int?[] outputSize, int spatial, bool max, bool wantIndices, string op)
    {
        CheckPoolInput(input, spatial, op);
        var (planes, lead) = AsPlanes(input, spatial);
        int inH = planes.Shape[1], inW = planes.Shape[2];
        var (oh, ow) = AdaptiveSize(outputSize, inH, inW, spatial, op);
        var th = spatial == 2 ? ResampleTaps.AdaptiveBins(inH, oh, !max) : ResampleTaps.Identity(1);
        var tw = ResampleTaps.AdaptiveBins(inW, ow, !max);
        if (!max) return (FromPlanes(Tensor.ResamplePlanes(planes, th, tw, op), lead, spatial), null);
        var (values, indices) = Tensor.MaxPoolPlanes(planes, th, tw, wantIndices, op);
        return (FromPlanes(values, lead, spatial), wantIndices ? FromPlanes(indices!, lead, spatial) : null);
    }

    /// <summary>
    /// torch.nn.functional.adaptive_avg_pool2d: output cell (i, j) is the mean of input rows
    /// [floor(i*H/oH), ceil((i+1)*H/oH)) and columns [floor(j*W/oW), ceil((j+1)*W/oW)) (bins may overlap by one
    /// when the sizes do not divide). A null entry keeps that input size; one entry applies to both dims.
    /// Input [N, C, H, W] or [C, H, W]; output [..., oH, oW]. <c>F.AdaptiveAvgPool2d(x, 1)</c> is global average pooling.
    /// </summary>
    /// <exception cref="ArgumentException">Wrong rank, empty dims, non-floating input, or a negative output size.</exception>
    [Differentiable]
    public static Tensor AdaptiveAvgPool2d(Tensor input, int?[] outputSize) => AdaptiveNd(input, outputSize, 2, false, false, "AdaptiveAvgPool2d").Output;

    /// <summary>torch.nn.functional.adaptive_avg_pool2d with an oS x oS output.</summary>
    /// <exception cref="ArgumentException">As <see cref="AdaptiveAvgPool2d(Tensor, int?[])"/>.</exception>
    [Differentiable]
    public static Tensor AdaptiveAvgPool2d(Tensor input, int outputSize) => AdaptiveAvgPool2d(input, [outputSize]);

    /// <summary>torch.nn.functional.adaptive_avg_pool1d on [N, C, L] or [C, L]: bins [floor(i*L/oL), ceil((i+1)*L/oL)).</summary>
    /// <exception cref="ArgumentException">Wrong rank, empty dims, non-floating input, or a negative output size.</exception>
    [Differentiable]
    public static Tensor AdaptiveAvgPool1d(Tensor input, int outputSize) => AdaptiveNd(input, [outputSize], 1, false, false, "AdaptiveAvgPool1d").Output;

    /// <summary>
    /// torch.nn.functional.adaptive_max_pool2d: the maximum of each adaptive bin (bins as <see cref="AdaptiveAvgPool2d(Tensor, int?[])"/>);
    /// the first maximum in row-major order wins ties, a NaN propagates. Gradient: to the winner.
    /// </summary>
    /// <exception cref="ArgumentException">Wrong rank, empty dims, non-floating input, or a negative output size.</exception>
    [Differentiable]
    public static Tensor AdaptiveMaxPool2d(Tensor input, int?[] outputSize) => AdaptiveNd(input, outputSize, 2, true, false, "AdaptiveMaxPool2d").Output;

    /// <summary>torch.nn.functional.adaptive_max_pool2d with an oS x oS output.</summary>
    /// <exception cref="ArgumentException">As <see cref="AdaptiveMaxPool2d(Tensor, int?[])"/>.</exception>
    [Differentiable]
    public static Tensor AdaptiveMaxPool2d(Tensor input, int outputSize) => AdaptiveMaxPool2d(input, [outputSize]);

    /// <summary>torch.nn.functional.adaptive_max_pool2d_with_indices: the maxima and their Int64 positions i * W + j in the input plane.</summary>
    /// <exception cref="ArgumentException">As <see cref="AdaptiveMaxPool2d(Tensor, int?[])"/>.</exception>
    [Differentiable]
    public static (Tensor Output, Tensor Indices) AdaptiveMaxPool2dWithIndices(Tensor input, int?[] outputSize)
    {
        var (y, i) = AdaptiveNd(input, outputSize, 2, true, true, "AdaptiveMaxPool2d");
        return (y, i!);
    }

    /// <summary>torch.nn.functional.adaptive_max_pool1d on [N, C, L] or [C, L].</summary>
    /// <exception cref="ArgumentException">Wrong rank, empty dims, non-floating input, or a negative output size.</exception>
    [Differentiable]
    public static Tensor AdaptiveMaxPool1d(Tensor input, int outputSize) => AdaptiveNd(input, [outputSize], 1, true, false, "AdaptiveMaxPool1d").Output;

    /// <summary>torch.nn.functional.adaptive_max_pool1d_with_indices: the maxima and their Int64 positions along L.</summary>
    /// <exception cref="ArgumentException">As <see cref="AdaptiveMaxPool1d"/>.</exception>
    [Differentiable]
    public static (Tensor Output, Tensor Indices) AdaptiveMaxPool1dWithIndices(Tensor input, int outputSize)
    {
        var (y, i) = AdaptiveNd(input, [outputSize], 1, true, true, "AdaptiveMaxPool1d");
        return (y, i!);
    }
}

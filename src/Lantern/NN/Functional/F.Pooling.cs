using Lantern.Kernels;

namespace Lantern.NN;

// Max and average pooling (1-D and 2-D) and max-unpooling. Every op views its input as planes [P, H, W]
// (P = every leading dim, H = 1 for 1-D ops) and runs one separable kernel (ResampleTaps along H and W).
public static partial class F
{
    /// <summary>Expands a 1- or 2-element size argument to (h, w); null gives <paramref name="fallback"/>.</summary>
    internal static (int H, int W) Pair(int[]? v, (int, int) fallback, string what, string op)
    {
        if (v is null) return fallback;
        return v.Length switch
        {
            1 => (v[0], v[0]),
            2 => (v[0], v[1]),
            _ => throw new ArgumentException($"{op}: {what} must be one int or two ints, got [{string.Join(", ", v)}]."),
        };
    }

    /// <summary>Checks a pooling input: floating, rank in {unbatched, batched}, non-empty spatial and channel dims.</summary>
    internal static void CheckPoolInput(Tensor input, int spatial, string op)
    {
        if (input.Rank != spatial + 1 && input.Rank != spatial + 2)
            throw new ArgumentException($"{op}: expected a {spatial + 1}-D (unbatched) or {spatial + 2}-D (batched) input, got shape {input.Shape}.");
        for (int d = input.Rank - spatial - 1; d < input.Rank; d++)
            if (input.Shape[d] == 0)
                throw new ArgumentException($"{op}: expected non-empty channel and spatial dimensions (only the batch may be 0), got shape {input.Shape}.");
        if (!input.DType.IsFloatingPoint())
            throw new ArgumentException($"{op}: expected a floating-point input, got {input.DType}.");
    }

    /// <summary>The input as planes [P, H, W] (a view when possible) and the leading dims.</summary>
    internal static (Tensor Planes, int[] Lead) AsPlanes(Tensor input, int spatial)
    {
        var dims = input.Shape.ToArray();
        var lead = dims[..^spatial];
        int planes = lead.Aggregate(1, (a, b) => a * b);
        int h = spatial == 2 ? dims[^2] : 1, w = dims[^1];
        return (input.Reshape(planes, h, w), lead);
    }

    private static Tensor FromPlanes(Tensor planes, int[] lead, int spatial) =>
        spatial == 2 ? planes.Reshape([.. lead, planes.Shape[1], planes.Shape[2]]) : planes.Reshape([.. lead, planes.Shape[2]]);

    /// <summary>Validated window geometry of one spatial dim and its output size.</summary>
    private static int PoolDim(int inSize, int kernel, int stride, int padding, int dilation, bool ceilMode, string dim, string op, Tensor input)
    {
        if (kernel <= 0) throw new ArgumentException($"{op}: kernel_size must be greater than zero, but got {kernel} along {dim} (input {input.Shape}).");
        if (stride <= 0) throw new ArgumentException($"{op}: stride must be greater than zero, but got {stride} along {dim}.");
        if (dilation <= 0) throw new ArgumentException($"{op}: dilation must be greater than zero, but got {dilation} along {dim}.");
        if (padding < 0 || padding > kernel / 2)
            throw new ArgumentException($"{op}: pad should be at least zero and at most half of kernel size, but got pad={padding}, kernel_size={kernel} along {dim}.");
        int o = ResampleTaps.PoolOutputSize(inSize, kernel, stride, padding, dilation, ceilMode);
        if (o < 1)
            throw new ArgumentException($"{op}: the kernel ({kernel}, dilation {dilation}) is larger than the padded input along {dim}: input {input.Shape}, padding {padding}, calculated output size {o} is too small.");
        return o;
    }

    private static (Tensor Output, Tensor? Indices) MaxPoolNd(Tensor input, int spatial, (int H, int W) k, (int H, int W) s, (int H, int W) p, (int H, int W) d,
        bool ceilMode, bool wantIndices, string op)
    {
        CheckPoolInput(input, spatial, op);
        var (planes, lead) = AsPlanes(input, spatial);
        int inH = planes.Shape[1], inW = planes.Shape[2];
        var th = ResampleTaps.Identity(1);
        if (spatial == 2)
        {
            int oh = PoolDim(inH, k.H, s.H, p.H, d.H, ceilMode, "height", op, input);
            th = ResampleTaps.MaxWindows(inH, oh, k.H, s.H, p.H, d.H);
        }
        int ow = PoolDim(inW, k.W, s.W, p.W, d.W, ceilMode, spatial == 2 ? "width" : "length", op, input);
        var tw = ResampleTaps.MaxWindows(inW, ow, k.W, s.W, p.W, d.W);
        if (Enumerable.Range(0, th.OutSize).Any(o => th.Start[o] == th.Start[o + 1]) || Enumerable.Range(0, tw.OutSize).Any(o => tw.Start[o] == tw.Start[o + 1]))
            throw new ArgumentException($"{op}: a pooling window covers only padding (dilation {d} skips every input element) for input {input.Shape}.");
        var (values, indices) = Tensor.MaxPoolPlanes(planes, th, tw, wantIndices, op);
        return (FromPlanes(values, lead, spatial), wantIndices ? FromPlanes(indices!, lead, spatial) : null);
    }

    /// <summary>
    /// torch.nn.functional.max_pool2d: y[n, c, i, j] = max over the window of input rows i*sH - pH + a*dH and columns
    /// j*sW - pW + b*dW (a &lt; kH, b &lt; kW) that lie inside the input (padding never wins). Output size per dim:
    /// floor((in + 2p - d(k-1) - 1) / s) + 1, or ceil with <paramref name="ceilMode"/> (a last window that would start
    /// in the right padding is dropped). Input [N, C, H, W] or [C, H, W]. Gradient: to the first maximum of each
    /// window (a NaN propagates: the last NaN wins, as PyTorch's CPU kernel). Sizes are one int (both dims) or two.
    /// </summary>
    /// <param name="input">Floating input [N, C, H, W] or [C, H, W].</param>
    /// <param name="kernelSize">Window (kH, kW).</param>
    /// <param name="stride">Step; default: kernelSize.</param>
    /// <param name="padding">Implicit -inf padding per side, at most half the kernel; default 0.</param>
    /// <param name="dilation">Spacing of window elements; default 1.</param>
    /// <param name="ceilMode">Ceil instead of floor in the output size.</param>
    /// <example><c>F.MaxPool2d(x, [2])</c> halves H and W.</example>
    /// <exception cref="ArgumentException">Wrong rank, empty dims, non-floating input, non-positive kernel/stride/dilation, padding above kernel/2, or an output size below 1 (kernel larger than the padded input).</exception>
    [Differentiable]
    public static Tensor MaxPool2d(Tensor input, int[] kernelSize, int[]? stride = null, int[]? padding = null, int[]? dilation = null, bool ceilMode = false) =>
        MaxPool2dCore(input, kernelSize, stride, padding, dilation, ceilMode, wantIndices: false).Output;

    /// <summary>torch.nn.functional.max_pool2d with one size for both dims (stride default: kernelSize).</summary>
    /// <exception cref="ArgumentException">As <see cref="MaxPool2d(Tensor, int[], int[], int[], int[], bool)"/>.</exception>
    [Differentiable]
    public static Tensor MaxPool2d(Tensor input, int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false) =>
        MaxPool2d(input, [kernelSize], [stride ?? kernelSize], [padding], [dilation], ceilMode);

    /// <summary>
    /// torch.nn.functional.max_pool2d_with_indices: <see cref="MaxPool2d(Tensor, int[], int[], int[], int[], bool)"/> and the
    /// Int64 position i * W + j of each maximum in its flattened input plane (the indices <see cref="MaxUnpool2d"/> takes).
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="MaxPool2d(Tensor, int[], int[], int[], int[], bool)"/>.</exception>
    [Differentiable]
    public static (Tensor Output, Tensor Indices) MaxPool2dWithIndices(Tensor input, int[] kernelSize, int[]? stride = null, int[]? padding = null,
        int[]? dilation = null, bool ceilMode = false)
    {
        var (y, i) = MaxPool2dCore(input, kernelSize, stride, padding, dilation, ceilMode, wantIndices: true);
        return (y, i!);
    }

    private static (Tensor Output, Tensor? Indices) MaxPool2dCore(Tensor input, int[] kernelSize, int[]? stride, int[]? padding, int[]? dilation,
        bool ceilMode, bool wantIndices)
    {
        const string op = "MaxPool2d";
        var k = Pair(kernelSize, default, "kernel_size", op);
        var s = stride is { Length: 0 } ? k : Pair(stride, k, "stride", op);
        return MaxPoolNd(input, 2, k, s, Pair(padding, (0, 0), "padding", op), Pair(dilation, (1, 1), "dilation", op), ceilMode, wantIndices, op);
    }

    /// <summary>torch.nn.functional.max_pool1d on [N, C, L] or [C, L]: the 1-D form of <see cref="MaxPool2d(Tensor, int[], int[], int[], int[], bool)"/>.</summary>
    /// <exception cref="ArgumentException">Wrong rank, bad window arguments, or an output length below 1.</exception>
    [Differentiable]
    public static Tensor MaxPool1d(Tensor input, int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false) =>
        MaxPoolNd(input, 1, (1, kernelSize), (1, stride ?? kernelSize), (0, padding), (1, dilation), ceilMode, false, "MaxPool1d").Output;

    /// <summary>torch.nn.functional.max_pool1d_with_indices: <see cref="MaxPool1d"/> and the Int64 position of each maximum along L.</summary>
    /// <exception cref="ArgumentException">As <see cref="MaxPool1d"/>.</exception>
    [Differentiable]
    public static (Tensor Output, Tensor Indices) MaxPool1dWithIndices(Tensor input, int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false)
    {
        var (y, i) = MaxPoolNd(input, 1, (1, kernelSize), (1, stride ?? kernelSize), (0, padding), (1, dilation), ceilMode, true, "MaxPool1d");
        return (y, i!);
    }

    /// <summary>
    /// torch.nn.functional.avg_pool2d: the mean of each kH x kW window (stride default kernelSize, zero padding at most
    /// kernel/2 per side). The divisor is <paramref name="divisorOverride"/> when given; otherwise the window size
    /// clipped to the padded input (<paramref name="countIncludePad"/>, the default) or to the input. With
    /// <paramref name="ceilMode"/> a last window that would start in the right padding is dropped. Input [N, C, H, W]
    /// or [C, H, W]. Gradient: each output gradient spread over its window with the same weights.
    /// </summary>
    /// <exception cref="ArgumentException">Wrong rank, non-floating input, bad window arguments, divisorOverride 0, or an output size below 1.</exception>
    [Differentiable]
    public static Tensor AvgPool2d(Tensor input, int[] kernelSize, int[]? stride = null, int[]? padding = null, bool ceilMode = false,
        bool countIncludePad = true, int? divisorOverride = null)
    {
        const string op = "AvgPool2d";
        var k = Pair(kernelSize, default, "kernel_size", op);
        var s = stride is { Length: 0 } ? k : Pair(stride, k, "stride", op);
        var p = Pair(padding, (0, 0), "padding", op);
        if (divisorOverride == 0) throw new ArgumentException($"{op}: divisor must be not zero.");
        CheckPoolInput(input, 2, op);
        var (planes, lead) = AsPlanes(input, 2);
        int oh = PoolDim(planes.Shape[1], k.H, s.H, p.H, 1, ceilMode, "height", op, input);
        int ow = PoolDim(planes.Shape[2], k.W, s.W, p.W, 1, ceilMode, "width", op, input);
        // A divisor override weighs the H taps 1/divisor and the W taps 1.
        var th = ResampleTaps.AvgWindows(planes.Shape[1], oh, k.H, s.H, p.H, countIncludePad, divisorOverride);
        var tw = ResampleTaps.AvgWindows(planes.Shape[2], ow, k.W, s.W, p.W, countIncludePad, divisorOverride is null ? null : 1);
        return FromPlanes(Tensor.ResamplePlanes(planes, th, tw, op), lead, 2);
    }

    /// <summary>torch.nn.functional.avg_pool2d with one size for both dims (stride default: kernelSize).</summary>
    /// <exception cref="ArgumentException">As <see cref="AvgPool2d(Tensor, int[], int[], int[], bool, bool, int?)"/>.</exception>
    [Differentiable]
    public static Tensor AvgPool2d(Tensor input, int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true,
        int? divisorOverride = null) =>
        AvgPool2d(input, [kernelSize], [stride ?? kernelSize], [padding], ceilMode, countIncludePad, divisorOverride);

    /// <summary>
    /// torch.nn.functional.avg_pool1d on [N, C, L] or [C, L]: the 1-D form of <see cref="AvgPool2d(Tensor, int[], int[], int[], bool, bool, int?)"/> (PyTorch's
    /// avg_pool1d has no divisor override).
    /// </summary>
    /// <exception cref="ArgumentException">Wrong rank, bad window arguments, or an output length below 1.</exception>
    [Differentiable]
    public static Tensor AvgPool1d(Tensor input, int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true)
    {
        const string op = "AvgPool1d";
        CheckPoolInput(input, 1, op);
        var (planes, lead) = AsPlanes(input, 1);
        int st = stride ?? kernelSize;
        int ow = PoolDim(planes.Shape[2], kernelSize, st, padding, 1, ceilMode, "length", op, input);
        var tw = ResampleTaps.AvgWindows(planes.Shape[2], ow, kernelSize, st, padding, countIncludePad);
        return FromPlanes(Tensor.ResamplePlanes(planes, ResampleTaps.Identity(1), tw, op), lead, 1);
    }

    /// <summary>
    /// PyTorch's _unpool_output_size: default (in - 1) * stride - 2 * padding + kernel per dim; a requested size (the last
    /// spatial entries of <paramref name="outputSize"/>) must lie strictly between default - stride and default + stride.
    /// </summary>
    private static int[] UnpoolSize(int[] inSizes, int[] k, int[] s, int[] p, int[]? outputSize, string op)
    {
        int n = inSizes.Length;
        var def = new int[n];
        for (int i = 0; i < n; i++) def[i] = (inSizes[i] - 1) * s[i] - 2 * p[i] + k[i];
        if (outputSize is null) return def;
        if (outputSize.Length != n && outputSize.Length != n + 1 && outputSize.Length != n + 2)
            throw new ArgumentException($"{op}: output_size must have {n} elements (or {n + 2} with batch and channels), got [{string.Join(", ", outputSize)}].");
        var o = outputSize[^n..];
        for (int i = 0; i < n; i++)
            if (o[i] <= def[i] - s[i] || o[i] >= def[i] + s[i])
                throw new ArgumentException($"{op}: invalid output_size [{string.Join(", ", outputSize)}] (dim {i} must be between {def[i] - s[i]} and {def[i] + s[i]}, exclusive).");
        return o;
    }

    private static Tensor MaxUnpoolNd(Tensor input, Tensor indices, int spatial, int[] k, int[] s, int[] p, int[]? outputSize, string op)
    {
        CheckPoolInput(input, spatial, op);
        if (indices.DType != DType.Int64 || indices.Shape != input.Shape)
            throw new ArgumentException($"{op}: indices must be Int64 with the input's shape {input.Shape}, got {indices.DType} {indices.Shape}.");
        var outSize = UnpoolSize(input.Shape.ToArray()[^spatial..], k, s, p, outputSize, op);
        if (outSize.Any(v => v <= 0)) throw new ArgumentException($"{op}: output size [{string.Join(", ", outSize)}] must be positive (input {input.Shape}).");
        int m = outSize.Aggregate(1, (a, b) => a * b);
        var lead = input.Shape.ToArray()[..^spatial];
        int planes = lead.Aggregate(1, (a, b) => a * b);
        int len = input.Numel() / Math.Max(planes, 1);
        var idx = indices.Reshape(planes, len);
        if (idx.Numel() > 0)
        {
            long lo = idx.Min().Item<long>(), hi = idx.Max().Item<long>();
            if (lo < 0 || hi >= m)
                throw new ArgumentException($"{op}: found an invalid max index {(lo < 0 ? lo : hi)} (output planes have {string.Join("x", outSize)} = {m} elements).");
        }
        var y = Tensor.ScatterPlanes(input.Reshape(planes, len), idx, m, accumulate: false, op);
        return y.Reshape([.. lead, .. outSize]);
    }

    /// <summary>
    /// torch.nn.functional.max_unpool2d: the partial inverse of <see cref="MaxPool2dWithIndices(Tensor, int[], int[], int[], int[], bool)"/>: a zero output of
    /// size (in - 1) * stride - 2 * padding + kernel per dim (or <paramref name="outputSize"/>, which may also list N
    /// and C first) with y.flatten(-2)[..., indices] = input. Gradient: the output gradient gathered at the indices.
    /// </summary>
    /// <exception cref="ArgumentException">Indices not Int64 of the input's shape, an index outside the output plane, or an outputSize out of range.</exception>
    [Differentiable]
    public static Tensor MaxUnpool2d(Tensor input, Tensor indices, int[] kernelSize, int[]? stride = null, int[]? padding = null, int[]? outputSize = null)
    {
        const string op = "MaxUnpool2d";
        var k = Pair(kernelSize, default, "kernel_size", op);
        var s = stride is { Length: 0 } ? k : Pair(stride, k, "stride", op);
        var p = Pair(padding, (0, 0), "padding", op);
        return MaxUnpoolNd(input, indices, 2, [k.H, k.W], [s.H, s.W], [p.H, p.W], outputSize, op);
    }

    /// <summary>torch.nn.functional.max_unpool1d: the 1-D form of <see cref="MaxUnpool2d"/>, for indices from <see cref="MaxPool1dWithIndices"/>.</summary>
    /// <exception cref="ArgumentException">As <see cref="MaxUnpool2d"/>.</exception>
    [Differentiable]
    public static Tensor MaxUnpool1d(Tensor input, Tensor indices, int kernelSize, int? stride = null, int padding = 0, int[]? outputSize = null) =>
        MaxUnpoolNd(input, indices, 1, [kernelSize], [stride ?? kernelSize], [padding], outputSize, "MaxUnpool1d");
}

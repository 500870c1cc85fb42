using Lantern.Kernels;

namespace Lantern.NN;

// Interpolation (torch.nn.functional.interpolate) for 3-D [N, C, L] and 4-D [N, C, H, W] inputs: every mode is
// separable, so it is one resample of planes by per-dim taps built with PyTorch's index arithmetic.
public static partial class F
{
    private static readonly string[] s_interpModes = ["nearest", "nearest-exact", "linear", "bilinear", "bicubic", "area"];

    /// <summary>
    /// torch.nn.functional.interpolate (antialias false) for 3-D [N, C, L] and 4-D [N, C, H, W] inputs.
    /// <para>Exactly one of <paramref name="size"/> (the output spatial size) and <paramref name="scaleFactor"/> is given;
    /// either has one entry (all dims) or one per spatial dim. With a scale factor the output size is
    /// floor(in * scale); the source position of output o then uses 1/scale (PyTorch passes the scale to its kernel),
    /// unless <paramref name="recomputeScaleFactor"/> is true, which uses in/out as for an explicit size.</para>
    /// <para>Modes: "nearest" reads floor(o * scale) (PyTorch's legacy, OpenCV INTER_NEAREST rule, capped at in - 1);
    /// "nearest-exact" reads floor((o + 0.5) * scale); "linear" (3-D), "bilinear" (4-D) and "bicubic" (4-D; Keys'
    /// kernel with A = -0.75, border pixels replicated) interpolate at s = scale * (o + 0.5) - 0.5 (clamped at 0 except
    /// bicubic), or at s = o * (in - 1) / (out - 1) with <paramref name="alignCorners"/>; "area" is adaptive average
    /// pooling. alignCorners (default false) is allowed only for linear, bilinear and bicubic.</para>
    /// <para>Gradient: the transpose of the same (linear) resampling, itself differentiable. Two PyTorch CPU quirks are
    /// not copied: for "nearest" with a scale factor that is not recomputed and an output of exactly in or 2 * in,
    /// PyTorch's backward (and its channels-last forward, taken for C = 1) uses the shortcut index o or o / 2 while its
    /// generic forward uses floor(o / scale), so its gradient there is not the adjoint of its forward; Lantern always
    /// follows the generic forward and its exact adjoint. Index arithmetic runs in float for float32 data, as PyTorch's.</para>
    /// </summary>
    /// <example><c>F.Interpolate(x, scaleFactor: [2.0], mode: "bilinear")</c> doubles H and W.</example>
    /// <exception cref="ArgumentException">Both or neither of size/scaleFactor, a wrong number of entries, an unknown mode, a
    /// mode that does not fit the rank, alignCorners with a nearest/area mode, recomputeScaleFactor with a size, a
    /// non-positive output size, or a non-floating input.</exception>
    [Differentiable]
    public static Tensor Interpolate(Tensor input, int[]? size = null, double[]? scaleFactor = null, string mode = "nearest", bool? alignCorners = null,
        bool? recomputeScaleFactor = null)
    {
        const string op = "Interpolate";
        if (!s_interpModes.Contains(mode))
            throw new ArgumentException($"{op}: unknown mode '{mode}'; expected one of {string.Join(", ", s_interpModes.Select(m => $"'{m}'"))}.");
        if (input.Rank != 3 && input.Rank != 4)
            throw new ArgumentException($"{op}: expected a 3-D [N, C, L] or 4-D [N, C, H, W] input, got shape {input.Shape} (mode '{mode}').");
        int spatial = input.Rank - 2;
        if (mode == "linear" && spatial != 1) throw new ArgumentException($"{op}: got {input.Rank}D input, but linear mode needs 3D input (shape {input.Shape}).");
        if (mode is "bilinear" or "bicubic" && spatial != 2) throw new ArgumentException($"{op}: got {input.Rank}D input, but {mode} mode needs 4D input (shape {input.Shape}).");
        bool interpolating = mode is "linear" or "bilinear" or "bicubic";
        if (alignCorners is not null && !interpolating)
            throw new ArgumentException($"{op}: align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic (got mode '{mode}').");
        if (!input.DType.IsFloatingPoint()) throw new ArgumentException($"{op}: expected a floating-point input, got {input.DType}.");
        if ((size is null) == (scaleFactor is null))
            throw new ArgumentException($"{op}: {(size is null ? "either size or scale_factor should be defined" : "only one of size or scale_factor should be defined")}.");
        var inSizes = input.Shape.ToArray()[2..];
        var outSizes = new int[spatial];
        var scales = new double?[spatial];
        if (size is not null)
        {
            if (recomputeScaleFactor == true) throw new ArgumentException($"{op}: recompute_scale_factor is not meaningful with an explicit size.");
            if (size.Length != 1 && size.Length != spatial)
                throw new ArgumentException($"{op}: size shape must match input shape. Input is {spatial}D, size is {size.Length} ([{string.Join(", ", size)}]).");
            for (int i = 0; i < spatial; i++) outSizes[i] = size.Length == 1 ? size[0] : size[i];
        }
        else
        {
            if (scaleFactor!.Length != 1 && scaleFactor.Length != spatial)
                throw new ArgumentException($"{op}: scale_factor shape must match input shape. Input is {spatial}D, scale_factor is {scaleFactor.Length} ([{string.Join(", ", scaleFactor)}]).");
            for (int i = 0; i < spatial; i++)
            {
                double sc = scaleFactor.Length == 1 ? scaleFactor[0] : scaleFactor[i];
                outSizes[i] = (int)Math.Floor(inSizes[i] * sc);
                if (recomputeScaleFactor != true) scales[i] = sc;
            }
        }
        if (inSizes.Any(v => v <= 0) || outSizes.Any(v => v <= 0))
            throw new ArgumentException($"{op}: input and output sizes should be greater than 0, but got input [{string.Join(", ", inSizes)}] and output [{string.Join(", ", outSizes)}].");
        if (mode == "area") return spatial == 1 ? AdaptiveAvgPool1d(input, outSizes[0]) : AdaptiveAvgPool2d(input, [outSizes[0], outSizes[1]]);

        bool align = alignCorners ?? false;
        bool single = input.DType == DType.Float32;
        ResampleTaps Taps(int i) => mode switch
        {
            "nearest" => ResampleTaps.Nearest(inSizes[i], outSizes[i], scales[i], exact: false, single),
            "nearest-exact" => ResampleTaps.Nearest(inSizes[i], outSizes[i], scales[i], exact: true, single),
            "bicubic" => ResampleTaps.Cubic(inSizes[i], outSizes[i], align, scales[i], single),
            _ => ResampleTaps.Linear(inSizes[i], outSizes[i], align, scales[i], single),
        };
        var th = spatial == 2 ? Taps(0) : ResampleTaps.Identity(1);
        var tw = Taps(spatial - 1);
        var (planes, lead) = AsPlanes(input, spatial);
        return FromPlanes(Tensor.ResamplePlanes(planes, th, tw, op), lead, spatial);
    }
}

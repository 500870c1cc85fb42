namespace Lantern.NN;

/// <summary>torch.nn.AdaptiveAvgPool2d: <see cref="F.AdaptiveAvgPool2d(Tensor, int?[])"/> to a fixed output size (null entries keep the input size).</summary>
public sealed class AdaptiveAvgPool2d : Module<Tensor, Tensor>
{
    private readonly string _repr;

    /// <summary>An oS x oS output.</summary>
    public AdaptiveAvgPool2d(int outputSize) => (OutputSize, _repr) = ([outputSize], outputSize.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>An output of [oH, oW] (one entry: both dims; null: keep the input size).</summary>
    public AdaptiveAvgPool2d(int?[] outputSize) => (OutputSize, _repr) = ((int?[])outputSize.Clone(), AdaptivePoolRepr.Format(outputSize));

    /// <summary>Requested output size.</summary>
    public int?[] OutputSize { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.AdaptiveAvgPool2d(input, OutputSize);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"output_size={_repr}";
}

/// <summary>torch.nn.AdaptiveMaxPool2d: <see cref="F.AdaptiveMaxPool2d(Tensor, int?[])"/>; <see cref="ForwardWithIndices"/> is return_indices=True.</summary>
public sealed class AdaptiveMaxPool2d : Module<Tensor, Tensor>
{
    private readonly string _repr;

    /// <summary>An oS x oS output.</summary>
    public AdaptiveMaxPool2d(int outputSize) => (OutputSize, _repr) = ([outputSize], outputSize.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>An output of [oH, oW] (one entry: both dims; null: keep the input size).</summary>
    public AdaptiveMaxPool2d(int?[] outputSize) => (OutputSize, _repr) = ((int?[])outputSize.Clone(), AdaptivePoolRepr.Format(outputSize));

    /// <summary>Requested output size.</summary>
    public int?[] OutputSize { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.AdaptiveMaxPool2d(input, OutputSize);

    /// <summary>The pooled output and the Int64 positions of the maxima in each flattened input plane.</summary>
    public (Tensor Output, Tensor Indices) ForwardWithIndices(Tensor input) => F.AdaptiveMaxPool2dWithIndices(input, OutputSize);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"output_size={_repr}";
}

/// <summary>torch.nn.AdaptiveAvgPool1d: <see cref="F.AdaptiveAvgPool1d"/> on [N, C, L] or [C, L].</summary>
public sealed class AdaptiveAvgPool1d(int outputSize) : Module<Tensor, Tensor>
{
    /// <summary>Output length.</summary>
    public int OutputSize { get; } = outputSize;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.AdaptiveAvgPool1d(input, OutputSize);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"output_size={OutputSize}";
}

/// <summary>torch.nn.AdaptiveMaxPool1d: <see cref="F.AdaptiveMaxPool1d"/>; <see cref="ForwardWithIndices"/> is return_indices=True.</summary>
public sealed class AdaptiveMaxPool1d(int outputSize) : Module<Tensor, Tensor>
{
    /// <summary>Output length.</summary>
    public int OutputSize { get; } = outputSize;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.AdaptiveMaxPool1d(input, OutputSize);

    /// <summary>The pooled output and the Int64 positions of the maxima along L.</summary>
    public (Tensor Output, Tensor Indices) ForwardWithIndices(Tensor input) => F.AdaptiveMaxPool1dWithIndices(input, OutputSize);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"output_size={OutputSize}";
}

/// <summary>
/// Global average pooling: [N, C, H, W] (or [C, H, W]) to [N, C, 1, 1], the mean of each channel plane. The same as
/// <c>new AdaptiveAvgPool2d(1)</c> (PyTorch has no separate module); follow with <c>Flatten(1)</c> for [N, C].
/// </summary>
public sealed class GlobalAvgPool2d : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.AdaptiveAvgPool2d(input, 1);
}

/// <summary>
/// Global max pooling: [N, C, H, W] (or [C, H, W]) to [N, C, 1, 1], the maximum of each channel plane. The same as
/// <c>new AdaptiveMaxPool2d(1)</c>; follow with <c>Flatten(1)</c> for [N, C].
/// </summary>
public sealed class GlobalMaxPool2d : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.AdaptiveMaxPool2d(input, 1);
}

/// <summary>
/// Spatial pyramid pooling (He et al., "Spatial Pyramid Pooling in Deep Convolutional Networks for Visual
/// Recognition", 2014): for each level l the input [N, C, H, W] is pooled to an l x l grid, flattened per sample
/// (channel-major: index c * l² + i * l + j), and the levels are concatenated in order, giving a fixed-length
/// [N, C * sum(l²)] vector for any H, W (an unbatched [C, H, W] gives [C * sum(l²)]).
/// <para>Bins: adaptive pooling bins, row i covering input rows [floor(i H / l), ceil((i+1) H / l)) and likewise for
/// columns, so every input pixel lies in some bin and neighbouring bins overlap by at most one pixel when l does not
/// divide the size. (The paper's window ceil(H / l) with stride floor(H / l) can leave the last rows uncovered or need
/// padding when H &lt; l; adaptive bins are defined for every H &gt;= 1.)</para>
/// </summary>
public sealed class SpatialPyramidPooling : Module<Tensor, Tensor>
{
    /// <summary>A pyramid with the given levels (default [1, 2, 4]) and pooling mode "max" (the paper's) or "avg".</summary>
    /// <exception cref="ArgumentException">No levels, a level below 1, or an unknown mode.</exception>
    public SpatialPyramidPooling(int[]? levels = null, string mode = "max")
    {
        Levels = (int[])(levels ?? [1, 2, 4]).Clone();
        if (Levels.Length == 0 || Levels.Any(l => l < 1))
            throw new ArgumentException($"SpatialPyramidPooling: levels must be a non-empty list of sizes >= 1, got [{string.Join(", ", Levels)}].");
        if (mode is not ("max" or "avg")) throw new ArgumentException($"SpatialPyramidPooling: mode must be 'max' or 'avg', got '{mode}'.");
        Mode = mode;
    }

    /// <summary>Grid sizes, one per pyramid level.</summary>
    public int[] Levels { get; }

    /// <summary>"max" or "avg".</summary>
    public string Mode { get; }

    /// <summary>Length of the output vector for <paramref name="channels"/> input channels: C * sum(l²).</summary>
    public int OutputFeatures(int channels) => channels * Levels.Sum(l => l * l);

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">Not a 3-D or 4-D floating input.</exception>
    public override Tensor Forward(Tensor input)
    {
        F.CheckPoolInput(input, 2, "SpatialPyramidPooling");
        bool batched = input.Rank == 4;
        var x = batched ? input : input.Unsqueeze(0);
        var parts = Levels.Select(l => (Mode == "max" ? F.AdaptiveMaxPool2d(x, l) : F.AdaptiveAvgPool2d(x, l)).Flatten(1)).ToArray();
        var y = parts.Length == 1 ? parts[0] : Tensor.Cat(parts, 1);
        return batched ? y : y.Squeeze(0);
    }

    /// <inheritdoc/>
    public override string ExtraRepr() => $"levels={Py(Levels)}, mode={Py(Mode)}";
}

internal static class AdaptivePoolRepr
{
    /// <summary>Python repr of an output size given as a tuple: "(5, 7)", "(None, 7)", "(5,)".</summary>
    public static string Format(int?[] v) =>
        v.Length == 1 ? $"({v[0]?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "None"},)"
            : "(" + string.Join(", ", v.Select(x => x?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "None")) + ")";
}

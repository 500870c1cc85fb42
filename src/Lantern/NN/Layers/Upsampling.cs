using System.Globalization;

namespace Lantern.NN;

/// <summary>
/// torch.nn.Upsample: <see cref="F.Interpolate"/> with a fixed size or scale factor, mode ("nearest" default,
/// "nearest-exact", "linear", "bilinear", "bicubic", "area"), alignCorners and recomputeScaleFactor.
/// </summary>
public class Upsample : Module<Tensor, Tensor>
{
    /// <summary>An upsampler; exactly one of size and scaleFactor should be given (checked on forward, as PyTorch).</summary>
    public Upsample(int[]? size = null, double[]? scaleFactor = null, string mode = "nearest", bool? alignCorners = null, bool? recomputeScaleFactor = null)
    {
        Size = size is null ? null : (int[])size.Clone();
        ScaleFactor = scaleFactor is null ? null : (double[])scaleFactor.Clone();
        Mode = mode;
        AlignCorners = alignCorners;
        RecomputeScaleFactor = recomputeScaleFactor;
    }

    /// <summary>Output spatial size, or null.</summary>
    public int[]? Size { get; }

    /// <summary>Scale factors (one or one per spatial dim), or null.</summary>
    public double[]? ScaleFactor { get; }

    /// <summary>Interpolation mode.</summary>
    public string Mode { get; }

    /// <summary>Corner alignment for linear modes (null: default false).</summary>
    public bool? AlignCorners { get; }

    /// <summary>Whether the source index uses in/out instead of 1/scaleFactor.</summary>
    public bool? RecomputeScaleFactor { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Interpolate(input, Size, ScaleFactor, Mode, AlignCorners, RecomputeScaleFactor);

    /// <inheritdoc/>
    public override string ExtraRepr()
    {
        static string Num(double d) => Py(d);
        string info = ScaleFactor is not null
            ? "scale_factor=" + (ScaleFactor.Length == 1 ? Num(ScaleFactor[0]) : "(" + string.Join(", ", ScaleFactor.Select(Num)) + ")")
            : "size=" + (Size is null ? "None" : Size.Length == 1 ? Size[0].ToString(CultureInfo.InvariantCulture) : Py(Size));
        return info + ", mode=" + Py(Mode);
    }
}

/// <summary>torch.nn.UpsamplingNearest2d: <see cref="Upsample"/> with mode "nearest" (4-D input).</summary>
public sealed class UpsamplingNearest2d(int[]? size = null, double[]? scaleFactor = null) : Upsample(size, scaleFactor, "nearest");

/// <summary>torch.nn.UpsamplingBilinear2d: <see cref="Upsample"/> with mode "bilinear" and alignCorners true (4-D input).</summary>
public sealed class UpsamplingBilinear2d(int[]? size = null, double[]? scaleFactor = null) : Upsample(size, scaleFactor, "bilinear", alignCorners: true);

/// <summary>torch.nn.PixelShuffle: <see cref="F.PixelShuffle"/>, [*, C r², H, W] -> [*, C, H r, W r].</summary>
public sealed class PixelShuffle(int upscaleFactor) : Module<Tensor, Tensor>
{
    /// <summary>r.</summary>
    public int UpscaleFactor { get; } = upscaleFactor;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.PixelShuffle(input, UpscaleFactor);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"upscale_factor={UpscaleFactor}";
}

/// <summary>torch.nn.PixelUnshuffle: <see cref="F.PixelUnshuffle"/>, [*, C, H r, W r] -> [*, C r², H, W].</summary>
public sealed class PixelUnshuffle(int downscaleFactor) : Module<Tensor, Tensor>
{
    /// <summary>r.</summary>
    public int DownscaleFactor { get; } = downscaleFactor;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.PixelUnshuffle(input, DownscaleFactor);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"downscale_factor={DownscaleFactor}";
}

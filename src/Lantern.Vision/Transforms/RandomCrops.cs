namespace Lantern.Vision.Transforms;

/// <summary>
/// A random crop (torchvision.transforms.v2.RandomCrop): optional <c>padding</c> first (1, 2 or 4 values, with
/// <c>fill</c> / <c>paddingMode</c>); with <c>padIfNeeded</c> a side shorter than the crop is padded by the
/// difference on both sides; then top = randint(0, H - h + 1) and left = randint(0, W - w + 1), drawn in that order.
/// </summary>
public sealed class RandomCrop : RandomTransform
{
    private readonly int _h, _w;
    private readonly int[]? _padding;
    private readonly bool _padIfNeeded;
    private readonly double _fill;
    private readonly PaddingMode _mode;

    /// <summary>A (height, width) crop.</summary>
    /// <exception cref="ArgumentException">A non-positive size or an invalid padding.</exception>
    public RandomCrop(int height, int width, int[]? padding = null, bool padIfNeeded = false, double fill = 0,
        PaddingMode paddingMode = PaddingMode.Constant, Generator? generator = null) : base(generator)
    {
        if (height <= 0 || width <= 0) throw new ArgumentException($"RandomCrop: size must be positive, got {height}x{width}.");
        if (padding != null) TF.PadSides(padding, "RandomCrop");
        (_h, _w, _padding, _padIfNeeded, _fill, _mode) = (height, width, padding, padIfNeeded, fill, paddingMode);
    }

    /// <summary>A square crop.</summary>
    public RandomCrop(int size, int[]? padding = null, bool padIfNeeded = false, double fill = 0,
        PaddingMode paddingMode = PaddingMode.Constant, Generator? generator = null)
        : this(size, size, padding, padIfNeeded, fill, paddingMode, generator) { }

    /// <summary>
    /// The padding (left, top, right, bottom) and the crop's top-left corner in the padded image for an image of
    /// <paramref name="height"/> x <paramref name="width"/>, drawn from <paramref name="generator"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The crop is larger than the padded image.</exception>
    public ((int L, int T, int R, int B) Padding, int Top, int Left) GetParams(int height, int width, Generator generator)
    {
        var (l, t, r, b) = _padding is null ? (0, 0, 0, 0) : TF.PadSides(_padding, "RandomCrop");
        int ph = height + t + b, pw = width + l + r;
        if (_padIfNeeded && pw < _w) { int d = _w - pw; l += d; r += d; pw += 2 * d; }
        if (_padIfNeeded && ph < _h) { int d = _h - ph; t += d; b += d; ph += 2 * d; }
        if (ph < _h || pw < _w)
            throw new ArgumentException($"RandomCrop: required crop size ({_h}, {_w}) is larger than the (padded) input image size ({ph}, {pw}).");
        int top = Draw.Int(generator, 0, ph - _h + 1), left = Draw.Int(generator, 0, pw - _w + 1);
        return ((l, t, r, b), top, left);
    }

    /// <inheritdoc/>
    public override Tensor Apply(Tensor image)
    {
        CheckImage(image, "RandomCrop");
        var ((l, t, r, b), top, left) = GetParams(image.Shape[-2], image.Shape[-1], Rng);
        var padded = l + t + r + b > 0 ? TF.Pad(image, [l, t, r, b], _fill, _mode) : image;
        return TF.Crop(padded, top, left, _h, _w);
    }

    /// <inheritdoc/>
    protected override string Repr() => $"size=({_h}, {_w})" + (_padding is null ? "" : $", padding=[{string.Join(", ", _padding)}]") +
        (_padIfNeeded ? ", pad_if_needed=True" : "") + $", fill={Fmt(_fill)}, padding_mode={_mode.ToString().ToLowerInvariant()}";
}

/// <summary>
/// A random area/aspect crop resized to a fixed size (torchvision.transforms.v2.RandomResizedCrop). Up to 10 attempts:
/// target area = H W U(scale), aspect = exp(U(log ratio)), w = round(sqrt(area * aspect)), h = round(sqrt(area / aspect));
/// the first with 0 &lt; w &lt;= W and 0 &lt; h &lt;= H takes top = randint(0, H - h + 1), left = randint(0, W - w + 1).
/// Otherwise the central crop of the whole image clamped to the ratio range. Rounding as Python's round (half to even).
/// </summary>
public sealed class RandomResizedCrop : RandomTransform
{
    private readonly int[] _size;
    private readonly (double Lo, double Hi) _scale, _ratio;
    private readonly InterpolationMode _mode;

    /// <summary>Output (height, width); scale default (0.08, 1), ratio default (3/4, 4/3).</summary>
    /// <exception cref="ArgumentException">A non-positive size, or a scale / ratio range with lo &gt; hi.</exception>
    public RandomResizedCrop(int height, int width, (double Lo, double Hi)? scale = null, (double Lo, double Hi)? ratio = null,
        InterpolationMode interpolation = InterpolationMode.Bilinear, Generator? generator = null) : base(generator)
    {
        if (height <= 0 || width <= 0) throw new ArgumentException($"RandomResizedCrop: size must be positive, got {height}x{width}.");
        _scale = scale ?? (0.08, 1.0);
        _ratio = ratio ?? (3.0 / 4.0, 4.0 / 3.0);
        if (_scale.Lo > _scale.Hi || _ratio.Lo > _ratio.Hi || _ratio.Lo <= 0 || _scale.Lo < 0)
            throw new ArgumentException($"RandomResizedCrop: scale and ratio should be of kind (min, max) with positive ratios, got scale ({_scale.Lo}, {_scale.Hi}), ratio ({_ratio.Lo}, {_ratio.Hi}).");
        _size = [height, width];
        _mode = interpolation;
    }

    /// <summary>A square output.</summary>
    public RandomResizedCrop(int size, (double Lo, double Hi)? scale = null, (double Lo, double Hi)? ratio = null,
        InterpolationMode interpolation = InterpolationMode.Bilinear, Generator? generator = null)
        : this(size, size, scale, ratio, interpolation, generator) { }

    /// <summary>The crop (top, left, height, width) for an image of <paramref name="height"/> x <paramref name="width"/>.</summary>
    public (int Top, int Left, int Height, int Width) GetParams(int height, int width, Generator generator) =>
        GetParams(height, width, _scale, _ratio, generator);

    /// <summary>torchvision's RandomResizedCrop.get_params (10 attempts, then the central fallback).</summary>
    public static (int Top, int Left, int Height, int Width) GetParams(int height, int width, (double Lo, double Hi) scale, (double Lo, double Hi) ratio, Generator generator)
    {
        double area = (double)height * width;
        double logLo = Math.Log(ratio.Lo), logHi = Math.Log(ratio.Hi);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double target = area * Draw.Uniform(generator, scale.Lo, scale.Hi);
            double aspect = Math.Exp(Draw.Uniform(generator, logLo, logHi));
            int w = (int)Math.Round(Math.Sqrt(target * aspect), MidpointRounding.ToEven);
            int h = (int)Math.Round(Math.Sqrt(target / aspect), MidpointRounding.ToEven);
            if (0 < w && w <= width && 0 < h && h <= height)
            {
                int i = Draw.Int(generator, 0, height - h + 1);
                int j = Draw.Int(generator, 0, width - w + 1);
                return (i, j, h, w);
            }
        }
        double inRatio = (double)width / height;
        int fw, fh;
        if (inRatio < ratio.Lo) { fw = width; fh = (int)Math.Round(fw / ratio.Lo, MidpointRounding.ToEven); }
        else if (inRatio > ratio.Hi) { fh = height; fw = (int)Math.Round(fh * ratio.Hi, MidpointRounding.ToEven); }
        else { fw = width; fh = height; }
        return ((height - fh) / 2, (width - fw) / 2, fh, fw);
    }

    /// <inheritdoc/>
    public override Tensor Apply(Tensor image)
    {
        CheckImage(image, "RandomResizedCrop");
        var (top, left, h, w) = GetParams(image.Shape[-2], image.Shape[-1], Rng);
        return TF.ResizedCrop(image, top, left, h, w, _size, _mode);
    }

    /// <inheritdoc/>
    protected override string Repr() => $"size=({_size[0]}, {_size[1]}), scale=({Fmt(_scale.Lo)}, {Fmt(_scale.Hi)}), ratio=({Fmt(_ratio.Lo)}, {Fmt(_ratio.Hi)}), interpolation={_mode}, antialias=False";
}

namespace Lantern.Vision.Transforms;

/// <summary>
/// Random brightness, contrast, saturation and hue (torchvision.transforms.v2.ColorJitter). Each call draws the
/// order fn_idx = randperm(4), then, for each enabled adjustment in the order brightness, contrast, saturation, hue,
/// a factor ~ U(lo, hi); the adjustments are applied in fn_idx order (0 brightness, 1 contrast, 2 saturation, 3 hue).
/// One number v means (max(0, 1 - v), 1 + v) for the first three and (-v, v) for hue (v &lt;= 0.5); an adjustment
/// whose range is (1, 1) (or (0, 0) for hue) is disabled.
/// </summary>
public sealed class ColorJitter : RandomTransform
{
    private readonly (double Lo, double Hi)? _b, _c, _s, _h;

    /// <summary>Jitter strengths (0: off).</summary>
    /// <exception cref="ArgumentException">A negative value, or hue above 0.5.</exception>
    public ColorJitter(double brightness = 0, double contrast = 0, double saturation = 0, double hue = 0, Generator? generator = null)
        : this(Around1(brightness, "brightness"), Around1(contrast, "contrast"), Around1(saturation, "saturation"), Hue(hue), generator) { }

    /// <summary>Explicit factor ranges (null: off).</summary>
    /// <exception cref="ArgumentException">A range with lo &gt; hi, a negative lower bound, or a hue range outside [-0.5, 0.5].</exception>
    public ColorJitter((double Lo, double Hi)? brightness, (double Lo, double Hi)? contrast, (double Lo, double Hi)? saturation, (double Lo, double Hi)? hue,
        Generator? generator = null) : base(generator)
    {
        _b = Check(brightness, "brightness", 1, 0, double.PositiveInfinity);
        _c = Check(contrast, "contrast", 1, 0, double.PositiveInfinity);
        _s = Check(saturation, "saturation", 1, 0, double.PositiveInfinity);
        _h = Check(hue, "hue", 0, -0.5, 0.5);
    }

    private static (double, double)? Around1(double v, string name) =>
        v >= 0 ? (Math.Max(0, 1 - v), 1 + v) : throw new ArgumentException($"ColorJitter: if {name} is a single number, it must be non negative, got {v}.");

    private static (double, double)? Hue(double v) =>
        v >= 0 ? (-v, v) : throw new ArgumentException($"ColorJitter: if hue is a single number, it must be non negative, got {v}.");

    private static (double Lo, double Hi)? Check((double Lo, double Hi)? range, string name, double center, double min, double max)
    {
        if (range is not { } r) return null;
        if (!(min <= r.Lo && r.Lo <= r.Hi && r.Hi <= max))
            throw new ArgumentException($"ColorJitter: {name} values should be between {min} and {max} with min <= max, got ({r.Lo}, {r.Hi}).");
        return r.Lo == center && r.Hi == center ? null : r;
    }

    /// <summary>The order and the factors (null when disabled), drawn as torchvision's get_params.</summary>
    public (int[] Order, double? Brightness, double? Contrast, double? Saturation, double? Hue) GetParams(Generator generator)
    {
        var order = Tensor.RandPerm(4, generator: generator).ToArray<long>().Select(v => (int)v).ToArray();
        double? Factor((double Lo, double Hi)? r) => r is { } x ? Draw.Uniform(generator, x.Lo, x.Hi) : null;
        var b = Factor(_b);
        var c = Factor(_c);
        var s = Factor(_s);
        var h = Factor(_h);
        return (order, b, c, s, h);
    }

    /// <inheritdoc/>
    public override Tensor Apply(Tensor image)
    {
        CheckImage(image, "ColorJitter");
        var (order, b, c, s, h) = GetParams(Rng);
        foreach (int fn in order)
            image = fn switch
            {
                0 when b is { } f => TF.AdjustBrightness(image, f),
                1 when c is { } f => TF.AdjustContrast(image, f),
                2 when s is { } f => TF.AdjustSaturation(image, f),
                3 when h is { } f => TF.AdjustHue(image, f),
                _ => image,
            };
        return image;
    }

    /// <inheritdoc/>
    protected override string Repr()
    {
        static string R((double Lo, double Hi)? r) => r is { } x ? $"({Fmt(x.Lo)}, {Fmt(x.Hi)})" : "None";
        return $"brightness={R(_b)}, contrast={R(_c)}, saturation={R(_s)}, hue={R(_h)}";
    }
}

/// <summary>
/// Gaussian blur with sigma ~ U(sigma range), the same for x and y (torchvision.transforms.v2.GaussianBlur;
/// see <see cref="TF.GaussianBlur"/>). Default sigma range (0.1, 2.0).
/// </summary>
public sealed class GaussianBlur : RandomTransform
{
    private readonly (int X, int Y) _kernel;
    private readonly (double Lo, double Hi) _sigma;

    /// <summary>kernelSize: (x, y) odd positive sizes.</summary>
    /// <exception cref="ArgumentException">Even or non-positive kernel sizes, or a sigma range that is not 0 &lt; lo &lt;= hi.</exception>
    public GaussianBlur((int X, int Y) kernelSize, (double Lo, double Hi)? sigma = null, Generator? generator = null) : base(generator)
    {
        if (kernelSize.X <= 0 || kernelSize.Y <= 0 || kernelSize.X % 2 == 0 || kernelSize.Y % 2 == 0)
            throw new ArgumentException($"GaussianBlur: kernel size value should be an odd and positive number, got ({kernelSize.X}, {kernelSize.Y}).");
        _sigma = sigma ?? (0.1, 2.0);
        if (!(0 < _sigma.Lo && _sigma.Lo <= _sigma.Hi))
            throw new ArgumentException($"GaussianBlur: sigma values should be positive and of the form (min, max), got ({_sigma.Lo}, {_sigma.Hi}).");
        _kernel = kernelSize;
    }

    /// <summary>A square kernel.</summary>
    public GaussianBlur(int kernelSize, (double Lo, double Hi)? sigma = null, Generator? generator = null) : this((kernelSize, kernelSize), sigma, generator) { }

    /// <summary>sigma = torch.empty(1).uniform_(lo, hi).</summary>
    public double GetParams(Generator generator) => Draw.Uniform(generator, _sigma.Lo, _sigma.Hi);

    /// <inheritdoc/>
    public override Tensor Apply(Tensor image)
    {
        double s = GetParams(Rng);
        return TF.GaussianBlur(image, _kernel, (s, s));
    }

    /// <inheritdoc/>
    protected override string Repr() => $"kernel_size=({_kernel.X}, {_kernel.Y}), sigma=({Fmt(_sigma.Lo)}, {Fmt(_sigma.Hi)})";
}

/// <summary>
/// Erases a random rectangle with probability p (torchvision.transforms.v2.RandomErasing, Zhong et al. 2017): when
/// torch.rand(1) &lt; p, up to 10 attempts draw area = H W U(scale), aspect = exp(U(log ratio)),
/// h = round(sqrt(area * aspect)), w = round(sqrt(area / aspect)); the first with h &lt; H and w &lt; W draws the value
/// (standard normal [C, h, w] when <c>randomValue</c>), then top = randint(0, H - h + 1), left = randint(0, W - w + 1),
/// and erases; if no attempt fits the image is unchanged.
/// </summary>
public sealed class RandomErasing : RandomTransform
{
    private readonly double _p;
    private readonly (double Lo, double Hi) _scale, _ratio;
    private readonly double[] _value;
    private readonly bool _random;

    /// <summary>p default 0.5, scale (0.02, 0.33), ratio (0.3, 3.3), value 0 (one value or one per channel), or randomValue.</summary>
    /// <exception cref="ArgumentException">p outside [0, 1], a scale outside [0, 1] or ratio not positive, lo &gt; hi, or an empty value.</exception>
    public RandomErasing(double p = 0.5, (double Lo, double Hi)? scale = null, (double Lo, double Hi)? ratio = null, double[]? value = null,
        bool randomValue = false, Generator? generator = null) : base(generator)
    {
        _p = RandomHorizontalFlip.CheckP(p, "RandomErasing");
        _scale = scale ?? (0.02, 0.33);
        _ratio = ratio ?? (0.3, 3.3);
        if (_scale.Lo > _scale.Hi || _ratio.Lo > _ratio.Hi) throw new ArgumentException("RandomErasing: scale and ratio should be of kind (min, max).");
        if (_scale.Lo < 0 || _scale.Hi > 1) throw new ArgumentException($"RandomErasing: scale should be between 0 and 1, got ({_scale.Lo}, {_scale.Hi}).");
        if (_ratio.Lo <= 0) throw new ArgumentException($"RandomErasing: ratio should be positive, got ({_ratio.Lo}, {_ratio.Hi}).");
        _value = value ?? [0];
        if (_value.Length == 0) throw new ArgumentException("RandomErasing: value must have at least one element.");
        _random = randomValue;
    }

    /// <summary>
    /// The erased window and its value for a [C, H, W] image, or null when no attempt fit (the p test is not part of
    /// this; see <see cref="Apply"/>).
    /// </summary>
    public (int Top, int Left, int Height, int Width, Tensor Value)? GetParams(int channels, int height, int width, Generator generator)
    {
        if (!_random && _value.Length != 1 && _value.Length != channels)
            throw new ArgumentException($"RandomErasing: value should have 1 or {channels} (channel count) elements, got {_value.Length}.");
        double area = (double)height * width, logLo = Math.Log(_ratio.Lo), logHi = Math.Log(_ratio.Hi);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double erase = area * Draw.Uniform(generator, _scale.Lo, _scale.Hi);
            double aspect = Math.Exp(Draw.Uniform(generator, logLo, logHi));
            int h = (int)Math.Round(Math.Sqrt(erase * aspect), MidpointRounding.ToEven);
            int w = (int)Math.Round(Math.Sqrt(erase / aspect), MidpointRounding.ToEven);
            if (!(h < height && w < width)) continue;
            var v = _random ? Tensor.Randn([channels, h, w], generator: generator) : Tensor.FromArray(_value, [_value.Length, 1, 1]);
            int i = Draw.Int(generator, 0, height - h + 1);
            int j = Draw.Int(generator, 0, width - w + 1);
            return (i, j, h, w, v);
        }
        return null;
    }

    /// <inheritdoc/>
    public override Tensor Apply(Tensor image)
    {
        CheckImage(image, "RandomErasing");
        var g = Rng;
        if (Draw.Rand(g) >= _p) return image;
        var p = GetParams(image.Shape[-3], image.Shape[-2], image.Shape[-1], g);
        return p is { } e ? TF.Erase(image, e.Top, e.Left, e.Height, e.Width, e.Value) : image;
    }

    /// <inheritdoc/>
    protected override string Repr() => $"p={Fmt(_p)}, scale=({Fmt(_scale.Lo)}, {Fmt(_scale.Hi)}), ratio=({Fmt(_ratio.Lo)}, {Fmt(_ratio.Hi)}), value={(_random ? "random" : Fmt(_value))}";
}

namespace Lantern.Vision.Transforms;

/// <summary>UInt8 [..., C, H, W] -> Float32 x / 255 (torchvision's ToTensor arithmetic on a tensor image; other dtypes pass).</summary>
public sealed class ToTensor : Transform
{
    /// <inheritdoc/>
    public override Tensor Apply(Tensor image) => TF.ToTensor(image);
}

/// <summary>Converts the dtype, optionally rescaling value ranges (torchvision.transforms.v2.ToDtype; see <see cref="TF.ToDtype"/>).</summary>
public sealed class ToDtype(DType dtype, bool scale = false) : Transform
{
    /// <inheritdoc/>
    public override Tensor Apply(Tensor image) => TF.ToDtype(image, dtype, scale);

    /// <inheritdoc/>
    protected override string Repr() => $"dtype={dtype}, scale={scale}";
}

/// <summary>Per-channel (x - mean) / std (torchvision.transforms.v2.Normalize).</summary>
public sealed class Normalize : Transform
{
    private readonly double[] _mean, _std;

    /// <summary>mean and std: one value per channel (or one for all).</summary>
    /// <exception cref="ArgumentException">Empty mean or std, or a zero std.</exception>
    public Normalize(double[] mean, double[] std)
    {
        if (mean.Length == 0 || std.Length == 0) throw new ArgumentException("Normalize: mean and std must not be empty.");
        if (std.Any(s => s == 0)) throw new ArgumentException($"Normalize: std evaluated to zero, leading to division by zero (std = [{string.Join(", ", std)}]).");
        _mean = mean;
        _std = std;
    }

    /// <inheritdoc/>
    public override Tensor Apply(Tensor image) => TF.Normalize(image, _mean, _std);

    /// <inheritdoc/>
    protected override string Repr() => $"mean={Fmt(_mean)}, std={Fmt(_std)}";
}

/// <summary>Resizes (torchvision.transforms.v2.Resize with antialias=False; see <see cref="TF.Resize"/>).</summary>
public sealed class Resize : Transform
{
    private readonly int[] _size;
    private readonly InterpolationMode _mode;
    private readonly int? _maxSize;

    /// <summary>size: one value (the smaller edge) or (height, width).</summary>
    /// <exception cref="ArgumentException">Not 1 or 2 positive sizes, or maxSize with two sizes.</exception>
    public Resize(int[] size, InterpolationMode interpolation = InterpolationMode.Bilinear, int? maxSize = null)
    {
        if (size.Length is not (1 or 2) || size.Any(s => s <= 0))
            throw new ArgumentException($"Resize: size must be one or two positive values, got [{string.Join(", ", size)}].");
        if (maxSize != null && size.Length == 2) throw new ArgumentException("Resize: maxSize should only be passed if size specifies the length of the smaller edge, i.e. size has one value.");
        if (maxSize is { } m && m <= size[0]) throw new ArgumentException($"Resize: maxSize = {m} must be strictly greater than the requested size for the smaller edge = {size[0]}.");
        _size = size;
        _mode = interpolation;
        _maxSize = maxSize;
    }

    /// <summary>One size for the smaller edge.</summary>
    public Resize(int size, InterpolationMode interpolation = InterpolationMode.Bilinear, int? maxSize = null) : this([size], interpolation, maxSize) { }

    /// <inheritdoc/>
    public override Tensor Apply(Tensor image) => TF.Resize(image, _size, _mode, _maxSize);

    /// <inheritdoc/>
    protected override string Repr() => $"size=[{string.Join(", ", _size)}], interpolation={_mode}" + (_maxSize is { } m ? $", max_size={m}" : "") + ", antialias=False";
}

/// <summary>The central crop (torchvision.transforms.v2.CenterCrop; zero padded when larger than the image).</summary>
public sealed class CenterCrop(int height, int width) : Transform
{
    /// <summary>A square crop.</summary>
    public CenterCrop(int size) : this(size, size) { }

    /// <inheritdoc/>
    public override Tensor Apply(Tensor image) => TF.CenterCrop(image, height, width);

    /// <inheritdoc/>
    protected override string Repr() => $"size=({height}, {width})";
}

/// <summary>Pads the border (torchvision.transforms.v2.Pad; see <see cref="TF.Pad"/>).</summary>
public sealed class Pad(int[] padding, double fill = 0, PaddingMode mode = PaddingMode.Constant) : Transform
{
    /// <inheritdoc/>
    public override Tensor Apply(Tensor image) => TF.Pad(image, padding, fill, mode);

    /// <inheritdoc/>
    protected override string Repr() => $"padding=[{string.Join(", ", padding)}], fill={Fmt(fill)}, padding_mode={mode.ToString().ToLowerInvariant()}";
}

/// <summary>ITU-R 601-2 luma (torchvision.transforms.v2.Grayscale; see <see cref="TF.RgbToGrayscale"/>).</summary>
public sealed class Grayscale : Transform
{
    private readonly int _channels;

    /// <summary>numOutputChannels: 1 or 3.</summary>
    /// <exception cref="ArgumentException">numOutputChannels not 1 or 3.</exception>
    public Grayscale(int numOutputChannels = 1)
    {
        if (numOutputChannels is not (1 or 3)) throw new ArgumentException($"Grayscale: numOutputChannels must be 1 or 3, got {numOutputChannels}.");
        _channels = numOutputChannels;
    }

    /// <inheritdoc/>
    public override Tensor Apply(Tensor image) => TF.RgbToGrayscale(image, _channels);

    /// <inheritdoc/>
    protected override string Repr() => $"num_output_channels={_channels}";
}

/// <summary>Flips the width dim with probability p: flips when torch.rand(1) &lt; p (torchvision.transforms.v2.RandomHorizontalFlip).</summary>
public sealed class RandomHorizontalFlip : RandomTransform
{
    private readonly double _p;

    /// <summary>p in [0, 1] (default 0.5).</summary>
    /// <exception cref="ArgumentException">p outside [0, 1].</exception>
    public RandomHorizontalFlip(double p = 0.5, Generator? generator = null) : base(generator) => _p = CheckP(p, "RandomHorizontalFlip");

    /// <inheritdoc/>
    public override Tensor Apply(Tensor image) => Draw.Rand(Rng) >= _p ? image : TF.HorizontalFlip(image);

    /// <inheritdoc/>
    protected override string Repr() => $"p={Fmt(_p)}";

    internal static double CheckP(double p, string op) =>
        p is >= 0 and <= 1 ? p : throw new ArgumentException($"{op}: probability p should be between 0 and 1, got {p}.");
}

/// <summary>Flips the height dim with probability p (torchvision.transforms.v2.RandomVerticalFlip).</summary>
public sealed class RandomVerticalFlip : RandomTransform
{
    private readonly double _p;

    /// <summary>p in [0, 1] (default 0.5).</summary>
    /// <exception cref="ArgumentException">p outside [0, 1].</exception>
    public RandomVerticalFlip(double p = 0.5, Generator? generator = null) : base(generator) => _p = RandomHorizontalFlip.CheckP(p, "RandomVerticalFlip");

    /// <inheritdoc/>
    public override Tensor Apply(Tensor image) => Draw.Rand(Rng) >= _p ? image : TF.VerticalFlip(image);

    /// <inheritdoc/>
    protected override string Repr() => $"p={Fmt(_p)}";
}

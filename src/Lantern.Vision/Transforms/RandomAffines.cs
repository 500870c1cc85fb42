namespace Lantern.Vision.Transforms;

/// <summary>
/// Rotation by angle ~ U(degrees) (torchvision.transforms.v2.RandomRotation; see <see cref="TF.Rotate"/>): one
/// number d means (-d, d). Default nearest interpolation, no expand, fill 0.
/// </summary>
public sealed class RandomRotation : RandomTransform
{
    private readonly (double Lo, double Hi) _degrees;
    private readonly InterpolationMode _mode;
    private readonly bool _expand;
    private readonly (double X, double Y)? _center;
    private readonly double[] _fill;

    /// <summary>Angles in [lo, hi] degrees (counter-clockwise).</summary>
    /// <exception cref="ArgumentException">lo &gt; hi.</exception>
    public RandomRotation((double Lo, double Hi) degrees, InterpolationMode interpolation = InterpolationMode.Nearest, bool expand = false,
        (double X, double Y)? center = null, double[]? fill = null, Generator? generator = null) : base(generator)
    {
        if (degrees.Lo > degrees.Hi) throw new ArgumentException($"RandomRotation: degrees should be (min, max) with min <= max, got ({degrees.Lo}, {degrees.Hi}).");
        (_degrees, _mode, _expand, _center, _fill) = (degrees, interpolation, expand, center, fill ?? [0]);
    }

    /// <summary>Angles in [-degrees, degrees].</summary>
    /// <exception cref="ArgumentException">degrees negative.</exception>
    public RandomRotation(double degrees, InterpolationMode interpolation = InterpolationMode.Nearest, bool expand = false,
        (double X, double Y)? center = null, double[]? fill = null, Generator? generator = null)
        : this(RandomAffine.Symmetric(degrees, "RandomRotation", "degrees"), interpolation, expand, center, fill, generator) { }

    /// <summary>The angle: torch.empty(1).uniform_(lo, hi).</summary>
    public double GetParams(Generator generator) => Draw.Uniform(generator, _degrees.Lo, _degrees.Hi);

    /// <inheritdoc/>
    public override Tensor Apply(Tensor image)
    {
        CheckImage(image, "RandomRotation");
        return TF.Rotate(image, GetParams(Rng), _mode, _expand, _center, _fill);
    }

    /// <inheritdoc/>
    protected override string Repr() => $"degrees=[{Fmt(_degrees.Lo)}, {Fmt(_degrees.Hi)}], interpolation={_mode}, expand={_expand}, fill={Fmt(_fill)}";
}

/// <summary>
/// A random affine warp (torchvision.transforms.v2.RandomAffine; see <see cref="TF.Affine"/>). Draws, in order:
/// angle ~ U(degrees); with translate (a, b): tx = round(U(-a W, a W)), ty = round(U(-b H, b H)); with scale (lo, hi):
/// s ~ U(lo, hi); with shear: sx ~ U(shear[0], shear[1]) and, given 4 values, sy ~ U(shear[2], shear[3]).
/// </summary>
public sealed class RandomAffine : RandomTransform
{
    private readonly (double Lo, double Hi) _degrees;
    private readonly (double X, double Y)? _translate;
    private readonly (double Lo, double Hi)? _scale;
    private readonly double[]? _shear;
    private readonly InterpolationMode _mode;
    private readonly double[] _fill;
    private readonly (double X, double Y)? _center;

    /// <summary>
    /// degrees: one number d for (-d, d); translate: maximal fractions (of width, of height) in [0, 1]; scale: (lo, hi)
    /// positive; shear: one number s for x in (-s, s), two for an x range, four for x and y ranges.
    /// </summary>
    /// <exception cref="ArgumentException">Negative degrees, translate outside [0, 1], a non-positive scale, or a shear of another length.</exception>
    public RandomAffine(double degrees, (double X, double Y)? translate = null, (double Lo, double Hi)? scale = null, double[]? shear = null,
        InterpolationMode interpolation = InterpolationMode.Nearest, double[]? fill = null, (double X, double Y)? center = null, Generator? generator = null)
        : base(generator)
    {
        _degrees = Symmetric(degrees, "RandomAffine", "degrees");
        if (translate is { } t && (t.X is < 0 or > 1 || t.Y is < 0 or > 1))
            throw new ArgumentException($"RandomAffine: translation values should be between 0 and 1, got ({t.X}, {t.Y}).");
        if (scale is { } s && (s.Lo <= 0 || s.Hi <= 0 || s.Lo > s.Hi))
            throw new ArgumentException($"RandomAffine: scale values should be positive (min, max), got ({s.Lo}, {s.Hi}).");
        if (shear != null)
        {
            if (shear.Length == 1)
            {
                var r = Symmetric(shear[0], "RandomAffine", "shear");
                shear = [r.Lo, r.Hi];
            }
            if (shear.Length is not (2 or 4)) throw new ArgumentException($"RandomAffine: shear should be a single number or a sequence of 2 or 4 values, got {shear.Length}.");
        }
        (_translate, _scale, _shear, _mode, _fill, _center) = (translate, scale, shear, interpolation, fill ?? [0], center);
    }

    internal static (double Lo, double Hi) Symmetric(double v, string op, string name) =>
        v >= 0 ? (-v, v) : throw new ArgumentException($"{op}: if {name} is a single number, it must be non-negative, got {v}.");

    /// <summary>(angle, (tx, ty), scale, (shear x, shear y)) for an image of <paramref name="width"/> x <paramref name="height"/> (torchvision's get_params).</summary>
    public (double Angle, (int X, int Y) Translate, double Scale, (double X, double Y) Shear) GetParams(int width, int height, Generator generator)
    {
        double angle = Draw.Uniform(generator, _degrees.Lo, _degrees.Hi);
        (int, int) tr = (0, 0);
        if (_translate is { } t)
        {
            double dx = t.X * width, dy = t.Y * height;
            int tx = (int)Math.Round(Draw.Uniform(generator, -dx, dx), MidpointRounding.ToEven);
            int ty = (int)Math.Round(Draw.Uniform(generator, -dy, dy), MidpointRounding.ToEven);
            tr = (tx, ty);
        }
        double scale = _scale is { } s ? Draw.Uniform(generator, s.Lo, s.Hi) : 1.0;
        double shx = 0, shy = 0;
        if (_shear != null)
        {
            shx = Draw.Uniform(generator, _shear[0], _shear[1]);
            if (_shear.Length == 4) shy = Draw.Uniform(generator, _shear[2], _shear[3]);
        }
        return (angle, tr, scale, (shx, shy));
    }

    /// <inheritdoc/>
    public override Tensor Apply(Tensor image)
    {
        CheckImage(image, "RandomAffine");
        var (angle, (tx, ty), scale, shear) = GetParams(image.Shape[-1], image.Shape[-2], Rng);
        return TF.Affine(image, angle, (tx, ty), scale, shear, _mode, _fill, _center);
    }

    /// <inheritdoc/>
    protected override string Repr() => $"degrees=[{Fmt(_degrees.Lo)}, {Fmt(_degrees.Hi)}]" +
        (_translate is { } t ? $", translate=({Fmt(t.X)}, {Fmt(t.Y)})" : "") + (_scale is { } s ? $", scale=({Fmt(s.Lo)}, {Fmt(s.Hi)})" : "") +
        (_shear is null ? "" : $", shear={Fmt(_shear)}") + $", interpolation={_mode}, fill={Fmt(_fill)}";
}

namespace Lantern.Vision.Transforms;

/// <summary>Applies a list of transforms with probability p: skipped when torch.rand(1) &gt;= p (torchvision.transforms.v2.RandomApply).</summary>
public sealed class RandomApply : RandomTransform
{
    private readonly Transform[] _transforms;
    private readonly double _p;

    /// <summary>The transforms (applied in order) and p (default 0.5).</summary>
    /// <exception cref="ArgumentException">No transforms, or p outside [0, 1].</exception>
    public RandomApply(Transform[] transforms, double p = 0.5, Generator? generator = null) : base(generator)
    {
        if (transforms.Length == 0) throw new ArgumentException("RandomApply: expected at least one transform.");
        _transforms = transforms;
        _p = RandomHorizontalFlip.CheckP(p, "RandomApply");
    }

    /// <inheritdoc/>
    public override Tensor Apply(Tensor image)
    {
        if (Draw.Rand(Rng) >= _p) return image;
        foreach (var t in _transforms) image = t.Apply(image);
        return image;
    }

    /// <inheritdoc/>
    protected override string Repr() => $"p={Fmt(_p)}, transforms=[{string.Join(", ", _transforms.Select(t => t.ToString()))}]";
}

/// <summary>
/// Grayscale with probability p (default 0.1), keeping the channel count (torchvision.transforms.v2.RandomGrayscale:
/// a 3-channel image gives 3 equal channels).
/// </summary>
public sealed class RandomGrayscale : RandomTransform
{
    private readonly double _p;

    /// <summary>p in [0, 1].</summary>
    /// <exception cref="ArgumentException">p outside [0, 1].</exception>
    public RandomGrayscale(double p = 0.1, Generator? generator = null) : base(generator) => _p = RandomHorizontalFlip.CheckP(p, "RandomGrayscale");

    /// <inheritdoc/>
    public override Tensor Apply(Tensor image)
    {
        CheckImage(image, "RandomGrayscale");
        return Draw.Rand(Rng) >= _p ? image : TF.RgbToGrayscale(image, image.Shape[-3]);
    }

    /// <inheritdoc/>
    protected override string Repr() => $"p={Fmt(_p)}";
}

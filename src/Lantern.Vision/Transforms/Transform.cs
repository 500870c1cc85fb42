using Lantern.Data;

namespace Lantern.Vision.Transforms;

/// <summary>Interpolation of the geometric transforms (torchvision's InterpolationMode; the two it supports on tensors without antialias).</summary>
public enum InterpolationMode
{
    /// <summary>Nearest neighbour (PyTorch's legacy "nearest": source index floor(o * in / out)).</summary>
    Nearest,
    /// <summary>Bilinear (half-pixel centres, align_corners = false).</summary>
    Bilinear,
}

/// <summary>
/// An image transform (torchvision.transforms.v2 style) on tensors [..., C, H, W] (CHW or a batch BCHW): every
/// leading dim is treated as a batch and gets the same drawn parameters, as torchvision v2. Converts implicitly to
/// <c>Func&lt;Tensor, Tensor&gt;</c>, so it can be passed as a dataset's transform.
/// </summary>
public abstract class Transform
{
    /// <summary>Applies the transform.</summary>
    /// <exception cref="ArgumentException">An input of rank below 3, or of a dtype / channel count the transform does not take.</exception>
    public abstract Tensor Apply(Tensor image);

    /// <summary>Same as <see cref="Apply"/>.</summary>
    public Tensor Call(Tensor image) => Apply(image);

    /// <summary>The transform as a delegate.</summary>
    public static implicit operator Func<Tensor, Tensor>(Transform transform) => transform.Apply;

    /// <summary>torchvision-like repr, e.g. <c>RandomCrop(size=(24, 24), padding=4)</c>.</summary>
    public override string ToString() => $"{GetType().Name}({Repr()})";

    /// <summary>The arguments shown by <see cref="ToString"/>.</summary>
    protected virtual string Repr() => "";

    internal static void CheckImage(Tensor image, string op)
    {
        if (image.Rank < 3)
            throw new ArgumentException($"{op}: expected an image tensor [..., C, H, W] (rank >= 3), got shape {image.Shape}.");
    }

    internal static string Fmt(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    internal static string Fmt(IEnumerable<double> v) => "(" + string.Join(", ", v.Select(Fmt)) + ")";
}

/// <summary>
/// A transform with random parameters. Draws come from the explicit generator when given, else from the
/// <see cref="DataRandom"/> generator of the sample being loaded (so a <see cref="DataLoader{T, TBatch}"/> gives the
/// same augmentations for every numWorkers), else from the global generator.
/// </summary>
public abstract class RandomTransform : Transform
{
    private readonly Generator? _generator;

    /// <summary>Stores the optional generator.</summary>
    protected RandomTransform(Generator? generator) => _generator = generator;

    /// <summary>The generator the next draw uses.</summary>
    protected Generator Rng => DataRandom.Resolve(_generator);
}

/// <summary>Draws scalars the way torchvision does (one tensor draw per scalar).</summary>
public static class Draw
{
    /// <summary>torch.empty(1).uniform_(low, high).item() (drawn in float64).</summary>
    public static double Uniform(Generator g, double low, double high) =>
        Tensor.Uniform([1], low, high, DType.Float64, generator: g).Item<double>();

    /// <summary>torch.randint(low, high, (1,)).item(): uniform in [low, high).</summary>
    public static int Int(Generator g, int low, int high) => (int)Tensor.RandInt(low, high, [1], generator: g).Item<long>();

    /// <summary>torch.rand(1).item().</summary>
    public static double Rand(Generator g) => Uniform(g, 0, 1);
}

/// <summary>Applies transforms in sequence (torchvision.transforms.v2.Compose).</summary>
public sealed class Compose : Transform
{
    private readonly Func<Tensor, Tensor>[] _transforms;
    private readonly string[] _names;

    /// <summary>The pipeline <paramref name="transforms"/>[0], then [1], ...</summary>
    /// <exception cref="ArgumentException">No transforms.</exception>
    public Compose(params Transform[] transforms)
    {
        if (transforms.Length == 0) throw new ArgumentException("Compose: expected at least one transform.");
        _transforms = transforms.Select(t => (Func<Tensor, Tensor>)t.Apply).ToArray();
        _names = transforms.Select(t => t.ToString()).ToArray();
        Transforms = transforms;
    }

    /// <summary>The transforms, in order.</summary>
    public IReadOnlyList<Transform> Transforms { get; }

    /// <inheritdoc/>
    public override Tensor Apply(Tensor image)
    {
        foreach (var t in _transforms) image = t(image);
        return image;
    }

    /// <summary>Multi-line repr as torchvision's Compose.</summary>
    public override string ToString() => "Compose(\n" + string.Concat(_names.Select(n => $"    {n}\n")) + ")";
}

/// <summary>Wraps a function (torchvision.transforms.v2.Lambda).</summary>
public sealed class Lambda(Func<Tensor, Tensor> fn) : Transform
{
    /// <inheritdoc/>
    public override Tensor Apply(Tensor image) => fn(image);
}

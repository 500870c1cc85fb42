using System.Diagnostics.CodeAnalysis;
using Lantern.Data;

namespace Lantern.Vision.Datasets;

/// <summary>
/// Base of the image-classification datasets (torchvision.datasets.VisionDataset): samples are
/// <c>(Tensor Image, long Label)</c>; an optional <see cref="Transform"/> maps the image and
/// <see cref="TargetTransform"/> the label. <see cref="Classes"/> lists the class names (index = label).
/// </summary>
public abstract class VisionDataset : Dataset<(Tensor Image, long Label)>
{
    /// <summary>Stores the transforms.</summary>
    protected VisionDataset(Func<Tensor, Tensor>? transform, Func<long, long>? targetTransform)
    {
        Transform = transform;
        TargetTransform = targetTransform;
    }

    /// <summary>Applied to each image after decoding (null: none). Random transforms draw from <see cref="DataRandom"/>.</summary>
    public Func<Tensor, Tensor>? Transform { get; }

    /// <summary>Applied to each label (null: none).</summary>
    public Func<long, long>? TargetTransform { get; }

    /// <summary>The class names; label i is class <c>Classes[i]</c>.</summary>
    public abstract IReadOnlyList<string> Classes { get; }

    /// <summary>Class name -> label (torchvision's class_to_idx).</summary>
    public IReadOnlyDictionary<string, int> ClassToIdx => Classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);

    /// <summary>Applies <see cref="Transform"/> and <see cref="TargetTransform"/> to a decoded sample.</summary>
    protected (Tensor Image, long Label) Finish(Tensor image, long label) =>
        (Transform is null ? image : Transform(image), TargetTransform is null ? label : TargetTransform(label));

    /// <summary>
    /// Converts a decoded UInt8 image to the requested dtype: UInt8 stays as is, Float32 is x / 255 in [0, 1]
    /// (torchvision's ToTensor: <c>img.to(float32).div(255)</c>).
    /// </summary>
    internal static Tensor ToImageDType(Tensor image, DType dtype) =>
        dtype == DType.UInt8 || image.DType != DType.UInt8 ? image : image.To(DType.Float32).Div(255);

    internal static DType CheckImageDType(DType dtype, string op) =>
        dtype is DType.UInt8 or DType.Float32 ? dtype
            : throw new ArgumentException($"{op}: imageDType must be UInt8 (raw 0..255) or Float32 (scaled to [0, 1]), got {dtype}.");
}

/// <summary>
/// An image-classification dataset held in memory: <see cref="Data"/> UInt8 [N, C, H, W] and
/// <see cref="Targets"/> Int64 [N]. Sample i is (image [C, H, W] in <see cref="ImageDType"/>, label). With no
/// transforms, a <see cref="DataLoader{T, TBatch}"/> batch of type (Tensor, Tensor) is gathered by one
/// <see cref="Tensor.IndexSelect"/> on <see cref="Data"/> and one on <see cref="Targets"/> (then one dtype conversion).
/// </summary>
public abstract class InMemoryImageDataset : VisionDataset
{
    /// <summary>Wraps data and targets (checked: UInt8 rank 4, Int64 rank 1, same N).</summary>
    /// <exception cref="ArgumentException">Wrong dtypes, ranks or counts, or an unsupported imageDType.</exception>
    protected InMemoryImageDataset(Tensor data, Tensor targets, DType imageDType, Func<Tensor, Tensor>? transform, Func<long, long>? targetTransform)
        : base(transform, targetTransform)
    {
        string op = GetType().Name;
        if (data.DType != DType.UInt8 || data.Rank != 4)
            throw new ArgumentException($"{op}: data must be UInt8 [N, C, H, W], got {data.DType} {data.Shape}.");
        if (targets.DType != DType.Int64 || targets.Rank != 1 || targets.Shape[0] != data.Shape[0])
            throw new ArgumentException($"{op}: targets must be Int64 [{data.Shape[0]}] (one label per image), got {targets.DType} {targets.Shape}.");
        Data = data.Contiguous();
        Targets = targets.Contiguous();
        ImageDType = CheckImageDType(imageDType, op);
    }

    /// <summary>All images, UInt8 [N, C, H, W] (torchvision's .data, with the channel dim added).</summary>
    public Tensor Data { get; }

    /// <summary>All labels, Int64 [N] (torchvision's .targets).</summary>
    public Tensor Targets { get; }

    /// <summary>The dtype of the images handed out: UInt8 (0..255) or Float32 (x / 255).</summary>
    public DType ImageDType { get; }

    /// <inheritdoc/>
    public override int Count => Data.Shape[0];

    /// <inheritdoc/>
    public override (Tensor Image, long Label) Get(int index)
    {
        CheckIndex(index);
        var raw = Data.Select(0, index);
        var image = ImageDType == DType.UInt8 ? raw.Clone() : ToImageDType(raw, ImageDType);
        return Finish(image, Targets.Select(0, index).Item<long>());
    }

    /// <summary>
    /// The (Tensor images [B, C, H, W], Tensor labels [B]) batch by one IndexSelect per tensor, when there is no
    /// transform (otherwise false: each sample goes through its transforms).
    /// </summary>
    public override bool TryGetBatch<TBatch>(int[] indices, [MaybeNullWhen(false)] out TBatch batch)
    {
        batch = default;
        if (Transform != null || TargetTransform != null || typeof(TBatch) != typeof((Tensor, Tensor))) return false;
        foreach (int i in indices) CheckIndex(i);
        var index = Tensor.FromArray(Array.ConvertAll(indices, i => (long)i));
        var images = ToImageDType(Data.IndexSelect(0, index), ImageDType);
        batch = (TBatch)(object)(images, Targets.IndexSelect(0, index));
        return true;
    }
}

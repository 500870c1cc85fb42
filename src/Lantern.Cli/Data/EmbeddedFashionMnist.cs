using System.Reflection;
using Lantern.Vision.Datasets;

namespace Lantern.Cli;

/// <summary>
/// The Fashion-MNIST subset embedded in the CLI, so `lantern train` works on a fresh machine without a download.
/// Training split: the first 1,000 images of each class of Fashion-MNIST's train-images-idx3-ubyte (10,000 images,
/// original order). Test split: the first 1,000 images of t10k-images-idx3-ubyte (original order; 107, 105, 111, 93,
/// 115, 87, 97, 95, 95, 95 per class). Made by Data/Generator/MakeFashionMnistSubset.cs, whose output
/// <see cref="Manifest"/> records the rule and SHA-256 hashes. Fashion-MNIST: Copyright (c) 2017 Zalando SE, MIT
/// licence (see NOTICE).
/// </summary>
public static class EmbeddedFashionMnist
{
    /// <summary>Number of training images.</summary>
    public const int TrainCount = 10000;

    /// <summary>Number of test images.</summary>
    public const int TestCount = 1000;

    private const string Prefix = "Lantern.Cli.Data.";

    /// <summary>
    /// Loads the training (<paramref name="train"/>) or test split as a <see cref="FashionMnist"/> dataset: images
    /// [1, 28, 28] (Float32 in [0, 1] by default, or UInt8), labels 0..9, torchvision's class names.
    /// </summary>
    /// <exception cref="InvalidOperationException">The resources are missing from the assembly (a broken build).</exception>
    public static FashionMnist Load(bool train, DType imageDType = DType.Float32, Func<Tensor, Tensor>? transform = null,
        Func<long, long>? targetTransform = null)
    {
        string split = train ? "train" : "t10k";
        string images = $"fashion-mnist-subset-{split}-images-idx3-ubyte.gz", labels = $"fashion-mnist-subset-{split}-labels-idx1-ubyte.gz";
        using var si = Open(images);
        using var sl = Open(labels);
        return FashionMnist.FromStreams(si, sl, train, imageDType, transform, targetTransform, images, labels);
    }

    /// <summary>The generator's manifest (rule, counts per class, SHA-256 of the source files and of the subset's bytes).</summary>
    public static string Manifest
    {
        get
        {
            using var s = Open("fashion-mnist-subset.manifest.txt");
            return new StreamReader(s).ReadToEnd();
        }
    }

    private static Stream Open(string name) =>
        Assembly.GetExecutingAssembly().GetManifestResourceStream(Prefix + name)
        ?? throw new InvalidOperationException($"EmbeddedFashionMnist: resource '{Prefix + name}' is missing from {Assembly.GetExecutingAssembly().GetName().Name}.");
}

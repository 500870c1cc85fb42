using Lantern.Cli.Commands;
using Lantern.Data;
using Lantern.Vision.Datasets;

namespace Lantern.Cli.Run;

/// <summary>
/// The train and test splits of a --data spec, with what the model and the normalisation need: channels, image
/// size, class names, and the per-channel mean and std used to normalise inputs (the usual published values).
/// </summary>
public sealed record LoadedData(
    Dataset<(Tensor Image, long Label)> Train,
    Dataset<(Tensor Image, long Label)> Test,
    IReadOnlyList<string> Classes,
    int InChannels,
    int ImageSize,
    double[] Mean,
    double[] Std)
{
    /// <summary>Fashion-MNIST's mean and std of the training pixels in [0, 1].</summary>
    public static readonly (double[] Mean, double[] Std) FashionMnistStats = ([0.2860], [0.3530]);

    /// <summary>MNIST's mean and std.</summary>
    public static readonly (double[] Mean, double[] Std) MnistStats = ([0.1307], [0.3081]);

    /// <summary>CIFAR-10's per-channel mean and std.</summary>
    public static readonly (double[] Mean, double[] Std) Cifar10Stats = ([0.4914, 0.4822, 0.4465], [0.2470, 0.2435, 0.2616]);
}

/// <summary>Opens the data a --data spec names; a missing or malformed dataset is a <see cref="CliException"/>.</summary>
public static class DataSources
{
    /// <summary>Image side used for imagefolder data (images are resized to it).</summary>
    public const int ImageFolderSize = 32;

    public static LoadedData Load(DataSpec spec, Func<Tensor, Tensor>? trainTransform = null)
    {
        try
        {
            switch (spec.Kind)
            {
                case "embedded":
                {
                    var tr = EmbeddedFashionMnist.Load(train: true, transform: trainTransform);
                    var te = EmbeddedFashionMnist.Load(train: false);
                    return new LoadedData(tr, te, tr.Classes, 1, 28, LoadedData.FashionMnistStats.Mean, LoadedData.FashionMnistStats.Std);
                }
                case "fashion-mnist":
                {
                    var tr = new FashionMnist(spec.Directory!, train: true, transform: trainTransform);
                    var te = new FashionMnist(spec.Directory!, train: false);
                    return new LoadedData(tr, te, tr.Classes, 1, 28, LoadedData.FashionMnistStats.Mean, LoadedData.FashionMnistStats.Std);
                }
                case "mnist":
                {
                    var tr = new Mnist(spec.Directory!, train: true, transform: trainTransform);
                    var te = new Mnist(spec.Directory!, train: false);
                    return new LoadedData(tr, te, tr.Classes, 1, 28, LoadedData.MnistStats.Mean, LoadedData.MnistStats.Std);
                }
                case "cifar10":
                {
                    var tr = new Cifar10(spec.Directory!, train: true, transform: trainTransform);
                    var te = new Cifar10(spec.Directory!, train: false);
                    return new LoadedData(tr, te, tr.Classes, 3, 32, LoadedData.Cifar10Stats.Mean, LoadedData.Cifar10Stats.Std);
                }
                case "imagefolder":
                    return LoadImageFolder(spec.Directory!, trainTransform);
                default:
                    throw new CliException($"unknown data '{spec.Kind}'.");
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or InvalidDataException)
        {
            throw new CliException($"cannot read {spec}: {e.Message}");
        }
    }

    // DIR/train and DIR/test (or DIR/val), one sub-folder per class; RGB images resized to 32 x 32, normalised to [-1, 1].
    private static LoadedData LoadImageFolder(string dir, Func<Tensor, Tensor>? trainTransform)
    {
        string train = Path.Combine(dir, "train");
        string test = Directory.Exists(Path.Combine(dir, "test")) ? Path.Combine(dir, "test") : Path.Combine(dir, "val");
        if (!Directory.Exists(train) || !Directory.Exists(test))
            throw new CliException($"imagefolder data needs {Path.Combine(dir, "train")} and {Path.Combine(dir, "test")} (or val), each with one sub-folder per class.");
        Func<Tensor, Tensor> resize = img => ResizeTo(img, ImageFolderSize);
        var tr = new ImageFolder(train, transform: trainTransform is null ? resize : img => trainTransform(resize(img)));
        var te = new ImageFolder(test, transform: resize);
        if (!te.Classes.SequenceEqual(tr.Classes))
            throw new CliException($"imagefolder: the test classes ({string.Join(", ", te.Classes)}) differ from the training classes ({string.Join(", ", tr.Classes)}).");
        return new LoadedData(tr, te, tr.Classes, 3, ImageFolderSize, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]);
    }

    /// <summary>
    /// A [C, H, W] float image bilinearly resized to size x size (align corners off, antialias off); with
    /// <paramref name="rgb"/> (default) 1 or 4 channels become RGB, otherwise the channels are kept.
    /// </summary>
    public static Tensor ResizeTo(Tensor image, int size, bool rgb = true)
    {
        var x = image.DType == DType.Float32 ? image : image.To(DType.Float32);
        if (rgb && x.Shape[0] == 1) x = x.Expand(3, x.Shape[1], x.Shape[2]);
        else if (rgb && x.Shape[0] == 4) x = x.Narrow(0, 0, 3);
        if (x.Shape[1] == size && x.Shape[2] == size) return x.Contiguous();
        return NN.F.Interpolate(x.Unsqueeze(0), size: [size, size], mode: "bilinear", alignCorners: false).Squeeze(0);
    }
}

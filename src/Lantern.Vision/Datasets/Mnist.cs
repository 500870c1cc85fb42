namespace Lantern.Vision.Datasets;

/// <summary>
/// MNIST handwritten digits (torchvision.datasets.MNIST) from the four IDX files
/// <c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c>,
/// <c>t10k-labels-idx1-ubyte</c>, each raw or gzip (".gz" appended). The files are looked for in
/// <c>root</c>, then in torchvision's layout <c>root/MNIST/raw</c>. Sample i is (image [1, 28, 28], label 0..9);
/// the image is Float32 x / 255 in [0, 1] (as ToTensor) or the raw UInt8 pixels (<c>imageDType</c>).
/// </summary>
/// <example><code>var train = new Mnist("/data/mnist", train: true, download: true);
/// var loader = new DataLoader&lt;(Tensor, long), (Tensor, Tensor)&gt;(train, batchSize: 64, shuffle: true);</code></example>
public class Mnist : InMemoryImageDataset
{
    /// <summary>torchvision's MNIST class names.</summary>
    public static readonly IReadOnlyList<string> MnistClasses =
        ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"];

    /// <summary>Mirrors tried in order by <see cref="Download(string, IReadOnlyList{string}?, HttpClient?)"/>: torchvision's
    /// two (ossci-datasets S3, Yann LeCun's page) and the CVDF copy used by TensorFlow Datasets.</summary>
    public static readonly IReadOnlyList<string> MnistMirrors =
    [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ];

    /// <summary>
    /// The MNIST files. SHA-256 and sizes from TensorFlow Datasets' url_checksums/mnist.txt (the CVDF copy of
    /// LeCun's original gzip files: same sizes as the files whose MD5 torchvision lists, e.g. train-images
    /// 9,912,422 bytes, MD5 f68b3c2dcbeaaa9fbdd348bbdeb94873). Not recomputed here: no Debian package ships MNIST.
    /// </summary>
    public static readonly IReadOnlyList<RemoteFile> MnistResources =
    [
        new("train-images-idx3-ubyte.gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", 9912422),
        new("train-labels-idx1-ubyte.gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", 28881),
        new("t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", 1648877),
        new("t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", 4542),
    ];

    private readonly IReadOnlyList<string> _classes;

    /// <summary>Loads the training (<paramref name="train"/>) or test split from <paramref name="root"/>.</summary>
    /// <param name="root">Directory holding the IDX files (or root/MNIST/raw).</param>
    /// <param name="train">Training split (60,000) or test split (10,000).</param>
    /// <param name="imageDType">Float32 (x / 255, default) or UInt8.</param>
    /// <param name="transform">Applied to each image (after the dtype conversion).</param>
    /// <param name="targetTransform">Applied to each label.</param>
    /// <param name="download">Download the files into <paramref name="root"/> first (verified by SHA-256) when missing.</param>
    /// <exception cref="FileNotFoundException">A file is missing (the message names it and the directories searched).</exception>
    /// <exception cref="InvalidDataException">A file is not a valid IDX file of the expected kind, or the counts differ.</exception>
    public Mnist(string root, bool train = true, DType imageDType = DType.Float32, Func<Tensor, Tensor>? transform = null,
        Func<long, long>? targetTransform = null, bool download = false)
        : this(LoadFolder(root, train, download ? () => Download(root) : null, "MNIST"), train, MnistClasses, imageDType, transform, targetTransform)
    {
    }

    /// <summary>Wraps already-loaded tensors (see <see cref="FromStreams"/>).</summary>
    protected Mnist((Tensor Data, Tensor Targets) loaded, bool train, IReadOnlyList<string> classes, DType imageDType,
        Func<Tensor, Tensor>? transform, Func<long, long>? targetTransform)
        : base(loaded.Data, loaded.Targets, imageDType, transform, targetTransform)
    {
        Train = train;
        _classes = classes;
    }

    /// <summary>Whether this is the training split.</summary>
    public bool Train { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<string> Classes => _classes;

    /// <summary>MNIST from two IDX streams (raw or gzip), e.g. embedded resources.</summary>
    /// <exception cref="InvalidDataException">Invalid IDX data or differing counts (the messages use the given names).</exception>
    public static Mnist FromStreams(Stream images, Stream labels, bool train = true, DType imageDType = DType.Float32,
        Func<Tensor, Tensor>? transform = null, Func<long, long>? targetTransform = null, string imagesName = "images", string labelsName = "labels") =>
        new(ReadPair(images, labels, imagesName, labelsName, 10), train, MnistClasses, imageDType, transform, targetTransform);

    /// <summary>Downloads the four MNIST files into <paramref name="root"/> (skipping those present with the right hash).</summary>
    /// <exception cref="InvalidDataException">A mirror served bytes with the wrong SHA-256 and none served the right ones.</exception>
    /// <exception cref="IOException">No mirror reachable.</exception>
    public static void Download(string root, IReadOnlyList<string>? mirrors = null, HttpClient? client = null) =>
        Datasets.Download.Files(mirrors ?? MnistMirrors, MnistResources, root, client);

    /// <summary>Reads an image and a label IDX stream and checks they agree.</summary>
    internal static (Tensor Data, Tensor Targets) ReadPair(Stream images, Stream labels, string imagesName, string labelsName, int numClasses)
    {
        var data = Idx.ReadImages(images, imagesName);
        var targets = Idx.ReadLabels(labels, labelsName, numClasses);
        if (data.Shape[0] != targets.Shape[0])
            throw new InvalidDataException($"IDX files '{imagesName}' and '{labelsName}': {data.Shape[0]} images but {targets.Shape[0]} labels.");
        return (data, targets);
    }

    /// <summary>Finds and reads the split's two files (name, or name.gz) in root or root/folder/raw.</summary>
    internal static (Tensor, Tensor) LoadFolder(string root, bool train, Action? download, string folder)
    {
        string prefix = train ? "train" : "t10k";
        if (download != null && (TryFind(root, $"{prefix}-images-idx3-ubyte", folder) is null || TryFind(root, $"{prefix}-labels-idx1-ubyte", folder) is null))
            download();   // as torchvision: only when a file is missing
        string images = Find(root, $"{prefix}-images-idx3-ubyte", folder);
        string labels = Find(root, $"{prefix}-labels-idx1-ubyte", folder);
        using var si = File.OpenRead(images);
        using var sl = File.OpenRead(labels);
        return ReadPair(si, sl, images, labels, 10);
    }

    private static string? TryFind(string root, string name, string folder)
    {
        foreach (string dir in new[] { root, Path.Combine(root, folder, "raw") })
            foreach (string candidate in new[] { name, name + ".gz" })
                if (File.Exists(Path.Combine(dir, candidate))) return Path.Combine(dir, candidate);
        return null;
    }

    private static string Find(string root, string name, string folder)
    {
        string[] dirs = [root, Path.Combine(root, folder, "raw")];
        return TryFind(root, name, folder) ??
            throw new FileNotFoundException($"{folder}: '{name}' (or '{name}.gz') not found in {string.Join(" or ", dirs)}; pass download: true or copy the files there.", name);
    }
}

/// <summary>
/// Fashion-MNIST (torchvision.datasets.FashionMNIST; Zalando Research, MIT licence): the MNIST file layout with
/// 28x28 grey images of 10 clothing classes. Looks in root, then root/FashionMNIST/raw. The Debian package
/// dataset-fashion-mnist installs the files in /usr/share/datasets/fashion-mnist.
/// </summary>
public class FashionMnist : Mnist
{
    /// <summary>torchvision's Fashion-MNIST class names.</summary>
    public static readonly IReadOnlyList<string> FashionClasses =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>torchvision's Fashion-MNIST mirror.</summary>
    public static readonly IReadOnlyList<string> FashionMirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"];

    /// <summary>
    /// The Fashion-MNIST files. SHA-256 and sizes of the gzip files as the mirror serves them, from TensorFlow
    /// Datasets' url_checksums/fashion_mnist.txt. The Debian package dataset-fashion-mnist
    /// (0.0~git20200523.55506a9-1) recompressed the files (gzip header without the file name, so e.g. 26,421,856
    /// instead of 26,421,880 bytes, MD5 cf8536b0... instead of torchvision's 8d4fb7e6...), so its .gz hashes differ;
    /// the decompressed contents are the same, see <see cref="FashionContentSha256"/>.
    /// </summary>
    public static readonly IReadOnlyList<RemoteFile> FashionResources =
    [
        new("train-images-idx3-ubyte.gz", "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84", 26421880),
        new("train-labels-idx1-ubyte.gz", "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845", 29515),
        new("t10k-images-idx3-ubyte.gz", "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073", 4422102),
        new("t10k-labels-idx1-ubyte.gz", "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5", 5148),
    ];

    /// <summary>
    /// SHA-256 of the decompressed IDX files (name without ".gz" -> hash), computed on this project's machine with
    /// <c>zcat FILE.gz | sha256sum</c> from the Debian package dataset-fashion-mnist 0.0~git20200523.55506a9-1.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> FashionContentSha256 = new Dictionary<string, string>
    {
        ["train-images-idx3-ubyte"] = "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        ["train-labels-idx1-ubyte"] = "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        ["t10k-images-idx3-ubyte"] = "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        ["t10k-labels-idx1-ubyte"] = "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    };

    /// <summary>Loads the training or test split of Fashion-MNIST from <paramref name="root"/> (see <see cref="Mnist"/>).</summary>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is not valid IDX data of the expected kind.</exception>
    public FashionMnist(string root, bool train = true, DType imageDType = DType.Float32, Func<Tensor, Tensor>? transform = null,
        Func<long, long>? targetTransform = null, bool download = false)
        : base(LoadFolder(root, train, download ? () => Download(root) : null, "FashionMNIST"), train, FashionClasses, imageDType, transform, targetTransform)
    {
    }

    private FashionMnist((Tensor, Tensor) loaded, bool train, DType imageDType, Func<Tensor, Tensor>? transform, Func<long, long>? targetTransform)
        : base(loaded, train, FashionClasses, imageDType, transform, targetTransform)
    {
    }

    /// <summary>Fashion-MNIST from two IDX streams (raw or gzip), e.g. embedded resources.</summary>
    /// <exception cref="InvalidDataException">Invalid IDX data or differing counts.</exception>
    public static new FashionMnist FromStreams(Stream images, Stream labels, bool train = true, DType imageDType = DType.Float32,
        Func<Tensor, Tensor>? transform = null, Func<long, long>? targetTransform = null, string imagesName = "images", string labelsName = "labels") =>
        new(ReadPair(images, labels, imagesName, labelsName, 10), train, imageDType, transform, targetTransform);

    /// <summary>Downloads the four Fashion-MNIST files into <paramref name="root"/>.</summary>
    /// <exception cref="InvalidDataException">A mirror served bytes with the wrong SHA-256 and none served the right ones.</exception>
    /// <exception cref="IOException">No mirror reachable.</exception>
    public static new void Download(string root, IReadOnlyList<string>? mirrors = null, HttpClient? client = null) =>
        Datasets.Download.Files(mirrors ?? FashionMirrors, FashionResources, root, client);
}

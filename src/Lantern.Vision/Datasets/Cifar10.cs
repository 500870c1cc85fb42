namespace Lantern.Vision.Datasets;

/// <summary>
/// CIFAR-10 from its binary version (cifar-10-binary.tar.gz): <c>data_batch_1.bin</c> .. <c>data_batch_5.bin</c>
/// (training, 50,000 images) and <c>test_batch.bin</c> (10,000), each a run of 3,073-byte records (1 label byte,
/// then 1,024 red, 1,024 green and 1,024 blue bytes of a 32x32 image, row-major); <c>batches.meta.txt</c> gives the
/// class names, one per line. The files are looked for in root, then root/cifar-10-batches-bin (where the archive
/// extracts). Sample i is (image [3, 32, 32], label 0..9), Float32 x / 255 or UInt8.
/// </summary>
public sealed class Cifar10 : InMemoryImageDataset
{
    private const int RecordBytes = 1 + 3 * 32 * 32;

    /// <summary>The class names torchvision reports (also the content of batches.meta.txt).</summary>
    public static readonly IReadOnlyList<string> DefaultClasses = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>The official mirror (Alex Krizhevsky's page).</summary>
    public static readonly IReadOnlyList<string> Mirrors = ["https://www.cs.toronto.edu/~kriz/"];

    /// <summary>
    /// The binary archive. SHA-256 and size from TensorFlow Datasets' url_checksums/cifar10.txt (torchvision
    /// downloads the Python version instead; the binary archive's MD5 on the CIFAR page is c32a1d4ab5d03f1284b67883e8d87530).
    /// Not recomputed here: no Debian package ships CIFAR-10.
    /// </summary>
    public static readonly RemoteFile Archive = new("cifar-10-binary.tar.gz", "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd", 170052171);

    private readonly IReadOnlyList<string> _classes;

    /// <summary>Loads the training (5 batches) or test split from <paramref name="root"/>.</summary>
    /// <param name="root">Directory with the .bin files (or root/cifar-10-batches-bin).</param>
    /// <param name="train">Training split (50,000) or test split (10,000).</param>
    /// <param name="imageDType">Float32 (x / 255, default) or UInt8.</param>
    /// <param name="transform">Applied to each image.</param>
    /// <param name="targetTransform">Applied to each label.</param>
    /// <param name="download">Download and extract the archive into root first when the batches are missing.</param>
    /// <exception cref="FileNotFoundException">A batch file is missing.</exception>
    /// <exception cref="InvalidDataException">A file whose size is not a multiple of 3,073 bytes, a label above 9, or a
    /// batches.meta.txt without 10 names (the message names the file).</exception>
    public Cifar10(string root, bool train = true, DType imageDType = DType.Float32, Func<Tensor, Tensor>? transform = null,
        Func<long, long>? targetTransform = null, bool download = false)
        : this(Load(root, train, download), train, imageDType, transform, targetTransform)
    {
    }

    private Cifar10((Tensor Data, Tensor Targets, IReadOnlyList<string> Classes) loaded, bool train, DType imageDType,
        Func<Tensor, Tensor>? transform, Func<long, long>? targetTransform)
        : base(loaded.Data, loaded.Targets, imageDType, transform, targetTransform)
    {
        Train = train;
        _classes = loaded.Classes;
    }

    /// <summary>Whether this is the training split.</summary>
    public bool Train { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<string> Classes => _classes;

    /// <summary>The batch file names of a split.</summary>
    public static IReadOnlyList<string> BatchFiles(bool train) =>
        train ? ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"] : ["test_batch.bin"];

    /// <summary>Downloads the archive into <paramref name="root"/> (verified by SHA-256) and extracts it there.</summary>
    /// <exception cref="InvalidDataException">Wrong SHA-256 from every mirror that answered.</exception>
    /// <exception cref="IOException">No mirror reachable.</exception>
    public static void Download(string root, IReadOnlyList<string>? mirrors = null, HttpClient? client = null, RemoteFile? archive = null)
    {
        string path = Datasets.Download.File(mirrors ?? Mirrors, archive ?? Archive, root, client);
        Datasets.Download.ExtractTarGz(path, root);
    }

    private static (Tensor, Tensor, IReadOnlyList<string>) Load(string root, bool train, bool download)
    {
        string dir = FindDir(root, train);
        if (dir.Length == 0 && download)
        {
            Download(root);
            dir = FindDir(root, train);
        }
        if (dir.Length == 0)
            throw new FileNotFoundException($"Cifar10: {string.Join(", ", BatchFiles(train))} not found in {root} or {Path.Combine(root, "cifar-10-batches-bin")}; pass download: true or extract cifar-10-binary.tar.gz there.");
        var files = BatchFiles(train).Select(f => Path.Combine(dir, f)).ToArray();
        var blobs = files.Select(File.ReadAllBytes).ToArray();
        long total = 0;
        for (int k = 0; k < files.Length; k++)
        {
            if (blobs[k].Length == 0 || blobs[k].Length % RecordBytes != 0)
                throw new InvalidDataException($"Cifar10: '{files[k]}' has {blobs[k].Length} bytes, not a positive multiple of the {RecordBytes}-byte record (1 label + 3x32x32 pixels).");
            total += blobs[k].Length / RecordBytes;
        }
        int n = checked((int)total);
        var pixels = new byte[(long)n * (RecordBytes - 1)];
        var labels = new long[n];
        int i = 0;
        for (int k = 0; k < files.Length; k++)
            for (int r = 0; r < blobs[k].Length / RecordBytes; r++, i++)
            {
                var rec = blobs[k].AsSpan(r * RecordBytes, RecordBytes);
                if (rec[0] > 9) throw new InvalidDataException($"Cifar10: '{files[k]}' record {r} has label {rec[0]}, expected 0..9.");
                labels[i] = rec[0];
                rec[1..].CopyTo(pixels.AsSpan(i * (RecordBytes - 1)));
            }
        IReadOnlyList<string> classes = DefaultClasses;
        string meta = Path.Combine(dir, "batches.meta.txt");
        if (File.Exists(meta))
        {
            var names = File.ReadAllLines(meta).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
            if (names.Length != 10) throw new InvalidDataException($"Cifar10: '{meta}' lists {names.Length} class names, expected 10.");
            classes = names;
        }
        return (Tensor.FromArray(pixels, [n, 3, 32, 32]), Tensor.FromArray(labels), classes);
    }

    private static string FindDir(string root, bool train)
    {
        foreach (string dir in new[] { root, Path.Combine(root, "cifar-10-batches-bin") })
            if (BatchFiles(train).All(f => File.Exists(Path.Combine(dir, f)))) return dir;
        return "";
    }
}

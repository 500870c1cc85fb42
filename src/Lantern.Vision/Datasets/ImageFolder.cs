namespace Lantern.Vision.Datasets;

/// <summary>
/// A class per sub-folder (torchvision.datasets.ImageFolder): <c>root/CLASS/**/FILE</c>. Classes are the
/// sub-folder names sorted by ordinal (code point) order, as Python's sorted(); label = position in that list.
/// Samples are listed like torchvision's make_dataset: class by class, folders of a class in sorted path order
/// (os.walk, following links), files of a folder in sorted name order, keeping files whose lower-cased name ends
/// with one of the extensions (or accepted by <c>isValidFile</c>). Images are decoded lazily by the loader
/// (default <see cref="ImageCodec.Load"/>: RGB UInt8 [3, H, W]); a UInt8 image becomes Float32 x / 255 unless
/// imageDType is UInt8.
/// </summary>
/// <remarks>Deviation: the default extensions are the formats the built-in codec decodes (.jpg, .jpeg, .png, .bmp),
/// not torchvision's full list (.ppm, .pgm, .tif, .tiff, .webp need another loader).</remarks>
public sealed class ImageFolder : VisionDataset
{
    /// <summary>The default extensions (those the built-in codec decodes).</summary>
    public static readonly IReadOnlyList<string> DefaultExtensions = [".jpg", ".jpeg", ".png", ".bmp"];

    private readonly (string Path, long Label)[] _samples;
    private readonly string[] _classes;
    private readonly Func<string, Tensor> _loader;

    /// <summary>Scans <paramref name="root"/>.</summary>
    /// <param name="root">The folder whose sub-folders are the classes.</param>
    /// <param name="transform">Applied to each image after loading and the dtype conversion.</param>
    /// <param name="targetTransform">Applied to each label.</param>
    /// <param name="loader">Path -> image tensor [C, H, W] (default: <see cref="ImageCodec.Load"/>, RGB UInt8).</param>
    /// <param name="extensions">Accepted file-name endings, case-insensitive (default <see cref="DefaultExtensions"/>);
    /// excludes <paramref name="isValidFile"/>.</param>
    /// <param name="isValidFile">Decides per path instead of the extensions.</param>
    /// <param name="imageDType">Float32 (UInt8 images scaled by 1/255, default) or UInt8 (no conversion).</param>
    /// <param name="allowEmpty">Allow classes without any valid file (torchvision's allow_empty).</param>
    /// <exception cref="DirectoryNotFoundException">root does not exist.</exception>
    /// <exception cref="FileNotFoundException">No class folder, or a class without valid files (unless allowEmpty).</exception>
    /// <exception cref="ArgumentException">Both extensions and isValidFile given.</exception>
    public ImageFolder(string root, Func<Tensor, Tensor>? transform = null, Func<long, long>? targetTransform = null,
        Func<string, Tensor>? loader = null, IReadOnlyList<string>? extensions = null, Func<string, bool>? isValidFile = null,
        DType imageDType = DType.Float32, bool allowEmpty = false)
        : base(transform, targetTransform)
    {
        if (extensions != null && isValidFile != null)
            throw new ArgumentException("ImageFolder: both extensions and isValidFile cannot be given at the same time.");
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"ImageFolder: root '{root}' does not exist.");
        ImageDType = CheckImageDType(imageDType, "ImageFolder");
        Root = root;
        _loader = loader ?? (p => ImageCodec.Load(p));
        var exts = (extensions ?? DefaultExtensions).Select(e => e.ToLowerInvariant()).ToArray();
        Func<string, bool> valid = isValidFile ?? (p => exts.Any(e => p.ToLowerInvariant().EndsWith(e, StringComparison.Ordinal)));
        var all = new EnumerationOptions { AttributesToSkip = 0, RecurseSubdirectories = false };
        _classes = Directory.EnumerateDirectories(root, "*", all).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        if (_classes.Length == 0) throw new FileNotFoundException($"ImageFolder: couldn't find any class folder in '{root}'.");
        var samples = new List<(string, long)>();
        var empty = new List<string>();
        var recurse = new EnumerationOptions { AttributesToSkip = 0, RecurseSubdirectories = true };
        for (int c = 0; c < _classes.Length; c++)
        {
            string classDir = Path.Combine(root, _classes[c]);
            var dirs = Directory.EnumerateDirectories(classDir, "*", recurse).Prepend(classDir).Order(StringComparer.Ordinal);
            int before = samples.Count;
            foreach (string dir in dirs)
                foreach (string file in Directory.EnumerateFiles(dir, "*", all).Order(StringComparer.Ordinal))
                    if (valid(file)) samples.Add((file, c));
            if (samples.Count == before) empty.Add(_classes[c]);
        }
        if (empty.Count > 0 && !allowEmpty)
            throw new FileNotFoundException($"ImageFolder: found no valid file for the classes {string.Join(", ", empty)} in '{root}'." +
                (isValidFile == null ? $" Supported extensions are: {string.Join(", ", exts)}" : ""));
        _samples = samples.ToArray();
    }

    /// <summary>The scanned folder.</summary>
    public string Root { get; }

    /// <summary>The dtype of the images handed out (Float32: UInt8 images scaled by 1/255; UInt8: loader output as is).</summary>
    public DType ImageDType { get; }

    /// <summary>(path, label) of every sample, in order (torchvision's samples / imgs).</summary>
    public IReadOnlyList<(string Path, long Label)> Samples => _samples;

    /// <summary>The label of every sample (torchvision's targets).</summary>
    public IReadOnlyList<long> Targets => _samples.Select(s => s.Label).ToArray();

    /// <inheritdoc/>
    public override IReadOnlyList<string> Classes => _classes;

    /// <inheritdoc/>
    public override int Count => _samples.Length;

    /// <summary>Loads sample <paramref name="index"/> with the loader, converts, and applies the transforms.</summary>
    /// <exception cref="InvalidDataException">The default loader cannot decode the file.</exception>
    public override (Tensor Image, long Label) Get(int index)
    {
        CheckIndex(index);
        var (path, label) = _samples[index];
        return Finish(ToImageDType(_loader(path), ImageDType), label);
    }
}

// Generates the Fashion-MNIST subset embedded in the `lantern` CLI (src/Lantern.Cli/Data) from the full dataset.
// A .NET 10 file-based program, independent of Lantern (its own IDX reader), so the embedded data can be checked
// against the full files. Run from the repository root:
//
//   apt-get install -y dataset-fashion-mnist     # installs /usr/share/datasets/fashion-mnist/*.gz
//   dotnet run src/Lantern.Cli/Data/Generator/MakeFashionMnistSubset.cs -- /usr/share/datasets/fashion-mnist src/Lantern.Cli/Data
//
// The subset (deterministic, no randomness):
//   training: the first 1,000 images of each class in the order of train-images-idx3-ubyte (10,000 images, 1,000 per
//             class), kept in their original relative order;
//   test:     the first 1,000 images of t10k-images-idx3-ubyte, in order (whatever their classes).
// Output: four gzip IDX files (same format as the originals) and fashion-mnist-subset.manifest.txt with the rule,
// the SHA-256 of the decompressed source files, the counts per class, and the SHA-256 of the subset's image and
// label bytes (IDX payload without header), which the tests compare with what the CLI loads.
using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

const int PerClass = 1000, TestCount = 1000;
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: MakeFashionMnistSubset.cs FASHION_MNIST_DIR OUTPUT_DIR");
    return 2;
}
string src = args[0], outDir = args[1];
var manifest = new StringBuilder();
manifest.AppendLine("# Fashion-MNIST subset embedded in the lantern CLI; written by src/Lantern.Cli/Data/Generator/MakeFashionMnistSubset.cs");
manifest.AppendLine("# Fashion-MNIST: Copyright (c) 2017 Zalando SE, https://tech.zalando.com; MIT licence (see NOTICE).");
manifest.AppendLine($"rule.train=first {PerClass} images of each class of train-images-idx3-ubyte, original order");
manifest.AppendLine($"rule.test=first {TestCount} images of t10k-images-idx3-ubyte, original order");

foreach (var (split, srcPrefix) in new[] { ("train", "train"), ("test", "t10k") })
{
    var (imgBytes, imgSha) = ReadIdx(Path.Combine(src, $"{srcPrefix}-images-idx3-ubyte.gz"), 3, out var dims);
    var (labBytes, labSha) = ReadIdx(Path.Combine(src, $"{srcPrefix}-labels-idx1-ubyte.gz"), 1, out _);
    manifest.AppendLine($"source.{split}.images.sha256={imgSha}");
    manifest.AppendLine($"source.{split}.labels.sha256={labSha}");
    int rows = dims[1], cols = dims[2], size = rows * cols;
    var chosen = new List<int>();
    var taken = new int[10];
    for (int i = 0; i < labBytes.Length && (split == "train" ? taken.Sum() < 10 * PerClass : chosen.Count < TestCount); i++)
    {
        if (split == "train" && taken[labBytes[i]] >= PerClass) continue;
        taken[labBytes[i]]++;
        chosen.Add(i);
    }
    var images = new byte[chosen.Count * size];
    var labels = new byte[chosen.Count];
    for (int k = 0; k < chosen.Count; k++)
    {
        Array.Copy(imgBytes, (long)chosen[k] * size, images, (long)k * size, size);
        labels[k] = labBytes[chosen[k]];
    }
    WriteIdx(Path.Combine(outDir, $"fashion-mnist-subset-{srcPrefix}-images-idx3-ubyte.gz"), [chosen.Count, rows, cols], images);
    WriteIdx(Path.Combine(outDir, $"fashion-mnist-subset-{srcPrefix}-labels-idx1-ubyte.gz"), [chosen.Count], labels);
    manifest.AppendLine($"{split}.count={chosen.Count}");
    manifest.AppendLine($"{split}.per_class={string.Join(",", taken)}");
    manifest.AppendLine($"{split}.last_source_index={chosen[^1]}");
    manifest.AppendLine($"{split}.source_indices.sha256={Sha(Encoding.ASCII.GetBytes(string.Join(",", chosen)))}");
    manifest.AppendLine($"{split}.images.sha256={Sha(images)}");
    manifest.AppendLine($"{split}.labels.sha256={Sha(labels)}");
    for (int k = 0; k < 3; k++)
        manifest.AppendLine($"{split}.image{k}.source_index={chosen[k]} sha256={Sha(images.AsSpan(k * size, size).ToArray())}");
}
File.WriteAllText(Path.Combine(outDir, "fashion-mnist-subset.manifest.txt"), manifest.ToString());
Console.Write(manifest);
return 0;

static string Sha(byte[] b) => Convert.ToHexStringLower(SHA256.HashData(b));

// Returns the payload (after the header) and the SHA-256 of the whole decompressed file.
static (byte[] Payload, string Sha) ReadIdx(string path, int rank, out int[] dims)
{
    using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
    var ms = new MemoryStream();
    gz.CopyTo(ms);
    var all = ms.ToArray();
    if (BinaryPrimitives.ReadInt32BigEndian(all) != (0x0800 | rank)) throw new InvalidDataException($"{path}: bad magic");
    dims = new int[rank];
    for (int d = 0; d < rank; d++) dims[d] = BinaryPrimitives.ReadInt32BigEndian(all.AsSpan(4 + 4 * d));
    return (all[(4 + 4 * rank)..], Sha(all));
}

static void WriteIdx(string path, int[] dims, byte[] payload)
{
    var raw = new byte[4 + 4 * dims.Length + payload.Length];
    BinaryPrimitives.WriteInt32BigEndian(raw, 0x0800 | dims.Length);
    for (int d = 0; d < dims.Length; d++) BinaryPrimitives.WriteInt32BigEndian(raw.AsSpan(4 + 4 * d), dims[d]);
    payload.CopyTo(raw, 4 + 4 * dims.Length);
    using var fs = File.Create(path);
    using var gz = new GZipStream(fs, CompressionLevel.SmallestSize);
    gz.Write(raw);
}

using Lantern.Vision.Datasets;
using Xunit;
using static Lantern.Tests.VisionDatasets.DatasetFiles;

namespace Lantern.Tests.VisionDatasets;

/// <summary>CIFAR-10 binary batches.</summary>
public class Cifar10Tests
{
    internal static byte CifarPixel(int n, int c, int y, int x) => (byte)((n * 13 + c * 50 + y * 5 + x) % 256);

    /// <summary>Writes batch files with the given record counts; record r of file k is image number k*100 + r.</summary>
    internal static void WriteBatches(string dir, string[] names, int perFile)
    {
        for (int k = 0; k < names.Length; k++)
        {
            var bytes = new byte[perFile * 3073];
            for (int r = 0; r < perFile; r++)
            {
                int n = k * 100 + r;
                bytes[r * 3073] = (byte)(n % 10);
                for (int c = 0; c < 3; c++)
                    for (int y = 0; y < 32; y++)
                        for (int x = 0; x < 32; x++) bytes[r * 3073 + 1 + c * 1024 + y * 32 + x] = CifarPixel(n, c, y, x);
            }
            File.WriteAllBytes(Path.Combine(dir, names[k]), bytes);
        }
    }

    [Fact]
    public void ReadsBatchesChannelsAndMeta()
    {
        string root = TempDir();
        string dir = Path.Combine(root, "cifar-10-batches-bin");
        Directory.CreateDirectory(dir);
        WriteBatches(dir, ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"], 2);
        WriteBatches(dir, ["test_batch.bin"], 3);
        File.WriteAllText(Path.Combine(dir, "batches.meta.txt"), "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n");
        var train = new Cifar10(root);
        Assert.Equal(10, train.Count);
        var (img, label) = train[3];   // file 2 (k = 1), record 1 -> n = 101
        Assert.Equal(new Shape(3, 32, 32), img.Shape);
        Assert.Equal(1, label);
        var f = img.ToArray<float>();
        Assert.Equal(CifarPixel(101, 2, 31, 4) / 255f, f[2 * 1024 + 31 * 32 + 4]);
        Assert.Equal(CifarPixel(101, 1, 0, 0) / 255f, f[1024]);
        var test = new Cifar10(root, train: false, imageDType: DType.UInt8);
        Assert.Equal(3, test.Count);
        Assert.Equal(CifarPixel(2, 0, 5, 6), test[2].Image.ToArray<byte>()[5 * 32 + 6]);
        Assert.Equal("truck", test.Classes[9]);
        Assert.True(test.TryGetBatch([2, 0], out (Tensor Images, Tensor Labels) b));
        Assert.Equal(new Shape(2, 3, 32, 32), b.Images.Shape);
        Assert.Equal([2L, 0L], b.Labels.ToArray<long>());
    }

    [Fact]
    public void BadFilesAreNamed()
    {
        string dir = TempDir();
        WriteBatches(dir, ["test_batch.bin"], 1);
        File.AppendAllText(Path.Combine(dir, "test_batch.bin"), "x");
        var ex = Assert.Throws<InvalidDataException>(() => new Cifar10(dir, train: false));
        Assert.Contains("test_batch.bin", ex.Message);
        Assert.Contains("3074 bytes", ex.Message);
        var bytes = new byte[3073];
        bytes[0] = 10;
        File.WriteAllBytes(Path.Combine(dir, "test_batch.bin"), bytes);
        Assert.Contains("label 10", Assert.Throws<InvalidDataException>(() => new Cifar10(dir, train: false)).Message);
        Assert.Contains("data_batch_1.bin", Assert.Throws<FileNotFoundException>(() => new Cifar10(dir)).Message);
        bytes[0] = 1;
        File.WriteAllBytes(Path.Combine(dir, "test_batch.bin"), bytes);
        File.WriteAllText(Path.Combine(dir, "batches.meta.txt"), "a\nb\n");
        Assert.Contains("2 class names", Assert.Throws<InvalidDataException>(() => new Cifar10(dir, train: false)).Message);
    }
}

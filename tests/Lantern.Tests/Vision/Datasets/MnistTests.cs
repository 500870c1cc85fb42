using Lantern.Data;
using Lantern.Vision.Datasets;
using Xunit;
using static Lantern.Tests.VisionDatasets.DatasetFiles;

namespace Lantern.Tests.VisionDatasets;

/// <summary>MNIST / Fashion-MNIST IDX parsing, validation, sample formats and the batch fast path.</summary>
public class MnistTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LoadsRawAndGzipFiles(bool gzip)
    {
        string dir = TempDir();
        WriteMnist(dir, "train", 5, gzip);
        WriteMnist(dir, "t10k", 3, !gzip);
        var train = new Mnist(dir);
        var test = new Mnist(dir, train: false, imageDType: DType.UInt8);
        Assert.Equal(5, train.Count);
        Assert.Equal(3, test.Count);
        Assert.True(train.Train);
        Assert.False(test.Train);
        var (img, label) = train[4];
        Assert.Equal(new Shape(1, 28, 28), img.Shape);
        Assert.Equal(DType.Float32, img.DType);
        Assert.Equal(Label(4), label);
        var f = img.ToArray<float>();
        Assert.Equal(Pixel(4, 13, 17) / 255f, f[13 * 28 + 17]);
        Assert.Equal(Pixel(4, 0, 0) / 255f, f[0]);
        var (raw, l2) = test[2];
        Assert.Equal(DType.UInt8, raw.DType);
        Assert.Equal(Pixel(2, 27, 27), raw.ToArray<byte>()[783]);
        Assert.Equal(Label(2), l2);
        Assert.Equal("0 - zero", train.Classes[0]);
        Assert.Equal(9, train.ClassToIdx["9 - nine"]);
        Assert.Equal(new Shape(5, 1, 28, 28), train.Data.Shape);
        Assert.Throws<ArgumentOutOfRangeException>(() => train[5]);
    }

    [Fact]
    public void TorchvisionLayoutAndFashionClasses()
    {
        string root = TempDir();
        string raw = Path.Combine(root, "FashionMNIST", "raw");
        Directory.CreateDirectory(raw);
        WriteMnist(raw, "t10k", 2, gzip: true);
        var ds = new FashionMnist(root, train: false);
        Assert.Equal(2, ds.Count);
        Assert.Equal(["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"], ds.Classes);
        var ex = Assert.Throws<FileNotFoundException>(() => new Mnist(root, train: false));
        Assert.Contains("t10k-images-idx3-ubyte", ex.Message);
    }

    [Fact]
    public void BadFilesNameTheFileAndTheProblem()
    {
        string dir = TempDir();
        WriteMnist(dir, "train", 2, gzip: false);
        string images = Path.Combine(dir, "train-images-idx3-ubyte");
        string labels = Path.Combine(dir, "train-labels-idx1-ubyte");
        var good = File.ReadAllBytes(images);

        File.WriteAllBytes(images, Idx([2, 28, 28], new byte[2 * 784], magic: 2049));
        var ex = Assert.Throws<InvalidDataException>(() => new Mnist(dir));
        Assert.Contains(images, ex.Message);
        Assert.Contains("magic number 0x00000801", ex.Message);

        File.WriteAllBytes(images, good[..^10]);
        ex = Assert.Throws<InvalidDataException>(() => new Mnist(dir));
        Assert.Contains("truncated", ex.Message);
        Assert.Contains("1568", ex.Message);

        File.WriteAllBytes(images, [.. good, 0]);
        Assert.Contains("trailing", Assert.Throws<InvalidDataException>(() => new Mnist(dir)).Message);

        File.WriteAllBytes(images, Idx([3, 28, 28], new byte[3 * 784]));
        ex = Assert.Throws<InvalidDataException>(() => new Mnist(dir));
        Assert.Contains("3 images but 2 labels", ex.Message);

        File.WriteAllBytes(images, good);
        File.WriteAllBytes(labels, Idx([2], [1, 10]));
        ex = Assert.Throws<InvalidDataException>(() => new Mnist(dir));
        Assert.Contains(labels, ex.Message);
        Assert.Contains("label 10 at position 1", ex.Message);

        File.WriteAllBytes(labels, Gzip(Idx([2], [1, 2]))[..20]);
        ex = Assert.Throws<InvalidDataException>(() => new Mnist(dir));
        Assert.Contains(labels, ex.Message);

        File.WriteAllBytes(labels, [0, 0]);
        Assert.Contains("too short", Assert.Throws<InvalidDataException>(() => new Mnist(dir)).Message);
    }

    [Fact]
    public void LoaderBatchIsOneGatherAndEqualsPerSampleCollate()
    {
        string dir = TempDir();
        WriteMnist(dir, "train", 10, gzip: true);
        var ds = new Mnist(dir);
        int[] idx = [7, 2, 9];
        Assert.True(ds.TryGetBatch(idx, out (Tensor Images, Tensor Labels) fast));
        var slow = Collate.Default<(Tensor, long), (Tensor, Tensor)>()(idx.Select(i => ds[i]).ToArray());
        Assert.Equal(new Shape(3, 1, 28, 28), fast.Images.Shape);
        Assert.Equal(slow.Item1.ToArray<float>(), fast.Images.ToArray<float>());
        Assert.Equal(idx.Select(i => (long)Label(i)).ToArray(), fast.Labels.ToArray<long>());

        var loader = new DataLoader<(Tensor, long), (Tensor, Tensor)>(ds, batchSize: 4, shuffle: true, generator: new Generator(3));
        var batches = loader.ToList();
        Assert.Equal([4, 4, 2], batches.Select(b => b.Item1.Shape[0]));
        var seen = batches.SelectMany(b => b.Item2.ToArray<long>()).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)Label(i)).Order().ToArray(), seen);

        // With a transform the fast path is off and every sample goes through it.
        var flipped = new Mnist(dir, transform: t => t.Mul(-1));
        Assert.False(flipped.TryGetBatch(idx, out (Tensor, Tensor) _));
        Assert.Equal(-Pixel(3, 1, 2) / 255f, flipped[3].Image.ToArray<float>()[30]);
        var uint8 = new Mnist(dir, imageDType: DType.UInt8);
        Assert.True(uint8.TryGetBatch(idx, out (Tensor Images, Tensor) b8));
        Assert.Equal(DType.UInt8, b8.Images.DType);
        Assert.Throws<ArgumentException>(() => new Mnist(dir, imageDType: DType.Int64));
    }

    [Fact]
    public void FromStreamsReadsGzipStreams()
    {
        var images = new MemoryStream(Gzip(Idx([1, 2, 2], [0, 255, 51, 102])));
        var labels = new MemoryStream(Idx([1], [8]));
        var ds = FashionMnist.FromStreams(images, labels, train: false);
        Assert.Equal(new Shape(1, 2, 2), ds[0].Image.Shape);
        Assert.Equal([0f, 1f, 0.2f, 0.4f], ds[0].Image.ToArray<float>());
        Assert.Equal(8, ds[0].Label);
        Assert.Equal("Bag", ds.Classes[8]);
    }
}

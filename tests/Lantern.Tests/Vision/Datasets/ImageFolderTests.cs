using System.Diagnostics;
using Lantern.Vision.Datasets;
using Xunit;
using static Lantern.Tests.VisionDatasets.DatasetFiles;

namespace Lantern.Tests.VisionDatasets;

/// <summary>ImageFolder: class order, file order, extension filter, decoding, errors; the JPEG hang guard.</summary>
public class ImageFolderTests
{
    private static byte[,,] Image(int h, int w, int seed)
    {
        var a = new byte[h, w, 3];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) for (int c = 0; c < 3; c++) a[y, x, c] = (byte)(seed * 40 + y * 17 + x * 5 + c * 60);
        return a;
    }

    [Fact]
    public void ScansLikeTorchvision()
    {
        string root = TempDir();
        foreach (var d in new[] { "cat", "Dog", "bird/sub", "bird/a" }) Directory.CreateDirectory(Path.Combine(root, d));
        File.WriteAllBytes(Path.Combine(root, "cat", "b.png"), Png(Image(3, 4, 1)));
        File.WriteAllBytes(Path.Combine(root, "cat", "a.BMP"), Bmp(Image(2, 5, 2)));
        File.WriteAllText(Path.Combine(root, "cat", "notes.txt"), "not an image");
        File.WriteAllBytes(Path.Combine(root, "Dog", "z.png"), Png(Image(1, 1, 3)));
        File.WriteAllBytes(Path.Combine(root, "bird", "x.png"), Png(Image(2, 2, 4)));
        File.WriteAllBytes(Path.Combine(root, "bird", "sub", "y.png"), Png(Image(2, 2, 5)));
        File.WriteAllBytes(Path.Combine(root, "bird", "a", "w.png"), Png(Image(2, 2, 6)));
        File.WriteAllText(Path.Combine(root, "README"), "a file at the root is not a class");

        var ds = new ImageFolder(root);
        Assert.Equal(["Dog", "bird", "cat"], ds.Classes);   // ordinal: upper case first
        var rel = ds.Samples.Select(s => (Path.GetRelativePath(root, s.Path).Replace('\\', '/'), s.Label)).ToArray();
        Assert.Equal([("Dog/z.png", 0L), ("bird/x.png", 1L), ("bird/a/w.png", 1L), ("bird/sub/y.png", 1L), ("cat/a.BMP", 2L), ("cat/b.png", 2L)], rel);
        Assert.Equal([0L, 1, 1, 1, 2, 2], ds.Targets);

        var (png, label) = ds[5];
        Assert.Equal(2, label);
        Assert.Equal(new Shape(3, 3, 4), png.Shape);
        var src = Image(3, 4, 1);
        var f = png.ToArray<float>();
        Assert.Equal(src[2, 3, 1] / 255f, f[1 * 12 + 2 * 4 + 3]);
        Assert.Equal(src[0, 1, 2] / 255f, f[2 * 12 + 0 * 4 + 1]);

        var raw = new ImageFolder(root, imageDType: DType.UInt8);
        var bmp = raw[4].Image;
        Assert.Equal(new Shape(3, 2, 5), bmp.Shape);
        var b = bmp.ToArray<byte>();
        var bsrc = Image(2, 5, 2);
        for (int c = 0; c < 3; c++) for (int y = 0; y < 2; y++) for (int x = 0; x < 5; x++) Assert.Equal(bsrc[y, x, c], b[c * 10 + y * 5 + x]);

        var onlyBmp = new ImageFolder(root, extensions: [".bmp"], allowEmpty: true);
        Assert.Single(onlyBmp.Samples);
        var custom = new ImageFolder(root, loader: p => Tensor.Full([1, 1, 1], p.Length), isValidFile: p => p.EndsWith("README") || p.EndsWith(".txt"), allowEmpty: true);
        Assert.Equal((long)Path.Combine(root, "cat", "notes.txt").Length, (long)custom[0].Image.Item());
        var withTransform = new ImageFolder(root, transform: t => t.Sum().Reshape(1), targetTransform: l => l + 100);
        Assert.Equal(100, withTransform[0].Label);
    }

    [Fact]
    public void Errors()
    {
        string root = TempDir();
        Assert.Throws<DirectoryNotFoundException>(() => new ImageFolder(Path.Combine(root, "missing")));
        Assert.Contains("class folder", Assert.Throws<FileNotFoundException>(() => new ImageFolder(root)).Message);
        Directory.CreateDirectory(Path.Combine(root, "empty"));
        Directory.CreateDirectory(Path.Combine(root, "full"));
        File.WriteAllBytes(Path.Combine(root, "full", "bad.png"), [1, 2, 3, 4, 5]);
        File.WriteAllBytes(Path.Combine(root, "full", "hang.jpg"), [0xFF, 0xD8, 0xFF, 0xE0, 0xFF, 0xFF]);
        var ex = Assert.Throws<FileNotFoundException>(() => new ImageFolder(root));
        Assert.Contains("empty", ex.Message);
        Assert.Contains(".png", ex.Message);
        var ds = new ImageFolder(root, allowEmpty: true);
        Assert.Equal(2, ds.Count);
        Assert.Contains("bad.png", Assert.Throws<InvalidDataException>(() => ds[0]).Message);
        var sw = Stopwatch.StartNew();
        Assert.Contains("corrupt JPEG", Assert.Throws<InvalidDataException>(() => ds[1]).Message);
        Assert.True(sw.Elapsed.TotalSeconds < 5);
        Assert.Throws<ArgumentException>(() => new ImageFolder(root, extensions: [".png"], isValidFile: _ => true));
    }
}

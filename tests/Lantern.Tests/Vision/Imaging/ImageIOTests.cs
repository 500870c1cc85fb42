using Lantern.Vision;
using Xunit;

namespace Lantern.Tests.VisionImaging;

/// <summary>ImageIO: round trips per format, channel modes, OpenCV luma on grey reads, and crafted/corrupt files.</summary>
public class ImageIOTests
{
    private static string Tmp(string ext) => Path.Combine(Path.GetTempPath(), $"lantern-io-{Guid.NewGuid():N}{ext}");

    [Theory]
    [InlineData(".png", 1)] [InlineData(".png", 3)] [InlineData(".png", 4)]
    [InlineData(".bmp", 3)] [InlineData(".tga", 3)] [InlineData(".tga", 4)]
    public void LosslessRoundTrip(string ext, int channels)
    {
        var img = ImageTests.Ramp(13, 7, channels, 5).Roi(1, 1, 11, 5);   // a ROI: rows with gaps
        string p = Tmp(ext);
        ImageIO.Write(p, img);
        var back = ImageIO.Read(p, ImreadMode.Unchanged);
        File.Delete(p);
        Assert.Equal((11, 5, channels), (back.Width, back.Height, back.Channels));
        Assert.Equal(img.ToPixels<byte>(), back.ToPixels<byte>());
    }

    [Fact]
    public void ModesAndChannelOrder()
    {
        var rgb = ImageTests.Ramp(6, 4, 3, 9);
        var png = ImageIO.Encode(rgb.ToBgr(), ImageFileFormat.Png);       // BGR is written in file (RGB) order
        Assert.Equal(rgb.ToPixels<byte>(), ImageIO.Decode(png).ToPixels<byte>());
        var gray = ImageIO.Decode(png, mode: ImreadMode.Grayscale);
        Assert.Equal(1, gray.Channels);
        // OpenCV 4's fixed-point luma: (9798 R + 19235 G + 3735 B + 2^14) >> 15
        int r = (int)rgb[4, 3, 0], g = (int)rgb[4, 3, 1], b = (int)rgb[4, 3, 2];
        Assert.Equal((9798 * r + 19235 * g + 3735 * b + 16384) >> 15, gray[4, 3]);
        var g1 = ImageIO.Decode(ImageIO.Encode(gray, ImageFileFormat.Png), mode: ImreadMode.Color);
        Assert.Equal((3, gray[2, 1], gray[2, 1]), (g1.Channels, g1[2, 1, 0], g1[2, 1, 2]));
        var rgba = ImageTests.Ramp(3, 3, 4);
        var dropped = ImageIO.Decode(ImageIO.Encode(rgba, ImageFileFormat.Png));
        Assert.Equal((3, rgba[1, 2, 2]), (dropped.Channels, dropped[1, 2, 2]));
    }

    [Fact]
    public void JpegQuality()
    {
        var img = ImageTests.Ramp(64, 48, 3);
        var hi = ImageIO.Encode(img, ImageFileFormat.Jpeg, 95);
        var lo = ImageIO.Encode(img, ImageFileFormat.Jpeg, 10);
        Assert.True(lo.Length < hi.Length, $"{lo.Length} vs {hi.Length}");
        var a = img.ToPixels<byte>(); var d = ImageIO.Decode(hi).ToPixels<byte>();
        double mse = 0;
        for (int i = 0; i < a.Length; i++) mse += (a[i] - d[i]) * (double)(a[i] - d[i]);
        Assert.True(10 * Math.Log10(255.0 * 255 / (mse / a.Length)) > 25, "PSNR at q95");
        Assert.Contains("quality 0", Assert.Throws<ArgumentException>(() => ImageIO.Encode(img, ImageFileFormat.Jpeg, 0)).Message);
        Assert.Contains("Float32", Assert.Throws<ArgumentException>(() => ImageIO.Encode(new Image(2, 2, 3, PixelDepth.Float32), ImageFileFormat.Png)).Message);
        Assert.Contains("x.webp", Assert.Throws<ArgumentException>(() => ImageIO.Write("x.webp", img)).Message);
    }

    [Fact]
    public void Photographs()
    {
        var cam = ImageIO.Read(TestImages.Path("camera.png"), ImreadMode.Unchanged);
        Assert.Equal((512, 512, 1), (cam.Width, cam.Height, cam.Channels));
        var astro = ImageIO.Read(TestImages.Path("astronaut.png"));
        Assert.Equal((512, 512, 3, ChannelOrder.Rgb), (astro.Width, astro.Height, astro.Channels, astro.Order));
        var jpg = ImageIO.Read(TestImages.Path("building.jpg"));
        Assert.Equal((868, 600), (jpg.Width, jpg.Height));
    }

    [Fact]
    public void CraftedFilesThrowNamingTheFile()
    {
        // The 6-byte JPEG that makes StbImageSharp 2.30.16 loop forever.
        Check([0xFF, 0xD8, 0xFF, 0xE0, 0xFF, 0xFF], "hang.jpg", "corrupt JPEG");
        Check([], "empty.png", "empty");
        Check("not an image at all"u8.ToArray(), "text.png", "unsupported");
        var png = ImageIO.Encode(ImageTests.Ramp(20, 10, 3), ImageFileFormat.Png);
        Check(png[..(png.Length - 20)], "cut.png", "truncated");
        var jpg = ImageIO.Encode(ImageTests.Ramp(40, 30, 3), ImageFileFormat.Jpeg, 90);
        Check(jpg[..(jpg.Length / 2)], "cut.jpg", "truncated");
        string missing = Tmp(".png");
        Assert.Throws<FileNotFoundException>(() => ImageIO.Read(missing));
    }

    private static void Check(byte[] bytes, string name, string fragment)
    {
        var ex = Assert.Throws<ImageFormatException>(() => Bounded(() => ImageIO.Decode(bytes, name)));
        Assert.Contains(name, ex.Message);
        Assert.Contains(fragment, ex.Message);
        Assert.Equal(name, ex.FileName);
    }

    // Runs a decode on another thread and fails (rather than hanging the suite) if it takes over 10 s.
    private static Image? Bounded(Func<Image> decode)
    {
        var task = Task.Run(decode);
        if (!((IAsyncResult)task).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(10))) Assert.Fail("decode did not finish within 10 s (hang)");
        return task.GetAwaiter().GetResult();
    }

    [Fact]
    public void FuzzedFilesDecodeOrThrowImageFormatException()
    {
        var rng = new Random(7);
        var seeds = new[]
        {
            ImageIO.Encode(ImageTests.Ramp(24, 16, 3), ImageFileFormat.Png),
            ImageIO.Encode(ImageTests.Ramp(24, 16, 3), ImageFileFormat.Jpeg, 80),
            ImageIO.Encode(ImageTests.Ramp(24, 16, 1), ImageFileFormat.Bmp),
            [0xFF, 0xD8, 0xFF, 0xE0, 0xFF, 0xFF],
        };
        int decoded = 0, rejected = 0;
        for (int i = 0; i < 600; i++)
        {
            var b = (byte[])seeds[i % seeds.Length].Clone();
            int kind = rng.Next(3);
            if (kind == 0) for (int k = rng.Next(1, 6); k > 0; k--) b[rng.Next(b.Length)] = (byte)rng.Next(256);
            else if (kind == 1) b = b[..rng.Next(1, b.Length)];
            else { int at = rng.Next(b.Length); b[at] = 0xFF; if (at + 1 < b.Length) b[at + 1] = (byte)rng.Next(0xC0, 0xFF); }
            try
            {
                var img = Bounded(() => ImageIO.Decode(b, $"fuzz{i}"))!;
                Assert.True(img.Width > 0 && img.Height > 0);
                decoded++;
            }
            catch (ImageFormatException e) { Assert.Contains($"fuzz{i}", e.Message); rejected++; }
        }
        Assert.True(rejected > 100 && decoded > 50, $"decoded {decoded}, rejected {rejected}");
    }
}

using System.Runtime.InteropServices;
using Lantern.Vision;
using OpenCvSharp;
using Xunit;

namespace Lantern.Vision.Reference.Tests;

/// <summary>Moves pixels between Lantern images and OpenCV Mats (byte-exact copies) and compares results.</summary>
internal static class OpenCv
{
    /// <summary>A Mat holding a copy of the image's pixels in the image's own channel order (no swap).</summary>
    public static Mat ToMat(Image img)
    {
        var type = img.Depth == PixelDepth.UInt8 ? MatType.CV_8UC(img.Channels) : MatType.CV_32FC(img.Channels);
        var m = new Mat(img.Height, img.Width, type);
        for (int y = 0; y < img.Height; y++)
        {
            if (img.Depth == PixelDepth.UInt8) { var r = img.Row<byte>(y).ToArray(); Marshal.Copy(r, 0, m.Ptr(y), r.Length); }
            else { var r = img.Row<float>(y).ToArray(); Marshal.Copy(r, 0, m.Ptr(y), r.Length); }
        }
        return m;
    }

    /// <summary>An image holding a copy of a CV_8U/CV_32F Mat with 1, 3 or 4 channels (labelled with the given order).</summary>
    public static Image FromMat(Mat m, ChannelOrder? order = null)
    {
        int c = m.Channels();
        var depth = m.Depth() == MatType.CV_8U ? PixelDepth.UInt8 : m.Depth() == MatType.CV_32F ? PixelDepth.Float32
            : throw new ArgumentException($"FromMat: depth {m.Depth()} not supported");
        int rows = m.Rows, cols = m.Cols;
        var img = new Image(cols, rows, c, depth, order);
        for (int y = 0; y < rows; y++)
        {
            if (depth == PixelDepth.UInt8) { var r = new byte[cols * c]; Marshal.Copy(m.Ptr(y), r, 0, r.Length); r.CopyTo(img.Row<byte>(y)); }
            else { var r = new float[cols * c]; Marshal.Copy(m.Ptr(y), r, 0, r.Length); r.CopyTo(img.Row<float>(y)); }
        }
        return img;
    }

    /// <summary>Max |a - b| over all elements; sizes and channels must agree. Also returns the count of differing elements.</summary>
    public static (double Max, int Count) Diff(Image a, Image b) => DiffAt(a, b).Item1;

    /// <summary>Diff plus the location of the worst element.</summary>
    public static ((double Max, int Count), (int X, int Y, int C)) DiffAt(Image a, Image b)
    {
        Assert.Equal((a.Width, a.Height, a.Channels), (b.Width, b.Height, b.Channels));
        double max = 0; int n = 0; (int, int, int) at = (-1, -1, -1);
        for (int y = 0; y < a.Height; y++)
            for (int x = 0; x < a.Width; x++)
                for (int c = 0; c < a.Channels; c++)
                {
                    double d = Math.Abs(a[x, y, c] - b[x, y, c]);
                    if (double.IsNaN(d)) d = double.PositiveInfinity;
                    if (d > 0) n++;
                    if (d > max) { max = d; at = (x, y, c); }
                }
        return ((max, n), at);
    }

    /// <summary>Asserts max |a - b| &lt;= tol (absolute), with the op name and the worst figures in the message.</summary>
    public static void AssertClose(Image expected, Image actual, double tol, string what)
    {
        var ((max, n), at) = DiffAt(expected, actual);
        if (max > tol) Assert.Fail($"{what}: max |diff| = {max} over {n} differing elements (tolerance {tol}), worst at (x, y, c) = {at}: expected {expected[at.X, at.Y, at.C]}, got {actual[at.X, at.Y, at.C]}");
    }

    /// <summary>Max relative difference |a - b| / max(1, |a|) (float outputs).</summary>
    public static void AssertRelClose(Image expected, Image actual, double rtol, string what)
    {
        Assert.Equal((expected.Width, expected.Height, expected.Channels), (actual.Width, actual.Height, actual.Channels));
        double worst = 0;
        for (int y = 0; y < expected.Height; y++)
            for (int x = 0; x < expected.Width; x++)
                for (int c = 0; c < expected.Channels; c++)
                {
                    double e = expected[x, y, c], a = actual[x, y, c];
                    double r = Math.Abs(e - a) / Math.Max(1, Math.Abs(e));
                    if (double.IsNaN(r)) r = double.PositiveInfinity;
                    worst = Math.Max(worst, r);
                }
        Assert.True(worst <= rtol, $"{what}: max relative diff {worst} (tolerance {rtol})");
    }

    /// <summary>Random UInt8 image (uniform 0..255) or Float32 image (uniform 0..1).</summary>
    public static Image Random(int w, int h, int c, PixelDepth depth, int seed, ChannelOrder? order = null)
    {
        var rng = new Random(seed);
        var img = new Image(w, h, c, depth, order);
        if (depth == PixelDepth.UInt8) rng.NextBytes(img.Buffer<byte>());
        else { var f = img.Buffer<float>(); for (int i = 0; i < f.Length; i++) f[i] = (float)rng.NextDouble(); }
        return img;
    }
}

/// <summary>Finds the test photographs: LANTERN_IMAGES, else tests/data/images in the repository, else ../shared/data/images beside it.</summary>
internal static class TestImages
{
    private static readonly Lazy<string> s_dir = new(Find);

    /// <summary>The colour and grey photographs the parity tests run on.</summary>
    public static readonly string[] Color = ["astronaut.png", "chelsea.png", "building.jpg"];

    /// <summary>Grey photographs.</summary>
    public static readonly string[] Gray = ["camera.png", "coins.png", "box.png"];

    /// <summary>Full path of a test photograph.</summary>
    public static string PathOf(string name) => Path.Combine(s_dir.Value, name);

    /// <summary>Reads a shared image with Lantern's reader (RGB or grey).</summary>
    public static Image Read(string name, ImreadMode mode = ImreadMode.Color) => ImageIO.Read(Path.Combine(s_dir.Value, name), mode);

    private static string Find()
    {
        var env = Environment.GetEnvironmentVariable("LANTERN_IMAGES");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(env)) return env;
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
        {
            if (!File.Exists(Path.Combine(d.FullName, "Lantern.slnx"))) continue;
            var inRepo = Path.Combine(d.FullName, "tests", "data", "images"); // committed copies (clean clones, CI)
            if (Directory.Exists(inRepo)) return inRepo;
            var p = Path.GetFullPath(Path.Combine(d.FullName, "..", "shared", "data", "images"));
            if (Directory.Exists(p)) return p;
            break;
        }
        throw new InvalidOperationException("Shared test images not found: expected ../shared/data/images beside the repository root, or set LANTERN_IMAGES.");
    }
}

internal static class OpenCvNormwise
{
    /// <summary>Max |a - b| / max(1, max |a|): the error relative to the image's magnitude (sums with cancellation).</summary>
    public static double RelErr(Image expected, Image actual)
    {
        var (max, _) = OpenCv.Diff(expected, actual);
        double mag = 1;
        for (int y = 0; y < expected.Height; y++)
            for (int x = 0; x < expected.Width; x++)
                for (int c = 0; c < expected.Channels; c++) mag = Math.Max(mag, Math.Abs(expected[x, y, c]));
        return max / mag;
    }
}

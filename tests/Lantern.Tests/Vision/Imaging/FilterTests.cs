using Lantern.Vision;
using Xunit;

namespace Lantern.Tests.VisionImaging;

/// <summary>Filters without the oracle: border arithmetic, definitions on small images, Wrap (which OpenCV's filters reject), errors.</summary>
public class FilterTests
{
    [Fact]
    public void BorderInterpolateFollowsOpenCvDiagram()
    {
        // "abcdefgh" (len 8) at -3..-1 and 8..10
        int[] Pos(BorderType t) => [.. new[] { -3, -2, -1, 8, 9, 10 }.Select(p => Border.Interpolate(p, 8, t))];
        Assert.Equal([0, 0, 0, 7, 7, 7], Pos(BorderType.Replicate));
        Assert.Equal([2, 1, 0, 7, 6, 5], Pos(BorderType.Reflect));
        Assert.Equal([3, 2, 1, 6, 5, 4], Pos(BorderType.Reflect101));
        Assert.Equal([5, 6, 7, 0, 1, 2], Pos(BorderType.Wrap));
        Assert.Equal([-1, -1, -1, -1, -1, -1], Pos(BorderType.Constant));
        Assert.Equal(0, Border.Interpolate(-5, 1, BorderType.Reflect101));
        Assert.Equal(2, Border.Interpolate(-10, 4, BorderType.Reflect101));   // 10 steps back and forth over 0..3
    }

    private static Image Rand(int w, int h, int c, int seed)
    {
        var img = new Image(w, h, c);
        new Random(seed).NextBytes(img.Buffer<byte>());
        return img;
    }

    [Theory]
    [InlineData(BorderType.Wrap)] [InlineData(BorderType.Reflect)] [InlineData(BorderType.Replicate)]
    public void Filter2DWithABorderEqualsFilteringThePaddedImage(BorderType border)
    {
        var src = Rand(9, 7, 3, 1);
        var k = new float[,] { { 0.5f, -1, 0.25f }, { 0, 2, 0.125f } };   // 2x3, anchor (1, 1)
        var direct = Cv.Filter2D(src, k, PixelDepth.Float32, 1, 1, 0.5, border);
        var padded = Cv.CopyMakeBorder(src, 1, 0, 1, 1, border);
        var viaPad = Cv.Filter2D(padded, k, PixelDepth.Float32, 1, 1, 0.5, BorderType.Constant).Roi(1, 1, 9, 7);
        Assert.Equal(viaPad.ToPixels<float>(), direct.ToPixels<float>());
        // and by definition at one pixel: delta + sum k[i, j] * src(x + j - 1, y + i - 1)
        double e = 0.5;
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) e += k[i, j] * src[2 + j - 1, 3 + i - 1, 1];
        Assert.Equal(e, direct[2, 3, 1], 4);
    }

    [Fact]
    public void SmoothingDefinitions()
    {
        var src = Rand(6, 5, 1, 2);
        var box = Cv.BoxFilter(src, 3, 3, PixelDepth.Float32, normalize: false, border: BorderType.Constant);
        double s = 0;
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) s += src[1 + j, 1 + i];
        Assert.Equal(s, box[2, 2]);
        Assert.Equal([0.25, 0.5, 0.25], Cv.GetGaussianKernel(3, 0));
        var g = Cv.GetGaussianKernel(7, 1.3);
        Assert.Equal(1.0, g.Sum(), 12);
        Assert.Equal(Math.Exp(-9 / (2 * 1.3 * 1.3)) / Math.Exp(0), g[0] / g[3], 12);
        var constant = new Image(8, 8, 1);
        for (int y = 0; y < 8; y++) constant.Row<byte>(y).Fill(77);
        Assert.All(Cv.GaussianBlur(constant, 5, 5, 1.5).ToPixels<byte>(), v => Assert.Equal(77, v));
        Assert.All(Cv.MedianBlur(constant, 9).ToPixels<byte>(), v => Assert.Equal(77, v));
        var (kx, ky) = Cv.GetDerivKernels(1, 0, 3);
        Assert.Equal([-1f, 0, 1], kx); Assert.Equal([1f, 2, 1], ky);
        (kx, ky) = Cv.GetDerivKernels(4, 0, 5);
        Assert.Equal([1f, -4, 6, -4, 1], kx); Assert.Equal([1f, 4, 6, 4, 1], ky);
        // A linear ramp: Sobel dx = 8 * slope in the interior (weights 1 2 1 and -1 0 1).
        var ramp = new Image(10, 6, 1, PixelDepth.Float32);
        for (int y = 0; y < 6; y++) for (int x = 0; x < 10; x++) ramp[x, y] = 3 * x;
        Assert.Equal(24.0, Cv.Sobel(ramp, PixelDepth.Float32, 1, 0)[4, 3]);
        Assert.Equal(0.0, Cv.Laplacian(ramp, PixelDepth.Float32)[4, 3]);
    }

    [Fact]
    public void MorphologyDefinitions()
    {
        var img = new Image(7, 7, 1);
        img[3, 3] = 200;
        var cross = Cv.GetStructuringElement(MorphShape.Cross, 3, 3);
        var d = Cv.Dilate(img, cross);
        Assert.Equal((200, 200, 0), (d[3, 2], d[4, 3], d[4, 4]));
        Assert.Equal(0, Cv.Erode(d, cross)[3, 2]);
        Assert.Equal(200, Cv.MorphologyEx(img, MorphOp.Close, cross)[3, 3]);
        Assert.Equal(0, Cv.MorphologyEx(img, MorphOp.Open, cross)[3, 3]);
        Assert.Equal(200, Cv.MorphologyEx(img, MorphOp.TopHat, cross)[3, 3]);
        var ell = Cv.GetStructuringElement(MorphShape.Ellipse, 5, 5);
        Assert.Equal(new byte[,] { { 0, 0, 1, 0, 0 }, { 1, 1, 1, 1, 1 }, { 1, 1, 1, 1, 1 }, { 1, 1, 1, 1, 1 }, { 0, 0, 1, 0, 0 } }, ell);
    }

    [Fact]
    public void ErrorsNameTheOpAndValues()
    {
        var img = new Image(4, 4, 1);
        Assert.Contains("Filter2D: anchor (3, 0)", Assert.Throws<ArgumentException>(() => Cv.Filter2D(img, new float[2, 3], null, 3, 0)).Message);
        Assert.Contains("GaussianBlur: kernel size 4x4", Assert.Throws<ArgumentException>(() => Cv.GaussianBlur(img, 4, 4, 1)).Message);
        Assert.Contains("MedianBlur: ksize 4", Assert.Throws<ArgumentException>(() => Cv.MedianBlur(img, 4)).Message);
        Assert.Contains("OpenCV supports 3 and 5", Assert.Throws<ArgumentException>(() => Cv.MedianBlur(new Image(4, 4, 1, PixelDepth.Float32), 7)).Message);
        Assert.Contains("ksize 4", Assert.Throws<ArgumentException>(() => Cv.Sobel(img, PixelDepth.Float32, 1, 0, 4)).Message);
        Assert.Contains("border sizes top=-1", Assert.Throws<ArgumentException>(() => Cv.CopyMakeBorder(img, -1, 0, 0, 0, BorderType.Wrap)).Message);
        Assert.Contains("CvtColor(BgrToGray): source is 4x4x1", Assert.Throws<ArgumentException>(() => Cv.CvtColor(img, ColorConversion.BgrToGray)).Message);
        Assert.Contains("expected channel order Hsv", Assert.Throws<ArgumentException>(() => Cv.CvtColor(new Image(2, 2), ColorConversion.HsvToRgb)).Message);
    }

    [Fact]
    public void ColourRoundTripsAndRoi()
    {
        var src = Rand(16, 9, 3, 5);
        var ycc = Cv.CvtColor(src, ColorConversion.RgbToYCrCb);
        var back = Cv.CvtColor(ycc, ColorConversion.YCrCbToRgb).ToPixels<byte>();
        var orig = src.ToPixels<byte>();
        for (int i = 0; i < orig.Length; i++) Assert.InRange(back[i] - orig[i], -3, 3);
        // On a ROI the result equals the conversion of the copied region.
        var roi = src.Roi(3, 2, 7, 5);
        Assert.Equal(Cv.CvtColor(roi.Clone(), ColorConversion.RgbToHsv).ToPixels<byte>(), Cv.CvtColor(roi, ColorConversion.RgbToHsv).ToPixels<byte>());
        var gray = Cv.CvtColor(src, ColorConversion.RgbToGray);
        Assert.Equal((9798 * (int)src[5, 4, 0] + 19235 * (int)src[5, 4, 1] + 3735 * (int)src[5, 4, 2] + 16384) >> 15, gray[5, 4]);
        Assert.Equal(Cv.CvtColor(src, ColorConversion.RgbToGray).ToPixels<byte>(), Cv.CvtColor(src.ToBgr(), ColorConversion.BgrToGray).ToPixels<byte>());
    }
}

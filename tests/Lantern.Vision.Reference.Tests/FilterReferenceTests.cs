using Lantern.Vision;
using OpenCvSharp;
using Xunit;
using Xunit.Abstractions;
using LBorder = Lantern.Vision.BorderType;

namespace Lantern.Vision.Reference.Tests;

/// <summary>Linear filters and borders against OpenCV on photographs and random images, every border mode, both depths.</summary>
public class FilterReferenceTests(ITestOutputHelper log)
{
    public static TheoryData<LBorder> Borders => new() { LBorder.Constant, LBorder.Replicate, LBorder.Reflect, LBorder.Wrap, LBorder.Reflect101 };

    // OpenCV's filters reject BORDER_WRAP (columnBorderType != BORDER_WRAP); Lantern's accept it (unit-tested against CopyMakeBorder).
    public static TheoryData<LBorder> FilterBorders => new() { LBorder.Constant, LBorder.Replicate, LBorder.Reflect, LBorder.Reflect101 };

    internal static IEnumerable<Image> Inputs(bool withFloat = true)
    {
        yield return TestImages.Read("chelsea.png");
        yield return TestImages.Read("coins.png", ImreadMode.Grayscale);
        yield return OpenCv.Random(37, 23, 3, PixelDepth.UInt8, 21);
        if (withFloat)
        {
            yield return TestImages.Read("coins.png", ImreadMode.Grayscale).ConvertTo(PixelDepth.Float32, 1 / 255.0);
            yield return OpenCv.Random(37, 23, 3, PixelDepth.Float32, 22).ConvertTo(PixelDepth.Float32, 100, -50);
        }
    }

    private static OpenCvSharp.BorderTypes B(LBorder b) => (OpenCvSharp.BorderTypes)(int)b;

    // UInt8: max |diff| <= tolU8; Float32: max |diff| <= 1e-5 * max(1, max |expected|) (norm-wise: sums with cancellation).
    private double _worstFloat;

    private void Check(Mat expected, Image actual, double tolU8, string what, ref double worst)
    {
        var e = OpenCv.FromMat(expected);
        var (max, _) = OpenCv.Diff(e, actual);
        worst = Math.Max(worst, actual.Depth == PixelDepth.UInt8 ? max : 0);
        if (actual.Depth == PixelDepth.UInt8) OpenCv.AssertClose(e, actual, tolU8, what);
        else
        {
            double rel = OpenCvNormwise.RelErr(e, actual);
            _worstFloat = Math.Max(_worstFloat, rel);
            Assert.True(rel <= 1e-5, $"{what}: max |diff| / max(1, max |expected|) = {rel} (tolerance 1e-5)");
        }
    }

    [Theory]
    [MemberData(nameof(Borders))]
    public void CopyMakeBorderMatches(LBorder border)
    {
        foreach (var src in Inputs())
        {
            using var m = OpenCv.ToMat(src);
            using var e = new Mat();
            Cv2.CopyMakeBorder(m, e, 3, 40, 29, 2, B(border), new Scalar(7, 7, 7, 7));
            OpenCv.AssertClose(OpenCv.FromMat(e), Cv.CopyMakeBorder(src, 3, 40, 29, 2, border, 7), 0, $"CopyMakeBorder {border} {src}");
        }
    }

    [Theory]
    [MemberData(nameof(FilterBorders))]
    public void Filter2DMatches(LBorder border)
    {
        var rng = new Random(3);
        double worst = 0;
        foreach (var (kh, kw, ax, ay, delta) in new[] { (3, 3, -1, -1, 0.0), (3, 5, 0, 2, 1.5), (4, 2, 1, 3, -3.0), (1, 7, -1, -1, 0.0) })
        {
            var k = new float[kh, kw];
            for (int i = 0; i < kh; i++) for (int j = 0; j < kw; j++) k[i, j] = (float)Math.Round(rng.NextDouble() * 2 - 0.8, 3);
            using var km = Mat.FromArray(k);
            foreach (var src in Inputs())
            {
                using var m = OpenCv.ToMat(src);
                using var e = new Mat();
                Cv2.Filter2D(m, e, -1, km, new OpenCvSharp.Point(ax, ay), delta, B(border));
                Check(e, Cv.Filter2D(src, k, null, ax, ay, delta, border), 1, $"Filter2D {kh}x{kw} {border} {src}", ref worst);
            }
        }
        log.WriteLine($"Filter2D {border}: UInt8 max |diff| {worst}, Float32 norm-wise {_worstFloat:G3}");
    }

    [Theory]
    [MemberData(nameof(FilterBorders))]
    public void SepFilterBoxAndGaussianMatch(LBorder border)
    {
        double wSep = 0, wBox = 0, wGauss = 0;
        foreach (var src in Inputs())
        {
            using var m = OpenCv.ToMat(src);
            float[] kx = [0.25f, -0.5f, 1.25f, 0.125f], ky = [0.3f, 0.4f, 0.3f];
            using (var e = new Mat())
            {
                using var mkx = Mat.FromArray(kx); using var mky = Mat.FromArray(ky);
                Cv2.SepFilter2D(m, e, -1, mkx, mky, new OpenCvSharp.Point(1, 2), 2.0, B(border));
                Check(e, Cv.SepFilter2D(src, kx, ky, null, 1, 2, 2.0, border), 1, $"SepFilter2D {border} {src}", ref wSep);
            }
            foreach (var (w, h) in new[] { (3, 3), (5, 5), (4, 3), (1, 9), (17, 17) })
            {
                using var e = new Mat();
                Cv2.Blur(m, e, new OpenCvSharp.Size(w, h), new OpenCvSharp.Point(-1, -1), B(border));
                Check(e, Cv.Blur(src, w, h, -1, -1, border), 0, $"Blur {w}x{h} {border} {src}", ref wBox);
            }
            if (src.Depth == PixelDepth.Float32)
            {
                using var e = new Mat();
                Cv2.BoxFilter(m, e, MatType.CV_32F, new OpenCvSharp.Size(3, 5), new OpenCvSharp.Point(0, 4), normalize: false, borderType: B(border));
                Check(e, Cv.BoxFilter(src, 3, 5, PixelDepth.Float32, false, 0, 4, border), 0, $"BoxFilter unnormalised {border} {src}", ref wBox);
            }
            // UInt8 exact: OpenCV's fixed-point path reproduced.
            foreach (var (k, sigma, tol) in new[] { (3, 0.0, 0), (5, 0.0, 0), (7, 0.0, 0), (9, 0.0, 0), (5, 1.5, 0), (9, 2.0, 0), (0, 1.2, 0), (15, 0.0, 0), (31, 0.0, 0), (11, 5.0, 0) })
            {
                using var e = new Mat();
                Cv2.GaussianBlur(m, e, new OpenCvSharp.Size(k, k), sigma, 0, B(border));
                Check(e, Cv.GaussianBlur(src, k, k, sigma, 0, border), tol, $"GaussianBlur {k} {sigma} {border} {src}", ref wGauss);
            }
        }
        log.WriteLine($"{border}: UInt8 max |diff| SepFilter2D {wSep}, Blur {wBox}, GaussianBlur {wGauss}; Float32 norm-wise {_worstFloat:G3}");
    }

    [Fact]
    public void GaussianKernelMatches()   // within 1e-15 relative: OpenCV evaluates exp in softdouble, Lantern with Math.Exp
    {
        foreach (var (n, s) in new[] { (1, 0.0), (3, 0.0), (5, 0.0), (7, 0.0), (9, 0.0), (11, 0.0), (15, 0.0), (5, 1.1), (11, 3.0), (31, 5.0) })
        {
            using var e = Cv2.GetGaussianKernel(n, s, MatType.CV_64F)!;
            var ours = Cv.GetGaussianKernel(n, s);
            for (int i = 0; i < n; i++) Assert.True(Math.Abs(e.At<double>(i) - ours[i]) <= 1e-15 * ours[i], $"n={n} sigma={s} i={i}: {e.At<double>(i):R} vs {ours[i]:R}");
        }
    }

    [Theory]
    [MemberData(nameof(FilterBorders))]
    public void DerivativesMatch(LBorder border)
    {
        double worst = 0;
        foreach (var src in Inputs())
        {
            using var m = OpenCv.ToMat(src);
            foreach (var (dx, dy, k, scale, delta) in new[] { (1, 0, 3, 1.0, 0.0), (0, 1, 3, 1.0, 0.0), (1, 1, 3, 0.5, 3.0), (2, 0, 5, 1.0, 0.0), (0, 2, 7, 0.25, -1.0), (1, 0, 1, 1.0, 0.0), (0, 1, 5, 2.0, 0.0) })
            {
                foreach (var depth in new[] { PixelDepth.Float32, PixelDepth.UInt8 })
                {
                    using var e = new Mat();
                    Cv2.Sobel(m, e, depth == PixelDepth.UInt8 ? MatType.CV_8U : MatType.CV_32F, dx, dy, k, scale, delta, B(border));
                    Check(e, Cv.Sobel(src, depth, dx, dy, k, scale, delta, border), 1, $"Sobel {dx},{dy} k{k} {depth} {border} {src}", ref worst);
                }
            }
            foreach (var (dx, dy) in new[] { (1, 0), (0, 1) })
            {
                using var e = new Mat();
                Cv2.Scharr(m, e, MatType.CV_32F, dx, dy, 1, 0, B(border));
                Check(e, Cv.Scharr(src, PixelDepth.Float32, dx, dy, 1, 0, border), 1, $"Scharr {dx},{dy} {border} {src}", ref worst);
            }
            foreach (var (k, scale) in new[] { (1, 1.0), (3, 1.0), (5, 0.5), (7, 1.0) })
            {
                using var e = new Mat();
                Cv2.Laplacian(m, e, MatType.CV_32F, k, scale, 0, B(border));
                Check(e, Cv.Laplacian(src, PixelDepth.Float32, k, scale, 0, border), 1, $"Laplacian k{k} {border} {src}", ref worst);
            }
        }
        log.WriteLine($"derivatives {border}: UInt8 max |diff| {worst}; Float32 norm-wise {_worstFloat:G3}");
    }
}

using Lantern.Vision;
using OpenCvSharp;
using Xunit;
using Xunit.Abstractions;

namespace Lantern.Vision.Reference.Tests;

/// <summary>ConvertScaleAbs, Normalize, Norm and convertTo against OpenCV.</summary>
public class ScaleReferenceTests(ITestOutputHelper log)
{
    private static IEnumerable<Image> Inputs()
    {
        yield return TestImages.Read("chelsea.png");
        yield return TestImages.Read("camera.png", ImreadMode.Grayscale);
        yield return OpenCv.Random(67, 41, 3, PixelDepth.UInt8, 11);
        yield return OpenCv.Random(67, 41, 1, PixelDepth.Float32, 12).ConvertTo(PixelDepth.Float32, 400, -200);
    }

    [Theory]
    [InlineData(1.0, 0.0)] [InlineData(0.5, 0.0)] [InlineData(1.5, -100.0)] [InlineData(-0.7, 3.25)] [InlineData(0.25, 0.5)]
    public void ConvertScaleAbsMatches(double alpha, double beta)
    {
        foreach (var src in Inputs())
        {
            using var m = OpenCv.ToMat(src);
            using var e = new Mat();
            Cv2.ConvertScaleAbs(m, e, alpha, beta);
            OpenCv.AssertClose(OpenCv.FromMat(e), Cv.ConvertScaleAbs(src, alpha, beta), 0, $"ConvertScaleAbs({alpha}, {beta}) on {src}");
        }
    }

    [Theory]
    [InlineData(0.5, 0.0)] [InlineData(1.5, -100.0)] [InlineData(-0.7, 300.25)] [InlineData(0.25, 0.5)] [InlineData(1 / 255.0, 0.0)]
    public void ConvertToMatches(double alpha, double beta)
    {
        foreach (var src in Inputs())
            foreach (var depth in new[] { PixelDepth.UInt8, PixelDepth.Float32 })
            {
                using var m = OpenCv.ToMat(src);
                using var e = new Mat();
                m.ConvertTo(e, depth == PixelDepth.UInt8 ? MatType.CV_8U : MatType.CV_32F, alpha, beta);
                var ours = src.ConvertTo(depth, alpha, beta);
                if (depth == PixelDepth.UInt8) OpenCv.AssertClose(OpenCv.FromMat(e), ours, 0, $"ConvertTo({depth}, {alpha}, {beta}) on {src}");
                else OpenCv.AssertRelClose(OpenCv.FromMat(e), ours, 1e-6, $"ConvertTo({depth}, {alpha}, {beta}) on {src}");
            }
    }

    [Theory]
    [InlineData(NormType.MinMax, NormTypes.MinMax, 0.0, 255.0)]
    [InlineData(NormType.MinMax, NormTypes.MinMax, 200.0, 10.0)]
    [InlineData(NormType.L2, NormTypes.L2, 1000.0, 0.0)]
    [InlineData(NormType.L1, NormTypes.L1, 1e5, 0.0)]
    [InlineData(NormType.Inf, NormTypes.INF, 100.0, 0.0)]
    public void NormalizeMatches(NormType ours, NormTypes cv, double alpha, double beta)
    {
        foreach (var src in Inputs())
        {
            using var m = OpenCv.ToMat(src);
            Assert.Equal(Cv2.Norm(m, cv == NormTypes.MinMax ? NormTypes.L2 : cv), Cv.Norm(src, ours == NormType.MinMax ? NormType.L2 : ours), 1e-9 * Cv.Norm(src) + 1e-9);
            foreach (var depth in new[] { PixelDepth.UInt8, PixelDepth.Float32 })
            {
                using var e = new Mat();
                Cv2.Normalize(m, e, alpha, beta, cv, depth == PixelDepth.UInt8 ? MatType.CV_8U : MatType.CV_32F);
                var res = Cv.Normalize(src, alpha, beta, ours, depth);
                var (max, _) = OpenCv.Diff(OpenCv.FromMat(e), res);
                log.WriteLine($"{ours} {depth} on {src}: max |diff| {max:G3}");
                if (depth == PixelDepth.UInt8) OpenCv.AssertClose(OpenCv.FromMat(e), res, 0, $"Normalize {ours} {depth}");
                else OpenCv.AssertRelClose(OpenCv.FromMat(e), res, 1e-5, $"Normalize {ours} {depth}");
            }
        }
    }
}

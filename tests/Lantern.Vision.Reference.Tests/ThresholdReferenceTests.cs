using Lantern.Vision;
using OpenCvSharp;
using Xunit;

namespace Lantern.Vision.Reference.Tests;

/// <summary>Threshold (all types, Otsu, triangle), CalcHist and EqualizeHist against OpenCV: exact.</summary>
public class ThresholdReferenceTests
{
    private static IEnumerable<Image> Gray()
    {
        foreach (var n in TestImages.Gray) yield return TestImages.Read(n, ImreadMode.Grayscale);
        yield return TestImages.Read("astronaut.png", ImreadMode.Grayscale);
        yield return OpenCv.Random(53, 31, 1, PixelDepth.UInt8, 41);
    }

    [Theory]
    [InlineData(ThresholdType.Binary)] [InlineData(ThresholdType.BinaryInv)] [InlineData(ThresholdType.Trunc)]
    [InlineData(ThresholdType.ToZero)] [InlineData(ThresholdType.ToZeroInv)]
    public void ThresholdMatches(ThresholdType type)
    {
        foreach (var src in Gray().Append(TestImages.Read("chelsea.png")))
            foreach (var (t, mv) in new[] { (127.0, 255.0), (99.6, 200.4), (-3.0, 255.0), (255.0, 100.0), (0.0, 1.0) })
            {
                using var m = OpenCv.ToMat(src);
                using var e = new Mat();
                double et = Cv2.Threshold(m, e, t, mv, (ThresholdTypes)(int)type);
                var (ours, ot) = Cv.Threshold(src, t, mv, type);
                Assert.Equal(et, ot);
                OpenCv.AssertClose(OpenCv.FromMat(e), ours, 0, $"Threshold {type} {t} {mv} {src}");
                var f = src.ConvertTo(PixelDepth.Float32, 1 / 255.0);
                using var mf = OpenCv.ToMat(f);
                using var ef = new Mat();
                Cv2.Threshold(mf, ef, t / 255, mv, (ThresholdTypes)(int)type);
                OpenCv.AssertClose(OpenCv.FromMat(ef), Cv.Threshold(f, t / 255, mv, type).Result, 0, $"Threshold float {type} {t} {src}");
            }
    }

    [Theory]
    [InlineData(AutoThreshold.Otsu, ThresholdTypes.Otsu)]
    [InlineData(AutoThreshold.Triangle, ThresholdTypes.Triangle)]
    public void AutomaticThresholdsMatch(AutoThreshold auto, ThresholdTypes flag)
    {
        foreach (var src in Gray())
        {
            using var m = OpenCv.ToMat(src);
            using var e = new Mat();
            double et = Cv2.Threshold(m, e, 0, 255, ThresholdTypes.Binary | flag);
            var (ours, ot) = Cv.Threshold(src, 0, 255, ThresholdType.Binary, auto);
            Assert.Equal(et, ot);
            OpenCv.AssertClose(OpenCv.FromMat(e), ours, 0, $"{auto} {src}");
        }
    }

    [Fact]
    public void HistogramsMatch()
    {
        foreach (var src in Gray())
        {
            using var m = OpenCv.ToMat(src);
            using var e = new Mat();
            Cv2.EqualizeHist(m, e);
            OpenCv.AssertClose(OpenCv.FromMat(e), Cv.EqualizeHist(src), 0, $"EqualizeHist {src}");
            foreach (var (bins, lo, hi) in new[] { (256, 0.0, 256.0), (32, 0.0, 256.0), (10, 20.0, 200.0) })
            {
                using var h = new Mat();
                Cv2.CalcHist([m], [0], null, h, 1, [bins], [new Rangef((float)lo, (float)hi)]);
                var ours = Cv.CalcHist(src, 0, bins, lo, hi);
                for (int i = 0; i < bins; i++) Assert.Equal(h.At<float>(i), ours[i]);
            }
        }
    }
}

public class AdaptiveThresholdReferenceTests
{
    [Theory]
    [InlineData(AdaptiveMethod.Mean, 0.0)]
    [InlineData(AdaptiveMethod.Gaussian, 0.1)]
    public void AdaptiveThresholdMatches(AdaptiveMethod method, double maxDifferingPerMille)
    {
        foreach (var name in TestImages.Gray)
        {
            var src = TestImages.Read(name, ImreadMode.Grayscale);
            foreach (var (type, block, c) in new[] { (ThresholdType.Binary, 11, 2.0), (ThresholdType.BinaryInv, 5, -3.5), (ThresholdType.Binary, 31, 0.5) })
            {
                using var m = OpenCv.ToMat(src);
                using var e = new Mat();
                Cv2.AdaptiveThreshold(m, e, 255, (AdaptiveThresholdTypes)(int)method, (ThresholdTypes)(int)type, block, c);
                var (_, n) = OpenCv.Diff(OpenCv.FromMat(e), Cv.AdaptiveThreshold(src, 255, method, type, block, c));
                // Mean exact. Gaussian: blurred in float and rounded, as OpenCV's adaptiveThreshold does; a float rounding tie can flip
                // a pixel (1 of 262,144 seen), so at most 0.1 per mille.
                Assert.True(n * 1000.0 <= maxDifferingPerMille * src.ElementCount, $"{method} {type} {block} {c} {name}: {n} pixels differ");
            }
        }
    }
}

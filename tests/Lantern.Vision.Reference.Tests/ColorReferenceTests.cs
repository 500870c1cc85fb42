using Lantern.Vision;
using OpenCvSharp;
using Xunit;
using Xunit.Abstractions;

namespace Lantern.Vision.Reference.Tests;

/// <summary>CvtColor against cv2.cvtColor on the shared photographs and random images, UInt8 and Float32.</summary>
public class ColorReferenceTests(ITestOutputHelper log)
{
    // (our code on an RGB source, OpenCV's code on the same bytes read as RGB, our code on a BGR source, OpenCV's BGR code)
    public static TheoryData<ColorConversion, ColorConversionCodes, ColorConversion, ColorConversionCodes, ChannelOrder, double, double> Forward => new()
    {
        // code, cv code (RGB source), BGR code, cv code (BGR source), result order, UInt8 tolerance, Float32 abs tolerance (H in degrees)
        { ColorConversion.RgbToGray, ColorConversionCodes.RGB2GRAY, ColorConversion.BgrToGray, ColorConversionCodes.BGR2GRAY, ChannelOrder.Gray, 0, 1e-6 },
        { ColorConversion.RgbToHsv, ColorConversionCodes.RGB2HSV, ColorConversion.BgrToHsv, ColorConversionCodes.BGR2HSV, ChannelOrder.Hsv, 0, 1e-4 },
        { ColorConversion.RgbToHsvFull, ColorConversionCodes.RGB2HSV_FULL, ColorConversion.BgrToHsvFull, ColorConversionCodes.BGR2HSV_FULL, ChannelOrder.Hsv, 0, 1e-4 },
        { ColorConversion.RgbToYCrCb, ColorConversionCodes.RGB2YCrCb, ColorConversion.BgrToYCrCb, ColorConversionCodes.BGR2YCrCb, ChannelOrder.YCrCb, 0, 1e-6 },
        // Lab: OpenCV 4.13 interpolates LUTs (UInt8 within 1 level here, 8-bit path not yet bit-exact; Float32 within 0.5 of L/a/b).
        { ColorConversion.RgbToLab, ColorConversionCodes.RGB2Lab, ColorConversion.BgrToLab, ColorConversionCodes.BGR2Lab, ChannelOrder.Lab, 1, 0.5 },
    };

    [Theory]
    [MemberData(nameof(Forward))]
    public void ForwardMatchesOpenCv(ColorConversion rgbCode, ColorConversionCodes cvRgb, ColorConversion bgrCode, ColorConversionCodes cvBgr,
        ChannelOrder outOrder, double tolU8, double tolF32)
    {
        var inputs = TestImages.Color.Select(n => TestImages.Read(n)).Append(OpenCv.Random(97, 61, 3, PixelDepth.UInt8, 1)).ToList();
        double worstU8 = 0, worstF = 0;
        foreach (var rgb in inputs)
        {
            foreach (var (src, code, cvCode) in new[] { (rgb, rgbCode, cvRgb), (rgb.ToBgr(), bgrCode, cvBgr) })
            {
                using var m = OpenCv.ToMat(src);
                using var e = new Mat();
                Cv2.CvtColor(m, e, cvCode);
                var ours = Cv.CvtColor(src, code);
                Assert.Equal(outOrder, ours.Order);
                worstU8 = Math.Max(worstU8, OpenCv.Diff(OpenCv.FromMat(e), ours).Max);
                OpenCv.AssertClose(OpenCv.FromMat(e), ours, tolU8, $"{code} UInt8");

                var f = src.ConvertTo(PixelDepth.Float32, 1 / 255.0);
                using var mf = OpenCv.ToMat(f);
                using var ef = new Mat();
                Cv2.CvtColor(mf, ef, cvCode);
                var oursF = Cv.CvtColor(f, code);
                worstF = Math.Max(worstF, OpenCv.Diff(OpenCv.FromMat(ef), oursF).Max);
                OpenCv.AssertClose(OpenCv.FromMat(ef), oursF, tolF32, $"{code} Float32");
            }
        }
        log.WriteLine($"{rgbCode}: max |diff| UInt8 {worstU8}, Float32 {worstF:G3}");
    }

    public static TheoryData<ColorConversion, ColorConversionCodes, ChannelOrder, int, double, double> Inverse => new()
    {
        // code, cv code, source order, UInt8 hue range (0 = not HSV), UInt8 tolerance, Float32 abs tolerance
        { ColorConversion.HsvToRgb, ColorConversionCodes.HSV2RGB, ChannelOrder.Hsv, 180, 0, 1e-5 },
        { ColorConversion.HsvToBgr, ColorConversionCodes.HSV2BGR, ChannelOrder.Hsv, 180, 0, 1e-5 },
        { ColorConversion.HsvFullToRgb, ColorConversionCodes.HSV2RGB_FULL, ChannelOrder.Hsv, 256, 0, 1e-5 },
        { ColorConversion.YCrCbToRgb, ColorConversionCodes.YCrCb2RGB, ChannelOrder.YCrCb, 0, 0, 1e-5 },
        { ColorConversion.YCrCbToBgr, ColorConversionCodes.YCrCb2BGR, ChannelOrder.YCrCb, 0, 0, 1e-5 },
    };

    [Theory]
    [MemberData(nameof(Inverse))]
    public void InverseMatchesOpenCv(ColorConversion code, ColorConversionCodes cvCode, ChannelOrder order, int hueRange, double tolU8, double tolF32)
    {
        // Random inputs over the whole domain, plus the forward conversion of a photograph.
        var u8 = OpenCv.Random(113, 77, 3, PixelDepth.UInt8, 5, order);   // 113: SIMD blocks of 16/32/64 pixels end at 112/96/64
        if (hueRange == 180) for (int y = 0; y < u8.Height; y++) { var r = u8.Row<byte>(y); for (int i = 0; i < r.Length; i += 3) r[i] = (byte)(r[i] % 180); }
        var photo = TestImages.Read("chelsea.png");
        var fwd = order == ChannelOrder.Hsv ? (hueRange == 256 ? ColorConversion.RgbToHsvFull : ColorConversion.RgbToHsv) : ColorConversion.RgbToYCrCb;
        double worstU8 = 0, worstF = 0;
        foreach (var src in new[] { u8, Cv.CvtColor(photo, fwd) })
        {
            using var m = OpenCv.ToMat(src);
            using var e = new Mat();
            Cv2.CvtColor(m, e, cvCode);
            var ours = Cv.CvtColor(src, code);
            worstU8 = Math.Max(worstU8, OpenCv.Diff(OpenCv.FromMat(e), ours).Max);
            OpenCv.AssertClose(OpenCv.FromMat(e), ours, tolU8, $"{code} UInt8");
        }
        var f = OpenCv.Random(131, 77, 3, PixelDepth.Float32, 6, order);
        if (order == ChannelOrder.Hsv) for (int y = 0; y < f.Height; y++) { var r = f.Row<float>(y); for (int i = 0; i < r.Length; i += 3) r[i] *= 360f; }
        using var mf = OpenCv.ToMat(f);
        using var ef = new Mat();
        Cv2.CvtColor(mf, ef, cvCode);
        var oursF = Cv.CvtColor(f, code);
        worstF = OpenCv.Diff(OpenCv.FromMat(ef), oursF).Max;
        OpenCv.AssertClose(OpenCv.FromMat(ef), oursF, tolF32, $"{code} Float32");
        log.WriteLine($"{code}: max |diff| UInt8 {worstU8}, Float32 {worstF:G3}");
    }
}

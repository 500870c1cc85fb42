namespace Lantern.Vision;

/// <summary>
/// Colour conversion codes for <see cref="Cv.CvtColor"/>, OpenCV's <c>COLOR_*</c> codes with the source order written
/// out (Rgb* codes read R first, Bgr* codes B first). 4-channel sources are accepted where OpenCV accepts them (alpha ignored).
/// </summary>
public enum ColorConversion
{
    /// <summary>COLOR_RGB2BGR (also RGBA -&gt; BGRA).</summary>
    RgbToBgr,
    /// <summary>COLOR_BGR2RGB (also BGRA -&gt; RGBA).</summary>
    BgrToRgb,
    /// <summary>COLOR_RGB2GRAY: Y = 0.299 R + 0.587 G + 0.114 B (UInt8: (9798 R + 19235 G + 3735 B + 2^14) &gt;&gt; 15, OpenCV 4's coefficients).</summary>
    RgbToGray,
    /// <summary>COLOR_BGR2GRAY.</summary>
    BgrToGray,
    /// <summary>COLOR_GRAY2RGB: replicate.</summary>
    GrayToRgb,
    /// <summary>COLOR_GRAY2BGR: replicate.</summary>
    GrayToBgr,
    /// <summary>COLOR_RGB2HSV: H in [0, 180) for UInt8 (degrees / 2), [0, 360) for Float32; S, V in [0, 255] / [0, 1].</summary>
    RgbToHsv,
    /// <summary>COLOR_BGR2HSV.</summary>
    BgrToHsv,
    /// <summary>COLOR_RGB2HSV_FULL: as RgbToHsv but UInt8 H in [0, 256).</summary>
    RgbToHsvFull,
    /// <summary>COLOR_BGR2HSV_FULL.</summary>
    BgrToHsvFull,
    /// <summary>COLOR_HSV2RGB.</summary>
    HsvToRgb,
    /// <summary>COLOR_HSV2BGR.</summary>
    HsvToBgr,
    /// <summary>COLOR_HSV2RGB_FULL.</summary>
    HsvFullToRgb,
    /// <summary>COLOR_HSV2BGR_FULL.</summary>
    HsvFullToBgr,
    /// <summary>COLOR_RGB2YCrCb: Y as gray, Cr = (R - Y) 0.713 + delta, Cb = (B - Y) 0.564 + delta (delta 128 or 0.5).</summary>
    RgbToYCrCb,
    /// <summary>COLOR_BGR2YCrCb.</summary>
    BgrToYCrCb,
    /// <summary>COLOR_YCrCb2RGB: R = Y + 1.403 Cr', G = Y - 0.714 Cr' - 0.344 Cb', B = Y + 1.773 Cb' (Cr' = Cr - delta).</summary>
    YCrCbToRgb,
    /// <summary>COLOR_YCrCb2BGR.</summary>
    YCrCbToBgr,
    /// <summary>COLOR_RGB2Lab: CIE L*a*b* (D65). Float32: L in [0, 100], a, b about [-127, 127]; UInt8: L * 255 / 100, a + 128, b + 128.</summary>
    RgbToLab,
    /// <summary>COLOR_BGR2Lab.</summary>
    BgrToLab,
}

/// <summary>OpenCV-compatible image processing (cv2's functions with .NET names), one family per file.</summary>
public static partial class Cv
{
    /// <summary>
    /// cv2.cvtColor. The source's <see cref="Image.Order"/> must agree with the code (an RGB image with a Bgr* code is an
    /// error: relabel with <see cref="Image.WithOrder"/> if the label is wrong). UInt8 uses OpenCV's fixed-point
    /// arithmetic and rounding; Float32 uses OpenCV's float formulas.
    /// </summary>
    /// <exception cref="ArgumentException">Channel count or order that does not fit the code.</exception>
    public static Image CvtColor(Image src, ColorConversion code)
    {
        switch (code)
        {
            case ColorConversion.RgbToBgr or ColorConversion.BgrToRgb:
                ExpectOrder(src, code, code == ColorConversion.RgbToBgr ? [ChannelOrder.Rgb, ChannelOrder.Rgba] : [ChannelOrder.Bgr, ChannelOrder.Bgra]);
                return src.SwapRedBlue();
            case ColorConversion.RgbToGray or ColorConversion.BgrToGray:
                return ToGray(src, code, BlueIndex(src, code, code == ColorConversion.RgbToGray));
            case ColorConversion.GrayToRgb or ColorConversion.GrayToBgr:
                ExpectOrder(src, code, [ChannelOrder.Gray]);
                return FromGray(src, code == ColorConversion.GrayToRgb ? ChannelOrder.Rgb : ChannelOrder.Bgr);
            case ColorConversion.RgbToHsv or ColorConversion.BgrToHsv or ColorConversion.RgbToHsvFull or ColorConversion.BgrToHsvFull:
            {
                bool rgb = code is ColorConversion.RgbToHsv or ColorConversion.RgbToHsvFull;
                bool full = code is ColorConversion.RgbToHsvFull or ColorConversion.BgrToHsvFull;
                return ToHsv(src, BlueIndex(src, code, rgb), full ? 256 : 180);
            }
            case ColorConversion.HsvToRgb or ColorConversion.HsvToBgr or ColorConversion.HsvFullToRgb or ColorConversion.HsvFullToBgr:
            {
                bool rgb = code is ColorConversion.HsvToRgb or ColorConversion.HsvFullToRgb;
                bool full = code is ColorConversion.HsvFullToRgb or ColorConversion.HsvFullToBgr;
                ExpectOrder(src, code, [ChannelOrder.Hsv]);
                return FromHsv(src, rgb ? 2 : 0, full ? 255 : 180, rgb ? ChannelOrder.Rgb : ChannelOrder.Bgr);
            }
            case ColorConversion.RgbToYCrCb or ColorConversion.BgrToYCrCb:
                return ToYCrCb(src, BlueIndex(src, code, code == ColorConversion.RgbToYCrCb));
            case ColorConversion.YCrCbToRgb or ColorConversion.YCrCbToBgr:
            {
                ExpectOrder(src, code, [ChannelOrder.YCrCb]);
                bool rgb = code == ColorConversion.YCrCbToRgb;
                return FromYCrCb(src, rgb ? 2 : 0, rgb ? ChannelOrder.Rgb : ChannelOrder.Bgr);
            }
            case ColorConversion.RgbToLab or ColorConversion.BgrToLab:
                return ToLab(src, BlueIndex(src, code, code == ColorConversion.RgbToLab));
            default:
                throw new ArgumentException($"CvtColor: unknown conversion code {(int)code}.");
        }
    }

    // Index of blue in a 3/4-channel source whose order must be RGB(A) (rgb) or BGR(A).
    private static int BlueIndex(Image src, ColorConversion code, bool rgb)
    {
        ExpectOrder(src, code, rgb ? [ChannelOrder.Rgb, ChannelOrder.Rgba] : [ChannelOrder.Bgr, ChannelOrder.Bgra]);
        return rgb ? 2 : 0;
    }

    private static void ExpectOrder(Image src, ColorConversion code, ChannelOrder[] allowed)
    {
        if (Array.IndexOf(allowed, src.Order) < 0)
            throw new ArgumentException($"CvtColor({code}): source is {src.Describe()}; expected channel order {string.Join(" or ", allowed)}.");
    }

    // Runs body(y) for every row, in parallel chunks (results do not depend on the thread count).
    internal static void Rows(int height, int width, Action<int> body) =>
        global::Lantern.Kernels.KernelThreads.For(height, Math.Max(1, 16384 / Math.Max(1, width)), (a, b) => { for (int y = a; y < b; y++) body(y); });
}

namespace Lantern.Vision;

/// <summary>Local mean used by <see cref="Cv.AdaptiveThreshold"/> (cv::AdaptiveThresholdTypes).</summary>
public enum AdaptiveMethod
{
    /// <summary>Mean of the blockSize x blockSize neighbourhood (box filter, replicated border).</summary>
    Mean,
    /// <summary>Gaussian-weighted mean (GaussianBlur in float with sigma from the size, replicated border, rounded to UInt8, as OpenCV).</summary>
    Gaussian,
}

public static partial class Cv
{
    /// <summary>
    /// cv2.adaptiveThreshold (UInt8, one channel): m = local mean (rounded to UInt8), then with d = ceil(C) for Binary and
    /// floor(C) for BinaryInv: Binary dst = src - m &gt; -d ? maxval : 0, BinaryInv dst = src - m &lt;= -d ? maxval : 0.
    /// </summary>
    /// <exception cref="ArgumentException">Not UInt8 one-channel, a type other than Binary/BinaryInv, or blockSize even or &lt; 3.</exception>
    public static Image AdaptiveThreshold(Image src, double maxValue, AdaptiveMethod method, ThresholdType type, int blockSize, double c)
    {
        if (src.Depth != PixelDepth.UInt8 || src.Channels != 1)
            throw new ArgumentException($"AdaptiveThreshold: needs a UInt8 single-channel image, got {src.Describe()}.");
        if (type is not (ThresholdType.Binary or ThresholdType.BinaryInv))
            throw new ArgumentException($"AdaptiveThreshold: type {type}; only Binary and BinaryInv are defined.");
        if (blockSize < 3 || blockSize % 2 == 0)
            throw new ArgumentException($"AdaptiveThreshold: blockSize {blockSize} must be odd and >= 3.");
        byte imax = Saturate.ToByte(Saturate.Round(maxValue));
        var mean = method == AdaptiveMethod.Mean
            ? BoxFilter(src, blockSize, blockSize, null, true, -1, -1, BorderType.Replicate)
            : GaussianBlur(src.ConvertTo(PixelDepth.Float32), blockSize, blockSize, 0, 0, BorderType.Replicate).ConvertTo(PixelDepth.UInt8);
        int idelta = type == ThresholdType.Binary ? (int)Math.Ceiling(c) : (int)Math.Floor(c);
        var tab = new byte[768];
        for (int i = 0; i < 768; i++)
        {
            int d = i - 255;
            tab[i] = type == ThresholdType.Binary ? (d > -idelta ? imax : (byte)0) : (d <= -idelta ? imax : (byte)0);
        }
        var dst = src.NewLike();
        int n = src.Width;
        Rows(src.Height, n, y =>
        {
            var s = src.Row<byte>(y); var m = mean.Row<byte>(y); var o = dst.Row<byte>(y);
            for (int x = 0; x < n; x++) o[x] = tab[s[x] - m[x] + 255];
        });
        return dst;
    }
}

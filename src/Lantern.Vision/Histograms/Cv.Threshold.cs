namespace Lantern.Vision;

/// <summary>Threshold types (cv::ThresholdTypes without the automatic flags).</summary>
public enum ThresholdType
{
    /// <summary>dst = src &gt; t ? maxval : 0.</summary>
    Binary,
    /// <summary>dst = src &gt; t ? 0 : maxval.</summary>
    BinaryInv,
    /// <summary>dst = src &gt; t ? t : src.</summary>
    Trunc,
    /// <summary>dst = src &gt; t ? src : 0.</summary>
    ToZero,
    /// <summary>dst = src &gt; t ? 0 : src.</summary>
    ToZeroInv,
}

/// <summary>Automatic threshold choice (THRESH_OTSU, THRESH_TRIANGLE); UInt8 single-channel images only.</summary>
public enum AutoThreshold
{
    /// <summary>Use the given threshold.</summary>
    None,
    /// <summary>Otsu: the level maximising the between-class variance q1 q2 (mu1 - mu2)^2.</summary>
    Otsu,
    /// <summary>Triangle: the level farthest from the line joining the histogram peak and its far end.</summary>
    Triangle,
}

public static partial class Cv
{
    /// <summary>
    /// cv2.threshold per channel. UInt8: the threshold is floored to an integer and maxval rounded (OpenCV's rules, including
    /// thresholds outside 0..254); Float32 compares in float. With <paramref name="auto"/> the threshold is computed
    /// (Otsu/Triangle on the 256-bin histogram) and returned.
    /// </summary>
    /// <returns>The result and the threshold used.</returns>
    /// <exception cref="ArgumentException">Otsu/Triangle on anything but a UInt8 single-channel image.</exception>
    public static (Image Result, double Threshold) Threshold(Image src, double thresh, double maxval, ThresholdType type,
        AutoThreshold auto = AutoThreshold.None)
    {
        if (auto != AutoThreshold.None)
        {
            if (src.Depth != PixelDepth.UInt8 || src.Channels != 1)
                throw new ArgumentException($"Threshold({auto}): needs a UInt8 single-channel image, got {src.Describe()}.");
            var h = Histogram256(src);
            thresh = auto == AutoThreshold.Otsu ? OtsuLevel(h, src.Width * src.Height) : TriangleLevel(h);
        }
        var dst = src.NewLike();
        int n = src.Width * src.Channels;
        if (src.Depth == PixelDepth.UInt8)
        {
            int it = (int)Math.Floor(thresh), im = Saturate.Round(maxval);
            if (type == ThresholdType.Trunc) im = it;
            byte mv = Saturate.ToByte(im);
            if (it < 0 || it >= 255)
            {
                bool fill = type is ThresholdType.Binary or ThresholdType.BinaryInv
                    || (type is ThresholdType.Trunc or ThresholdType.ToZeroInv && it < 0) || (type == ThresholdType.ToZero && it >= 255);
                byte v = type == ThresholdType.Binary ? (it >= 255 ? (byte)0 : mv) : type == ThresholdType.BinaryInv ? (it >= 255 ? mv : (byte)0) : (byte)0;
                if (fill) for (int y = 0; y < dst.Height; y++) dst.Row<byte>(y).Fill(v);
                else src.CopyTo(dst);
                return (dst, it);
            }
            var lut = new byte[256];
            for (int v = 0; v < 256; v++)
            {
                bool above = v > it;
                lut[v] = type switch
                {
                    ThresholdType.Binary => above ? mv : (byte)0,
                    ThresholdType.BinaryInv => above ? (byte)0 : mv,
                    ThresholdType.Trunc => above ? (byte)it : (byte)v,
                    ThresholdType.ToZero => above ? (byte)v : (byte)0,
                    _ => above ? (byte)0 : (byte)v,
                };
            }
            Rows(src.Height, n, y => { var s = src.Row<byte>(y); var d = dst.Row<byte>(y); for (int i = 0; i < n; i++) d[i] = lut[s[i]]; });
            return (dst, it);
        }
        float t = (float)thresh, m = (float)maxval;
        Rows(src.Height, n, y =>
        {
            var s = src.Row<float>(y); var d = dst.Row<float>(y);
            for (int i = 0; i < n; i++)
            {
                float v = s[i];
                bool above = v > t;
                d[i] = type switch
                {
                    ThresholdType.Binary => above ? m : 0,
                    ThresholdType.BinaryInv => above ? 0 : m,
                    ThresholdType.Trunc => above ? t : v,
                    ThresholdType.ToZero => above ? v : 0,
                    _ => above ? 0 : v,
                };
            }
        });
        return (dst, thresh);
    }

    internal static int[] Histogram256(Image src)
    {
        var h = new int[256];
        for (int y = 0; y < src.Height; y++) foreach (var v in src.Row<byte>(y)) h[v]++;
        return h;
    }

    // OpenCV's getThreshVal_Otsu_8u (double arithmetic, FLT_EPSILON guard, first maximum wins).
    private static double OtsuLevel(int[] h, int total)
    {
        double scale = 1.0 / total, mu = 0;
        for (int i = 0; i < 256; i++) mu += i * (double)h[i];
        mu *= scale;
        double mu1 = 0, q1 = 0, maxSigma = 0, maxVal = 0;
        for (int i = 0; i < 256; i++)
        {
            double p = h[i] * scale;
            mu1 *= q1;
            q1 += p;
            double q2 = 1.0 - q1;
            if (Math.Min(q1, q2) < FltEpsilon || Math.Max(q1, q2) > 1.0 - FltEpsilon) continue;
            mu1 = (mu1 + i * p) / q1;
            double mu2 = (mu - q1 * mu1) / q2;
            double sigma = q1 * q2 * (mu1 - mu2) * (mu1 - mu2);
            if (sigma > maxSigma) { maxSigma = sigma; maxVal = i; }
        }
        return maxVal;
    }

    // OpenCV's getThreshVal_Triangle_8u.
    private static double TriangleLevel(int[] hist)
    {
        const int N = 256;
        var h = (int[])hist.Clone();
        int left = 0, right = 0, maxInd = 0, max = 0;
        for (int i = 0; i < N; i++) if (h[i] > 0) { left = i; break; }
        if (left > 0) left--;
        for (int i = N - 1; i > 0; i--) if (h[i] > 0) { right = i; break; }
        if (right < N - 1) right++;
        for (int i = 0; i < N; i++) if (h[i] > max) { max = h[i]; maxInd = i; }
        bool flipped = false;
        if (maxInd - left < right - maxInd)
        {
            flipped = true;
            Array.Reverse(h);
            left = N - 1 - right;
            maxInd = N - 1 - maxInd;
        }
        double thresh = left, a = max, b = left - maxInd, dist = 0;
        for (int i = left + 1; i <= maxInd; i++)
        {
            double d = a * i + b * h[i];
            if (d > dist) { dist = d; thresh = i; }
        }
        thresh--;
        if (flipped) thresh = N - 1 - thresh;
        return thresh;
    }
}

namespace Lantern.Vision;

/// <summary>Norm types for <see cref="Cv.Normalize"/> (OpenCV's NORM_INF, NORM_L1, NORM_L2, NORM_MINMAX).</summary>
public enum NormType
{
    /// <summary>max |x|.</summary>
    Inf,
    /// <summary>sum |x|.</summary>
    L1,
    /// <summary>sqrt(sum x^2).</summary>
    L2,
    /// <summary>Map [min, max] of the source linearly onto [min(alpha, beta), max(alpha, beta)].</summary>
    MinMax,
}

public static partial class Cv
{
    /// <summary>
    /// cv2.convertScaleAbs: dst = saturate_uint8(|alpha * src + beta|), computed in float (alpha, beta rounded to float),
    /// rounded to nearest (ties to even). Output: UInt8 with the source's channels and order.
    /// </summary>
    public static Image ConvertScaleAbs(Image src, double alpha = 1, double beta = 0)
    {
        var dst = src.NewLike(PixelDepth.UInt8);
        float a = (float)alpha, b = (float)beta;
        int n = src.Width * src.Channels;
        Rows(src.Height, n, y =>
        {
            var d = dst.Row<byte>(y);
            if (src.Depth == PixelDepth.UInt8)
            {
                var s = src.Row<byte>(y);
                for (int i = 0; i < n; i++) d[i] = Saturate.ToByte(MathF.Abs(MathF.FusedMultiplyAdd(s[i], a, b)));
            }
            else
            {
                var s = src.Row<float>(y);
                for (int i = 0; i < n; i++) d[i] = Saturate.ToByte(MathF.Abs(MathF.FusedMultiplyAdd(s[i], a, b)));
            }
        });
        return dst;
    }

    /// <summary>
    /// cv2.normalize without a mask. Inf/L1/L2: dst = src * alpha / norm(src) (0 when the norm is &lt;= DBL_EPSILON);
    /// MinMax: dst = (src - min) * (hi - lo) / (max - min) + lo with lo = min(alpha, beta), hi = max(alpha, beta)
    /// (scale 0 when max - min &lt;= DBL_EPSILON). Norms run over all channels. The result goes through
    /// <see cref="Image.ConvertTo"/> into <paramref name="depth"/> (default: the source's).
    /// </summary>
    public static Image Normalize(Image src, double alpha = 1, double beta = 0, NormType normType = NormType.L2, PixelDepth? depth = null)
    {
        double scale, shift;
        if (normType == NormType.MinMax)
        {
            var (smin, smax) = MinMax(src);
            double dmin = Math.Min(alpha, beta), dmax = Math.Max(alpha, beta);
            scale = (dmax - dmin) * (smax - smin > DblEpsilon ? 1.0 / (smax - smin) : 0);
            shift = dmin - smin * scale;
        }
        else
        {
            double norm = Norm(src, normType);
            scale = norm > DblEpsilon ? alpha / norm : 0;
            shift = 0;
        }
        return src.ConvertTo(depth ?? src.Depth, scale, shift);
    }

    /// <summary>cv2.norm(src, normType) over all channels (Inf, L1 or L2), accumulated in double.</summary>
    /// <exception cref="ArgumentException">MinMax is not a norm.</exception>
    public static double Norm(Image src, NormType normType = NormType.L2)
    {
        if (normType == NormType.MinMax) throw new ArgumentException("Norm: MinMax is a normalisation, not a norm; use Inf, L1 or L2.");
        double acc = 0;
        int n = src.Width * src.Channels;
        for (int y = 0; y < src.Height; y++)
        {
            if (src.Depth == PixelDepth.UInt8)
            {
                var s = src.Row<byte>(y);
                for (int i = 0; i < n; i++) acc = Accumulate(acc, s[i], normType);
            }
            else
            {
                var s = src.Row<float>(y);
                for (int i = 0; i < n; i++) acc = Accumulate(acc, s[i], normType);
            }
        }
        return normType == NormType.L2 ? Math.Sqrt(acc) : acc;
    }

    private const double DblEpsilon = 2.220446049250313e-16;   // DBL_EPSILON

    private static double Accumulate(double acc, double v, NormType t) => t switch
    {
        NormType.Inf => Math.Max(acc, Math.Abs(v)),
        NormType.L1 => acc + Math.Abs(v),
        _ => acc + v * v,
    };

    /// <summary>cv2.minMaxLoc's values over all channels (NaN-free input assumed).</summary>
    public static (double Min, double Max) MinMax(Image src)
    {
        double mn = double.PositiveInfinity, mx = double.NegativeInfinity;
        int n = src.Width * src.Channels;
        for (int y = 0; y < src.Height; y++)
        {
            if (src.Depth == PixelDepth.UInt8)
                foreach (var v in src.Row<byte>(y)[..n]) { if (v < mn) mn = v; if (v > mx) mx = v; }
            else
                foreach (var v in src.Row<float>(y)[..n]) { if (v < mn) mn = v; if (v > mx) mx = v; }
        }
        return (mn, mx);
    }
}

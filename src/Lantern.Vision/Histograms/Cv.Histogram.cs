namespace Lantern.Vision;

public static partial class Cv
{
    /// <summary>
    /// cv2.calcHist for one channel with uniform bins: counts of values v with lo &lt;= v &lt; hi in bin
    /// floor((v - lo) * bins / (hi - lo)). Default: 256 bins over [0, 256).
    /// </summary>
    /// <exception cref="ArgumentException">Channel out of range, bins &lt; 1 or hi &lt;= lo.</exception>
    public static float[] CalcHist(Image src, int channel = 0, int bins = 256, double lo = 0, double hi = 256)
    {
        if ((uint)channel >= (uint)src.Channels) throw new ArgumentException($"CalcHist: channel {channel} of a {src.Channels}-channel image.");
        if (bins < 1 || !(hi > lo)) throw new ArgumentException($"CalcHist: bins {bins} must be >= 1 and the range [{lo}, {hi}) non-empty.");
        var h = new float[bins];
        double a = bins / (hi - lo), b = -lo * a;
        int c = src.Channels;
        for (int y = 0; y < src.Height; y++)
            for (int x = 0; x < src.Width; x++)
            {
                double v = src.Depth == PixelDepth.UInt8 ? src.Row<byte>(y)[x * c + channel] : src.Row<float>(y)[x * c + channel];
                if (!(v >= lo && v < hi)) continue;
                int idx = (int)Math.Floor(v * a + b);
                if ((uint)idx < (uint)bins) h[idx]++;
            }
        return h;
    }

    /// <summary>
    /// cv2.equalizeHist (UInt8, one channel): lut[v] = round(255 / (N - h[vmin]) * (cdf(v) - h[vmin])) computed as OpenCV
    /// (float scale, cumulative sum from the first occupied level, which maps to 0); a constant image stays constant.
    /// </summary>
    /// <exception cref="ArgumentException">Not a UInt8 single-channel image.</exception>
    public static Image EqualizeHist(Image src)
    {
        if (src.Depth != PixelDepth.UInt8 || src.Channels != 1)
            throw new ArgumentException($"EqualizeHist: needs a UInt8 single-channel image, got {src.Describe()}.");
        var hist = Histogram256(src);
        int total = src.Width * src.Height, i = 0;
        while (hist[i] == 0) i++;
        var dst = src.NewLike();
        if (hist[i] == total)
        {
            for (int y = 0; y < dst.Height; y++) dst.Row<byte>(y).Fill((byte)i);
            return dst;
        }
        float scale = 255f / (total - hist[i]);
        var lut = new byte[256];
        int sum = 0;
        for (lut[i++] = 0; i < 256; i++)
        {
            sum += hist[i];
            lut[i] = Saturate.ToByte(sum * scale);
        }
        int n = src.Width;
        Rows(src.Height, n, y => { var s = src.Row<byte>(y); var d = dst.Row<byte>(y); for (int k = 0; k < n; k++) d[k] = lut[s[k]]; });
        return dst;
    }
}

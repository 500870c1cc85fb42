namespace Lantern.Vision;

public static partial class Cv
{
    /// <summary>
    /// cv2.medianBlur: each channel's median over the ksize x ksize window, with replicated borders (OpenCV always uses
    /// BORDER_REPLICATE here). UInt8: any odd ksize &gt; 1 (large windows through a sliding 256-bin histogram);
    /// Float32: ksize 3 or 5, as OpenCV.
    /// </summary>
    /// <exception cref="ArgumentException">Even or &lt; 3 ksize, or Float32 with ksize &gt; 5.</exception>
    public static Image MedianBlur(Image src, int ksize)
    {
        if (ksize < 3 || ksize % 2 == 0)
            throw new ArgumentException($"MedianBlur: ksize {ksize} must be odd and >= 3.");
        if (src.Depth == PixelDepth.Float32 && ksize > 5)
            throw new ArgumentException($"MedianBlur: ksize {ksize} on a Float32 image; OpenCV supports 3 and 5 for float.");
        int r = ksize / 2, c = src.Channels, w = src.Width;
        var pad = FilterCore.Pad(src, r, r, r, r, BorderType.Replicate, 0, out int stride);
        var dst = src.NewLike();
        int area = ksize * ksize;
        if (src.Depth == PixelDepth.UInt8 && ksize > 5)
        {
            Rows(src.Height, w * area, y =>
            {
                var d = dst.Row<byte>(y);
                var hist = new int[256];
                for (int ch = 0; ch < c; ch++)
                {
                    Array.Clear(hist);
                    for (int i = 0; i < ksize; i++)
                        for (int j = 0; j < ksize; j++) hist[(int)pad[(y + i) * stride + j * c + ch]]++;
                    for (int x = 0; x < w; x++)
                    {
                        if (x > 0)
                            for (int i = 0; i < ksize; i++)
                            {
                                hist[(int)pad[(y + i) * stride + (x - 1) * c + ch]]--;
                                hist[(int)pad[(y + i) * stride + (x + ksize - 1) * c + ch]]++;
                            }
                        int need = area / 2 + 1, v = 0;
                        for (int acc = 0; ; v++) { acc += hist[v]; if (acc >= need) break; }
                        d[x * c + ch] = (byte)v;
                    }
                }
            });
            return dst;
        }
        Rows(src.Height, w * area, y =>
        {
            var win = new float[area];
            var acc = new float[w * c];
            for (int x = 0; x < w; x++)
                for (int ch = 0; ch < c; ch++)
                {
                    int k = 0;
                    for (int i = 0; i < ksize; i++)
                        for (int j = 0; j < ksize; j++) win[k++] = pad[(y + i) * stride + (x + j) * c + ch];
                    Array.Sort(win);
                    acc[x * c + ch] = win[area / 2];
                }
            FilterCore.Store(acc, dst, y);
        });
        return dst;
    }
}

namespace Lantern.Vision;

public static partial class Cv
{
    /// <summary>
    /// cv2.medianBlur: each channel's median over the ksize x ksize window, with replicated borders (OpenCV always uses
    /// BORDER_REPLICATE here). UInt8: any odd ksize &gt; 1 (sliding 256-bin histogram with a tracked median);
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
        if (src.Depth == PixelDepth.UInt8)
        {
            // Huang's sliding histogram with a tracked median: O(ksize) per pixel plus the median's movement.
            int need = area / 2;   // the median is the element of rank need (0-based)
            Rows(src.Height, w * ksize, y =>
            {
                var d = dst.Row<byte>(y);
                var hist = new int[256];
                for (int ch = 0; ch < c; ch++)
                {
                    Array.Clear(hist);
                    for (int i = 0; i < ksize; i++)
                        for (int j = 0; j < ksize; j++) hist[(int)pad[(y + i) * stride + j * c + ch]]++;
                    int m = 0, lt = 0;
                    while (lt + hist[m] <= need) lt += hist[m++];
                    for (int x = 0; x < w; x++)
                    {
                        if (x > 0)
                            for (int i = 0; i < ksize; i++)
                            {
                                int o = (int)pad[(y + i) * stride + (x - 1) * c + ch], n = (int)pad[(y + i) * stride + (x + ksize - 1) * c + ch];
                                hist[o]--; if (o < m) lt--;
                                hist[n]++; if (n < m) lt++;
                            }
                        while (lt > need) lt -= hist[--m];
                        while (lt + hist[m] <= need) lt += hist[m++];
                        d[x * c + ch] = (byte)m;
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

namespace Lantern.Vision;

public static partial class Cv
{
    // OpenCV's fixed-point luma coefficients (yuv_shift = 14): round(0.299 * 2^14) etc. (used by YCrCb).
    internal const int R2Y = 4899, G2Y = 9617, B2Y = 1868, YuvShift = 14;
    // OpenCV 4's RGB2Gray<uchar> uses 15-bit coefficients summing to 2^15 (checked bit-exact against 4.13).
    internal const int R2Y15 = 9798, G2Y15 = 19235, B2Y15 = 3735, GrayShift = 15;

    private static Image ToGray(Image src, ColorConversion code, int bidx)
    {
        int cn = src.Channels, w = src.Width;
        var dst = src.NewLike(channels: 1, order: ChannelOrder.Gray);
        if (src.Depth == PixelDepth.UInt8)
        {
            // Coefficients in memory order, as OpenCV swaps them for blueIdx.
            int c0 = bidx == 0 ? B2Y15 : R2Y15, c2 = bidx == 0 ? R2Y15 : B2Y15;
            Rows(src.Height, w, y =>
            {
                var s = src.Row<byte>(y); var d = dst.Row<byte>(y);
                for (int x = 0, i = 0; x < w; x++, i += cn)
                    d[x] = (byte)((s[i] * c0 + s[i + 1] * G2Y15 + s[i + 2] * c2 + (1 << (GrayShift - 1))) >> GrayShift);
            });
        }
        else
        {
            float c0 = bidx == 0 ? 0.114f : 0.299f, c2 = bidx == 0 ? 0.299f : 0.114f;
            Rows(src.Height, w, y =>
            {
                var s = src.Row<float>(y); var d = dst.Row<float>(y);
                for (int x = 0, i = 0; x < w; x++, i += cn) d[x] = s[i] * c0 + s[i + 1] * 0.587f + s[i + 2] * c2;
            });
        }
        return dst;
    }

    private static Image FromGray(Image src, ChannelOrder order)
    {
        var dst = src.NewLike(channels: 3, order: order);
        int w = src.Width;
        if (src.Depth == PixelDepth.UInt8)
            Rows(src.Height, w, y =>
            {
                var s = src.Row<byte>(y); var d = dst.Row<byte>(y);
                for (int x = 0; x < w; x++) d[3 * x] = d[3 * x + 1] = d[3 * x + 2] = s[x];
            });
        else
            Rows(src.Height, w, y =>
            {
                var s = src.Row<float>(y); var d = dst.Row<float>(y);
                for (int x = 0; x < w; x++) d[3 * x] = d[3 * x + 1] = d[3 * x + 2] = s[x];
            });
        return dst;
    }
}

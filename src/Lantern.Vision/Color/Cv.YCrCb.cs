namespace Lantern.Vision;

public static partial class Cv
{
    // OpenCV's YCrCb fixed-point coefficients at yuv_shift 14 (0.713, 0.564; inverse 1.403, -0.714, -0.344, 1.773).
    private const int YCrI = 11682, YCbI = 9241, CR2RI = 22987, CR2GI = -11698, CB2GI = -5636, CB2BI = 29049;

    private static Image ToYCrCb(Image src, int bidx)
    {
        int cn = src.Channels, w = src.Width;
        var dst = src.NewLike(channels: 3, order: ChannelOrder.YCrCb);
        if (src.Depth == PixelDepth.UInt8)
        {
            int c0 = bidx == 0 ? B2Y : R2Y, c2 = bidx == 0 ? R2Y : B2Y;
            const int delta = 128 << YuvShift, half = 1 << (YuvShift - 1);
            Rows(src.Height, w, y =>
            {
                var s = src.Row<byte>(y); var d = dst.Row<byte>(y);
                for (int x = 0, i = 0; x < w; x++, i += cn)
                {
                    int Y = (s[i] * c0 + s[i + 1] * G2Y + s[i + 2] * c2 + half) >> YuvShift;
                    int cr = ((s[i + (bidx ^ 2)] - Y) * YCrI + delta + half) >> YuvShift;
                    int cb = ((s[i + bidx] - Y) * YCbI + delta + half) >> YuvShift;
                    d[3 * x] = Saturate.ToByte(Y); d[3 * x + 1] = Saturate.ToByte(cr); d[3 * x + 2] = Saturate.ToByte(cb);
                }
            });
        }
        else
        {
            float c0 = bidx == 0 ? 0.114f : 0.299f, c2 = bidx == 0 ? 0.299f : 0.114f;
            Rows(src.Height, w, y =>
            {
                var s = src.Row<float>(y); var d = dst.Row<float>(y);
                for (int x = 0, i = 0; x < w; x++, i += cn)
                {
                    float Y = s[i] * c0 + s[i + 1] * 0.587f + s[i + 2] * c2;
                    d[3 * x] = Y;
                    d[3 * x + 1] = (s[i + (bidx ^ 2)] - Y) * 0.713f + 0.5f;
                    d[3 * x + 2] = (s[i + bidx] - Y) * 0.564f + 0.5f;
                }
            });
        }
        return dst;
    }

    private static Image FromYCrCb(Image src, int bidx, ChannelOrder order)
    {
        int w = src.Width;
        var dst = src.NewLike(channels: 3, order: order);
        if (src.Depth == PixelDepth.UInt8)
        {
            const int half = 1 << (YuvShift - 1);
            Rows(src.Height, w, y =>
            {
                var s = src.Row<byte>(y); var d = dst.Row<byte>(y);
                for (int x = 0, i = 0; x < w; x++, i += 3)
                {
                    int Y = s[i], cr = s[i + 1] - 128, cb = s[i + 2] - 128;
                    int b = Y + ((cb * CB2BI + half) >> YuvShift);
                    int g = Y + ((cb * CB2GI + cr * CR2GI + half) >> YuvShift);
                    int r = Y + ((cr * CR2RI + half) >> YuvShift);
                    d[i + bidx] = Saturate.ToByte(b); d[i + 1] = Saturate.ToByte(g); d[i + (bidx ^ 2)] = Saturate.ToByte(r);
                }
            });
        }
        else
        {
            Rows(src.Height, w, y =>
            {
                var s = src.Row<float>(y); var d = dst.Row<float>(y);
                for (int x = 0, i = 0; x < w; x++, i += 3)
                {
                    float Y = s[i], cr = s[i + 1] - 0.5f, cb = s[i + 2] - 0.5f;
                    d[i + bidx] = Y + cb * 1.773f;
                    d[i + 1] = Y + cb * -0.344f + cr * -0.714f;
                    d[i + (bidx ^ 2)] = Y + cr * 1.403f;
                }
            });
        }
        return dst;
    }
}

namespace Lantern.Vision;

public sealed partial class Image
{
    /// <summary>A copy with channels 0 and 2 exchanged and the order label flipped (RGB &lt;-&gt; BGR, RGBA &lt;-&gt; BGRA); grey is cloned.</summary>
    public Image SwapRedBlue()
    {
        var flipped = Order switch
        {
            ChannelOrder.Rgb => ChannelOrder.Bgr, ChannelOrder.Bgr => ChannelOrder.Rgb,
            ChannelOrder.Rgba => ChannelOrder.Bgra, ChannelOrder.Bgra => ChannelOrder.Rgba, _ => ChannelOrder.Gray,
        };
        var dst = new Image(Width, Height, Channels, Depth, flipped);
        CopyTo(dst);
        if (Channels == 1) return dst;
        if (Depth == PixelDepth.UInt8) Swap02(dst.Buffer<byte>(), Channels);
        else Swap02(dst.Buffer<float>(), Channels);
        return dst;
    }

    private static void Swap02<T>(T[] a, int c)
    {
        for (int i = 0; i + 2 < a.Length; i += c) (a[i], a[i + 2]) = (a[i + 2], a[i]);
    }

    /// <summary>This image in BGR/BGRA order (for OpenCV interop): a copy with R and B swapped if it is RGB/RGBA, else itself.</summary>
    public Image ToBgr() => Order is ChannelOrder.Rgb or ChannelOrder.Rgba ? SwapRedBlue() : this;

    /// <summary>This image in RGB/RGBA order: a copy with R and B swapped if it is BGR/BGRA, else itself.</summary>
    public Image ToRgb() => Order is ChannelOrder.Bgr or ChannelOrder.Bgra ? SwapRedBlue() : this;

    /// <summary>
    /// OpenCV's <c>Mat::convertTo</c>: dst = saturate(alpha * src + beta) in the target depth (UInt8: rounded to nearest,
    /// ties to even, clamped to 0..255; Float32: computed in float).
    /// </summary>
    public Image ConvertTo(PixelDepth depth, double alpha = 1, double beta = 0)
    {
        var dst = NewLike(depth);
        for (int y = 0; y < Height; y++)
        {
            if (Depth == PixelDepth.UInt8 && depth == PixelDepth.UInt8)
            {
                var s = Row<byte>(y); var d = dst.Row<byte>(y);
                for (int i = 0; i < s.Length; i++) d[i] = Saturate.ToByte((float)(alpha * s[i] + beta));
            }
            else if (Depth == PixelDepth.UInt8)
            {
                var s = Row<byte>(y); var d = dst.Row<float>(y);
                for (int i = 0; i < s.Length; i++) d[i] = (float)(alpha * s[i] + beta);
            }
            else if (depth == PixelDepth.UInt8)
            {
                var s = Row<float>(y); var d = dst.Row<byte>(y);
                for (int i = 0; i < s.Length; i++) d[i] = Saturate.ToByte(alpha * s[i] + beta);
            }
            else
            {
                var s = Row<float>(y); var d = dst.Row<float>(y);
                for (int i = 0; i < s.Length; i++) d[i] = (float)(alpha * s[i] + beta);
            }
        }
        return dst;
    }
}

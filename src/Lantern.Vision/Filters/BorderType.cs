namespace Lantern.Vision;

/// <summary>
/// How pixels outside the image are made up, with OpenCV's names and meanings (cv::BorderTypes). For a row
/// "abcdefgh": Constant iiiiii|abcdefgh|iiiiiii (i = the border value), Replicate aaaaaa|abcdefgh|hhhhhhh,
/// Reflect fedcba|abcdefgh|hgfedcb, Wrap cdefgh|abcdefgh|abcdefg, Reflect101 gfedcb|abcdefgh|gfedcba (OpenCV's default).
/// </summary>
public enum BorderType
{
    /// <summary>BORDER_CONSTANT: a fixed value.</summary>
    Constant = 0,
    /// <summary>BORDER_REPLICATE: the edge pixel repeated.</summary>
    Replicate = 1,
    /// <summary>BORDER_REFLECT: mirrored including the edge pixel.</summary>
    Reflect = 2,
    /// <summary>BORDER_WRAP: periodic.</summary>
    Wrap = 3,
    /// <summary>BORDER_REFLECT_101 (= BORDER_DEFAULT): mirrored about the edge pixel.</summary>
    Reflect101 = 4,
}

/// <summary>Border arithmetic shared by the filters.</summary>
public static class Border
{
    /// <summary>
    /// cv::borderInterpolate: the source coordinate for out-of-range coordinate <paramref name="p"/> along an axis of
    /// length <paramref name="len"/>, or -1 for <see cref="BorderType.Constant"/>.
    /// </summary>
    /// <exception cref="ArgumentException">len &lt; 1.</exception>
    public static int Interpolate(int p, int len, BorderType type)
    {
        if ((uint)p < (uint)len) return p;
        if (len < 1) throw new ArgumentException($"Border.Interpolate: axis length {len} must be >= 1.");
        switch (type)
        {
            case BorderType.Replicate: return p < 0 ? 0 : len - 1;
            case BorderType.Constant: return -1;
            case BorderType.Wrap:
                if (p < 0) p -= ((p - len + 1) / len) * len;
                if (p >= len) p %= len;
                return p;
            case BorderType.Reflect or BorderType.Reflect101:
            {
                int delta = type == BorderType.Reflect101 ? 1 : 0;
                if (len == 1) return 0;
                do
                {
                    if (p < 0) p = -p - 1 + delta;
                    else p = len - 1 - (p - len) - delta;
                } while ((uint)p >= (uint)len);
                return p;
            }
            default: throw new ArgumentException($"Border.Interpolate: unknown border type {(int)type}.");
        }
    }

    /// <summary>Source index for each of n + before + after padded positions (-1 = constant).</summary>
    internal static int[] Table(int n, int before, int after, BorderType type)
    {
        var t = new int[n + before + after];
        for (int i = 0; i < t.Length; i++) t[i] = Interpolate(i - before, n, type);
        return t;
    }
}

public static partial class Cv
{
    /// <summary>
    /// cv2.copyMakeBorder: a new image with <paramref name="top"/>, <paramref name="bottom"/>, <paramref name="left"/>,
    /// <paramref name="right"/> extra rows/columns filled by <paramref name="borderType"/> (value for Constant, per channel
    /// the same).
    /// </summary>
    /// <exception cref="ArgumentException">A negative border size.</exception>
    public static Image CopyMakeBorder(Image src, int top, int bottom, int left, int right, BorderType borderType, double value = 0)
    {
        if (top < 0 || bottom < 0 || left < 0 || right < 0)
            throw new ArgumentException($"CopyMakeBorder: border sizes top={top}, bottom={bottom}, left={left}, right={right} must be >= 0.");
        var dst = new Image(src.Width + left + right, src.Height + top + bottom, src.Channels, src.Depth, src.Order);
        var xs = Border.Table(src.Width, left, right, borderType);
        var ys = Border.Table(src.Height, top, bottom, borderType);
        int c = src.Channels;
        if (src.Depth == PixelDepth.UInt8) Fill<byte>(src, dst, xs, ys, c, Saturate.ToByte(value));
        else Fill<float>(src, dst, xs, ys, c, (float)value);
        return dst;
    }

    private static void Fill<T>(Image src, Image dst, int[] xs, int[] ys, int c, T value) where T : unmanaged
    {
        for (int y = 0; y < ys.Length; y++)
        {
            var d = dst.Row<T>(y);
            if (ys[y] < 0) { d.Fill(value); continue; }
            var s = src.Row<T>(ys[y]);
            for (int x = 0; x < xs.Length; x++)
            {
                int sx = xs[x];
                for (int k = 0; k < c; k++) d[x * c + k] = sx < 0 ? value : s[sx * c + k];
            }
        }
    }
}

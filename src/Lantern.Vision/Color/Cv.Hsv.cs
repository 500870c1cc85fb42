namespace Lantern.Vision;

public static partial class Cv
{
    private const int HsvShift = 12;
    private static readonly int[] s_sdiv = DivTable(255, 1), s_hdiv180 = DivTable(180, 6), s_hdiv256 = DivTable(256, 6);

    // OpenCV's tables: tab[i] = cvRound((n << 12) / (k * i)), tab[0] = 0.
    private static int[] DivTable(int n, int k)
    {
        var t = new int[256];
        for (int i = 1; i < 256; i++) t[i] = Saturate.Round((double)(n << HsvShift) / (k * (double)i));
        return t;
    }

    /// <summary>
    /// RGB -&gt; HSV. UInt8 (OpenCV's RGB2HSV_b): V = max, S = round(255 (V - min) / V) via a 12-bit table, H = 60 deg sector
    /// formula scaled to hrange (180 or 256) via a table, negative H wrapped. Float32 (RGB2HSV_f): S = (V - min) / (|V| + eps),
    /// H in degrees [0, 360).
    /// </summary>
    private static Image ToHsv(Image src, int bidx, int hrange)
    {
        int cn = src.Channels, w = src.Width;
        var dst = src.NewLike(channels: 3, order: ChannelOrder.Hsv);
        if (src.Depth == PixelDepth.UInt8)
        {
            var hdiv = hrange == 180 ? s_hdiv180 : s_hdiv256;
            const int half = 1 << (HsvShift - 1);
            Rows(src.Height, w, y =>
            {
                var s = src.Row<byte>(y); var d = dst.Row<byte>(y);
                for (int x = 0, i = 0; x < w; x++, i += cn)
                {
                    int b = s[i + bidx], g = s[i + 1], r = s[i + (bidx ^ 2)];
                    int v = Math.Max(b, Math.Max(g, r)), vmin = Math.Min(b, Math.Min(g, r));
                    int diff = v - vmin;
                    int vr = v == r ? -1 : 0, vg = v == g ? -1 : 0;
                    int sat = (diff * s_sdiv[v] + half) >> HsvShift;
                    int h = (vr & (g - b)) + (~vr & ((vg & (b - r + 2 * diff)) + (~vg & (r - g + 4 * diff))));
                    h = (h * hdiv[diff] + half) >> HsvShift;
                    h += h < 0 ? hrange : 0;
                    d[3 * x] = Saturate.ToByte(h); d[3 * x + 1] = (byte)sat; d[3 * x + 2] = (byte)v;
                }
            });
        }
        else
        {
            Rows(src.Height, w, y =>
            {
                var s = src.Row<float>(y); var d = dst.Row<float>(y);
                for (int x = 0, i = 0; x < w; x++, i += cn)
                {
                    float b = s[i + bidx], g = s[i + 1], r = s[i + (bidx ^ 2)];
                    float v = r, vmin = r;
                    if (v < g) v = g; if (v < b) v = b;
                    if (vmin > g) vmin = g; if (vmin > b) vmin = b;
                    float diff = v - vmin;
                    float sat = diff / (MathF.Abs(v) + FltEpsilon);
                    diff = (float)(60.0 / (diff + FltEpsilon));
                    float h = v == r ? (g - b) * diff : v == g ? (b - r) * diff + 120f : (r - g) * diff + 240f;
                    if (h < 0) h += 360f;
                    d[3 * x] = h; d[3 * x + 1] = sat; d[3 * x + 2] = v;
                }
            });
        }
        return dst;
    }

    private const float FltEpsilon = 1.1920929e-07f;   // FLT_EPSILON

    /// <summary>
    /// HSV -&gt; RGB (OpenCV's HSV2RGB_f; UInt8 goes through float: h * 6 / hrange, s / 255, v / 255, result * 255 rounded).
    /// </summary>
    private static Image FromHsv(Image src, int bidx, int hrange, ChannelOrder order)
    {
        int w = src.Width;
        var dst = src.NewLike(channels: 3, order: order);
        bool u8 = src.Depth == PixelDepth.UInt8;
        float hscale = u8 ? 6f / hrange : 6f / 360f;
        Rows(src.Height, w, y =>
        {
            Span<float> px = stackalloc float[3];
            // OpenCV's UInt8 path converts whole SIMD blocks with truncation (v_trunc) and the row's tail with rounding;
            // the full-range codes go to Intel IPP in OpenCV's official build, which rounds everywhere.
            int vecEnd = u8 && hrange == 180 ? HsvToRgbVectorEnd(w) : 0;
            for (int x = 0; x < w; x++)
            {
                float h, s, v;
                if (u8) { var r = src.Row<byte>(y); h = r[3 * x]; s = r[3 * x + 1] * (1f / 255f); v = r[3 * x + 2] * (1f / 255f); }
                else { var r = src.Row<float>(y); h = r[3 * x]; s = r[3 * x + 1]; v = r[3 * x + 2]; }
                HsvToRgbPixel(h * hscale, s, v, px, x < vecEnd);
                if (u8)
                {
                    var d = dst.Row<byte>(y);
                    if (x < vecEnd)
                    {
                        d[3 * x + bidx] = TruncByte(px[0] * 255f); d[3 * x + 1] = TruncByte(px[1] * 255f);
                        d[3 * x + (bidx ^ 2)] = TruncByte(px[2] * 255f);
                    }
                    else
                    {
                        d[3 * x + bidx] = Saturate.ToByte(px[0] * 255f); d[3 * x + 1] = Saturate.ToByte(px[1] * 255f);
                        d[3 * x + (bidx ^ 2)] = Saturate.ToByte(px[2] * 255f);
                    }
                }
                else
                {
                    var d = dst.Row<float>(y);
                    d[3 * x + bidx] = px[0]; d[3 * x + 1] = px[1]; d[3 * x + (bidx ^ 2)] = px[2];
                }
            }
        });
        return dst;
    }

    /// <summary>Pixels per block of OpenCV's vectorised UInt8 HSV-&gt;RGB loop (4 vectors of float lanes; AVX2 dispatch: 8 lanes).</summary>
    internal static int HsvToRgbBlock = 32;

    // Pixels of a row OpenCV converts in its vector loop: whole blocks while at least one block remains.
    private static int HsvToRgbVectorEnd(int n) => n < HsvToRgbBlock ? 0 : (n / HsvToRgbBlock) * HsvToRgbBlock;

    private static byte TruncByte(float v) => v <= 0 || float.IsNaN(v) ? (byte)0 : v >= 255f ? (byte)255 : (byte)(int)v;

    // h in sextants [0, 6) (wrapped), output b, g, r.
    // fused: OpenCV's vector body, where GCC contracts 1 - s*h into one fused multiply-add.
    private static void HsvToRgbPixel(float h, float s, float v, Span<float> bgr, bool fused = false)
    {
        if (s == 0) { bgr[0] = bgr[1] = bgr[2] = v; return; }
        if (h < 0) do h += 6; while (h < 0);
        else if (h >= 6) do h -= 6; while (h >= 6);
        int sector = (int)MathF.Floor(h);
        h -= sector;
        if ((uint)sector >= 6u) { sector = 0; h = 0; }
        float t0 = v, t1 = v * (1f - s);
        float t2 = fused ? v * MathF.FusedMultiplyAdd(-s, h, 1f) : v * (1f - s * h);
        float t3 = fused ? v * MathF.FusedMultiplyAdd(-s, 1f - h, 1f) : v * (1f - s * (1f - h));
        (float b, float g, float r) = sector switch
        {
            0 => (t1, t3, t0),
            1 => (t1, t0, t2),
            2 => (t3, t0, t1),
            3 => (t0, t2, t1),
            4 => (t0, t1, t3),
            _ => (t2, t1, t0),
        };
        bgr[0] = b; bgr[1] = g; bgr[2] = r;
    }
}

namespace Lantern.Vision;

public static partial class Cv
{
    // sRGB -> XYZ (D65) and the D65 white point, as OpenCV's tables.
    private static readonly double[] s_rgb2xyz = [0.412453, 0.357580, 0.180423, 0.212671, 0.715160, 0.072169, 0.019334, 0.119193, 0.950227];
    private static readonly double[] s_d65 = [0.950456, 1.0, 1.088754];
    private const int LabShift = 12, GammaShift = 3, LabShift2 = LabShift + GammaShift;
    private static readonly Lazy<(ushort[] Gamma, ushort[] Cbrt)> s_labTabs = new(() =>
    {
        var g = new ushort[256];
        for (int i = 0; i < 256; i++)
        {
            float x = i * (1f / 255f);
            float lin = x <= 0.04045f ? x * (1f / 12.92f) : (float)Math.Pow((x + 0.055) * (1.0 / 1.055), 2.4);
            g[i] = (ushort)Math.Clamp(Saturate.Round(255f * (1 << GammaShift) * lin), 0, 65535);
        }
        var c = new ushort[256 * 3 / 2 * (1 << GammaShift)];
        for (int i = 0; i < c.Length; i++)
        {
            float x = i * (1f / (255f * (1 << GammaShift)));
            float f = x < 0.008856f ? x * 7.787f + 0.13793103448275862f : CvCbrt(x);
            c[i] = (ushort)Math.Clamp(Saturate.Round((1 << LabShift2) * f), 0, 65535);
        }
        return (g, c);
    });

    // OpenCV's cvCbrt: Turkowski's cube root (mantissa reduced to [0.125, 1), quartic rational polynomial in double,
    // result rounded to float, exponent divided by 3). Reproduced so the 8-bit cube-root table matches entry for entry.
    private static float CvCbrt(float value)
    {
        int vi = BitConverter.SingleToInt32Bits(value);
        int ix = vi & 0x7fffffff, s = (int)(vi & 0x80000000);
        int ex = (ix >> 23) - 127;
        int shx = ex % 3;
        shx -= shx >= 0 ? 3 : 0;
        ex = (ex - shx) / 3;
        double fr = BitConverter.Int32BitsToSingle((ix & ((1 << 23) - 1)) | ((shx + 127) << 23));
        float r = (float)(((((45.2548339756803022511987494 * fr + 192.2798368355061050458134625) * fr + 119.1654824285581628956914143) * fr
            + 13.43250139086239872172837314) * fr + 0.1636161226585754240958355063)
            / ((((14.80884093219134573786480845 * fr + 151.9714051044435648658557668) * fr + 168.5254414101568283957668343) * fr
            + 33.9905941350215598754191872) * fr + 1.0));
        int ri = (BitConverter.SingleToInt32Bits(r) + (ex << 23) + s) & (vi * 2 != 0 ? -1 : 0);
        return BitConverter.Int32BitsToSingle(ri);
    }

    /// <summary>
    /// RGB -&gt; CIE L*a*b* (D65, sRGB gamma). Float32 (input 0..1): X, Y, Z = M * gamma(RGB) / white point,
    /// f(t) = t &gt; 0.008856 ? cbrt(t) : 7.787 t + 16/116, L = Y &gt; 0.008856 ? 116 f(Y) - 16 : 903.3 Y, a = 500 (f(X) - f(Y)),
    /// b = 200 (f(Y) - f(Z)). UInt8: OpenCV's fixed-point path (12-bit coefficients, 8x gamma table, 15-bit cube-root table),
    /// output L * 255 / 100, a + 128, b + 128.
    /// </summary>
    private static Image ToLab(Image src, int bidx)
    {
        int cn = src.Channels, w = src.Width;
        var dst = src.NewLike(channels: 3, order: ChannelOrder.Lab);
        if (src.Depth == PixelDepth.UInt8)
        {
            var (gamma, cbrt) = s_labTabs.Value;
            var co = new int[9];
            for (int i = 0; i < 3; i++)
            {
                double l = 1 << LabShift;
                co[i * 3 + (bidx ^ 2)] = Saturate.Round(l * s_rgb2xyz[i * 3] / s_d65[i]);
                co[i * 3 + 1] = Saturate.Round(l * s_rgb2xyz[i * 3 + 1] / s_d65[i]);
                co[i * 3 + bidx] = Saturate.Round(l * s_rgb2xyz[i * 3 + 2] / s_d65[i]);
            }
            const int Lscale = (116 * 255 + 50) / 100, Lshift = -((16 * 255 * (1 << LabShift2) + 50) / 100);
            const int h1 = 1 << (LabShift - 1), h2 = 1 << (LabShift2 - 1);
            Rows(src.Height, w, y =>
            {
                var s = src.Row<byte>(y); var d = dst.Row<byte>(y);
                for (int x = 0, i = 0; x < w; x++, i += cn)
                {
                    int R = gamma[s[i]], G = gamma[s[i + 1]], B = gamma[s[i + 2]];
                    int fX = cbrt[(R * co[0] + G * co[1] + B * co[2] + h1) >> LabShift];
                    int fY = cbrt[(R * co[3] + G * co[4] + B * co[5] + h1) >> LabShift];
                    int fZ = cbrt[(R * co[6] + G * co[7] + B * co[8] + h1) >> LabShift];
                    int L = (Lscale * fY + Lshift + h2) >> LabShift2;
                    int a = (500 * (fX - fY) + 128 * (1 << LabShift2) + h2) >> LabShift2;
                    int b = (200 * (fY - fZ) + 128 * (1 << LabShift2) + h2) >> LabShift2;
                    d[3 * x] = Saturate.ToByte(L); d[3 * x + 1] = Saturate.ToByte(a); d[3 * x + 2] = Saturate.ToByte(b);
                }
            });
            return dst;
        }
        Rows(src.Height, w, y =>
        {
            var s = src.Row<float>(y); var d = dst.Row<float>(y);
            for (int x = 0, i = 0; x < w; x++, i += cn)
            {
                double r = Lin(s[i + (bidx ^ 2)]), g = Lin(s[i + 1]), b = Lin(s[i + bidx]);
                double X = (s_rgb2xyz[0] * r + s_rgb2xyz[1] * g + s_rgb2xyz[2] * b) / s_d65[0];
                double Y = s_rgb2xyz[3] * r + s_rgb2xyz[4] * g + s_rgb2xyz[5] * b;
                double Z = (s_rgb2xyz[6] * r + s_rgb2xyz[7] * g + s_rgb2xyz[8] * b) / s_d65[2];
                double fx = F(X), fy = F(Y), fz = F(Z);
                d[3 * x] = (float)(Y > 0.008856 ? 116 * fy - 16 : 903.3 * Y);
                d[3 * x + 1] = (float)(500 * (fx - fy));
                d[3 * x + 2] = (float)(200 * (fy - fz));
            }
        });
        return dst;

        static double Lin(float v)
        {
            double x = Math.Clamp(v, 0f, 1f);
            return x <= 0.04045 ? x / 12.92 : Math.Pow((x + 0.055) / 1.055, 2.4);
        }
        static double F(double t) => t > 0.008856 ? Math.Cbrt(t) : 7.787 * t + 16.0 / 116.0;
    }
}

namespace Lantern.Vision;

public static partial class Cv
{
    /// <summary>
    /// cv2.getDerivKernels: the row kernel (order dx) and column kernel (order dy) of the Sobel operator of aperture
    /// <paramref name="ksize"/> (1, 3, 5, 7; 1 means 3 taps for a derivative direction and 1 tap for a smoothing one), or
    /// Scharr's for ksize = -1 ([3, 10, 3] / [-1, 0, 1]). Smoothing = binomial coefficients, derivative = their finite differences.
    /// normalize scales each kernel by 1 / 2^(ksize - order - 1) (Scharr: 1/16 and 1/2).
    /// </summary>
    /// <exception cref="ArgumentException">Unsupported ksize or an order the aperture cannot hold.</exception>
    public static (float[] Kx, float[] Ky) GetDerivKernels(int dx, int dy, int ksize, bool normalize = false)
    {
        if (ksize == -1)
        {
            if (dx < 0 || dy < 0 || dx + dy != 1)
                throw new ArgumentException($"GetDerivKernels: Scharr (ksize -1) needs dx, dy >= 0 and dx + dy == 1, got dx={dx}, dy={dy}.");
            return (Scharr1(dx, normalize), Scharr1(dy, normalize));
        }
        if (ksize is not (1 or 3 or 5 or 7))
            throw new ArgumentException($"GetDerivKernels: ksize {ksize} must be 1, 3, 5, 7 or -1 (Scharr).");
        int kx = ksize == 1 && dx > 0 ? 3 : ksize, ky = ksize == 1 && dy > 0 ? 3 : ksize;
        return (Sobel1(dx, kx, normalize), Sobel1(dy, ky, normalize));
    }

    private static float[] Scharr1(int order, bool normalize)
    {
        float s = normalize ? (order == 0 ? 1f / 16 : 0.5f) : 1f;
        return order == 0 ? [3 * s, 10 * s, 3 * s] : [-s, 0, s];
    }

    private static float[] Sobel1(int order, int ksize, bool normalize)
    {
        if (order < 0 || ksize <= order)
            throw new ArgumentException($"GetDerivKernels: derivative order {order} needs an aperture larger than {order}, got {ksize}.");
        var k = new int[ksize + 1];
        if (ksize == 1) k[0] = 1;
        else if (ksize == 3) { if (order == 0) (k[0], k[1], k[2]) = (1, 2, 1); else if (order == 1) (k[0], k[1], k[2]) = (-1, 0, 1); else (k[0], k[1], k[2]) = (1, -2, 1); }
        else
        {
            k[0] = 1;
            for (int i = 0; i < ksize - order - 1; i++)
            {
                int old = k[0];
                for (int j = 1; j <= ksize; j++) { int nv = k[j] + k[j - 1]; k[j - 1] = old; old = nv; }
            }
            for (int i = 0; i < order; i++)
            {
                int old = -k[0];
                for (int j = 1; j <= ksize; j++) { int nv = k[j - 1] - k[j]; k[j - 1] = old; old = nv; }
            }
        }
        double scale = normalize ? 1.0 / (1 << (ksize - order - 1)) : 1.0;
        var r = new float[ksize];
        for (int i = 0; i < ksize; i++) r[i] = (float)(k[i] * scale);
        return r;
    }

    /// <summary>
    /// cv2.Sobel: SepFilter2D with GetDerivKernels(dx, dy, ksize); scale multiplies the smoothing kernel (OpenCV's choice:
    /// the row kernel when dx == 0, else the column kernel), delta is added. ddepth Float32 gives OpenCV's CV_32F result
    /// (and the CV_16S values exactly, for UInt8 input and integer scale); UInt8 saturates (negatives become 0).
    /// </summary>
    public static Image Sobel(Image src, PixelDepth ddepth, int dx, int dy, int ksize = 3, double scale = 1, double delta = 0,
        BorderType border = BorderType.Reflect101)
    {
        if (dx < 0 || dy < 0 || dx + dy == 0) throw new ArgumentException($"Sobel: dx={dx}, dy={dy}; both >= 0 and at least one > 0.");
        var (kx, ky) = GetDerivKernels(dx, dy, ksize);
        if (scale != 1)
        {
            var t = dx == 0 ? kx : ky;
            for (int i = 0; i < t.Length; i++) t[i] = (float)(t[i] * scale);
        }
        return SepFilter2D(src, kx, ky, ddepth, -1, -1, delta, border);
    }

    /// <summary>cv2.Scharr: Sobel with the 3x3 Scharr kernels (dx + dy must be 1).</summary>
    public static Image Scharr(Image src, PixelDepth ddepth, int dx, int dy, double scale = 1, double delta = 0,
        BorderType border = BorderType.Reflect101) => Sobel(src, ddepth, dx, dy, -1, scale, delta, border);

    /// <summary>
    /// cv2.Laplacian: d2/dx2 + d2/dy2. ksize 1: Filter2D with [0 1 0; 1 -4 1; 0 1 0]; ksize 3: [2 0 2; 0 -8 0; 2 0 2]
    /// (both times scale, plus delta); ksize 5, 7: the sum of the two second-order Sobel filters in float, then
    /// scale * sum + delta.
    /// </summary>
    /// <exception cref="ArgumentException">ksize not in {1, 3, 5, 7}.</exception>
    public static Image Laplacian(Image src, PixelDepth ddepth, int ksize = 1, double scale = 1, double delta = 0,
        BorderType border = BorderType.Reflect101)
    {
        if (ksize is 1 or 3)
        {
            float[,] k = ksize == 1 ? new float[,] { { 0, 1, 0 }, { 1, -4, 1 }, { 0, 1, 0 } } : new float[,] { { 2, 0, 2 }, { 0, -8, 0 }, { 2, 0, 2 } };
            if (scale != 1) for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) k[i, j] = (float)(k[i, j] * scale);
            return Filter2D(src, k, ddepth, -1, -1, delta, border);
        }
        if (ksize is not (5 or 7)) throw new ArgumentException($"Laplacian: ksize {ksize} must be 1, 3, 5 or 7.");
        var xx = Sobel(src, PixelDepth.Float32, 2, 0, ksize, 1, 0, border);
        var yy = Sobel(src, PixelDepth.Float32, 0, 2, ksize, 1, 0, border);
        var sum = xx.NewLike();
        for (int y = 0; y < sum.Height; y++)
        {
            var a = xx.Row<float>(y); var b = yy.Row<float>(y); var d = sum.Row<float>(y);
            for (int i = 0; i < d.Length; i++) d[i] = a[i] + b[i];
        }
        return sum.ConvertTo(ddepth, scale, delta);
    }
}

namespace Lantern.Vision;

public static partial class Cv
{
    /// <summary>cv2.blur: the normalised box filter (mean over a kw x kh window); see <see cref="BoxFilter"/>.</summary>
    public static Image Blur(Image src, int kw, int kh, int anchorX = -1, int anchorY = -1, BorderType border = BorderType.Reflect101) =>
        BoxFilter(src, kw, kh, null, normalize: true, anchorX, anchorY, border);

    /// <summary>
    /// cv2.boxFilter: dst = s * sum over the kw x kh window (anchor as Filter2D), s = 1 / (kw kh) when normalised else 1.
    /// UInt8 sums are exact integers, divided as OpenCV does (windows of &lt;= 256 taps: (sum + delta') * round(2^23 / n) &gt;&gt; 23,
    /// i.e. ties round up; larger: float(sum) * float(1/n) rounded); Float32 sums run in double, as OpenCV's.
    /// </summary>
    /// <exception cref="ArgumentException">Kernel smaller than 1x1 or an anchor outside it.</exception>
    public static Image BoxFilter(Image src, int kw, int kh, PixelDepth? ddepth = null, bool normalize = true, int anchorX = -1, int anchorY = -1,
        BorderType border = BorderType.Reflect101)
    {
        var (ax, ay) = Anchor("BoxFilter", kw, kh, anchorX, anchorY);
        var pad = FilterCore.Pad(src, ax, kw - 1 - ax, ay, kh - 1 - ay, border, 0, out int stride);
        var dst = src.NewLike(ddepth ?? src.Depth);
        int c = src.Channels, n = src.Width * c;
        double scale = normalize ? 1.0 / (kw * kh) : 1.0;
        bool u16Path = normalize && src.Depth == PixelDepth.UInt8 && dst.Depth == PixelDepth.UInt8 && kw * kh <= 256 && kw * kh > 1;
        int divScale = 1, divDelta = 0;
        if (u16Path)
        {
            int dd = kw * kh;
            double scalef = (double)(1 << 23) / dd;
            divScale = (int)Math.Floor(scalef);
            scalef -= divScale;
            divDelta = dd / 2;
            if (scalef < 0.5) divDelta++; else divScale++;
        }
        // Column sums of kh rows (exact: integers, or doubles of floats), then a horizontal running window.
        Rows(src.Height, n * kh, y =>
        {
            var col = new double[stride];
            for (int i = 0; i < kh; i++)
            {
                var s = pad.AsSpan((y + i) * stride, stride);
                for (int x = 0; x < stride; x++) col[x] += s[x];
            }
            var acc = new double[n];
            for (int ch = 0; ch < c; ch++)
            {
                // Running window along the row (exact for integers; doubles of floats as OpenCV's RowSum<float, double>).
                double sum = 0;
                for (int j = 0; j < kw; j++) sum += col[ch + j * c];
                for (int x = ch; x < n; x += c)
                {
                    if (x > ch) sum += col[x + (kw - 1) * c] - col[x - c];
                    acc[x] = sum * scale;
                }
            }
            if (dst.Depth == PixelDepth.Float32) { var d = dst.Row<float>(y); for (int x = 0; x < n; x++) d[x] = (float)acc[x]; }
            else if (u16Path)
            {
                // OpenCV's ColumnSum<ushort, uchar> (8-bit box of <= 256 taps): (sum + divDelta) * divScale >> 23.
                var d = dst.Row<byte>(y);
                for (int x = 0; x < n; x++) d[x] = Saturate.ToByte((int)(((long)Math.Round(acc[x] / scale) + divDelta) * divScale >> 23));
            }
            else
            {
                // OpenCV's ColumnSum<int, uchar> vector path: float(sum) * float(scale), rounded.
                var d = dst.Row<byte>(y);
                float fs = (float)scale;
                for (int x = 0; x < n; x++) d[x] = Saturate.ToByte(normalize ? (float)Math.Round(acc[x] / scale) * fs : (float)acc[x]);
            }
        });
        return dst;
    }

    /// <summary>
    /// cv2.getGaussianKernel: n coefficients summing to 1. For sigma &lt;= 0 and n in {1, 3, 5, 7, 9} OpenCV's fixed table
    /// (1; 1/4 1/2 1/4; 1/16 1/4 3/8 1/4 1/16; 1/32 7/64 7/32 9/32 ...; [4 13 30 51 60 51 30 13 4] / 256); otherwise g_i = exp(-(i - (n-1)/2)^2 / (2 sigma^2))
    /// normalised, with sigma = 0.3 ((n - 1) / 2 - 1) + 0.8 when sigma &lt;= 0. Odd n matches OpenCV 4.13 to 1e-15 relative;
    /// even n uses this formula and does not reproduce OpenCV's even-size kernels (GaussianBlur needs odd sizes).
    /// </summary>
    /// <exception cref="ArgumentException">n &lt; 1.</exception>
    public static double[] GetGaussianKernel(int n, double sigma)
    {
        if (n < 1) throw new ArgumentException($"GetGaussianKernel: size {n} must be >= 1.");
        if (sigma <= 0)
        {
            switch (n)
            {
                case 1: return [1.0];
                case 3: return [0.25, 0.5, 0.25];
                case 5: return [0.0625, 0.25, 0.375, 0.25, 0.0625];
                case 7: return [0.03125, 0.109375, 0.21875, 0.28125, 0.21875, 0.109375, 0.03125];
                case 9: return [4 / 256.0, 13 / 256.0, 30 / 256.0, 51 / 256.0, 60 / 256.0, 51 / 256.0, 30 / 256.0, 13 / 256.0, 4 / 256.0];
            }
        }
        double sx = sigma > 0 ? sigma : Math.FusedMultiplyAdd(n, 0.15, 0.35);   // OpenCV: mulAdd(n, 0.15, 0.35), one rounding
        double scale2 = -0.125 / (sx * sx);     // on x' = 2x (integers): exp(-x^2 / (2 sigma^2))
        var r = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            int x2 = 2 * i - (n - 1);
            r[i] = Math.Exp(x2 * (double)x2 * scale2);
        }
        if (n % 2 == 1)
        {
            // OpenCV's bit-exact order: twice the left half, plus the centre's exp(0) = 1.
            for (int i = 0; i < n / 2; i++) sum += r[i];
            sum = sum * 2 + 1;
        }
        else for (int i = 0; i < n; i++) sum += r[i];
        double inv = 1.0 / sum;
        for (int i = 0; i < n; i++) r[i] *= inv;
        for (int i = 0; i < n / 2; i++) r[n - 1 - i] = r[i];   // exactly symmetric
        return r;
    }

    /// <summary>
    /// cv2.GaussianBlur: separable Gaussian with kernels GetGaussianKernel(kw, sigmaX) and GetGaussianKernel(kh, sigmaY)
    /// (sigmaY = 0 means sigmaX; a size of 0 is computed from sigma as round(sigma * (UInt8 ? 3 : 4) * 2 + 1) | 1).
    /// Float32 is computed in float (separable, fused multiply-adds). UInt8 reproduces OpenCV's bit-exact fixed-point path
    /// (8.8 kernels by error diffusion, integer passes, round half up).
    /// </summary>
    /// <exception cref="ArgumentException">Even or negative sizes, or both size and sigma zero.</exception>
    public static Image GaussianBlur(Image src, int kw, int kh, double sigmaX, double sigmaY = 0, BorderType border = BorderType.Reflect101)
    {
        if (sigmaY <= 0) sigmaY = sigmaX;
        int m = src.Depth == PixelDepth.UInt8 ? 3 : 4;
        if (kw <= 0 && sigmaX > 0) kw = Saturate.Round(sigmaX * m * 2 + 1) | 1;
        if (kh <= 0 && sigmaY > 0) kh = Saturate.Round(sigmaY * m * 2 + 1) | 1;
        if (kw < 1 || kh < 1 || kw % 2 == 0 || kh % 2 == 0)
            throw new ArgumentException($"GaussianBlur: kernel size {kw}x{kh} must be positive and odd (or 0 with sigma > 0); sigmaX={sigmaX}, sigmaY={sigmaY}.");
        sigmaX = Math.Max(sigmaX, 0); sigmaY = Math.Max(sigmaY, 0);
        if (src.Depth == PixelDepth.UInt8)
            return GaussianFixedPoint.Apply(src, GaussianFixedPoint.Kernel(GetGaussianKernel(kw, sigmaX)),
                GaussianFixedPoint.Kernel(GetGaussianKernel(kh, sigmaY)), border);
        var kx = Array.ConvertAll(GetGaussianKernel(kw, sigmaX), v => (float)v);
        var ky = kw == kh && Math.Abs(sigmaX - sigmaY) < 1e-12 ? kx : Array.ConvertAll(GetGaussianKernel(kh, sigmaY), v => (float)v);
        return SepFilter2D(src, kx, ky, null, -1, -1, 0, border);
    }
}

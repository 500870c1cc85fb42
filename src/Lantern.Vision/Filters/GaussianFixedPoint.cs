namespace Lantern.Vision;

/// <summary>
/// OpenCV's bit-exact 8-bit Gaussian (GaussianBlurFixedPoint): kernels in 8.8 fixed point rounded with error diffusion
/// from the outside in (the centre takes what makes the sum exactly 256), a horizontal pass k_x * u8 into 16-bit
/// (8 fraction bits), a vertical pass k_y * that into 32-bit (16 fraction bits), then (v + 2^15) &gt;&gt; 16 saturated.
/// Integer arithmetic throughout, so the result does not depend on summation order.
/// </summary>
internal static class GaussianFixedPoint
{
    /// <summary>getGaussianKernelFixedPoint_ED with 8 fraction bits (odd n).</summary>
    public static int[] Kernel(double[] k)
    {
        int n = k.Length, half = n / 2;
        var r = new int[n];
        double err = 0;
        long sum = 0;
        for (int i = 0; i < half; i++)
        {
            double adj = k[i] * 256 + err;
            int v = Saturate.Round(adj);
            err = adj - v;
            r[i] = r[n - 1 - i] = v;
            sum += v;
        }
        r[half] = (int)(256 - 2 * sum);
        return r;
    }

    public static Image Apply(Image src, int[] kx, int[] ky, BorderType border)
    {
        int ax = kx.Length / 2, ay = ky.Length / 2;
        var pad = FilterCore.Pad(src, ax, kx.Length - 1 - ax, ay, ky.Length - 1 - ay, border, 0, out int stride);
        int c = src.Channels, n = src.Width * c, rows = src.Height + ky.Length - 1;
        var tmp = new int[(long)rows * n];
        Cv.Rows(rows, n * kx.Length, y =>
        {
            var t = tmp.AsSpan(y * n, n);
            int row = y * stride;
            for (int j = 0; j < kx.Length; j++)
            {
                int w = kx[j];
                if (w == 0) continue;
                var s = pad.AsSpan(row + j * c, n);
                for (int i = 0; i < n; i++) t[i] += w * (int)s[i];
            }
        });
        var dst = src.NewLike();
        Cv.Rows(src.Height, n * ky.Length, y =>
        {
            var acc = new long[n];
            for (int i = 0; i < ky.Length; i++)
            {
                long w = ky[i];
                if (w == 0) continue;
                var s = tmp.AsSpan((y + i) * n, n);
                for (int x = 0; x < n; x++) acc[x] += w * s[x];
            }
            var d = dst.Row<byte>(y);
            for (int x = 0; x < n; x++) d[x] = (byte)Math.Min((acc[x] + (1 << 15)) >> 16, 255);
        });
        return dst;
    }
}

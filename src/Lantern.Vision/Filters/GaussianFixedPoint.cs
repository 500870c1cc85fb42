using System.Numerics.Tensors;

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

    /// <summary>
    /// Both passes run in float through SIMD fused multiply-adds and are still exact: every product and partial sum is a
    /// non-negative integer below 255 * 256 * 256 &lt; 2^24, which float represents exactly.
    /// </summary>
    public static Image Apply(Image src, int[] kx, int[] ky, BorderType border)
    {
        int ax = kx.Length / 2, ay = ky.Length / 2;
        var pad = FilterCore.Pad(src, ax, kx.Length - 1 - ax, ay, ky.Length - 1 - ay, border, 0, out int stride);
        int c = src.Channels, n = src.Width * c, rows = src.Height + ky.Length - 1;
        var tmp = new float[(long)rows * n];
        Cv.Rows(rows, n * kx.Length, y =>
        {
            var t = tmp.AsSpan(y * n, n);
            int row = y * stride;
            for (int j = 0; j < kx.Length; j++)
                if (kx[j] != 0) TensorPrimitives.FusedMultiplyAdd(pad.AsSpan(row + j * c, n), kx[j], t, t);
        });
        var dst = src.NewLike();
        Cv.Rows(src.Height, n * ky.Length, y =>
        {
            var acc = new float[n];
            for (int i = 0; i < ky.Length; i++)
                if (ky[i] != 0) TensorPrimitives.FusedMultiplyAdd(tmp.AsSpan((y + i) * n, n), ky[i], acc, acc);
            var d = dst.Row<byte>(y);
            for (int x = 0; x < n; x++) d[x] = (byte)Math.Min(((int)acc[x] + (1 << 15)) >> 16, 255);
        });
        return dst;
    }
}

namespace Lantern.Vision;

public static partial class Cv
{
    /// <summary>
    /// cv2.filter2D: dst(x, y) = delta + sum_{i &lt; kh, j &lt; kw} kernel[i, j] * src(x + j - ax, y + i - ay) for every
    /// channel (correlation, the kernel is not flipped), with pixels outside the image made by <paramref name="border"/>.
    /// Sums in float with fused multiply-adds; UInt8 results are rounded half-even and saturated.
    /// </summary>
    /// <param name="src">UInt8 or Float32 image.</param>
    /// <param name="kernel">kh x kw coefficients.</param>
    /// <param name="ddepth">Output depth (default: the source's).</param>
    /// <param name="anchorX">Kernel column that lands on the output pixel; -1 = kw / 2.</param>
    /// <param name="anchorY">Kernel row; -1 = kh / 2.</param>
    /// <param name="delta">Added to every result.</param>
    /// <param name="border">Border mode (default Reflect101; Constant uses 0).</param>
    /// <exception cref="ArgumentException">Empty kernel or an anchor outside it.</exception>
    public static Image Filter2D(Image src, float[,] kernel, PixelDepth? ddepth = null, int anchorX = -1, int anchorY = -1,
        double delta = 0, BorderType border = BorderType.Reflect101)
    {
        int kh = kernel.GetLength(0), kw = kernel.GetLength(1);
        var (ax, ay) = Anchor("Filter2D", kw, kh, anchorX, anchorY);
        var k = new float[kh * kw];
        for (int i = 0; i < kh; i++) for (int j = 0; j < kw; j++) k[i * kw + j] = kernel[i, j];
        var pad = FilterCore.Pad(src, ax, kw - 1 - ax, ay, kh - 1 - ay, border, 0, out int stride);
        var dst = src.NewLike(ddepth ?? src.Depth);
        FilterCore.Correlate(pad, stride, src.Channels, k, kw, kh, (float)delta, dst);
        return dst;
    }

    /// <summary>
    /// cv2.sepFilter2D: filter2D with the kernel ky * kx^T, computed as a row pass with <paramref name="kernelX"/> then a
    /// column pass with <paramref name="kernelY"/> (float intermediate), delta added in the column pass.
    /// </summary>
    /// <exception cref="ArgumentException">An empty kernel or an anchor outside it.</exception>
    public static Image SepFilter2D(Image src, float[] kernelX, float[] kernelY, PixelDepth? ddepth = null, int anchorX = -1, int anchorY = -1,
        double delta = 0, BorderType border = BorderType.Reflect101)
    {
        var (ax, ay) = Anchor("SepFilter2D", kernelX.Length, kernelY.Length, anchorX, anchorY);
        var pad = FilterCore.Pad(src, ax, kernelX.Length - 1 - ax, ay, kernelY.Length - 1 - ay, border, 0, out int stride);
        var dst = src.NewLike(ddepth ?? src.Depth);
        FilterCore.Separable(pad, stride, src.Channels, kernelX, kernelY, (float)delta, dst);
        return dst;
    }

    internal static (int X, int Y) Anchor(string op, int kw, int kh, int ax, int ay)
    {
        if (kw < 1 || kh < 1) throw new ArgumentException($"{op}: kernel size {kw}x{kh} must be at least 1x1.");
        if (ax == -1) ax = kw / 2;
        if (ay == -1) ay = kh / 2;
        if ((uint)ax >= (uint)kw || (uint)ay >= (uint)kh)
            throw new ArgumentException($"{op}: anchor ({ax}, {ay}) is outside the {kw}x{kh} kernel.");
        return (ax, ay);
    }
}

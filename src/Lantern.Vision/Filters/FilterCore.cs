using System.Numerics.Tensors;

namespace Lantern.Vision;

/// <summary>
/// The shared engine of the linear filters: the source is widened to float once with its border (per the border type),
/// then every output element is a float sum over the kernel taps in row-major order, started from delta and accumulated
/// with fused multiply-adds (as OpenCV's vectorised float paths), and finally stored as Float32 or rounded/saturated UInt8.
/// </summary>
internal static class FilterCore
{
    /// <summary>The source as float with left/right/top/bottom border; row stride (W + left + right) * C.</summary>
    public static float[] Pad(Image src, int left, int right, int top, int bottom, BorderType border, float value, out int stride)
    {
        int c = src.Channels, pw = src.Width + left + right, ph = src.Height + top + bottom;
        stride = pw * c;
        var buf = new float[(long)stride * ph];
        var xs = Border.Table(src.Width, left, right, border);
        var ys = Border.Table(src.Height, top, bottom, border);
        int st = stride;
        Cv.Rows(ph, stride, y =>
        {
            var d = buf.AsSpan(y * st, st);
            if (ys[y] < 0) { d.Fill(value); return; }
            int inner = src.Width * c, lc = left * c;
            if (src.Depth == PixelDepth.UInt8)
            {
                var s = src.Row<byte>(ys[y]);
                TensorPrimitives.ConvertTruncating<byte, float>(s, d.Slice(lc, inner));   // exact widening, SIMD
                for (int x = 0; x < xs.Length; x++)
                {
                    if (x == left) x += src.Width;
                    if (x >= xs.Length) break;
                    for (int k = 0; k < c; k++) d[x * c + k] = xs[x] < 0 ? value : s[xs[x] * c + k];
                }
            }
            else
            {
                var s = src.Row<float>(ys[y]);
                s.CopyTo(d.Slice(lc, inner));
                for (int x = 0; x < xs.Length; x++)
                {
                    if (x == left) x += src.Width;
                    if (x >= xs.Length) break;
                    for (int k = 0; k < c; k++) d[x * c + k] = xs[x] < 0 ? value : s[xs[x] * c + k];
                }
            }
        });
        return buf;
    }

    /// <summary>Writes one output row of float sums into dst (Float32 as is, UInt8 rounded half-even and saturated).</summary>
    public static void Store(ReadOnlySpan<float> acc, Image dst, int y)
    {
        if (dst.Depth == PixelDepth.Float32) acc.CopyTo(dst.Row<float>(y));
        else
        {
            var d = dst.Row<byte>(y);
            for (int i = 0; i < d.Length; i++) d[i] = Saturate.ToByte(acc[i]);
        }
    }

    /// <summary>
    /// dst(x, y) = delta + sum_{i, j} k[i, j] * pad(x + j, y + i) per channel (correlation; the padding already holds
    /// the anchor offset). Taps equal to zero are skipped, as OpenCV does.
    /// </summary>
    public static void Correlate(float[] pad, int stride, int channels, float[] kernel, int kw, int kh, float delta, Image dst)
    {
        var taps = new List<(int Off, float W)>();
        for (int i = 0; i < kh; i++)
            for (int j = 0; j < kw; j++)
                if (kernel[i * kw + j] != 0) taps.Add((i * stride + j * channels, kernel[i * kw + j]));
        var t = taps.ToArray();
        int n = dst.Width * channels;
        Cv.Rows(dst.Height, n * Math.Max(1, t.Length), y =>
        {
            var acc = new float[n];
            acc.AsSpan().Fill(delta);
            int row = y * stride;
            foreach (var (off, w) in t)
                TensorPrimitives.FusedMultiplyAdd(pad.AsSpan(row + off, n), w, acc, acc);   // SIMD, fused per element
            Store(acc, dst, y);
        });
    }

    /// <summary>
    /// Separable correlation: rows with kx (no delta) into a float buffer, then columns with ky started from delta.
    /// The padding holds the anchor offsets (left = ax, top = ay).
    /// </summary>
    public static void Separable(float[] pad, int stride, int channels, float[] kx, float[] ky, float delta, Image dst)
    {
        int n = dst.Width * channels, rows = dst.Height + ky.Length - 1;
        var tmp = new float[(long)rows * n];
        Cv.Rows(rows, n * kx.Length, y =>
        {
            var acc = tmp.AsSpan(y * n, n);
            int row = y * stride;
            for (int k = 0; k < kx.Length; k++)
            {
                float w = kx[k];
                var s = pad.AsSpan(row + k * channels, n);
                if (k == 0) TensorPrimitives.Multiply(s, w, acc);
                else TensorPrimitives.FusedMultiplyAdd(s, w, acc, acc);
            }
        });
        Cv.Rows(dst.Height, n * ky.Length, y =>
        {
            var acc = new float[n];
            acc.AsSpan().Fill(delta);
            for (int k = 0; k < ky.Length; k++)
            {
                TensorPrimitives.FusedMultiplyAdd(tmp.AsSpan((y + k) * n, n), ky[k], acc, acc);
            }
            Store(acc, dst, y);
        });
    }
}

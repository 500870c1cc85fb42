using System.Numerics.Tensors;

namespace Lantern.Vision;

/// <summary>Structuring element shapes (cv::MorphShapes).</summary>
public enum MorphShape
{
    /// <summary>MORPH_RECT: all ones.</summary>
    Rect,
    /// <summary>MORPH_CROSS: the anchor's row and column.</summary>
    Cross,
    /// <summary>MORPH_ELLIPSE: the ellipse inscribed in the rectangle (OpenCV's integer rasterisation).</summary>
    Ellipse,
}

/// <summary>Morphological operations (cv::MorphTypes).</summary>
public enum MorphOp
{
    /// <summary>Minimum over the element.</summary>
    Erode,
    /// <summary>Maximum over the element.</summary>
    Dilate,
    /// <summary>Dilate(Erode(src)).</summary>
    Open,
    /// <summary>Erode(Dilate(src)).</summary>
    Close,
    /// <summary>Dilate(src) - Erode(src).</summary>
    Gradient,
    /// <summary>src - Open(src).</summary>
    TopHat,
    /// <summary>Close(src) - src.</summary>
    BlackHat,
}

public static partial class Cv
{
    /// <summary>
    /// cv2.getStructuringElement: a kh x kw mask of 0/1. Ellipse rows: with r = kh / 2, c = kw / 2, row i has ones for
    /// |j - c| &lt;= round(c sqrt((r^2 - (i - r)^2) / r^2)); Cross: the anchor's row and column (anchor default centre).
    /// </summary>
    /// <exception cref="ArgumentException">Size below 1x1 or an anchor outside it.</exception>
    public static byte[,] GetStructuringElement(MorphShape shape, int kw, int kh, int anchorX = -1, int anchorY = -1)
    {
        var (ax, ay) = Anchor("GetStructuringElement", kw, kh, anchorX, anchorY);
        if (kw == 1 && kh == 1) shape = MorphShape.Rect;
        var k = new byte[kh, kw];
        int r = kh / 2, c = kw / 2;
        double invR2 = r != 0 ? 1.0 / ((double)r * r) : 0;
        for (int i = 0; i < kh; i++)
        {
            int j1 = 0, j2 = 0;
            if (shape == MorphShape.Rect || (shape == MorphShape.Cross && i == ay)) j2 = kw;
            else if (shape == MorphShape.Cross) { j1 = ax; j2 = ax + 1; }
            else
            {
                int dy = i - r;
                if (Math.Abs(dy) <= r)
                {
                    int dx = Saturate.Round(c * Math.Sqrt((r * r - dy * dy) * invR2));
                    j1 = Math.Max(c - dx, 0);
                    j2 = Math.Min(c + dx + 1, kw);
                }
            }
            for (int j = j1; j < j2; j++) k[i, j] = 1;
        }
        return k;
    }

    /// <summary>
    /// cv2.erode: dst(x, y) = min over kernel ones (i, j) of src(x + j - ax, y + i - ay), repeated
    /// <paramref name="iterations"/> times. kernel null = 3x3 rect. Default border: Constant with the type's maximum
    /// (the border never wins), as OpenCV's morphologyDefaultBorderValue. A full rectangle with iterations &gt; 1 is, as in
    /// OpenCV, one pass with the enlarged rectangle (same result under the default border).
    /// </summary>
    public static Image Erode(Image src, byte[,]? kernel = null, int anchorX = -1, int anchorY = -1, int iterations = 1,
        BorderType border = BorderType.Constant, double? borderValue = null) =>
        Morph(src, true, kernel, anchorX, anchorY, iterations, border, borderValue, "Erode");

    /// <summary>cv2.dilate: as <see cref="Erode"/> with the maximum (default border value: the type's minimum).</summary>
    public static Image Dilate(Image src, byte[,]? kernel = null, int anchorX = -1, int anchorY = -1, int iterations = 1,
        BorderType border = BorderType.Constant, double? borderValue = null) =>
        Morph(src, false, kernel, anchorX, anchorY, iterations, border, borderValue, "Dilate");

    /// <summary>
    /// cv2.morphologyEx: Open = Dilate(Erode), Close = Erode(Dilate) (each with <paramref name="iterations"/>), Gradient =
    /// Dilate - Erode, TopHat = src - Open, BlackHat = Close - src (UInt8 differences saturate at 0).
    /// </summary>
    public static Image MorphologyEx(Image src, MorphOp op, byte[,]? kernel = null, int anchorX = -1, int anchorY = -1, int iterations = 1,
        BorderType border = BorderType.Constant, double? borderValue = null)
    {
        Image E(Image s) => Erode(s, kernel, anchorX, anchorY, iterations, border, borderValue);
        Image D(Image s) => Dilate(s, kernel, anchorX, anchorY, iterations, border, borderValue);
        return op switch
        {
            MorphOp.Erode => E(src),
            MorphOp.Dilate => D(src),
            MorphOp.Open => D(E(src)),
            MorphOp.Close => E(D(src)),
            MorphOp.Gradient => Subtract(D(src), E(src)),
            MorphOp.TopHat => Subtract(src, D(E(src))),
            MorphOp.BlackHat => Subtract(E(D(src)), src),
            _ => throw new ArgumentException($"MorphologyEx: unknown operation {(int)op}."),
        };
    }

    // a - b elementwise (UInt8 saturating, Float32 plain).
    private static Image Subtract(Image a, Image b)
    {
        var dst = a.NewLike();
        for (int y = 0; y < a.Height; y++)
        {
            if (a.Depth == PixelDepth.UInt8)
            {
                var p = a.Row<byte>(y); var q = b.Row<byte>(y); var d = dst.Row<byte>(y);
                for (int i = 0; i < d.Length; i++) d[i] = (byte)Math.Max(p[i] - q[i], 0);
            }
            else
            {
                var p = a.Row<float>(y); var q = b.Row<float>(y); var d = dst.Row<float>(y);
                for (int i = 0; i < d.Length; i++) d[i] = p[i] - q[i];
            }
        }
        return dst;
    }

    private static Image Morph(Image src, bool erode, byte[,]? kernel, int anchorX, int anchorY, int iterations,
        BorderType border, double? borderValue, string op)
    {
        if (iterations < 0) throw new ArgumentException($"{op}: iterations {iterations} must be >= 0.");
        if (iterations == 0) return src.Clone();
        kernel ??= GetStructuringElement(MorphShape.Rect, 3, 3);
        int kh = kernel.GetLength(0), kw = kernel.GetLength(1);
        var (ax, ay) = Anchor(op, kw, kh, anchorX, anchorY);
        bool full = true;
        foreach (var v in kernel) full &= v != 0;
        if (full && iterations > 1)
        {
            // OpenCV: a rectangle applied n times == one rectangle of size k + (n - 1)(k - 1), anchor scaled by n.
            (kw, kh) = (kw + (iterations - 1) * (kw - 1), kh + (iterations - 1) * (kh - 1));
            (ax, ay) = (ax * iterations, ay * iterations);
            kernel = GetStructuringElement(MorphShape.Rect, kw, kh);
            iterations = 1;
        }
        var taps = new List<(int I, int J)>();
        for (int i = 0; i < kh; i++) for (int j = 0; j < kw; j++) if (kernel[i, j] != 0) taps.Add((i, j));
        float bv = borderValue.HasValue ? (float)borderValue.Value
            : erode ? (src.Depth == PixelDepth.UInt8 ? 255f : float.PositiveInfinity) : (src.Depth == PixelDepth.UInt8 ? 0f : float.NegativeInfinity);
        if (src.Depth == PixelDepth.UInt8 && borderValue.HasValue) bv = Saturate.ToByte(borderValue.Value);
        var cur = src;
        for (int it = 0; it < iterations; it++)
        {
            var pad = FilterCore.Pad(cur, ax, kw - 1 - ax, ay, kh - 1 - ay, border, bv, out int stride);
            var dst = cur.NewLike();
            int c = cur.Channels, n = cur.Width * c;
            var t = taps.ToArray();
            Rows(cur.Height, n * Math.Max(1, t.Length), y =>
            {
                var acc = new float[n];
                acc.AsSpan().Fill(erode ? float.PositiveInfinity : float.NegativeInfinity);
                foreach (var (i, j) in t)
                {
                    var s = pad.AsSpan((y + i) * stride + j * c, n);
                    if (erode) TensorPrimitives.Min(acc, s, acc);
                    else TensorPrimitives.Max(acc, s, acc);
                }
                if (t.Length == 0) acc.AsSpan().Clear();
                FilterCore.Store(acc, dst, y);
            });
            cur = dst;
        }
        return cur;
    }
}

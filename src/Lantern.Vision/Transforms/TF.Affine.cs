using Lantern.NN;

namespace Lantern.Vision.Transforms;

// Affine warps as torchvision's tensor backend: the inverse affine matrix, a pixel-centre grid, grid_sample with zero
// padding, then the fill blended in through a warped mask of ones.
public static partial class TF
{
    /// <summary>
    /// torchvision's _get_inverse_affine_matrix: the 2x3 matrix [a b c; d e f] mapping output pixel coordinates
    /// (origin at <paramref name="center"/>) to input coordinates, for rotation <paramref name="angle"/> (degrees),
    /// translation, scale and shear (degrees, x then y): M = T * C * R * S * Sh * C^-1, inverted.
    /// With RSS = [[a, b], [c, d]], a = cos(rot - sy) / cos(sy), b = -cos(rot - sy) tan(sx) / cos(sy) - sin(rot),
    /// c = sin(rot - sy) / cos(sy), d = -sin(rot - sy) tan(sx) / cos(sy) + cos(rot); the inverse is
    /// [d, -b, 0; -c, a, 0] / scale, then the translations -(center + translate) on the right and +center on the left.
    /// </summary>
    public static double[] InverseAffineMatrix((double X, double Y) center, double angle, (double X, double Y) translate, double scale, (double X, double Y) shear)
    {
        double rot = angle * Math.PI / 180, sx = shear.X * Math.PI / 180, sy = shear.Y * Math.PI / 180;
        double a = Math.Cos(rot - sy) / Math.Cos(sy);
        double b = -Math.Cos(rot - sy) * Math.Tan(sx) / Math.Cos(sy) - Math.Sin(rot);
        double c = Math.Sin(rot - sy) / Math.Cos(sy);
        double d = -Math.Sin(rot - sy) * Math.Tan(sx) / Math.Cos(sy) + Math.Cos(rot);
        var m = new[] { d, -b, 0.0, -c, a, 0.0 };
        for (int k = 0; k < 6; k++) m[k] /= scale;
        m[2] += m[0] * (-center.X - translate.X) + m[1] * (-center.Y - translate.Y);
        m[5] += m[3] * (-center.X - translate.X) + m[4] * (-center.Y - translate.Y);
        m[2] += center.X;
        m[5] += center.Y;
        return m;
    }

    /// <summary>
    /// Affine warp (torchvision's affine on tensors): <paramref name="angle"/> in degrees (clockwise on screen),
    /// integer-valued translation in pixels, scale &gt; 0, shear in degrees (x, y). <paramref name="center"/> in pixel
    /// coordinates (default: the image centre). Output pixels that map outside the input get <paramref name="fill"/>
    /// (one value, or one per channel): nearest replaces where the warped mask is below 0.5, bilinear blends
    /// img * mask + (1 - mask) * fill, as torchvision.
    /// </summary>
    /// <exception cref="ArgumentException">scale not positive, a fill of another length than 1 or C, or rank below 3.</exception>
    public static Tensor Affine(Tensor image, double angle, (double X, double Y) translate, double scale, (double X, double Y) shear,
        InterpolationMode interpolation = InterpolationMode.Nearest, double[]? fill = null, (double X, double Y)? center = null)
    {
        Transform.CheckImage(image, "Affine");
        if (!(scale > 0)) throw new ArgumentException($"Affine: scale must be positive, got {scale}.");
        int h = image.Shape[-2], w = image.Shape[-1];
        var c = center is { } ctr ? (ctr.X - w * 0.5, ctr.Y - h * 0.5) : (0.0, 0.0);
        var m = InverseAffineMatrix(c, angle, translate, scale, shear);
        return Warp(image, m, w, h, interpolation, fill ?? [0], "Affine");
    }

    /// <summary>
    /// Rotation by <paramref name="angle"/> degrees counter-clockwise (torchvision's rotate: the affine matrix of
    /// -angle). With <paramref name="expand"/> the output grows to hold the whole rotated image (torchvision's
    /// _compute_affine_output_size, with its 1e-4 tolerance).
    /// </summary>
    /// <exception cref="ArgumentException">A fill of another length than 1 or C, or rank below 3.</exception>
    public static Tensor Rotate(Tensor image, double angle, InterpolationMode interpolation = InterpolationMode.Nearest, bool expand = false,
        (double X, double Y)? center = null, double[]? fill = null)
    {
        Transform.CheckImage(image, "Rotate");
        int h = image.Shape[-2], w = image.Shape[-1];
        var c = center is { } ctr ? (ctr.X - w * 0.5, ctr.Y - h * 0.5) : (0.0, 0.0);
        var m = InverseAffineMatrix(c, -angle, (0, 0), 1, (0, 0));
        var (ow, oh) = expand ? AffineOutputSize(m, w, h) : (w, h);
        return Warp(image, m, ow, oh, interpolation, fill ?? [0], "Rotate");
    }

    // torchvision's _compute_affine_output_size (in float32 as there): the corners (+-w/2, +-h/2, 1) times the matrix, shifted by
    // (w/2, h/2), truncated to 1e-4, then ceil(max) - floor(min).
    private static (int W, int H) AffineOutputSize(double[] m, int w, int h)
    {
        float[,] pts = { { -0.5f * w, -0.5f * h }, { -0.5f * w, 0.5f * h }, { 0.5f * w, 0.5f * h }, { 0.5f * w, -0.5f * h } };
        var t = Array.ConvertAll(m, v => (float)v);
        float minX = float.MaxValue, maxX = float.MinValue, minY = float.MaxValue, maxY = float.MinValue;
        for (int k = 0; k < 4; k++)
        {
            float x = t[0] * pts[k, 0] + t[1] * pts[k, 1] + t[2], y = t[3] * pts[k, 0] + t[4] * pts[k, 1] + t[5];
            minX = Math.Min(minX, x); maxX = Math.Max(maxX, x); minY = Math.Min(minY, y); maxY = Math.Max(maxY, y);
        }
        const float tol = 1e-4f, invTol = 1f / tol;
        float Hi(float v, float half) => MathF.Ceiling(MathF.Truncate((v + half) * invTol) * tol);
        float Lo(float v, float half) => MathF.Floor(MathF.Truncate((v + half) * invTol) * tol);
        return ((int)(Hi(maxX, w * 0.5f) - Lo(minX, w * 0.5f)), (int)(Hi(maxY, h * 0.5f) - Lo(minY, h * 0.5f)));
    }


    // torchvision's _apply_grid_transform with _gen_affine_grid: output pixel centres x = -ow/2 + 0.5 + j,
    // y = -oh/2 + 0.5 + i, mapped by theta and normalised by (w/2, h/2) into grid_sample's [-1, 1] (align_corners false).
    private static Tensor Warp(Tensor image, double[] m, int ow, int oh, InterpolationMode interpolation, double[] fill, string op)
    {
        int ch = image.Shape[-3], h = image.Shape[-2], w = image.Shape[-1];
        if (fill.Length != 1 && fill.Length != ch)
            throw new ArgumentException($"{op}: fill must have 1 or {ch} (channel count) values, got {fill.Length}.");
        var grid = new float[oh * ow * 2];
        for (int i = 0; i < oh; i++)
            for (int j = 0; j < ow; j++)
            {
                double x = -ow * 0.5 + 0.5 + j, y = -oh * 0.5 + 0.5 + i;
                grid[(i * ow + j) * 2] = (float)((m[0] * x + m[1] * y + m[2]) / (0.5 * w));
                grid[(i * ow + j) * 2 + 1] = (float)((m[3] * x + m[4] * y + m[5]) / (0.5 * h));
            }
        string mode = interpolation == InterpolationMode.Nearest ? "nearest" : "bilinear";
        return Planes(image, x =>
        {
            int n = x.Shape[0];
            var g = Tensor.FromArray(grid, [1, oh, ow, 2]).To(x.DType).Expand(n, oh, ow, 2).Contiguous();
            // A mask channel of ones warped with the image (torchvision appends it to the image).
            var withMask = Tensor.Cat([x, Tensor.Ones([n, 1, h, w], x.DType)], 1);
            var warped = F.GridSample(withMask, g, mode, "zeros", alignCorners: false);
            var img = warped.Narrow(1, 0, ch);
            var mask = warped.Narrow(1, ch, 1).Expand(n, ch, oh, ow);
            var fillT = Tensor.FromArray(fill.Length == 1 ? Enumerable.Repeat(fill[0], ch).ToArray() : fill, [1, ch, 1, 1]).To(x.DType);
            return interpolation == InterpolationMode.Nearest
                ? Tensor.Where(mask.Lt(0.5), fillT.Expand(n, ch, oh, ow), img)
                : img.Sub(fillT).Mul(mask).Add(fillT);   // torchvision: mask * (img - fill) + fill
        });
    }
}

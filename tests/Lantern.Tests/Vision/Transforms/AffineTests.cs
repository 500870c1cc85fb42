using Lantern.Vision.Transforms;
using Xunit;
using static Lantern.Tests.VisionTransforms.Ref;

namespace Lantern.Tests.VisionTransforms;

/// <summary>Affine warps against a float64 loop reference of torchvision's definition, and the parameter draws.</summary>
public class AffineTests
{
    [Fact]
    public void InverseMatrixOfARotation()
    {
        double t = 30 * Math.PI / 180;
        var m = TF.InverseAffineMatrix((0, 0), 30, (0, 0), 1, (0, 0));
        double[] expected = [Math.Cos(t), Math.Sin(t), 0, -Math.Sin(t), Math.Cos(t), 0];
        for (int k = 0; k < 6; k++) Assert.Equal(expected[k], m[k], 12);
        // Translation and centre: the inverse maps output point p to R^-1 (p - c - t) + c; scale divides.
        var m2 = TF.InverseAffineMatrix((2, 1), 0, (3, -1), 2, (0, 0));
        Assert.Equal([0.5, 0, 2 + 0.5 * (-2 - 3), 0, 0.5, 1 + 0.5 * (-1 + 1)], m2);
    }

    // Output pixel (i, j) samples the input at m (x, y, 1) with x = j + 0.5 - w/2, y = i + 0.5 - h/2 (pixel units, origin
    // at the centre), i.e. at input pixel coordinates m(x, y) + (w/2 - 0.5, h/2 - 0.5); the fill enters through the
    // warped mask of ones: mask * (img - fill) + fill.
    private static double[,,] AffineRef(double[,,] a, double[] m, double fill)
    {
        int c = a.GetLength(0), h = a.GetLength(1), w = a.GetLength(2);
        var ones = new double[1, h, w];
        for (int i = 0; i < h; i++) for (int j = 0; j < w; j++) ones[0, i, j] = 1;
        var r = new double[c, h, w];
        for (int i = 0; i < h; i++)
            for (int j = 0; j < w; j++)
            {
                double x = j + 0.5 - w / 2.0, y = i + 0.5 - h / 2.0;
                double sx = m[0] * x + m[1] * y + m[2] + w / 2.0 - 0.5, sy = m[3] * x + m[4] * y + m[5] + h / 2.0 - 0.5;
                double mask = Bilinear(ones, 0, sx, sy);
                for (int k = 0; k < c; k++) r[k, i, j] = mask * (Bilinear(a, k, sx, sy) - fill) + fill;
            }
        return r;
    }

    [Fact]
    public void BilinearAffineMatchesTheDefinition()
    {
        var a = Random(3, 5, 6, 9);
        // torchvision: affine's matrix uses angle as given; centre (0, 0) = image centre.
        var m = TF.InverseAffineMatrix((0, 0), 30, (1, -1), 1.2, (10, 5));
        Close(AffineRef(a, m, 0.5), TF.Affine(T(a), 30, (1, -1), 1.2, (10, 5), InterpolationMode.Bilinear, [0.5]), 2e-5);
        // rotate(angle) = the matrix of -angle.
        var mr = TF.InverseAffineMatrix((0, 0), -25, (0, 0), 1, (0, 0));
        Close(AffineRef(a, mr, 0), TF.Rotate(T(a), 25, InterpolationMode.Bilinear), 2e-5);
    }

    [Fact]
    public void NearestRotationsAndShifts()
    {
        var a = Random(2, 4, 4, 3);
        var r = A(TF.Rotate(T(a), 90));
        for (int k = 0; k < 2; k++) for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) Assert.Equal((float)a[k, j, 3 - i], r[k, i, j], 6);   // counter-clockwise
        var s = A(TF.Affine(T(a), 0, (1, 0), 1, (0, 0), fill: [7]));
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(7, s[0, i, 0]);
            for (int j = 1; j < 4; j++) Assert.Equal((float)a[0, i, j - 1], s[0, i, j], 6);
        }
        var e = TF.Rotate(T(Random(1, 4, 6, 1)), 90, expand: true);
        Assert.Equal(new Shape(1, 6, 4), e.Shape);
        var u8 = Tensor.FromArray(new byte[] { 1, 2, 3, 4 }, [1, 2, 2]);
        Assert.Equal(new byte[] { 2, 4, 1, 3 }, TF.Rotate(u8, 90).ToArray<byte>());
        Assert.Throws<ArgumentException>(() => TF.Affine(T(a), 0, (0, 0), 1, (0, 0), fill: [1, 2, 3]));
    }

    [Fact]
    public void RandomAffineDrawsInTorchvisionOrder()
    {
        var ra = new RandomAffine(20, translate: (0.1, 0.2), scale: (0.8, 1.2), shear: [-5, 5, -3, 3], generator: new Generator(4));
        var p = ra.GetParams(30, 10, new Generator(4));
        var g = new Generator(4);
        double U(double lo, double hi) => Tensor.Uniform([1], lo, hi, DType.Float64, generator: g).Item<double>();
        double angle = U(-20, 20);
        int tx = (int)Math.Round(U(-3, 3)), ty = (int)Math.Round(U(-2, 2));
        double scale = U(0.8, 1.2), shx = U(-5, 5), shy = U(-3, 3);
        Assert.Equal((angle, (tx, ty), scale, (shx, shy)), p);
        var x = T(Random(1, 10, 30, 2));
        Assert.Equal(TF.Affine(x, angle, (tx, ty), scale, (shx, shy)).ToArray<float>(), ra.Apply(x).ToArray<float>());
        var rr = new RandomRotation(15, generator: new Generator(8));
        double a2 = Tensor.Uniform([1], -15, 15, DType.Float64, generator: new Generator(8)).Item<double>();
        Assert.Equal(TF.Rotate(x, a2).ToArray<float>(), rr.Apply(x).ToArray<float>());
        Assert.Throws<ArgumentException>(() => new RandomAffine(-1));
        Assert.Throws<ArgumentException>(() => new RandomAffine(0, translate: (1.5, 0)));
        Assert.Throws<ArgumentException>(() => new RandomAffine(0, shear: [1, 2, 3]));
    }
}

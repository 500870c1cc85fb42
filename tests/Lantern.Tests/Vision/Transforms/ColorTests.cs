using Lantern.Data;
using Lantern.Vision.Transforms;
using Xunit;
using static Lantern.Tests.VisionTransforms.Ref;

namespace Lantern.Tests.VisionTransforms;

/// <summary>Dtype conversion, normalisation, colour adjustments, blur and erasing against their formulas.</summary>
public class ColorTests
{
    [Fact]
    public void ToDtypeAndToTensor()
    {
        var u8 = Tensor.FromArray(new byte[] { 0, 1, 128, 255 }, [1, 2, 2]);
        var f = TF.ToDtype(u8, DType.Float32, scale: true).ToArray<float>();
        Assert.Equal([0f, 1f / 255, 128f / 255, 1f], f.Select(v => (float)Math.Round(v, 7)).ToArray(), (a, b) => Math.Abs(a - b) < 1e-7);
        Assert.Equal([0f, 1f, 128f, 255f], TF.ToDtype(u8, DType.Float32).ToArray<float>());
        Assert.Equal([0f, 1f / 255, 128f / 255, 1f], new ToTensor().Apply(u8).ToArray<float>());
        // float -> uint8 with scale: x * (256 - 1e-3), truncated.
        var back = TF.ToDtype(Tensor.FromArray(new float[] { 0, 0.5f, 0.999f, 1 }, [1, 2, 2]), DType.UInt8, scale: true);
        Assert.Equal(new byte[] { 0, 127, 255, 255 }, back.ToArray<byte>());
        Assert.Equal("ToDtype(dtype=Float32, scale=True)", new ToDtype(DType.Float32, true).ToString());
    }

    [Fact]
    public void NormalizePerChannel()
    {
        var x = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6, 7, 8 }, [2, 2, 2]);
        var y = new Normalize([1, 2], [2, 4]).Apply(x).ToArray<float>();
        Assert.Equal([0f, 0.5f, 1f, 1.5f, 0.75f, 1f, 1.25f, 1.5f], y);
        Assert.Equal(y, new Normalize([1, 2], [2, 4]).Apply(Tensor.Stack([x, x])).Select(0, 1).ToArray<float>());
        Assert.Contains("3 (channel count)", Assert.Throws<ArgumentException>(() => TF.Normalize(Tensor.Zeros([3, 1, 1]), [0, 0], [1, 1])).Message);
        Assert.Contains("zero", Assert.Throws<ArgumentException>(() => new Normalize([0], [0])).Message);
        Assert.Contains("float", Assert.Throws<ArgumentException>(() => TF.Normalize(Tensor.Zeros([1, 1, 1], DType.UInt8), [0], [1])).Message);
    }

    [Fact]
    public void GrayscaleWeights()
    {
        var a = Random(3, 2, 3, 1);
        var g = A(new Grayscale().Apply(T(a)));
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) Assert.Equal(0.2989 * a[0, i, j] + 0.587 * a[1, i, j] + 0.114 * a[2, i, j], g[0, i, j], 5);
        var g3 = new Grayscale(3).Apply(T(a));
        Assert.Equal(new Shape(3, 2, 3), g3.Shape);
        Assert.Equal(g3.Select(0, 0).ToArray<float>(), g3.Select(0, 2).ToArray<float>());
        // UInt8 truncates: white gives 0.9989 * 255 = 254.72 -> 254, as torchvision.
        var white = Tensor.Full([3, 1, 1], 255, DType.UInt8);
        Assert.Equal(254, TF.RgbToGrayscale(white).ToArray<byte>()[0]);
        Assert.Throws<ArgumentException>(() => new Grayscale(2));
        Assert.Throws<ArgumentException>(() => TF.RgbToGrayscale(Tensor.Zeros([2, 1, 1])));
    }

    [Fact]
    public void BrightnessContrastSaturation()
    {
        var a = Random(3, 2, 2, 4);
        var x = T(a);
        var b = A(TF.AdjustBrightness(x, 1.7));
        var c = A(TF.AdjustContrast(x, 0.4));
        var s = A(TF.AdjustSaturation(x, 1.5));
        double mean = 0;
        for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++) mean += (0.2989 * a[0, i, j] + 0.587 * a[1, i, j] + 0.114 * a[2, i, j]) / 4;
        for (int k = 0; k < 3; k++)
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 2; j++)
                {
                    double gray = 0.2989 * a[0, i, j] + 0.587 * a[1, i, j] + 0.114 * a[2, i, j];
                    Assert.Equal(Math.Clamp(1.7 * a[k, i, j], 0, 1), b[k, i, j], 5);
                    Assert.Equal(Math.Clamp(0.4 * a[k, i, j] + 0.6 * mean, 0, 1), c[k, i, j], 5);
                    Assert.Equal(Math.Clamp(1.5 * a[k, i, j] - 0.5 * gray, 0, 1), s[k, i, j], 5);
                }
        // UInt8: blended in float, clamped to 255, truncated.
        var u8 = Tensor.FromArray(new byte[] { 100, 200 }, [1, 1, 2]);
        Assert.Equal(new byte[] { 150, 255 }, TF.AdjustBrightness(u8, 1.5).ToArray<byte>());
        Assert.Throws<ArgumentException>(() => TF.AdjustBrightness(x, -1));
    }

    // Python's colorsys formulas (float64), an independent HSV round trip.
    private static (double, double, double) Hsv(double r, double g, double b)
    {
        double maxc = Math.Max(r, Math.Max(g, b)), minc = Math.Min(r, Math.Min(g, b));
        if (minc == maxc) return (0, 0, maxc);
        double range = maxc - minc, s = range / maxc, rc = (maxc - r) / range, gc = (maxc - g) / range, bc = (maxc - b) / range;
        double h = r == maxc ? bc - gc : g == maxc ? 2 + rc - bc : 4 + gc - rc;
        h = ((h / 6) % 1 + 1) % 1;
        return (h, s, maxc);
    }

    private static (double, double, double) Rgb(double h, double s, double v)
    {
        if (s == 0) return (v, v, v);
        int i = (int)(h * 6);
        double f = h * 6 - i, p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
        return (i % 6) switch { 0 => (v, t, p), 1 => (q, v, p), 2 => (p, v, t), 3 => (p, q, v), 4 => (t, p, v), _ => (v, p, q) };
    }

    [Theory]
    [InlineData(0.2)]
    [InlineData(-0.35)]
    [InlineData(0.0)]
    public void HueAgainstColorsys(double factor)
    {
        var a = Random(3, 3, 4, 5);
        a[0, 0, 0] = a[1, 0, 0] = a[2, 0, 0] = 0.4;   // grey stays grey
        var y = A(TF.AdjustHue(T(a), factor));
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 4; j++)
            {
                var (h, s, v) = Hsv(a[0, i, j], a[1, i, j], a[2, i, j]);
                var (r, g, b) = Rgb(((h + factor) % 1 + 1) % 1, s, v);
                Assert.Equal(r, y[0, i, j], 5);
                Assert.Equal(g, y[1, i, j], 5);
                Assert.Equal(b, y[2, i, j], 5);
            }
        Assert.Throws<ArgumentException>(() => TF.AdjustHue(T(a), 0.6));
    }

    [Fact]
    public void GaussianBlurKernelAndReflectPadding()
    {
        var k = TF.GaussianKernel1d(3, 1);
        double e = Math.Exp(-0.5), z = 1 + 2 * e;
        Assert.Equal([e / z, 1 / z, e / z], k);
        var a = Random(2, 5, 6, 6);
        var kx = TF.GaussianKernel1d(5, 1.3);
        var ky = TF.GaussianKernel1d(3, 0.7);
        int Refl(int i, int n) => i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
        var exp = new double[2, 5, 6];
        for (int c = 0; c < 2; c++) for (int i = 0; i < 5; i++) for (int j = 0; j < 6; j++)
                {
                    double s = 0;
                    for (int u = -1; u <= 1; u++) for (int v = -2; v <= 2; v++) s += ky[u + 1] * kx[v + 2] * a[c, Refl(i + u, 5), Refl(j + v, 6)];
                    exp[c, i, j] = s;
                }
        Close(exp, TF.GaussianBlur(T(a), (5, 3), (1.3, 0.7)), 1e-5);
        var blur = new GaussianBlur((5, 3), (0.5, 1.5), new Generator(3));
        double sigma = Tensor.Uniform([1], 0.5, 1.5, DType.Float64, generator: new Generator(3)).Item<double>();
        Assert.Equal(TF.GaussianBlur(T(a), (5, 3), (sigma, sigma)).ToArray<float>(), blur.Apply(T(a)).ToArray<float>());
        Assert.Throws<ArgumentException>(() => new GaussianBlur(4));
        Assert.Throws<ArgumentException>(() => TF.GaussianBlur(T(a), (3, 3), (0, 1)));
    }

    [Fact]
    public void ColorJitterOrderAndFactors()
    {
        var cj = new ColorJitter(0.4, 0.4, 0.4, 0.1, new Generator(9));
        var g = new Generator(9);
        var order = Tensor.RandPerm(4, generator: g).ToArray<long>();
        double U(double lo, double hi) => Tensor.Uniform([1], lo, hi, DType.Float64, generator: g).Item<double>();
        double b = U(0.6, 1.4), c = U(0.6, 1.4), s = U(0.6, 1.4), h = U(-0.1, 0.1);
        var x = T(Random(3, 4, 4, 7));
        var expected = x;
        foreach (long fn in order)
            expected = fn switch { 0 => TF.AdjustBrightness(expected, b), 1 => TF.AdjustContrast(expected, c), 2 => TF.AdjustSaturation(expected, s), _ => TF.AdjustHue(expected, h) };
        Assert.Equal(expected.ToArray<float>(), cj.Apply(x).ToArray<float>());
        var p = new ColorJitter(brightness: 0.5).GetParams(new Generator(1));
        Assert.Null(p.Contrast);
        Assert.Null(p.Hue);
        Assert.InRange(p.Brightness!.Value, 0.5, 1.5);
        Assert.Equal("ColorJitter(brightness=(0.5, 1.5), contrast=None, saturation=None, hue=None)", new ColorJitter(brightness: 0.5).ToString());
        Assert.Throws<ArgumentException>(() => new ColorJitter(hue: 0.6));
        Assert.Throws<ArgumentException>(() => new ColorJitter(brightness: -0.1));
    }

    [Fact]
    public void RandomErasingAsTorchvision()
    {
        var x = T(Random(3, 10, 12, 8));
        var re = new RandomErasing(p: 1, value: [0.5], generator: new Generator(2));
        var g = new Generator(2);
        Assert.True(Tensor.Rand([1], DType.Float64, generator: g).Item<double>() < 1);
        (int, int, int, int)? win = null;
        for (int k = 0; k < 10 && win == null; k++)
        {
            double area = 120 * Tensor.Uniform([1], 0.02, 0.33, DType.Float64, generator: g).Item<double>();
            double ar = Math.Exp(Tensor.Uniform([1], Math.Log(0.3), Math.Log(3.3), DType.Float64, generator: g).Item<double>());
            int h = (int)Math.Round(Math.Sqrt(area * ar)), w = (int)Math.Round(Math.Sqrt(area / ar));
            if (h < 10 && w < 12)
                win = ((int)Tensor.RandInt(0, 10 - h + 1, [1], generator: g).Item<long>(), (int)Tensor.RandInt(0, 12 - w + 1, [1], generator: g).Item<long>(), h, w);
        }
        Assert.NotNull(win);
        var (t, l, hh, ww) = win.Value;
        var y = A(re.Apply(x));
        var a = A(x);
        for (int c = 0; c < 3; c++) for (int i = 0; i < 10; i++) for (int j = 0; j < 12; j++)
                {
                    bool inside = i >= t && i < t + hh && j >= l && j < l + ww;
                    Assert.Equal(inside ? 0.5 : a[c, i, j], y[c, i, j], 6);
                }
        Assert.Equal(x.ToArray<float>(), new RandomErasing(p: 0).Apply(x).ToArray<float>());
        // No attempt fits (the whole area with ratio 1 needs h = H): unchanged.
        var same = T(Random(1, 5, 5, 1));
        Assert.Equal(same.ToArray<float>(), new RandomErasing(p: 1, scale: (1, 1), ratio: (1, 1)).Apply(same).ToArray<float>());
        var rnd = new RandomErasing(p: 1, randomValue: true, generator: new Generator(4)).Apply(Tensor.Zeros([3, 20, 20]));
        Assert.True(rnd.Ne(0).Sum().Item<long>() > 0);
        Assert.Throws<ArgumentException>(() => new RandomErasing(p: 1, value: [1, 2]).Apply(x));
    }

    [Fact]
    public void ComposeInADataLoaderIsIdenticalForAnyWorkerCount()
    {
        var pipeline = new Compose(new RandomCrop(4, padding: [1]), new RandomHorizontalFlip(), new Normalize([0.5], [0.25]));
        var data = new LambdaDataset<(Tensor, long)>(12, i => (pipeline.Apply(Tensor.Full([1, 4, 4], i / 12.0)), i));
        Func<Tensor, Tensor> asFunc = pipeline;
        Assert.Equal(new Shape(1, 4, 4), asFunc(Tensor.Zeros([1, 4, 4])).Shape);
        float[] Run(int workers) => new DataLoader<(Tensor, long), (Tensor, Tensor)>(data, batchSize: 5, shuffle: true, numWorkers: workers, generator: new Generator(1))
            .SelectMany(b => b.Item1.ToArray<float>()).ToArray();
        Assert.Equal(Run(0), Run(2));
        Assert.StartsWith("Compose(\n    RandomCrop(size=(4, 4)", pipeline.ToString());
    }
}

using Lantern.Vision.Transforms;
using Xunit;
using static Lantern.Tests.VisionTransforms.Ref;

namespace Lantern.Tests.VisionTransforms;

/// <summary>Flips, crops, padding, resize and the random crop parameter algorithms.</summary>
public class GeometryTests
{
    private static readonly Tensor Row = Tensor.FromArray(new float[] { 1, 2, 3 }, [1, 1, 3]);

    [Theory]
    [InlineData(PaddingMode.Edge, new float[] { 1, 1, 1, 2, 3, 3, 3 })]
    [InlineData(PaddingMode.Reflect, new float[] { 3, 2, 1, 2, 3, 2, 1 })]
    [InlineData(PaddingMode.Symmetric, new float[] { 2, 1, 1, 2, 3, 3, 2 })]
    [InlineData(PaddingMode.Constant, new float[] { 9, 9, 1, 2, 3, 9, 9 })]
    public void PadModes(PaddingMode mode, float[] expected)
    {
        var y = TF.Pad(Row, [2, 0], fill: 9, mode: mode);
        Assert.Equal(expected, y.ToArray<float>());
        var y4 = TF.Pad(Row, [1, 0, 0, 0], fill: 9, mode: mode);   // left only
        Assert.Equal(expected[1..5], y4.ToArray<float>());
    }

    [Fact]
    public void PadErrors()
    {
        Assert.Contains("too large", Assert.Throws<ArgumentException>(() => TF.Pad(Row, [0, 1], mode: PaddingMode.Reflect)).Message);
        Assert.Contains("1, 2 or 4", Assert.Throws<ArgumentException>(() => TF.Pad(Row, [1, 2, 3])).Message);
        Assert.Contains("rank >= 3", Assert.Throws<ArgumentException>(() => TF.Pad(Tensor.Zeros([3, 3]), [1])).Message);
    }

    [Fact]
    public void FlipsAndCrops()
    {
        var a = Random(2, 4, 5, 1);
        var x = T(a);
        var exp = new double[2, 4, 5];
        for (int k = 0; k < 2; k++) for (int i = 0; i < 4; i++) for (int j = 0; j < 5; j++) exp[k, i, j] = a[k, i, 4 - j];
        Close(exp, TF.HorizontalFlip(x));
        for (int k = 0; k < 2; k++) for (int i = 0; i < 4; i++) for (int j = 0; j < 5; j++) exp[k, i, j] = a[k, 3 - i, j];
        Close(exp, TF.VerticalFlip(x));
        // Crop partly outside: zeros there.
        var crop = new double[2, 3, 4];
        for (int k = 0; k < 2; k++) for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++)
                {
                    int si = i - 1, sj = j + 3;
                    crop[k, i, j] = si >= 0 && si < 4 && sj >= 0 && sj < 5 ? a[k, si, sj] : 0;
                }
        Close(crop, TF.Crop(x, -1, 3, 3, 4));
        // Center crop: offsets round((5 - 2) / 2) = 2 (half to even) and round((4 - 3) / 2) = 0.
        var cc = TF.CenterCrop(x, 3, 2);
        for (int k = 0; k < 2; k++) for (int i = 0; i < 3; i++) for (int j = 0; j < 2; j++) Assert.Equal((float)a[k, i, j + 2], A(cc)[k, i, j], 6);
        // Larger than the image: zero padding (crop - size) // 2 before.
        var big = TF.CenterCrop(x, 6, 8);
        Assert.Equal(new Shape(2, 6, 8), big.Shape);
        Assert.Equal((float)a[1, 0, 0], A(big)[1, 1, 1], 6);
        Assert.Equal(0, A(big)[1, 0, 1]);
        // Batched input gets the same result per image.
        var batch = Tensor.Stack([x, x]);
        Assert.Equal(TF.HorizontalFlip(x).ToArray<float>(), TF.HorizontalFlip(batch).Select(0, 1).ToArray<float>());
    }

    [Theory]
    [InlineData(480, 640, 256, null, 256, 341)]
    [InlineData(640, 480, 256, null, 341, 256)]
    [InlineData(480, 640, 256, 300, 225, 300)]
    [InlineData(28, 28, 32, null, 32, 32)]
    public void ResizedOutputSizeAsTorchvision(int h, int w, int size, int? maxSize, int eh, int ew) =>
        Assert.Equal((eh, ew), TF.ResizedOutputSize(h, w, [size], maxSize));

    [Fact]
    public void ResizeBilinearNearestAndUInt8()
    {
        var a = Random(3, 5, 7, 2);
        Close(Resize(a, 8, 4), TF.Resize(T(a), [8, 4]), 1e-5);
        Close(Resize(a, 3, 11), new Resize([3, 11]).Apply(T(a)), 1e-5);
        var near = A(TF.Resize(T(a), [10, 3], InterpolationMode.Nearest));
        for (int i = 0; i < 10; i++) for (int j = 0; j < 3; j++) Assert.Equal((float)a[1, (int)Math.Floor(i * 5 / 10.0), (int)Math.Floor(j * 7 / 3.0)], near[1, i, j], 6);
        var u8 = Tensor.FromArray(new byte[] { 0, 255, 10, 20 }, [1, 2, 2]);
        var r = TF.Resize(u8, [2, 3]);   // column positions 1/6 and 5/6 between the two: (0, 255) -> 0, 127.5 -> 128 (half to even), 255
        Assert.Equal(DType.UInt8, r.DType);
        Assert.Equal(new byte[] { 0, 128, 255, 10, 15, 20 }, r.ToArray<byte>());
        Assert.Same(u8, TF.Resize(u8, [2, 2]));
        Assert.Throws<ArgumentException>(() => new Resize([10, 10], maxSize: 20));
        Assert.Throws<ArgumentException>(() => new Resize(10, maxSize: 10));
    }

    [Fact]
    public void RandomCropDrawsAsTorchvision()
    {
        var a = Random(1, 5, 3, 3);
        var rc = new RandomCrop(6, padding: [1], padIfNeeded: true, generator: new Generator(11));
        var g = new Generator(11);
        // padded to 7 x 5, width below 6 -> padded by 1 on both sides: 7 x 7; top ~ randint(0, 2), left ~ randint(0, 2).
        int top = (int)Tensor.RandInt(0, 2, [1], generator: g).Item<long>(), left = (int)Tensor.RandInt(0, 2, [1], generator: g).Item<long>();
        var y = A(rc.Apply(T(a)));
        for (int i = 0; i < 6; i++) for (int j = 0; j < 6; j++)
            {
                int si = i + top - 1, sj = j + left - 2;
                double e = si >= 0 && si < 5 && sj >= 0 && sj < 3 ? a[0, si, sj] : 0;
                Assert.Equal((float)e, y[0, i, j], 6);
            }
        Assert.Contains("larger than", Assert.Throws<ArgumentException>(() => new RandomCrop(6).Apply(T(a))).Message);
        Assert.Equal("RandomCrop(size=(6, 6), padding=[1], pad_if_needed=True, fill=0, padding_mode=constant)", rc.ToString());
    }

    [Fact]
    public void RandomResizedCropDrawsAsTorchvision()
    {
        for (ulong seed = 0; seed < 20; seed++)
        {
            var (top, left, h, w) = RandomResizedCrop.GetParams(20, 30, (0.08, 1), (3.0 / 4, 4.0 / 3), new Generator(seed));
            // Definition, re-derived with a second generator on the same seed.
            var g = new Generator(seed);
            (int, int, int, int)? expected = null;
            for (int k = 0; k < 10 && expected == null; k++)
            {
                double area = 600 * Tensor.Uniform([1], 0.08, 1, DType.Float64, generator: g).Item<double>();
                double ar = Math.Exp(Tensor.Uniform([1], Math.Log(0.75), Math.Log(4.0 / 3), DType.Float64, generator: g).Item<double>());
                int ew = (int)Math.Round(Math.Sqrt(area * ar)), eh = (int)Math.Round(Math.Sqrt(area / ar));
                if (ew > 0 && ew <= 30 && eh > 0 && eh <= 20)
                    expected = ((int)Tensor.RandInt(0, 20 - eh + 1, [1], generator: g).Item<long>(), (int)Tensor.RandInt(0, 30 - ew + 1, [1], generator: g).Item<long>(), eh, ew);
            }
            Assert.Equal(expected, (top, left, h, w));
            Assert.InRange(h * w, 0.08 * 600 * 0.8, 600);
        }
        // Fallback (no attempt can fit): the whole height, width clamped to ratio 4/3, centred.
        Assert.Equal((0, 13, 10, 13), RandomResizedCrop.GetParams(10, 40, (2, 3), (3.0 / 4, 4.0 / 3), new Generator(1)));
        Assert.Equal((5, 0, 10, 10), RandomResizedCrop.GetParams(20, 10, (2, 3), (1, 1), new Generator(1)));
        var rrc = new RandomResizedCrop(8, 6, generator: new Generator(5));
        var x = T(Random(3, 20, 30, 4));
        var p = RandomResizedCrop.GetParams(20, 30, (0.08, 1), (0.75, 4.0 / 3), new Generator(5));
        Assert.Equal(TF.ResizedCrop(x, p.Top, p.Left, p.Height, p.Width, [8, 6]).ToArray<float>(), rrc.Apply(x).ToArray<float>());
    }

    [Fact]
    public void RandomFlipsUseP()
    {
        var x = T(Random(1, 2, 3, 5));
        Assert.Equal(TF.HorizontalFlip(x).ToArray<float>(), new RandomHorizontalFlip(1).Apply(x).ToArray<float>());
        Assert.Equal(x.ToArray<float>(), new RandomVerticalFlip(0).Apply(x).ToArray<float>());
        var flip = new RandomHorizontalFlip(0.5, new Generator(7));
        var g = new Generator(7);
        for (int k = 0; k < 50; k++)
        {
            bool flips = Tensor.Rand([1], DType.Float64, generator: g).Item<double>() < 0.5;
            Assert.Equal((flips ? TF.HorizontalFlip(x) : x).ToArray<float>(), flip.Apply(x).ToArray<float>());
        }
        Assert.Throws<ArgumentException>(() => new RandomVerticalFlip(1.5));
    }
}

/// <summary>RandomApply and RandomGrayscale: the p test as torchvision (skip when rand &gt;= p).</summary>
public class RandomApplyTests
{
    [Fact]
    public void AppliesWithProbabilityP()
    {
        var x = T(Random(3, 2, 2, 1));
        var ra = new RandomApply([new Lambda(t => t.Mul(2)), new Lambda(t => t.Add(1))], 0.3, new Generator(6));
        var gray = new RandomGrayscale(0.6, new Generator(7));
        var g1 = new Generator(6);
        var g2 = new Generator(7);
        int applied = 0;
        for (int k = 0; k < 40; k++)
        {
            bool on = Tensor.Rand([1], DType.Float64, generator: g1).Item<double>() < 0.3;
            applied += on ? 1 : 0;
            Assert.Equal((on ? x.Mul(2).Add(1) : x).ToArray<float>(), ra.Apply(x).ToArray<float>());
            bool g = Tensor.Rand([1], DType.Float64, generator: g2).Item<double>() < 0.6;
            var y = gray.Apply(x);
            Assert.Equal(new Shape(3, 2, 2), y.Shape);
            Assert.Equal((g ? TF.RgbToGrayscale(x, 3) : x).ToArray<float>(), y.ToArray<float>());
        }
        Assert.InRange(applied, 3, 25);
        Assert.Throws<ArgumentException>(() => new RandomApply([], 0.5));
    }
}

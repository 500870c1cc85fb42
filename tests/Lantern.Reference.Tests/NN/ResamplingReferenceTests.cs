using Xunit;
using TorchSharp;
using LTensor = global::Lantern.Tensor;
using LF = global::Lantern.NN.F;
using static Lantern.Reference.Tests.NN.PoolParity;

namespace Lantern.Reference.Tests.NN;

/// <summary>
/// Interpolation, affine_grid / grid_sample and pixel (un)shuffle against libtorch (float32; outputs, input
/// gradients, grid gradients). Channel counts are above 1: with C = 1 an NCHW tensor is also channels-last
/// contiguous and libtorch then takes its channels-last nearest kernel, whose index shortcuts differ from the
/// generic kernel that Lantern follows.
/// </summary>
public class ResamplingReferenceTests
{
    private static torch.InterpolationMode Mode(string m) => m switch
    {
        "nearest" => torch.InterpolationMode.Nearest,
        "nearest-exact" => torch.InterpolationMode.NearestExact,
        "linear" => torch.InterpolationMode.Linear,
        "bilinear" => torch.InterpolationMode.Bilinear,
        "bicubic" => torch.InterpolationMode.Bicubic,
        _ => torch.InterpolationMode.Area,
    };

    [Theory]
    [InlineData("nearest", 5, 6, 8, 13, 0.0, 0.0, null, false)]
    [InlineData("nearest", 9, 11, 4, 3, 0.0, 0.0, null, false)]
    [InlineData("nearest", 5, 6, 0, 0, 1.7, 1.7, null, false)]     // floor(o / 1.7)
    [InlineData("nearest", 4, 6, 0, 0, 2.0, 3.0, null, false)]
    [InlineData("nearest-exact", 4, 5, 7, 3, 0.0, 0.0, null, false)]
    [InlineData("nearest-exact", 5, 6, 0, 0, 1.7, 0.6, null, false)]
    [InlineData("bilinear", 5, 6, 9, 13, 0.0, 0.0, false, false)]
    [InlineData("bilinear", 5, 6, 9, 13, 0.0, 0.0, true, false)]
    [InlineData("bilinear", 9, 11, 4, 5, 0.0, 0.0, false, false)]
    [InlineData("bilinear", 3, 4, 0, 0, 2.5, 1.5, false, false)]   // source index from 1/scale
    [InlineData("bilinear", 3, 4, 0, 0, 2.5, 1.5, false, true)]    // recomputed: in/out
    [InlineData("bilinear", 4, 5, 0, 0, 1.1, 1.1, false, false)]   // same size: a copy
    [InlineData("bilinear", 6, 7, 0, 0, 0.6, 0.7, true, false)]
    [InlineData("bicubic", 4, 5, 9, 11, 0.0, 0.0, false, false)]
    [InlineData("bicubic", 4, 5, 9, 11, 0.0, 0.0, true, false)]
    [InlineData("bicubic", 10, 9, 4, 5, 0.0, 0.0, false, false)]
    [InlineData("bicubic", 10, 9, 4, 5, 0.0, 0.0, true, false)]
    [InlineData("bicubic", 3, 4, 0, 0, 1.5, 2.5, false, false)]
    [InlineData("area", 7, 9, 3, 4, 0.0, 0.0, null, false)]
    public void Interpolate2dMatchesTorch(string mode, int h, int w, int oh, int ow, double sh, double sw, bool? align, bool recompute)
    {
        var x = Randn(2, 3, h, w);
        int[]? size = oh > 0 ? [oh, ow] : null;
        double[]? scale = oh > 0 ? null : [sh, sw];
        string what = $"interpolate {mode} {h}x{w} size={(size is null ? "-" : $"{oh}x{ow}")} scale={(scale is null ? "-" : $"{sh}x{sw}")} align={align} recompute={recompute}";
        Check(mode == "nearest-exact" ? "Interpolate nearest-exact" : "Interpolate " + mode, what, [x],
            t => LF.Interpolate(t[0], size, scale, mode, align, recompute ? true : null),
            t => torch.nn.functional.interpolate(t[0], size is null ? null : L(size), scale, Mode(mode), align, recompute));
    }

    [Theory]
    [InlineData("nearest", 7, 12, 0.0, null)]
    [InlineData("nearest", 7, 0, 1.7, null)]
    [InlineData("nearest-exact", 7, 12, 0.0, null)]
    [InlineData("linear", 7, 12, 0.0, false)]
    [InlineData("linear", 7, 12, 0.0, true)]
    [InlineData("linear", 12, 5, 0.0, false)]
    [InlineData("linear", 7, 0, 2.3, false)]
    [InlineData("area", 12, 5, 0.0, null)]
    public void Interpolate1dMatchesTorch(string mode, int len, int o, double s, bool? align)
    {
        var x = Randn(2, 3, len);
        int[]? size = o > 0 ? [o] : null;
        double[]? scale = o > 0 ? null : [s];
        Check("Interpolate " + mode + " (1-D)", $"interpolate {mode} {len} -> {(size is null ? $"scale {s}" : o.ToString())} align={align}", [x],
            t => LF.Interpolate(t[0], size, scale, mode, align), t => torch.nn.functional.interpolate(t[0], size is null ? null : L(size), scale, Mode(mode), align));
    }

    [Theory]
    [InlineData("bilinear", "zeros", false)]
    [InlineData("bilinear", "zeros", true)]
    [InlineData("bilinear", "border", false)]
    [InlineData("bilinear", "border", true)]
    [InlineData("bilinear", "reflection", false)]
    [InlineData("bilinear", "reflection", true)]
    [InlineData("nearest", "zeros", false)]
    [InlineData("nearest", "zeros", true)]
    [InlineData("nearest", "border", false)]
    [InlineData("nearest", "border", true)]
    [InlineData("nearest", "reflection", false)]
    [InlineData("nearest", "reflection", true)]
    public void GridSampleMatchesTorch(string mode, string padding, bool align)
    {
        var x = Randn(2, 3, 7, 9);
        // Positions up to 1.8 outside [-1, 1] on each side, so every padding rule is exercised (reflection folds twice).
        var grid = LTensor.Uniform([2, 5, 6, 2], -2.8, 2.8, generator: new global::Lantern.Generator(5));
        Check($"GridSample {mode}", $"grid_sample {mode} {padding} align={align}", [x, grid], t => LF.GridSample(t[0], t[1], mode, padding, align),
            t => torch.nn.functional.grid_sample(t[0], t[1], mode == "nearest" ? torch.GridSampleMode.Nearest : torch.GridSampleMode.Bilinear,
                padding switch { "zeros" => torch.GridSamplePaddingMode.Zeros, "border" => torch.GridSamplePaddingMode.Border, _ => torch.GridSamplePaddingMode.Reflection },
                align));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AffineGridThenGridSampleMatchesTorch(bool align)
    {
        // Entries chosen so that no sampling position lands exactly on a pixel or the border, where the bilinear gradient
        // has a kink and the last bit of float32 rounding would pick a different side than libtorch.
        var theta = LTensor.FromArray(new float[] { 0.913f, -0.271f, 0.117f, 0.231f, 1.071f, -0.193f, 1.187f, 0.109f, 0.053f, -0.097f, 0.811f, 0.287f }, [2, 2, 3]);
        Check("AffineGrid", $"affine_grid align={align}", [theta], t => LF.AffineGrid(t[0], [2, 3, 5, 7], align),
            t => torch.nn.functional.affine_grid(t[0], L(2, 3, 5, 7), align));
        var x = Randn(2, 3, 6, 8);
        Check("AffineGrid", $"affine_grid + grid_sample align={align} (gradient w.r.t. theta)", [x, theta],
            t => LF.GridSample(t[0], LF.AffineGrid(t[1], [2, 3, 5, 7], align), alignCorners: align),
            t => torch.nn.functional.grid_sample(t[0], torch.nn.functional.affine_grid(t[1], L(2, 3, 5, 7), align), align_corners: align));
    }

    [Fact]
    public void PixelShuffleMatchesTorch()
    {
        Check("PixelShuffle", "pixel_shuffle r=3", [Randn(2, 18, 4, 5)], t => LF.PixelShuffle(t[0], 3), t => torch.nn.functional.pixel_shuffle(t[0], 3));
        Check("PixelUnshuffle", "pixel_unshuffle r=2", [Randn(2, 3, 6, 8)], t => LF.PixelUnshuffle(t[0], 2), t => torch.nn.functional.pixel_unshuffle(t[0], 2));
    }

    [Fact]
    public void UpsamplingModulesMatchTorch()
    {
        var x = Randn(2, 3, 5, 6);
        Assert.True(ModuleParity.Check(new global::Lantern.NN.Upsample(scaleFactor: [2.0], mode: "bilinear", alignCorners: false),
            torch.nn.Upsample(scale_factor: [2.0, 2.0], mode: torch.UpsampleMode.Bilinear, align_corners: false), x, 1e-4, "Upsample bilinear x2") <= 1e-4);
        Assert.True(ModuleParity.Check(new global::Lantern.NN.Upsample(size: [9, 7], mode: "bicubic", alignCorners: true),
            torch.nn.Upsample(size: L(9, 7), mode: torch.UpsampleMode.Bicubic, align_corners: true), x, 1e-4, "Upsample bicubic size") <= 1e-4);
        Assert.True(ModuleParity.Check(new global::Lantern.NN.Upsample(scaleFactor: [3.0]), torch.nn.Upsample(scale_factor: [3.0, 3.0]), x, 1e-4, "Upsample nearest x3") <= 1e-4);
        Assert.True(ModuleParity.Check(new global::Lantern.NN.PixelShuffle(2), torch.nn.PixelShuffle(2), Randn(2, 8, 3, 4), 1e-4, "PixelShuffle module") <= 1e-4);
        Assert.True(ModuleParity.Check(new global::Lantern.NN.PixelUnshuffle(2), torch.nn.PixelUnshuffle(2), Randn(2, 2, 4, 6), 1e-4, "PixelUnshuffle module") <= 1e-4);
    }
}

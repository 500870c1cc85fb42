using Lantern.NN;

namespace Lantern.Tests.OpTable;

// Rows for interpolation, affine_grid / grid_sample and pixel (un)shuffle. References follow the formulas in
// PyTorch's documentation and kernels (source position, Keys' cubic with A = -0.75, grid unnormalisation and
// padding), written as plain loops.
public static partial class Ops
{
    /// <summary>1-D interpolation weights of output o: list of (input position, weight).</summary>
    private static List<(int I, double W)> InterpWeights(string mode, int o, int n, int m, bool align, double? scale)
    {
        double sc = align ? (m > 1 ? (n - 1.0) / (m - 1) : 0) : scale is { } s ? 1 / s : (double)n / m;
        switch (mode)
        {
            case "nearest": return [(Math.Min((int)Math.Floor(o * sc), n - 1), 1)];
            case "nearest-exact": return [(Math.Min((int)Math.Floor((o + 0.5) * sc), n - 1), 1)];
            case "linear":
            {
                if (n == m) return [(o, 1)];
                double src = align ? o * sc : Math.Max((o + 0.5) * sc - 0.5, 0);
                int i0 = Math.Min((int)Math.Floor(src), n - 1);
                double l = Math.Clamp(src - i0, 0, 1);
                return [(i0, 1 - l), (Math.Min(i0 + 1, n - 1), l)];
            }
            default: // cubic
            {
                double src = align ? o * sc : (o + 0.5) * sc - 0.5;
                int i0 = Math.Min((int)Math.Floor(src), n - 1);
                double t = Math.Clamp(src - i0, 0, 1);
                const double A = -0.75;
                double K(double x)
                {
                    x = Math.Abs(x);
                    return x <= 1 ? ((A + 2) * x - (A + 3)) * x * x + 1 : x < 2 ? ((A * x - 5 * A) * x + 8 * A) * x - 4 * A : 0;
                }
                return Enumerable.Range(-1, 4).Select(k => (Math.Clamp(i0 + k, 0, n - 1), K(t - k))).ToList();
            }
        }
    }

    /// <summary>Interpolation of [N, C, L] or [N, C, H, W] as a sum over 1-D weights per dim.</summary>
    private static Nd InterpRef(Nd x, int[] outSize, string mode, bool align, double[]? scales)
    {
        bool two = x.Rank == 4;
        int h = two ? x.Shape[2] : 1, w = x.Shape[^1], oh = two ? outSize[0] : 1, ow = outSize[^1];
        string m1 = mode is "bilinear" ? "linear" : mode is "bicubic" ? "cubic" : mode;
        var r = new Nd(two ? [x.Shape[0], x.Shape[1], oh, ow] : [x.Shape[0], x.Shape[1], ow]);
        int planes = x.Shape[0] * x.Shape[1];
        for (int p = 0; p < planes; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    var wy = two ? InterpWeights(m1, i, h, oh, align, scales?[0]) : [(0, 1.0)];
                    var wx = InterpWeights(m1, j, w, ow, align, scales?[^1]);
                    double acc = 0;
                    foreach (var (yi, yw) in wy) foreach (var (xi, xw) in wx) acc += yw * xw * x.Data[p * h * w + yi * w + xi];
                    r.Data[(p * oh + i) * ow + j] = acc;
                }
        return r;
    }

    private static double GridCoord(double g, int size, string padding, bool align)
    {
        double c = align ? (g + 1) / 2 * (size - 1) : ((g + 1) * size - 1) / 2;
        if (padding == "reflection")
        {
            double lo = align ? 0 : -0.5, hi = align ? size - 1 : size - 0.5, span = hi - lo;
            if (span <= 0) c = 0;
            else
            {
                double d = Math.Abs(c - lo) % (2 * span);
                c = lo + (d <= span ? d : 2 * span - d);
            }
        }
        if (padding is "border" or "reflection") c = Math.Clamp(c, 0, size - 1);
        return c;
    }

    private static Nd GridSampleRef(Nd x, Nd grid, string mode, string padding, bool align)
    {
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3], oh = grid.Shape[1], ow = grid.Shape[2];
        var r = new Nd([n, c, oh, ow]);
        double At(int b, int ch, int y, int xx) => y >= 0 && y < h && xx >= 0 && xx < w ? x[b, ch, y, xx] : 0;
        for (int b = 0; b < n; b++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    double ix = GridCoord(grid[b, i, j, 0], w, padding, align), iy = GridCoord(grid[b, i, j, 1], h, padding, align);
                    for (int ch = 0; ch < c; ch++)
                    {
                        if (mode == "nearest") { r[b, ch, i, j] = At(b, ch, (int)Math.Round(iy), (int)Math.Round(ix)); continue; }
                        int x0 = (int)Math.Floor(ix), y0 = (int)Math.Floor(iy);
                        double fx = ix - x0, fy = iy - y0;
                        r[b, ch, i, j] = At(b, ch, y0, x0) * (1 - fx) * (1 - fy) + At(b, ch, y0, x0 + 1) * fx * (1 - fy)
                                       + At(b, ch, y0 + 1, x0) * (1 - fx) * fy + At(b, ch, y0 + 1, x0 + 1) * fx * fy;
                    }
                }
        return r;
    }

    private static Nd AffineGridRef(Nd theta, int h, int w, bool align)
    {
        int n = theta.Shape[0];
        double Pos(int k, int size) => size == 1 ? 0 : align ? -1 + 2.0 * k / (size - 1) : (2.0 * k + 1) / size - 1;
        var r = new Nd([n, h, w, 2]);
        for (int b = 0; b < n; b++)
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++)
                    for (int e = 0; e < 2; e++)
                        r[b, i, j, e] = theta[b, e, 0] * Pos(j, w) + theta[b, e, 1] * Pos(i, h) + theta[b, e, 2];
        return r;
    }

    /// <summary>y[n, c, h r + i, w r + j] = x[n, c r² + i r + j, h, w].</summary>
    private static Nd PixelShuffleRef(Nd x, int r)
    {
        int n = x.Shape[0], c = x.Shape[1] / (r * r), h = x.Shape[2], w = x.Shape[3];
        var y = new Nd([n, c, h * r, w * r]);
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < h * r; i++)
                    for (int j = 0; j < w * r; j++)
                        y[b, ch, i, j] = x[b, ch * r * r + (i % r) * r + j % r, i / r, j / r];
        return y;
    }

    private static OpInfo InterpRow(string variant, Func<Tensor, Tensor> op, Func<Nd, Nd> reference, params Sample[] samples) => new()
    {
        Name = "F.Interpolate",
        Variant = variant,
        Op = x => op(x[0]),
        Samples = () => samples,
        Reference = x => reference(x[0]),
    };

    [OpFamily]
    private static IEnumerable<OpInfo> Resampling()
    {
        yield return new OpInfo
        {
            Name = "F.Interpolate",
            Op = x => F.Interpolate(x[0], size: [8, 7]),
            Samples = () => [S("nearest [2,2,5,4] -> 8x7", R(2, 2, 5, 4))],
            Reference = x => InterpRef(x[0], [8, 7], "nearest", false, null),
            Errors = () => [new ErrorInput(() => F.Interpolate(R(1, 1, 4, 4)), "Interpolate", "neither size nor scale"),
                            new ErrorInput(() => F.Interpolate(R(1, 1, 4, 4), [2], [2.0]), "Interpolate", "both size and scale"),
                            new ErrorInput(() => F.Interpolate(R(1, 1, 4), [8], mode: "bilinear"), "Interpolate", "bilinear on 3-D"),
                            new ErrorInput(() => F.Interpolate(R(1, 1, 4, 4), [8, 8], mode: "linear"), "Interpolate", "linear on 4-D"),
                            new ErrorInput(() => F.Interpolate(R(1, 1, 4, 4), [8, 8], alignCorners: true), "Interpolate", "align_corners with nearest"),
                            new ErrorInput(() => F.Interpolate(R(1, 1, 4, 4), [8, 8], mode: "cubic"), "Interpolate", "unknown mode"),
                            new ErrorInput(() => F.Interpolate(R(1, 1, 4, 4), scaleFactor: [0.1]), "Interpolate", "output size 0"),
                            new ErrorInput(() => F.Interpolate(R(1, 1, 4, 4), [8, 8, 8]), "Interpolate", "size rank")],
        };
        yield return InterpRow("nearest, scale 1.7 (1/scale source)", x => F.Interpolate(x, scaleFactor: [1.7], mode: "nearest"),
            x => InterpRef(x, [8], "nearest", false, [1.7]), S("[2,3,5]", R(2, 3, 5)));
        yield return InterpRow("nearest downsample 3-D", x => F.Interpolate(x, size: [3], mode: "nearest"),
            x => InterpRef(x, [3], "nearest", false, null), S("[2,2,7]", R(2, 2, 7)));
        yield return InterpRow("nearest-exact", x => F.Interpolate(x, size: [7, 3], mode: "nearest-exact"),
            x => InterpRef(x, [7, 3], "nearest-exact", false, null), S("[1,2,4,5]", R(1, 2, 4, 5)));
        yield return InterpRow("linear", x => F.Interpolate(x, size: [9], mode: "linear"),
            x => InterpRef(x, [9], "linear", false, null), S("[2,2,4]", R(2, 2, 4)));
        yield return InterpRow("linear, align corners, downsample", x => F.Interpolate(x, size: [4], mode: "linear", alignCorners: true),
            x => InterpRef(x, [4], "linear", true, null), S("[2,2,7]", R(2, 2, 7)));
        yield return InterpRow("bilinear, scale 2.5 x 1.5", x => F.Interpolate(x, scaleFactor: [2.5, 1.5], mode: "bilinear"),
            x => InterpRef(x, [7, 6], "linear", false, [2.5, 1.5]), S("[1,2,3,4]", R(1, 2, 3, 4)));
        yield return InterpRow("bilinear, recompute scale", x => F.Interpolate(x, scaleFactor: [2.5, 1.5], mode: "bilinear", recomputeScaleFactor: true),
            x => InterpRef(x, [7, 6], "linear", false, null), S("[1,2,3,4]", R(1, 2, 3, 4)));
        yield return InterpRow("bilinear, same size with scale 1.1 copies", x => F.Interpolate(x, scaleFactor: [1.1], mode: "bilinear"),
            x => InterpRef(x, [4, 5], "linear", false, [1.1, 1.1]), S("[1,2,4,5]", R(1, 2, 4, 5)));
        yield return InterpRow("bilinear, align corners", x => F.Interpolate(x, size: [5, 7], mode: "bilinear", alignCorners: true),
            x => InterpRef(x, [5, 7], "linear", true, null), S("[2,1,3,4]", R(2, 1, 3, 4)));
        yield return InterpRow("bicubic", x => F.Interpolate(x, size: [7, 5], mode: "bicubic"),
            x => InterpRef(x, [7, 5], "bicubic", false, null), S("[1,2,4,3]", R(1, 2, 4, 3)));
        yield return InterpRow("bicubic, align corners, downsample", x => F.Interpolate(x, size: [3, 4], mode: "bicubic", alignCorners: true),
            x => InterpRef(x, [3, 4], "bicubic", true, null), S("[1,2,6,5]", R(1, 2, 6, 5)));
        yield return InterpRow("bicubic, scale 1.5", x => F.Interpolate(x, scaleFactor: [1.5], mode: "bicubic"),
            x => InterpRef(x, [4, 6], "bicubic", false, [1.5, 1.5]), S("[1,1,3,4]", R(1, 1, 3, 4)));
        yield return InterpRow("area", x => F.Interpolate(x, size: [3, 2], mode: "area"),
            x => AdaptiveRef(x, 2, 3, 2, max: false), S("[1,2,7,5]", R(1, 2, 7, 5)));
        yield return new OpInfo
        {
            Name = "F.AffineGrid",
            Op = x => F.AffineGrid(x[0], [2, 3, 4, 5]),
            Samples = () => [S("theta [2,2,3] -> 4x5", R(2, 2, 3))],
            Reference = x => AffineGridRef(x[0], 4, 5, false),
            Errors = () => [new ErrorInput(() => F.AffineGrid(R(2, 3, 3), [2, 1, 4, 4]), "AffineGrid", "theta 3x3"),
                            new ErrorInput(() => F.AffineGrid(R(2, 2, 3), [3, 1, 4, 4]), "AffineGrid", "batch mismatch"),
                            new ErrorInput(() => F.AffineGrid(R(2, 2, 3), [2, 1, 4]), "AffineGrid", "size of 3")],
        };
        yield return new OpInfo
        {
            Name = "F.AffineGrid",
            Variant = "align corners, width 1",
            Op = x => F.AffineGrid(x[0], [1, 1, 3, 1], alignCorners: true),
            Samples = () => [S("theta [1,2,3]", R(1, 2, 3))],
            Reference = x => AffineGridRef(x[0], 3, 1, true),
        };
        foreach (var (mode, padding, align) in new[] { ("bilinear", "zeros", false), ("bilinear", "border", true), ("bilinear", "reflection", false),
                     ("bilinear", "reflection", true), ("nearest", "zeros", false), ("nearest", "reflection", true) })
        {
            yield return new OpInfo
            {
                Name = "F.GridSample",
                Variant = $"{mode} {padding} align={align}",
                Op = x => F.GridSample(x[0], x[1], mode, padding, align),
                // Grid values reach beyond [-1, 1] so padding matters; the nearest rows keep positions off pixel
                // boundaries (finite differences would cross them).
                Samples = () => [S("[2,2,4,5] grid [2,3,4,2]", R(2, 2, 4, 5), U(-1.6, 1.6, 2, 3, 4, 2))],
                Reference = x => GridSampleRef(x[0], x[1], mode, padding, align),
                SupportsGradGrad = false,
                GradInputs = mode == "nearest" ? [0] : null,
                Errors = () => [new ErrorInput(() => F.GridSample(R(1, 1, 3, 3), R(2, 2, 2, 2)), "GridSample", "batch mismatch"),
                                new ErrorInput(() => F.GridSample(R(1, 1, 3, 3), R(1, 2, 2, 3)), "GridSample", "grid last dim 3"),
                                new ErrorInput(() => F.GridSample(R(1, 1, 3, 3), R(1, 2, 2, 2), mode: "bicubic"), "GridSample", "bicubic"),
                                new ErrorInput(() => F.GridSample(R(1, 1, 3, 3), R(1, 2, 2, 2), paddingMode: "wrap"), "GridSample", "padding mode")],
            };
        }
        yield return new OpInfo
        {
            Name = "F.PixelShuffle",
            Op = x => F.PixelShuffle(x[0], 2),
            Samples = () => [S("[2,8,3,2]", R(2, 8, 3, 2))],
            Reference = x => PixelShuffleRef(x[0], 2),
            Errors = () => [new ErrorInput(() => F.PixelShuffle(R(1, 6, 2, 2), 2), "PixelShuffle", "6 not divisible by 4"),
                            new ErrorInput(() => F.PixelShuffle(R(4, 2), 2), "PixelShuffle", "rank 2")],
        };
        yield return new OpInfo
        {
            Name = "F.PixelUnshuffle",
            Op = x => F.PixelUnshuffle(x[0], 3),
            Samples = () => [S("[2,2,6,3]", R(2, 2, 6, 3))],
            // pixel_unshuffle inverts pixel_shuffle: y = shuffle^-1(x), checked as shuffle(y) == x elementwise.
            Reference = x =>
            {
                int n = x[0].Shape[0], c = x[0].Shape[1], h = x[0].Shape[2] / 3, w = x[0].Shape[3] / 3;
                var y = new Nd([n, c * 9, h, w]);
                for (int b = 0; b < n; b++)
                    for (int ch = 0; ch < c * 9; ch++)
                        for (int i = 0; i < h; i++)
                            for (int j = 0; j < w; j++)
                                y[b, ch, i, j] = x[0][b, ch / 9, i * 3 + ch % 9 / 3, j * 3 + ch % 3];
                return y;
            },
            Errors = () => [new ErrorInput(() => F.PixelUnshuffle(R(1, 1, 5, 6), 2), "PixelUnshuffle", "5 not divisible by 2")],
        };
    }
}

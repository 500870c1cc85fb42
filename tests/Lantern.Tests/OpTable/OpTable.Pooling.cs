using Lantern.NN;

namespace Lantern.Tests.OpTable;

// Rows for max/avg/adaptive pooling and max-unpooling, with naive references written from PyTorch's definitions
// (window loops in scan order; PyTorch's output-size formula and adaptive bin edges), independent of the kernels.
public static partial class Ops
{
    /// <summary>Applies f to every plane of x (the last `spatial` dims; H = 1 for 1-D) and stacks the results.</summary>
    private static Nd PerPlane(Nd x, int spatial, Func<Func<int, int, double>, int, int, (int OH, int OW, Func<int, int, double> Out)> f)
    {
        int h = spatial == 2 ? x.Shape[^2] : 1, w = x.Shape[^1];
        int planes = x.Data.Length / (h * w);
        var sizes = f((_, _) => 0, h, w); // output size, also for an empty batch
        var results = new List<double>();
        for (int p = 0; p < planes; p++)
        {
            int pp = p;
            var r = f((i, j) => x.Data[pp * h * w + i * w + j], h, w);
            for (int i = 0; i < r.OH; i++) for (int j = 0; j < r.OW; j++) results.Add(r.Out(i, j));
        }
        var lead = x.Shape[..^spatial];
        int[] shape = spatial == 2 ? [.. lead, sizes.OH, sizes.OW] : [.. lead, sizes.OW];
        return new Nd(shape, results.ToArray());
    }

    /// <summary>PyTorch's pooling_output_shape, written out.</summary>
    private static int PoolOut(int n, int k, int s, int p, int d, bool ceil)
    {
        int eff = d * (k - 1) + 1;
        int o = ceil ? (int)Math.Ceiling((double)(n + 2 * p - eff) / s) + 1 : (int)Math.Floor((double)(n + 2 * p - eff) / s) + 1;
        if (ceil && (o - 1) * s >= n + p) o--;
        return o;
    }

    /// <summary>Max over each window in row-major scan order: a greater value or a NaN replaces (PyTorch CPU). Value or flat index.</summary>
    private static Nd MaxPoolRef(Nd x, int spatial, (int, int) k, (int, int) s, (int, int) p, (int, int) d, bool ceil, bool indices) =>
        PerPlane(x, spatial, (at, h, w) =>
        {
            int oh = spatial == 2 ? PoolOut(h, k.Item1, s.Item1, p.Item1, d.Item1, ceil) : 1;
            int ow = PoolOut(w, k.Item2, s.Item2, p.Item2, d.Item2, ceil);
            return (oh, ow, (i, j) =>
            {
                double m = double.NegativeInfinity;
                int mi = -1;
                for (int a = 0; a < k.Item1; a++)
                    for (int b = 0; b < k.Item2; b++)
                    {
                        int r = i * s.Item1 - p.Item1 + a * d.Item1, c = j * s.Item2 - p.Item2 + b * d.Item2;
                        if (r < 0 || r >= h || c < 0 || c >= w) continue;
                        double v = at(r, c);
                        if (mi < 0 && !(v > m || double.IsNaN(v))) mi = r * w + c;
                        if (v > m || double.IsNaN(v)) { m = v; mi = r * w + c; }
                    }
                return indices ? mi : m;
            });
        });

    /// <summary>Window sums over the input part divided by the padded size, the real size, or a fixed divisor.</summary>
    private static Nd AvgPoolRef(Nd x, int spatial, (int, int) k, (int, int) s, (int, int) p, bool ceil, bool includePad, int? divisor) =>
        PerPlane(x, spatial, (at, h, w) =>
        {
            int oh = spatial == 2 ? PoolOut(h, k.Item1, s.Item1, p.Item1, 1, ceil) : 1;
            int ow = PoolOut(w, k.Item2, s.Item2, p.Item2, 1, ceil);
            return (oh, ow, (i, j) =>
            {
                double sum = 0;
                int real = 0, padded = 0;
                for (int a = 0; a < k.Item1; a++)
                    for (int b = 0; b < k.Item2; b++)
                    {
                        int r = i * s.Item1 - p.Item1 + a, c = j * s.Item2 - p.Item2 + b;
                        if (r < h + p.Item1 && c < w + p.Item2) padded++;
                        if (r < 0 || r >= h || c < 0 || c >= w) continue;
                        sum += at(r, c);
                        real++;
                    }
                return sum / (divisor ?? (includePad ? padded : real));
            });
        });

    private static (int S, int E) Bin(int o, int inSize, int outSize) =>
        ((int)Math.Floor((double)o * inSize / outSize), (int)Math.Ceiling((double)(o + 1) * inSize / outSize));

    private static Nd AdaptiveRef(Nd x, int spatial, int oh, int ow, bool max, bool indices = false) =>
        PerPlane(x, spatial, (at, h, w) => (spatial == 2 ? oh : 1, ow, (i, j) =>
        {
            var (r0, r1) = spatial == 2 ? Bin(i, h, oh) : (0, 1);
            var (c0, c1) = Bin(j, w, ow);
            double acc = max ? double.NegativeInfinity : 0;
            int mi = r0 * w + c0;
            for (int r = r0; r < r1; r++)
                for (int c = c0; c < c1; c++)
                {
                    double v = at(r, c);
                    if (!max) acc += v;
                    else if (v > acc || double.IsNaN(v)) { acc = v; mi = r * w + c; }
                }
            return indices ? mi : max ? acc : acc / ((r1 - r0) * (c1 - c0));
        }));

    /// <summary>Zero planes of size m with out[idx] = value (later writes win).</summary>
    private static Nd UnpoolRef(Nd x, Nd idx, int[] outSpatial)
    {
        int m = outSpatial.Aggregate(1, (a, b) => a * b);
        int len = outSpatial.Length == 2 ? x.Shape[^1] * x.Shape[^2] : x.Shape[^1];
        int planes = x.Data.Length / len;
        var r = new Nd([.. x.Shape[..^outSpatial.Length], .. outSpatial]);
        for (int p = 0; p < planes; p++)
            for (int l = 0; l < len; l++) r.Data[p * m + (int)idx.Data[p * len + l]] = x.Data[p * len + l];
        return r;
    }

    private static Tensor Indices2d(Tensor x, int k) => F.MaxPool2dWithIndices(x, [k]).Indices;

    [OpFamily]
    private static IEnumerable<OpInfo> Pooling()
    {
        yield return new OpInfo
        {
            Name = "F.MaxPool2d",
            Op = x => F.MaxPool2d(x[0], 2),
            Samples = () => [S("[2,3,6,6] k2", R(2, 3, 6, 6)), S("[3,5,7] unbatched, odd size", R(3, 5, 7)), S("[0,2,4,4] empty batch", R(0, 2, 4, 4))],
            Reference = x => MaxPoolRef(x[0], 2, (2, 2), (2, 2), (0, 0), (1, 1), false, false),
            Errors = () => [new ErrorInput(() => F.MaxPool2d(R(1, 2, 4, 4), [3], padding: [2]), "MaxPool2d", "padding above kernel/2"),
                            new ErrorInput(() => F.MaxPool2d(R(1, 2, 2, 2), 3), "MaxPool2d", "kernel larger than input"),
                            new ErrorInput(() => F.MaxPool2d(R(2, 4), 2), "MaxPool2d", "rank 2"),
                            new ErrorInput(() => F.MaxPool2d(R(1, 1, 4, 4), [2, 2, 2]), "MaxPool2d", "three kernel sizes"),
                            new ErrorInput(() => F.MaxPool2d(R(1, 1, 4, 4), 0), "MaxPool2d", "kernel 0")],
        };
        yield return new OpInfo
        {
            Name = "F.MaxPool2d",
            Variant = "k3 s2 p1 dil2 ceil, rectangular",
            Op = x => F.MaxPool2d(x[0], [3, 2], [2, 1], [1, 1], [2, 1], ceilMode: true),
            Samples = () => [S("[1,2,7,6]", R(1, 2, 7, 6)), S("[2,1,8,5]", R(2, 1, 8, 5))],
            Reference = x => MaxPoolRef(x[0], 2, (3, 2), (2, 1), (1, 1), (2, 1), true, false),
        };
        yield return new OpInfo
        {
            Name = "F.MaxPool2d",
            Variant = "NaN propagates, ties pick the first",
            Op = x => F.MaxPool2d(x[0], [2], [1]),
            Samples = () => [S("NaN and ties", Tensor.FromArray(new double[] { 1, double.NaN, 1, 2, 2, 0, double.NegativeInfinity, 5, double.NaN }, [1, 1, 3, 3]))],
            Reference = x => MaxPoolRef(x[0], 2, (2, 2), (1, 1), (0, 0), (1, 1), false, false),
            SupportsGrad = false,
        };
        yield return new OpInfo
        {
            Name = "F.MaxPool2dWithIndices",
            Op = x => F.MaxPool2dWithIndices(x[0], [3], [2], [1]).Output,
            Samples = () => [S("[2,2,5,6] k3 s2 p1", R(2, 2, 5, 6))],
            Reference = x => MaxPoolRef(x[0], 2, (3, 3), (2, 2), (1, 1), (1, 1), false, false),
        };
        yield return new OpInfo
        {
            Name = "F.MaxPool2dWithIndices",
            Variant = "indices",
            Op = x => F.MaxPool2dWithIndices(x[0], [3], [2], [1], ceilMode: true).Indices,
            Samples = () => [S("[2,2,5,6] k3 s2 p1 ceil", R(2, 2, 5, 6)), S("NaN, -inf", Tensor.FromArray(new double[] { double.NegativeInfinity, double.NegativeInfinity, 1, double.NaN, 3, double.NaN }, [1, 2, 3]))],
            Reference = x => MaxPoolRef(x[0], 2, (3, 3), (2, 2), (1, 1), (1, 1), true, true),
            SupportsGrad = false,
            CheckFloat32 = false,
        };
        yield return new OpInfo
        {
            Name = "F.MaxPool1d",
            Op = x => F.MaxPool1d(x[0], 3, 2, 1, 2, ceilMode: true),
            Samples = () => [S("[2,3,9] k3 s2 p1 d2 ceil", R(2, 3, 9)), S("[4,8] unbatched", R(4, 8))],
            Reference = x => MaxPoolRef(x[0], 1, (1, 3), (1, 2), (0, 1), (1, 2), true, false),
            Errors = () => [new ErrorInput(() => F.MaxPool1d(R(1, 2, 3, 4), 2), "MaxPool1d", "rank 4"),
                            new ErrorInput(() => F.MaxPool1d(R(1, 2, 4), 2, dilation: 0), "MaxPool1d", "dilation 0")],
        };
        yield return new OpInfo
        {
            Name = "F.MaxPool1dWithIndices",
            Op = x => F.MaxPool1dWithIndices(x[0], 2).Indices,
            Samples = () => [S("[2,3,7]", R(2, 3, 7))],
            Reference = x => MaxPoolRef(x[0], 1, (1, 2), (1, 2), (0, 0), (1, 1), false, true),
            SupportsGrad = false,
            CheckFloat32 = false,
        };
        yield return new OpInfo
        {
            Name = "F.AvgPool2d",
            Op = x => F.AvgPool2d(x[0], [3], [2], [1]),
            Samples = () => [S("[2,3,7,6] k3 s2 p1", R(2, 3, 7, 6)), S("[2,5,5] unbatched", R(2, 5, 5))],
            Reference = x => AvgPoolRef(x[0], 2, (3, 3), (2, 2), (1, 1), false, true, null),
            Errors = () => [new ErrorInput(() => F.AvgPool2d(R(1, 1, 4, 4), 2, divisorOverride: 0), "AvgPool2d", "divisor 0"),
                            new ErrorInput(() => F.AvgPool2d(Tensor.Ones([1, 1, 4, 4], DType.Int64), 2), "AvgPool2d", "integer input"),
                            new ErrorInput(() => F.AvgPool2d(R(1, 0, 4, 4), 2), "AvgPool2d", "zero channels")],
        };
        yield return new OpInfo
        {
            Name = "F.AvgPool2d",
            Variant = "ceil, exclude pad, rectangular",
            Op = x => F.AvgPool2d(x[0], [3, 2], [2, 2], [1, 1], ceilMode: true, countIncludePad: false),
            Samples = () => [S("[1,2,6,7]", R(1, 2, 6, 7))],
            Reference = x => AvgPoolRef(x[0], 2, (3, 2), (2, 2), (1, 1), true, false, null),
        };
        yield return new OpInfo
        {
            Name = "F.AvgPool2d",
            Variant = "ceil, include pad, divisor override",
            Op = x => F.AvgPool2d(x[0], [2, 3], [2, 2], [1, 1], ceilMode: true, divisorOverride: 5),
            Samples = () => [S("[1,2,5,6]", R(1, 2, 5, 6))],
            Reference = x => AvgPoolRef(x[0], 2, (2, 3), (2, 2), (1, 1), true, true, 5),
        };
        yield return new OpInfo
        {
            Name = "F.AvgPool2d",
            Variant = "ceil, include pad counts the clipped window",
            Op = x => F.AvgPool2d(x[0], 3, 2, 1, ceilMode: true),
            Samples = () => [S("[1,1,6,6]", R(1, 1, 6, 6))],
            Reference = x => AvgPoolRef(x[0], 2, (3, 3), (2, 2), (1, 1), true, true, null),
        };
        yield return new OpInfo
        {
            Name = "F.AvgPool1d",
            Op = x => F.AvgPool1d(x[0], 3, 2, 1, ceilMode: true, countIncludePad: false),
            Samples = () => [S("[2,3,8]", R(2, 3, 8)), S("[3,6] unbatched", R(3, 6))],
            Reference = x => AvgPoolRef(x[0], 1, (1, 3), (1, 2), (0, 1), true, false, null),
            Errors = () => [new ErrorInput(() => F.AvgPool1d(R(1, 2, 4), 3, padding: 2), "AvgPool1d", "padding above kernel/2")],
        };
        yield return new OpInfo
        {
            Name = "F.AdaptiveAvgPool2d",
            Op = x => F.AdaptiveAvgPool2d(x[0], [3, 4]),
            Samples = () => [S("[2,2,7,9] -> 3x4 (overlapping bins)", R(2, 2, 7, 9)), S("[2,2,3] -> 3x4 (upsampling bins)", R(2, 2, 3))],
            Reference = x => AdaptiveRef(x[0], 2, 3, 4, max: false),
            Errors = () => [new ErrorInput(() => F.AdaptiveAvgPool2d(R(1, 2, 4, 4), [2, -1]), "AdaptiveAvgPool2d", "negative size"),
                            new ErrorInput(() => F.AdaptiveAvgPool2d(R(2, 4), 2), "AdaptiveAvgPool2d", "rank 2")],
        };
        yield return new OpInfo
        {
            Name = "F.AdaptiveAvgPool2d",
            Variant = "global (1x1), keep width",
            Op = x => F.AdaptiveAvgPool2d(x[0], 1).Add(F.AdaptiveAvgPool2d(x[0], [2, null]).Sum(-2, keepDim: true).Sum(-1, keepDim: true)),
            Samples = () => [S("[2,3,5,4]", R(2, 3, 5, 4))],
            Reference = x =>
            {
                var g = AdaptiveRef(x[0], 2, 1, 1, max: false);
                var k = AdaptiveRef(x[0], 2, 2, 4, max: false);
                return new Nd(g.Shape, g.Data.Select((v, i) => v + k.Data.Skip(i * 8).Take(8).Sum()).ToArray());
            },
        };
        yield return new OpInfo
        {
            Name = "F.AdaptiveAvgPool1d",
            Op = x => F.AdaptiveAvgPool1d(x[0], 4),
            Samples = () => [S("[2,3,10]", R(2, 3, 10))],
            Reference = x => AdaptiveRef(x[0], 1, 1, 4, max: false),
        };
        yield return new OpInfo
        {
            Name = "F.AdaptiveMaxPool2d",
            Op = x => F.AdaptiveMaxPool2d(x[0], [3, 2]),
            Samples = () => [S("[2,2,7,5]", R(2, 2, 7, 5)), S("[1,2,2] upsampling bins", R(1, 2, 2))],
            Reference = x => AdaptiveRef(x[0], 2, 3, 2, max: true),
            Errors = () => [new ErrorInput(() => F.AdaptiveMaxPool2d(R(1, 2, 4, 4), [1, 2, 3]), "AdaptiveMaxPool2d", "three sizes")],
        };
        yield return new OpInfo
        {
            Name = "F.AdaptiveMaxPool2d",
            Variant = "single size",
            Op = x => F.AdaptiveMaxPool2d(x[0], 2),
            Samples = () => [S("[1,3,5,5]", R(1, 3, 5, 5))],
            Reference = x => AdaptiveRef(x[0], 2, 2, 2, max: true),
        };
        yield return new OpInfo
        {
            Name = "F.AdaptiveMaxPool2dWithIndices",
            Op = x => F.AdaptiveMaxPool2dWithIndices(x[0], [2, 3]).Indices,
            Samples = () => [S("[2,2,5,7]", R(2, 2, 5, 7))],
            Reference = x => AdaptiveRef(x[0], 2, 2, 3, max: true, indices: true),
            SupportsGrad = false,
            CheckFloat32 = false,
        };
        yield return new OpInfo
        {
            Name = "F.AdaptiveMaxPool1d",
            Op = x => F.AdaptiveMaxPool1d(x[0], 3),
            Samples = () => [S("[2,2,8]", R(2, 2, 8))],
            Reference = x => AdaptiveRef(x[0], 1, 1, 3, max: true),
        };
        yield return new OpInfo
        {
            Name = "F.AdaptiveMaxPool1dWithIndices",
            Op = x => F.AdaptiveMaxPool1dWithIndices(x[0], 3).Output,
            Samples = () => [S("[2,2,8]", R(2, 2, 8))],
            Reference = x => AdaptiveRef(x[0], 1, 1, 3, max: true),
        };
        yield return new OpInfo
        {
            Name = "F.MaxUnpool2d",
            Op = x => F.MaxUnpool2d(x[0], x[1], [2]),
            Samples = () =>
            {
                var src = R(2, 2, 4, 6);
                return [S("pooled 2x2 of [2,2,4,6]", R(2, 2, 2, 3), Indices2d(src, 2))];
            },
            Reference = x => UnpoolRef(x[0], x[1], [4, 6]),
            Errors = () => [new ErrorInput(() => F.MaxUnpool2d(R(1, 1, 2, 2), Tensor.FromArray(new long[] { 0, 1, 2, 16 }, [1, 1, 2, 2]), [2]), "MaxUnpool2d", "index 16 of 16"),
                            new ErrorInput(() => F.MaxUnpool2d(R(1, 1, 2, 2), Tensor.Zeros([1, 1, 2, 2], DType.Int64), [2], outputSize: [6, 4]), "MaxUnpool2d", "output size out of range"),
                            new ErrorInput(() => F.MaxUnpool2d(R(1, 1, 2, 2), Tensor.Zeros([1, 1, 2, 3], DType.Int64), [2]), "MaxUnpool2d", "indices shape")],
        };
        yield return new OpInfo
        {
            Name = "F.MaxUnpool2d",
            Variant = "stride 1 overlaps, explicit size with N, C",
            Op = x => F.MaxUnpool2d(x[0], x[1], [2], [1], outputSize: [1, 2, 5, 5]),
            Samples = () =>
            {
                var src = R(1, 2, 5, 5);
                var (_, idx) = F.MaxPool2dWithIndices(src, [2], [1]);
                return [S("pooled k2 s1 of [1,2,5,5]", R(1, 2, 4, 4), idx)];
            },
            Reference = x => UnpoolRef(x[0], x[1], [5, 5]),
            SupportsGrad = false, // repeated indices: assignment keeps one source, the gradient (a gather) reaches all, as in PyTorch
        };
        yield return new OpInfo
        {
            Name = "F.MaxUnpool1d",
            Op = x => F.MaxUnpool1d(x[0], x[1], 2, outputSize: [9]),
            Samples = () => [S("pooled k2 of [2,3,9]", R(2, 3, 4), F.MaxPool1dWithIndices(R(2, 3, 9), 2).Indices)],
            Reference = x => UnpoolRef(x[0], x[1], [9]),
        };
    }
}

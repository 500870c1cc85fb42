using System.Numerics;

namespace Lantern.Kernels;

/// <summary>
/// A 1-D resampling operator in compressed rows: output position o reads the input positions
/// <c>Index[Start[o] .. Start[o+1])</c> with the matching <c>Weight</c>s, out[o] = sum_j Weight[j] * in[Index[j]].
/// Every separable pooling and interpolation op is a pair of these (one for H, one for W): average pooling
/// (weights 1/divisor), adaptive average pooling, nearest / linear / cubic interpolation, and the windows of max
/// pooling (weights unused, positions in scan order). The gradient of a resample is the resample by the
/// transposed taps (<see cref="Transposed"/>), so backward reuses the forward kernel.
/// Builders follow PyTorch's index arithmetic exactly (aten/src/ATen/native/UpSample.h, Pool.h,
/// AdaptivePooling.h); see each builder.
/// </summary>
public sealed class ResampleTaps
{
    private ResampleTaps? _transposed;

    private ResampleTaps(int inSize, int outSize, int[] start, int[] index, double[] weight)
    {
        InSize = inSize;
        OutSize = outSize;
        Start = start;
        Index = index;
        Weight = weight;
        bool identity = inSize == outSize && index.Length == outSize;
        for (int o = 0; identity && o < outSize; o++) identity = start[o] == o && index[o] == o && weight[o] == 1;
        IsIdentity = identity;
        bool gather = index.Length == outSize;
        for (int o = 0; gather && o < outSize; o++) gather = start[o] == o && weight[o] == 1;
        IsGather = gather;
        Regular = FindRegular(); // eager: kernels read it from several threads
    }

    /// <summary>Input length.</summary>
    public int InSize { get; }

    /// <summary>Output length.</summary>
    public int OutSize { get; }

    /// <summary>Row starts into <see cref="Index"/>/<see cref="Weight"/>; length OutSize + 1.</summary>
    public int[] Start { get; }

    /// <summary>Input positions (each in [0, InSize)).</summary>
    public int[] Index { get; }

    /// <summary>Weights, one per entry of <see cref="Index"/>.</summary>
    public double[] Weight { get; }

    /// <summary>True when out[o] = in[o] for every o (the resample is a copy).</summary>
    public bool IsIdentity { get; }

    /// <summary>True when every output reads exactly one input with weight 1 (nearest-neighbour resampling).</summary>
    public bool IsGather { get; }

    /// <summary>Largest number of taps of one output position.</summary>
    public int MaxTaps
    {
        get
        {
            int m = 0;
            for (int o = 0; o < OutSize; o++) m = Math.Max(m, Start[o + 1] - Start[o]);
            return m;
        }
    }

    /// <summary>
    /// The longest run of output positions [First, First + Count) whose taps are Kernel consecutive inputs starting at
    /// Offset + Stride * o, all with one weight (the interior of a pooling window sweep). Count 0 when none.
    /// Kernels use it for vectorised paths; outputs outside it take the general path.
    /// </summary>
    public RegularRun Regular { get; }

    private RegularRun FindRegular()
    {
        var best = new RegularRun(0, 0, 0, 0, 0, 0);
        int runStart = -1, k = 0, stride = 0;
        double w = 0;
        for (int o = 0; o <= OutSize; o++)
        {
            bool ok = o < OutSize && Start[o + 1] > Start[o];
            int j0 = ok ? Start[o] : 0, n = ok ? Start[o + 1] - Start[o] : 0;
            for (int j = j0 + 1; ok && j < j0 + n; j++) ok = Index[j] == Index[j - 1] + 1 && Weight[j] == Weight[j0];
            if (ok && runStart >= 0)
            {
                int prev = Index[Start[o - 1]], step = Index[j0] - prev;
                bool continues = n == k && Weight[j0] == w && step >= 1 && (o - 1 == runStart ? true : step == stride);
                if (continues)
                {
                    stride = step;
                    continue;
                }
            }
            // The run [runStart, o) ends here.
            if (runStart >= 0 && o - runStart > best.Count)
            {
                int first = runStart, count = o - runStart;
                best = new RegularRun(first, count, k, count > 1 ? stride : 1, Index[Start[first]] - (count > 1 ? stride : 1) * first, w);
            }
            runStart = ok ? o : -1;
            k = n;
            w = ok ? Weight[j0] : 0;
            stride = 0;
        }
        return best;
    }

    /// <summary>The adjoint operator (InSize and OutSize swapped): in[i] = sum over taps (o, i, w) of w * out[o].
    /// Entries of one input position keep increasing output order, so accumulation order is fixed.</summary>
    public ResampleTaps Transposed
    {
        get
        {
            if (_transposed is not null) return _transposed;
            var count = new int[InSize + 1];
            foreach (int i in Index) count[i + 1]++;
            for (int i = 0; i < InSize; i++) count[i + 1] += count[i];
            var start = (int[])count.Clone();
            var index = new int[Index.Length];
            var weight = new double[Weight.Length];
            var fill = (int[])count.Clone();
            for (int o = 0; o < OutSize; o++)
                for (int j = Start[o]; j < Start[o + 1]; j++)
                {
                    int k = fill[Index[j]]++;
                    index[k] = o;
                    weight[k] = Weight[j];
                }
            var t = new ResampleTaps(OutSize, InSize, start, index, weight) { _transposed = this };
            _transposed = t;
            return t;
        }
    }

    /// <summary>Builds taps from one list of (input position, weight) per output position.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A position outside [0, inSize).</exception>
    public static ResampleTaps FromLists(int inSize, IReadOnlyList<IReadOnlyList<(int Index, double Weight)>> taps)
    {
        var start = new int[taps.Count + 1];
        for (int o = 0; o < taps.Count; o++) start[o + 1] = start[o] + taps[o].Count;
        var index = new int[start[^1]];
        var weight = new double[start[^1]];
        for (int o = 0, k = 0; o < taps.Count; o++)
            foreach (var (i, w) in taps[o])
            {
                if ((uint)i >= (uint)inSize)
                    throw new ArgumentOutOfRangeException(nameof(taps), i, $"ResampleTaps: position {i} outside [0, {inSize}).");
                index[k] = i;
                weight[k++] = w;
            }
        return new ResampleTaps(inSize, taps.Count, start, index, weight);
    }

    /// <summary>out[o] = in[o].</summary>
    public static ResampleTaps Identity(int n)
    {
        var start = new int[n + 1];
        var index = new int[n];
        var weight = new double[n];
        for (int i = 0; i < n; i++) { start[i + 1] = i + 1; index[i] = i; weight[i] = 1; }
        return new ResampleTaps(n, n, start, index, weight);
    }

    private sealed class Builder(int inSize, int outSize)
    {
        private readonly List<int> _index = new(outSize * 2);
        private readonly List<double> _weight = new(outSize * 2);
        private readonly int[] _start = new int[outSize + 1];
        private int _o;

        public void Add(int i, double w)
        {
            _index.Add(i);
            _weight.Add(w);
        }

        public void EndRow() => _start[++_o] = _index.Count;

        public ResampleTaps Build() => new(inSize, outSize, _start, _index.ToArray(), _weight.ToArray());
    }

    /// <summary>
    /// PyTorch's pooling output size (pooling_output_shape): floor or ceil of
    /// (in + 2 pad - dilation (kernel - 1) - 1) / stride + 1; in ceil mode the last window must start inside the
    /// input or the left padding, else it is dropped. May return a value &lt;= 0 (callers reject it).
    /// </summary>
    public static int PoolOutputSize(int inSize, int kernel, int stride, int padding, int dilation, bool ceilMode)
    {
        long num = (long)inSize + 2L * padding - (long)dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0);
        long o = (long)Math.Floor((double)num / stride) + 1;
        if (ceilMode && (o - 1) * stride >= inSize + padding) o--;
        return (int)o;
    }

    /// <summary>
    /// Max-pooling windows: output o scans positions o*stride - padding + k*dilation (k = 0..kernel-1) that lie in
    /// [0, inSize), in increasing order (weights 1). A window may be empty only when dilation skips every input
    /// position; callers reject that.
    /// </summary>
    public static ResampleTaps MaxWindows(int inSize, int outSize, int kernel, int stride, int padding, int dilation)
    {
        var b = new Builder(inSize, outSize);
        for (int o = 0; o < outSize; o++)
        {
            long s = (long)o * stride - padding;
            long e = Math.Min(s + (long)(kernel - 1) * dilation + 1, inSize);
            while (s < 0) s += dilation;
            for (long i = s; i < e; i += dilation) b.Add((int)i, 1);
            b.EndRow();
        }
        return b.Build();
    }

    /// <summary>
    /// Average-pooling taps (PyTorch's avg_pool2d CPU kernel, one dim): window [o*stride - padding, + kernel)
    /// clipped to [-padding, inSize + padding) gives the padded count, clipped to [0, inSize) the real count; each
    /// tap weighs 1 / divisor where divisor = <paramref name="fixedDivisor"/> when given, else the padded count
    /// (countIncludePad) or the real count. Empty windows give no taps (output 0).
    /// </summary>
    public static ResampleTaps AvgWindows(int inSize, int outSize, int kernel, int stride, int padding, bool countIncludePad, double? fixedDivisor = null)
    {
        var b = new Builder(inSize, outSize);
        for (int o = 0; o < outSize; o++)
        {
            long s = (long)o * stride - padding;
            long e = Math.Min(s + kernel, (long)inSize + padding);
            long padded = e - s;
            s = Math.Max(s, 0);
            e = Math.Min(e, inSize);
            double div = fixedDivisor ?? (countIncludePad ? padded : e - s);
            for (long i = s; i < e; i++) b.Add((int)i, 1.0 / div);
            b.EndRow();
        }
        return b.Build();
    }

    /// <summary>
    /// Adaptive pooling bins (PyTorch's start_index/end_index): output o covers [floor(o*in/out), ceil((o+1)*in/out)).
    /// Weights are 1 / bin length when <paramref name="average"/>, else 1.
    /// </summary>
    public static ResampleTaps AdaptiveBins(int inSize, int outSize, bool average)
    {
        var b = new Builder(inSize, outSize);
        for (int o = 0; o < outSize; o++)
        {
            int s = (int)((long)o * inSize / outSize);
            int e = (int)(((long)(o + 1) * inSize + outSize - 1) / outSize);
            for (int i = s; i < e; i++) b.Add(i, average ? 1.0 / (e - s) : 1);
            b.EndRow();
        }
        return b.Build();
    }

    /// <summary>PyTorch's compute_scales_value in float: 1/scale when a positive scale is given, else in/out.</summary>
    private static float ScaleF(int inSize, int outSize, double? scale) =>
        scale is { } s && s > 0 ? (float)(1.0 / s) : (float)inSize / outSize;

    private static double ScaleD(int inSize, int outSize, double? scale) =>
        scale is { } s && s > 0 ? 1.0 / s : (double)inSize / outSize;

    /// <summary>
    /// Nearest neighbour (PyTorch's generic CPU forward, HelperInterpNearest / HelperInterpNearestExact):
    /// legacy "nearest" reads floor(o * scale), "nearest-exact" reads floor((o + 0.5) * scale - 0.5 + 0.5) with a
    /// negative source clamped to 0; both capped at in - 1. scale is 1/<paramref name="scale"/> when a scale factor is
    /// used, else in/out. The arithmetic runs in float for float32 data (<paramref name="single"/>) and in double,
    /// rounded to float before floorf, for float64 data, exactly as PyTorch's kernel does.
    /// </summary>
    public static ResampleTaps Nearest(int inSize, int outSize, double? scale, bool exact, bool single)
    {
        var b = new Builder(inSize, outSize);
        float sf = ScaleF(inSize, outSize, scale);
        double sd = ScaleD(inSize, outSize, scale);
        for (int o = 0; o < outSize; o++)
        {
            float real;
            if (!exact) real = single ? sf * o : (float)(sd * o);
            else if (single)
            {
                float r = sf * (o + 0.5f) - 0.5f;
                real = (float)((double)(r < 0 ? 0 : r) + 0.5);
            }
            else
            {
                double r = sd * (o + 0.5) - 0.5;
                real = (float)((r < 0 ? 0 : r) + 0.5);
            }
            b.Add((int)Math.Min((long)MathF.Floor(real), inSize - 1), 1);
            b.EndRow();
        }
        return b.Build();
    }

    // The linear and cubic builders run in T = float for float32 data and double for float64 data, as PyTorch's
    // kernels do (opmath_t), so weights agree with libtorch to the last bit of the index arithmetic.

    /// <summary>PyTorch's area_pixel_compute_scale: (in-1)/(out-1) with align_corners (0 when out = 1), else compute_scales_value.</summary>
    private static T AreaScale<T>(int inSize, int outSize, bool alignCorners, double? scale) where T : IFloatingPointIeee754<T> =>
        alignCorners ? (outSize > 1 ? T.CreateTruncating(inSize - 1) / T.CreateTruncating(outSize - 1) : T.Zero)
            : scale is { } s && s > 0 ? T.CreateTruncating(1.0 / s) : T.CreateTruncating(inSize) / T.CreateTruncating(outSize);

    /// <summary>PyTorch's area_pixel_compute_source_index: scale*o with align_corners, else scale*(o+0.5)-0.5 (clamped at 0 unless cubic).</summary>
    private static T SourceIndex<T>(T scale, int o, bool alignCorners, bool cubic) where T : IFloatingPointIeee754<T>
    {
        if (alignCorners) return scale * T.CreateTruncating(o);
        T half = T.CreateTruncating(0.5);
        T r = scale * (T.CreateTruncating(o) + half) - half;
        return !cubic && r < T.Zero ? T.Zero : r;
    }

    /// <summary>PyTorch's guard_index_and_lambda: index min(floor(real), in-1), fraction clamped to [0, 1].</summary>
    private static (int Index, T Lambda) Guard<T>(T real, int inSize) where T : IFloatingPointIeee754<T>
    {
        int i = (int)Math.Min(long.CreateSaturating(T.Floor(real)), inSize - 1);
        return (i, T.Min(T.Max(real - T.CreateTruncating(i), T.Zero), T.One));
    }

    /// <summary>
    /// Linear interpolation (PyTorch's compute_source_index_and_lambda): equal sizes copy; otherwise the source
    /// position s from <see cref="SourceIndex{T}"/> (negative clamped to 0), i0 = min(floor s, in-1),
    /// i1 = min(i0+1, in-1), weights (1 - l, l) with l = s - i0 clamped to [0, 1]. Computed in float when
    /// <paramref name="single"/> (float32 data), in double otherwise.
    /// </summary>
    public static ResampleTaps Linear(int inSize, int outSize, bool alignCorners, double? scale, bool single = false) =>
        inSize == outSize ? Identity(inSize) : single ? LinearT<float>(inSize, outSize, alignCorners, scale) : LinearT<double>(inSize, outSize, alignCorners, scale);

    private static ResampleTaps LinearT<T>(int inSize, int outSize, bool alignCorners, double? scale) where T : IFloatingPointIeee754<T>
    {
        var b = new Builder(inSize, outSize);
        T sc = AreaScale<T>(inSize, outSize, alignCorners, scale);
        for (int o = 0; o < outSize; o++)
        {
            var (i0, l1) = Guard(SourceIndex(sc, o, alignCorners, cubic: false), inSize);
            b.Add(i0, double.CreateTruncating(T.One - l1));
            b.Add(i0 < inSize - 1 ? i0 + 1 : i0, double.CreateTruncating(l1));
            b.EndRow();
        }
        return b.Build();
    }

    /// <summary>Keys' cubic convolution kernel with A = -0.75 (PyTorch's get_cubic_upsample_coefficients) at fraction t.</summary>
    public static void CubicCoefficients<T>(T t, Span<T> c) where T : IFloatingPointIeee754<T>
    {
        T a = T.CreateTruncating(-0.75), one = T.One, two = one + one;
        T three = two + one, four = two + two, five = four + one, eight = four + four;
        T Near(T x) => ((a + two) * x - (a + three)) * x * x + one;
        T Far(T x) => ((a * x - five * a) * x + eight * a) * x - four * a;
        c[0] = Far(t + one);
        c[1] = Near(t);
        c[2] = Near(one - t);
        c[3] = Far(two - t);
    }

    /// <summary>
    /// Bicubic interpolation, one dim (PyTorch's compute_indices_weights_cubic): source position s (not clamped),
    /// i = min(floor s, in-1), t = s - i clamped to [0, 1]; taps i-1 .. i+2 with positions clamped into [0, in-1]
    /// (border replicate) and Keys' weights (A = -0.75). Computed in float when <paramref name="single"/>.
    /// </summary>
    public static ResampleTaps Cubic(int inSize, int outSize, bool alignCorners, double? scale, bool single = false) =>
        single ? CubicT<float>(inSize, outSize, alignCorners, scale) : CubicT<double>(inSize, outSize, alignCorners, scale);

    private static ResampleTaps CubicT<T>(int inSize, int outSize, bool alignCorners, double? scale) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var b = new Builder(inSize, outSize);
        T sc = AreaScale<T>(inSize, outSize, alignCorners, scale);
        Span<T> c = stackalloc T[4];
        for (int o = 0; o < outSize; o++)
        {
            var (i0, t) = Guard(SourceIndex(sc, o, alignCorners, cubic: true), inSize);
            CubicCoefficients(t, c);
            for (int j = 0; j < 4; j++) b.Add(Math.Clamp(i0 - 1 + j, 0, inSize - 1), double.CreateTruncating(c[j]));
            b.EndRow();
        }
        return b.Build();
    }
}

/// <summary>A run of regular windows in <see cref="ResampleTaps"/>: output o in [First, First + Count) reads inputs
/// Offset + Stride * o + b for b in [0, Kernel), each with <paramref name="Weight"/>.</summary>
/// <param name="First">First output position of the run.</param>
/// <param name="Count">Number of output positions (0: no run).</param>
/// <param name="Kernel">Taps per output.</param>
/// <param name="Stride">Input step between consecutive outputs.</param>
/// <param name="Offset">Input position of output 0's first tap (may be negative).</param>
/// <param name="Weight">The common weight.</param>
public readonly record struct RegularRun(int First, int Count, int Kernel, int Stride, int Offset, double Weight);


namespace Lantern.NN;

/// <summary>
/// torch.nn.init: in-place initialisers (run without recording gradients) with PyTorch's formulas, fan
/// computation and gains. Each takes an optional <see cref="Generator"/> (default: the global one).
/// </summary>
public static class Init
{
    /// <summary>
    /// torch.nn.init.calculate_gain: linear, conv*, sigmoid 1; tanh 5/3; relu sqrt(2);
    /// leaky_relu sqrt(2 / (1 + slope^2)) (slope default 0.01); selu 3/4.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown nonlinearity.</exception>
    public static double CalculateGain(string nonlinearity, double? param = null) => nonlinearity switch
    {
        "linear" or "conv1d" or "conv2d" or "conv3d" or "conv_transpose1d" or "conv_transpose2d" or "conv_transpose3d" or "sigmoid" => 1,
        "tanh" => 5.0 / 3,
        "relu" => Math.Sqrt(2.0),
        "leaky_relu" => Math.Sqrt(2.0 / (1 + Math.Pow(param ?? 0.01, 2))),
        "selu" => 3.0 / 4,
        _ => throw new ArgumentException($"Init.CalculateGain: unsupported nonlinearity '{nonlinearity}'."),
    };

    /// <summary>fan_in = size(1) * receptive field, fan_out = size(0) * receptive field (receptive field = product of dims 2..).</summary>
    /// <exception cref="ArgumentException">Fewer than 2 dims.</exception>
    public static (int FanIn, int FanOut) CalculateFanInAndFanOut(Tensor t)
    {
        if (t.Rank < 2)
            throw new ArgumentException($"Init: fan in and fan out can not be computed for tensor with fewer than 2 dimensions (shape {t.Shape}).");
        int receptive = 1;
        for (int d = 2; d < t.Rank; d++) receptive *= t.Shape[d];
        return (t.Shape[1] * receptive, t.Shape[0] * receptive);
    }

    private static int Fan(Tensor t, string mode)
    {
        var (fin, fout) = CalculateFanInAndFanOut(t);
        return mode switch
        {
            "fan_in" => fin,
            "fan_out" => fout,
            _ => throw new ArgumentException($"Init: mode {mode} not supported, please use one of fan_in, fan_out."),
        };
    }

    private static Tensor Write(Tensor t, Tensor values)
    {
        using (Autograd.NoGrad()) t.Copy_(values);
        return t;
    }

    /// <summary>U(a, b) in place.</summary>
    public static Tensor Uniform_(Tensor t, double a = 0, double b = 1, Generator? generator = null) =>
        Write(t, Tensor.Uniform(t.Shape, a, b, t.DType, generator: generator));

    /// <summary>N(mean, std^2) in place.</summary>
    public static Tensor Normal_(Tensor t, double mean = 0, double std = 1, Generator? generator = null) =>
        Write(t, Tensor.Normal(t.Shape, mean, std, t.DType, generator: generator));

    /// <summary>
    /// Normal(mean, std) truncated to [a, b] in place (values outside are redrawn, which gives the truncated
    /// normal distribution torch.nn.init.trunc_normal_ samples).
    /// </summary>
    public static Tensor TruncNormal_(Tensor t, double mean = 0, double std = 1, double a = -2, double b = 2, Generator? generator = null)
    {
        if (a >= b) throw new ArgumentException($"Init.TruncNormal_: expected a < b, got a={a}, b={b}.");
        var g = generator ?? Lantern.DefaultGenerator;
        int n = t.Numel();
        var v = new double[n];
        int filled = 0;
        while (filled < n)
        {
            var draw = Tensor.Normal([Math.Max(n - filled, 16) * 2], mean, std, DType.Float64, generator: g).ToArray<double>();
            foreach (var x in draw)
                if (x >= a && x <= b && filled < n) v[filled++] = x;
        }
        return Write(t, Tensor.FromArray(v, t.Shape));
    }

    /// <summary>Fills with a constant.</summary>
    public static Tensor Constant_(Tensor t, double value)
    {
        using (Autograd.NoGrad()) t.Fill_(value);
        return t;
    }

    /// <summary>Fills with 0.</summary>
    public static Tensor Zeros_(Tensor t) => Constant_(t, 0);

    /// <summary>Fills with 1.</summary>
    public static Tensor Ones_(Tensor t) => Constant_(t, 1);

    /// <summary>Identity matrix in place (2-D only).</summary>
    public static Tensor Eye_(Tensor t)
    {
        if (t.Rank != 2) throw new ArgumentException($"Init.Eye_: only tensors with 2 dimensions are supported (shape {t.Shape}).");
        return Write(t, Tensor.Eye(t.Shape[0], t.Shape[1], t.DType));
    }

    /// <summary>Xavier/Glorot uniform: U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)).</summary>
    public static Tensor XavierUniform_(Tensor t, double gain = 1, Generator? generator = null)
    {
        var (fin, fout) = CalculateFanInAndFanOut(t);
        double a = gain * Math.Sqrt(6.0 / (fin + fout));
        return Uniform_(t, -a, a, generator);
    }

    /// <summary>Xavier/Glorot normal: N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out)).</summary>
    public static Tensor XavierNormal_(Tensor t, double gain = 1, Generator? generator = null)
    {
        var (fin, fout) = CalculateFanInAndFanOut(t);
        return Normal_(t, 0, gain * Math.Sqrt(2.0 / (fin + fout)), generator);
    }

    /// <summary>
    /// Kaiming/He uniform: U(-bound, bound), bound = gain / sqrt(fan) * sqrt(3) with gain = CalculateGain(nonlinearity, a).
    /// PyTorch layers use a = sqrt(5), which gives bound = 1 / sqrt(fan_in).
    /// </summary>
    public static Tensor KaimingUniform_(Tensor t, double a = 0, string mode = "fan_in", string nonlinearity = "leaky_relu", Generator? generator = null)
    {
        if (t.Numel() == 0) return t;
        double std = CalculateGain(nonlinearity, a) / Math.Sqrt(Fan(t, mode));
        double bound = Math.Sqrt(3.0) * std;
        return Uniform_(t, -bound, bound, generator);
    }

    /// <summary>Kaiming/He normal: N(0, std^2), std = gain / sqrt(fan).</summary>
    public static Tensor KaimingNormal_(Tensor t, double a = 0, string mode = "fan_in", string nonlinearity = "leaky_relu", Generator? generator = null)
    {
        if (t.Numel() == 0) return t;
        return Normal_(t, 0, CalculateGain(nonlinearity, a) / Math.Sqrt(Fan(t, mode)), generator);
    }

    /// <summary>
    /// (Semi-)orthogonal matrix in place, as torch.nn.init.orthogonal_: QR of a normal [rows, cols] matrix
    /// (transposed when rows &lt; cols), Q's columns sign-corrected by diag(R), times gain. Dims after the first are flattened.
    /// </summary>
    public static Tensor Orthogonal_(Tensor t, double gain = 1, Generator? generator = null)
    {
        if (t.Rank < 2) throw new ArgumentException($"Init.Orthogonal_: only tensors with 2 or more dimensions are supported (shape {t.Shape}).");
        if (t.Numel() == 0) return t;
        int rows = t.Shape[0], cols = t.Numel() / rows;
        var flat = Tensor.Randn([rows, cols], DType.Float64, generator: generator).ToArray<double>();
        bool transpose = rows < cols;
        int m = transpose ? cols : rows, n = transpose ? rows : cols;   // m >= n
        var a = new double[m, n];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                if (transpose) a[j, i] = flat[i * cols + j]; else a[i, j] = flat[i * cols + j];
        var q = HouseholderQ(a, m, n);
        var result = new double[rows * cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                result[i * cols + j] = gain * (transpose ? q[j, i] : q[i, j]);
        return Write(t, Tensor.FromArray(result, t.Shape));
    }

    // Thin QR by Householder reflections in float64; returns Q (m x n) with Q's columns multiplied by sign(diag(R)).
    private static double[,] HouseholderQ(double[,] a, int m, int n)
    {
        var r = (double[,])a.Clone();
        var vs = new double[n][];
        for (int k = 0; k < n; k++)
        {
            double norm = 0;
            for (int i = k; i < m; i++) norm += r[i, k] * r[i, k];
            norm = Math.Sqrt(norm);
            var v = new double[m];
            double alpha = r[k, k] >= 0 ? -norm : norm;
            for (int i = k; i < m; i++) v[i] = r[i, k];
            v[k] -= alpha;
            double vn = 0;
            for (int i = k; i < m; i++) vn += v[i] * v[i];
            if (vn > 0)
                for (int j = k; j < n; j++)
                {
                    double s = 0;
                    for (int i = k; i < m; i++) s += v[i] * r[i, j];
                    s = 2 * s / vn;
                    for (int i = k; i < m; i++) r[i, j] -= s * v[i];
                }
            vs[k] = vn > 0 ? v.Select(x => x / Math.Sqrt(vn)).ToArray() : v;
        }
        // Q = H0 H1 ... H(n-1) applied to the first n columns of the identity.
        var q = new double[m, n];
        for (int j = 0; j < n; j++) q[j, j] = 1;
        for (int k = n - 1; k >= 0; k--)
        {
            var v = vs[k];
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int i = k; i < m; i++) s += v[i] * q[i, j];
                for (int i = k; i < m; i++) q[i, j] -= 2 * s * v[i];
            }
        }
        for (int j = 0; j < n; j++)
            if (r[j, j] < 0)
                for (int i = 0; i < m; i++) q[i, j] = -q[i, j];
        return q;
    }
}

namespace Lantern.NN;

// Batch and instance normalisation (torch.nn.functional.batch_norm / instance_norm) on fused kernels: one pass
// over x for the statistics, one to normalise; backward one pass for the two gradient sums, one for dx:
//   dx = w rstd (g - mean(g) - xhat mean(g xhat))  (training),  dx = w rstd g  (running statistics).
// When the backward itself must be differentiated (createGraph) the same derivative is built from
// differentiable tensor ops. Group norm and local response norm live in F.GroupNorm.cs.
public static partial class F
{
    /// <summary>[C] viewed as [1, C, 1, ...] for an input of the given rank.</summary>
    private static Tensor PerChannel(Tensor t, int rank)
    {
        var shape = Enumerable.Repeat(1, rank).ToArray();
        shape[1] = t.Numel();
        return t.Reshape(shape);
    }

    /// <summary>Every dim but the channel dim 1.</summary>
    private static int[] NonChannelDims(int rank) => [0, .. Enumerable.Range(2, rank - 2)];

    private static void CheckPerChannel(Tensor? t, int c, string what, string op)
    {
        if (t is not null && (t.Rank != 1 || t.Shape[0] != c))
            throw new ArgumentException($"{op}: {what} should contain {c} elements (one per channel), got shape {t.Shape}.");
    }

    /// <summary>
    /// torch.nn.functional.batch_norm: per channel (dim 1 of x [N, C, *]) y = (x - mean) / sqrt(var + eps) * weight
    /// + bias. With <paramref name="training"/> the statistics are the batch's over N and * (biased variance) and,
    /// when running buffers are given, they are updated in place: running = (1 - momentum) running + momentum
    /// stat, with the unbiased batch variance (var * M / (M - 1), M = N * prod(*)) for running_var. Without
    /// training the running statistics normalise. weight and bias ([C]) are optional.
    /// </summary>
    /// <exception cref="ArgumentException">Rank &lt; 2, a per-channel tensor not of shape [C], running statistics missing when not
    /// training, or a single value per channel when training.</exception>
    [Differentiable]
    public static Tensor BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null, Tensor? bias = null,
        bool training = false, double momentum = 0.1, double eps = 1e-5)
    {
        if (input.Rank < 2)
            throw new ArgumentException($"BatchNorm: expected an input of at least 2 dimensions [N, C, *], got shape {input.Shape}.");
        int c = input.Shape[1];
        CheckPerChannel(runningMean, c, "running_mean", "BatchNorm");
        CheckPerChannel(runningVar, c, "running_var", "BatchNorm");
        CheckPerChannel(weight, c, "weight", "BatchNorm");
        CheckPerChannel(bias, c, "bias", "BatchNorm");
        if (!training && (runningMean is null || runningVar is null))
            throw new ArgumentException("BatchNorm: running_mean and running_var must be given when training is false.");
        if (training && input.Numel() / Math.Max(c, 1) <= 1 && input.Numel() > 0)
            throw new ArgumentException($"BatchNorm: expected more than 1 value per channel when training, got input size {input.Shape}.");
        var x = input.AsFloating();
        int n = x.Shape[0], l = n * c == 0 ? 0 : x.Numel() / (n * c);
        var y = NormCore(x, n, c, l, weight, bias, training, runningMean, runningVar, eps, "BatchNorm", out var batchMean, out var batchVar);
        if (training && runningMean is not null && runningVar is not null)
            UpdateRunning(runningMean, runningVar, batchMean, batchVar, (long)n * l, momentum);
        return y;
    }

    /// <summary>running = (1 - momentum) running + momentum stat, in place and unrecorded; running_var takes the unbiased variance.</summary>
    private static void UpdateRunning(Tensor runningMean, Tensor runningVar, Tensor mean, Tensor variance, long count, double momentum)
    {
        using (Autograd.NoGrad())
        {
            double unbias = count > 1 ? (double)count / (count - 1) : double.NaN;
            runningMean.Copy_(runningMean.Mul(1 - momentum).Add(mean.To(runningMean.DType).Mul(momentum)));
            runningVar.Copy_(runningVar.Mul(1 - momentum).Add(variance.Mul(unbias).To(runningVar.DType).Mul(momentum)));
        }
    }

    /// <summary>
    /// The shared normalisation over x viewed as [n, c, l]: statistics per channel c over n and l (the batch's when
    /// <paramref name="batchStats"/>, else <paramref name="fixedMean"/>/<paramref name="fixedVar"/>), then the
    /// per-channel affine. Returns y (with the op recorded) and the batch statistics used (biased variance).
    /// </summary>
    private static Tensor NormCore(Tensor x, int n, int c, int l, Tensor? weight, Tensor? bias, bool batchStats,
        Tensor? fixedMean, Tensor? fixedVar, double eps, string name, out Tensor mean, out Tensor variance)
    {
        Tensor rstd, y;
        long count = (long)n * l;
        using (Autograd.NoGrad())
        {
            if (batchStats) (mean, variance) = Tensor.ChannelMoments(x, n, c, l);
            else { mean = fixedMean!.To(x.DType).Detach(); variance = fixedVar!.To(x.DType).Detach(); }
            rstd = variance.Add(eps).Rsqrt();
            var scale = weight is null ? rstd : rstd.Mul(weight.Detach()).To(x.DType);
            var shift = bias is null ? Tensor.Zeros([c], x.DType) : bias.Detach().To(x.DType);
            y = Tensor.ChannelAffine(x, n, c, l, false, mean, 1, scale, shift);
        }
        var inputs = new List<Tensor> { x };
        if (weight is not null) inputs.Add(weight);
        if (bias is not null) inputs.Add(bias);
        if (!Autograd.NeedsGrad(inputs.ToArray())) return y;
        var m = mean;
        var shape = x.Shape.ToArray();
        return Autograd.Record(y, name, inputs.ToArray(), g =>
        {
            var (dx, dw, db) = Autograd.IsGradEnabled
                ? NormBackwardComposite(g, x.Reshape(n, c, l), weight, batchStats, m, rstd, eps, x.RequiresGrad)
                : NormBackwardFused(g, x, n, c, l, weight, batchStats, m, rstd, count, x.RequiresGrad, weight?.RequiresGrad == true || bias?.RequiresGrad == true);
            var grads = new List<Tensor?> { dx?.Reshape(shape) };
            if (weight is not null) grads.Add(dw);
            if (bias is not null) grads.Add(db);
            return grads.ToArray();
        }, weight is null ? [x] : [x, weight]);
    }

    private static (Tensor? Dx, Tensor? Dw, Tensor? Db) NormBackwardFused(Tensor g, Tensor x, int n, int c, int l, Tensor? weight, bool batchStats,
        Tensor mean, Tensor rstd, long count, bool needDx, bool needParams)
    {
        var w = weight is null ? Tensor.Ones([c], x.DType) : weight.Detach().To(x.DType);
        Tensor? sumG = null, sumGXc = null;
        if (needParams || (needDx && batchStats)) (sumG, sumGXc) = Tensor.ChannelGradSums(g, x, n, c, l, false, mean, 1);
        Tensor? dx = null;
        if (needDx)
        {
            var a = w.Mul(rstd);
            dx = batchStats
                ? Tensor.ChannelAffineBackward(g, x, n, c, l, false, mean, 1, a,
                    a.Mul(rstd).Mul(rstd).Mul(sumGXc!).Div(-(double)count), a.Mul(sumG!).Div(-(double)count))
                : Tensor.ChannelAffine(g.To(x.DType), n, c, l, false, null, 1, a, Tensor.Zeros([c], x.DType));
        }
        return (dx, sumGXc?.Mul(rstd), sumG);
    }

    /// <summary>The same gradients from differentiable ops on x viewed as [n, c, l] (double backward).</summary>
    private static (Tensor? Dx, Tensor? Dw, Tensor? Db) NormBackwardComposite(Tensor g, Tensor x3, Tensor? weight, bool batchStats,
        Tensor fixedMean, Tensor fixedRstd, double eps, bool needDx)
    {
        var g3 = g.Reshape(x3.Shape.ToArray());
        int[] dims = [0, 2];
        Tensor xhat, rs;
        if (batchStats)
        {
            var xc = x3.Sub(x3.Mean(dims, keepDim: true));
            rs = xc.Mul(xc).Mean(dims, keepDim: true).Add(eps).Rsqrt();
            xhat = xc.Mul(rs);
        }
        else
        {
            rs = fixedRstd.Reshape(1, -1, 1);
            xhat = x3.Sub(fixedMean.Reshape(1, -1, 1)).Mul(rs);
        }
        Tensor? dx = null;
        if (needDx)
        {
            var gw = weight is null ? g3 : g3.Mul(weight.Reshape(1, -1, 1));
            dx = batchStats
                ? rs.Mul(gw.Sub(gw.Mean(dims, keepDim: true)).Sub(xhat.Mul(gw.Mul(xhat).Mean(dims, keepDim: true))))
                : gw.Mul(rs);
        }
        return (dx, g3.Mul(xhat).Sum(dims), g3.Sum(dims));
    }

    /// <summary>
    /// torch.nn.functional.instance_norm: normalises each (sample, channel) slice of x [N, C, *] over * with its
    /// own statistics (<paramref name="useInputStats"/>), or with the running statistics otherwise. Running
    /// buffers, when given and using input statistics, are updated with the batch average of the per-instance
    /// statistics (unbiased variance), as PyTorch (which runs batch norm on x viewed as [1, N C, *]).
    /// </summary>
    /// <exception cref="ArgumentException">Rank &lt; 3, per-channel tensors not [C], running statistics missing without
    /// input statistics, or a single spatial element with input statistics.</exception>
    public static Tensor InstanceNorm(Tensor input, Tensor? runningMean = null, Tensor? runningVar = null, Tensor? weight = null, Tensor? bias = null,
        bool useInputStats = true, double momentum = 0.1, double eps = 1e-5)
    {
        if (input.Rank < 3)
            throw new ArgumentException($"InstanceNorm: expected an input of at least 3 dimensions [N, C, *], got shape {input.Shape}.");
        int n = input.Shape[0], c = input.Shape[1];
        CheckPerChannel(runningMean, c, "running_mean", "InstanceNorm");
        CheckPerChannel(runningVar, c, "running_var", "InstanceNorm");
        CheckPerChannel(weight, c, "weight", "InstanceNorm");
        CheckPerChannel(bias, c, "bias", "InstanceNorm");
        if (!useInputStats && (runningMean is null || runningVar is null))
            throw new ArgumentException("InstanceNorm: running_mean and running_var must be given when useInputStats is false.");
        var x = input.AsFloating();
        int l = n * c == 0 ? 0 : x.Numel() / (n * c);
        if (useInputStats && l <= 1 && x.Numel() > 0)
            throw new ArgumentException($"InstanceNorm: expected more than 1 spatial element when training, got input size {input.Shape}.");
        var y = NormCore(x, 1, n * c, l, weight?.Repeat(n), bias?.Repeat(n), useInputStats,
            runningMean?.Repeat(n), runningVar?.Repeat(n), eps, "InstanceNorm", out var mean, out var variance);
        if (useInputStats && runningMean is not null && runningVar is not null && n > 0)
            UpdateRunning(runningMean, runningVar, mean.View(n, c).Mean(0), variance.View(n, c).Mean(0), l, momentum);
        return y;
    }
}

namespace Lantern.NN;

/// <summary>
/// PyTorch's _NormBase: the state shared by batch and instance norm. Parameters weight (ones) and bias
/// (zeros) when <see cref="Affine"/>; buffers running_mean (zeros), running_var (ones) and
/// num_batches_tracked (Int64 scalar 0) when <see cref="TrackRunningStats"/> (registered as absent otherwise,
/// so the state-dict keys are PyTorch's).
/// </summary>
public abstract class NormBase : Module<Tensor, Tensor>
{
    /// <summary>Registers the parameters and buffers.</summary>
    /// <exception cref="ArgumentException">numFeatures &lt;= 0, eps &lt; 0, or momentum outside [0, 1].</exception>
    protected NormBase(int numFeatures, double eps, double? momentum, bool affine, bool trackRunningStats, DType dtype)
    {
        if (numFeatures <= 0) throw new ArgumentException($"{Name}: num_features must be positive, got {numFeatures}.");
        if (eps < 0) throw new ArgumentException($"{Name}: eps must be non-negative, got {eps}.");
        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        Affine = affine;
        TrackRunningStats = trackRunningStats;
        RegisterParameter("weight", affine ? Tensor.Ones([numFeatures], dtype) : null);
        RegisterParameter("bias", affine ? Tensor.Zeros([numFeatures], dtype) : null);
        RegisterBuffer("running_mean", trackRunningStats ? Tensor.Zeros([numFeatures], dtype) : null);
        RegisterBuffer("running_var", trackRunningStats ? Tensor.Ones([numFeatures], dtype) : null);
        RegisterBuffer("num_batches_tracked", trackRunningStats ? Tensor.Zeros([], DType.Int64) : null);
    }

    /// <summary>Number of channels C (dim 1 of a batched input).</summary>
    public int NumFeatures { get; }

    /// <summary>Added to the variance before the square root.</summary>
    public double Eps { get; }

    /// <summary>
    /// Running-average factor (settable, as PyTorch's module.momentum); null = cumulative moving average for batch
    /// norm (factor 1 / num_batches_tracked) and no update for instance norm (PyTorch's rules).
    /// </summary>
    /// <exception cref="ArgumentException">Set outside [0, 1].</exception>
    public double? Momentum
    {
        get => _momentum;
        set
        {
            if (value is { } m && !(m >= 0 && m <= 1)) throw new ArgumentException($"{Name}: momentum must be in [0, 1] or null, got {m}.");
            _momentum = value;
        }
    }

    private double? _momentum;

    /// <summary>Whether weight and bias exist.</summary>
    public bool Affine { get; }

    /// <summary>Whether running statistics are kept (and used in eval mode).</summary>
    public bool TrackRunningStats { get; }

    /// <summary>Scale [C] or null.</summary>
    public Tensor? Weight => GetParameter("weight");

    /// <summary>Shift [C] or null.</summary>
    public Tensor? Bias => GetParameter("bias");

    /// <summary>Running mean [C] or null.</summary>
    public Tensor? RunningMean => GetBuffer("running_mean");

    /// <summary>Running (unbiased) variance [C] or null.</summary>
    public Tensor? RunningVar => GetBuffer("running_var");

    /// <summary>Int64 scalar: training batches seen, or null.</summary>
    public Tensor? NumBatchesTracked => GetBuffer("num_batches_tracked");

    /// <summary>running_mean = 0, running_var = 1, num_batches_tracked = 0.</summary>
    public void ResetRunningStats()
    {
        using (Autograd.NoGrad())
        {
            RunningMean?.Zero_();
            RunningVar?.Fill_(1);
            NumBatchesTracked?.Zero_();
        }
    }

    /// <summary>PyTorch's reset_parameters: running statistics reset, weight ones, bias zeros.</summary>
    public void ResetParameters()
    {
        ResetRunningStats();
        if (Weight is { } w) Init.Ones_(w);
        if (Bias is { } b) Init.Zeros_(b);
    }

    /// <summary>Raises unless the input has the channel count at <paramref name="channelDim"/>.</summary>
    protected void CheckChannels(Tensor input, int channelDim)
    {
        if (input.Shape[channelDim] != NumFeatures)
            throw new ArgumentException($"{Name}: expected input's size at dim={channelDim} to match num_features ({NumFeatures}), but got input of shape {input.Shape}.");
    }

    /// <inheritdoc/>
    public override string ExtraRepr() =>
        $"{NumFeatures}, eps={Py(Eps)}, momentum={Py(Momentum)}, affine={Py(Affine)}, track_running_stats={Py(TrackRunningStats)}";
}

/// <summary>
/// PyTorch's _BatchNorm: training mode normalises with the batch statistics (biased variance) and updates the
/// running ones (unbiased variance, factor momentum, or 1 / num_batches_tracked when momentum is null); eval
/// mode normalises with the running statistics (or with batch statistics when none are tracked). Implements
/// <see cref="IRunningStats"/> (what SWA's UpdateBn recomputes), as PyTorch's update_bn handles _BatchNorm.
/// </summary>
public abstract class BatchNormBase : NormBase, IRunningStats
{
    /// <summary>See <see cref="NormBase"/>.</summary>
    protected BatchNormBase(int numFeatures, double eps, double? momentum, bool affine, bool trackRunningStats, DType dtype)
        : base(numFeatures, eps, momentum, affine, trackRunningStats, dtype) { }

    /// <summary>Raises unless the input rank suits the layer.</summary>
    protected abstract void CheckInputDim(Tensor input);

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        CheckInputDim(input);
        CheckChannels(input, 1);
        double factor = Momentum ?? 0.0;
        if (Training && TrackRunningStats && NumBatchesTracked is { } count)
        {
            using (Autograd.NoGrad()) count.Add_(1);
            factor = Momentum ?? 1.0 / count.Item<long>();
        }
        bool batchStats = Training || (RunningMean is null && RunningVar is null);
        bool passRunning = !Training || TrackRunningStats;
        return F.BatchNorm(input, passRunning ? RunningMean : null, passRunning ? RunningVar : null, Weight, Bias, batchStats, factor, Eps);
    }
}

/// <summary>torch.nn.BatchNorm1d over [N, C] or [N, C, L] inputs (statistics per channel over N and L).</summary>
public sealed class BatchNorm1d : BatchNormBase
{
    /// <summary>Batch norm over <paramref name="numFeatures"/> channels (PyTorch's defaults).</summary>
    /// <exception cref="ArgumentException">numFeatures &lt;= 0, eps &lt; 0 or momentum outside [0, 1].</exception>
    public BatchNorm1d(int numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool trackRunningStats = true, DType dtype = DType.Float32)
        : base(numFeatures, eps, momentum, affine, trackRunningStats, dtype) { }

    /// <inheritdoc/>
    protected override void CheckInputDim(Tensor input)
    {
        if (input.Rank is not (2 or 3)) throw new ArgumentException($"BatchNorm1d: expected 2D or 3D input (got {input.Rank}D input, shape {input.Shape}).");
    }
}

/// <summary>torch.nn.BatchNorm2d over [N, C, H, W] inputs (statistics per channel over N, H and W).</summary>
public sealed class BatchNorm2d : BatchNormBase
{
    /// <summary>Batch norm over <paramref name="numFeatures"/> channels (PyTorch's defaults).</summary>
    /// <exception cref="ArgumentException">numFeatures &lt;= 0, eps &lt; 0 or momentum outside [0, 1].</exception>
    public BatchNorm2d(int numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool trackRunningStats = true, DType dtype = DType.Float32)
        : base(numFeatures, eps, momentum, affine, trackRunningStats, dtype) { }

    /// <inheritdoc/>
    protected override void CheckInputDim(Tensor input)
    {
        if (input.Rank != 4) throw new ArgumentException($"BatchNorm2d: expected 4D input (got {input.Rank}D input, shape {input.Shape}).");
    }
}

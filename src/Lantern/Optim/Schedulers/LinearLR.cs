namespace Lantern.Optim;

/// <summary>
/// torch.optim.lr_scheduler.LinearLR: the factor on initial_lr moves linearly from <c>startFactor</c> to
/// <c>endFactor</c> over <c>totalIters</c> epochs (chainable form: lr · (1 + (e - s) / (T s + (t - 1)(e - s))));
/// closed form initial_lr · (s + (e - s) · min(T, t) / T). Warm-up in one line: <c>new LinearLR(opt, 0.01, 1, 500)</c>.
/// </summary>
public sealed class LinearLR : LRScheduler
{
    /// <summary>A linear ramp of the factor.</summary>
    /// <exception cref="ArgumentException">startFactor outside (0, 1] or endFactor outside [0, 1].</exception>
    public LinearLR(Optimizer optimizer, double startFactor = 1.0 / 3, double endFactor = 1.0, int totalIters = 5, int lastEpoch = -1) : base(optimizer)
    {
        if (startFactor > 1.0 || startFactor <= 0)
            throw new ArgumentException($"LinearLR: starting multiplicative factor expected to be greater than 0 and less or equal to 1, got {startFactor}.");
        if (endFactor > 1.0 || endFactor < 0)
            throw new ArgumentException($"LinearLR: ending multiplicative factor expected to be between 0 and 1, got {endFactor}.");
        StartFactor = startFactor;
        EndFactor = endFactor;
        TotalIters = totalIters;
        Initialize(lastEpoch);
    }

    /// <summary>Factor at epoch 0.</summary>
    public double StartFactor { get; private set; }

    /// <summary>Factor from <see cref="TotalIters"/> on.</summary>
    public double EndFactor { get; private set; }

    /// <summary>Length of the ramp.</summary>
    public int TotalIters { get; private set; }

    /// <inheritdoc/>
    protected override double[] GetLr()
    {
        var lrs = GroupValuesOf("lr");
        if (LastEpoch == 0) return lrs.Select(lr => lr * StartFactor).ToArray();
        if (IsInitial || LastEpoch > TotalIters) return lrs;
        double f = 1.0 + (EndFactor - StartFactor) / (TotalIters * StartFactor + (LastEpoch - 1) * (EndFactor - StartFactor));
        return lrs.Select(lr => lr * f).ToArray();
    }

    /// <inheritdoc/>
    protected override double[]? GetClosedFormLr() =>
        BaseLrs.Select(b => b * (StartFactor + (EndFactor - StartFactor) * Math.Min(TotalIters, LastEpoch) / TotalIters)).ToArray();

    /// <inheritdoc/>
    protected override void WriteState(Dictionary<string, object> d)
    {
        d["start_factor"] = StartFactor;
        d["end_factor"] = EndFactor;
        d["total_iters"] = (long)TotalIters;
    }

    /// <inheritdoc/>
    protected override void ReadState(Dictionary<string, object> d)
    {
        StartFactor = StateDicts.Get<double>(d, "start_factor", Name);
        EndFactor = StateDicts.Get<double>(d, "end_factor", Name);
        TotalIters = StateDicts.Get<int>(d, "total_iters", Name);
    }
}

/// <summary>
/// torch.optim.lr_scheduler.ConstantLR: lr = initial_lr · factor until <c>totalIters</c>, then initial_lr
/// (chainable: × factor at epoch 0, × 1 / factor at totalIters).
/// </summary>
public sealed class ConstantLR : LRScheduler
{
    /// <summary>A constant factor for the first <paramref name="totalIters"/> epochs.</summary>
    /// <exception cref="ArgumentException">factor outside [0, 1].</exception>
    public ConstantLR(Optimizer optimizer, double factor = 1.0 / 3, int totalIters = 5, int lastEpoch = -1) : base(optimizer)
    {
        if (factor > 1.0 || factor < 0)
            throw new ArgumentException($"ConstantLR: constant multiplicative factor expected to be between 0 and 1, got {factor}.");
        Factor = factor;
        TotalIters = totalIters;
        Initialize(lastEpoch);
    }

    /// <summary>The factor.</summary>
    public double Factor { get; private set; }

    /// <summary>Epochs under the factor.</summary>
    public int TotalIters { get; private set; }

    /// <inheritdoc/>
    protected override double[] GetLr()
    {
        var lrs = GroupValuesOf("lr");
        if (LastEpoch == 0) return lrs.Select(lr => lr * Factor).ToArray();
        if (LastEpoch != TotalIters) return lrs;
        return lrs.Select(lr => lr * (1.0 / Factor)).ToArray();
    }

    /// <inheritdoc/>
    protected override double[]? GetClosedFormLr() =>
        BaseLrs.Select(b => b * (Factor + (LastEpoch >= TotalIters ? 1 : 0) * (1 - Factor))).ToArray();

    /// <inheritdoc/>
    protected override void WriteState(Dictionary<string, object> d)
    {
        d["factor"] = Factor;
        d["total_iters"] = (long)TotalIters;
    }

    /// <inheritdoc/>
    protected override void ReadState(Dictionary<string, object> d)
    {
        Factor = StateDicts.Get<double>(d, "factor", Name);
        TotalIters = StateDicts.Get<int>(d, "total_iters", Name);
    }
}

/// <summary>
/// torch.optim.lr_scheduler.PolynomialLR: lr = initial_lr · (1 - min(t, T) / T)^power (chainable form: the ratio
/// of successive factors); 0 from <c>totalIters</c> on.
/// </summary>
public sealed class PolynomialLR : LRScheduler
{
    /// <summary>A polynomial decay to zero over <paramref name="totalIters"/> epochs.</summary>
    public PolynomialLR(Optimizer optimizer, int totalIters = 5, double power = 1.0, int lastEpoch = -1) : base(optimizer)
    {
        TotalIters = totalIters;
        Power = power;
        Initialize(lastEpoch);
    }

    /// <summary>Epochs to reach zero.</summary>
    public int TotalIters { get; private set; }

    /// <summary>The polynomial's power.</summary>
    public double Power { get; private set; }

    /// <inheritdoc/>
    protected override double[] GetLr()
    {
        var lrs = GroupValuesOf("lr");
        if (IsInitial || LastEpoch > TotalIters) return lrs;
        double decay = Math.Pow((1.0 - (double)LastEpoch / TotalIters) / (1.0 - (double)(LastEpoch - 1) / TotalIters), Power);
        return lrs.Select(lr => lr * decay).ToArray();
    }

    /// <inheritdoc/>
    protected override double[]? GetClosedFormLr() =>
        BaseLrs.Select(b => b * Math.Pow(1.0 - (double)Math.Min(TotalIters, LastEpoch) / TotalIters, Power)).ToArray();

    /// <inheritdoc/>
    protected override void WriteState(Dictionary<string, object> d)
    {
        d["total_iters"] = (long)TotalIters;
        d["power"] = Power;
    }

    /// <inheritdoc/>
    protected override void ReadState(Dictionary<string, object> d)
    {
        TotalIters = StateDicts.Get<int>(d, "total_iters", Name);
        Power = StateDicts.Get<double>(d, "power", Name);
    }
}

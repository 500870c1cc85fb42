namespace Lantern.Optim;

/// <summary>
/// torch.optim.lr_scheduler.StepLR: lr = lr · γ every <c>stepSize</c> epochs (chainable);
/// closed form initial_lr · γ^(epoch // stepSize).
/// </summary>
/// <example><code>var sched = new StepLR(opt, stepSize: 30, gamma: 0.1);</code></example>
public sealed class StepLR : LRScheduler
{
    /// <summary>Decays every <paramref name="stepSize"/> epochs.</summary>
    /// <exception cref="ArgumentException">stepSize &lt;= 0.</exception>
    public StepLR(Optimizer optimizer, int stepSize, double gamma = 0.1, int lastEpoch = -1) : base(optimizer)
    {
        if (stepSize <= 0) throw new ArgumentException($"StepLR: step_size must be positive, got {stepSize}.");
        StepSize = stepSize;
        Gamma = gamma;
        Initialize(lastEpoch);
    }

    /// <summary>Period of the decay.</summary>
    public int StepSize { get; private set; }

    /// <summary>Decay factor.</summary>
    public double Gamma { get; private set; }

    /// <inheritdoc/>
    protected override double[] GetLr()
    {
        var lrs = GroupValuesOf("lr");
        if (LastEpoch == 0 || FloorMod(LastEpoch, StepSize) != 0) return lrs;
        return lrs.Select(lr => lr * Gamma).ToArray();
    }

    /// <inheritdoc/>
    protected override double[]? GetClosedFormLr() => BaseLrs.Select(b => b * Math.Pow(Gamma, FloorDiv(LastEpoch, StepSize))).ToArray();

    /// <inheritdoc/>
    protected override void WriteState(Dictionary<string, object> d)
    {
        d["step_size"] = (long)StepSize;
        d["gamma"] = Gamma;
    }

    /// <inheritdoc/>
    protected override void ReadState(Dictionary<string, object> d)
    {
        StepSize = StateDicts.Get<int>(d, "step_size", Name);
        Gamma = StateDicts.Get<double>(d, "gamma", Name);
    }
}

/// <summary>
/// torch.optim.lr_scheduler.MultiStepLR: lr = lr · γ^k when the epoch appears k times among the milestones
/// (chainable); closed form initial_lr · γ^(number of milestones &lt;= epoch).
/// </summary>
/// <example><code>var sched = new MultiStepLR(opt, milestones: [30, 80], gamma: 0.1);</code></example>
public sealed class MultiStepLR : LRScheduler
{
    private int[] _milestones;

    /// <summary>Decays at each milestone.</summary>
    public MultiStepLR(Optimizer optimizer, IEnumerable<int> milestones, double gamma = 0.1, int lastEpoch = -1) : base(optimizer)
    {
        _milestones = milestones.Order().ToArray();
        Gamma = gamma;
        Initialize(lastEpoch);
    }

    /// <summary>The milestones, sorted (repeats allowed).</summary>
    public IReadOnlyList<int> Milestones => _milestones;

    /// <summary>Decay factor.</summary>
    public double Gamma { get; private set; }

    /// <inheritdoc/>
    protected override double[] GetLr()
    {
        var lrs = GroupValuesOf("lr");
        int count = _milestones.Count(m => m == LastEpoch);
        if (count == 0) return lrs;
        return lrs.Select(lr => lr * Math.Pow(Gamma, count)).ToArray();
    }

    /// <inheritdoc/>
    protected override double[]? GetClosedFormLr() => BaseLrs.Select(b => b * Math.Pow(Gamma, BisectRight(_milestones, LastEpoch))).ToArray();

    /// <inheritdoc/>
    protected override void WriteState(Dictionary<string, object> d)
    {
        d["milestones"] = _milestones.Clone();
        d["gamma"] = Gamma;
    }

    /// <inheritdoc/>
    protected override void ReadState(Dictionary<string, object> d)
    {
        _milestones = StateDicts.Get<int[]>(d, "milestones", Name).Order().ToArray();
        Gamma = StateDicts.Get<double>(d, "gamma", Name);
    }
}

/// <summary>
/// torch.optim.lr_scheduler.ExponentialLR: lr = lr · γ every epoch (chainable); closed form initial_lr · γ^epoch.
/// </summary>
/// <example><code>var sched = new ExponentialLR(opt, gamma: 0.95);</code></example>
public sealed class ExponentialLR : LRScheduler
{
    /// <summary>Decays by <paramref name="gamma"/> each epoch.</summary>
    public ExponentialLR(Optimizer optimizer, double gamma, int lastEpoch = -1) : base(optimizer)
    {
        Gamma = gamma;
        Initialize(lastEpoch);
    }

    /// <summary>Decay factor.</summary>
    public double Gamma { get; private set; }

    /// <inheritdoc/>
    protected override double[] GetLr()
    {
        var lrs = GroupValuesOf("lr");
        return IsInitial ? lrs : lrs.Select(lr => lr * Gamma).ToArray();
    }

    /// <inheritdoc/>
    protected override double[]? GetClosedFormLr() => BaseLrs.Select(b => b * Math.Pow(Gamma, LastEpoch)).ToArray();

    /// <inheritdoc/>
    protected override void WriteState(Dictionary<string, object> d) => d["gamma"] = Gamma;

    /// <inheritdoc/>
    protected override void ReadState(Dictionary<string, object> d) => Gamma = StateDicts.Get<double>(d, "gamma", Name);
}

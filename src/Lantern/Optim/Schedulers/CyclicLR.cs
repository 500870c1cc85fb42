namespace Lantern.Optim;

/// <summary>
/// torch.optim.lr_scheduler.CyclicLR, stepped per batch: the lr cycles between base_lr and max_lr with
/// cycle = floor(1 + t / (up + down)), x = 1 + t / (up + down) - cycle, rise x / r on the way up (r = up / (up + down))
/// and (x - 1) / (r - 1) down; lr = base + (max - base) · rise · scale, where scale is 1 ("triangular"),
/// 1 / 2^(cycle - 1) ("triangular2", per cycle) or γ^t ("exp_range", per iteration, as PyTorch), or a custom
/// scale function of the cycle or of the iteration. With cycleMomentum the momentum (or β1) moves the other way:
/// momentum = max_m - (max_m - base_m) · rise · scale.
/// </summary>
/// <example><code>var sched = new CyclicLR(opt, baseLr: 1e-3, maxLr: 1e-1, stepSizeUp: 200, mode: "triangular2");</code></example>
public sealed class CyclicLR : LRScheduler
{
    private readonly Func<double, double>? _customScale;
    private double[] _maxLrs, _baseMomentums = [], _maxMomentums = [];

    /// <summary>A cyclic schedule.</summary>
    /// <param name="optimizer">The optimiser (needs "momentum" or "betas" when <paramref name="cycleMomentum"/>).</param>
    /// <param name="baseLr">Lower bound per group (written into the groups when starting afresh).</param>
    /// <param name="maxLr">Upper bound per group.</param>
    /// <param name="stepSizeUp">Iterations in the rising half.</param>
    /// <param name="stepSizeDown">Iterations in the falling half (default: stepSizeUp).</param>
    /// <param name="mode">"triangular", "triangular2" or "exp_range" (ignored with <paramref name="scaleFn"/>).</param>
    /// <param name="gamma">exp_range's per-iteration factor.</param>
    /// <param name="scaleFn">A custom scale function (0 &lt;= f(x) &lt;= 1).</param>
    /// <param name="scaleMode">"cycle" or "iterations": what <paramref name="scaleFn"/> receives.</param>
    /// <param name="cycleMomentum">Cycle momentum (or β1) inversely to the lr.</param>
    /// <param name="baseMomentum">Lower momentum bound per group.</param>
    /// <param name="maxMomentum">Upper momentum bound per group.</param>
    /// <param name="lastEpoch">Index of the last batch when resuming.</param>
    /// <exception cref="ArgumentException">Unknown mode without scaleFn, non-positive step sizes, list lengths, or cycleMomentum on an optimiser without momentum/betas.</exception>
    public CyclicLR(Optimizer optimizer, GroupValues baseLr, GroupValues maxLr, int stepSizeUp = 2000, int? stepSizeDown = null,
        string mode = "triangular", double gamma = 1.0, Func<double, double>? scaleFn = null, string scaleMode = "cycle",
        bool cycleMomentum = true, GroupValues? baseMomentum = null, GroupValues? maxMomentum = null, int lastEpoch = -1) : base(optimizer)
    {
        int n = optimizer.ParamGroups.Count;
        var baseLrs = baseLr.Expand(Name, "base_lr", n);
        if (lastEpoch == -1)
            for (int i = 0; i < n; i++) optimizer.ParamGroups[i].Lr = baseLrs[i];
        _maxLrs = maxLr.Expand(Name, "max_lr", n);
        double up = stepSizeUp, down = stepSizeDown ?? up;
        if (up <= 0 || down <= 0) throw new ArgumentException($"CyclicLR: step sizes must be positive, got step_size_up={up}, step_size_down={down}.");
        TotalSize = up + down;
        StepRatio = up / TotalSize;
        if (mode is not ("triangular" or "triangular2" or "exp_range") && scaleFn is null)
            throw new ArgumentException($"CyclicLR: mode '{mode}' is invalid and scale_fn is null.");
        if (scaleMode is not ("cycle" or "iterations")) throw new ArgumentException($"CyclicLR: scale_mode must be 'cycle' or 'iterations', got '{scaleMode}'.");
        Mode = mode;
        Gamma = gamma;
        _customScale = scaleFn;
        ScaleMode = scaleFn is not null ? scaleMode : mode == "exp_range" ? "iterations" : "cycle";
        CycleMomentum = cycleMomentum;
        if (cycleMomentum)
        {
            if (!optimizer.Defaults.ContainsKey("momentum") && !optimizer.Defaults.ContainsKey("betas"))
                throw new ArgumentException($"CyclicLR: optimizer {optimizer.Name} must support momentum or beta1 with `cycle_momentum` option enabled.");
            UseBeta1 = optimizer.Defaults.ContainsKey("betas");
            _baseMomentums = (baseMomentum ?? 0.8).Expand(Name, "base_momentum", n);
            _maxMomentums = (maxMomentum ?? 0.9).Expand(Name, "max_momentum", n);
            if (lastEpoch == -1)
                for (int i = 0; i < n; i++)
                {
                    var g = optimizer.ParamGroups[i];
                    SetMomentum(g, _maxMomentums[i]);
                    g["max_momentum"] = _maxMomentums[i];
                    g["base_momentum"] = _baseMomentums[i];
                }
        }
        Initialize(lastEpoch);
        BaseLrs = baseLrs;
    }

    /// <summary>Iterations per cycle (up + down).</summary>
    public double TotalSize { get; private set; }

    /// <summary>Fraction of the cycle spent rising.</summary>
    public double StepRatio { get; private set; }

    /// <summary>The built-in policy.</summary>
    public string Mode { get; private set; }

    /// <summary>exp_range's factor.</summary>
    public double Gamma { get; private set; }

    /// <summary>"cycle" or "iterations".</summary>
    public string ScaleMode { get; private set; }

    /// <summary>Whether momentum is cycled.</summary>
    public bool CycleMomentum { get; private set; }

    /// <summary>Whether β1 of "betas" is cycled instead of "momentum".</summary>
    public bool UseBeta1 { get; private set; }

    internal void SetMomentum(ParamGroup g, double m)
    {
        if (UseBeta1) g["betas"] = new[] { m, g.GetPair("betas").Item2 };
        else g["momentum"] = m;
    }

    private double Scale(double x) => _customScale is { } f ? f(x) : Mode switch
    {
        "triangular" => 1.0,
        "triangular2" => 1 / Math.Pow(2.0, x - 1),
        _ => Math.Pow(Gamma, x),
    };

    /// <inheritdoc/>
    protected override double[] GetLr()
    {
        double cycle = Math.Floor(1 + LastEpoch / TotalSize);
        double x = 1.0 + LastEpoch / TotalSize - cycle;
        double scaleFactor = x <= StepRatio ? x / StepRatio : (x - 1) / (StepRatio - 1);
        double s = Scale(ScaleMode == "cycle" ? cycle : LastEpoch);
        var lrs = new double[BaseLrs.Length];
        for (int i = 0; i < lrs.Length; i++) lrs[i] = BaseLrs[i] + (_maxLrs[i] - BaseLrs[i]) * scaleFactor * s;
        if (CycleMomentum)
            for (int i = 0; i < lrs.Length; i++)
                SetMomentum(Optimizer.ParamGroups[i], _maxMomentums[i] - (_maxMomentums[i] - _baseMomentums[i]) * scaleFactor * s);
        return lrs;
    }

    /// <inheritdoc/>
    protected override void WriteState(Dictionary<string, object> d)
    {
        d["max_lrs"] = _maxLrs.Clone();
        d["total_size"] = TotalSize;
        d["step_ratio"] = StepRatio;
        d["mode"] = Mode;
        d["gamma"] = Gamma;
        d["scale_mode"] = ScaleMode;
        d["cycle_momentum"] = CycleMomentum;
        if (CycleMomentum)
        {
            d["use_beta1"] = UseBeta1;
            d["base_momentums"] = _baseMomentums.Clone();
            d["max_momentums"] = _maxMomentums.Clone();
        }
    }

    /// <inheritdoc/>
    protected override void ReadState(Dictionary<string, object> d)
    {
        _maxLrs = (double[])StateDicts.Get<double[]>(d, "max_lrs", Name).Clone();
        TotalSize = StateDicts.Get<double>(d, "total_size", Name);
        StepRatio = StateDicts.Get<double>(d, "step_ratio", Name);
        Mode = StateDicts.Get<string>(d, "mode", Name);
        Gamma = StateDicts.Get<double>(d, "gamma", Name);
        ScaleMode = StateDicts.Get<string>(d, "scale_mode", Name);
        CycleMomentum = StateDicts.Get<bool>(d, "cycle_momentum", Name);
        if (CycleMomentum)
        {
            UseBeta1 = StateDicts.Get<bool>(d, "use_beta1", Name);
            _baseMomentums = (double[])StateDicts.Get<double[]>(d, "base_momentums", Name).Clone();
            _maxMomentums = (double[])StateDicts.Get<double[]>(d, "max_momentums", Name).Clone();
        }
    }
}

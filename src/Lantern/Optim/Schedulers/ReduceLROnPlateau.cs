namespace Lantern.Optim;

/// <summary>
/// torch.optim.lr_scheduler.ReduceLROnPlateau: multiplies each group's lr by <c>factor</c> (not below its min_lr,
/// and only when the change exceeds eps) once the metric has not improved for more than <c>patience</c> steps,
/// then waits <c>cooldown</c> steps. Improvement: mode "min" with threshold mode "rel": a &lt; best (1 - threshold),
/// "abs": a &lt; best - threshold ("max" mirrors). <see cref="LRScheduler.GetLastLr"/> returns the reduced lr, as
/// PyTorch does (TorchSharp 0.107 never updates it).
/// </summary>
/// <example><code>var sched = new ReduceLROnPlateau(opt, mode: "min", factor: 0.5, patience: 3); ... sched.Step(valLoss);</code></example>
public sealed class ReduceLROnPlateau : LRScheduler
{
    /// <summary>A plateau scheduler.</summary>
    /// <exception cref="ArgumentException">factor &gt;= 1, an unknown mode or threshold mode, or a min_lr list of the wrong length.</exception>
    public ReduceLROnPlateau(Optimizer optimizer, string mode = "min", double factor = 0.1, int patience = 10, double threshold = 1e-4,
        string thresholdMode = "rel", int cooldown = 0, GroupValues? minLr = null, double eps = 1e-8) : base(optimizer)
    {
        if (factor >= 1.0) throw new ArgumentException($"ReduceLROnPlateau: factor should be < 1.0, got {factor}.");
        Factor = factor;
        var m = minLr ?? 0.0;
        MinLrs = m.Expand(Name, "min_lr", optimizer.ParamGroups.Count);
        DefaultMinLr = m.IsList ? null : MinLrs.FirstOrDefault();
        Patience = patience;
        Cooldown = cooldown;
        Eps = eps;
        LastEpoch = 0;
        LastLr = GroupValuesOf("lr");
        InitIsBetter(mode, threshold, thresholdMode);
        Best = ModeWorse;
    }

    /// <summary>"min" or "max".</summary>
    public string Mode { get; private set; } = "min";

    /// <summary>Reduction factor.</summary>
    public double Factor { get; private set; }

    /// <summary>Bad epochs tolerated before reducing.</summary>
    public int Patience { get; private set; }

    /// <summary>Improvement threshold.</summary>
    public double Threshold { get; private set; }

    /// <summary>"rel" or "abs".</summary>
    public string ThresholdMode { get; private set; } = "rel";

    /// <summary>Epochs to wait after a reduction.</summary>
    public int Cooldown { get; private set; }

    /// <summary>Minimal change applied to an lr.</summary>
    public double Eps { get; private set; }

    /// <summary>Lower bound per group.</summary>
    public double[] MinLrs { get; private set; }

    /// <summary>The single min_lr given (null when a list was given).</summary>
    public double? DefaultMinLr { get; private set; }

    /// <summary>Best metric so far.</summary>
    public double Best { get; private set; }

    /// <summary>Consecutive epochs without improvement.</summary>
    public int NumBadEpochs { get; private set; }

    /// <summary>Remaining cooldown epochs.</summary>
    public int CooldownCounter { get; private set; }

    /// <summary>+inf for "min", -inf for "max".</summary>
    public double ModeWorse { get; private set; }

    /// <summary>True while cooling down.</summary>
    public bool InCooldown => CooldownCounter > 0;

    private void InitIsBetter(string mode, double threshold, string thresholdMode)
    {
        if (mode is not ("min" or "max")) throw new ArgumentException($"ReduceLROnPlateau: mode '{mode}' is unknown!");
        if (thresholdMode is not ("rel" or "abs")) throw new ArgumentException($"ReduceLROnPlateau: threshold mode '{thresholdMode}' is unknown!");
        ModeWorse = mode == "min" ? double.PositiveInfinity : double.NegativeInfinity;
        Mode = mode;
        Threshold = threshold;
        ThresholdMode = thresholdMode;
    }

    /// <summary>PyTorch's _is_better.</summary>
    public bool IsBetter(double a, double best) => (Mode, ThresholdMode) switch
    {
        ("min", "rel") => a < best * (1.0 - Threshold),
        ("min", _) => a < best - Threshold,
        (_, "rel") => a > best * (Threshold + 1.0),
        _ => a > best + Threshold,
    };

    /// <summary>Not available: the plateau scheduler needs the metric.</summary>
    /// <exception cref="InvalidOperationException">Always.</exception>
    public override void Step() => throw new InvalidOperationException("ReduceLROnPlateau: Step needs the monitored metric; call Step(metric).");

    /// <summary>An integer metric (the same as <see cref="Step(double, int?)"/>).</summary>
    public override void Step(int metric) => Step((double)metric);

    /// <summary>Records the metric of an epoch (the next one unless <paramref name="epoch"/> is given) and reduces the lrs on a plateau.</summary>
    public void Step(double metric, int? epoch = null)
    {
        LastEpoch = epoch ?? LastEpoch + 1;
        if (IsBetter(metric, Best))
        {
            Best = metric;
            NumBadEpochs = 0;
        }
        else NumBadEpochs++;
        if (InCooldown)
        {
            CooldownCounter--;
            NumBadEpochs = 0;
        }
        if (NumBadEpochs > Patience)
        {
            ReduceLr();
            CooldownCounter = Cooldown;
            NumBadEpochs = 0;
        }
        LastLr = GroupValuesOf("lr");
    }

    private void ReduceLr()
    {
        var groups = Optimizer.ParamGroups;
        if (groups.Count != MinLrs.Length)
        {
            if (DefaultMinLr is not { } d)
                throw new InvalidOperationException($"ReduceLROnPlateau: the number of param groups in the optimizer ({groups.Count}) differs from when it was initialized ({MinLrs.Length}); set MinLrs to match.");
            MinLrs = Enumerable.Repeat(d, groups.Count).ToArray();
        }
        for (int i = 0; i < groups.Count; i++)
        {
            double old = groups[i].Lr, lr = Math.Max(old * Factor, MinLrs[i]);
            if (old - lr > Eps) groups[i].Lr = lr;
        }
    }

    /// <inheritdoc/>
    protected override double[] GetLr() => GroupValuesOf("lr");

    /// <inheritdoc/>
    protected override void WriteState(Dictionary<string, object> d)
    {
        d["factor"] = Factor;
        d["min_lrs"] = MinLrs.Clone();
        if (DefaultMinLr is { } m) d["default_min_lr"] = m;
        d["patience"] = (long)Patience;
        d["cooldown"] = (long)Cooldown;
        d["eps"] = Eps;
        d["mode"] = Mode;
        d["threshold"] = Threshold;
        d["threshold_mode"] = ThresholdMode;
        d["best"] = Best;
        d["num_bad_epochs"] = (long)NumBadEpochs;
        d["cooldown_counter"] = (long)CooldownCounter;
        d["mode_worse"] = ModeWorse;
    }

    /// <inheritdoc/>
    protected override void ReadState(Dictionary<string, object> d)
    {
        Factor = StateDicts.Get<double>(d, "factor", Name);
        MinLrs = (double[])StateDicts.Get<double[]>(d, "min_lrs", Name).Clone();
        DefaultMinLr = d.TryGetValue("default_min_lr", out var m) ? Convert.ToDouble(m, System.Globalization.CultureInfo.InvariantCulture) : null;
        Patience = StateDicts.Get<int>(d, "patience", Name);
        Cooldown = StateDicts.Get<int>(d, "cooldown", Name);
        Eps = StateDicts.Get<double>(d, "eps", Name);
        InitIsBetter(StateDicts.Get<string>(d, "mode", Name), StateDicts.Get<double>(d, "threshold", Name), StateDicts.Get<string>(d, "threshold_mode", Name));
        Best = StateDicts.Get<double>(d, "best", Name);
        NumBadEpochs = StateDicts.Get<int>(d, "num_bad_epochs", Name);
        CooldownCounter = StateDicts.Get<int>(d, "cooldown_counter", Name);
    }
}

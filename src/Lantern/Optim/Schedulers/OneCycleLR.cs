namespace Lantern.Optim;

/// <summary>
/// torch.optim.lr_scheduler.OneCycleLR, stepped per batch (not chainable): the lr anneals from
/// initial_lr = max_lr / divFactor up to max_lr over the first pctStart of the steps, then down to
/// min_lr = initial_lr / finalDivFactor (with threePhase: back to initial_lr symmetrically, then to min_lr).
/// Annealing is "cos" (end + (start - end) / 2 · (1 + cos(π pct))) or "linear". With cycleMomentum, momentum
/// (or β1) anneals the opposite way between max_momentum and base_momentum. Steps past total_steps throw.
/// </summary>
/// <example><code>var sched = new OneCycleLR(opt, maxLr: 0.1, totalSteps: epochs * batches);</code></example>
public sealed class OneCycleLR : LRScheduler
{
    private readonly (double EndStep, string StartLr, string EndLr, string StartMomentum, string EndMomentum)[] _phases;

    /// <summary>A one-cycle schedule; give <paramref name="totalSteps"/> or both <paramref name="epochs"/> and <paramref name="stepsPerEpoch"/>.</summary>
    /// <exception cref="ArgumentException">
    /// No valid step count, pctStart outside [0, 1], an unknown anneal strategy, list lengths, or cycleMomentum on
    /// an optimiser without momentum/betas.
    /// </exception>
    public OneCycleLR(Optimizer optimizer, GroupValues maxLr, int? totalSteps = null, int? epochs = null, int? stepsPerEpoch = null,
        double pctStart = 0.3, string annealStrategy = "cos", bool cycleMomentum = true, GroupValues? baseMomentum = null,
        GroupValues? maxMomentum = null, double divFactor = 25.0, double finalDivFactor = 1e4, bool threePhase = false, int lastEpoch = -1)
        : base(optimizer)
    {
        if (totalSteps is { } ts)
        {
            if (ts <= 0) throw new ArgumentException($"OneCycleLR: expected positive integer total_steps, but got {ts}.");
            TotalSteps = ts;
        }
        else if (epochs is { } e && stepsPerEpoch is { } spe)
        {
            if (e <= 0) throw new ArgumentException($"OneCycleLR: expected positive integer epochs, but got {e}.");
            if (spe <= 0) throw new ArgumentException($"OneCycleLR: expected positive integer steps_per_epoch, but got {spe}.");
            TotalSteps = e * spe;
        }
        else throw new ArgumentException("OneCycleLR: you must define either total_steps OR (epochs AND steps_per_epoch).");
        _phases = threePhase
            ?
            [
                (pctStart * TotalSteps - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (2 * pctStart * TotalSteps - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
                (TotalSteps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
            ]
            :
            [
                (pctStart * TotalSteps - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (TotalSteps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
            ];
        if (pctStart < 0 || pctStart > 1 || double.IsNaN(pctStart))
            throw new ArgumentException($"OneCycleLR: expected float between 0 and 1 pct_start, but got {pctStart}.");
        if (annealStrategy is not ("cos" or "linear"))
            throw new ArgumentException($"OneCycleLR: anneal_strategy must be one of 'cos' or 'linear', instead got '{annealStrategy}'.");
        AnnealStrategy = annealStrategy;
        int n = optimizer.ParamGroups.Count;
        var maxLrs = maxLr.Expand(Name, "max_lr", n);
        if (lastEpoch == -1)
            for (int i = 0; i < n; i++)
            {
                var g = optimizer.ParamGroups[i];
                g["initial_lr"] = maxLrs[i] / divFactor;
                g["max_lr"] = maxLrs[i];
                g["min_lr"] = g.GetDouble("initial_lr") / finalDivFactor;
            }
        CycleMomentum = cycleMomentum;
        if (cycleMomentum)
        {
            if (!optimizer.Defaults.ContainsKey("momentum") && !optimizer.Defaults.ContainsKey("betas"))
                throw new ArgumentException($"OneCycleLR: optimizer {optimizer.Name} must support momentum or beta1 with `cycle_momentum` option enabled.");
            UseBeta1 = optimizer.Defaults.ContainsKey("betas");
            var maxMs = (maxMomentum ?? 0.95).Expand(Name, "max_momentum", n);
            var baseMs = (baseMomentum ?? 0.85).Expand(Name, "base_momentum", n);
            if (lastEpoch == -1)
                for (int i = 0; i < n; i++)
                {
                    var g = optimizer.ParamGroups[i];
                    SetMomentum(g, maxMs[i]);
                    g["max_momentum"] = maxMs[i];
                    g["base_momentum"] = baseMs[i];
                }
        }
        Initialize(lastEpoch);
    }

    /// <summary>Steps in the cycle.</summary>
    public int TotalSteps { get; private set; }

    /// <summary>"cos" or "linear".</summary>
    public string AnnealStrategy { get; private set; }

    /// <summary>Whether momentum is cycled.</summary>
    public bool CycleMomentum { get; private set; }

    /// <summary>Whether β1 of "betas" is cycled instead of "momentum".</summary>
    public bool UseBeta1 { get; private set; }

    private void SetMomentum(ParamGroup g, double m)
    {
        if (UseBeta1) g["betas"] = new[] { m, g.GetPair("betas").Item2 };
        else g["momentum"] = m;
    }

    private double Anneal(double start, double end, double pct)
    {
        if (AnnealStrategy == "linear") return (end - start) * pct + start;
        double cosOut = Math.Cos(Math.PI * pct) + 1;
        return end + (start - end) / 2.0 * cosOut;
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">Stepped more than <see cref="TotalSteps"/> times.</exception>
    protected override double[] GetLr()
    {
        int stepNum = LastEpoch;
        if (stepNum > TotalSteps)
            throw new InvalidOperationException($"OneCycleLR: tried to step {stepNum} times. The specified number of total steps is {TotalSteps}.");
        var groups = Optimizer.ParamGroups;
        var lrs = new double[groups.Count];
        for (int gi = 0; gi < groups.Count; gi++)
        {
            var g = groups[gi];
            double start = 0, lr = 0, momentum = 0;
            for (int i = 0; i < _phases.Length; i++)
            {
                var ph = _phases[i];
                if (stepNum <= ph.EndStep || i == _phases.Length - 1)
                {
                    double pct = (stepNum - start) / (ph.EndStep - start);
                    lr = Anneal(g.GetDouble(ph.StartLr), g.GetDouble(ph.EndLr), pct);
                    if (CycleMomentum) momentum = Anneal(g.GetDouble(ph.StartMomentum), g.GetDouble(ph.EndMomentum), pct);
                    break;
                }
                start = ph.EndStep;
            }
            lrs[gi] = lr;
            if (CycleMomentum) SetMomentum(g, momentum);
        }
        return lrs;
    }

    /// <inheritdoc/>
    protected override void WriteState(Dictionary<string, object> d)
    {
        d["total_steps"] = (long)TotalSteps;
        d["_anneal_func_type"] = AnnealStrategy;
        d["cycle_momentum"] = CycleMomentum;
        if (CycleMomentum) d["use_beta1"] = UseBeta1;
        d["_schedule_phases"] = _phases.Select(p => new Dictionary<string, object>
        {
            ["end_step"] = p.EndStep, ["start_lr"] = p.StartLr, ["end_lr"] = p.EndLr, ["start_momentum"] = p.StartMomentum, ["end_momentum"] = p.EndMomentum,
        }).ToArray();
    }

    /// <inheritdoc/>
    protected override void ReadState(Dictionary<string, object> d)
    {
        TotalSteps = StateDicts.Get<int>(d, "total_steps", Name);
        AnnealStrategy = StateDicts.Get<string>(d, "_anneal_func_type", Name);
        CycleMomentum = StateDicts.Get<bool>(d, "cycle_momentum", Name);
        if (CycleMomentum) UseBeta1 = StateDicts.Get<bool>(d, "use_beta1", Name);
        var phases = StateDicts.Get<Dictionary<string, object>[]>(d, "_schedule_phases", Name);
        if (phases.Length != _phases.Length)
            throw new ArgumentException($"OneCycleLR: state dict has {phases.Length} schedule phases, this scheduler has {_phases.Length}.");
        for (int i = 0; i < phases.Length; i++)
            _phases[i] = (StateDicts.Get<double>(phases[i], "end_step", Name), StateDicts.Get<string>(phases[i], "start_lr", Name),
                StateDicts.Get<string>(phases[i], "end_lr", Name), StateDicts.Get<string>(phases[i], "start_momentum", Name),
                StateDicts.Get<string>(phases[i], "end_momentum", Name));
    }
}

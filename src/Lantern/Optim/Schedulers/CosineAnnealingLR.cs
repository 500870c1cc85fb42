namespace Lantern.Optim;

/// <summary>
/// torch.optim.lr_scheduler.CosineAnnealingLR in PyTorch's recursive (chainable) form:
/// η_t = η_min + (η_{t-1} - η_min) · (1 + cos(π t / T_max)) / (1 + cos(π (t - 1) / T_max)), which equals the
/// closed form η_min + (η_0 - η_min)(1 + cos(π t / T_max)) / 2 when nothing else changes the lr. Past T_max the
/// schedule climbs back (no restart; see <see cref="CosineAnnealingWarmRestarts"/>).
/// </summary>
/// <example><code>var sched = new CosineAnnealingLR(opt, tMax: 100, etaMin: 1e-5);</code></example>
public sealed class CosineAnnealingLR : LRScheduler
{
    /// <summary>Cosine annealing over <paramref name="tMax"/> epochs.</summary>
    /// <exception cref="ArgumentException">tMax &lt;= 0.</exception>
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin = 0.0, int lastEpoch = -1) : base(optimizer)
    {
        if (tMax <= 0) throw new ArgumentException($"CosineAnnealingLR: T_max must be positive, got {tMax}.");
        TMax = tMax;
        EtaMin = etaMin;
        Initialize(lastEpoch);
    }

    /// <summary>Half period in epochs.</summary>
    public int TMax { get; private set; }

    /// <summary>Minimum learning rate.</summary>
    public double EtaMin { get; private set; }

    /// <inheritdoc/>
    protected override double[] GetLr()
    {
        var lrs = GroupValuesOf("lr");
        if (IsInitial) return lrs;
        double t = LastEpoch;
        if (StepCount == 1 && LastEpoch > 0)
            return BaseLrs.Select(b => EtaMin + (b - EtaMin) * (1 + Math.Cos(t * Math.PI / TMax)) / 2).ToArray();
        if (FloorMod(LastEpoch - 1 - TMax, 2 * TMax) == 0)
            return lrs.Select((lr, i) => lr + (BaseLrs[i] - EtaMin) * (1 - Math.Cos(Math.PI / TMax)) / 2).ToArray();
        return lrs.Select(lr => (1 + Math.Cos(Math.PI * t / TMax)) / (1 + Math.Cos(Math.PI * (t - 1) / TMax)) * (lr - EtaMin) + EtaMin).ToArray();
    }

    /// <inheritdoc/>
    protected override double[]? GetClosedFormLr() =>
        BaseLrs.Select(b => EtaMin + (b - EtaMin) * (1 + Math.Cos(Math.PI * LastEpoch / TMax)) / 2).ToArray();

    /// <inheritdoc/>
    protected override void WriteState(Dictionary<string, object> d)
    {
        d["T_max"] = (long)TMax;
        d["eta_min"] = EtaMin;
    }

    /// <inheritdoc/>
    protected override void ReadState(Dictionary<string, object> d)
    {
        TMax = StateDicts.Get<int>(d, "T_max", Name);
        EtaMin = StateDicts.Get<double>(d, "eta_min", Name);
    }
}

/// <summary>
/// torch.optim.lr_scheduler.CosineAnnealingWarmRestarts (SGDR): η = η_min + (η_0 - η_min)(1 + cos(π T_cur / T_i)) / 2
/// where T_cur counts epochs since the last restart and T_i = T_0 · T_mult^k grows after each restart.
/// <see cref="Step(double)"/> accepts fractional epochs (e.g. epoch + batch / batches) as PyTorch's step(epoch).
/// </summary>
/// <example><code>var sched = new CosineAnnealingWarmRestarts(opt, t0: 10, tMult: 2); ... sched.Step(epoch + i / (double)iters);</code></example>
public sealed class CosineAnnealingWarmRestarts : LRScheduler
{
    /// <summary>Warm restarts every T_0, T_0 T_mult, T_0 T_mult², ... epochs.</summary>
    /// <exception cref="ArgumentException">t0 &lt;= 0 or tMult &lt; 1.</exception>
    public CosineAnnealingWarmRestarts(Optimizer optimizer, int t0, int tMult = 1, double etaMin = 0.0, int lastEpoch = -1) : base(optimizer)
    {
        if (t0 <= 0) throw new ArgumentException($"CosineAnnealingWarmRestarts: expected positive integer T_0, but got {t0}.");
        if (tMult < 1) throw new ArgumentException($"CosineAnnealingWarmRestarts: expected integer T_mult >= 1, but got {tMult}.");
        T0 = t0;
        Ti = t0;
        TMult = tMult;
        EtaMin = etaMin;
        TCur = lastEpoch;
        Initialize(lastEpoch);
    }

    /// <summary>Length of the first period.</summary>
    public int T0 { get; private set; }

    /// <summary>Length of the current period.</summary>
    public int Ti { get; private set; }

    /// <summary>Growth factor of the period after a restart.</summary>
    public int TMult { get; private set; }

    /// <summary>Minimum learning rate.</summary>
    public double EtaMin { get; private set; }

    /// <summary>Epochs since the last restart (fractional after Step(double)).</summary>
    public double TCur { get; private set; }

    /// <inheritdoc/>
    protected override double[] GetLr() => BaseLrs.Select(b => EtaMin + (b - EtaMin) * (1 + Math.Cos(Math.PI * TCur / Ti)) / 2).ToArray();

    /// <inheritdoc/>
    public override void Step() => StepCore(null);

    /// <inheritdoc/>
    public override void Step(int epoch) => StepCore(epoch);

    /// <summary>Jumps to a (possibly fractional) epoch, PyTorch's step(epoch).</summary>
    /// <exception cref="ArgumentException">A negative epoch.</exception>
    public void Step(double epoch) => StepCore(epoch);

    // PyTorch's CosineAnnealingWarmRestarts.step (which leaves _step_count alone).
    private void StepCore(double? epochArg)
    {
        double epoch;
        if (epochArg is null && LastEpoch < 0) epochArg = 0;
        if (epochArg is null)
        {
            epoch = LastEpoch + 1;
            TCur += 1;
            if (TCur >= Ti)
            {
                TCur %= Ti;
                Ti *= TMult;
            }
        }
        else
        {
            epoch = epochArg.Value;
            if (epoch < 0) throw new ArgumentException($"CosineAnnealingWarmRestarts: expected non-negative epoch, but got {epoch}.");
            if (epoch >= T0)
            {
                if (TMult == 1) TCur = epoch % T0;
                else
                {
                    int n = (int)(Math.Log(epoch / T0 * (TMult - 1) + 1) / Math.Log(TMult));
                    TCur = epoch - T0 * (Math.Pow(TMult, n) - 1) / (TMult - 1);
                    Ti = T0 * (int)Math.Pow(TMult, n);
                }
            }
            else
            {
                Ti = T0;
                TCur = epoch;
            }
        }
        LastEpoch = (int)Math.Floor(epoch);
        var lrs = GetLr();
        var groups = Optimizer.ParamGroups;
        for (int i = 0; i < groups.Count; i++) groups[i].Lr = lrs[i];
        LastLr = GroupValuesOf("lr");
    }

    /// <inheritdoc/>
    protected override void WriteState(Dictionary<string, object> d)
    {
        d["T_0"] = (long)T0;
        d["T_i"] = (long)Ti;
        d["T_mult"] = (long)TMult;
        d["eta_min"] = EtaMin;
        d["T_cur"] = TCur;
    }

    /// <inheritdoc/>
    protected override void ReadState(Dictionary<string, object> d)
    {
        T0 = StateDicts.Get<int>(d, "T_0", Name);
        Ti = StateDicts.Get<int>(d, "T_i", Name);
        TMult = StateDicts.Get<int>(d, "T_mult", Name);
        EtaMin = StateDicts.Get<double>(d, "eta_min", Name);
        TCur = StateDicts.Get<double>(d, "T_cur", Name);
    }
}

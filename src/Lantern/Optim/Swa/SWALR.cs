namespace Lantern.Optim;

/// <summary>
/// torch.optim.swa_utils.SWALR: anneals each group's lr from its current value to swa_lr over
/// <c>annealEpochs</c> epochs ("cos": α = (1 - cos(π t)) / 2, "linear": α = t, t = step / annealEpochs clipped to
/// [0, 1]), then holds swa_lr. Written in PyTorch's chainable form: the previous lr is recovered from the current
/// one and the previous α, then mixed with swa_lr by the new α.
/// </summary>
/// <example><code>var swaSched = new SWALR(opt, swaLr: 0.05, annealEpochs: 5, annealStrategy: "linear");</code></example>
public sealed class SWALR : LRScheduler
{
    /// <summary>Anneals to <paramref name="swaLr"/> (one value or one per group).</summary>
    /// <exception cref="ArgumentException">Unknown strategy, annealEpochs &lt; 0, or a list of the wrong length.</exception>
    public SWALR(Optimizer optimizer, GroupValues swaLr, int annealEpochs = 10, string annealStrategy = "cos", int lastEpoch = -1) : base(optimizer)
    {
        var swaLrs = swaLr.Expand(Name, "swa_lr", optimizer.ParamGroups.Count);
        for (int i = 0; i < swaLrs.Length; i++) optimizer.ParamGroups[i]["swa_lr"] = swaLrs[i];
        if (annealStrategy is not ("cos" or "linear"))
            throw new ArgumentException($"SWALR: anneal_strategy must by one of 'cos' or 'linear', instead got '{annealStrategy}'.");
        if (annealEpochs < 0) throw new ArgumentException($"SWALR: anneal_epochs must be equal or greater than 0, got {annealEpochs}.");
        AnnealStrategy = annealStrategy;
        AnnealEpochs = annealEpochs;
        Initialize(lastEpoch);
    }

    /// <summary>"cos" or "linear".</summary>
    public string AnnealStrategy { get; private set; }

    /// <summary>Epochs of annealing.</summary>
    public int AnnealEpochs { get; private set; }

    private double Anneal(double t) => AnnealStrategy == "linear" ? t : (1 - Math.Cos(Math.PI * t)) / 2;

    private static double InitialLr(double lr, double swaLr, double alpha) => alpha == 1 ? swaLr : (lr - alpha * swaLr) / (1 - alpha);

    /// <inheritdoc/>
    protected override double[] GetLr()
    {
        int step = StepCount - 1;
        if (AnnealEpochs == 0) step = Math.Max(1, step);
        double prevT = Math.Max(0, Math.Min(1, (double)(step - 1) / Math.Max(1, AnnealEpochs)));
        double prevAlpha = Anneal(prevT);
        double t = Math.Max(0, Math.Min(1, (double)step / Math.Max(1, AnnealEpochs)));
        double alpha = Anneal(t);
        return Optimizer.ParamGroups.Select(g =>
        {
            double swa = g.GetDouble("swa_lr");
            return swa * alpha + InitialLr(g.Lr, swa, prevAlpha) * (1 - alpha);
        }).ToArray();
    }

    /// <inheritdoc/>
    protected override void WriteState(Dictionary<string, object> d)
    {
        d["anneal_epochs"] = (long)AnnealEpochs;
        d["anneal_strategy"] = AnnealStrategy;
    }

    /// <inheritdoc/>
    protected override void ReadState(Dictionary<string, object> d)
    {
        AnnealEpochs = StateDicts.Get<int>(d, "anneal_epochs", Name);
        AnnealStrategy = StateDicts.Get<string>(d, "anneal_strategy", Name);
    }
}

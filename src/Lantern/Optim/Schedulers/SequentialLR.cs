namespace Lantern.Optim;

/// <summary>
/// torch.optim.lr_scheduler.SequentialLR: hands the schedule from one scheduler to the next at each milestone
/// (warm-up then cosine: <c>new SequentialLR(opt, [new LinearLR(opt, 0.01, 1, 5), new CosineAnnealingLR(opt, 95)], [5])</c>).
/// Construction resets the lrs to initial_lr, undoes the sub-schedulers' initial steps and re-runs the first
/// one's; at a milestone the next scheduler restarts from epoch 0 (closed form where it has one), as PyTorch does.
/// </summary>
public sealed class SequentialLR : LRScheduler
{
    private readonly LRScheduler[] _schedulers;
    private int[] _milestones;

    /// <summary>Schedulers used in turn, switching at the milestones (one fewer than the schedulers).</summary>
    /// <exception cref="ArgumentException">No scheduler, a ReduceLROnPlateau, a scheduler of another optimiser, or a wrong milestone count.</exception>
    public SequentialLR(Optimizer optimizer, IReadOnlyList<LRScheduler> schedulers, IReadOnlyList<int> milestones, int lastEpoch = -1) : base(optimizer)
    {
        ChainedScheduler.Check(Name, optimizer, schedulers);
        if (milestones.Count != schedulers.Count - 1)
            throw new ArgumentException($"SequentialLR: expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers {schedulers.Count} and the number of milestones to be equal to {milestones.Count}.");
        _schedulers = schedulers.ToArray();
        _milestones = milestones.ToArray();
        LastEpoch = lastEpoch + 1;
        foreach (var g in optimizer.ParamGroups) g.Lr = g.GetDouble("initial_lr");
        foreach (var s in _schedulers) s.UndoEpoch();
        _schedulers[0].InitialStep();
        LastLr = _schedulers[0].GetLastLr().ToArray();
    }

    /// <summary>The schedulers.</summary>
    public IReadOnlyList<LRScheduler> Schedulers => _schedulers;

    /// <inheritdoc/>
    internal override void UndoEpoch()
    {
        foreach (var s in _schedulers) s.UndoEpoch();
    }

    /// <inheritdoc/>
    public override void Step()
    {
        LastEpoch++;
        int idx = BisectRight(_milestones, LastEpoch);
        var scheduler = _schedulers[idx];
        if (idx > 0 && _milestones[idx - 1] == LastEpoch) scheduler.UpdateLr(0);
        else scheduler.Step();
        LastLr = scheduler.GetLastLr().ToArray();
    }

    /// <summary>Not supported (PyTorch's SequentialLR.step takes no epoch).</summary>
    public override void Step(int epoch) => throw new NotSupportedException("SequentialLR: Step(epoch) is not supported; call Step().");

    /// <inheritdoc/>
    protected override double[] GetLr() => GroupValuesOf("lr");

    /// <inheritdoc/>
    protected override void WriteState(Dictionary<string, object> d)
    {
        d["_milestones"] = _milestones.Clone();
        d["_schedulers"] = _schedulers.Select(s => s.StateDict()).ToArray();
    }

    /// <inheritdoc/>
    protected override void ReadState(Dictionary<string, object> d)
    {
        _milestones = (int[])StateDicts.Get<int[]>(d, "_milestones", Name).Clone();
        ChainedScheduler.LoadChildren(Name, _schedulers, StateDicts.Get<Dictionary<string, object>[]>(d, "_schedulers", Name));
    }
}

/// <summary>
/// torch.optim.lr_scheduler.ChainedScheduler: steps every (chainable) scheduler in turn on each <see cref="Step()"/>,
/// so their effects multiply (e.g. a constant warm-up factor with an exponential decay).
/// </summary>
public sealed class ChainedScheduler : LRScheduler
{
    private readonly LRScheduler[] _schedulers;

    /// <summary>Chains schedulers of one optimiser (the first scheduler's unless given).</summary>
    /// <exception cref="ArgumentException">No scheduler, a ReduceLROnPlateau, or schedulers of different optimisers.</exception>
    public ChainedScheduler(IReadOnlyList<LRScheduler> schedulers, Optimizer? optimizer = null)
        : base(optimizer ?? (schedulers.Count > 0 ? schedulers[0].Optimizer : throw new ArgumentException("ChainedScheduler: expects at least one scheduler to be chained, but got no scheduler.")))
    {
        Check(Name, Optimizer, schedulers);
        _schedulers = schedulers.ToArray();
        LastLr = GroupValuesOf("lr");
    }

    /// <summary>The schedulers.</summary>
    public IReadOnlyList<LRScheduler> Schedulers => _schedulers;

    internal static void Check(string owner, Optimizer optimizer, IReadOnlyList<LRScheduler> schedulers)
    {
        if (schedulers.Count < 1)
            throw new ArgumentException($"{owner}: expects at least one scheduler, but got no scheduler.");
        for (int i = 0; i < schedulers.Count; i++)
        {
            if (schedulers[i] is ReduceLROnPlateau)
                throw new ArgumentException($"{owner}: does not support `ReduceLROnPlateau` scheduler as it requires additional kwargs to be specified when calling `step`, but got one at index {i} in the given schedulers sequence.");
            if (!ReferenceEquals(schedulers[i].Optimizer, optimizer))
                throw new ArgumentException($"{owner}: expects all schedulers to belong to the same optimizer, but got scheduler {schedulers[i].Name} at index {i} with a different optimizer.");
        }
    }

    internal static void LoadChildren(string owner, LRScheduler[] schedulers, Dictionary<string, object>[] states)
    {
        if (states.Length != schedulers.Length)
            throw new ArgumentException($"{owner}: state dict holds {states.Length} schedulers, this one has {schedulers.Length}.");
        for (int i = 0; i < states.Length; i++) schedulers[i].LoadStateDict(states[i]);
    }

    /// <inheritdoc/>
    internal override void UndoEpoch()
    {
        foreach (var s in _schedulers) s.UndoEpoch();
    }

    /// <inheritdoc/>
    public override void Step()
    {
        foreach (var s in _schedulers) s.Step();
        LastLr = GroupValuesOf("lr");
    }

    /// <summary>Not supported (PyTorch's ChainedScheduler.step takes no epoch).</summary>
    public override void Step(int epoch) => throw new NotSupportedException("ChainedScheduler: Step(epoch) is not supported; call Step().");

    /// <inheritdoc/>
    protected override double[] GetLr() => GroupValuesOf("lr");

    /// <inheritdoc/>
    protected override void WriteState(Dictionary<string, object> d) => d["_schedulers"] = _schedulers.Select(s => s.StateDict()).ToArray();

    /// <inheritdoc/>
    protected override void ReadState(Dictionary<string, object> d) =>
        LoadChildren(Name, _schedulers, StateDicts.Get<Dictionary<string, object>[]>(d, "_schedulers", Name));
}

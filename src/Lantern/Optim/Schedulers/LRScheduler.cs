namespace Lantern.Optim;

/// <summary>
/// A value per parameter group: one number for every group, or one per group (PyTorch's "float or list"
/// arguments such as max_lr). Converts implicitly from double and double[].
/// </summary>
public readonly struct GroupValues
{
    private readonly double _single;
    private readonly double[]? _each;

    private GroupValues(double single, double[]? each)
    {
        _single = single;
        _each = each;
    }

    /// <summary>The same value for every group.</summary>
    public static implicit operator GroupValues(double value) => new(value, null);

    /// <summary>One value per group.</summary>
    public static implicit operator GroupValues(double[] values) => new(0, (double[])values.Clone());

    /// <summary>True when one value is given per group.</summary>
    public bool IsList => _each is not null;

    /// <summary>PyTorch's _format_param: the values expanded to <paramref name="groups"/> entries.</summary>
    /// <exception cref="ArgumentException">A list whose length differs from the number of groups.</exception>
    public double[] Expand(string owner, string name, int groups)
    {
        if (_each is null) return Enumerable.Repeat(_single, groups).ToArray();
        if (_each.Length != groups)
            throw new ArgumentException($"{owner}: {name} must have the same length as optimizer.param_groups. {name} has {_each.Length} values, param_groups has {groups}.");
        return (double[])_each.Clone();
    }
}

/// <summary>
/// Base of the learning-rate schedulers (torch.optim.lr_scheduler.LRScheduler). A scheduler writes each group's
/// "lr" on <see cref="Step()"/>; construction sets "initial_lr" (when absent) and performs PyTorch's initial step,
/// so <see cref="GetLastLr"/> is valid at once. Most schedulers are chainable (they scale the current lr, so
/// several may drive one optimiser); <see cref="Step(int)"/> uses the closed form where one exists.
/// Derived constructors set their fields, then call <see cref="Initialize"/> (PyTorch's super().__init__).
/// </summary>
public abstract class LRScheduler
{
    /// <summary>Binds the scheduler to an optimiser; derived constructors call <see cref="Initialize"/> last.</summary>
    protected LRScheduler(Optimizer optimizer) => Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));

    /// <summary>The scheduler's name in messages.</summary>
    public virtual string Name => GetType().Name;

    /// <summary>The optimiser whose learning rates are scheduled.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The learning rates the schedule starts from (each group's "initial_lr").</summary>
    public double[] BaseLrs { get; protected set; } = [];

    /// <summary>Index of the last epoch (or batch) stepped; 0 after construction.</summary>
    public int LastEpoch { get; protected set; }

    /// <summary>Number of steps taken, the initial one included (PyTorch's _step_count).</summary>
    protected int StepCount { get; set; }

    /// <summary>True during the initial step made by the constructor (PyTorch's _is_initial).</summary>
    protected bool IsInitial { get; private set; }

    /// <summary>The learning rates set by the last step, one per group.</summary>
    protected double[] LastLr { get; set; } = [];

    /// <summary>The most recent learning rate of each group.</summary>
    public IReadOnlyList<double> GetLastLr() => LastLr;

    /// <summary>PyTorch's LRScheduler.__init__: "initial_lr", <see cref="BaseLrs"/>, <see cref="LastEpoch"/>, then the initial step.</summary>
    /// <exception cref="ArgumentException">lastEpoch &gt;= 0 while a group has no "initial_lr" (not a resumed optimiser).</exception>
    protected void Initialize(int lastEpoch)
    {
        var groups = Optimizer.ParamGroups;
        if (lastEpoch == -1)
            foreach (var g in groups) g.SetDefault("initial_lr", g.Lr);
        else
            for (int i = 0; i < groups.Count; i++)
                if (!groups[i].ContainsKey("initial_lr"))
                    throw new ArgumentException($"{Name}: param 'initial_lr' is not specified in param_groups[{i}] when resuming scheduler with lastEpoch >= 0 ({lastEpoch}).");
        BaseLrs = GroupValuesOf("initial_lr");
        LastEpoch = lastEpoch;
        InitialStep();
    }

    /// <summary>PyTorch's _initial_step: resets the step count and steps once in initial mode.</summary>
    protected internal void InitialStep()
    {
        StepCount = 0;
        IsInitial = true;
        try { Step(); }
        finally { IsInitial = false; }
    }

    /// <summary>Advances one epoch (or batch) and writes the new learning rates into the optimiser.</summary>
    public virtual void Step()
    {
        StepCount++;
        UpdateLr(null);
    }

    /// <summary>PyTorch's deprecated step(epoch): jumps to <paramref name="epoch"/>, using the closed form where one exists.</summary>
    public virtual void Step(int epoch)
    {
        StepCount++;
        UpdateLr(epoch);
    }

    /// <summary>PyTorch's _update_lr.</summary>
    protected internal void UpdateLr(int? epoch)
    {
        double[] values;
        if (epoch is null)
        {
            LastEpoch++;
            values = GetLr();
        }
        else
        {
            LastEpoch = epoch.Value;
            values = GetClosedFormLr() ?? GetLr();
        }
        var groups = Optimizer.ParamGroups;
        if (values.Length != groups.Count)
            throw new InvalidOperationException($"{Name}: computed {values.Length} learning rates for {groups.Count} parameter groups.");
        for (int i = 0; i < groups.Count; i++) groups[i].Lr = values[i];
        LastLr = GroupValuesOf("lr");
    }

    /// <summary>The next learning rate of each group (the chainable form).</summary>
    protected abstract double[] GetLr();

    /// <summary>The closed-form learning rates at <see cref="LastEpoch"/>, or null when the scheduler has none.</summary>
    protected virtual double[]? GetClosedFormLr() => null;

    /// <summary>Each group's value under <paramref name="key"/>.</summary>
    protected double[] GroupValuesOf(string key) => Optimizer.ParamGroups.Select(g => g.GetDouble(key)).ToArray();

    /// <summary>
    /// torch's scheduler.state_dict(): "base_lrs", "last_epoch", "_step_count", "_last_lr" and the scheduler's own
    /// fields under PyTorch's attribute names (callables are not saved). See <see cref="StateDicts"/>.
    /// </summary>
    public Dictionary<string, object> StateDict()
    {
        var d = new Dictionary<string, object>
        {
            ["base_lrs"] = BaseLrs.Clone(),
            ["last_epoch"] = (long)LastEpoch,
            ["_step_count"] = (long)StepCount,
            ["_get_lr_called_within_step"] = false,
            ["_is_initial"] = false,
            ["_last_lr"] = LastLr.Clone(),
        };
        WriteState(d);
        return d;
    }

    /// <summary>torch's scheduler.load_state_dict(): restores every saved field (the optimiser's lrs are the optimiser's to load).</summary>
    /// <exception cref="ArgumentException">A missing or mistyped entry.</exception>
    public void LoadStateDict(Dictionary<string, object> stateDict)
    {
        BaseLrs = (double[])StateDicts.Get<double[]>(stateDict, "base_lrs", Name).Clone();
        LastEpoch = StateDicts.Get<int>(stateDict, "last_epoch", Name);
        StepCount = StateDicts.Get<int>(stateDict, "_step_count", Name);
        LastLr = (double[])StateDicts.Get<double[]>(stateDict, "_last_lr", Name).Clone();
        ReadState(stateDict);
    }

    /// <summary>Adds the scheduler's own fields to a state dict.</summary>
    protected virtual void WriteState(Dictionary<string, object> d) { }

    /// <summary>Restores the scheduler's own fields.</summary>
    protected virtual void ReadState(Dictionary<string, object> d) { }

    /// <summary>Undoes one epoch of the count (SequentialLR's recursive_undo).</summary>
    internal virtual void UndoEpoch() => LastEpoch--;

    /// <summary>Python's a // b for integers.</summary>
    protected static int FloorDiv(int a, int b) => (int)Math.Floor((double)a / b);

    /// <summary>Python's a % b for integers (sign of b).</summary>
    protected static int FloorMod(int a, int b) => ((a % b) + b) % b;

    /// <summary>Python's bisect_right: the number of sorted values &lt;= x.</summary>
    protected static int BisectRight(IReadOnlyList<int> sorted, int x)
    {
        int n = 0;
        while (n < sorted.Count && sorted[n] <= x) n++;
        return n;
    }
}

namespace Lantern.Training;

/// <summary>
/// The values logged with <see cref="LightningModule.Log(string, double, bool?, bool?, bool, bool, string, int?)"/> during one
/// run of a loop (Lightning's _ResultCollection + logger connector): per-step values, epoch reductions weighted by batch
/// size, and the trainer's callback / progress-bar / logged metric dictionaries.
/// </summary>
internal sealed class MetricStore(Trainer trainer)
{
    private sealed class Entry(bool onStep, bool onEpoch, bool progBar, bool logger, string reduce)
    {
        public readonly bool OnStep = onStep, OnEpoch = onEpoch, ProgBar = progBar, Logger = logger;
        public readonly string Reduce = reduce;
        public double WeightedSum, Weight, Sum, Max = double.NegativeInfinity, Min = double.PositiveInfinity;
        public long Count;

        public void Add(double v, int batchSize)
        {
            WeightedSum += v * batchSize;
            Weight += batchSize;
            Sum += v;
            Max = Math.Max(Max, v);
            Min = Math.Min(Min, v);
            if (double.IsNaN(v)) { Max = Min = double.NaN; }
            Count++;
        }

        public double Value => Reduce switch
        {
            "sum" => Sum,
            "max" => Max,
            "min" => Min,
            _ => Weight > 0 ? WeightedSum / Weight : Sum / Math.Max(1, Count),
        };

        public bool SameOptions(Entry o) => OnStep == o.OnStep && OnEpoch == o.OnEpoch && ProgBar == o.ProgBar && Logger == o.Logger && Reduce == o.Reduce;
    }

    // training and evaluation keep separate running values: a validation inside an epoch must not reset the training epoch's
    private readonly Dictionary<string, Entry> _trainEntries = new(StringComparer.Ordinal), _evalEntries = new(StringComparer.Ordinal);
    private Dictionary<string, Entry> Entries => Training ? _trainEntries : _evalEntries;
    private readonly Dictionary<string, double> _pendingStep = new(StringComparer.Ordinal);

    public Dictionary<string, double> Callback { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, double> ProgressBar { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, double> Logged { get; } = new(StringComparer.Ordinal);

    /// <summary>The hook or step running now ("training_step", "on_train_epoch_end", "validation_step", ...).</summary>
    public string CurrentFx { get; set; } = "";

    /// <summary>True while the training loop (not an evaluation run) is the active loop.</summary>
    public bool Training { get; set; }

    /// <summary>Size of the batch being processed (for weighted means).</summary>
    public int BatchSize { get; set; } = 1;

    private static readonly HashSet<string> StepFx = ["training_step", "on_train_batch_start", "on_train_batch_end", "on_before_backward",
        "on_after_backward", "on_before_optimizer_step", "on_before_zero_grad"];

    public void Log(string name, double value, bool? onStep, bool? onEpoch, bool progBar, bool logger, string reduce, int? batchSize)
    {
        if (string.IsNullOrEmpty(name)) throw new ArgumentException("LightningModule.Log: the metric name is empty.");
        if (reduce is not ("mean" or "sum" or "max" or "min"))
            throw new ArgumentException($"LightningModule.Log(\"{name}\"): reduce must be \"mean\", \"sum\", \"max\" or \"min\", got \"{reduce}\".");
        if (batchSize is <= 0) throw new ArgumentException($"LightningModule.Log(\"{name}\"): batchSize must be positive, got {batchSize}.");
        if (CurrentFx.StartsWith("predict", StringComparison.Ordinal) || CurrentFx.StartsWith("on_predict", StringComparison.Ordinal))
            throw new InvalidOperationException($"LightningModule.Log(\"{name}\"): logging is not supported in {CurrentFx}.");
        bool stepLevel = Training && StepFx.Contains(CurrentFx);
        bool s = onStep ?? stepLevel, e = onEpoch ?? !stepLevel;
        if (!s && !e) return;
        var fresh = new Entry(s, e, progBar, logger, reduce);
        if (Entries.TryGetValue(name, out var entry))
        {
            if (!entry.SameOptions(fresh))
                throw new InvalidOperationException($"LightningModule.Log(\"{name}\"): logged again in {CurrentFx} with different options (onStep, onEpoch, progBar, logger, reduce) in the same epoch.");
        }
        else Entries[name] = entry = fresh;
        entry.Add(value, batchSize ?? BatchSize);
        if (s)
        {
            string key = e ? name + "_step" : name;
            Callback[key] = value;
            Callback[name] = value;
            if (progBar) ProgressBar[key] = value;
            if (logger && Training && stepLevel) _pendingStep[key] = value;
        }
        else Callback[name] = entry.Value;
    }

    /// <summary>The step metrics logged since the last call (for the loggers), then cleared.</summary>
    public Dictionary<string, double> TakeStepMetrics()
    {
        var d = new Dictionary<string, double>(_pendingStep, StringComparer.Ordinal);
        _pendingStep.Clear();
        foreach (var (k, v) in d) Logged[k] = v;
        return d;
    }

    /// <summary>Reduces the epoch metrics into the callback / progress-bar metrics and returns those for the loggers; resets.</summary>
    public Dictionary<string, double> EpochEnd()
    {
        var toLog = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, entry) in Entries)
        {
            if (!entry.OnEpoch) continue;
            string key = entry.OnStep ? name + "_epoch" : name;
            double v = entry.Value;
            Callback[key] = v;
            Callback[name] = v;
            if (entry.ProgBar) ProgressBar[key] = v;
            if (entry.Logger) toLog[key] = v;
        }
        foreach (var (k, v) in toLog) Logged[k] = v;
        Entries.Clear();
        _pendingStep.Clear();
        return toLog;
    }

    /// <summary>Forgets the running values (start of an epoch or evaluation run) without touching the dictionaries.</summary>
    public void ResetRunning()
    {
        Entries.Clear();
        _pendingStep.Clear();
    }

    /// <summary>Sends metrics to every logger with "epoch" added, as Lightning's logger connector.</summary>
    public void SendToLoggers(Dictionary<string, double> metrics, long step)
    {
        if (metrics.Count == 0 || trainer.Loggers.Count == 0) return;
        var m = new Dictionary<string, double>(metrics, StringComparer.Ordinal);
        m.TryAdd("epoch", trainer.CurrentEpoch);
        foreach (var l in trainer.Loggers) l.LogMetrics(m, step);
    }
}

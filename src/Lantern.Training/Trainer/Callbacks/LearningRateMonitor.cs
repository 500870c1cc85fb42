namespace Lantern.Training;

/// <summary>
/// Logs the learning rate of every parameter group (lightning.pytorch.callbacks.LearningRateMonitor) to the loggers:
/// "lr-{Optimizer}" for one group, "lr-{Optimizer}/pg{i}" (1-based) for several, or the scheduler's configured name;
/// with <c>logMomentum</c> also "lr-{Optimizer}-momentum" (SGD momentum or Adam's beta1). Interval "step" logs at each
/// training batch start (every LogEveryNSteps), "epoch" at each epoch start, null: as the schedulers' intervals (epoch
/// when none is stepped per step). The values are also put in the trainer's <see cref="Trainer.CallbackMetrics"/>.
/// </summary>
public sealed class LearningRateMonitor : Callback
{
    /// <summary>Configures the monitor.</summary>
    /// <exception cref="ArgumentException">An interval other than "step", "epoch" or null.</exception>
    public LearningRateMonitor(string? loggingInterval = null, bool logMomentum = false)
    {
        if (loggingInterval is not (null or "step" or "epoch"))
            throw new ArgumentException($"LearningRateMonitor: loggingInterval should be \"step\", \"epoch\" or null, got \"{loggingInterval}\".");
        LoggingInterval = loggingInterval;
        LogMomentum = logMomentum;
    }

    /// <summary>"step", "epoch" or null (automatic).</summary>
    public string? LoggingInterval { get; }
    /// <summary>Whether momentum is logged too.</summary>
    public bool LogMomentum { get; }
    /// <summary>The values logged last.</summary>
    public IReadOnlyDictionary<string, double> LastValues { get; private set; } = new Dictionary<string, double>();

    private bool StepWise(Trainer t) => LoggingInterval == "step" || (LoggingInterval is null && t.LrSchedulerConfigs.Any(s => s.Interval == "step"));

    /// <inheritdoc/>
    public override void OnTrainBatchStart(Trainer trainer, LightningModule module, object? batch, int batchIdx)
    {
        if (StepWise(trainer) && (trainer.LoggerStep + 1) % trainer.LogEveryNSteps == 0) Emit(trainer);
    }

    /// <inheritdoc/>
    public override void OnTrainEpochStart(Trainer trainer, LightningModule module)
    {
        if (!StepWise(trainer)) Emit(trainer);
    }

    /// <summary>The learning rates (and momenta) now, by name.</summary>
    public static Dictionary<string, double> Collect(Trainer trainer, bool logMomentum = false)
    {
        var d = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var opt in trainer.Optimizers)
        {
            var named = trainer.LrSchedulerConfigs.FirstOrDefault(s => ReferenceEquals(s.Scheduler.Optimizer, opt))?.Name;
            string baseName = named ?? "lr-" + opt.Name;
            var groups = opt.ParamGroups;
            for (int i = 0; i < groups.Count; i++)
            {
                string key = groups.Count == 1 ? baseName : $"{baseName}/pg{i + 1}";
                d[key] = groups[i].Lr;
                if (logMomentum)
                {
                    double? m = groups[i].ContainsKey("momentum") ? groups[i].GetDouble("momentum")
                        : groups[i].ContainsKey("betas") && groups[i]["betas"] is double[] b ? b[0] : null;
                    if (m is { } mv) d[key + "-momentum"] = mv;
                }
            }
        }
        return d;
    }

    private void Emit(Trainer t)
    {
        var values = Collect(t, LogMomentum);
        LastValues = values;
        foreach (var (k, v) in values) t.Metrics.Callback[k] = v;
        foreach (var l in t.Loggers) l.LogMetrics(values, t.LoggerStep);
    }
}

using Lantern.Optim;

namespace Lantern.Training;

/// <summary>
/// What <see cref="LightningModule.ConfigureOptimizers"/> returns (Lightning's {"optimizer": ..., "lr_scheduler": ...}): one
/// optimiser (automatic optimisation) and any number of learning-rate schedulers.
/// </summary>
public sealed class OptimizerConfig
{
    /// <summary>An optimiser and its schedulers.</summary>
    /// <exception cref="ArgumentNullException">optimizer is null.</exception>
    /// <exception cref="ArgumentException">A scheduler drives another optimiser.</exception>
    public OptimizerConfig(Optimizer optimizer, params SchedulerConfig[] schedulers)
    {
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        foreach (var s in schedulers)
            if (!ReferenceEquals(s.Scheduler.Optimizer, optimizer))
                throw new ArgumentException($"ConfigureOptimizers: the scheduler {s.Scheduler.Name} drives another optimiser than the configured {optimizer.Name}.");
        Schedulers = schedulers;
    }

    /// <summary>The optimiser.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The schedulers, stepped in this order.</summary>
    public IReadOnlyList<SchedulerConfig> Schedulers { get; }

    /// <summary>An optimiser without a scheduler.</summary>
    public static implicit operator OptimizerConfig(Optimizer optimizer) => new(optimizer);
}

/// <summary>
/// A learning-rate scheduler and when to step it (Lightning's lr_scheduler dict): every <see cref="Frequency"/> optimiser
/// steps (<see cref="Interval"/> "step") or epochs ("epoch"). A <see cref="ReduceLROnPlateau"/> is stepped with the value of
/// <see cref="Monitor"/> from the trainer's callback metrics, after validation.
/// </summary>
public sealed class SchedulerConfig
{
    /// <summary>Configures a scheduler.</summary>
    /// <param name="scheduler">The scheduler.</param>
    /// <param name="interval">"epoch" (default) or "step".</param>
    /// <param name="frequency">Step it every this many intervals (&gt;= 1).</param>
    /// <param name="monitor">The metric a ReduceLROnPlateau reads (required for one, e.g. "val_loss").</param>
    /// <param name="strict">When the monitored metric is missing: throw (true) or skip the step (false).</param>
    /// <param name="name">Name for <see cref="LearningRateMonitor"/> (default "lr-" + optimiser name).</param>
    /// <exception cref="ArgumentException">A bad interval or frequency, or a ReduceLROnPlateau without monitor.</exception>
    public SchedulerConfig(LRScheduler scheduler, string interval = "epoch", int frequency = 1, string? monitor = null, bool strict = true, string? name = null)
    {
        Scheduler = scheduler ?? throw new ArgumentNullException(nameof(scheduler));
        if (interval is not ("epoch" or "step"))
            throw new ArgumentException($"SchedulerConfig: interval must be \"epoch\" or \"step\", got \"{interval}\".");
        if (frequency < 1) throw new ArgumentException($"SchedulerConfig: frequency must be >= 1, got {frequency}.");
        if (scheduler is ReduceLROnPlateau && monitor is null)
            throw new ArgumentException("SchedulerConfig: a ReduceLROnPlateau scheduler needs a monitor (e.g. monitor: \"val_loss\").");
        Interval = interval;
        Frequency = frequency;
        Monitor = monitor;
        Strict = strict;
        Name = name;
    }

    /// <summary>The scheduler.</summary>
    public LRScheduler Scheduler { get; }
    /// <summary>"epoch" or "step".</summary>
    public string Interval { get; }
    /// <summary>Intervals between steps.</summary>
    public int Frequency { get; }
    /// <summary>The monitored metric (ReduceLROnPlateau).</summary>
    public string? Monitor { get; }
    /// <summary>Whether a missing monitored metric is an error.</summary>
    public bool Strict { get; }
    /// <summary>Display name for the learning-rate monitor, or null.</summary>
    public string? Name { get; }
    /// <summary>True for a <see cref="ReduceLROnPlateau"/>.</summary>
    public bool ReduceOnPlateau => Scheduler is ReduceLROnPlateau;
}

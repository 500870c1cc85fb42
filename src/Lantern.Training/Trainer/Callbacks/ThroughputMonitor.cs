using System.Diagnostics;

namespace Lantern.Training;

/// <summary>
/// Measures wall time and throughput (Lightning's Timer + ThroughputMonitor): seconds per stage ("train", "validate",
/// "test"), samples (first dimension of each batch) and batches per second of each training epoch, logged at epoch end as
/// "time/epoch_seconds" and "throughput/samples_per_sec" to the loggers and the callback metrics. With
/// <see cref="Duration"/> set, training stops (ShouldStop) once that much training time has elapsed.
/// </summary>
public sealed class ThroughputMonitor : Callback
{
    private readonly Stopwatch _epoch = new(), _train = new(), _eval = new();
    private long _samples, _batches;
    private readonly List<double> _epochSeconds = [], _epochSamplesPerSec = [];

    /// <summary>Creates the monitor; <paramref name="duration"/> bounds the training time.</summary>
    /// <exception cref="ArgumentException">A non-positive duration.</exception>
    public ThroughputMonitor(TimeSpan? duration = null)
    {
        if (duration is { } d && d <= TimeSpan.Zero) throw new ArgumentException($"ThroughputMonitor: duration must be positive, got {d}.");
        Duration = duration;
    }

    /// <summary>Maximum training time, or null.</summary>
    public TimeSpan? Duration { get; }
    /// <summary>Training time so far (all epochs).</summary>
    public TimeSpan TrainElapsed => _train.Elapsed;
    /// <summary>Validation and test time so far.</summary>
    public TimeSpan EvalElapsed => _eval.Elapsed;
    /// <summary>Samples per second of the current (or last) epoch.</summary>
    public double SamplesPerSecond => _epoch.Elapsed.TotalSeconds > 0 ? _samples / _epoch.Elapsed.TotalSeconds : 0;
    /// <summary>Batches per second of the current (or last) epoch.</summary>
    public double BatchesPerSecond => _epoch.Elapsed.TotalSeconds > 0 ? _batches / _epoch.Elapsed.TotalSeconds : 0;
    /// <summary>Training seconds of each finished epoch (validation excluded).</summary>
    public IReadOnlyList<double> EpochSeconds => _epochSeconds;
    /// <summary>Samples per second of each finished epoch.</summary>
    public IReadOnlyList<double> EpochSamplesPerSecond => _epochSamplesPerSec;

    /// <inheritdoc/>
    public override void OnTrainEpochStart(Trainer trainer, LightningModule module)
    {
        _samples = _batches = 0;
        _epoch.Restart();
        _train.Start();
    }

    /// <inheritdoc/>
    public override void OnTrainBatchEnd(Trainer trainer, LightningModule module, Tensor loss, object? batch, int batchIdx)
    {
        _samples += Loaders.BatchSize(batch);
        _batches++;
        if (Duration is { } d && _train.Elapsed >= d) trainer.ShouldStop = true;
    }

    /// <inheritdoc/>
    public override void OnValidationStart(Trainer trainer, LightningModule module) => Pause();
    /// <inheritdoc/>
    public override void OnValidationEnd(Trainer trainer, LightningModule module) => Resume(trainer);
    /// <inheritdoc/>
    public override void OnTestStart(Trainer trainer, LightningModule module) => _eval.Start();
    /// <inheritdoc/>
    public override void OnTestEnd(Trainer trainer, LightningModule module) => _eval.Stop();

    private bool _paused;

    private void Pause()
    {
        _eval.Start();
        if (_epoch.IsRunning) { _epoch.Stop(); _train.Stop(); _paused = true; }
    }

    private void Resume(Trainer t)
    {
        _eval.Stop();
        if (_paused) { _epoch.Start(); _train.Start(); _paused = false; }
    }

    /// <inheritdoc/>
    public override void OnTrainEpochEnd(Trainer trainer, LightningModule module)
    {
        _epoch.Stop();
        _train.Stop();
        _epochSeconds.Add(_epoch.Elapsed.TotalSeconds);
        _epochSamplesPerSec.Add(SamplesPerSecond);
        var m = new Dictionary<string, double> { ["time/epoch_seconds"] = _epoch.Elapsed.TotalSeconds, ["throughput/samples_per_sec"] = SamplesPerSecond };
        foreach (var (k, v) in m) trainer.Metrics.Callback[k] = v;
        trainer.Metrics.SendToLoggers(m, trainer.LoggerStep - 1);
    }
}

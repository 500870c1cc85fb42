using System.Globalization;

namespace Lantern.Training;

/// <summary>
/// Stops training when a monitored metric stops improving (lightning.pytorch.callbacks.EarlyStopping). After each check:
/// stop if the value is not finite (<see cref="CheckFinite"/>), if it reached <see cref="StoppingThreshold"/>, or if it went
/// past <see cref="DivergenceThreshold"/>; else it improves when current - minDelta beats the best (mode "min": current &lt;
/// best - |minDelta|; "max": current &gt; best + |minDelta|), which resets the wait count; otherwise the count grows and training
/// stops after <see cref="Patience"/> checks without improvement. Checks run at validation end, or at train-epoch end when no
/// validation runs (or with checkOnTrainEpochEnd: true). The trainer honours the stop once MinEpochs are done.
/// </summary>
public sealed class EarlyStopping : Callback
{
    private readonly double _minDelta;

    /// <summary>Configures the callback.</summary>
    /// <exception cref="ArgumentException">An empty monitor, a bad mode, negative patience or a NaN threshold.</exception>
    public EarlyStopping(string monitor, double minDelta = 0, int patience = 3, string mode = "min", bool strict = true, bool checkFinite = true,
        double? stoppingThreshold = null, double? divergenceThreshold = null, bool? checkOnTrainEpochEnd = null, bool verbose = false)
    {
        if (string.IsNullOrEmpty(monitor)) throw new ArgumentException("EarlyStopping: monitor is empty.");
        if (mode is not ("min" or "max")) throw new ArgumentException($"EarlyStopping: mode must be \"min\" or \"max\", got \"{mode}\".");
        if (patience < 0) throw new ArgumentException($"EarlyStopping: patience must be >= 0, got {patience}.");
        if (double.IsNaN(minDelta) || stoppingThreshold is double.NaN || divergenceThreshold is double.NaN)
            throw new ArgumentException("EarlyStopping: minDelta and the thresholds must be numbers, got NaN.");
        Monitor = monitor;
        Mode = mode;
        MinDelta = minDelta;
        _minDelta = mode == "max" ? Math.Abs(minDelta) : -Math.Abs(minDelta);
        Patience = patience;
        Strict = strict;
        CheckFinite = checkFinite;
        StoppingThreshold = stoppingThreshold;
        DivergenceThreshold = divergenceThreshold;
        CheckOnTrainEpochEnd = checkOnTrainEpochEnd;
        Verbose = verbose;
        BestScore = mode == "min" ? double.PositiveInfinity : double.NegativeInfinity;
    }

    /// <summary>The monitored metric.</summary>
    public string Monitor { get; }
    /// <summary>"min" or "max".</summary>
    public string Mode { get; }
    /// <summary>Minimum change that counts as an improvement.</summary>
    public double MinDelta { get; }
    /// <summary>Checks without improvement before stopping.</summary>
    public int Patience { get; }
    /// <summary>Whether a missing metric is an error.</summary>
    public bool Strict { get; }
    /// <summary>Stop when the metric is NaN or infinite.</summary>
    public bool CheckFinite { get; }
    /// <summary>Stop as soon as the metric is better than this.</summary>
    public double? StoppingThreshold { get; }
    /// <summary>Stop as soon as the metric is worse than this.</summary>
    public double? DivergenceThreshold { get; }
    /// <summary>Where the check runs (null: automatic).</summary>
    public bool? CheckOnTrainEpochEnd { get; }
    /// <summary>Print the reason when stopping.</summary>
    public bool Verbose { get; }
    /// <summary>Checks since the last improvement.</summary>
    public int WaitCount { get; private set; }
    /// <summary>The epoch at which training was stopped (0: not stopped).</summary>
    public int StoppedEpoch { get; private set; }
    /// <summary>The best value seen.</summary>
    public double BestScore { get; private set; }
    /// <summary>Why training was stopped, or null.</summary>
    public string? StoppingReason { get; private set; }

    /// <inheritdoc/>
    public override bool IsMonitoring => true;

    /// <inheritdoc/>
    public override string StateKey => $"EarlyStopping{{'monitor': '{Monitor}', 'mode': '{Mode}'}}";

    private bool ChecksOnTrainEpochEnd(Trainer t) => CheckOnTrainEpochEnd ?? (t.NumValBatches == 0 || t.CheckValEveryNEpoch is null);

    /// <inheritdoc/>
    public override void OnTrainEpochEnd(Trainer trainer, LightningModule module)
    {
        if (ChecksOnTrainEpochEnd(trainer)) Check(trainer);
    }

    /// <inheritdoc/>
    public override void OnValidationEnd(Trainer trainer, LightningModule module)
    {
        if (trainer.Stage == "fit" && !trainer.SanityChecking && !ChecksOnTrainEpochEnd(trainer)) Check(trainer);
    }

    private void Check(Trainer t)
    {
        if (!t.CallbackMetrics.TryGetValue(Monitor, out double current))
        {
            if (Strict)
                throw new InvalidOperationException($"EarlyStopping conditioned on metric '{Monitor}' which is not available. Pass in or modify your EarlyStopping callback to use any of the following: {string.Join(", ", t.CallbackMetrics.Keys)}.");
            return;
        }
        var (stop, reason) = Evaluate(current);
        if (stop)
        {
            t.ShouldStop = true;
            StoppedEpoch = t.CurrentEpoch;
            StoppingReason = reason;
            if (Verbose && reason is not null) Console.WriteLine(reason);
        }
    }

    private bool Better(double a, double b) => Mode == "min" ? a < b : a > b;

    /// <summary>Lightning's _evaluate_stopping_criteria on one value (updates the best score and wait count).</summary>
    public (bool Stop, string? Reason) Evaluate(double current)
    {
        var inv = CultureInfo.InvariantCulture;
        if (CheckFinite && !double.IsFinite(current))
            return (true, $"Monitored metric {Monitor} = {current.ToString(inv)} is not finite. Previous best value was {BestScore.ToString("F3", inv)}. Signaling Trainer to stop.");
        if (StoppingThreshold is { } st && Better(current, st))
            return (true, $"Stopping threshold reached: {Monitor} = {current.ToString(inv)} {(Mode == "min" ? "<" : ">")} {st.ToString(inv)}. Signaling Trainer to stop.");
        if (DivergenceThreshold is { } dt && Better(-current, -dt))
            return (true, $"Divergence threshold reached: {Monitor} = {current.ToString(inv)} {(Mode == "min" ? ">" : "<")} {dt.ToString(inv)}. Signaling Trainer to stop.");
        if (Better(current - _minDelta, BestScore))
        {
            BestScore = current;
            WaitCount = 0;
            return (false, null);
        }
        WaitCount++;
        return WaitCount >= Patience
            ? (true, $"Monitored metric {Monitor} did not improve in the last {WaitCount} records. Best score: {BestScore.ToString("F3", inv)}. Signaling Trainer to stop.")
            : (false, null);
    }

    /// <inheritdoc/>
    public override Dictionary<string, object>? StateDict() => new()
    {
        ["wait_count"] = (long)WaitCount,
        ["stopped_epoch"] = (long)StoppedEpoch,
        ["best_score"] = BestScore,
        ["patience"] = (long)Patience,
    };

    /// <inheritdoc/>
    public override void LoadStateDict(Dictionary<string, object> state)
    {
        if (state.TryGetValue("wait_count", out var w) && w is long wl) WaitCount = (int)wl;
        if (state.TryGetValue("stopped_epoch", out var s) && s is long sl) StoppedEpoch = (int)sl;
        if (state.TryGetValue("best_score", out var b) && b is double bd) BestScore = bd;
    }
}

namespace Lantern.Training;

/// <summary>
/// Where the fit loop is, saved in checkpoints under "loops": the epoch, the batches completed in it, the optimiser steps,
/// the logging step counter, the resume point (<see cref="Stage"/>), the stop request and the callback metrics (so a
/// ReduceLROnPlateau or a monitor can act right after a resume).
/// </summary>
internal sealed class LoopProgress
{
    /// <summary>Resume at the start of <see cref="Epoch"/>.</summary>
    public const string EpochStart = "epoch_start";
    /// <summary>Batch BatchesCompleted-1 finished its step; its validation check and plateau step are pending.</summary>
    public const string BatchEnd = "train_batch_end";
    /// <summary>Batch BatchesCompleted-1 and its validation finished; its plateau step is pending.</summary>
    public const string AfterValidation = "validation_end";
    /// <summary>The epoch's batches finished; the epoch-end scheduler step and the next epoch are pending.</summary>
    public const string EpochEnd = "train_epoch_end";

    public int Epoch;
    public int BatchesCompleted;
    public long GlobalStep;
    public long BatchesThatStepped;
    public long TotalBatches;
    public string Stage = EpochStart;
    public bool ShouldStop;

    public Dictionary<string, object> ToTree(IReadOnlyDictionary<string, double> callbackMetrics) => new()
    {
        ["epoch"] = (long)Epoch,
        ["batches_completed"] = (long)BatchesCompleted,
        ["global_step"] = GlobalStep,
        ["batches_that_stepped"] = BatchesThatStepped,
        ["total_batches"] = TotalBatches,
        ["stage"] = Stage,
        ["should_stop"] = ShouldStop,
        ["callback_metrics"] = callbackMetrics.ToDictionary(kv => kv.Key, kv => (object)kv.Value),
    };

    public static LoopProgress FromTree(Dictionary<string, object> t, string source)
    {
        long L(string k) => t.TryGetValue(k, out var v) && v is long l ? l
            : throw new InvalidDataException($"Trainer: checkpoint '{source}' has no integer loops.{k}.");
        var stage = t.TryGetValue("stage", out var s) && s is string str && str is EpochStart or BatchEnd or AfterValidation or EpochEnd ? str
            : throw new InvalidDataException($"Trainer: checkpoint '{source}' has no valid loops.stage.");
        return new LoopProgress
        {
            Epoch = checked((int)L("epoch")),
            BatchesCompleted = checked((int)L("batches_completed")),
            GlobalStep = L("global_step"),
            BatchesThatStepped = L("batches_that_stepped"),
            TotalBatches = L("total_batches"),
            Stage = stage,
            ShouldStop = t.TryGetValue("should_stop", out var b) && b is true,
        };
    }
}

using System.Globalization;
using System.Text.RegularExpressions;

namespace Lantern.Training;

/// <summary>
/// Saves checkpoints (lightning.pytorch.callbacks.ModelCheckpoint): the top-k by a monitored metric (or the latest when
/// <see cref="Monitor"/> is null), optionally "last", every N optimiser steps (at train-batch end) and/or every N epochs (at
/// train-epoch end when validation runs at each epoch end or not at all, else at validation end). Filenames come from a
/// pattern such as <c>"epoch={epoch}-step={step}-{val_acc:.4f}"</c> or, with automatic names, <c>"{epoch}-{val_acc:.4f}"</c>
/// (→ "epoch=3-val_acc=0.9123"); "epoch" and "step" are the trainer's epoch and global step, other names callback metrics.
/// Files are written atomically through <see cref="IO.StateFile"/>.
/// </summary>
public sealed partial class ModelCheckpoint : Callback
{
    /// <summary>The base name of the last checkpoint.</summary>
    public const string LastName = "last";

    private long _lastGlobalStepSaved = -1;
    private readonly Dictionary<string, double> _bestK = new(StringComparer.Ordinal);

    /// <summary>Configures the callback.</summary>
    /// <param name="dirpath">Directory (default: trainer.LogDir/checkpoints).</param>
    /// <param name="filename">Pattern (default "{epoch}-{step}").</param>
    /// <param name="monitor">Metric to rank by (null: keep the latest).</param>
    /// <param name="mode">"min" or "max".</param>
    /// <param name="saveTopK">Keep this many best (-1: all; 0: none).</param>
    /// <param name="saveLast">Also write "last" at every save.</param>
    /// <param name="everyNTrainSteps">Save every N optimiser steps (0: off).</param>
    /// <param name="everyNEpochs">Save every N epochs (default 1 when everyNTrainSteps is 0, else 0).</param>
    /// <param name="saveOnTrainEpochEnd">Force saving at train-epoch end (true) or validation end (false); null: automatic.</param>
    /// <param name="autoInsertMetricName">Write "{name}" as "name=value".</param>
    /// <param name="saveWeightsOnly">Write only weights and progress (no optimiser, scheduler, callback or RNG state).</param>
    /// <exception cref="ArgumentException">A bad mode, saveTopK below -1, negative intervals, or saveTopK &gt; 1 without monitor.</exception>
    public ModelCheckpoint(string? dirpath = null, string? filename = null, string? monitor = null, string mode = "min", int saveTopK = 1,
        bool saveLast = false, int everyNTrainSteps = 0, int? everyNEpochs = null, bool? saveOnTrainEpochEnd = null,
        bool autoInsertMetricName = true, bool saveWeightsOnly = false)
    {
        if (mode is not ("min" or "max")) throw new ArgumentException($"ModelCheckpoint: mode must be \"min\" or \"max\", got \"{mode}\".");
        if (saveTopK < -1) throw new ArgumentException($"ModelCheckpoint: saveTopK must be >= -1, got {saveTopK}.");
        if (everyNTrainSteps < 0) throw new ArgumentException($"ModelCheckpoint: everyNTrainSteps must be >= 0, got {everyNTrainSteps}.");
        if (everyNEpochs is < 0) throw new ArgumentException($"ModelCheckpoint: everyNEpochs must be >= 0, got {everyNEpochs}.");
        if (monitor is null && saveTopK is not (-1 or 0 or 1))
            throw new ArgumentException($"ModelCheckpoint(saveTopK={saveTopK}, monitor=null) is not a valid configuration: without a monitor only saveTopK -1, 0 or 1 is meaningful.");
        DirPath = dirpath;
        Filename = filename;
        Monitor = monitor;
        Mode = mode;
        SaveTopK = saveTopK;
        SaveLast = saveLast;
        EveryNTrainSteps = everyNTrainSteps;
        EveryNEpochs = everyNEpochs ?? (everyNTrainSteps == 0 ? 1 : 0);
        SaveOnTrainEpochEnd = saveOnTrainEpochEnd;
        AutoInsertMetricName = autoInsertMetricName;
        SaveWeightsOnly = saveWeightsOnly;
    }

    /// <summary>The directory given (null: trainer.LogDir/checkpoints).</summary>
    public string? DirPath { get; private set; }
    /// <summary>The filename pattern (null: "{epoch}-{step}").</summary>
    public string? Filename { get; }
    /// <summary>The monitored metric.</summary>
    public string? Monitor { get; }
    /// <summary>"min" or "max".</summary>
    public string Mode { get; }
    /// <summary>Best checkpoints kept.</summary>
    public int SaveTopK { get; }
    /// <summary>Whether "last" is written.</summary>
    public bool SaveLast { get; }
    /// <summary>Optimiser steps between saves (0: off).</summary>
    public int EveryNTrainSteps { get; }
    /// <summary>Epochs between saves (0: off).</summary>
    public int EveryNEpochs { get; }
    /// <summary>Where epoch saves happen (null: automatic).</summary>
    public bool? SaveOnTrainEpochEnd { get; }
    /// <summary>Whether "{name}" is written "name=value".</summary>
    public bool AutoInsertMetricName { get; }
    /// <summary>Whether only weights are written.</summary>
    public bool SaveWeightsOnly { get; }
    /// <summary>The checkpoint file extension.</summary>
    public string FileExtension { get; init; } = ".safetensors";

    /// <summary>The best checkpoint's path ("" before any save).</summary>
    public string BestModelPath { get; private set; } = "";
    /// <summary>The best monitored value, or null.</summary>
    public double? BestModelScore { get; private set; }
    /// <summary>The last checkpoint's path ("" before any).</summary>
    public string LastModelPath { get; private set; } = "";
    /// <summary>The worst of the kept top-k checkpoints.</summary>
    public string KthBestModelPath { get; private set; } = "";
    /// <summary>The kept top-k checkpoints and their scores.</summary>
    public IReadOnlyDictionary<string, double> BestKModels => _bestK;

    /// <inheritdoc/>
    public override bool IsMonitoring => true;

    /// <inheritdoc/>
    public override string StateKey =>
        $"ModelCheckpoint{{'monitor': {PyStr(Monitor)}, 'mode': '{Mode}', 'every_n_train_steps': {EveryNTrainSteps}, 'every_n_epochs': {EveryNEpochs}, 'train_time_interval': None}}";

    private static string PyStr(string? s) => s is null ? "None" : $"'{s}'";

    /// <summary>The directory in use for <paramref name="trainer"/>.</summary>
    public string ResolveDirPath(Trainer trainer) => DirPath ?? Path.Combine(trainer.LogDir, "checkpoints");

    /// <inheritdoc/>
    public override void Setup(Trainer trainer, LightningModule module, string stage) => DirPath ??= ResolveDirPath(trainer);

    /// <inheritdoc/>
    public override void OnTrainBatchEnd(Trainer trainer, LightningModule module, Tensor loss, object? batch, int batchIdx)
    {
        if (ShouldSkip(trainer) || EveryNTrainSteps < 1 || trainer.GlobalStep % EveryNTrainSteps != 0) return;
        SaveTopKAndLast(trainer);
    }

    /// <inheritdoc/>
    public override void OnTrainEpochEnd(Trainer trainer, LightningModule module)
    {
        if (!ShouldSkip(trainer) && SavesOnTrainEpochEnd(trainer) && EveryNEpochs >= 1 && (trainer.CurrentEpoch + 1) % EveryNEpochs == 0)
            SaveTopKAndLast(trainer);
    }

    /// <inheritdoc/>
    public override void OnValidationEnd(Trainer trainer, LightningModule module)
    {
        if (!ShouldSkip(trainer) && !SavesOnTrainEpochEnd(trainer) && EveryNEpochs >= 1 && (trainer.CurrentEpoch + 1) % EveryNEpochs == 0)
            SaveTopKAndLast(trainer);
    }

    private bool ShouldSkip(Trainer t) => t.Stage != "fit" || t.SanityChecking || _lastGlobalStepSaved == t.GlobalStep;

    private bool SavesOnTrainEpochEnd(Trainer t)
    {
        if (SaveOnTrainEpochEnd is { } b) return b;
        if (t.CheckValEveryNEpoch != 1) return false;
        if (t.NumValBatches == 0) return true;
        return t.ValCheckInterval == BatchLimit.All;
    }
}

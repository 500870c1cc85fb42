using Lantern.NN;
using Lantern.Optim;

namespace Lantern.Training;

/// <summary>
/// The non-generic part of a Lightning-style module (lightning.pytorch.LightningModule): a <see cref="Module"/> (register the
/// network as a child so its weights are in the state dict and checkpoints), the optimiser configuration, metric logging and
/// the hooks (no-ops to override). The trainer calls every callback's hook before the module's own. Subclass
/// <see cref="LightningModule{TBatch}"/>, which adds the step methods.
/// </summary>
public abstract class LightningModule : Module
{
    /// <summary>The trainer running this module (null outside fit/validate/test/predict).</summary>
    public Trainer? Trainer { get; internal set; }

    /// <summary>The current epoch (0-based; 0 outside a trainer).</summary>
    public int CurrentEpoch => Trainer?.CurrentEpoch ?? 0;

    /// <summary>Optimiser steps taken so far (0 outside a trainer).</summary>
    public long GlobalStep => Trainer?.GlobalStep ?? 0;

    /// <summary>
    /// Hyper-parameters saved in every checkpoint under "hyper_parameters" and sent to the loggers at fit start
    /// (Lightning's save_hyperparameters). Values follow <see cref="IO.StateFile"/>'s tree types (double, long, string, bool, arrays...).
    /// </summary>
    public Dictionary<string, object> HyperParameters { get; } = new();

    /// <summary>The optimiser and schedulers (called once per fit, after Setup).</summary>
    public abstract OptimizerConfig ConfigureOptimizers();

    /// <summary>
    /// Logs a scalar (self.log). Defaults follow Lightning: in the training step and batch-level training hooks onStep=true,
    /// onEpoch=false; elsewhere (validation, test, epoch hooks) onStep=false, onEpoch=true. Epoch values reduce the logged values
    /// with <paramref name="reduce"/>: "mean" (weighted by the batch size), "sum", "max" or "min". With both onStep and onEpoch
    /// the loggers get "name_step" and "name_epoch". <paramref name="batchSize"/> defaults to the size of the current batch
    /// (first dimension of its first tensor).
    /// </summary>
    /// <exception cref="InvalidOperationException">Called outside a trainer, or with options that differ from an earlier Log of the same name in this epoch.</exception>
    /// <exception cref="ArgumentException">An unknown reduce or an empty name.</exception>
    public void Log(string name, double value, bool? onStep = null, bool? onEpoch = null, bool progBar = false, bool logger = true,
        string reduce = "mean", int? batchSize = null)
    {
        var t = Trainer ?? throw new InvalidOperationException($"LightningModule.Log(\"{name}\"): the module is not attached to a trainer (log inside the steps and hooks of fit/validate/test).");
        t.Metrics.Log(name, value, onStep, onEpoch, progBar, logger, reduce, batchSize);
    }

    /// <summary>Logs a one-element tensor (its value, detached); see <see cref="Log(string, double, bool?, bool?, bool, bool, string, int?)"/>.</summary>
    /// <exception cref="ArgumentException">The tensor has more than one element.</exception>
    public void Log(string name, Tensor value, bool? onStep = null, bool? onEpoch = null, bool progBar = false, bool logger = true,
        string reduce = "mean", int? batchSize = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Numel() != 1) throw new ArgumentException($"LightningModule.Log(\"{name}\"): the value must be a scalar, got a tensor of shape {value.Shape}.");
        Log(name, value.Item<double>(), onStep, onEpoch, progBar, logger, reduce, batchSize);
    }

    /// <summary>Logs several scalars with the same options (self.log_dict).</summary>
    public void LogDict(IEnumerable<KeyValuePair<string, double>> values, bool? onStep = null, bool? onEpoch = null, bool progBar = false,
        bool logger = true, string reduce = "mean", int? batchSize = null)
    {
        foreach (var (k, v) in values) Log(k, v, onStep, onEpoch, progBar, logger, reduce, batchSize);
    }

    /// <summary>Runs the backward pass of the (already scaled) loss; override for custom backward.</summary>
    public virtual void Backward(Tensor loss) => loss.Backward();

    /// <summary>
    /// Clips the gradients of the optimiser's parameters as the trainer's GradientClipVal / GradientClipAlgorithm say
    /// (Lightning's configure_gradient_clipping); override to clip differently.
    /// </summary>
    public virtual void ConfigureGradientClipping(Optimizer optimizer, double? gradientClipVal, string gradientClipAlgorithm)
    {
        if (gradientClipVal is not { } v || v <= 0) return;
        var ps = optimizer.ParamGroups.SelectMany(g => g.Params);
        if (gradientClipAlgorithm == "value") Utils.ClipGradValue_(ps, v);
        else Utils.ClipGradNorm_(ps, v);
    }

    /// <summary>Called when fit, validate, test or predict begins (stage "fit", "validate", "test", "predict").</summary>
    public virtual void Setup(string stage) { }
    /// <summary>Called when fit, validate, test or predict ends.</summary>
    public virtual void Teardown(string stage) { }
    /// <summary>Called when fit begins.</summary>
    public virtual void OnFitStart() { }
    /// <summary>Called when fit ends.</summary>
    public virtual void OnFitEnd() { }
    /// <summary>Called when training begins.</summary>
    public virtual void OnTrainStart() { }
    /// <summary>Called when training ends.</summary>
    public virtual void OnTrainEnd() { }
    /// <summary>Called at the start of each training epoch.</summary>
    public virtual void OnTrainEpochStart() { }
    /// <summary>Called at the end of each training epoch.</summary>
    public virtual void OnTrainEpochEnd() { }
    /// <summary>Called before each training batch.</summary>
    public virtual void OnTrainBatchStart(object? batch, int batchIdx) { }
    /// <summary>Called after each training batch with the detached, unscaled loss.</summary>
    public virtual void OnTrainBatchEnd(Tensor loss, object? batch, int batchIdx) { }
    /// <summary>Called before the model is put in eval mode for validation; zeroes the gradients (set to null) by default.</summary>
    public virtual void OnValidationModelZeroGrad() => ZeroGrad(setToNone: true);
    /// <summary>Called when a validation run begins.</summary>
    public virtual void OnValidationStart() { }
    /// <summary>Called when a validation run ends.</summary>
    public virtual void OnValidationEnd() { }
    /// <summary>Called at the start of a validation epoch.</summary>
    public virtual void OnValidationEpochStart() { }
    /// <summary>Called at the end of a validation epoch.</summary>
    public virtual void OnValidationEpochEnd() { }
    /// <summary>Called before each validation batch.</summary>
    public virtual void OnValidationBatchStart(object? batch, int batchIdx) { }
    /// <summary>Called after each validation batch.</summary>
    public virtual void OnValidationBatchEnd(object? outputs, object? batch, int batchIdx) { }
    /// <summary>Called when a test run begins.</summary>
    public virtual void OnTestStart() { }
    /// <summary>Called when a test run ends.</summary>
    public virtual void OnTestEnd() { }
    /// <summary>Called at the start of the test epoch.</summary>
    public virtual void OnTestEpochStart() { }
    /// <summary>Called at the end of the test epoch.</summary>
    public virtual void OnTestEpochEnd() { }
    /// <summary>Called before each test batch.</summary>
    public virtual void OnTestBatchStart(object? batch, int batchIdx) { }
    /// <summary>Called after each test batch.</summary>
    public virtual void OnTestBatchEnd(object? outputs, object? batch, int batchIdx) { }
    /// <summary>Called when prediction begins.</summary>
    public virtual void OnPredictStart() { }
    /// <summary>Called when prediction ends.</summary>
    public virtual void OnPredictEnd() { }
    /// <summary>Called at the start of the prediction epoch.</summary>
    public virtual void OnPredictEpochStart() { }
    /// <summary>Called at the end of the prediction epoch.</summary>
    public virtual void OnPredictEpochEnd() { }
    /// <summary>Called before each prediction batch.</summary>
    public virtual void OnPredictBatchStart(object? batch, int batchIdx) { }
    /// <summary>Called after each prediction batch.</summary>
    public virtual void OnPredictBatchEnd(object? outputs, object? batch, int batchIdx) { }
    /// <summary>Called before the backward pass with the scaled loss.</summary>
    public virtual void OnBeforeBackward(Tensor loss) { }
    /// <summary>Called after the backward pass.</summary>
    public virtual void OnAfterBackward() { }
    /// <summary>Called before gradient clipping and the optimiser step.</summary>
    public virtual void OnBeforeOptimizerStep(Optimizer optimizer) { }
    /// <summary>Called before the gradients are zeroed.</summary>
    public virtual void OnBeforeZeroGrad(Optimizer optimizer) { }
    /// <summary>Called while a checkpoint is built (after the callbacks'); may add entries.</summary>
    public virtual void OnSaveCheckpoint(Dictionary<string, object> checkpoint) { }
    /// <summary>Called first while a checkpoint is restored (before the callbacks' and before the weights are loaded).</summary>
    public virtual void OnLoadCheckpoint(Dictionary<string, object> checkpoint) { }
}

/// <summary>
/// A Lightning-style module over batches of type <typeparamref name="TBatch"/> (what the DataLoader yields, e.g.
/// <c>(Tensor X, Tensor Y)</c>). Implement <see cref="TrainingStep"/> (returns the loss) and
/// <see cref="LightningModule.ConfigureOptimizers"/>; override <see cref="ValidationStep"/> to enable validation,
/// <see cref="TestStep"/> and <see cref="PredictStep"/> for Test and Predict.
/// </summary>
/// <typeparam name="TBatch">The batch type.</typeparam>
public abstract class LightningModule<TBatch> : LightningModule
{
    /// <summary>Computes the training loss of a batch (a scalar tensor with a graph); log metrics with Log.</summary>
    public abstract Tensor TrainingStep(TBatch batch, int batchIdx);

    /// <summary>A validation step (runs without gradient recording, in eval mode); the output goes to OnValidationBatchEnd.</summary>
    /// <exception cref="NotSupportedException">Not overridden (validation is then skipped by fit).</exception>
    public virtual object? ValidationStep(TBatch batch, int batchIdx) =>
        throw new NotSupportedException($"{GetType().Name} does not override ValidationStep.");

    /// <summary>A test step (no gradient recording, eval mode).</summary>
    /// <exception cref="NotSupportedException">Not overridden.</exception>
    public virtual object? TestStep(TBatch batch, int batchIdx) =>
        throw new NotSupportedException($"{GetType().Name} does not override TestStep; Trainer.Test needs it.");

    /// <summary>A prediction step (no gradient recording, eval mode); its result is collected by Trainer.Predict.</summary>
    /// <exception cref="NotSupportedException">Not overridden.</exception>
    public virtual object? PredictStep(TBatch batch, int batchIdx) =>
        throw new NotSupportedException($"{GetType().Name} does not override PredictStep; Trainer.Predict needs it.");

    internal bool Overrides(string method) =>
        GetType().GetMethod(method, [typeof(TBatch), typeof(int)])?.DeclaringType is { } t && t != typeof(LightningModule<TBatch>);
}

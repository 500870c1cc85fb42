using Lantern.Optim;

namespace Lantern.Training;

/// <summary>
/// Base of the trainer callbacks (lightning.pytorch.Callback): every hook is a no-op to override. The trainer calls a
/// callback's hook before the module's own hook of the same name, callbacks in list order, except that monitoring callbacks
/// (<see cref="ModelCheckpoint"/>, <see cref="EarlyStopping"/>) run after the module's <c>OnTrainEpochEnd</c> and checkpoint
/// callbacks are moved to the end of the list, as Lightning does. <c>batch</c> arguments are the loader's batch, boxed.
/// </summary>
public abstract class Callback
{
    /// <summary>The key of this callback's state in a checkpoint (Lightning's state_key); unique among the trainer's callbacks.</summary>
    public virtual string StateKey => GetType().Name;

    /// <summary>True for callbacks that read monitored metrics at epoch end (their OnTrainEpochEnd runs after the module's).</summary>
    public virtual bool IsMonitoring => false;

    /// <summary>Called when fit, validate, test or predict begins (stage "fit", "validate", "test" or "predict").</summary>
    public virtual void Setup(Trainer trainer, LightningModule module, string stage) { }
    /// <summary>Called when fit, validate, test or predict ends.</summary>
    public virtual void Teardown(Trainer trainer, LightningModule module, string stage) { }
    /// <summary>Called when fit begins, after the optimisers are configured and a checkpoint is restored.</summary>
    public virtual void OnFitStart(Trainer trainer, LightningModule module) { }
    /// <summary>Called when fit ends.</summary>
    public virtual void OnFitEnd(Trainer trainer, LightningModule module) { }
    /// <summary>Called before the sanity-check validation.</summary>
    public virtual void OnSanityCheckStart(Trainer trainer, LightningModule module) { }
    /// <summary>Called after the sanity-check validation.</summary>
    public virtual void OnSanityCheckEnd(Trainer trainer, LightningModule module) { }
    /// <summary>Called when training begins.</summary>
    public virtual void OnTrainStart(Trainer trainer, LightningModule module) { }
    /// <summary>Called when training ends.</summary>
    public virtual void OnTrainEnd(Trainer trainer, LightningModule module) { }
    /// <summary>Called at the start of every training epoch.</summary>
    public virtual void OnTrainEpochStart(Trainer trainer, LightningModule module) { }
    /// <summary>Called at the end of every training epoch (after the epoch's validation when it runs at epoch end).</summary>
    public virtual void OnTrainEpochEnd(Trainer trainer, LightningModule module) { }
    /// <summary>Called before a training batch.</summary>
    public virtual void OnTrainBatchStart(Trainer trainer, LightningModule module, object? batch, int batchIdx) { }
    /// <summary>Called after a training batch (after the optimiser and LR-scheduler steps); <paramref name="loss"/> is the detached, unscaled loss.</summary>
    public virtual void OnTrainBatchEnd(Trainer trainer, LightningModule module, Tensor loss, object? batch, int batchIdx) { }
    /// <summary>Called when a validation run begins (also during the sanity check).</summary>
    public virtual void OnValidationStart(Trainer trainer, LightningModule module) { }
    /// <summary>Called when a validation run ends.</summary>
    public virtual void OnValidationEnd(Trainer trainer, LightningModule module) { }
    /// <summary>Called at the start of a validation epoch.</summary>
    public virtual void OnValidationEpochStart(Trainer trainer, LightningModule module) { }
    /// <summary>Called at the end of a validation epoch (epoch metrics are reduced).</summary>
    public virtual void OnValidationEpochEnd(Trainer trainer, LightningModule module) { }
    /// <summary>Called before a validation batch.</summary>
    public virtual void OnValidationBatchStart(Trainer trainer, LightningModule module, object? batch, int batchIdx) { }
    /// <summary>Called after a validation batch with the step's output.</summary>
    public virtual void OnValidationBatchEnd(Trainer trainer, LightningModule module, object? outputs, object? batch, int batchIdx) { }
    /// <summary>Called when a test run begins.</summary>
    public virtual void OnTestStart(Trainer trainer, LightningModule module) { }
    /// <summary>Called when a test run ends.</summary>
    public virtual void OnTestEnd(Trainer trainer, LightningModule module) { }
    /// <summary>Called at the start of a test epoch.</summary>
    public virtual void OnTestEpochStart(Trainer trainer, LightningModule module) { }
    /// <summary>Called at the end of a test epoch.</summary>
    public virtual void OnTestEpochEnd(Trainer trainer, LightningModule module) { }
    /// <summary>Called before a test batch.</summary>
    public virtual void OnTestBatchStart(Trainer trainer, LightningModule module, object? batch, int batchIdx) { }
    /// <summary>Called after a test batch with the step's output.</summary>
    public virtual void OnTestBatchEnd(Trainer trainer, LightningModule module, object? outputs, object? batch, int batchIdx) { }
    /// <summary>Called when prediction begins.</summary>
    public virtual void OnPredictStart(Trainer trainer, LightningModule module) { }
    /// <summary>Called when prediction ends.</summary>
    public virtual void OnPredictEnd(Trainer trainer, LightningModule module) { }
    /// <summary>Called at the start of the prediction epoch.</summary>
    public virtual void OnPredictEpochStart(Trainer trainer, LightningModule module) { }
    /// <summary>Called at the end of the prediction epoch.</summary>
    public virtual void OnPredictEpochEnd(Trainer trainer, LightningModule module) { }
    /// <summary>Called before a prediction batch.</summary>
    public virtual void OnPredictBatchStart(Trainer trainer, LightningModule module, object? batch, int batchIdx) { }
    /// <summary>Called after a prediction batch with its prediction.</summary>
    public virtual void OnPredictBatchEnd(Trainer trainer, LightningModule module, object? outputs, object? batch, int batchIdx) { }
    /// <summary>Called before <c>loss.Backward()</c> (the loss is already divided by AccumulateGradBatches).</summary>
    public virtual void OnBeforeBackward(Trainer trainer, LightningModule module, Tensor loss) { }
    /// <summary>Called after the backward pass, before the optimiser step.</summary>
    public virtual void OnAfterBackward(Trainer trainer, LightningModule module) { }
    /// <summary>Called before gradient clipping and the optimiser step.</summary>
    public virtual void OnBeforeOptimizerStep(Trainer trainer, LightningModule module, Optimizer optimizer) { }
    /// <summary>Called before the gradients are zeroed (first batch of each accumulation window).</summary>
    public virtual void OnBeforeZeroGrad(Trainer trainer, LightningModule module, Optimizer optimizer) { }
    /// <summary>Called while a checkpoint is built; may add entries to it.</summary>
    public virtual void OnSaveCheckpoint(Trainer trainer, LightningModule module, Dictionary<string, object> checkpoint) { }
    /// <summary>Called while a checkpoint is restored, before <see cref="LoadStateDict"/>.</summary>
    public virtual void OnLoadCheckpoint(Trainer trainer, LightningModule module, Dictionary<string, object> checkpoint) { }
    /// <summary>Called when fit, validate, test or predict is interrupted by an exception.</summary>
    public virtual void OnException(Trainer trainer, LightningModule module, Exception exception) { }

    /// <summary>This callback's state for a checkpoint (null: nothing to save). Values follow <see cref="IO.StateFile"/>'s tree types.</summary>
    public virtual Dictionary<string, object>? StateDict() => null;

    /// <summary>Restores the state returned by <see cref="StateDict"/>.</summary>
    public virtual void LoadStateDict(Dictionary<string, object> state) { }
}

using Lantern.IO;

namespace Lantern.Training;

// The entry points: Fit / Validate / Test / Predict, with setup, checkpoint restore, teardown and exception hooks in
// Lightning's order (Callback.setup, setup, on_load_checkpoint..., configure_optimizers, on_fit_start, ..., teardown).
public sealed partial class Trainer
{
    /// <summary>
    /// Trains <paramref name="module"/> on <paramref name="trainDataloaders"/>, validating on <paramref name="valDataloaders"/>
    /// (when given and the module overrides ValidationStep). With <paramref name="ckptPath"/> (a checkpoint file, or "last" for
    /// the checkpoint callback's last.safetensors) the run continues from the checkpoint exactly: weights, optimiser and
    /// scheduler states, loop progress (mid-epoch included: the loader is set to the saved epoch and the completed batches are
    /// skipped), callback states and the global random generator.
    /// </summary>
    /// <exception cref="ArgumentException">Inconsistent options or loaders (named in the message).</exception>
    /// <exception cref="FileNotFoundException">The checkpoint does not exist.</exception>
    public void Fit<TBatch>(LightningModule<TBatch> module, IEnumerable<TBatch> trainDataloaders, IEnumerable<TBatch>? valDataloaders = null, string? ckptPath = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(trainDataloaders);
        Run(module, "fit", () =>
        {
            Dictionary<string, object>? ckpt = null;
            if (ckptPath is not null)
            {
                ckpt = LoadCheckpointFile(ResolveCheckpointPath(ckptPath));
                RestoreModuleAndCallbacks(ckpt);
            }
            var config = ModuleCall("configure_optimizers", module.ConfigureOptimizers)
                ?? throw new InvalidOperationException($"{module.GetType().Name}.ConfigureOptimizers returned null.");
            Optimizers = [config.Optimizer];
            LrSchedulerConfigs = config.Schedulers;
            Progress = new LoopProgress();
            ValidationHasRun = false;
            if (ckpt is not null) RestoreTrainingState(ckpt);
            var loop = new FitLoop<TBatch>(this, module, trainDataloaders, valDataloaders);
            foreach (var l in Loggers) l.LogHyperparams(HyperParametersForLoggers(module));
            Hooks("on_fit_start", c => c.OnFitStart(this, module), m => m.OnFitStart());
            module.ZeroGrad();
            if (ckpt is null) loop.RunSanityCheck();
            loop.Run();
            Hooks("on_fit_end", c => c.OnFitEnd(this, module), m => m.OnFitEnd());
        });
    }

    /// <summary>Runs one validation epoch (optionally on the weights of a checkpoint) and returns the epoch metrics.</summary>
    /// <exception cref="InvalidOperationException">The module does not override ValidationStep.</exception>
    public IReadOnlyDictionary<string, double> Validate<TBatch>(LightningModule<TBatch> module, IEnumerable<TBatch> dataloaders, string? ckptPath = null) =>
        Evaluate(module, dataloaders, ckptPath, "validate");

    /// <summary>Runs one test epoch (optionally on the weights of a checkpoint) and returns the epoch metrics.</summary>
    /// <exception cref="InvalidOperationException">The module does not override TestStep.</exception>
    public IReadOnlyDictionary<string, double> Test<TBatch>(LightningModule<TBatch> module, IEnumerable<TBatch> dataloaders, string? ckptPath = null) =>
        Evaluate(module, dataloaders, ckptPath, "test");

    /// <summary>Runs PredictStep over the batches (eval mode, no gradients) and returns the predictions in order.</summary>
    public IReadOnlyList<object?> Predict<TBatch>(LightningModule<TBatch> module, IEnumerable<TBatch> dataloaders, string? ckptPath = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(dataloaders);
        IReadOnlyList<object?> result = [];
        Run(module, "predict", () =>
        {
            if (ckptPath is not null) LoadWeightsOnly(ckptPath);
            module.ZeroGrad();
            result = new EvaluationLoop<TBatch>(this, module, "predict").RunPredict(dataloaders, _limitPredict);
        });
        return result;
    }

    private IReadOnlyDictionary<string, double> Evaluate<TBatch>(LightningModule<TBatch> module, IEnumerable<TBatch> dataloaders, string? ckptPath, string stage)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(dataloaders);
        string step = stage == "test" ? nameof(LightningModule<TBatch>.TestStep) : nameof(LightningModule<TBatch>.ValidationStep);
        if (!module.Overrides(step))
            throw new InvalidOperationException($"Trainer.{(stage == "test" ? "Test" : "Validate")}: {module.GetType().Name} does not override {step}.");
        IReadOnlyDictionary<string, double> result = new Dictionary<string, double>();
        Run(module, stage, () =>
        {
            if (ckptPath is not null) LoadWeightsOnly(ckptPath);
            module.ZeroGrad();
            result = new EvaluationLoop<TBatch>(this, module, stage).Run(dataloaders, stage == "test" ? _limitTest : _limitVal, "test" == stage ? "LimitTestBatches" : "LimitValBatches");
        });
        return result;
    }

    private void Run(LightningModule module, string stage, Action body)
    {
        if (Stage is not null) throw new InvalidOperationException($"Trainer: cannot start {stage} while {Stage} is running.");
        PrepareCallbacks();
        Module = module;
        module.Trainer = this;
        Stage = stage;
        Metrics.Callback.Clear();
        Metrics.ProgressBar.Clear();
        Metrics.Logged.Clear();
        Metrics.ResetRunning();
        bool ok = false;
        try
        {
            Hooks("setup", c => c.Setup(this, module, stage), m => m.Setup(stage));
            body();
            ok = true;
        }
        catch (Exception e)
        {
            foreach (var c in _active)
            {
                try { c.OnException(this, module, e); }
                catch (Exception) { /* the original exception wins */ }
            }
            throw;
        }
        finally
        {
            try
            {
                if (ok) Hooks("teardown", c => c.Teardown(this, module, stage), m => m.Teardown(stage));
                foreach (var l in Loggers) l.Finalize(ok ? "success" : "failed");
            }
            finally
            {
                Stage = null;
                Metrics.Training = false;
            }
        }
    }

    private static Dictionary<string, object> HyperParametersForLoggers(LightningModule module) => new(module.HyperParameters);

    private string ResolveCheckpointPath(string ckptPath)
    {
        if (ckptPath != "last") return ckptPath;
        var cb = CheckpointCallback ?? throw new ArgumentException("Trainer: ckptPath=\"last\" needs a ModelCheckpoint callback (none is configured).");
        string dir = cb.ResolveDirPath(this);
        string path = Path.Combine(dir, ModelCheckpoint.LastName + cb.FileExtension);
        return File.Exists(path) ? path : throw new FileNotFoundException($"Trainer: ckptPath=\"last\" but '{path}' does not exist.", path);
    }

    private static Dictionary<string, object> LoadCheckpointFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Trainer: checkpoint '{path}' does not exist.", path);
        return StateFile.Load(path);
    }

    private void LoadWeightsOnly(string ckptPath)
    {
        var ckpt = LoadCheckpointFile(ResolveCheckpointPath(ckptPath));
        ModuleHook("on_load_checkpoint", m => m.OnLoadCheckpoint(ckpt));
        Module!.LoadStateDict(Checkpoint.StateDictOf(ckpt, ckptPath));
    }
}

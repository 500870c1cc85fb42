namespace Lantern.Training;

// Hook dispatch: callbacks first (list order), then the module, as Lightning's call._call_callback_hooks /
// _call_lightning_module_hook. The metric store learns which hook runs, for Log's defaults.
public sealed partial class Trainer
{
    internal void CallbackHooks(string fx, Action<Callback> hook, bool? monitoring = null)
    {
        string prev = Metrics.CurrentFx;
        Metrics.CurrentFx = fx;
        try
        {
            foreach (var cb in _active)
                if (monitoring is null || cb.IsMonitoring == monitoring) hook(cb);
        }
        finally { Metrics.CurrentFx = prev; }
    }

    internal void ModuleHook(string fx, Action<LightningModule> hook)
    {
        string prev = Metrics.CurrentFx;
        Metrics.CurrentFx = fx;
        try { hook(Module!); }
        finally { Metrics.CurrentFx = prev; }
    }

    internal T ModuleCall<T>(string fx, Func<T> call)
    {
        string prev = Metrics.CurrentFx;
        Metrics.CurrentFx = fx;
        try { return call(); }
        finally { Metrics.CurrentFx = prev; }
    }

    internal void Hooks(string fx, Action<Callback> callback, Action<LightningModule> module)
    {
        CallbackHooks(fx, callback);
        ModuleHook(fx, module);
    }

    private void PrepareCallbacks()
    {
        var list = new List<Callback>(Callbacks);
        if (EnableProgressBar && !list.OfType<ProgressBar>().Any()) list.Add(new ProgressBar());
        if (EnableCheckpointing && !list.OfType<ModelCheckpoint>().Any()) list.Add(new ModelCheckpoint());
        // checkpoint callbacks run last so they see what the other callbacks did (Lightning's _reorder_callbacks)
        _active = [.. list.Where(c => c is not ModelCheckpoint), .. list.OfType<ModelCheckpoint>()];
        var dup = _active.GroupBy(c => c.StateKey).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null)
            throw new ArgumentException($"Trainer: Callbacks contains {dup.Count()} callbacks with the state key '{dup.Key}'; give them distinct settings or StateKey overrides.");
    }
}

public sealed partial class Trainer
{
    /// <summary>The detached loss of the latest training batch.</summary>
    public double LastLoss { get; internal set; } = double.NaN;

    internal void SetBatchCounts(int train, int val)
    {
        NumTrainingBatches = train;
        NumValBatches = val;
    }

    internal void SetEvalBatches(int n) => NumEvalBatches = n;

    internal void SetSanityChecking(bool on) => SanityChecking = on;
}

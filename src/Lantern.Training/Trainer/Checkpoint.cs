using Lantern.IO;
using Lantern.NN;

namespace Lantern.Training;

// Building and restoring trainer checkpoints (Lightning's _CheckpointConnector).
public sealed partial class Trainer
{
    /// <summary>
    /// Writes a checkpoint of the current run to <paramref name="path"/> atomically (see <see cref="Checkpoint"/> for the keys).
    /// Calls every callback's StateDict and OnSaveCheckpoint, then the module's OnSaveCheckpoint.
    /// </summary>
    /// <exception cref="InvalidOperationException">No module is attached.</exception>
    public void SaveCheckpoint(string path, bool weightsOnly = false)
    {
        var module = Module ?? throw new InvalidOperationException("Trainer.SaveCheckpoint: no module is attached (call it during or after Fit).");
        var ckpt = new Dictionary<string, object>
        {
            ["epoch"] = (long)CurrentEpoch,
            ["global_step"] = GlobalStep,
            ["lantern_version"] = Checkpoint.FormatVersion,
            ["state_dict"] = module.StateDict(),
            ["loops"] = Progress.ToTree(Metrics.Callback),
        };
        if (!weightsOnly)
        {
            var states = new Dictionary<string, object>();
            foreach (var cb in _active)
                if (cb.StateDict() is { } s) states[cb.StateKey] = s;
            ckpt["callbacks"] = states;
            ckpt["optimizer_states"] = Optimizers.Select(o => o.StateDict()).ToArray();
            ckpt["lr_schedulers"] = LrSchedulerConfigs.Select(s => s.Scheduler.StateDict()).ToArray();
            ckpt["rng"] = new Dictionary<string, object> { ["default"] = GeneratorState.Capture(Lantern.DefaultGenerator) };
        }
        if (module.HyperParameters.Count > 0) ckpt["hyper_parameters"] = new Dictionary<string, object>(module.HyperParameters);
        if (!weightsOnly) CallbackHooks("on_save_checkpoint", c => c.OnSaveCheckpoint(this, module, ckpt));
        ModuleHook("on_save_checkpoint", m => m.OnSaveCheckpoint(ckpt));
        StateFile.Save(path, ckpt, new Dictionary<string, string> { ["format"] = "lantern-trainer-checkpoint" });
    }

    private void RestoreModuleAndCallbacks(Dictionary<string, object> ckpt)
    {
        var module = Module!;
        ModuleHook("on_load_checkpoint", m => m.OnLoadCheckpoint(ckpt));
        CallbackHooks("on_load_checkpoint", c => c.OnLoadCheckpoint(this, module, ckpt));
        if (ckpt.TryGetValue("callbacks", out var cbs) && cbs is Dictionary<string, object> states)
            foreach (var cb in _active)
                if (states.TryGetValue(cb.StateKey, out var s) && s is Dictionary<string, object> state) cb.LoadStateDict(state);
        module.LoadStateDict(Checkpoint.StateDictOf(ckpt, "checkpoint"));
    }

    private void RestoreTrainingState(Dictionary<string, object> ckpt)
    {
        var opts = ckpt.TryGetValue("optimizer_states", out var o) ? o as Dictionary<string, object>[] : null;
        if (opts is null || opts.Length != Optimizers.Count)
            throw new InvalidDataException($"Trainer: the checkpoint has {opts?.Length.ToString() ?? "no"} optimizer states, the module configures {Optimizers.Count}; resume needs a full (not weights-only) checkpoint of the same setup.");
        for (int i = 0; i < opts.Length; i++) Optimizers[i].LoadStateDict(opts[i]);
        var scheds = ckpt.TryGetValue("lr_schedulers", out var s) ? s as Dictionary<string, object>[] ?? (s is object[] { Length: 0 } ? [] : null) : [];
        if (scheds is null || scheds.Length != LrSchedulerConfigs.Count)
            throw new InvalidDataException($"Trainer: the checkpoint has {scheds?.Length.ToString() ?? "unreadable"} LR scheduler states, the module configures {LrSchedulerConfigs.Count}.");
        for (int i = 0; i < scheds.Length; i++) LrSchedulerConfigs[i].Scheduler.LoadStateDict(scheds[i]);
        if (ckpt.TryGetValue("loops", out var l) && l is Dictionary<string, object> loops)
        {
            Progress = LoopProgress.FromTree(loops, "checkpoint");
            if (loops.TryGetValue("callback_metrics", out var cm) && cm is Dictionary<string, object> metrics)
                foreach (var (k, v) in metrics)
                    if (v is double d) Metrics.Callback[k] = d;
        }
        if (ckpt.TryGetValue("rng", out var r) && r is Dictionary<string, object> rng && rng.TryGetValue("default", out var g) && g is Dictionary<string, object> gs)
            GeneratorState.Restore(Lantern.DefaultGenerator, gs);
    }
}

/// <summary>
/// Reading trainer checkpoints. A checkpoint is a <see cref="StateFile"/> (safetensors) tree with Lightning's keys:
/// "epoch", "global_step", "state_dict" (the LightningModule's state dict, child modules prefixed, e.g. "net.fc.weight"),
/// "optimizer_states", "lr_schedulers", "loops" (progress), "callbacks" (state per callback StateKey), "rng",
/// "hyper_parameters" and "lantern_version".
/// </summary>
public static class Checkpoint
{
    /// <summary>The version tag written under "lantern_version".</summary>
    public const string FormatVersion = "trainer/1";

    /// <summary>Loads a checkpoint tree.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not a Lantern state file.</exception>
    public static Dictionary<string, object> Load(string path) =>
        File.Exists(path) ? StateFile.Load(path) : throw new FileNotFoundException($"Checkpoint: '{path}' does not exist.", path);

    /// <summary>
    /// The module weights of a checkpoint file; with <paramref name="prefix"/> only the keys under it, prefix removed (e.g.
    /// "net." to load the inner network of a LightningModule into a bare model).
    /// </summary>
    /// <exception cref="InvalidDataException">The file has no state_dict, or no key starts with the prefix.</exception>
    public static OrderedDictionary<string, Tensor> LoadStateDict(string path, string prefix = "")
    {
        var sd = StateDictOf(Load(path), path);
        if (prefix.Length == 0) return sd;
        var r = new OrderedDictionary<string, Tensor>();
        foreach (var (k, v) in sd)
            if (k.StartsWith(prefix, StringComparison.Ordinal)) r[k[prefix.Length..]] = v;
        return r.Count > 0 ? r : throw new InvalidDataException($"Checkpoint: '{path}' has no weights under the prefix '{prefix}' (keys: {string.Join(", ", sd.Keys.Take(5))}...).");
    }

    /// <summary>Loads the checkpoint's weights into <paramref name="module"/> (strict: every key must match).</summary>
    /// <exception cref="ArgumentException">Missing or unexpected keys, or shapes that differ (a checkpoint of another model).</exception>
    public static LoadStateDictResult LoadInto(Module module, string path, string prefix = "") => module.LoadStateDict(LoadStateDict(path, prefix));

    internal static OrderedDictionary<string, Tensor> StateDictOf(Dictionary<string, object> ckpt, string source) =>
        ckpt.TryGetValue("state_dict", out var s) && s is OrderedDictionary<string, Tensor> sd ? sd
        : throw new InvalidDataException($"Checkpoint: '{source}' has no state_dict of tensors.");
}

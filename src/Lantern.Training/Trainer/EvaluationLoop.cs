namespace Lantern.Training;

/// <summary>
/// One validation, test or prediction epoch (Lightning's _EvaluationLoop / _PredictionLoop): eval mode (each submodule's
/// mode restored afterwards), no gradient recording, hooks in Lightning's order, epoch metrics reduced into the callback
/// metrics and sent to the loggers.
/// </summary>
internal sealed class EvaluationLoop<TBatch>(Trainer t, LightningModule<TBatch> m, string stage)
{
    public IReadOnlyDictionary<string, double> Run(IEnumerable<TBatch> loader, BatchLimit limit, string option) =>
        RunBatches(loader, limit.Resolve(Loaders.Count(loader), option), inFit: false);

    public IReadOnlyDictionary<string, double> RunBatches(IEnumerable<TBatch> loader, int numBatches, bool inFit)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        if (numBatches == 0) return result;
        bool test = stage == "test";
        t.SetEvalBatches(numBatches);
        var modes = Modes(m);
        t.Metrics.Training = false;
        t.Metrics.ResetRunning();
        try
        {
            m.Eval();
            using var noGrad = Autograd.NoGrad();
            if (test) t.Hooks("on_test_start", c => c.OnTestStart(t, m), x => x.OnTestStart());
            else t.Hooks("on_validation_start", c => c.OnValidationStart(t, m), x => x.OnValidationStart());
            if (test) t.Hooks("on_test_epoch_start", c => c.OnTestEpochStart(t, m), x => x.OnTestEpochStart());
            else t.Hooks("on_validation_epoch_start", c => c.OnValidationEpochStart(t, m), x => x.OnValidationEpochStart());
            int i = 0;
            foreach (var batch in loader)
            {
                if (i >= numBatches) break;
                int idx = i++;
                object? boxed = batch;
                t.Metrics.BatchSize = Loaders.BatchSize(batch);
                if (test)
                {
                    t.Hooks("on_test_batch_start", c => c.OnTestBatchStart(t, m, boxed, idx), x => x.OnTestBatchStart(boxed, idx));
                    var o = t.ModuleCall("test_step", () => m.TestStep(batch, idx));
                    t.Hooks("on_test_batch_end", c => c.OnTestBatchEnd(t, m, o, boxed, idx), x => x.OnTestBatchEnd(o, boxed, idx));
                }
                else
                {
                    t.Hooks("on_validation_batch_start", c => c.OnValidationBatchStart(t, m, boxed, idx), x => x.OnValidationBatchStart(boxed, idx));
                    var o = t.ModuleCall("validation_step", () => m.ValidationStep(batch, idx));
                    t.Hooks("on_validation_batch_end", c => c.OnValidationBatchEnd(t, m, o, boxed, idx), x => x.OnValidationBatchEnd(o, boxed, idx));
                }
            }
            foreach (var (k, v) in t.Metrics.EpochEnd()) result[k] = v;
            if (test) t.Hooks("on_test_epoch_end", c => c.OnTestEpochEnd(t, m), x => x.OnTestEpochEnd());
            else t.Hooks("on_validation_epoch_end", c => c.OnValidationEpochEnd(t, m), x => x.OnValidationEpochEnd());
            foreach (var (k, v) in t.Metrics.EpochEnd()) result[k] = v;
            if (!t.SanityChecking)
            {
                t.Metrics.SendToLoggers(result, inFit ? t.Progress.BatchesThatStepped : t.Progress.BatchesThatStepped);
                if (inFit) t.ValidationHasRun = true;
            }
            if (inFit && !t.SanityChecking) t.Progress.Stage = LoopProgress.AfterValidation;
            if (test) t.Hooks("on_test_end", c => c.OnTestEnd(t, m), x => x.OnTestEnd());
            else t.Hooks("on_validation_end", c => c.OnValidationEnd(t, m), x => x.OnValidationEnd());
        }
        finally
        {
            Restore(modes);
        }
        return result;
    }

    public IReadOnlyList<object?> RunPredict(IEnumerable<TBatch> loader, BatchLimit limit)
    {
        int numBatches = limit.Resolve(Loaders.Count(loader), nameof(Trainer.LimitPredictBatches));
        var outputs = new List<object?>();
        t.SetEvalBatches(numBatches);
        var modes = Modes(m);
        t.Metrics.Training = false;
        try
        {
            m.Eval();
            using var noGrad = Autograd.NoGrad();
            t.Hooks("on_predict_start", c => c.OnPredictStart(t, m), x => x.OnPredictStart());
            t.Hooks("on_predict_epoch_start", c => c.OnPredictEpochStart(t, m), x => x.OnPredictEpochStart());
            int i = 0;
            foreach (var batch in loader)
            {
                if (i >= numBatches) break;
                int idx = i++;
                object? boxed = batch;
                t.Hooks("on_predict_batch_start", c => c.OnPredictBatchStart(t, m, boxed, idx), x => x.OnPredictBatchStart(boxed, idx));
                var o = t.ModuleCall("predict_step", () => m.PredictStep(batch, idx));
                outputs.Add(o);
                t.Hooks("on_predict_batch_end", c => c.OnPredictBatchEnd(t, m, o, boxed, idx), x => x.OnPredictBatchEnd(o, boxed, idx));
            }
            t.Hooks("on_predict_epoch_end", c => c.OnPredictEpochEnd(t, m), x => x.OnPredictEpochEnd());
            t.Hooks("on_predict_end", c => c.OnPredictEnd(t, m), x => x.OnPredictEnd());
        }
        finally
        {
            Restore(modes);
        }
        return outputs;
    }

    private static List<(NN.Module Module, bool Training)> Modes(NN.Module root) => root.Modules().Select(x => (x, x.Training)).ToList();

    // pre-order: a parent's Train() resets its children, which are then set to their own saved mode
    private static void Restore(List<(NN.Module Module, bool Training)> modes)
    {
        foreach (var (mod, training) in modes) mod.Train(training);
    }
}

using Lantern.Optim;

namespace Lantern.Training;

/// <summary>
/// The fit loop (Lightning's _FitLoop + _TrainingEpochLoop + automatic optimisation): epochs until MaxEpochs / MaxSteps or a
/// stop request; within an epoch, batches with the optimisation step (zero grad on the first batch of an accumulation window,
/// backward of loss / AccumulateGradBatches, clipping, optimiser step, schedulers), validation at the configured batches, and
/// the epoch-end hooks. Progress lives in <see cref="Trainer.Progress"/> so a checkpoint taken in any hook can resume it.
/// </summary>
internal sealed class FitLoop<TBatch>
{
    private readonly Trainer _t;
    private readonly LightningModule<TBatch> _m;
    private readonly IEnumerable<TBatch> _train;
    private readonly IEnumerable<TBatch>? _val;
    private readonly int _valCheckBatch;
    private readonly bool _validationEnabled;
    private bool _isLast;

    public FitLoop(Trainer t, LightningModule<TBatch> m, IEnumerable<TBatch> train, IEnumerable<TBatch>? val)
    {
        _t = t;
        _m = m;
        _train = train;
        _val = val;
        int? trainCount = Loaders.Count(train);
        int numTrain = t.LimitTrainBatches.Resolve(trainCount, nameof(Trainer.LimitTrainBatches));
        t.SetBatchCounts(numTrain, val is null ? 0 : t.LimitValBatches.Resolve(Loaders.Count(val), nameof(Trainer.LimitValBatches)));
        _validationEnabled = val is not null && t.NumValBatches > 0 && m.Overrides(nameof(LightningModule<TBatch>.ValidationStep));
        if (!_validationEnabled) t.SetBatchCounts(numTrain, 0);
        var vci = t.ValCheckInterval;
        if (!vci.IsFraction)
        {
            _valCheckBatch = (int)vci.Value;
            if (t.CheckValEveryNEpoch is not null && numTrain != int.MaxValue && _valCheckBatch > numTrain)
                throw new ArgumentException($"Trainer: ValCheckInterval={vci} must be less than or equal to the number of training batches ({numTrain}); to validate across epochs every N batches set CheckValEveryNEpoch = null.");
        }
        else if (numTrain == int.MaxValue)
        {
            if (vci.Value != 1.0) throw new ArgumentException($"Trainer: ValCheckInterval={vci} is a fraction but the training loader has no known length; use 1.0 or a batch count.");
            _valCheckBatch = int.MaxValue;
        }
        else _valCheckBatch = Math.Max(1, (int)(numTrain * vci.Value));
    }

    private LoopProgress P => _t.Progress;
    private Optimizer Opt => _t.Optimizers[0];

    private bool MaxStepsReached => _t.MaxSteps != -1 && P.GlobalStep >= _t.MaxSteps;
    private bool CanStopEarly => P.Epoch >= _t.MinEpochs;

    private bool Done
    {
        get
        {
            if (MaxStepsReached) return true;
            int maxEpochs = _t.EffectiveMaxEpochs;
            if (maxEpochs != -1 && P.Epoch >= maxEpochs) return true;
            return _t.ShouldStop && CanStopEarly;
        }
    }

    public void RunSanityCheck()
    {
        if (!_validationEnabled || _t.NumSanityValSteps == 0) return;
        int steps = _t.NumSanityValSteps == -1 ? _t.NumValBatches : Math.Min(_t.NumSanityValSteps, _t.NumValBatches);
        var rng = Lantern.DefaultGenerator.GetState();
        _t.SetSanityChecking(true);
        try
        {
            _t.CallbackHooks("on_sanity_check_start", c => c.OnSanityCheckStart(_t, _m));
            new EvaluationLoop<TBatch>(_t, _m, "validate").RunBatches(_val!, steps, inFit: true);
            _t.CallbackHooks("on_sanity_check_end", c => c.OnSanityCheckEnd(_t, _m));
        }
        finally
        {
            _t.SetSanityChecking(false);
            Lantern.DefaultGenerator.SetState(rng);
        }
        _t.Metrics.Callback.Clear();
        _t.Metrics.ProgressBar.Clear();
        _t.Metrics.Logged.Clear();
    }

    public void Run()
    {
        if (Done) return;
        _t.Hooks("on_train_start", c => c.OnTrainStart(_t, _m), m => m.OnTrainStart());
        while (!Done) RunEpoch();
        _t.Hooks("on_train_end", c => c.OnTrainEnd(_t, _m), m => m.OnTrainEnd());
    }

    private void RunEpoch()
    {
        string resume = P.Stage;
        _t.Metrics.Training = true;
        if (resume == LoopProgress.EpochEnd)
        {
            FinishEpoch(restarting: true);
            return;
        }
        if (resume == LoopProgress.EpochStart) P.BatchesCompleted = 0;
        Loaders.SetEpoch(_train, P.Epoch);
        _m.Train();
        _t.Metrics.ResetRunning();
        _t.Hooks("on_train_epoch_start", c => c.OnTrainEpochStart(_t, _m), m => m.OnTrainEpochStart());
        int skip = P.BatchesCompleted;
        if (resume is LoopProgress.BatchEnd or LoopProgress.AfterValidation && skip > 0)
        {
            _isLast = skip >= _t.NumTrainingBatches;
            AfterBatch(skip - 1, runValidation: resume == LoopProgress.BatchEnd);
        }
        if (skip < _t.NumTrainingBatches && !StopWithinEpoch())
        {
            using var it = _train.GetEnumerator();
            int idx = 0;
            bool has = it.MoveNext();
            while (has && idx < skip) { has = it.MoveNext(); idx++; }
            while (has && idx < _t.NumTrainingBatches)
            {
                var batch = it.Current;
                has = idx + 1 < _t.NumTrainingBatches && it.MoveNext();
                _isLast = !has;
                TrainBatch(batch, idx);
                AfterBatch(idx, runValidation: true);
                idx++;
                if (StopWithinEpoch()) break;
            }
        }
        FinishEpoch(restarting: false);
    }

    private bool StopWithinEpoch() => MaxStepsReached || (_t.ShouldStop && CanStopEarly);

    private bool ShouldAccumulate(int batchIdx) => (batchIdx + 1) % _t.AccumulateGradBatches != 0 && !_isLast;

    private void TrainBatch(TBatch batch, int i)
    {
        _t.BatchIdx = i;
        _t.Metrics.BatchSize = Loaders.BatchSize(batch);
        P.TotalBatches++;
        object? boxed = batch;
        _t.Hooks("on_train_batch_start", c => c.OnTrainBatchStart(_t, _m, boxed, i), m => m.OnTrainBatchStart(boxed, i));
        Tensor loss;
        using (Autograd.EnableGrad()) loss = _t.ModuleCall("training_step", () => _m.TrainingStep(batch, i));
        if (loss is null || loss.Numel() != 1)
            throw new InvalidOperationException($"{_m.GetType().Name}.TrainingStep must return a scalar loss tensor, got {(loss is null ? "null" : $"shape {loss.Shape}")} (batch {i}).");
        bool accumulate = ShouldAccumulate(i);
        if (i % _t.AccumulateGradBatches == 0)
        {
            _t.Hooks("on_before_zero_grad", c => c.OnBeforeZeroGrad(_t, _m, Opt), m => m.OnBeforeZeroGrad(Opt));
            Opt.ZeroGrad();
        }
        var scaled = _t.AccumulateGradBatches > 1 ? loss.Div(_t.AccumulateGradBatches) : loss;
        _t.Hooks("on_before_backward", c => c.OnBeforeBackward(_t, _m, scaled), m => m.OnBeforeBackward(scaled));
        _t.ModuleHook("backward", m => m.Backward(scaled));
        _t.Hooks("on_after_backward", c => c.OnAfterBackward(_t, _m), m => m.OnAfterBackward());
        if (!accumulate)
        {
            _t.Hooks("on_before_optimizer_step", c => c.OnBeforeOptimizerStep(_t, _m, Opt), m => m.OnBeforeOptimizerStep(Opt));
            _t.ModuleHook("configure_gradient_clipping", m => m.ConfigureGradientClipping(Opt, _t.GradientClipVal, _t.GradientClipAlgorithm));
            Opt.Step();
            P.GlobalStep++;
            StepSchedulers("step", plateau: false, i);
        }
        if (_isLast) StepSchedulers("epoch", plateau: false, i);
        P.BatchesCompleted = i + 1;
        P.Stage = LoopProgress.BatchEnd;
        var detached = loss.Detach();
        _t.LastLoss = detached.Item<double>();
        _t.Hooks("on_train_batch_end", c => c.OnTrainBatchEnd(_t, _m, detached, boxed, i), m => m.OnTrainBatchEnd(detached, boxed, i));
        var stepMetrics = _t.Metrics.TakeStepMetrics();
        if ((P.BatchesThatStepped + 1) % _t.LogEveryNSteps == 0 || _t.ShouldStop) _t.Metrics.SendToLoggers(stepMetrics, P.BatchesThatStepped);
    }

    private void AfterBatch(int i, bool runValidation)
    {
        if (runValidation && ShouldCheckVal(i))
        {
            if (!ShouldAccumulate(i)) _t.ModuleHook("on_validation_model_zero_grad", m => m.OnValidationModelZeroGrad());
            new EvaluationLoop<TBatch>(_t, _m, "validate").RunBatches(_val!, _t.NumValBatches, inFit: true);
            _t.Metrics.Training = true;
        }
        P.Stage = LoopProgress.AfterValidation;
        StepSchedulers("step", plateau: true, i);
        if (!ShouldAccumulate(i)) P.BatchesThatStepped++;
        if (_t.ShouldStop) foreach (var l in _t.Loggers) l.Save();
    }

    private bool ShouldCheckVal(int i)
    {
        if (!_validationEnabled) return false;
        if (_t.CheckValEveryNEpoch is { } n && (P.Epoch + 1) % n != 0) return false;
        if (_t.ShouldStop && CanStopEarly) return true;
        if (_valCheckBatch == int.MaxValue) return _isLast;
        long current = _t.CheckValEveryNEpoch is null ? P.TotalBatches - 1 : i;
        return (current + 1) % _valCheckBatch == 0;
    }

    private void FinishEpoch(bool restarting)
    {
        _t.Metrics.Training = true;
        if (!restarting)
        {
            P.Stage = LoopProgress.EpochEnd;
            var reduced = _t.Metrics.EpochEnd();
            _t.CallbackHooks("on_train_epoch_end", c => c.OnTrainEpochEnd(_t, _m), monitoring: false);
            _t.ModuleHook("on_train_epoch_end", m => m.OnTrainEpochEnd());
            foreach (var (k, v) in _t.Metrics.EpochEnd()) reduced[k] = v;
            _t.CallbackHooks("on_train_epoch_end", c => c.OnTrainEpochEnd(_t, _m), monitoring: true);
            _t.Metrics.SendToLoggers(reduced, P.BatchesThatStepped - 1);
        }
        if (P.BatchesCompleted >= _t.NumTrainingBatches || _isLast) StepSchedulers("epoch", plateau: true, P.BatchesCompleted - 1);
        foreach (var l in _t.Loggers) l.Save();
        P.Epoch++;
        P.BatchesCompleted = 0;
        P.Stage = LoopProgress.EpochStart;
    }

    private void StepSchedulers(string interval, bool plateau, int batchIdx)
    {
        if (interval == "step" && ShouldAccumulate(batchIdx)) return;
        foreach (var cfg in _t.LrSchedulerConfigs)
        {
            if (cfg.ReduceOnPlateau != plateau || cfg.Interval != interval) continue;
            int current = (interval == "step" ? batchIdx : P.Epoch) + 1;
            if (current % cfg.Frequency != 0) continue;
            if (cfg.Scheduler is ReduceLROnPlateau rop)
            {
                if (!_t.CallbackMetrics.TryGetValue(cfg.Monitor!, out double value))
                {
                    if (cfg.Strict)
                        throw new InvalidOperationException($"Trainer: ReduceLROnPlateau conditioned on metric '{cfg.Monitor}' which is not available. Available metrics are: [{string.Join(", ", _t.CallbackMetrics.Keys)}]. Set the monitor in SchedulerConfig, or strict: false to skip.");
                    continue;
                }
                _t.ModuleHook("lr_scheduler_step", _ => rop.Step(value));
            }
            else _t.ModuleHook("lr_scheduler_step", _ => cfg.Scheduler.Step());
        }
    }
}

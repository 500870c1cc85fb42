using Lantern.Optim;
using Lantern.Training;
using Xunit;

namespace Lantern.Tests.Training;

using Batch = (Tensor X, Tensor Y);

/// <summary>
/// The whole sequence of hook calls of a tiny fit with validation, compared with Lightning's
/// tests/tests_pytorch/models/test_hooks.py::test_trainer_model_hook_system_fit (automatic optimisation, max_epochs=1,
/// limit_train_batches=2, limit_val_batches=2, default ModelCheckpoint). Hooks Lantern has no counterpart for are left out
/// of the expected list (configure_callbacks, prepare_data, configure_model, batch transfer, forward, optimizer_zero_grad,
/// optimizer_step, lr_scheduler_step, the train(False) call); everything else is in Lightning's order.
/// </summary>
[Collection(GlobalRngCollection.Name)]
public class HookOrderTests
{
    private sealed class RecordingCallback(List<string> called) : Callback
    {
        public override void Setup(Trainer t, LightningModule m, string stage) => called.Add($"Callback.setup:{stage}");
        public override void Teardown(Trainer t, LightningModule m, string stage) => called.Add($"Callback.teardown:{stage}");
        public override void OnFitStart(Trainer t, LightningModule m) => called.Add("Callback.on_fit_start");
        public override void OnFitEnd(Trainer t, LightningModule m) => called.Add("Callback.on_fit_end");
        public override void OnSanityCheckStart(Trainer t, LightningModule m) => called.Add("Callback.on_sanity_check_start");
        public override void OnSanityCheckEnd(Trainer t, LightningModule m) => called.Add("Callback.on_sanity_check_end");
        public override void OnTrainStart(Trainer t, LightningModule m) => called.Add("Callback.on_train_start");
        public override void OnTrainEnd(Trainer t, LightningModule m) => called.Add("Callback.on_train_end");
        public override void OnTrainEpochStart(Trainer t, LightningModule m) => called.Add("Callback.on_train_epoch_start");
        public override void OnTrainEpochEnd(Trainer t, LightningModule m) => called.Add("Callback.on_train_epoch_end");
        public override void OnTrainBatchStart(Trainer t, LightningModule m, object? b, int i) => called.Add($"Callback.on_train_batch_start:{i}");
        public override void OnTrainBatchEnd(Trainer t, LightningModule m, Tensor loss, object? b, int i) => called.Add($"Callback.on_train_batch_end:{i}");
        public override void OnValidationStart(Trainer t, LightningModule m) => called.Add("Callback.on_validation_start");
        public override void OnValidationEnd(Trainer t, LightningModule m) => called.Add("Callback.on_validation_end");
        public override void OnValidationEpochStart(Trainer t, LightningModule m) => called.Add("Callback.on_validation_epoch_start");
        public override void OnValidationEpochEnd(Trainer t, LightningModule m) => called.Add("Callback.on_validation_epoch_end");
        public override void OnValidationBatchStart(Trainer t, LightningModule m, object? b, int i) => called.Add($"Callback.on_validation_batch_start:{i}");
        public override void OnValidationBatchEnd(Trainer t, LightningModule m, object? o, object? b, int i) => called.Add($"Callback.on_validation_batch_end:{i}");
        public override void OnTestStart(Trainer t, LightningModule m) => called.Add("Callback.on_test_start");
        public override void OnTestEnd(Trainer t, LightningModule m) => called.Add("Callback.on_test_end");
        public override void OnTestEpochStart(Trainer t, LightningModule m) => called.Add("Callback.on_test_epoch_start");
        public override void OnTestEpochEnd(Trainer t, LightningModule m) => called.Add("Callback.on_test_epoch_end");
        public override void OnTestBatchStart(Trainer t, LightningModule m, object? b, int i) => called.Add($"Callback.on_test_batch_start:{i}");
        public override void OnTestBatchEnd(Trainer t, LightningModule m, object? o, object? b, int i) => called.Add($"Callback.on_test_batch_end:{i}");
        public override void OnBeforeBackward(Trainer t, LightningModule m, Tensor loss) => called.Add("Callback.on_before_backward");
        public override void OnAfterBackward(Trainer t, LightningModule m) => called.Add("Callback.on_after_backward");
        public override void OnBeforeOptimizerStep(Trainer t, LightningModule m, Optimizer o) => called.Add("Callback.on_before_optimizer_step");
        public override void OnBeforeZeroGrad(Trainer t, LightningModule m, Optimizer o) => called.Add("Callback.on_before_zero_grad");
        public override void OnSaveCheckpoint(Trainer t, LightningModule m, Dictionary<string, object> c) => called.Add("Callback.on_save_checkpoint");
        public override void OnLoadCheckpoint(Trainer t, LightningModule m, Dictionary<string, object> c) => called.Add("Callback.on_load_checkpoint");
        public override Dictionary<string, object>? StateDict() { called.Add("Callback.state_dict"); return new() { ["foo"] = true }; }
        public override void LoadStateDict(Dictionary<string, object> s) => called.Add($"Callback.load_state_dict:{s["foo"]}");
    }

    private sealed class RecordingModel(List<string> called) : TinyClassifier
    {
        public override void Setup(string stage) => called.Add($"setup:{stage}");
        public override void Teardown(string stage) => called.Add($"teardown:{stage}");
        public override OptimizerConfig ConfigureOptimizers() { called.Add("configure_optimizers"); return base.ConfigureOptimizers(); }
        public override void OnFitStart() => called.Add("on_fit_start");
        public override void OnFitEnd() => called.Add("on_fit_end");
        public override void OnTrainStart() => called.Add("on_train_start");
        public override void OnTrainEnd() => called.Add("on_train_end");
        public override void OnTrainEpochStart() => called.Add("on_train_epoch_start");
        public override void OnTrainEpochEnd() => called.Add("on_train_epoch_end");
        public override void OnTrainBatchStart(object? b, int i) => called.Add($"on_train_batch_start:{i}");
        public override void OnTrainBatchEnd(Tensor loss, object? b, int i) => called.Add($"on_train_batch_end:{i}");
        public override void OnValidationModelZeroGrad() { called.Add("on_validation_model_zero_grad"); base.OnValidationModelZeroGrad(); }
        public override void OnValidationStart() => called.Add("on_validation_start");
        public override void OnValidationEnd() => called.Add("on_validation_end");
        public override void OnValidationEpochStart() => called.Add("on_validation_epoch_start");
        public override void OnValidationEpochEnd() => called.Add("on_validation_epoch_end");
        public override void OnValidationBatchStart(object? b, int i) => called.Add($"on_validation_batch_start:{i}");
        public override void OnValidationBatchEnd(object? o, object? b, int i) => called.Add($"on_validation_batch_end:{i}");
        public override void OnTestStart() => called.Add("on_test_start");
        public override void OnTestEnd() => called.Add("on_test_end");
        public override void OnTestEpochStart() => called.Add("on_test_epoch_start");
        public override void OnTestEpochEnd() => called.Add("on_test_epoch_end");
        public override void OnTestBatchStart(object? b, int i) => called.Add($"on_test_batch_start:{i}");
        public override void OnTestBatchEnd(object? o, object? b, int i) => called.Add($"on_test_batch_end:{i}");
        public override void OnBeforeBackward(Tensor loss) => called.Add("on_before_backward");
        public override void Backward(Tensor loss) { called.Add("backward"); base.Backward(loss); }
        public override void OnAfterBackward() => called.Add("on_after_backward");
        public override void OnBeforeOptimizerStep(Optimizer o) => called.Add("on_before_optimizer_step");
        public override void ConfigureGradientClipping(Optimizer o, double? v, string a) { called.Add("configure_gradient_clipping"); base.ConfigureGradientClipping(o, v, a); }
        public override void OnBeforeZeroGrad(Optimizer o) => called.Add("on_before_zero_grad");
        public override void OnSaveCheckpoint(Dictionary<string, object> c) => called.Add("on_save_checkpoint");
        public override void OnLoadCheckpoint(Dictionary<string, object> c) => called.Add("on_load_checkpoint");
        public override Tensor TrainingStep(Batch batch, int i) { called.Add($"training_step:{i}"); return base.TrainingStep(batch, i); }
        public override object? ValidationStep(Batch batch, int i) { called.Add($"validation_step:{i}"); return base.ValidationStep(batch, i); }
        public override object? TestStep(Batch batch, int i) { called.Add($"test_step:{i}"); return base.TestStep(batch, i); }
    }

    private static IEnumerable<string> Both(string hook) => [$"Callback.{hook}", hook];

    private static IEnumerable<string> TrainBatch(int i) =>
    [
        $"Callback.on_train_batch_start:{i}", $"on_train_batch_start:{i}", $"training_step:{i}",
        .. Both("on_before_zero_grad"), .. Both("on_before_backward"), "backward", .. Both("on_after_backward"),
        .. Both("on_before_optimizer_step"), "configure_gradient_clipping",
        $"Callback.on_train_batch_end:{i}", $"on_train_batch_end:{i}",
    ];

    private static IEnumerable<string> EvalEpoch(string fn, int batches) =>
    [
        .. Both($"on_{fn}_start"), .. Both($"on_{fn}_epoch_start"),
        .. Enumerable.Range(0, batches).SelectMany(i => new[]
        {
            $"Callback.on_{fn}_batch_start:{i}", $"on_{fn}_batch_start:{i}", $"{fn}_step:{i}", $"Callback.on_{fn}_batch_end:{i}", $"on_{fn}_batch_end:{i}",
        }),
        .. Both($"on_{fn}_epoch_end"), .. Both($"on_{fn}_end"),
    ];

    [Fact]
    public void FitWithValidationCallsEveryHookInLightningsOrder()
    {
        string dir = TrainerTestKit.TempDir();
        try
        {
            var called = new List<string>();
            var ds = TrainerTestKit.Data(16);
            var trainer = new Trainer
            {
                DefaultRootDir = dir, MaxEpochs = 1, LimitTrainBatches = 2, LimitValBatches = 2, EnableProgressBar = false,
                Callbacks = { new RecordingCallback(called) },
            };
            trainer.Fit(new RecordingModel(called), TrainerTestKit.Loader(ds, 4, true), TrainerTestKit.Loader(ds, 4, false));
            string[] expected =
            [
                "Callback.setup:fit", "setup:fit", "configure_optimizers", .. Both("on_fit_start"),
                "Callback.on_sanity_check_start", .. EvalEpoch("validation", 2), "Callback.on_sanity_check_end",
                .. Both("on_train_start"), .. Both("on_train_epoch_start"), .. TrainBatch(0), .. TrainBatch(1),
                "on_validation_model_zero_grad", .. EvalEpoch("validation", 2),
                .. Both("on_train_epoch_end"),
                // ModelCheckpoint (a monitoring callback, after the module's on_train_epoch_end) saves here
                "Callback.state_dict", "Callback.on_save_checkpoint", "on_save_checkpoint",
                .. Both("on_train_end"), .. Both("on_fit_end"), "Callback.teardown:fit", "teardown:fit",
            ];
            Assert.Equal(expected, called);
            Assert.Equal(2, trainer.GlobalStep);
            Assert.True(File.Exists(Path.Combine(dir, "checkpoints", "epoch=0-step=2.safetensors")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact] // test_trainer_model_hook_system_fit_no_val_and_resume_max_epochs: restore order, then a second epoch
    public void ResumeCallsLoadHooksBeforeConfigureOptimizers()
    {
        string dir = TrainerTestKit.TempDir();
        try
        {
            var ds = TrainerTestKit.Data(16);
            var first = new Trainer { DefaultRootDir = dir, MaxEpochs = 1, LimitTrainBatches = 2, LimitValBatches = 0, EnableProgressBar = false, Callbacks = { new RecordingCallback([]) } };
            first.Fit(new TinyClassifier(), TrainerTestKit.Loader(ds, 4, true));
            string ckpt = first.CheckpointCallback!.BestModelPath;
            var called = new List<string>();
            var trainer = new Trainer { DefaultRootDir = dir, MaxEpochs = 2, LimitTrainBatches = 2, LimitValBatches = 0, EnableProgressBar = false, Callbacks = { new RecordingCallback(called) } };
            trainer.Fit(new RecordingModel(called), TrainerTestKit.Loader(ds, 4, true), ckptPath: ckpt);
            string[] expected =
            [
                "Callback.setup:fit", "setup:fit", "on_load_checkpoint", "Callback.on_load_checkpoint", "Callback.load_state_dict:True",
                "configure_optimizers", .. Both("on_fit_start"),
                .. Both("on_train_start"), .. Both("on_train_epoch_start"), .. TrainBatch(0), .. TrainBatch(1),
                .. Both("on_train_epoch_end"), "Callback.state_dict", "Callback.on_save_checkpoint", "on_save_checkpoint",
                .. Both("on_train_end"), .. Both("on_fit_end"), "Callback.teardown:fit", "teardown:fit",
            ];
            Assert.Equal(expected, called);
            Assert.Equal(4, trainer.GlobalStep);
            Assert.Equal(2, trainer.CurrentEpoch);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact] // test_trainer_model_hook_system_eval (test, 2 batches)
    public void TestCallsHooksInOrder()
    {
        var called = new List<string>();
        var ds = TrainerTestKit.Data(16);
        var trainer = new Trainer { DefaultRootDir = Path.GetTempPath(), LimitTestBatches = 2, EnableProgressBar = false, EnableCheckpointing = false, Callbacks = { new RecordingCallback(called) } };
        var metrics = trainer.Test(new RecordingModel(called), TrainerTestKit.Loader(ds, 4, false));
        Assert.Equal(["Callback.setup:test", "setup:test", .. EvalEpoch("test", 2), "Callback.teardown:test", "teardown:test"], called);
        Assert.True(metrics.ContainsKey("test_acc"));
    }
}

using Lantern.Optim;
using Lantern.Training;
using Xunit;

namespace Lantern.Tests.Training;

/// <summary>
/// Acceptance: a run killed mid-epoch and resumed from its last checkpoint file ends with exactly the weights (bit for bit)
/// of an uninterrupted run: Adam, a shuffled DataLoader, dropout drawing from the global generator, a per-step StepLR and
/// an epoch ReduceLROnPlateau on the validation loss, which is measured with EMA weights (so the average must resume too).
/// </summary>
[Collection(GlobalRngCollection.Name)]
public class ResumeTests
{
    private sealed class Crash(long atStep) : Callback
    {
        public override string StateKey => "Crash";
        public override void OnTrainBatchEnd(Trainer t, LightningModule m, Tensor loss, object? b, int i)
        {
            if (t.GlobalStep == atStep) throw new InvalidOperationException($"simulated kill at step {atStep}");
        }
    }

    private static TinyClassifier Model(ulong seed) => new(seed)
    {
        Schedulers = opt =>
        [
            new SchedulerConfig(new StepLR(opt, stepSize: 3, gamma: 0.7), interval: "step"),
            new SchedulerConfig(new ReduceLROnPlateau(opt, factor: 0.5, patience: 0), monitor: "val_loss"),
        ],
    };

    private static (TinyClassifier Model, Trainer Trainer) Run(string dir, long? crashAt, string? ckptPath, ulong initSeed, int everyNTrainSteps = 4)
    {
        Lantern.ManualSeed(1234);
        var model = Model(initSeed);
        var ds = TrainerTestKit.Data(24);
        var val = TrainerTestKit.Data(8, seed: 9);
        var trainer = new Trainer
        {
            DefaultRootDir = dir, MaxEpochs = 3, EnableProgressBar = false, NumSanityValSteps = 1,
            Callbacks = { new EmaCallback(decay: 0.8), new ModelCheckpoint(dirpath: Path.Combine(dir, "ckpt"), saveTopK: 0, saveLast: true, everyNTrainSteps: everyNTrainSteps, everyNEpochs: everyNTrainSteps == 0 ? 1 : 0) },
        };
        if (crashAt is { } s) trainer.Callbacks.Add(new Crash(s));
        trainer.Fit(model, TrainerTestKit.Loader(ds, 4, shuffle: true, seed: 7), TrainerTestKit.Loader(val, 4, shuffle: false), ckptPath);
        return (model, trainer);
    }

    [Theory]
    [InlineData(10, false)] // last checkpoint at step 8: epoch 1, batch 2 of 6 (mid-epoch)
    [InlineData(14, true)]  // step 12: the last batch of epoch 1 (its validation and plateau step still pending); ckptPath "last"
    public void KilledRunResumedFromLastCheckpointEqualsUninterruptedRun(long crashAt, bool byName)
    {
        string a = TrainerTestKit.TempDir(), b = TrainerTestKit.TempDir();
        try
        {
            var (reference, refTrainer) = Run(a, null, null, initSeed: 1);
            Assert.Equal(18, refTrainer.GlobalStep);

            var ex = Assert.Throws<InvalidOperationException>(() => Run(b, crashAt, null, initSeed: 1));
            Assert.Contains("simulated kill", ex.Message);
            string last = Path.Combine(b, "ckpt", "last.safetensors");
            var saved = Checkpoint.Load(last);
            Assert.Equal(crashAt - 2, (long)saved["global_step"]);

            // a fresh process would build everything anew: different initial weights, new loaders, a moved global generator
            var (resumed, trainer) = Run(b, null, byName ? "last" : last, initSeed: 99);
            Assert.Equal(18, trainer.GlobalStep);
            Assert.Equal(3, trainer.CurrentEpoch);
            TrainerTestKit.AssertBitEqual(reference, resumed);
            Assert.Equal(refTrainer.Optimizers[0].ParamGroups[0].Lr, trainer.Optimizers[0].ParamGroups[0].Lr);
            Assert.Equal(refTrainer.CallbackMetrics["val_loss"], trainer.CallbackMetrics["val_loss"]);
        }
        finally
        {
            Directory.Delete(a, true);
            Directory.Delete(b, true);
        }
    }

    [Fact] // a weights-only checkpoint cannot resume training
    public void WeightsOnlyCheckpointRefusesToResume()
    {
        string dir = TrainerTestKit.TempDir();
        try
        {
            var ds = TrainerTestKit.Data(8);
            var t = TrainerTestKit.Quiet(dir);
            t.MaxEpochs = 1;
            t.Callbacks.Add(new ModelCheckpoint(dirpath: dir, saveWeightsOnly: true));
            t.Fit(new TinyClassifier(), TrainerTestKit.Loader(ds, 4, true));
            string path = t.CheckpointCallback!.BestModelPath;
            Assert.False(Checkpoint.Load(path).ContainsKey("optimizer_states"));
            var e = Assert.Throws<InvalidDataException>(() => TrainerTestKit.Quiet(dir).Fit(new TinyClassifier(), TrainerTestKit.Loader(ds, 4, true), ckptPath: path));
            Assert.Contains("no optimizer states", e.Message);
            var v = TrainerTestKit.Quiet(dir).Validate(new TinyClassifier(seed: 3), TrainerTestKit.Loader(ds, 4, false), ckptPath: path);
            Assert.True(v.ContainsKey("val_loss"));
            Assert.Contains("needs a ModelCheckpoint", Assert.Throws<ArgumentException>(() =>
                TrainerTestKit.Quiet(dir).Fit(new TinyClassifier(), TrainerTestKit.Loader(ds, 4, true), ckptPath: "last")).Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact] // a checkpoint written at train-epoch end (ModelCheckpoint everyNEpochs) resumes at the next epoch
    public void ResumeFromEpochEndCheckpointContinuesWithNextEpoch()
    {
        string a = TrainerTestKit.TempDir(), b = TrainerTestKit.TempDir();
        try
        {
            var (reference, _) = Run(a, null, null, initSeed: 1);
            Assert.Throws<InvalidOperationException>(() => Run(b, 15, null, initSeed: 1, everyNTrainSteps: 0));
            string last = Path.Combine(b, "ckpt", "last.safetensors");
            var loops = (Dictionary<string, object>)Checkpoint.Load(last)["loops"];
            Assert.Equal("train_epoch_end", loops["stage"]);
            Assert.Equal(1L, loops["epoch"]);
            var (resumed, trainer) = Run(b, null, last, initSeed: 5, everyNTrainSteps: 0);
            Assert.Equal(18, trainer.GlobalStep);
            TrainerTestKit.AssertBitEqual(reference, resumed);
        }
        finally
        {
            Directory.Delete(a, true);
            Directory.Delete(b, true);
        }
    }
}

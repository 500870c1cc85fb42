using Lantern.NN;
using Lantern.Optim;
using Lantern.Training;
using Xunit;

namespace Lantern.Tests.Training;

using Batch = (Tensor X, Tensor Y);

/// <summary>Callbacks: EarlyStopping criteria, ModelCheckpoint names and top-k, EMA validation, LR monitor, progress lines, epoch table, Log reductions.</summary>
[Collection(GlobalRngCollection.Name)]
public class CallbackTests
{
    /// <summary>Logs scripted values: val_metric[epoch], and per validation batch the batch index under four reductions.</summary>
    private sealed class Scripted(double[] valPerEpoch) : LightningModule<Batch>
    {
        private readonly Linear _fc = new(4, 3, generator: new Generator(1));
        public Scripted Init() { RegisterModule("fc", _fc); return this; }
        public override Tensor TrainingStep(Batch b, int i) => F.CrossEntropy(_fc.Call(b.X), b.Y);
        public override object? ValidationStep(Batch b, int i)
        {
            Log("val_metric", valPerEpoch[Math.Min(CurrentEpoch, valPerEpoch.Length - 1)]);
            Log("idx_mean", i);
            Log("idx_sum", i, reduce: "sum");
            Log("idx_max", i, reduce: "max");
            Log("idx_min", i, reduce: "min");
            return null;
        }
        public override OptimizerConfig ConfigureOptimizers() => new SGD(Parameters(), lr: 0.1);
    }

    private static Trainer Run(string dir, Scripted model, int epochs, params Callback[] callbacks)
    {
        var t = new Trainer { DefaultRootDir = dir, MaxEpochs = epochs, EnableProgressBar = false, EnableCheckpointing = false, NumSanityValSteps = 0 };
        t.Callbacks.AddRange(callbacks);
        var ds = TrainerTestKit.Data(10);
        t.Fit(model, TrainerTestKit.Loader(ds, 5, true), TrainerTestKit.Loader(ds, 4, false));
        return t;
    }

    [Fact] // validation batches of 4, 4, 2 samples logging 0, 1, 2: weighted mean (0*4 + 1*4 + 2*2) / 10 = 0.8
    public void LogReducesOverBatchesWeightedByBatchSize()
    {
        var t = Run(Path.GetTempPath(), new Scripted([1]).Init(), 1);
        Assert.Equal(0.8, t.CallbackMetrics["idx_mean"], 15);
        Assert.Equal(3.0, t.CallbackMetrics["idx_sum"]);
        Assert.Equal(2.0, t.CallbackMetrics["idx_max"]);
        Assert.Equal(0.0, t.CallbackMetrics["idx_min"]);
    }

    [Fact]
    public void EarlyStoppingCriteria()
    {
        var es = new EarlyStopping("m", minDelta: 0.1, patience: 2);
        Assert.Equal((false, null), es.Evaluate(1.0));    // improves on +inf
        Assert.False(es.Evaluate(0.95).Stop);              // 0.95 is not below 1.0 - 0.1: wait 1
        Assert.False(es.Evaluate(0.85).Stop);              // improvement: best 0.85, wait 0
        Assert.Equal(0.85, es.BestScore);
        Assert.False(es.Evaluate(0.8).Stop);
        var (stop, reason) = es.Evaluate(0.79);
        Assert.True(stop);
        Assert.Contains("did not improve in the last 2 records", reason);
        Assert.True(new EarlyStopping("m").Evaluate(double.NaN).Stop);
        Assert.True(new EarlyStopping("m", mode: "max", stoppingThreshold: 0.9).Evaluate(0.95).Stop);
        Assert.False(new EarlyStopping("m", mode: "max", stoppingThreshold: 0.9).Evaluate(0.85).Stop);
        Assert.True(new EarlyStopping("m", divergenceThreshold: 5).Evaluate(6).Stop);
        Assert.Contains("mode", Assert.Throws<ArgumentException>(() => new EarlyStopping("m", mode: "up")).Message);
    }

    [Fact]
    public void EarlyStoppingStopsFitAfterPatienceButNotBeforeMinEpochs()
    {
        var es = new EarlyStopping("val_metric", patience: 2);
        var t = Run(Path.GetTempPath(), new Scripted([1.0]).Init(), 10, es);
        Assert.Equal(3, t.CurrentEpoch);    // epoch 0 sets the best, epochs 1 and 2 do not improve
        Assert.Equal(2, es.StoppedEpoch);
        var es2 = new EarlyStopping("val_metric", patience: 2);
        var t2 = new Trainer { DefaultRootDir = Path.GetTempPath(), MaxEpochs = 10, MinEpochs = 5, EnableProgressBar = false, EnableCheckpointing = false, Callbacks = { es2 } };
        var ds = TrainerTestKit.Data(10);
        t2.Fit(new Scripted([1.0]).Init(), TrainerTestKit.Loader(ds, 5, true), TrainerTestKit.Loader(ds, 4, false));
        Assert.Equal(5, t2.CurrentEpoch);
        var missing = Assert.Throws<InvalidOperationException>(() => Run(Path.GetTempPath(), new Scripted([1.0]).Init(), 2, new EarlyStopping("val_nope")));
        Assert.Contains("'val_nope' which is not available", missing.Message);
    }

    [Fact]
    public void CheckpointNames()
    {
        var m = new Dictionary<string, double> { ["val_acc"] = 0.912345, ["val_loss"] = 1.234e-4 };
        Assert.Equal("epoch=3-val_acc=0.9123", ModelCheckpoint.FormatCheckpointName("{epoch}-{val_acc:.4f}", 3, 100, m));
        Assert.Equal("epoch=3-step=100-val_acc=0.9123", ModelCheckpoint.FormatCheckpointName("epoch={epoch}-step={step}-{val_acc:.4f}", 3, 100, m));
        Assert.Equal("epoch=003", ModelCheckpoint.FormatCheckpointName("{epoch:03d}", 3, 100, m));
        Assert.Equal("3_1.23e-04", ModelCheckpoint.FormatCheckpointName("{epoch}_{val_loss:.2e}", 3, 100, m, autoInsertMetricName: false));
        Assert.Equal("epoch=3-step=100", ModelCheckpoint.FormatCheckpointName("{epoch}-{step}", 3, 100, m));
        Assert.Equal("best-val_acc=0.912345", ModelCheckpoint.FormatCheckpointName("best-{val_acc}", 3, 100, m));
        Assert.Contains("format spec", Assert.Throws<ArgumentException>(() => ModelCheckpoint.FormatCheckpointName("{val_acc:>>x}", 0, 0, m)).Message);
        Assert.Contains("saveTopK=3, monitor=null", Assert.Throws<ArgumentException>(() => new ModelCheckpoint(saveTopK: 3)).Message);
    }

    [Fact] // val_metric per epoch 0.5, 0.7, 0.6, 0.8 with top-2 by max: keeps epochs 3 and 1
    public void CheckpointKeepsTopKAndLast()
    {
        string dir = TrainerTestKit.TempDir();
        try
        {
            var mc = new ModelCheckpoint(dirpath: dir, filename: "{epoch}-{val_metric:.2f}", monitor: "val_metric", mode: "max", saveTopK: 2, saveLast: true);
            Run(dir, new Scripted([0.5, 0.7, 0.6, 0.8]).Init(), 4, mc);
            Assert.Equal(["epoch=1-val_metric=0.70.safetensors", "epoch=3-val_metric=0.80.safetensors", "last.safetensors"],
                Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Assert.Equal(Path.Combine(dir, "epoch=3-val_metric=0.80.safetensors"), mc.BestModelPath);
            Assert.Equal(0.8, mc.BestModelScore);
            Assert.Equal(Path.Combine(dir, "epoch=1-val_metric=0.70.safetensors"), mc.KthBestModelPath);
            var ckpt = Checkpoint.Load(mc.BestModelPath);
            Assert.Equal(3L, ckpt["epoch"]);
            Assert.Equal(8L, ckpt["global_step"]);
            var weights = Checkpoint.LoadStateDict(mc.BestModelPath, prefix: "fc.");
            Assert.Equal(["weight", "bias"], weights.Keys);
            var missing = Assert.Throws<InvalidOperationException>(() => Run(dir, new Scripted([1]).Init(), 1, new ModelCheckpoint(dirpath: dir, monitor: "val_acc")));
            Assert.Contains("could not find the monitored key", missing.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact] // validation during fit sees the averaged weights; the module keeps the trained ones
    public void EmaValidatesWithAveragedWeights()
    {
        var ds = TrainerTestKit.Data(12);
        var val = TrainerTestKit.Data(8, 4);
        var ema = new EmaCallback(decay: 0.5);
        var model = new TinyClassifier();
        var t = new Trainer { DefaultRootDir = Path.GetTempPath(), MaxEpochs = 2, EnableProgressBar = false, EnableCheckpointing = false, NumSanityValSteps = 0, Callbacks = { ema } };
        t.Fit(model, TrainerTestKit.Loader(ds, 4, true), TrainerTestKit.Loader(val, 4, false));
        double duringFit = t.CallbackMetrics["val_loss"];
        Assert.Equal(6, ema.Ema!.Updates);

        var averaged = new TinyClassifier(seed: 50);
        ema.Ema.CopyTo(averaged);
        var check = TrainerTestKit.Quiet(Path.GetTempPath());
        Assert.Equal(duringFit, check.Validate(averaged, TrainerTestKit.Loader(val, 4, false))["val_loss"]);
        double trained = TrainerTestKit.Quiet(Path.GetTempPath()).Validate(model, TrainerTestKit.Loader(val, 4, false))["val_loss"];
        Assert.NotEqual(duringFit, trained);
    }

    [Fact]
    public void LearningRateMonitorLogsEachEpoch()
    {
        string dir = TrainerTestKit.TempDir();
        try
        {
            var model = new TinyClassifier { Schedulers = opt => [new SchedulerConfig(new StepLR(opt, stepSize: 1, gamma: 0.5))] };
            var csv = new CsvLogger(dir, "", "");
            var lrm = new LearningRateMonitor();
            var t = new Trainer { DefaultRootDir = dir, MaxEpochs = 3, EnableProgressBar = false, EnableCheckpointing = false, Callbacks = { lrm }, Loggers = { csv } };
            t.Fit(model, TrainerTestKit.Loader(TrainerTestKit.Data(8), 4, true));
            var lines = File.ReadAllLines(csv.MetricsFile);
            var header = lines[0].Split(',');
            int col = Array.IndexOf(header, "lr-Adam");
            Assert.True(col >= 0, lines[0]);
            Assert.Equal(["0.05", "0.025", "0.0125"], lines.Skip(1).Select(l => l.Split(',')[col]).Where(s => s.Length > 0));
            Assert.Equal(0.0125, lrm.LastValues["lr-Adam"]);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void PlainProgressLinesSummaryTableAndThroughput()
    {
        var sw = new StringWriter();
        var summary = new StringWriter();
        var tm = new ThroughputMonitor();
        var es = new EpochSummary(["train_loss", "val_loss"], summary);
        var t = new Trainer
        {
            DefaultRootDir = Path.GetTempPath(), MaxEpochs = 2, EnableCheckpointing = false, NumSanityValSteps = 0,
            Callbacks = { new ProgressBar(sw, plainEveryFraction: 0.5), tm, es },
        };
        var ds = TrainerTestKit.Data(16);
        t.Fit(new TinyClassifier(), TrainerTestKit.Loader(ds, 4, true), TrainerTestKit.Loader(ds, 8, false));
        var lines = sw.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(6, lines.Length);  // 2 per epoch (batches 2 and 4 of 4) + 1 validation line per epoch
        Assert.StartsWith("Epoch 1/2 [2/4] loss=", lines[0]);
        Assert.Contains("train_loss=", lines[0]);
        Assert.Contains("samples/s", lines[0]);
        Assert.Contains("eta", lines[0]);
        Assert.StartsWith("Epoch 1/2 validation: val_loss=", lines[2]);
        Assert.Contains(" val_acc=", lines[2]);
        Assert.StartsWith("Epoch 2/2 [4/4]", lines[4]);
        Assert.Equal(2, tm.EpochSeconds.Count);
        Assert.True(tm.EpochSamplesPerSecond.All(v => v > 0));
        Assert.True(t.CallbackMetrics["throughput/samples_per_sec"] > 0);
        Assert.Equal(2, es.Rows.Count);
        Assert.Equal(t.CallbackMetrics["val_loss"], es.Rows[1]["val_loss"]);
        string text = summary.ToString();
        Assert.Contains("Epoch summary", text);
        Assert.Contains("val_loss", text);
    }
}

[Collection(GlobalRngCollection.Name)]
public class ClassificationModuleTests
{
    private sealed class StepLosses : Callback
    {
        public readonly List<(double Loss, int Size)> Epoch0 = [];
        public override void OnTrainBatchEnd(Trainer t, LightningModule m, Tensor loss, object? b, int i)
        {
            if (t.CurrentEpoch == 0) Epoch0.Add((loss.Item<double>(), ((ValueTuple<Tensor, Tensor>)b!).Item1.Shape[0]));
        }
        public double? EpochValue;
        public override void OnTrainEpochEnd(Trainer t, LightningModule m) { if (t.CurrentEpoch == 0) EpochValue = t.CallbackMetrics["train_loss_epoch"]; }
    }

    [Fact] // the training epoch mean survives validations inside the epoch; weighted by batch sizes 4, 4, 2
    public void TrainEpochMeanSurvivesMidEpochValidation()
    {
        var rec = new StepLosses();
        var net = new Sequential(new Linear(4, 8, generator: new Generator(2)), new ReLU(), new Linear(8, 3, generator: new Generator(3)));
        var model = new ClassificationModule(net, m => new Adam(m.Parameters(), lr: 0.01));
        var t = new Trainer { DefaultRootDir = Path.GetTempPath(), MaxEpochs = 1, ValCheckInterval = 1, EnableProgressBar = false, EnableCheckpointing = false, Callbacks = { rec } };
        var ds = TrainerTestKit.Data(10);
        t.Fit(model, TrainerTestKit.Loader(ds, 4, true), TrainerTestKit.Loader(ds, 5, false));
        double expected = rec.Epoch0.Sum(x => x.Loss * x.Size) / rec.Epoch0.Sum(x => x.Size);
        Assert.Equal([4, 4, 2], rec.Epoch0.Select(x => x.Size));
        Assert.Equal(expected, rec.EpochValue!.Value, 12);
        Assert.Equal(expected, t.CallbackMetrics["train_loss_epoch"], 12);
        Assert.True(t.CallbackMetrics.ContainsKey("val_acc"));
        Assert.Equal(["net.0.weight", "net.0.bias", "net.2.weight", "net.2.bias"], model.StateDict().Keys);
    }
}

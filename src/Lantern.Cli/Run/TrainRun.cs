using System.Diagnostics;
using Lantern.Cli.Commands;
using Lantern.Data;
using Lantern.Training;
using Lantern.Training.Plots;

namespace Lantern.Cli.Run;

/// <summary>
/// `lantern train`: data, model, trainer, then the test accuracy of the best checkpoint, metrics and plots.
/// runs/NAME/ receives checkpoints/best.safetensors (highest val_acc), checkpoints/last.safetensors (written every
/// epoch and every --checkpoint-every-n-steps steps, for --resume), metrics.csv, hparams.yaml, TensorBoard events and PNG plots.
/// </summary>
public static class TrainRun
{
    /// <summary>Runs the command; the kernel thread count is restored afterwards (for in-process callers).</summary>
    public static int Execute(TrainOptions o, TextWriter output)
    {
        int threads = Lantern.Threads;
        try
        {
            if (o.Threads is int t) Lantern.Threads = t;
            return Train(o, output);
        }
        finally
        {
            Lantern.Threads = threads;
        }
    }

    private static int Train(TrainOptions o, TextWriter output)
    {
        var clock = Stopwatch.StartNew();
        string runDir = ResolveRunDir(o);
        if (o.Resume is not null) CheckResumable(o);

        Lantern.ManualSeed((long)o.Seed);
        var data = DataSources.Load(o.Data, o.Augment ? Augmentation.For(o.Data) : null);
        var spec = ModelSpec.For(o.Model, data, o.Data);
        // --val-fraction 0: train on the whole training split and validate on the test split (as the PyTorch examples do)
        Dataset<(Tensor Image, long Label)> train = data.Train, val = data.Test;
        if (o.ValFraction > 0)
        {
            int valCount = (int)Math.Round(data.Train.Count * o.ValFraction);
            if (valCount < 1 || valCount >= data.Train.Count)
                throw new CliException($"--val-fraction {o.ValFraction} leaves no validation or no training samples of {data.Train.Count}.");
            var split = Dataset.RandomSplit(data.Train, [data.Train.Count - valCount, valCount], new Generator(o.Seed ^ 0x5EED));
            (train, val) = (split[0], split[1]);
        }

        var trainLoader = new DataLoader<(Tensor Image, long Label), (Tensor, Tensor)>(train, batchSize: o.BatchSize, shuffle: true,
            numWorkers: o.Workers, generator: new Generator(o.Seed + 1));
        var valLoader = Loader(val, 256, o.Workers);
        int stepsPerEpoch = (trainLoader.Count + o.AccumulateGradBatches - 1) / o.AccumulateGradBatches;
        if (o.LimitTrainBatches is int lim) stepsPerEpoch = Math.Min(stepsPerEpoch, (lim + o.AccumulateGradBatches - 1) / o.AccumulateGradBatches);

        var task = new ClassifierTask(spec.CreateNetwork(), spec, o, stepsPerEpoch);
        output.WriteLine($"lantern train: {o.Model} ({task.Net.Parameters().Sum(p => (long)p.Numel()):N0} parameters) on {o.Data} " +
            $"({train.Count} train / {val.Count} val / {data.Test.Count} test), {o.Epochs} epochs, batch {o.BatchSize}, {o.Optimizer} lr {o.Lr}, " +
            $"scheduler {o.Scheduler}, {Lantern.Threads} threads -> {runDir}");

        var history = new RunHistory(output);
        var best = new ModelCheckpoint(Path.Combine(runDir, "checkpoints"), "best", monitor: "val_acc", mode: "max", saveTopK: 1, autoInsertMetricName: false);
        var last = new ModelCheckpoint(Path.Combine(runDir, "checkpoints"), "last", saveTopK: 1, everyNTrainSteps: o.CheckpointEveryNSteps, everyNEpochs: 1, saveOnTrainEpochEnd: true);
        var callbacks = new List<Callback> { best, last, new LearningRateMonitor(), history, new ProgressBar(output) };
        if (o.Ema) callbacks.Add(new EmaCallback(o.EmaDecay));
        var trainer = new Trainer
        {
            MaxEpochs = o.Epochs,
            DefaultRootDir = runDir,
            Callbacks = callbacks,
            Loggers = [new CsvLogger(runDir, name: "", version: ""), new TensorBoardLogger(runDir, name: "", version: "")],
            AccumulateGradBatches = o.AccumulateGradBatches,
            Deterministic = true,
        };
        if (o.MaxSteps is int ms) trainer.MaxSteps = ms;
        if (o.LimitTrainBatches is int lb) trainer.LimitTrainBatches = lb;
        if (o.GradientClipVal is double clip) trainer.GradientClipVal = clip;
        trainer.Fit(task, trainLoader, valLoader, ckptPath: o.Resume);
        double fitSeconds = clock.Elapsed.TotalSeconds;

        // The test accuracy of the best checkpoint: what `lantern eval` on it reproduces.
        string bestPath = best.BestModelPath.Length > 0 ? best.BestModelPath : last.LastModelPath;
        task.TestPredictions = [];
        task.TestTargets = [];
        var testMetrics = trainer.Test(task, Loader(data.Test, 256, o.Workers), ckptPath: bestPath);
        long correct = task.TestPredictions.Zip(task.TestTargets).LongCount(p => p.First == p.Second);
        double acc = (double)correct / task.TestPredictions.Count;
        output.WriteLine($"test accuracy {RunHistory.Percent(acc)} ({correct}/{task.TestPredictions.Count}, loss {testMetrics["test_loss"]:F4}) with {Display(bestPath)}" +
            $"; fit {fitSeconds:F1} s, total {clock.Elapsed.TotalSeconds:F1} s, peak memory {Environment.WorkingSet / 1e6:F0} MB (process {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:F0} MB)");

        if (o.Plots) WritePlots(runDir, history, task, spec, output);
        return 0;
    }

    /// <summary>A path relative to the working directory when it lies below it, else absolute.</summary>
    public static string Display(string path)
    {
        string rel = Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
        return rel.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(rel) ? path : rel;
    }

    internal static DataLoader<(Tensor Image, long Label), (Tensor, Tensor)> Loader(Dataset<(Tensor Image, long Label)> ds, int batch, int workers) =>
        new(ds, batchSize: batch, shuffle: false, numWorkers: workers);

    // runs/NAME; a fresh run never writes into an existing folder: NAME-2, NAME-3... unless resuming.
    private static string ResolveRunDir(TrainOptions o)
    {
        if (o.Resume is not null && o.Name is null)
        {
            var ckptDir = Path.GetDirectoryName(Path.GetFullPath(o.Resume))!;
            return Path.GetFileName(ckptDir) == "checkpoints" ? Path.GetDirectoryName(ckptDir)! : ckptDir;
        }
        string name = o.Name ?? $"{o.Model}-{o.Data.Kind}";
        if (name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name is "." or "..")
            throw new CliException($"--name '{name}' is not a valid folder name.");
        string dir = Path.GetFullPath(Path.Combine(o.Output, name));
        if (o.Resume is null)
            for (int k = 2; Directory.Exists(dir); k++) dir = Path.GetFullPath(Path.Combine(o.Output, $"{name}-{k}"));
        return dir;
    }

    private static void CheckResumable(TrainOptions o)
    {
        var (spec, _) = ModelSpec.FromCheckpoint(o.Resume!);
        if (spec.Model != o.Model)
            throw new CliException($"--resume {o.Resume} is a checkpoint of a {spec.Model} model, not {o.Model} (pass --model {spec.Model}).");
        if (spec.Data.Kind != o.Data.Kind)
            throw new CliException($"--resume {o.Resume} was trained on {spec.Data.Kind} data, not {o.Data.Kind}.");
    }

    private static void WritePlots(string runDir, RunHistory h, ClassifierTask task, ModelSpec spec, TextWriter output)
    {
        var loss = new List<PlotSeries> { new("train loss (step)", h.TrainLossSteps.Select(p => p.Step).ToArray(), h.TrainLossSteps.Select(p => p.Value).ToArray()) };
        var epochEnd = h.Epochs.Select(e => (e["epoch"] + 1) * (h.TrainLossSteps.Count / Math.Max(1.0, h.Epochs.Count))).ToArray();
        loss.Add(new("val loss (epoch)", epochEnd, h.Epochs.Select(e => e["val_loss"]).ToArray()));
        LineChart.Save(Path.Combine(runDir, "loss.png"), loss, "Loss", "step", "cross-entropy");
        var epochs = h.Epochs.Select(e => e["epoch"] + 1).ToArray();
        var accuracy = new List<PlotSeries>
        {
            new("train acc", epochs, h.Epochs.Select(e => e["train_acc"]).ToArray()),
            new("val acc", epochs, h.Epochs.Select(e => e["val_acc"]).ToArray()),
        };
        LineChart.Save(Path.Combine(runDir, "accuracy.png"), accuracy, "Accuracy", "epoch", "accuracy");
        var lr = new List<PlotSeries> { new("lr", h.LearningRates.Select(p => p.Step).ToArray(), h.LearningRates.Select(p => p.Value).ToArray()) };
        LineChart.Save(Path.Combine(runDir, "lr.png"), lr, "Learning rate", "step", "lr");
        var cm = Confusion(task.TestPredictions!, task.TestTargets!, spec.Classes.Length);
        ConfusionMatrixChart.Save(Path.Combine(runDir, "confusion_matrix.png"), cm, spec.Classes, "Confusion matrix (test, best checkpoint)");
        output.WriteLine("plots: loss.png, accuracy.png, lr.png, confusion_matrix.png");
    }

    /// <summary>counts[true class, predicted class].</summary>
    public static long[,] Confusion(IReadOnlyList<long> predictions, IReadOnlyList<long> targets, int classes)
    {
        var m = new long[classes, classes];
        for (int i = 0; i < predictions.Count; i++) m[targets[i], predictions[i]]++;
        return m;
    }
}

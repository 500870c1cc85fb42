using Lantern.Cli.Commands;
using Lantern.Training.Metrics;
using Lantern.Training.Plots;

namespace Lantern.Cli.Run;

/// <summary>
/// `lantern eval`: rebuilds the model from a checkpoint, classifies a split and prints the accuracy, per-class
/// precision / recall / F1 (with support) and the confusion matrix (rows: true class, columns: predicted), and
/// writes confusion_matrix.png.
/// </summary>
public static class EvalRun
{
    public static int Execute(string checkpoint, DataSpec? dataOverride, string split, int batchSize, string? outDir, TextWriter output)
    {
        var task = ModelSpec.LoadClassifier(checkpoint);
        var spec = task.Spec;
        var data = DataSources.Load(dataOverride ?? spec.Data);
        if (data.InChannels != spec.InChannels || data.ImageSize != spec.ImageSize || data.Classes.Count != spec.Classes.Length)
            throw new CliException($"{checkpoint} expects {spec.InChannels}x{spec.ImageSize}x{spec.ImageSize} images in {spec.Classes.Length} classes, " +
                $"but {dataOverride} has {data.InChannels}x{data.ImageSize}x{data.ImageSize} in {data.Classes.Count}.");
        var ds = split == "train" ? data.Train : data.Test;
        var preds = new List<long>();
        var targets = new List<long>();
        using (Autograd.NoGrad())
            foreach (var (x, y) in TrainRun.Loader(ds, batchSize, 0))
            {
                preds.AddRange(task.Forward(x).ArgMax(1).ToArray<long>());
                targets.AddRange(y.ToArray<long>());
            }
        int k = spec.Classes.Length;
        var cm = TrainRun.Confusion(preds, targets, k);
        long correct = 0;
        for (int i = 0; i < k; i++) correct += cm[i, i];
        output.WriteLine($"lantern eval: {spec.Model} from {checkpoint} on {dataOverride ?? spec.Data} ({split}, {preds.Count} samples)");
        output.WriteLine($"accuracy {RunHistory.Percent((double)correct / preds.Count)} ({correct}/{preds.Count})");
        output.WriteLine();
        // scikit-learn's classification_report: per-class precision, recall, F1 (zero division -> 0) and support
        output.WriteLine(ClassificationReport.FromConfusionMatrix(cm, spec.Classes).ToString(4));
        int w = Math.Max(12, spec.Classes.Max(c => c.Length) + 3);
        output.WriteLine("confusion matrix (rows: true class, columns: predicted class)");
        output.WriteLine(new string(' ', w) + string.Concat(Enumerable.Range(0, k).Select(j => $"{j,6}")));
        for (int i = 0; i < k; i++)
            output.WriteLine($"{($"{i} " + spec.Classes[i]).PadRight(w)}" + string.Concat(Enumerable.Range(0, k).Select(j => $"{cm[i, j],6}")));
        string dir = outDir ?? Path.Combine(RunDirOf(checkpoint), "eval");
        string png = Path.Combine(dir, "confusion_matrix.png");
        Directory.CreateDirectory(dir);
        ConfusionMatrixChart.Save(png, cm, spec.Classes, $"Confusion matrix ({split})");
        output.WriteLine($"wrote {png}");
        return 0;
    }

    private static string RunDirOf(string checkpoint)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(checkpoint))!;
        return Path.GetFileName(dir) == "checkpoints" ? Path.GetDirectoryName(dir)! : dir;
    }
}

using System.Diagnostics;
using Lantern.Training;

namespace Lantern.Cli.Run;

/// <summary>
/// Records the curves the plots need (train loss per step, epoch metrics, learning rate per step) and prints one
/// table row per finished epoch: epoch, train loss/acc, val loss/acc, learning rate, seconds and samples/s.
/// </summary>
public sealed class RunHistory(TextWriter output) : Callback
{
    private readonly Stopwatch _epochClock = new();
    private long _epochSamples;
    private bool _headerPrinted;

    public List<(double Step, double Value)> TrainLossSteps { get; } = [];
    public List<(double Step, double Value)> LearningRates { get; } = [];
    public List<Dictionary<string, double>> Epochs { get; } = [];

    public override void OnTrainEpochStart(Trainer trainer, LightningModule module)
    {
        _epochSamples = 0;
        _epochClock.Restart();
    }

    public override void OnTrainBatchEnd(Trainer trainer, LightningModule module, Tensor loss, object? batch, int batchIdx)
    {
        if (batch is ValueTuple<Tensor, Tensor> b) _epochSamples += b.Item2.Shape[0];
        TrainLossSteps.Add((trainer.GlobalStep, loss.Item()));
        if (trainer.Optimizers.Count > 0) LearningRates.Add((trainer.GlobalStep, trainer.Optimizers[0].ParamGroups[0].Lr));
    }

    public override void OnTrainEpochEnd(Trainer trainer, LightningModule module)
    {
        double secs = _epochClock.Elapsed.TotalSeconds;
        var m = trainer.CallbackMetrics;
        var row = new Dictionary<string, double>
        {
            ["epoch"] = trainer.CurrentEpoch,
            ["seconds"] = secs,
            ["samples_per_s"] = secs > 0 ? _epochSamples / secs : 0,
            ["lr"] = trainer.Optimizers.Count > 0 ? trainer.Optimizers[0].ParamGroups[0].Lr : double.NaN,
        };
        foreach (var k in new[] { "train_loss_epoch", "train_acc", "val_loss", "val_acc" })
            row[k] = m.TryGetValue(k, out var v) ? v : double.NaN;
        if (double.IsNaN(row["train_loss_epoch"]) && m.TryGetValue("train_loss", out var tl)) row["train_loss_epoch"] = tl;
        Epochs.Add(row);
        if (!_headerPrinted)
        {
            output.WriteLine($"{"epoch",5} {"train_loss",10} {"train_acc",9} {"val_loss",9} {"val_acc",8} {"lr",10} {"time",7} {"samples/s",9}");
            _headerPrinted = true;
        }
        output.WriteLine($"{row["epoch"] + 1,5:0} {row["train_loss_epoch"],10:F4} {Percent(row["train_acc"]),9} {row["val_loss"],9:F4} {Percent(row["val_acc"]),8} {row["lr"],10:G4} {secs,6:F1}s {row["samples_per_s"],9:F0}");
    }

    /// <summary>0.8523 -> "85.23%".</summary>
    public static string Percent(double v) => double.IsNaN(v) ? "-" : $"{v * 100:F2}%";
}

using Lantern.Cli.Run;
using System.CommandLine;

namespace Lantern.Cli.Commands;

/// <summary>`lantern eval`: a checkpoint and data -> accuracy, per-class precision/recall/F1, confusion matrix (table + PNG).</summary>
public static class EvalCommand
{
    public static Command Create(TextWriter output)
    {
        var ckpt = new Option<string>("--checkpoint", "-c") { Description = "Checkpoint written by `lantern train`.", Required = true };
        var data = OptionKit.DataOption("Data to evaluate (default: the data the checkpoint was trained on).");
        var split = new Option<string>("--split") { Description = "Which split to evaluate.", DefaultValueFactory = _ => "test" };
        split.AcceptOnlyFromAmong("test", "train");
        var batch = new Option<int>("--batch-size", "-b") { Description = "Evaluation batch size.", DefaultValueFactory = _ => 256 }.Positive();
        var outDir = new Option<string?>("--output", "-o") { Description = "Folder for confusion_matrix.png (default: the run folder's eval/)." };
        var cmd = new Command("eval", "Evaluate a checkpoint: accuracy, per-class precision/recall/F1 and the confusion matrix.") { ckpt, data, split, batch, outDir };
        cmd.SetAction(r =>
        {
            string path = r.GetValue(ckpt)!;
            if (!File.Exists(path)) throw new CliException($"checkpoint not found: {path}");
            var tokens = r.GetValue(data);
            return EvalRun.Execute(path, tokens is { Length: > 0 } ? DataSpec.Parse(tokens) : null, r.GetValue(split)!, r.GetValue(batch), r.GetValue(outDir), output);
        });
        return cmd;
    }
}

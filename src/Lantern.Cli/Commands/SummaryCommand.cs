using Lantern.Cli.Run;
using System.CommandLine;

namespace Lantern.Cli.Commands;

/// <summary>`lantern summary`: a model and an input shape -> layer table (output shapes, parameters, FLOPs) and measured FPS.</summary>
public static class SummaryCommand
{
    public static Command Create(TextWriter output)
    {
        var model = new Option<string>("--model", "-m") { Description = "Model architecture.", DefaultValueFactory = _ => "cnn" };
        model.AcceptOnlyFromAmong(TrainCommand.ModelNames);
        var shape = new Option<string>("--input-shape") { Description = "Input shape N,C,H,W.", DefaultValueFactory = _ => "1,1,28,28" };
        var classes = new Option<int>("--classes") { Description = "Number of classes.", DefaultValueFactory = _ => 10 }.Positive();
        var iters = new Option<int>("--fps-iterations") { Description = "Timed forward passes for the FPS figure (0: skip).", DefaultValueFactory = _ => 20 }.NonNegative();
        var cmd = new Command("summary", "Print a model's layers with output shapes, parameters and FLOPs, and its measured forward throughput.") { model, shape, classes, iters };
        cmd.SetAction(r => SummaryRun.Execute(r.GetValue(model)!, ParseShape(r.GetValue(shape)!), r.GetValue(classes), r.GetValue(iters), output));
        return cmd;
    }

    /// <summary>"N,C,H,W" -> dims; anything else is a <see cref="CliException"/>.</summary>
    public static int[] ParseShape(string text)
    {
        var parts = text.Split(',', 'x', ' ').Where(p => p.Length > 0).ToArray();
        var dims = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], out dims[i]) || dims[i] < 1)
                throw new CliException($"--input-shape must be positive integers N,C,H,W, but got '{text}'.");
        if (dims.Length != 4) throw new CliException($"--input-shape must have 4 dims N,C,H,W, but got '{text}' ({dims.Length} dims).");
        return dims;
    }
}

using Lantern.Cli.Run;
using System.CommandLine;

namespace Lantern.Cli.Commands;

/// <summary>`lantern predict`: a checkpoint and image files -> the top-k classes of each with probabilities.</summary>
public static class PredictCommand
{
    public static Command Create(TextWriter output)
    {
        var ckpt = new Option<string>("--checkpoint", "-c") { Description = "Checkpoint written by `lantern train`.", Required = true };
        var topK = new Option<int>("--top-k", "-k") { Description = "Classes to print per image.", DefaultValueFactory = _ => 3 }.Positive();
        var images = new Argument<string[]>("images") { Description = "Image files (PNG, JPEG, BMP).", Arity = ArgumentArity.OneOrMore };
        var cmd = new Command("predict", "Classify image files with a checkpoint: top-k classes with probabilities.") { ckpt, topK, images };
        cmd.SetAction(r =>
        {
            string path = r.GetValue(ckpt)!;
            if (!File.Exists(path)) throw new CliException($"checkpoint not found: {path}");
            var files = r.GetValue(images)!;
            foreach (var f in files)
                if (!File.Exists(f)) throw new CliException($"image not found: {f}");
            return PredictRun.Execute(path, files, r.GetValue(topK), output);
        });
        return cmd;
    }
}

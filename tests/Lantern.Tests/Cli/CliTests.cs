using System.Globalization;
using System.Text.RegularExpressions;
using Lantern.Cli;
using Xunit;

namespace Lantern.Tests.Cli;

internal static class CliTestKit
{
    public static (int Code, string Out, string Err) Run(string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = global::Lantern.Cli.Cli.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "lantern-cli-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(d);
        return d;
    }
}

/// <summary>The `lantern` command: exit codes and one-line errors, help, and a small train -> eval -> predict round trip.</summary>
public class CliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => CliTestKit.Run(args);

    private static string TempDir() => CliTestKit.TempDir();

    [Theory]
    [InlineData(new[] { "train", "--model", "vgg" }, "vgg")]
    [InlineData(new[] { "train", "--epochs", "0" }, "--epochs must be positive, but got 0")]
    [InlineData(new[] { "train", "--lr", "-1" }, "--lr must be positive, but got -1")]
    [InlineData(new[] { "train", "--data", "mnist" }, "--data mnist needs a directory")]
    [InlineData(new[] { "train", "--data", "mnist", "/no/such/dir" }, "data directory not found: /no/such/dir")]
    [InlineData(new[] { "train", "--data", "svhn" }, "unknown data 'svhn'")]
    [InlineData(new[] { "train", "--resume", "/no/such.safetensors" }, "checkpoint not found: /no/such.safetensors")]
    [InlineData(new[] { "train", "--ema-decay", "1.5" }, "--ema-decay must be in (0, 1), but got 1.5")]
    [InlineData(new[] { "train", "--bogus" }, "--bogus")]
    [InlineData(new[] { "eval" }, "--checkpoint")]
    [InlineData(new[] { "eval", "-c", "/no/such.safetensors" }, "checkpoint not found: /no/such.safetensors")]
    [InlineData(new[] { "predict", "-c", "/no/such.safetensors", "a.png" }, "checkpoint not found")]
    [InlineData(new[] { "summary", "--input-shape", "1,28,28" }, "--input-shape must have 4 dims")]
    [InlineData(new[] { "frobnicate" }, "frobnicate")]
    [InlineData(new string[0], "a command is required")]
    public void BadInputIsOneLineAndExitCode2(string[] args, string fragment)
    {
        var (code, _, err) = Run(args);
        Assert.Equal(2, code);
        Assert.Contains(fragment, err);
        Assert.Single(err.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("lantern", err);
    }

    [Theory]
    [InlineData("train", "--batch-size")]
    [InlineData("eval", "--checkpoint")]
    [InlineData("predict", "--top-k")]
    [InlineData("summary", "--input-shape")]
    [InlineData("info", "SIMD")]
    public void EveryCommandHasHelp(string command, string mentions)
    {
        var (code, o, _) = Run(command, "--help");
        Assert.Equal(0, code);
        Assert.Contains(command == "info" ? "SIMD" : mentions, o);
    }

    [Fact]
    public void CheckpointThatIsNotOursIsRejected()
    {
        var dir = TempDir();
        var path = Path.Combine(dir, "weights.safetensors");
        global::Lantern.IO.SafeTensors.Save(path, new Dictionary<string, Tensor> { ["w"] = Tensor.Zeros([2]) });
        var (code, _, err) = Run("eval", "-c", path);
        Assert.Equal(2, code);
        Assert.Contains("not a", err);
        var junk = Path.Combine(dir, "junk.safetensors");
        File.WriteAllBytes(junk, [1, 2, 3]);
        (code, _, err) = Run("predict", "-c", junk, junk);
        Assert.Equal(2, code);
        Assert.Single(err.TrimEnd('\n').Split('\n'));
    }

}

/// <summary>Runs of `lantern train` (they seed the global generator, so they run in the non-parallel collection).</summary>
[Collection(global::Lantern.Tests.Training.GlobalRngCollection.Name)]
public class CliTrainTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => CliTestKit.Run(args);

    private static string TempDir() => CliTestKit.TempDir();

    [Fact] // a short run on the embedded data; eval of the best checkpoint prints the accuracy training printed
    public void TrainThenEvalReproducesTheTestAccuracyAndPredictReadsImages()
    {
        var dir = TempDir();
        var (code, o, err) = Run("train", "--model", "mlp", "--epochs", "2", "--limit-train-batches", "20", "--batch-size", "32", "--output", dir, "--name", "t", "--no-plots");
        Assert.True(code == 0, err + o);
        var m = Regex.Match(o, @"test accuracy ([0-9.]+)%");
        Assert.True(m.Success, o);
        double trained = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(trained, 40, 100); // 40 steps of an MLP on Fashion-MNIST: far above chance (10%)
        string best = Path.Combine(dir, "t", "checkpoints", "best.safetensors");
        Assert.True(File.Exists(best));
        Assert.True(File.Exists(Path.Combine(dir, "t", "checkpoints", "last.safetensors")));
        Assert.True(File.Exists(Path.Combine(dir, "t", "metrics.csv")));
        Assert.Matches(@"(?m)^\s+1\s", o); // the epoch table has a row for epoch 1

        (code, var eo, err) = Run("eval", "-c", best, "-o", Path.Combine(dir, "eval"));
        Assert.True(code == 0, err);
        var e = Regex.Match(eo, @"accuracy ([0-9.]+)% \((\d+)/1000\)");
        Assert.True(e.Success, eo);
        Assert.Equal(trained, double.Parse(e.Groups[1].Value, CultureInfo.InvariantCulture));
        Assert.True(File.Exists(Path.Combine(dir, "eval", "confusion_matrix.png")));

        // predict: a test image written as an 8-bit grey PNG gives the classes and probabilities of the model on that image
        var image = global::Lantern.Cli.EmbeddedFashionMnist.Load(train: false, imageDType: DType.UInt8)[0].Image; // [1, 28, 28]
        var pixels = image.ToArray<byte>();
        string png = Path.Combine(dir, "sample.png");
        using (var bmp = new SkiaSharp.SKBitmap(new SkiaSharp.SKImageInfo(28, 28, SkiaSharp.SKColorType.Gray8, SkiaSharp.SKAlphaType.Opaque)))
        {
            System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bmp.GetPixels(), pixels.Length);
            using var data = bmp.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(png, data.ToArray());
        }
        (code, var po, err) = Run("predict", "-c", best, "-k", "2", png);
        Assert.True(code == 0, err);
        var task = global::Lantern.Cli.Run.ModelSpec.LoadClassifier(best);
        var probs = global::Lantern.NN.F.Softmax(task.Forward(image.To(DType.Float32).Div(255.0).Unsqueeze(0)), 1).ToArray<float>();
        var order = Enumerable.Range(0, 10).OrderByDescending(i => probs[i]).ToArray();
        string expected = $"{png}: {task.Spec.Classes[order[0]]} {probs[order[0]] * 100:F1}%, {task.Spec.Classes[order[1]]} {probs[order[1]] * 100:F1}%";
        Assert.Equal(expected, po.Trim());

        // resuming with another model is refused
        (code, _, err) = Run("train", "--model", "cnn", "--resume", best, "--output", dir);
        Assert.Equal(2, code);
        Assert.Contains("checkpoint of a mlp model", err);
    }

    [Fact] // the reference CNN: parameters 320 + 18,496 + 401,536 + 1,290; second conv MACs 64 * 14 * 14 * 32 * 9
    public void SummaryPrintsTheLayerTable()
    {
        var (code, o, err) = Run("summary", "--model", "cnn", "--fps-iterations", "0");
        Assert.True(code == 0, err);
        Assert.Contains("Total params: 421,642", o);
        Assert.Matches(@"3 \(Conv2d\)\s+\[1, 64, 14, 14\]\s+18,496\s+18,496\s+3,612,672", o);
    }

    [Fact] // a real `lantern train` process is killed (SIGKILL) mid-epoch; the resumed run ends with the uninterrupted run's weights, bit for bit
    public void KilledTrainingProcessResumesToTheSameWeights()
    {
        var dir = TempDir();
        string[] common = ["train", "--model", "cnn", "--epochs", "2", "--limit-train-batches", "20", "--batch-size", "32", "--threads", "1", "--val-fraction", "0.02",
            "--checkpoint-every-n-steps", "5", "--seed", "7", "--output", dir, "--no-plots"];
        var (code, _, err) = Run([.. common, "--name", "full"]);
        Assert.True(code == 0, err);

        string cli = Path.Combine(AppContext.BaseDirectory, "Lantern.Cli.dll");
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])[cli, .. common, "--name", "killed"]) psi.ArgumentList.Add(a);
        string last = Path.Combine(dir, "killed", "checkpoints", "last.safetensors");
        long killedAt = -1;
        using (var p = System.Diagnostics.Process.Start(psi)!)
        {
            p.OutputDataReceived += (_, _) => { };
            p.ErrorDataReceived += (_, _) => { };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!p.HasExited && clock.Elapsed.TotalSeconds < 120)
            {
                if (File.Exists(last) && (long)global::Lantern.Training.Checkpoint.Load(last)["global_step"] is long s and >= 10 and < 20)
                {
                    p.Kill(entireProcessTree: true);
                    p.WaitForExit();
                    killedAt = s;
                    break;
                }
                Thread.Sleep(20);
            }
            if (!p.HasExited) p.Kill(entireProcessTree: true);
        }
        Assert.True(killedAt > 0, "the training process ended before a mid-epoch checkpoint could be caught");

        (code, var o, err) = Run([.. common, "--name", "killed", "--resume", last]);
        Assert.True(code == 0, err + o);
        var expected = global::Lantern.Training.Checkpoint.LoadStateDict(Path.Combine(dir, "full", "checkpoints", "last.safetensors"));
        var actual = global::Lantern.Training.Checkpoint.LoadStateDict(last);
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (k, v) in expected) Assert.Equal(v.ToArray<float>(), actual[k].ToArray<float>());
    }
}

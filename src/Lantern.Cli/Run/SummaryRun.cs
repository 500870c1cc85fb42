using Lantern.Cli.Commands;
using Lantern.Training.Summary;

namespace Lantern.Cli.Run;

/// <summary>`lantern summary`: the layer table (output shapes, parameters, multiply-accumulates) and measured forward throughput.</summary>
public static class SummaryRun
{
    public static int Execute(string model, int[] inputShape, int classes, int fpsIterations, TextWriter output)
    {
        if (inputShape[2] != inputShape[3])
            throw new CliException($"--input-shape must be square (H = W), but got {string.Join(",", inputShape)}.");
        var net = new ModelSpec(model, inputShape[1], inputShape[2], Enumerable.Range(0, classes).Select(i => i.ToString()).ToArray(),
            [], [], DataSpec.Embedded).CreateNetwork();
        ModelSummary summary;
        try { summary = ModelSummary.Create(net, inputShape); }
        catch (ArgumentException e) { throw new CliException($"{model} does not take input {string.Join(",", inputShape)}: {e.Message}"); }
        output.WriteLine(summary.ToTable());
        if (fpsIterations > 0)
        {
            var t = Throughput.Measure(net, inputShape, warmup: 3, iterations: fpsIterations);
            output.WriteLine($"forward throughput: {t.SamplesPerSecond:F0} images/s (batch {inputShape[0]}, median latency {t.LatencyMilliseconds:F2} ms over {fpsIterations} runs, {Lantern.Threads} threads)");
        }
        return 0;
    }
}

using System.Diagnostics;
using Lantern.NN;

namespace Lantern.Training.Summary;

/// <summary>Forward-pass speed measured by <see cref="Throughput.Measure"/>.</summary>
/// <param name="BatchSize">Samples per forward pass.</param>
/// <param name="Iterations">Timed passes (after the warm-up ones).</param>
/// <param name="MeanSeconds">Mean seconds per pass.</param>
/// <param name="MedianSeconds">Median seconds per pass.</param>
public sealed record ThroughputResult(int BatchSize, int Iterations, double MeanSeconds, double MedianSeconds)
{
    /// <summary>Samples (images) per second: batch / median seconds per pass.</summary>
    public double SamplesPerSecond => BatchSize / MedianSeconds;

    /// <summary>Median latency of one pass in milliseconds.</summary>
    public double LatencyMilliseconds => MedianSeconds * 1e3;
}

/// <summary>Inference speed: forward passes in eval mode without autograd on a random batch.</summary>
public static class Throughput
{
    /// <summary>
    /// Runs <paramref name="warmup"/> untimed then <paramref name="iterations"/> timed forward passes of a random
    /// input of <paramref name="inputShape"/> (batch first) and reports the per-pass times. The model's
    /// training flags are restored afterwards.
    /// </summary>
    /// <exception cref="ArgumentException">A model that is not Tensor -> Tensor, a bad shape, warmup &lt; 0 or iterations &lt; 1.</exception>
    public static ThroughputResult Measure(Module model, int[] inputShape, int warmup = 3, int iterations = 10)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputShape);
        if (model is not Module<Tensor, Tensor> net)
            throw new ArgumentException($"Throughput: the model must be a Module<Tensor, Tensor>, got {model.GetType().Name}.");
        if (inputShape.Length == 0 || inputShape.Any(d => d <= 0))
            throw new ArgumentException($"Throughput: input shape must have positive sizes with the batch first, got [{string.Join(", ", inputShape)}].");
        if (warmup < 0 || iterations < 1)
            throw new ArgumentException($"Throughput: needs warmup >= 0 and iterations >= 1, got {warmup} and {iterations}.");
        var input = Tensor.Randn(inputShape, generator: new Generator(0));
        var training = model.Modules().Select(m => (m, m.Training)).ToList();
        var times = new double[iterations];
        try
        {
            model.Eval();
            using (Autograd.NoGrad())
            {
                for (int i = 0; i < warmup; i++) net.Call(input);
                for (int i = 0; i < iterations; i++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    net.Call(input);
                    times[i] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
                }
            }
        }
        finally
        {
            foreach (var (m, t) in training) m.Train(t);
        }
        var sorted = times.Order().ToArray();
        double median = iterations % 2 == 1 ? sorted[iterations / 2] : (sorted[iterations / 2 - 1] + sorted[iterations / 2]) / 2;
        return new ThroughputResult(inputShape[0], iterations, times.Average(), median);
    }
}

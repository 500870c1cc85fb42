using System.Diagnostics;
using Lantern.NN;

namespace Lantern.Bench;

/// <summary>
/// Recurrent layers: forward and forward+backward time of LSTM / GRU / RNN on [N, L, in] -> hidden
/// (batchFirst), median wall time of several repetitions after warm-up, and the process CPU time per
/// forward+backward (a steadier figure on a shared machine). Options: --threads 2 --batch 64 --steps 32
/// --input 128 --hidden 256 --reps 10.
/// </summary>
public static class RnnBench
{
    public static int Run(string[] args)
    {
        int threads = Opt(args, "--threads", 2), batch = Opt(args, "--batch", 64), steps = Opt(args, "--steps", 32);
        int input = Opt(args, "--input", 128), hidden = Opt(args, "--hidden", 256), reps = Opt(args, "--reps", 10);
        global::Lantern.Lantern.Threads = threads;
        Console.WriteLine($"threads={threads} input [N={batch}, L={steps}, in={input}] -> hidden {hidden}, median of {reps}");
        Console.WriteLine($"{"layer",-22} {"forward ms",12} {"fwd+bwd ms",12} {"fwd+bwd cpu ms",16}");
        var x = Tensor.Randn([batch, steps, input], generator: new Generator(1));
        Measure("LSTM", new LSTM(input, hidden, batchFirst: true, generator: new Generator(2)), m => ((LSTM)m).Forward(x).Output, x, reps);
        Measure("GRU", new GRU(input, hidden, batchFirst: true, generator: new Generator(2)), m => ((GRU)m).Forward(x).Output, x, reps);
        Measure("RNN tanh", new RNN(input, hidden, batchFirst: true, generator: new Generator(2)), m => ((RNN)m).Forward(x).Output, x, reps);
        Measure("LSTM 2 layers bidir", new LSTM(input, hidden, numLayers: 2, bidirectional: true, batchFirst: true, generator: new Generator(2)),
            m => ((LSTM)m).Forward(x).Output, x, reps);
        return 0;
    }

    private static void Measure(string name, Module m, Func<Module, Tensor> forward, Tensor x, int reps)
    {
        var fwd = new List<double>();
        var both = new List<double>();
        var cpu = TimeSpan.Zero;
        var process = Process.GetCurrentProcess();
        for (int r = 0; r < reps + 3; r++)
        {
            var sw = Stopwatch.StartNew();
            using (Autograd.NoGrad()) forward(m);
            double f = sw.Elapsed.TotalMilliseconds;
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            sw.Restart();
            var y = forward(m);
            y.Sum().Backward();
            double fb = sw.Elapsed.TotalMilliseconds;
            process.Refresh();
            m.ZeroGrad();
            if (r >= 3)
            {
                fwd.Add(f);
                both.Add(fb);
                cpu += process.TotalProcessorTime - cpu0;
            }
        }
        fwd.Sort();
        both.Sort();
        Console.WriteLine($"{name,-22} {fwd[fwd.Count / 2],12:F2} {both[both.Count / 2],12:F2} {cpu.TotalMilliseconds / reps,16:F2}");
    }

    private static int Opt(string[] args, string name, int dflt)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : dflt;
    }
}

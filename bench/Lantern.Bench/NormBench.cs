using System.Diagnostics;
using Lantern.Kernels;
using Lantern.NN;

namespace Lantern.Bench;

/// <summary>
/// `norm`: BatchNorm2d(64) forward + backward on [32, 64, 56, 56] float32 in training mode (batch statistics,
/// running-stat update, input and parameter gradients), plus GroupNorm(32, 64) and a few activations on the same
/// tensor, on 1 and 2 threads. Reports the median of 7 reps and the effective memory traffic of BN
/// (forward reads x twice and writes y; backward reads g and x twice and writes dx: 7 tensor passes).
/// </summary>
internal static class NormBench
{
    public static int Run(string[] args)
    {
        int[] threads = [1, 2];
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--threads") threads = args[++i].Split(',').Select(int.Parse).ToArray();
            else { Console.Error.WriteLine($"norm: unknown option '{args[i]}'"); return 2; }
        }
        int[] shape = [32, 64, 56, 56];
        var x = Tensor.Randn(shape, generator: new Generator(1)).RequiresGrad_();
        var g = Tensor.Randn(shape, generator: new Generator(2));
        var bn = new BatchNorm2d(64);
        var gn = new GroupNorm(32, 64);
        double bytes = 7.0 * x.Numel() * sizeof(float);
        Console.WriteLine($"[32, 64, 56, 56] float32 ({x.Numel() * 4 / 1e6:F1} MB per tensor), median of 7 reps");
        Console.WriteLine($"{"op",-34} {"threads",7} {"ms",9}");
        foreach (int t in threads)
        {
            KernelThreads.Threads = t;
            Console.WriteLine($"{"baseline x + 1 (1 read, 1 write)",-34} {t,7} {Time(() => { using (Autograd.NoGrad()) x.Add(1); }),9:F2}");
            Console.WriteLine($"{"baseline x.Sum() (1 read)",-34} {t,7} {Time(() => { using (Autograd.NoGrad()) x.Sum(); }),9:F2}");
            if (Environment.GetEnvironmentVariable("NORM_BENCH_DETAIL") == "1")
            {
                Tensor y = F.Relu(x.Detach()), mask = y.Le(0);
                Console.WriteLine($"{"relu fwd",-34} {t,7} {Time(() => { using (Autograd.NoGrad()) F.Relu(x); }),9:F2}");
                Console.WriteLine($"{"y.Le(0)",-34} {t,7} {Time(() => { using (Autograd.NoGrad()) y.Le(0); }),9:F2}");
                Console.WriteLine($"{"g.MaskedFill(mask, 0)",-34} {t,7} {Time(() => { using (Autograd.NoGrad()) g.MaskedFill(mask, 0); }),9:F2}");
                Console.WriteLine($"{"Tensor.Empty",-34} {t,7} {Time(() => Tensor.Empty(shape)),9:F2}");
                var yb = bn.Forward(x);
                Console.WriteLine($"{"BN fwd (recording)",-34} {t,7} {Time(() => bn.Forward(x)),9:F2}");
                Console.WriteLine($"{"BN bwd only",-34} {t,7} {Time(() => { x.Grad = null; yb.Backward(g, retainGraph: true); }),9:F2}");
                var yg = gn.Forward(x);
                Console.WriteLine($"{"GN bwd only",-34} {t,7} {Time(() => { x.Grad = null; yg.Backward(g, retainGraph: true); }),9:F2}");
                Console.WriteLine($"{"tanh fwd",-34} {t,7} {Time(() => { using (Autograd.NoGrad()) F.Tanh(x); }),9:F2}");
                Console.WriteLine($"{"silu fwd",-34} {t,7} {Time(() => { using (Autograd.NoGrad()) F.Silu(x); }),9:F2}");
                Console.WriteLine($"{"sigmoid fwd",-34} {t,7} {Time(() => { using (Autograd.NoGrad()) F.Sigmoid(x); }),9:F2}");
            }
            double bnMs = Time(() => { x.Grad = null; bn.Forward(x).Backward(g); });
            Console.WriteLine($"{"BatchNorm2d fwd+bwd",-34} {t,7} {bnMs,9:F2}   ({bytes / (bnMs * 1e-3) / 1e9:F1} GB/s over 7 passes)");
            Console.WriteLine($"{"BatchNorm2d fwd (train)",-34} {t,7} {Time(() => { using (Autograd.NoGrad()) bn.Forward(x); }),9:F2}");
            Console.WriteLine($"{"GroupNorm(32) fwd+bwd",-34} {t,7} {Time(() => { x.Grad = null; gn.Forward(x).Backward(g); }),9:F2}");
            Console.WriteLine($"{"ReLU fwd+bwd",-34} {t,7} {Time(() => { x.Grad = null; F.Relu(x).Backward(g); }),9:F2}");
            Console.WriteLine($"{"SiLU fwd+bwd",-34} {t,7} {Time(() => { x.Grad = null; F.Silu(x).Backward(g); }),9:F2}");
            Console.WriteLine($"{"Hardswish fwd+bwd",-34} {t,7} {Time(() => { x.Grad = null; F.Hardswish(x).Backward(g); }),9:F2}");
            Console.WriteLine($"{"Tanh fwd+bwd",-34} {t,7} {Time(() => { x.Grad = null; F.Tanh(x).Backward(g); }),9:F2}");
        }
        return 0;
    }

    // Median wall time (or, with NORM_BENCH_CPU=1, median process CPU time summed over threads: steadier on a
    // shared, oversubscribed machine) of 7 reps after 2 warm-ups.
    private static double Time(Action a)
    {
        bool cpu = Environment.GetEnvironmentVariable("NORM_BENCH_CPU") == "1";
        var proc = Process.GetCurrentProcess();
        a(); a();
        var ms = new List<double>();
        for (int r = 0; r < 7; r++)
        {
            proc.Refresh();
            var c0 = proc.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            a();
            double wall = sw.Elapsed.TotalMilliseconds;
            proc.Refresh();
            ms.Add(cpu ? (proc.TotalProcessorTime - c0).TotalMilliseconds : wall);
        }
        ms.Sort();
        return ms[ms.Count / 2];
    }
}

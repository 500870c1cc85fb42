using System.Diagnostics;
using Lantern.Kernels;
using Lantern.NN;

namespace Lantern.Bench;

/// <summary>
/// `conv`: Lantern's conv2d forward and forward+backward (input, weight and bias gradients) on the issue's layer
/// [32, 64, 56, 56] -> 64 (3x3, padding 1) and the reference CNN's two layers [64, 1, 28, 28] -> 32 and
/// [64, 32, 14, 14] -> 64 (3x3, padding 1), Float32. Prints the median and best of several reps per config, and the
/// process CPU time of forward+backward per thread (a contention-robust estimate on a shared machine).
/// Options: --threads 1,2 (default 2), --reps N (default 5), --tile ELEMENTS (column tile size override),
/// --breakdown (CPU ms per thread of each kernel: forward, input gradient, weight gradient).
/// </summary>
internal static class ConvBench
{
    private static readonly (string Name, int[] X, int O, int K, int Pad, int Groups)[] s_configs =
    [
        ("[32,64,56,56]->64 3x3 p1", [32, 64, 56, 56], 64, 3, 1, 1),
        ("[64,1,28,28]->32 3x3 p1", [64, 1, 28, 28], 32, 3, 1, 1),
        ("[64,32,14,14]->64 3x3 p1", [64, 32, 14, 14], 64, 3, 1, 1),
        ("[32,64,56,56]->64 1x1", [32, 64, 56, 56], 64, 1, 0, 1),
        ("[32,64,56,56] dw 3x3 p1", [32, 64, 56, 56], 64, 3, 1, 64),
    ];

    public static int Run(string[] args)
    {
        int[] threads = [2];
        int reps = 5;
        bool breakdown = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--threads": threads = args[++i].Split(',').Select(int.Parse).ToArray(); break;
                case "--reps": reps = int.Parse(args[++i]); break;
                case "--tile": ConvGemm<float>.TileElements = int.Parse(args[++i]); break;
                case "--breakdown": breakdown = true; break;
                default:
                    Console.Error.WriteLine($"conv: unknown option '{args[i]}'");
                    return 2;
            }
        }
        int saved = KernelThreads.Threads;
        Console.WriteLine($"conv2d Float32, GEMM kernel {Gemm.ActivePath}, {Environment.ProcessorCount} processors, {DateTime.UtcNow:yyyy-MM-dd}");
        Console.WriteLine($"{"layer",-28} {"threads",7} {"fwd ms",9} {"best",9} {"fwd+bwd ms",11} {"best",9} {"GFLOPS",7} {"cpu ms/thr",10}");
        try
        {
            foreach (int t in threads)
            {
                KernelThreads.Threads = t;
                foreach (var c in s_configs)
                    if (breakdown) Breakdown(c, reps, t);
                    else Time(c, reps, t);
            }
        }
        finally { KernelThreads.Threads = saved; }
        return 0;
    }

    private static void Time((string Name, int[] X, int O, int K, int Pad, int Groups) c, int reps, int threads)
    {
        var gen = new Generator(1);
        var x = Tensor.Randn(c.X, generator: gen).RequiresGrad_();
        var w = Tensor.Randn([c.O, c.X[1] / c.Groups, c.K, c.K], generator: gen).Mul(0.05).Detach().RequiresGrad_();
        var b = Tensor.Randn([c.O], generator: gen).Detach().RequiresGrad_();
        Tensor? gy = null;
        var fwd = new List<double>();
        var both = new List<double>();
        var cpu = new List<double>();
        var proc = System.Diagnostics.Process.GetCurrentProcess();
        for (int r = 0; r < reps + 1; r++)
        {
            var sw = Stopwatch.StartNew();
            using (Autograd.NoGrad()) F.Conv2d(x, w, b, padding: c.Pad, groups: c.Groups);
            double f = sw.Elapsed.TotalMilliseconds;
            x.Grad = null; w.Grad = null; b.Grad = null;
            proc.Refresh();
            var cpu0 = proc.TotalProcessorTime;
            sw.Restart();
            var y = F.Conv2d(x, w, b, padding: c.Pad, groups: c.Groups);
            gy ??= Tensor.OnesLike(y);
            y.Backward(gy);
            double fb = sw.Elapsed.TotalMilliseconds;
            proc.Refresh();
            double fbCpu = (proc.TotalProcessorTime - cpu0).TotalMilliseconds;
            if (r == 0) continue; // warm-up
            cpu.Add(fbCpu);
            fwd.Add(f);
            both.Add(fb);
        }
        fwd.Sort();
        both.Sort();
        cpu.Sort();
        int n = c.X[0], o = c.O, cg = c.X[1] / c.Groups, oh = c.X[2] + 2 * c.Pad - c.K + 1, ow = c.X[3] + 2 * c.Pad - c.K + 1;
        double flops = 3.0 * 2 * n * o * cg * c.K * c.K * oh * ow;
        double med = both[both.Count / 2];
        Console.WriteLine($"{c.Name,-28} {threads,7} {fwd[fwd.Count / 2],9:F1} {fwd[0],9:F1} {med,11:F1} {both[0],9:F1} {flops / med / 1e6,7:F1} {cpu[cpu.Count / 2] / threads,10:F1}");
    }

    private static void Breakdown((string Name, int[] X, int O, int K, int Pad, int Groups) c, int reps, int threads)
    {
        var gen = new Generator(1);
        var x = Tensor.Randn(c.X, generator: gen);
        var w = Tensor.Randn([c.O, c.X[1] / c.Groups, c.K, c.K], generator: gen).Mul(0.05);
        int oh = c.X[2] + 2 * c.Pad - c.K + 1, ow = c.X[3] + 2 * c.Pad - c.K + 1;
        var g = new ConvGeometry
        {
            N = c.X[0], C = c.X[1], H = c.X[2], W = c.X[3], O = c.O, KH = c.K, KW = c.K, OH = oh, OW = ow,
            PadH = c.Pad, PadW = c.Pad, Groups = c.Groups,
        };
        var y = Tensor.Zeros([g.N, g.O, g.OH, g.OW]);
        var dx = Tensor.Zeros(c.X);
        var dw = Tensor.Zeros(w.Shape);
        var be = CpuBackend.Instance;
        var proc = System.Diagnostics.Process.GetCurrentProcess();
        double Cpu(Action a)
        {
            var times = new List<double>();
            for (int r = 0; r < reps + 1; r++)
            {
                proc.Refresh();
                var t0 = proc.TotalProcessorTime;
                a();
                proc.Refresh();
                if (r > 0) times.Add((proc.TotalProcessorTime - t0).TotalMilliseconds / threads);
            }
            times.Sort();
            return times[times.Count / 2];
        }
        double f = Cpu(() => be.ConvForward(x.Buffer, x.Layout, w.Buffer, w.Layout, null, default, y.Buffer, y.Layout, g));
        double bi = Cpu(() => be.ConvBackwardInput(y.Buffer, y.Layout, w.Buffer, w.Layout, dx.Buffer, dx.Layout, g));
        double bw = Cpu(() => be.ConvBackwardWeight(x.Buffer, x.Layout, y.Buffer, y.Layout, dw.Buffer, dw.Layout, g));
        var db = Tensor.Zeros([g.O]);
        double sum = Cpu(() => be.ConvBackwardBias(y.Buffer, y.Layout, db.Buffer, db.Layout, g));
        Console.WriteLine($"{c.Name,-28} {threads,7} cpu ms/thread: forward {f:F1}, input grad {bi:F1}, weight grad {bw:F1}, bias grad {sum:F1}");
    }
}

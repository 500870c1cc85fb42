using System.Diagnostics;
using Lantern.Kernels;
using Lantern.NN;

namespace Lantern.Bench;

/// <summary>
/// `pool`: forward and forward+backward milliseconds of the pooling / resampling family on typical CNN shapes
/// (float32, NCHW). Each case runs warm-up calls, then reps of about 0.1 s; the table gives the fastest rep's time
/// per call (on a shared machine the least disturbed one). Options: --threads 1,2 --filter TEXT.
/// </summary>
internal static class PoolBench
{
    private sealed record Case(string Name, int[] Shape, Func<Tensor, Tensor> Op);

    private static Case[] Cases()
    {
        var grid = Tensor.Uniform([8, 64, 64, 2], -1.1, 1.1, generator: new Generator(3));
        return
        [
            new("max_pool2d 3x3 s2 p1", [16, 64, 112, 112], t => F.MaxPool2d(t, 3, 2, 1)),
            new("max_pool2d 2x2 s2", [32, 64, 56, 56], t => F.MaxPool2d(t, 2)),
            new("avg_pool2d 2x2 s2", [32, 64, 56, 56], t => F.AvgPool2d(t, 2)),
            new("avg_pool2d 3x3 s1 p1", [32, 64, 56, 56], t => F.AvgPool2d(t, 3, 1, 1)),
            new("adaptive_avg_pool2d 1x1", [32, 512, 7, 7], t => F.AdaptiveAvgPool2d(t, 1)),
            new("adaptive_avg_pool2d 7x7", [32, 256, 13, 13], t => F.AdaptiveAvgPool2d(t, 7)),
            new("adaptive_max_pool2d 7x7", [32, 256, 13, 13], t => F.AdaptiveMaxPool2d(t, 7)),
            new("interpolate nearest x2", [8, 64, 56, 56], t => F.Interpolate(t, scaleFactor: [2.0])),
            new("interpolate bilinear x2", [8, 64, 56, 56], t => F.Interpolate(t, scaleFactor: [2.0], mode: "bilinear")),
            new("interpolate bicubic x2", [8, 64, 56, 56], t => F.Interpolate(t, scaleFactor: [2.0], mode: "bicubic")),
            new("interpolate bilinear 224->97", [8, 3, 224, 224], t => F.Interpolate(t, size: [97, 97], mode: "bilinear")),
            new("grid_sample bilinear 64x64", [8, 32, 64, 64], t => F.GridSample(t, grid)),
            new("pixel_shuffle r2", [16, 256, 28, 28], t => F.PixelShuffle(t, 2).Contiguous()),
        ];
    }

    public static int Run(string[] args)
    {
        int[] threads = [1, 2];
        string? filter = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--threads": threads = args[++i].Split(',').Select(int.Parse).ToArray(); break;
                case "--filter": filter = args[++i]; break;
                default:
                    Console.Error.WriteLine($"pool: unknown option '{args[i]}'");
                    return 2;
            }
        }
        int saved = KernelThreads.Threads;
        Console.WriteLine($"pooling / resampling, float32, fastest rep per call, {Environment.ProcessorCount} processors, {DateTime.UtcNow:yyyy-MM-dd}");
        Console.WriteLine($"{"op",-32} {"input",-18} {"threads",7} {"fwd ms",9} {"fwd+bwd ms",11}");
        try
        {
            foreach (var c in Cases().Where(c => filter is null || c.Name.Contains(filter, StringComparison.OrdinalIgnoreCase)))
            {
                var x = Tensor.Randn(c.Shape, generator: new Generator(1));
                foreach (int t in threads)
                {
                    KernelThreads.Threads = t;
                    var g = Tensor.OnesLike(c.Op(x));
                    Action forward = () => { using (Autograd.NoGrad()) c.Op(x); };
                    Action backward = () => c.Op(x.Detach().RequiresGrad_()).Backward(g);
                    Best(forward); // warm-up of both paths first, so tiered compilation does not bias the first timing
                    Best(backward);
                    double fwd = Best(forward), both = Best(backward);
                    Console.WriteLine($"{c.Name,-32} {"[" + string.Join(",", c.Shape) + "]",-18} {t,7} {fwd,9:F2} {both,11:F2}");
                }
            }
        }
        finally { KernelThreads.Threads = saved; }
        return 0;
    }

    private static double Best(Action once)
    {
        var sw = Stopwatch.StartNew();
        int calls = 0;
        while (sw.Elapsed.TotalSeconds < 0.2 || calls < 2) { once(); calls++; }
        int perRep = Math.Max(1, (int)Math.Ceiling(0.1 / (sw.Elapsed.TotalSeconds / calls)));
        double best = double.MaxValue;
        for (int r = 0; r < 5; r++)
        {
            sw.Restart();
            for (int i = 0; i < perRep; i++) once();
            best = Math.Min(best, sw.Elapsed.TotalMilliseconds / perRep);
        }
        return best;
    }
}

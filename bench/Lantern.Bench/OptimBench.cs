using System.Diagnostics;
using Lantern.Kernels;
using Lantern.Optim;

namespace Lantern.Bench;

/// <summary>
/// Optimiser step time: the fused per-parameter kernels (IOptimBackend) beside the same update written as a chain of
/// Lantern tensor ops under NoGrad (PyTorch's single-tensor form), for SGD with momentum and Adam, per thread count.
/// </summary>
public static class OptimBench
{
    public static int Run(string[] args)
    {
        int numel = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1 << 20;
        int reps = 20;
        Console.WriteLine($"optimiser step over {numel:N0} float32 parameters (one tensor), best of {reps}; ms");
        Console.WriteLine("threads  rule        fused   tensor-ops  ratio");
        foreach (int threads in new[] { 1, Environment.ProcessorCount }.Distinct())
        {
            KernelThreads.Threads = threads;
            foreach (var rule in new[] { "SGD", "Adam" })
            {
                var p = Tensor.Randn([numel]).RequiresGrad_();
                p.Grad = Tensor.Randn([numel]);
                Optimizer opt = rule == "SGD" ? new SGD([p], lr: 0.01, momentum: 0.9) : new Adam([p], lr: 1e-3, weightDecay: 1e-2);
                double fused = Best(reps, () => opt.Step());
                var q = p.Detach().Clone();
                var g = p.Grad;
                var m = Tensor.ZerosLike(q);
                var v = Tensor.ZerosLike(q);
                int t = 0;
                double ops = Best(reps, () =>
                {
                    using var _ = Autograd.NoGrad();
                    if (rule == "SGD")
                    {
                        m.Mul_(0.9).Add_(g);
                        q.Add_(m.Mul(-0.01));
                        return;
                    }
                    t++;
                    var gg = g.Add(q.Mul(1e-2));
                    m.Copy_(m.Add(gg.Sub(m).Mul(0.1)));
                    v.Mul_(0.999).Add_(gg.Mul(0.001).Mul(gg));
                    var denom = v.Sqrt().Div(Math.Sqrt(1 - Math.Pow(0.999, t))).Add(1e-8);
                    q.Add_(m.Mul(-1e-3 / (1 - Math.Pow(0.9, t))).Div(denom));
                });
                Console.WriteLine($"{threads,7}  {rule,-6} {fused,10:F3} {ops,12:F3} {ops / fused,6:F1}x");
            }
        }
        return 0;
    }

    private static double Best(int reps, Action f)
    {
        f();
        double best = double.MaxValue;
        for (int i = 0; i < reps; i++)
        {
            var sw = Stopwatch.StartNew();
            f();
            best = Math.Min(best, sw.Elapsed.TotalMilliseconds);
        }
        return best;
    }
}

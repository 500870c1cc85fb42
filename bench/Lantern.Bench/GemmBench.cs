using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Lantern.Kernels;

namespace Lantern.Bench;

/// <summary>
/// `gemm`: square row-major SGEMM C = A·B for N in {128, 256, 512, 1024, 2048} on 1 and 2 threads. Each rep runs
/// enough products for about 0.2 s; the table gives the median rep time per product, GFLOPS = 2 N^3 / t for it, and
/// the GFLOPS of the fastest rep.
/// Options: --v256 / --v512 / --vector / --scalar force a micro-kernel family; --sizes and --threads take
/// comma-separated lists; --dgemm times double precision instead; --kc / --mc / --nc override the cache blocking
/// (for tuning on a new machine).
/// </summary>
internal static class GemmBench
{
    public static int Run(string[] args)
    {
        int[] sizes = [128, 256, 512, 1024, 2048];
        int[] threads = [1, 2];
        bool dgemm = false;
        int kc = 0, mc = 0, nc = 0;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--v256": Gemm.ForcedPath = GemmPath.Avx2; break;
                case "--v512": Gemm.ForcedPath = GemmPath.Avx512; break;
                case "--vector": Gemm.ForcedPath = GemmPath.Vector; break;
                case "--scalar": Gemm.ForcedPath = GemmPath.Scalar; break;
                case "--dgemm": dgemm = true; break;
                case "--sizes": sizes = ParseList(args[++i]); break;
                case "--threads": threads = ParseList(args[++i]); break;
                case "--kc": kc = int.Parse(args[++i]); break;
                case "--mc": mc = int.Parse(args[++i]); break;
                case "--nc": nc = int.Parse(args[++i]); break;
                default:
                    Console.Error.WriteLine($"gemm: unknown option '{args[i]}'");
                    return 2;
            }
        }

        if (!Accelerated(Gemm.ForcedPath))
        {
            Console.WriteLine($"gemm: the {Gemm.ForcedPath} micro-kernel is not hardware-accelerated on this machine " +
                "(it would run emulated, orders of magnitude slower); nothing timed.");
            return 0;
        }

        GemmCore<float>.SetBlocking(Gemm.ForcedPath, kc, mc, nc);
        GemmCore<double>.SetBlocking(Gemm.ForcedPath, kc, mc, nc);
        int saved = KernelThreads.Threads;
        string blocking = kc + mc + nc > 0 ? $", blocking override kc={kc} mc={mc} nc={nc}" : "";
        Console.WriteLine($"{(dgemm ? "DGEMM" : "SGEMM")} row-major C = A·B, kernel {Gemm.ActivePath}{blocking}, " +
            $"{Environment.ProcessorCount} processors, {DateTime.UtcNow:yyyy-MM-dd}");
        Console.WriteLine($"{"N",6} {"threads",8} {"ms",10} {"GFLOPS",8} {"best",8} {"reps",5} {"per rep",8}");
        try
        {
            foreach (int n in sizes)
            {
                foreach (int t in threads)
                {
                    KernelThreads.Threads = t;
                    var (ms, bestMs, perRep) = dgemm ? Time<double>(n, Gemm.Dgemm) : Time<float>(n, Gemm.Sgemm);
                    double gflops = 2.0 * n * n * n / (ms * 1e-3) / 1e9, best = 2.0 * n * n * n / (bestMs * 1e-3) / 1e9;
                    Console.WriteLine($"{n,6} {t,8} {ms,10:F3} {gflops,8:F1} {best,8:F1} {Reps,5} {perRep,8}");
                }
            }
        }
        finally { KernelThreads.Threads = saved; }
        return 0;
    }

    private const int Reps = 9;

    private delegate void GemmFn<T>(int m, int n, int k, T alpha, ReadOnlySpan<T> a, int ars, int acs,
        ReadOnlySpan<T> b, int brs, int bcs, T beta, Span<T> c, int crs, int ccs);

    /// <summary>
    /// Median (and fastest) milliseconds per product over <see cref="Reps"/> reps of about 0.2 s each, after
    /// warm-up. The fastest rep is shown too: on a shared machine it is the least disturbed one.
    /// </summary>
    private static (double Ms, double BestMs, int PerRep) Time<T>(int n, GemmFn<T> gemm) where T : unmanaged
    {
        var rng = new Random(1);
        var a = new T[n * n];
        var b = new T[n * n];
        var c = new T[n * n];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = (T)Convert.ChangeType(rng.NextDouble() - 0.5, typeof(T));
            b[i] = (T)Convert.ChangeType(rng.NextDouble() - 0.5, typeof(T));
        }
        T one = (T)Convert.ChangeType(1.0, typeof(T)), zero = default;
        void Once() => gemm(n, n, n, one, a, n, 1, b, n, 1, zero, c, n, 1);

        // Warm-up: tier the code up and size a rep to about 0.2 s.
        var sw = Stopwatch.StartNew();
        int calls = 0;
        while (sw.Elapsed.TotalSeconds < 0.3 || calls < 3) { Once(); calls++; }
        double perCall = sw.Elapsed.TotalSeconds / calls;
        int perRep = Math.Max(1, (int)Math.Ceiling(0.2 / perCall));

        var times = new double[Reps];
        for (int r = 0; r < Reps; r++)
        {
            sw.Restart();
            for (int i = 0; i < perRep; i++) Once();
            times[r] = sw.Elapsed.TotalMilliseconds / perRep;
        }
        Array.Sort(times);
        return (times[Reps / 2], times[0], perRep);
    }

    private static bool Accelerated(GemmPath path) => path switch
    {
        GemmPath.Avx512 => Vector512.IsHardwareAccelerated && Avx512F.IsSupported,
        GemmPath.Avx2 => Vector256.IsHardwareAccelerated && Fma.IsSupported,
        GemmPath.Vector => System.Numerics.Vector.IsHardwareAccelerated,
        _ => true,
    };

    private static int[] ParseList(string s) => s.Split(',').Select(int.Parse).ToArray();
}

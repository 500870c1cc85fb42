namespace Lantern.Bench;

/// <summary>Entry point: `dotnet run -c Release --project bench/Lantern.Bench -- COMMAND [options]`.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        string command = args.Length > 0 ? args[0] : "";
        string[] rest = args.Length > 0 ? args[1..] : [];
        switch (command)
        {
            case "gemm":
                return GemmBench.Run(rest);
            case "optim":
                return OptimBench.Run(rest);
            case "rnn":
                return RnnBench.Run(rest);
            case "norm":
                return NormBench.Run(rest);
            case "pool":
                return PoolBench.Run(rest);
            case "conv":
                return ConvBench.Run(rest);
            case "vision":
                return VisionBench.Run(rest);
            default:
                Console.Error.WriteLine($"unknown command '{command}'. Commands:");
                Console.Error.WriteLine("  gemm [--v256|--v512|--vector|--scalar] [--sizes 128,256] [--threads 1,2]   SGEMM GFLOPS table");
                Console.Error.WriteLine("  optim [numel]   fused optimiser step vs the same update as tensor ops");
                Console.Error.WriteLine("  rnn [--threads 2] [--batch 64] [--steps 32] [--input 128] [--hidden 256] [--reps 10]   LSTM/GRU/RNN forward and forward+backward ms");
                Console.Error.WriteLine("  norm [--threads 1,2]   BatchNorm2d/GroupNorm/activation fwd+bwd on [32,64,56,56]");
                Console.Error.WriteLine("  pool [--threads 1,2] [--filter TEXT]   pooling / interpolation / grid_sample timings");
                Console.Error.WriteLine("  conv [--threads 1,2] [--reps 5] [--tile N] [--breakdown]   conv2d forward / forward+backward times");
                Console.Error.WriteLine("  vision [--threads 1,2] [--filter TEXT] [--images DIR]   Lantern.Vision vs OpenCV 4.13, ratio = OpenCV / Lantern");
                return 2;
        }
    }
}

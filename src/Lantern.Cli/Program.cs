using System.Runtime.Intrinsics;

namespace Lantern.Cli;

/// <summary>
/// The `lantern` command. Subcommands: info (machine, SIMD paths, threads) and train (the main job; the
/// trainer arrives with the training issue). Errors print one line and exit with code 2.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        string cmd = args.Length > 0 ? args[0] : "--help";
        switch (cmd)
        {
            case "info":
                Console.WriteLine($"Lantern {typeof(Tensor).Assembly.GetName().Version}");
                Console.WriteLine($".NET {Environment.Version}, {Environment.ProcessorCount} logical processors, kernel threads {Lantern.Threads}");
                Console.WriteLine($"SIMD: Vector512 {Vector512.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}, Vector128 {Vector128.IsHardwareAccelerated}");
                return 0;
            case "train":
                Console.Error.WriteLine("lantern train: not available yet: the trainer, datasets and the embedded Fashion-MNIST subset arrive with issue #5.");
                return 2;
            case "--help" or "-h" or "help":
                Console.WriteLine("usage: lantern <command>\n  info    machine, SIMD paths and thread count\n  train   train the reference CNN on the embedded data (issue #5)");
                return 0;
            default:
                Console.Error.WriteLine($"lantern: unknown command '{cmd}' (try 'lantern --help').");
                return 2;
        }
    }
}

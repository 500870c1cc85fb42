using Lantern.Cli.Run;
using System.CommandLine;
using System.Runtime.Intrinsics;

namespace Lantern.Cli.Commands;

/// <summary>`lantern info`: version, machine, SIMD paths and kernel threads.</summary>
public static class InfoCommand
{
    public static Command Create(TextWriter output)
    {
        var cmd = new Command("info", "Print the Lantern version, the machine's SIMD paths and the kernel thread count.");
        cmd.SetAction(_ =>
        {
            output.WriteLine($"Lantern {typeof(Tensor).Assembly.GetName().Version}");
            output.WriteLine($".NET {Environment.Version}, {Environment.ProcessorCount} logical processors, kernel threads {Lantern.Threads}");
            output.WriteLine($"SIMD: Vector512 {Vector512.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}, Vector128 {Vector128.IsHardwareAccelerated}");
            return 0;
        });
        return cmd;
    }
}

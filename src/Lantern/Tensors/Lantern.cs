using Lantern.Kernels;

namespace Lantern;

/// <summary>Process-wide settings: the default random generator and the kernel thread count.</summary>
public static class Lantern
{
    /// <summary>The generator used when an op is given none (torch.default_generator).</summary>
    public static Generator DefaultGenerator { get; } = new();

    /// <summary>Seeds the default generator (torch.manual_seed): the same seed gives the same streams on every run and thread count.</summary>
    public static Generator ManualSeed(long seed) => DefaultGenerator.ManualSeed(unchecked((ulong)seed));

    /// <summary>Threads used by kernels (torch.set_num_threads); default: the processor count.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set below 1.</exception>
    public static int Threads
    {
        get => KernelThreads.Threads;
        set => KernelThreads.Threads = value;
    }
}

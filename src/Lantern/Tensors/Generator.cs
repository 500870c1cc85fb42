using Lantern.Kernels;

namespace Lantern;

/// <summary>
/// A seedable random stream (torch.Generator). Counter-based: a draw of n numbers takes stream positions
/// [offset, offset + n) and each number is a pure function of (seed, position), so the same seed gives the
/// same tensors on every run and for every thread count.
/// </summary>
public sealed class Generator
{
    /// <summary>PyTorch's default CPU seed.</summary>
    public const ulong DefaultSeed = 67280421310721UL;

    private ulong _seed;
    private long _offset;

    /// <summary>A generator seeded with <paramref name="seed"/>.</summary>
    public Generator(ulong seed = DefaultSeed) => _seed = seed;

    /// <summary>The seed (torch.Generator.initial_seed()).</summary>
    public ulong InitialSeed => _seed;

    /// <summary>Stream position of the next draw.</summary>
    public ulong Offset => (ulong)Interlocked.Read(ref _offset);

    /// <summary>Reseeds and rewinds the stream; returns this generator.</summary>
    public Generator ManualSeed(ulong seed)
    {
        _seed = seed;
        Interlocked.Exchange(ref _offset, 0);
        return this;
    }

    /// <summary>The state (seed, offset) for checkpointing.</summary>
    public (ulong Seed, ulong Offset) GetState() => (_seed, Offset);

    /// <summary>Restores a state from <see cref="GetState"/>.</summary>
    public void SetState((ulong Seed, ulong Offset) state)
    {
        _seed = state.Seed;
        Interlocked.Exchange(ref _offset, (long)state.Offset);
    }

    /// <summary>Reserves <paramref name="count"/> positions (rounded up to even) and returns the first.</summary>
    internal ulong Advance(long count)
    {
        count += count & 1;
        return (ulong)(Interlocked.Add(ref _offset, count) - count);
    }

    /// <summary>Uniform double in [0, 1) at a reserved position.</summary>
    internal double UniformAt(ulong position) => RandomKernels.Uniform(_seed, position);

    /// <summary>The raw 64-bit word at a reserved position.</summary>
    internal ulong WordAt(ulong position) => RandomKernels.Word(_seed, position);

    internal ulong Seed => _seed;
}

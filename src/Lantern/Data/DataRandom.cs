namespace Lantern.Data;

/// <summary>
/// The random stream of the sample being loaded. A <see cref="DataLoader{T, TBatch}"/> fetches each sample
/// inside a scope whose generator is seeded by (loader seed, epoch, position of the sample in the epoch), so
/// random augmentations give the same result whichever worker thread runs them, and the batches are identical
/// for every numWorkers. Random transforms built without an explicit generator draw from
/// <see cref="Resolve"/>; outside a loader that is the global generator.
/// </summary>
public static class DataRandom
{
    [ThreadStatic] private static Generator? t_current;

    /// <summary>The generator of the sample being loaded on this thread, or null outside a loader.</summary>
    public static Generator? Current => t_current;

    /// <summary>
    /// The generator a random transform should use: <paramref name="explicitGenerator"/> when given, else the
    /// current sample's, else the global one. (An explicit generator shared by several workers makes the
    /// draws depend on thread timing; leave it null inside a loader with workers.)
    /// </summary>
    public static Generator Resolve(Generator? explicitGenerator) => explicitGenerator ?? t_current ?? Lantern.DefaultGenerator;

    /// <summary>Makes <paramref name="generator"/> the current one on this thread until the scope is disposed.</summary>
    public static Scope Use(Generator? generator)
    {
        var previous = t_current;
        t_current = generator;
        return new Scope(previous);
    }

    /// <summary>Restores the previous current generator when disposed.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly Generator? _previous;

        internal Scope(Generator? previous) => _previous = previous;

        /// <summary>Restores the previous generator.</summary>
        public void Dispose() => t_current = _previous;
    }
}

/// <summary>
/// A failure while loading a batch, raised on the consuming thread in batch order (whatever numWorkers is):
/// names the batch, the dataset index being read (when the failure was in a sample) and the worker; the
/// original exception is the <see cref="Exception.InnerException"/>.
/// </summary>
public sealed class DataLoaderException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DataLoaderException(string message, int batchIndex, int? sampleIndex, int? worker, Exception inner)
        : base(message, inner)
    {
        BatchIndex = batchIndex;
        SampleIndex = sampleIndex;
        Worker = worker;
    }

    /// <summary>Position of the failed batch in the epoch.</summary>
    public int BatchIndex { get; }

    /// <summary>The dataset index whose sample failed, or null when the collate failed.</summary>
    public int? SampleIndex { get; }

    /// <summary>The worker that ran it (null for numWorkers = 0).</summary>
    public int? Worker { get; }
}

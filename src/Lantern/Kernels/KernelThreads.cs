namespace Lantern.Kernels;

/// <summary>
/// The one thread pool every kernel uses. Work is cut into chunks by the caller; the caller thread runs
/// chunks too, and the workers (Threads - 1 of them, started lazily) pick the rest. Chunks are claimed
/// dynamically, so a kernel whose result must not depend on the thread count must make each chunk's work
/// independent of which thread runs it (fixed partition, no shared accumulators).
/// A call made from inside a chunk runs inline (no nested parallelism).
/// </summary>
public static class KernelThreads
{
    private static int _threads = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Number of threads kernels may use (>= 1). Default: the processor count.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When set below 1.</exception>
    public static int Threads
    {
        get => _threads;
        set
        {
            if (value < 1)
                throw new ArgumentOutOfRangeException(nameof(value), value, "Threads must be >= 1.");
            _threads = value;
        }
    }

    [ThreadStatic] private static bool t_inside;

    /// <summary>True when the current thread is running a chunk (nested calls run inline).</summary>
    public static bool InsideParallelRegion => t_inside;

    /// <summary>
    /// Runs <paramref name="body"/> with every kernel it calls inline on the calling thread (as inside a chunk).
    /// Data-loading workers use it so that they never queue behind the training thread's parallel regions.
    /// </summary>
    internal static void RunInline(Action body)
    {
        bool was = t_inside;
        t_inside = true;
        try { body(); }
        finally { t_inside = was; }
    }

    private static readonly object s_lock = new();
    private static Thread[] s_workers = [];
    private static Job? s_job;
    private static long s_generation;

    private sealed class Job
    {
        public required Action<int> Body;
        public required int Chunks;
        public required int Workers;  // how many pool workers may join (Threads - 1 at submission)
        public int Next;          // next chunk to claim
        public int Pending;       // chunks not yet finished
        public Exception? Error;
    }

    /// <summary>Runs <paramref name="body"/>(chunk) for chunk in [0, chunks), in parallel when Threads > 1.</summary>
    public static void ForChunks(int chunks, Action<int> body)
    {
        if (chunks <= 0) return;
        int threads = _threads;
        if (chunks == 1 || threads == 1 || t_inside)
        {
            bool was = t_inside;
            t_inside = true;
            try { for (int i = 0; i < chunks; i++) body(i); }
            finally { t_inside = was; }
            return;
        }
        RunParallel(chunks, body, threads);
    }

    /// <summary>
    /// Splits [0, count) into contiguous ranges of at least <paramref name="minPerChunk"/> items, one per
    /// thread at most, and runs <paramref name="body"/>(start, end) on each.
    /// </summary>
    public static void For(int count, int minPerChunk, Action<int, int> body)
    {
        if (count <= 0) return;
        int threads = _threads;
        int chunks = Math.Min(threads, Math.Max(1, count / Math.Max(1, minPerChunk)));
        if (chunks <= 1 || t_inside)
        {
            bool was = t_inside;
            t_inside = true;
            try { body(0, count); }
            finally { t_inside = was; }
            return;
        }
        ForChunks(chunks, c =>
        {
            long start = (long)count * c / chunks, end = (long)count * (c + 1) / chunks;
            body((int)start, (int)end);
        });
    }

    private static void RunParallel(int chunks, Action<int> body, int threads)
    {
        var job = new Job { Body = body, Chunks = chunks, Pending = chunks, Workers = threads - 1 };
        lock (s_lock)
        {
            EnsureWorkers(threads - 1);
            // Only one parallel region at a time: wait for any other caller's job to finish.
            while (s_job != null) Monitor.Wait(s_lock);
            s_job = job;
            s_generation++;
            Monitor.PulseAll(s_lock);
        }
        Work(job);
        var spin = new SpinWait();
        while (Volatile.Read(ref job.Pending) > 0) spin.SpinOnce(-1);
        lock (s_lock)
        {
            s_job = null;
            Monitor.PulseAll(s_lock);
        }
        if (job.Error != null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(job.Error).Throw();
    }

    private static void Work(Job job)
    {
        bool was = t_inside;
        t_inside = true;
        try
        {
            while (true)
            {
                int c = Interlocked.Increment(ref job.Next) - 1;
                if (c >= job.Chunks) return;
                try { job.Body(c); }
                catch (Exception e) { Interlocked.CompareExchange(ref job.Error, e, null); }
                Interlocked.Decrement(ref job.Pending);
            }
        }
        finally { t_inside = was; }
    }

    private static void EnsureWorkers(int n)
    {
        if (s_workers.Length >= n) return;
        var grown = new Thread[n];
        Array.Copy(s_workers, grown, s_workers.Length);
        for (int i = s_workers.Length; i < n; i++)
        {
            int index = i;
            var t = new Thread(() => WorkerLoop(index)) { IsBackground = true, Name = $"Lantern worker {i + 1}" };
            grown[i] = t;
            t.Start();
        }
        s_workers = grown;
    }

    private static void WorkerLoop(int index)
    {
        long seen = 0;
        while (true)
        {
            Job? job = null;
            // Spin briefly for the next job (kernels are often issued back to back), then block.
            var spin = new SpinWait();
            for (int i = 0; i < 200 && Volatile.Read(ref s_generation) == seen; i++) spin.SpinOnce(-1);
            lock (s_lock)
            {
                while (s_generation == seen) Monitor.Wait(s_lock);
                seen = s_generation;
                job = s_job;
            }
            if (job != null && index < job.Workers) Work(job);
        }
    }
}

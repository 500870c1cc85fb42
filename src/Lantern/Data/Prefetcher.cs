using System.Collections;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Lantern.Kernels;

namespace Lantern.Data;

/// <summary>
/// Runs batch jobs on dedicated background threads and hands the results back in job order. At most
/// <c>capacity</c> jobs are in flight or waiting to be consumed; jobs are pulled from the source lazily on
/// the consuming thread. A job's exception (or the source's) is rethrown when its turn comes. Dispose cancels
/// what has not started, waits for running jobs and joins the threads.
/// </summary>
internal sealed class Prefetcher<TBatch> : IEnumerator<TBatch>
{
    private sealed class Slot(Func<int?, TBatch>? work)
    {
        public readonly Func<int?, TBatch>? Work = work;
        public TBatch? Result;
        public ExceptionDispatchInfo? Error;
        public readonly ManualResetEventSlim Done = new(false);
    }

    private readonly IEnumerator<Func<int?, TBatch>> _jobs;
    private readonly int _capacity;
    private readonly Queue<Slot> _pending = new();
    private readonly BlockingCollection<Slot> _queue = new();
    private readonly CancellationTokenSource _cts = new();
    private readonly Thread[] _threads;
    private bool _sourceDone, _disposed;
    private TBatch? _current;

    public Prefetcher(IEnumerable<Func<int?, TBatch>> jobs, int workers, int capacity)
    {
        _jobs = jobs.GetEnumerator();
        _capacity = Math.Max(1, capacity);
        _threads = new Thread[workers];
        for (int w = 0; w < workers; w++)
        {
            int id = w;
            _threads[w] = new Thread(() => WorkerLoop(id)) { IsBackground = true, Name = $"Lantern DataLoader worker {w}" };
            _threads[w].Start();
        }
        Fill();
    }

    public TBatch Current => _current!;

    object? IEnumerator.Current => _current;

    /// <summary>Threads still running (for tests: zero after Dispose).</summary>
    internal int LiveThreads => _threads.Count(t => t.IsAlive);

    private void WorkerLoop(int id)
    {
        try
        {
            foreach (var slot in _queue.GetConsumingEnumerable(_cts.Token))
            {
                try
                {
                    if (!_cts.IsCancellationRequested)
                        KernelThreads.RunInline(() => slot.Result = slot.Work!(id));
                }
                catch (Exception e)
                {
                    slot.Error = ExceptionDispatchInfo.Capture(e);
                }
                finally
                {
                    slot.Done.Set();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // Tops the pipeline up to capacity; a failing source becomes a failed slot, raised in order.
    private void Fill()
    {
        while (!_sourceDone && _pending.Count < _capacity)
        {
            Slot slot;
            try
            {
                if (!_jobs.MoveNext())
                {
                    _sourceDone = true;
                    return;
                }
                slot = new Slot(_jobs.Current);
            }
            catch (Exception e)
            {
                _sourceDone = true;
                slot = new Slot(null) { Error = ExceptionDispatchInfo.Capture(e) };
                slot.Done.Set();
                _pending.Enqueue(slot);
                return;
            }
            _pending.Enqueue(slot);
            _queue.Add(slot);
        }
    }

    public bool MoveNext()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_pending.Count == 0) return false;
        var slot = _pending.Dequeue();
        slot.Done.Wait();
        slot.Done.Dispose();
        if (slot.Error != null)
        {
            Dispose();
            slot.Error.Throw();
        }
        _current = slot.Result;
        Fill();
        return true;
    }

    public void Reset() => throw new NotSupportedException("DataLoader: start a new epoch with a new enumeration.");

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _cts.Cancel();
        _queue.CompleteAdding();
        foreach (var t in _threads) t.Join();
        _queue.Dispose();
        _cts.Dispose();
        _jobs.Dispose();
        _current = default;
    }
}

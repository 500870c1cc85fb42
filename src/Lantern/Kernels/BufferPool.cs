using System.Collections.Concurrent;

namespace Lantern.Kernels;

/// <summary>
/// Recycled tensor memory. Fresh large arrays cost a page fault per 4 KiB on first touch (measured: about
/// 1,000 faults and several ms for a 4 MiB tensor), so buffers the engine KNOWS are dead go back here and new
/// tensors of the same element type and length reuse them. Only the autograd engine returns buffers: the
/// temporaries a backward pass created and that did not escape into .Grad or the caller (see Engine). Nothing
/// is recycled by guesswork (no finalizers), and a recycled buffer is tombstoned so stale use fails loudly.
/// </summary>
public static class BufferPool
{
    /// <summary>Arrays shorter than this are never pooled (allocation is cheap below a few pages).</summary>
    public const int MinElements = 4096;

    private static readonly ConcurrentDictionary<(Type, int), ConcurrentBag<Array>> s_free = new();
    private static long s_bytes;
    private static long s_limit = 1L << 30;
    private static long s_hits, s_misses;

    [ThreadStatic] private static List<DeviceBuffer>? t_recording;

    /// <summary>Most bytes the pool keeps (default 1 GiB); returns beyond it are left to the GC.</summary>
    public static long LimitBytes
    {
        get => Interlocked.Read(ref s_limit);
        set => Interlocked.Exchange(ref s_limit, Math.Max(0, value));
    }

    /// <summary>Bytes currently held for reuse.</summary>
    public static long PooledBytes => Interlocked.Read(ref s_bytes);

    /// <summary>Allocations served from the pool and allocations that needed fresh memory (for benchmarks).</summary>
    public static (long Hits, long Misses) Stats => (Interlocked.Read(ref s_hits), Interlocked.Read(ref s_misses));

    /// <summary>Drops every pooled array.</summary>
    public static void Clear()
    {
        s_free.Clear();
        Interlocked.Exchange(ref s_bytes, 0);
    }

    /// <summary>A pooled array of exactly <paramref name="length"/> elements (contents unspecified), or null.</summary>
    internal static T[]? Rent<T>(int length) where T : unmanaged
    {
        if (length < MinElements) return null;
        if (s_free.TryGetValue((typeof(T), length), out var bag) && bag.TryTake(out var a))
        {
            Interlocked.Add(ref s_bytes, -(long)length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>());
            Interlocked.Increment(ref s_hits);
            return (T[])a;
        }
        Interlocked.Increment(ref s_misses);
        return null;
    }

    internal static void Return<T>(T[] array) where T : unmanaged
    {
        if (array.Length < MinElements) return;
        long bytes = (long)array.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        if (Interlocked.Add(ref s_bytes, bytes) > LimitBytes)
        {
            Interlocked.Add(ref s_bytes, -bytes);
            return;
        }
        s_free.GetOrAdd((typeof(T), array.Length), _ => new ConcurrentBag<Array>()).Add(array);
    }

    /// <summary>Notes a buffer allocated on this thread while a recording is active.</summary>
    internal static void Note(DeviceBuffer buffer)
    {
        if (t_recording is { } r && buffer.Length >= MinElements) r.Add(buffer);
    }

    /// <summary>Starts recording this thread's allocations (the engine does it around a backward pass).</summary>
    internal static List<DeviceBuffer>? BeginRecording()
    {
        var previous = t_recording;
        t_recording = [];
        return previous;
    }

    /// <summary>Stops recording and returns what was allocated; restores an outer recording.</summary>
    internal static List<DeviceBuffer> EndRecording(List<DeviceBuffer>? previous)
    {
        var r = t_recording ?? [];
        t_recording = previous;
        previous?.AddRange(r);
        return r;
    }
}

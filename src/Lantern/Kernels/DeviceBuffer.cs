namespace Lantern.Kernels;

/// <summary>The device a buffer lives on. Only the CPU backend exists today; the seam is IBackend.</summary>
public enum Device
{
    /// <summary>Managed memory, SIMD kernels.</summary>
    Cpu,
}

/// <summary>A flat, typed block of device memory. Kernels address it through <see cref="Layout"/>s.</summary>
public abstract class DeviceBuffer
{
    /// <summary>Element type.</summary>
    public abstract DType DType { get; }

    /// <summary>Number of elements.</summary>
    public abstract int Length { get; }

    /// <summary>Where the memory is.</summary>
    public abstract Device Device { get; }

    /// <summary>
    /// True once the engine handed this buffer's memory back to the <see cref="BufferPool"/> (it knew the buffer
    /// was dead). Any later use through a Tensor raises instead of reading recycled memory.
    /// </summary>
    public bool IsRecycled { get; private protected set; }

    /// <summary>Gives the memory to the pool and marks this buffer recycled (engine use only).</summary>
    internal abstract void Recycle();
}

/// <summary>A CPU buffer: a managed array of float, double, long, byte or bool.</summary>
public sealed class CpuBuffer<T> : DeviceBuffer where T : unmanaged
{
    private static readonly DType s_dtype = DTypes.Of<T>();

    private int _length;

    /// <summary>The elements (an empty array once recycled).</summary>
    public T[] Data { get; private set; }

    /// <summary>Wraps an existing array (no copy).</summary>
    public CpuBuffer(T[] data)
    {
        Data = data;
        _length = data.Length;
    }

    /// <summary>A zero-filled buffer of <paramref name="length"/> elements.</summary>
    public CpuBuffer(int length) : this(length == 0 ? [] : new T[length]) { }

    /// <inheritdoc/>
    public override DType DType => s_dtype;

    /// <inheritdoc/>
    public override int Length => _length;

    internal override void Recycle()
    {
        if (IsRecycled) return;
        IsRecycled = true;
        var data = Data;
        Data = [];
        BufferPool.Return(data);
    }

    /// <inheritdoc/>
    public override Device Device => Device.Cpu;

    /// <summary>The elements as a span.</summary>
    public Span<T> Span => Data;
}

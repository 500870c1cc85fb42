using Lantern.Kernels;

namespace Lantern;

/// <summary>
/// The flat buffer behind one or more tensors (a tensor and all its views share one Storage), plus the
/// version counter that in-place operations bump. Autograd records the version of every tensor it saves and
/// refuses to run backward when it has changed since.
/// </summary>
public sealed class Storage
{
    private int _version;

    /// <summary>Wraps a device buffer.</summary>
    public Storage(DeviceBuffer buffer) => Buffer = buffer;

    /// <summary>The device memory.</summary>
    public DeviceBuffer Buffer { get; }

    /// <summary>Element type.</summary>
    public DType DType => Buffer.DType;

    /// <summary>Number of elements in the buffer.</summary>
    public int Length => Buffer.Length;

    /// <summary>Device of the buffer.</summary>
    public Device Device => Buffer.Device;

    /// <summary>Times the data was modified in place (shared by all views).</summary>
    public int Version => Volatile.Read(ref _version);

    /// <summary>Records one in-place modification.</summary>
    internal void BumpVersion() => Interlocked.Increment(ref _version);

    /// <summary>The backend that owns this storage's device.</summary>
    internal IBackend Backend => CpuBackend.Instance;
}

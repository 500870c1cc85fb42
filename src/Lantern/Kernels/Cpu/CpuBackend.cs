using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Lantern.Kernels;

/// <summary>The CPU implementation of <see cref="IBackend"/>: managed arrays, SIMD kernels, <see cref="KernelThreads"/>.</summary>
public sealed partial class CpuBackend : IBackend
{
    /// <summary>The single instance.</summary>
    public static readonly CpuBackend Instance = new();

    private CpuBackend() { }

    /// <inheritdoc/>
    public Device Device => Device.Cpu;

    /// <summary>The managed array behind a CPU buffer.</summary>
    /// <exception cref="ArgumentException">The buffer is not a CPU buffer of T.</exception>
    public static T[] Data<T>(DeviceBuffer b) where T : unmanaged =>
        b is CpuBuffer<T> c ? c.Data : throw new ArgumentException($"CpuBackend: expected a CPU {DTypes.Of<T>()} buffer, got {b.Device} {b.DType}.");

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ref T At<T>(T[] a, int i) => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(a), i);

    /// <inheritdoc/>
    public DeviceBuffer Allocate(DType dtype, int length)
    {
        var b = dtype switch
        {
            DType.Float32 => Zeroed<float>(length),
            DType.Float64 => Zeroed<double>(length),
            DType.Int64 => Zeroed<long>(length),
            DType.UInt8 => Zeroed<byte>(length),
            _ => (DeviceBuffer)Zeroed<bool>(length),
        };
        BufferPool.Note(b);
        return b;
    }

    /// <inheritdoc/>
    public DeviceBuffer AllocateUninitialized(DType dtype, int length)
    {
        var b = dtype switch
        {
            DType.Float32 => Uninitialized<float>(length),
            DType.Float64 => Uninitialized<double>(length),
            DType.Int64 => Uninitialized<long>(length),
            DType.UInt8 => Uninitialized<byte>(length),
            _ => (DeviceBuffer)Uninitialized<bool>(length),
        };
        BufferPool.Note(b);
        return b;
    }

    private static CpuBuffer<T> Zeroed<T>(int length) where T : unmanaged
    {
        if (BufferPool.Rent<T>(length) is { } a)
        {
            Array.Clear(a);
            return new CpuBuffer<T>(a);
        }
        return new CpuBuffer<T>(length);
    }

    private static CpuBuffer<T> Uninitialized<T>(int length) where T : unmanaged =>
        new(BufferPool.Rent<T>(length) ?? GC.AllocateUninitializedArray<T>(length));

    // ---- Fill ----

    /// <inheritdoc/>
    public void Fill(DeviceBuffer dst, Layout l, Number value)
    {
        switch (dst.DType)
        {
            case DType.Float32: FillT(Data<float>(dst), l, value.As<float>()); break;
            case DType.Float64: FillT(Data<double>(dst), l, value.As<double>()); break;
            case DType.Int64: FillT(Data<long>(dst), l, value.As<long>()); break;
            case DType.UInt8: FillT(Data<byte>(dst), l, value.As<byte>()); break;
            default: FillT(Data<bool>(dst), l, value.As<bool>()); break;
        }
    }

    private static void FillT<T>(T[] d, Layout l, T v) where T : unmanaged => Strided.Run(l, new FillBody<T>(d, v), 1 << 16);

    private readonly struct FillBody<T>(T[] d, T v) : IRun1 where T : unmanaged
    {
        public void Run(int o0, int s0, int len)
        {
            if (s0 == 1) d.AsSpan(o0, len).Fill(v);
            else for (int k = 0; k < len; k++) At(d, o0 + k * s0) = v;
        }
    }

    // ---- Copy / cast ----

    /// <inheritdoc/>
    public void Copy(DeviceBuffer src, Layout ls, DeviceBuffer dst, Layout ld)
    {
        if (ls.Shape != ld.Shape)
            throw new ArgumentException($"Copy: source shape {ls.Shape} differs from destination shape {ld.Shape}.");
        switch (src.DType)
        {
            case DType.Float32: CopyFrom(Data<float>(src), ls, dst, ld); break;
            case DType.Float64: CopyFrom(Data<double>(src), ls, dst, ld); break;
            case DType.Int64: CopyFrom(Data<long>(src), ls, dst, ld); break;
            case DType.UInt8: CopyFrom(Data<byte>(src), ls, dst, ld); break;
            default: CopyFrom(Data<bool>(src), ls, dst, ld); break;
        }
    }

    private static void CopyFrom<TS>(TS[] s, Layout ls, DeviceBuffer dst, Layout ld) where TS : unmanaged
    {
        switch (dst.DType)
        {
            case DType.Float32: CopyT(s, ls, Data<float>(dst), ld); break;
            case DType.Float64: CopyT(s, ls, Data<double>(dst), ld); break;
            case DType.Int64: CopyT(s, ls, Data<long>(dst), ld); break;
            case DType.UInt8: CopyT(s, ls, Data<byte>(dst), ld); break;
            default: CopyT(s, ls, Data<bool>(dst), ld); break;
        }
    }

    private static void CopyT<TS, TD>(TS[] s, Layout ls, TD[] d, Layout ld) where TS : unmanaged where TD : unmanaged
        => Strided.Run(ld, ls, new CopyBody<TS, TD>(s, d), 1 << 16);

    private readonly struct CopyBody<TS, TD>(TS[] s, TD[] d) : IRun2 where TS : unmanaged where TD : unmanaged
    {
        public void Run(int o0, int s0, int o1, int s1, int len)
        {
            if (typeof(TS) == typeof(TD) && s0 == 1 && s1 == 1)
            {
                MemoryMarshal.Cast<TS, TD>(s.AsSpan(o1, len)).CopyTo(d.AsSpan(o0, len));
                return;
            }
            for (int k = 0; k < len; k++) At(d, o0 + k * s0) = Cast.To<TS, TD>(At(s, o1 + k * s1));
        }
    }
}

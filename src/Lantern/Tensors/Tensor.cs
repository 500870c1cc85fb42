using Lantern.Kernels;

namespace Lantern;

/// <summary>
/// An n-dimensional array with autograd: a <see cref="T:Lantern.Storage"/> (shared by views), a
/// <see cref="T:Lantern.Layout"/> (shape, strides, offset) and a <see cref="T:Lantern.DType"/>. Ops follow
/// PyTorch's names (PascalCase), semantics, broadcasting and type promotion. The class is split by kind:
/// Tensor.Creation, Tensor.Views, Tensor.Elementwise*, Tensor.Reduce, Tensor.LinAlg, Tensor.Indexing,
/// Tensor.Autograd, Tensor.Format. No Dispose is needed.
/// </summary>
public sealed partial class Tensor
{
    private Layout _layout;
    private Storage _storage;

    internal Tensor(Storage storage, Layout layout)
    {
        _storage = storage;
        _layout = layout;
    }

    /// <summary>A new contiguous tensor over a fresh (uninitialised) buffer.</summary>
    internal static Tensor Uninitialized(Shape shape, DType dtype) =>
        new(new Storage(CpuBackend.Instance.AllocateUninitialized(dtype, shape.Numel)), Layout.Contiguous(shape));

    /// <summary>A new contiguous zero-filled tensor.</summary>
    internal static Tensor Allocate(Shape shape, DType dtype) =>
        new(new Storage(CpuBackend.Instance.Allocate(dtype, shape.Numel)), Layout.Contiguous(shape));

    /// <summary>The shared buffer and its version counter.</summary>
    public Storage Storage => _storage;

    /// <summary>Shape, strides and storage offset.</summary>
    public Layout Layout => _layout;

    /// <summary>Element type.</summary>
    public DType DType => _storage.DType;

    /// <summary>Device of the storage.</summary>
    public Device Device => _storage.Device;

    /// <summary>Sizes of each dimension.</summary>
    public Shape Shape => _layout.Shape;

    /// <summary>torch.Tensor.size(): the shape.</summary>
    public Shape Size() => _layout.Shape;

    /// <summary>torch.Tensor.size(dim); dim may be negative.</summary>
    public int Size(int dim) => Shape[Shape.NormalizeDim(dim, "Size")];

    /// <summary>Number of dimensions (torch.Tensor.dim()).</summary>
    public int Dim() => _layout.Rank;

    /// <summary>Number of dimensions.</summary>
    public int Rank => _layout.Rank;

    /// <summary>Number of elements.</summary>
    public int Numel() => _layout.Numel;

    /// <summary>Strides in elements (torch.Tensor.stride()).</summary>
    public int[] Stride() => _layout.Strides.ToArray();

    /// <summary>Stride of one dimension; dim may be negative.</summary>
    public int Stride(int dim) => _layout.Strides[Shape.NormalizeDim(dim, "Stride")];

    /// <summary>Offset of the first element in the storage (torch.Tensor.storage_offset()).</summary>
    public int StorageOffset => _layout.Offset;

    /// <summary>PyTorch's is_contiguous() (row-major, size-1 dims ignored).</summary>
    public bool IsContiguous => _layout.IsContiguous;

    /// <summary>True when both tensors view the same storage.</summary>
    public bool SharesStorageWith(Tensor other) => ReferenceEquals(_storage, other._storage);

    /// <summary>Bytes per element.</summary>
    public int ElementSize => DType.ElementSize();

    internal IBackend Backend => CpuBackend.Instance;

    internal DeviceBuffer Buffer
    {
        get
        {
            var b = _storage.Buffer;
            if (b.IsRecycled)
                throw new InvalidOperationException(
                    $"Tensor ({DType} {Shape}) was produced inside a backward pass and its memory has been recycled; keep such tensors through a hook (RegisterHook) or Autograd.Grad instead.");
            return b;
        }
    }

    /// <summary>The CPU array behind this tensor (elements at Layout positions; not necessarily contiguous).</summary>
    internal T[] Data<T>() where T : unmanaged => CpuBackend.Data<T>(Buffer);

    /// <summary>Replaces storage and layout (used by in-place ops that rebind, e.g. Set_).</summary>
    internal void Rebind(Storage storage, Layout layout)
    {
        _storage = storage;
        _layout = layout;
    }
}

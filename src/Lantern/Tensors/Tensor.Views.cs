namespace Lantern;

// View ops: new Layout over the same Storage, with PyTorch's strides/offsets. Slicing views share one
// backward rule (ScatterToShape); reshaping views reshape the gradient back.
public sealed partial class Tensor
{
    private Tensor MakeView(Layout layout, string name, Func<Tensor, Tensor?[]> backward)
    {
        var v = new Tensor(_storage, layout);
        v.MarkViewOf(this);
        return Autograd.Record(v, name, [this], backward);
    }

    /// <summary>A slicing view: its gradient is scattered into zeros of this shape at the same positions.</summary>
    private Tensor SliceView(Func<Layout, Layout> geometry, string name)
    {
        var layout = geometry(_layout);
        var inShape = Shape;
        var geom = geometry(Layout.Contiguous(inShape));
        return MakeView(layout, name, g => [g.ScatterToShape(inShape, geom)]);
    }

    private Tensor ReshapeView(Layout layout, string name)
    {
        var inShape = Shape.ToArray();
        return MakeView(layout, name, g => [g.Reshape(inShape)]);
    }

    /// <summary>torch.Tensor.view(sizes): same data, new shape; one size may be -1.</summary>
    /// <exception cref="ArgumentException">Size mismatch, or the strides make a view impossible (use Reshape).</exception>
    [Differentiable]
    public Tensor View(params int[] shape)
    {
        var l = _layout.TryView(shape, "View") ?? throw new ArgumentException(
            $"View: view size is not compatible with input tensor's size and stride (shape {Shape}, strides [{string.Join(", ", Stride())}]) for target [{string.Join(", ", shape)}]: at least one dimension spans across two contiguous subspaces. Use Reshape instead.");
        return ReshapeView(l, "View");
    }

    /// <summary>torch.Tensor.reshape: a view when the strides allow it, otherwise a contiguous copy.</summary>
    [Differentiable]
    public Tensor Reshape(params int[] shape)
    {
        var l = _layout.TryView(shape, "Reshape");
        if (l is { } v) return ReshapeView(v, "Reshape");
        return Contiguous().View(shape);
    }

    /// <summary>torch.Tensor.view_as / reshape_as.</summary>
    public Tensor ReshapeAs(Tensor other) => Reshape(other.Shape.ToArray());

    /// <summary>torch.flatten(startDim, endDim): merges the dims in [startDim, endDim] (a view when possible).</summary>
    public Tensor Flatten(int startDim = 0, int endDim = -1)
    {
        if (Rank == 0) return Reshape(1);
        startDim = Shape.NormalizeDim(startDim, "Flatten");
        endDim = Shape.NormalizeDim(endDim, "Flatten");
        if (startDim > endDim) throw new ArgumentException($"Flatten: startDim {startDim} cannot come after endDim {endDim}.");
        if (startDim == endDim) return this;
        var dims = new List<int>();
        for (int d = 0; d < startDim; d++) dims.Add(Shape[d]);
        long m = 1;
        for (int d = startDim; d <= endDim; d++) m *= Shape[d];
        dims.Add((int)m);
        for (int d = endDim + 1; d < Rank; d++) dims.Add(Shape[d]);
        return Reshape(dims.ToArray());
    }

    /// <summary>torch.unflatten(dim, sizes): splits one dim into several (one size may be -1).</summary>
    public Tensor Unflatten(int dim, params int[] sizes)
    {
        dim = Shape.NormalizeDim(dim, "Unflatten");
        var inner = Layout.InferSize(sizes, Shape[dim], "Unflatten");
        var dims = new List<int>(Shape.ToArray());
        dims.RemoveAt(dim);
        dims.InsertRange(dim, inner.ToArray());
        return View(dims.ToArray());
    }

    /// <summary>torch.transpose(dim0, dim1): swaps two dims (a view).</summary>
    [Differentiable]
    public Tensor Transpose(int dim0, int dim1) =>
        MakeView(_layout.Transpose(dim0, dim1), "Transpose", g => [g.Transpose(dim0, dim1)]);

    /// <summary>torch.Tensor.T: all dims reversed (the transpose for 2-D tensors).</summary>
    public Tensor T => Rank < 2 ? this : Permute(Enumerable.Range(0, Rank).Reverse().ToArray());

    /// <summary>torch.Tensor.mT: the last two dims swapped (batched matrix transpose).</summary>
    /// <exception cref="InvalidOperationException">Fewer than 2 dims.</exception>
    public Tensor MT => Rank >= 2 ? Transpose(-2, -1) : throw new InvalidOperationException($"MT: tensor of shape {Shape} has fewer than 2 dimensions.");

    /// <summary>torch.permute(dims): reorders the dims (a view).</summary>
    [Differentiable]
    public Tensor Permute(params int[] dims)
    {
        var l = _layout.Permute(dims);
        var inverse = new int[dims.Length];
        for (int i = 0; i < dims.Length; i++) inverse[Shape.NormalizeDim(dims[i], "Permute")] = i;
        return MakeView(l, "Permute", g => [g.Permute(inverse)]);
    }

    /// <summary>torch.squeeze(): removes all size-1 dims.</summary>
    [Differentiable]
    public Tensor Squeeze() => ReshapeView(_layout.Squeeze(), "Squeeze");

    /// <summary>torch.squeeze(dim): removes dim when its size is 1.</summary>
    public Tensor Squeeze(int dim) => ReshapeView(_layout.Squeeze(dim), "Squeeze");

    /// <summary>torch.unsqueeze(dim): inserts a size-1 dim at dim (in [-rank-1, rank]).</summary>
    [Differentiable]
    public Tensor Unsqueeze(int dim) => ReshapeView(_layout.Unsqueeze(dim), "Unsqueeze");

    /// <summary>
    /// torch.Tensor.expand(sizes): broadcasts size-1 dims (stride 0, no copy); -1 keeps a size. The gradient is
    /// summed back to this shape by the engine.
    /// </summary>
    [Differentiable]
    public Tensor Expand(params int[] sizes) => MakeView(_layout.Expand(sizes), "Expand", g => [g]);

    /// <summary>torch.Tensor.expand_as.</summary>
    public Tensor ExpandAs(Tensor other) => Expand(other.Shape.ToArray());

    /// <summary>torch.broadcast_to(shape).</summary>
    public Tensor BroadcastTo(Shape shape) => Expand(shape.ToArray());

    /// <summary>torch.narrow(dim, start, length): a view of length elements from start.</summary>
    [Differentiable]
    public Tensor Narrow(int dim, int start, int length) => SliceView(l => l.Narrow(dim, start, length), "Narrow");

    /// <summary>torch.select(dim, index): the slice at index, removing dim (a view).</summary>
    [Differentiable]
    public Tensor Select(int dim, int index) => SliceView(l => l.Select(dim, index), "Select");

    /// <summary>x[start:end:step] along dim, with Python slice clamping (a view).</summary>
    [Differentiable]
    public Tensor Slice(int dim, int start, int end, int step = 1) => SliceView(l => l.Slice(dim, start, end, step), "Slice");

    /// <summary>torch.Tensor.unfold(dim, size, step): sliding windows as a new last dim (a view; windows may overlap).</summary>
    [Differentiable]
    public Tensor Unfold(int dim, int size, int step) => SliceView(l => l.Unfold(dim, size, step), "Unfold");

    /// <summary>torch.diagonal(offset, dim1, dim2): the diagonal as a view (last dim).</summary>
    [Differentiable]
    public Tensor Diagonal(int offset = 0, int dim1 = 0, int dim2 = 1) => SliceView(l => l.Diagonal(offset, dim1, dim2), "Diagonal");

    /// <summary>
    /// torch.as_strided(size, stride, storageOffset): a view with explicit geometry over this tensor's storage
    /// (storageOffset defaults to this tensor's).
    /// </summary>
    /// <exception cref="ArgumentException">The geometry addresses elements beyond the storage.</exception>
    [Differentiable]
    public Tensor AsStrided(Shape size, int[] stride, int? storageOffset = null)
    {
        var l = new Layout(size, stride, storageOffset ?? _layout.Offset);
        if (l.Numel > 0 && l.RequiredStorageLength > _storage.Length)
            throw new ArgumentException($"AsStrided: setStorage: sizes {size}, strides [{string.Join(", ", stride)}], storage offset {l.Offset} require {l.RequiredStorageLength} elements but the storage has {_storage.Length}.");
        var input = _layout;
        var inShape = Shape;
        return MakeView(l, "AsStrided", g => [g.AsStridedBackwardOf(input, l, inShape)]);
    }

    // Gradient of AsStrided: map each viewed storage position back to the input element holding it.
    private Tensor AsStridedBackwardOf(Layout input, Layout view, Shape inShape)
    {
        var map = new Dictionary<int, long>();
        for (int i = 0; i < input.Numel; i++) map.TryAdd(input.StorageIndexOfLinear(i), i);
        var idx = new long[view.Numel];
        for (int i = 0; i < idx.Length; i++)
        {
            int p = view.StorageIndexOfLinear(i);
            idx[i] = map.TryGetValue(p, out long j) ? j
                : throw new InvalidOperationException($"AsStrided backward: view position {p} is outside the input tensor's elements.");
        }
        return Zeros([inShape.Numel], DType).IndexAdd(0, FromArray(idx), Reshape(-1)).View(inShape.ToArray());
    }

    /// <summary>
    /// Differentiable scatter used by slicing views' backward: zeros of <paramref name="shape"/> with this tensor
    /// added at the positions <paramref name="geometry"/> addresses in a contiguous tensor of that shape.
    /// </summary>
    [Differentiable]
    internal Tensor ScatterToShape(Shape shape, Layout geometry)
    {
        Tensor result;
        using (Autograd.NoGrad())
        {
            if (geometry.IsNonOverlapping)
            {
                result = Zeros(shape, DType);
                Backend.Copy(Buffer, _layout, result.Buffer, geometry);
            }
            else
            {
                // Overlapping windows (e.g. Unfold with step < size): accumulate.
                var flat = Zeros([shape.Numel], DType).IndexAdd(0, FromLayoutPositions(geometry).Reshape(-1), Reshape(-1));
                result = new Tensor(flat.Storage, Layout.Contiguous(shape, flat.StorageOffset));
            }
        }
        return Autograd.Record(result, "ScatterToShape", [this], g => [g.Contiguous().ViewWithGeometry(geometry)]);
    }

    // A view of a contiguous tensor with a geometry relative to its first element (differentiable through AsStrided).
    private Tensor ViewWithGeometry(Layout geometry) =>
        AsStrided(geometry.Shape, geometry.Strides.ToArray(), _layout.Offset + geometry.Offset);

    /// <summary>torch.Tensor.contiguous(): this tensor when already contiguous, else a row-major copy.</summary>
    public Tensor Contiguous() => IsContiguous ? this : Clone();

    /// <summary>torch.clone(): a contiguous copy with its own storage (differentiable).</summary>
    [Differentiable]
    public Tensor Clone()
    {
        var r = Uninitialized(Shape, DType);
        Backend.Copy(Buffer, _layout, r.Buffer, r._layout);
        return Autograd.Record(r, "Clone", [this], g => [g]);
    }

    /// <summary>torch.split(splitSize, dim): chunks of splitSize (the last may be smaller), as views.</summary>
    public Tensor[] Split(int splitSize, int dim = 0)
    {
        dim = Shape.NormalizeDim(dim, "Split");
        if (splitSize <= 0 && Shape[dim] > 0) throw new ArgumentException($"Split: splitSize must be positive, got {splitSize}.");
        int n = Shape[dim];
        int count = n == 0 ? 1 : (n + splitSize - 1) / splitSize;
        var r = new Tensor[count];
        for (int i = 0; i < count; i++) r[i] = Narrow(dim, i * splitSize, Math.Min(splitSize, n - i * splitSize));
        return r;
    }

    /// <summary>torch.split(sizes, dim): chunks of the given sizes, which must sum to the dim's size.</summary>
    public Tensor[] Split(int[] sizes, int dim = 0)
    {
        dim = Shape.NormalizeDim(dim, "Split");
        if (sizes.Sum() != Shape[dim])
            throw new ArgumentException($"Split: split sizes [{string.Join(", ", sizes)}] sum to {sizes.Sum()}, expected the size of dimension {dim} ({Shape[dim]}).");
        var r = new Tensor[sizes.Length];
        int start = 0;
        for (int i = 0; i < sizes.Length; i++) { r[i] = Narrow(dim, start, sizes[i]); start += sizes[i]; }
        return r;
    }

    /// <summary>torch.chunk(chunks, dim): ceil(n / chunks)-sized pieces (possibly fewer than chunks).</summary>
    public Tensor[] Chunk(int chunks, int dim = 0)
    {
        if (chunks <= 0) throw new ArgumentException($"Chunk: chunks must be positive, got {chunks}.");
        dim = Shape.NormalizeDim(dim, "Chunk");
        int size = (Shape[dim] + chunks - 1) / chunks;
        return Split(Math.Max(size, 1), dim);
    }

    /// <summary>torch.unbind(dim): the slices along dim, as views.</summary>
    public Tensor[] Unbind(int dim = 0)
    {
        dim = Shape.NormalizeDim(dim, "Unbind");
        var r = new Tensor[Shape[dim]];
        for (int i = 0; i < r.Length; i++) r[i] = Select(dim, i);
        return r;
    }
}

/// <summary>Marks a public op as differentiable: the op table must have a row for it (a test enforces it).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DifferentiableAttribute : Attribute
{
}

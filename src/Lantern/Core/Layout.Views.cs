namespace Lantern;

// View arithmetic: each method returns the layout PyTorch gives for the same call (sizes, strides, offset).
public readonly partial struct Layout
{
    /// <summary>torch.Tensor.transpose(d0, d1): swaps two dimensions.</summary>
    public Layout Transpose(int dim0, int dim1)
    {
        if (Rank == 0)
        {
            Shape.NormalizeDim(dim0, "Transpose");
            Shape.NormalizeDim(dim1, "Transpose");
            return this;
        }
        dim0 = Shape.NormalizeDim(dim0, "Transpose");
        dim1 = Shape.NormalizeDim(dim1, "Transpose");
        var sizes = Shape.ToArray();
        var strides = Strides.ToArray();
        (sizes[dim0], sizes[dim1]) = (sizes[dim1], sizes[dim0]);
        (strides[dim0], strides[dim1]) = (strides[dim1], strides[dim0]);
        return Create(Shape.Wrap(sizes), strides, Offset);
    }

    /// <summary>torch.Tensor.permute(dims): dims must be a permutation of 0..rank-1 (negatives allowed).</summary>
    /// <exception cref="ArgumentException">Wrong count or a repeated dimension.</exception>
    public Layout Permute(ReadOnlySpan<int> dims)
    {
        if (dims.Length != Rank)
            throw new ArgumentException($"Permute: number of dims ({dims.Length}) does not match the tensor rank {Rank} (shape {Shape}).");
        var sizes = new int[Rank];
        var strides = new int[Rank];
        Span<bool> seen = stackalloc bool[Rank];
        for (int i = 0; i < dims.Length; i++)
        {
            int d = Shape.NormalizeDim(dims[i], "Permute");
            if (seen[d]) throw new ArgumentException($"Permute: dimension {d} repeats in [{string.Join(", ", dims.ToArray())}].");
            seen[d] = true;
            sizes[i] = Shape.Dims[d];
            strides[i] = Strides[d];
        }
        return Create(Shape.Wrap(sizes), strides, Offset);
    }

    /// <summary>torch.Tensor.narrow(dim, start, length): start may be negative (counts from the end).</summary>
    /// <exception cref="ArgumentOutOfRangeException">start or start + length outside the dimension.</exception>
    public Layout Narrow(int dim, int start, int length)
    {
        if (Rank == 0) throw new ArgumentException("Narrow: cannot be applied to a 0-dim tensor.");
        dim = Shape.NormalizeDim(dim, "Narrow");
        int size = Shape.Dims[dim];
        if (start < -size || start > size)
            throw new ArgumentOutOfRangeException(nameof(start), start, $"Narrow: start {start} out of range for dimension {dim} of size {size} (shape {Shape}).");
        if (start < 0) start += size;
        if (length < 0 || start + length > size)
            throw new ArgumentOutOfRangeException(nameof(length), length, $"Narrow: start ({start}) + length ({length}) exceeds dimension {dim} of size {size} (shape {Shape}).");
        var sizes = Shape.ToArray();
        sizes[dim] = length;
        return Create(Shape.Wrap(sizes), Strides.ToArray(), Offset + start * Strides[dim]);
    }

    /// <summary>torch.Tensor.select(dim, index): removes dimension dim; index may be negative.</summary>
    /// <exception cref="ArgumentOutOfRangeException">index outside the dimension.</exception>
    public Layout Select(int dim, int index)
    {
        if (Rank == 0) throw new ArgumentException("Select: cannot be applied to a 0-dim tensor.");
        dim = Shape.NormalizeDim(dim, "Select");
        int size = Shape.Dims[dim];
        if (index < -size || index >= size)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Select: index {index} out of range for tensor of size {Shape} at dimension {dim}.");
        if (index < 0) index += size;
        return Create(Shape.Wrap(Remove(Shape.Dims, dim)), Remove(Strides, dim), Offset + index * Strides[dim]);
    }

    /// <summary>
    /// Python-style slice x[start:end:step] along dim: start/end may be negative and are clamped to [0, size]
    /// exactly as PyTorch/Python slicing does; step must be positive.
    /// </summary>
    /// <exception cref="ArgumentException">step &lt;= 0.</exception>
    public Layout Slice(int dim, int start, int end, int step = 1)
    {
        if (Rank == 0) throw new ArgumentException("Slice: cannot be applied to a 0-dim tensor.");
        dim = Shape.NormalizeDim(dim, "Slice");
        if (step <= 0) throw new ArgumentException($"Slice: step must be positive, got {step}.");
        int size = Shape.Dims[dim];
        if (start < 0) start += size;
        if (end < 0) end += size;
        start = Math.Clamp(start, 0, size);
        end = Math.Clamp(end, start, size);
        int len = (end - start + step - 1) / step;
        var sizes = Shape.ToArray();
        var strides = Strides.ToArray();
        sizes[dim] = len;
        strides[dim] = Strides[dim] * step;
        return Create(Shape.Wrap(sizes), strides, Offset + start * Strides[dim]);
    }

    /// <summary>torch.Tensor.unsqueeze(dim): inserts a size-1 dimension; dim in [-rank-1, rank].</summary>
    public Layout Unsqueeze(int dim)
    {
        int rank = Rank;
        if (dim < -rank - 1 || dim > rank)
            throw new ArgumentOutOfRangeException(nameof(dim), dim, $"Unsqueeze: dimension out of range (expected to be in range of [{-rank - 1}, {rank}], but got {dim}).");
        if (dim < 0) dim += rank + 1;
        int stride = dim >= rank ? 1 : Shape.Dims[dim] * Strides[dim];
        return Create(Shape.Wrap(Insert(Shape.Dims, dim, 1)), Insert(Strides, dim, stride), Offset);
    }

    /// <summary>torch.Tensor.squeeze(): removes every size-1 dimension.</summary>
    public Layout Squeeze()
    {
        var sizes = new List<int>();
        var strides = new List<int>();
        for (int d = 0; d < Rank; d++)
            if (Shape.Dims[d] != 1) { sizes.Add(Shape.Dims[d]); strides.Add(Strides[d]); }
        return Create(Shape.Wrap(sizes.ToArray()), strides.ToArray(), Offset);
    }

    /// <summary>torch.Tensor.squeeze(dim): removes dim if its size is 1, else returns the same layout.</summary>
    public Layout Squeeze(int dim)
    {
        if (Rank == 0) { Shape.NormalizeDim(dim, "Squeeze"); return this; }
        dim = Shape.NormalizeDim(dim, "Squeeze");
        if (Shape.Dims[dim] != 1) return this;
        return Create(Shape.Wrap(Remove(Shape.Dims, dim)), Remove(Strides, dim), Offset);
    }

    /// <summary>
    /// torch.Tensor.expand(sizes): size-1 dims (and new leading dims) become stride 0; -1 keeps a size.
    /// A new leading dim of target size 1 gets stride size*stride of the next dim, as PyTorch.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer target dims than the rank, or a non-singleton size that differs.</exception>
    public Layout Expand(ReadOnlySpan<int> sizes)
    {
        int ndim = sizes.Length, tdim = Rank;
        if (ndim < tdim)
            throw new ArgumentException($"Expand: the number of sizes provided ({ndim}) must be greater or equal to the number of dimensions in the tensor ({tdim}); tensor shape {Shape}.");
        var outSizes = new int[ndim];
        var outStrides = new int[ndim];
        for (int i = ndim - 1; i >= 0; i--)
        {
            int offset = ndim - 1 - i;
            int dim = tdim - 1 - offset;
            int size = dim >= 0 ? Shape.Dims[dim] : 1;
            int stride = dim >= 0 ? Strides[dim] : (i + 1 < ndim ? outSizes[i + 1] * outStrides[i + 1] : 1);
            int target = sizes[i];
            if (target == -1)
            {
                if (dim < 0)
                    throw new ArgumentException($"Expand: -1 is not allowed in a leading, non-existing dimension {i} (target sizes [{string.Join(", ", sizes.ToArray())}], tensor shape {Shape}).");
                target = size;
            }
            if (target < 0) throw new ArgumentException($"Expand: negative size {target} in target sizes [{string.Join(", ", sizes.ToArray())}].");
            if (size != target)
            {
                if (size != 1)
                    throw new ArgumentException($"Expand: the expanded size of the tensor ({target}) must match the existing size ({size}) at non-singleton dimension {i}. Target sizes: [{string.Join(", ", sizes.ToArray())}]. Tensor sizes: {Shape}.");
                size = target;
                stride = 0;
            }
            outSizes[i] = size;
            outStrides[i] = stride;
        }
        return Create(Shape.Wrap(outSizes), outStrides, Offset);
    }

    /// <summary>
    /// torch.Tensor.view(sizes): a layout with the new shape over the same elements, or null when the strides
    /// make that impossible without a copy (PyTorch's computeStride). One size may be -1 (inferred).
    /// </summary>
    /// <exception cref="ArgumentException">The sizes do not match the element count.</exception>
    public Layout? TryView(ReadOnlySpan<int> sizes, string op = "View")
    {
        var newShape = InferSize(sizes, Numel, op);
        var newStrides = ComputeViewStrides(Shape.Dims, Strides, newShape.Dims);
        return newStrides is null ? null : Create(newShape, newStrides, Offset);
    }

    /// <summary>Resolves one -1 in <paramref name="sizes"/> so the product equals <paramref name="numel"/> (PyTorch's infer_size).</summary>
    public static Shape InferSize(ReadOnlySpan<int> sizes, int numel, string op)
    {
        long product = 1;
        int infer = -1;
        for (int i = 0; i < sizes.Length; i++)
        {
            if (sizes[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException($"{op}: only one dimension can be inferred (shape [{string.Join(", ", sizes.ToArray())}]).");
                infer = i;
            }
            else if (sizes[i] < 0)
                throw new ArgumentException($"{op}: invalid shape dimension {sizes[i]} in [{string.Join(", ", sizes.ToArray())}].");
            else product *= sizes[i];
        }
        var result = sizes.ToArray();
        if (infer >= 0)
        {
            if (product == 0 || numel % product != 0)
                throw new ArgumentException($"{op}: shape '[{string.Join(", ", sizes.ToArray())}]' is invalid for input of size {numel}.");
            result[infer] = (int)(numel / product);
        }
        else if (product != numel)
            throw new ArgumentException($"{op}: shape '[{string.Join(", ", sizes.ToArray())}]' is invalid for input of size {numel}.");
        return Shape.Wrap(result);
    }

    // PyTorch's at::detail::computeStride (TensorUtils.cpp), in the same steps.
    private static int[]? ComputeViewStrides(ReadOnlySpan<int> oldShape, ReadOnlySpan<int> oldStride, ReadOnlySpan<int> newShape)
    {
        if (oldShape.Length == 0)
        {
            var ones = new int[newShape.Length];
            Array.Fill(ones, 1);
            return ones;
        }
        long numel = 1;
        foreach (int s in oldShape) numel *= s;
        if (numel == 0 && oldShape.SequenceEqual(newShape)) return oldStride.ToArray();
        var newStride = new int[newShape.Length];
        if (numel == 0)
        {
            for (int d = newShape.Length - 1; d >= 0; d--)
                newStride[d] = d == newShape.Length - 1 ? 1 : Math.Max(newShape[d + 1], 1) * newStride[d + 1];
            return newStride;
        }
        int viewD = newShape.Length - 1;
        long chunkBaseStride = oldStride[^1];
        long tensorNumel = 1, viewNumel = 1;
        for (int td = oldShape.Length - 1; td >= 0; td--)
        {
            tensorNumel *= oldShape[td];
            if (td == 0 || (oldShape[td - 1] != 1 && oldStride[td - 1] != tensorNumel * chunkBaseStride))
            {
                while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1))
                {
                    newStride[viewD] = (int)(viewNumel * chunkBaseStride);
                    viewNumel *= newShape[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) return null;
                if (td > 0)
                {
                    chunkBaseStride = oldStride[td - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        return viewD != -1 ? null : newStride;
    }

    /// <summary>
    /// torch.Tensor.unfold(dim, size, step): dim becomes (n - size) / step + 1 windows with stride*step, and a new
    /// last dimension of length size with the original stride. A 0-dim tensor is treated as size 1.
    /// </summary>
    public Layout Unfold(int dim, int size, int step)
    {
        if (step <= 0) throw new ArgumentException($"Unfold: step must be positive, got {step}.");
        if (Rank == 0)
        {
            if (size > 1) throw new ArgumentException($"Unfold: maximum size for tensor at dimension 0 is 1 but size is {size}.");
            return Create(Shape.Wrap([size]), [1], Offset);
        }
        dim = Shape.NormalizeDim(dim, "Unfold");
        int n = Shape.Dims[dim];
        if (size < 0 || size > n)
            throw new ArgumentException($"Unfold: maximum size for tensor at dimension {dim} is {n} but size is {size}.");
        var sizes = Insert(Shape.Dims, Rank, size);
        var strides = Insert(Strides, Rank, Strides[dim]);
        sizes[dim] = (n - size) / step + 1;
        strides[dim] = Strides[dim] * step;
        return Create(Shape.Wrap(sizes), strides, Offset);
    }

    /// <summary>A diagonal view of a 2-D layout (offset k above (k &gt; 0) or below the main diagonal).</summary>
    public Layout Diagonal(int offset, int dim1, int dim2)
    {
        dim1 = Shape.NormalizeDim(dim1, "Diagonal");
        dim2 = Shape.NormalizeDim(dim2, "Diagonal");
        if (dim1 == dim2) throw new ArgumentException($"Diagonal: dimensions cannot be identical ({dim1}, {dim2}).");
        int s1 = Shape.Dims[dim1], s2 = Shape.Dims[dim2];
        int len, start = Offset;
        if (offset >= 0) { len = Math.Max(Math.Min(s1, s2 - offset), 0); if (len > 0) start += offset * Strides[dim2]; }
        else { len = Math.Max(Math.Min(s1 + offset, s2), 0); if (len > 0) start -= offset * Strides[dim1]; }
        var sizes = new List<int>();
        var strides = new List<int>();
        for (int d = 0; d < Rank; d++)
            if (d != dim1 && d != dim2) { sizes.Add(Shape.Dims[d]); strides.Add(Strides[d]); }
        sizes.Add(len);
        strides.Add(Strides[dim1] + Strides[dim2]);
        return Create(Shape.Wrap(sizes.ToArray()), strides.ToArray(), start);
    }

    internal static int[] Remove(ReadOnlySpan<int> a, int at)
    {
        var r = new int[a.Length - 1];
        a[..at].CopyTo(r);
        a[(at + 1)..].CopyTo(r.AsSpan(at));
        return r;
    }

    internal static int[] Insert(ReadOnlySpan<int> a, int at, int value)
    {
        var r = new int[a.Length + 1];
        a[..at].CopyTo(r);
        r[at] = value;
        a[at..].CopyTo(r.AsSpan(at + 1));
        return r;
    }
}

namespace Lantern;

// Joining: Cat and Stack.
public sealed partial class Tensor
{
    /// <summary>
    /// torch.cat(tensors, dim): concatenates along dim; all tensors have the same shape except at dim
    /// (1-D empty tensors are skipped, as PyTorch); dtypes are promoted.
    /// </summary>
    /// <exception cref="ArgumentException">Empty list, rank or size mismatch (the message names the tensor and both shapes).</exception>
    [Differentiable]
    public static Tensor Cat(Tensor[] tensors, int dim = 0)
    {
        if (tensors.Length == 0) throw new ArgumentException("Cat: expected a non-empty list of Tensors.");
        var parts = tensors.Where(t => !(t.Rank == 1 && t.Numel() == 0)).ToArray();
        if (parts.Length == 0) return tensors[0].Clone();
        var first = parts[0];
        if (first.Rank == 0) throw new ArgumentException("Cat: zero-dimensional tensor (at position 0) cannot be concatenated.");
        int d = first.Shape.NormalizeDim(dim, "Cat");
        var dt = ResultType(parts);
        int total = 0;
        for (int i = 0; i < parts.Length; i++)
        {
            var t = parts[i];
            if (t.Rank != first.Rank)
                throw new ArgumentException($"Cat: tensors must have the same number of dimensions: got {first.Rank} (shape {first.Shape}) and {t.Rank} (shape {t.Shape}) for tensor {i}.");
            for (int k = 0; k < t.Rank; k++)
                if (k != d && t.Shape[k] != first.Shape[k])
                    throw new ArgumentException($"Cat: sizes of tensors must match except in dimension {d}. Expected size {first.Shape[k]} but got size {t.Shape[k]} for tensor number {i} in the list (shapes {first.Shape} and {t.Shape}).");
            total += t.Shape[d];
        }
        var outDims = first.Shape.ToArray();
        outDims[d] = total;
        var y = Uninitialized(outDims, dt);
        int offset = 0;
        var lengths = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            var t = parts[i];
            lengths[i] = t.Shape[d];
            y.Backend.Copy(t.Buffer, t._layout, y.Buffer, y._layout.Narrow(d, offset, lengths[i]));
            offset += lengths[i];
        }
        return Autograd.Record(y, "Cat", parts, g =>
        {
            var grads = new Tensor?[parts.Length];
            int o = 0;
            for (int i = 0; i < parts.Length; i++) { grads[i] = g.Narrow(d, o, lengths[i]); o += lengths[i]; }
            return grads;
        });
    }

    /// <summary>torch.stack(tensors, dim): joins equal-shaped tensors along a new dim.</summary>
    /// <exception cref="ArgumentException">Empty list or differing shapes.</exception>
    public static Tensor Stack(Tensor[] tensors, int dim = 0)
    {
        if (tensors.Length == 0) throw new ArgumentException("Stack: expected a non-empty list of Tensors.");
        for (int i = 1; i < tensors.Length; i++)
            if (tensors[i].Shape != tensors[0].Shape)
                throw new ArgumentException($"Stack: stack expects each tensor to be equal size, but got {tensors[0].Shape} at entry 0 and {tensors[i].Shape} at entry {i}.");
        int rank = tensors[0].Rank;
        if (dim < -rank - 1 || dim > rank)
            throw new ArgumentOutOfRangeException(nameof(dim), dim, $"Stack: dimension out of range (expected to be in range of [{-rank - 1}, {rank}], but got {dim}).");
        return Cat(tensors.Select(t => t.Unsqueeze(dim)).ToArray(), dim < 0 ? dim + rank + 1 : dim);
    }
}

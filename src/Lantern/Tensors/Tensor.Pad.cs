namespace Lantern;

/// <summary>Padding modes of <see cref="Tensor.Pad"/> (torch.nn.functional.pad).</summary>
public enum PadMode
{
    /// <summary>Fill with a constant value.</summary>
    Constant,
    /// <summary>Mirror without repeating the edge: [1,2,3] padded by 2 -> [3,2,1,2,3,2,1].</summary>
    Reflect,
    /// <summary>Repeat the edge value.</summary>
    Replicate,
    /// <summary>Wrap around.</summary>
    Circular,
}

// Padding: a composite of Cat (constant) or IndexSelect (reflect, replicate, circular), so gradients come free.
public sealed partial class Tensor
{
    /// <summary>
    /// torch.nn.functional.pad(input, pad, mode, value): <paramref name="pad"/> lists (before, after) pairs
    /// starting from the last dimension; negative amounts crop.
    /// </summary>
    /// <exception cref="ArgumentException">Odd pad length, more pairs than dims, or a reflect/circular pad too large for the dim.</exception>
    public Tensor Pad(int[] pad, PadMode mode = PadMode.Constant, double value = 0)
    {
        if (pad.Length % 2 != 0) throw new ArgumentException($"Pad: padding length must be divisible by 2, got {pad.Length}.");
        if (pad.Length / 2 > Rank) throw new ArgumentException($"Pad: padding length {pad.Length} is too large for a tensor of rank {Rank} (shape {Shape}).");
        var t = this;
        for (int i = 0; i < pad.Length / 2; i++)
        {
            int d = Rank - 1 - i;
            t = t.PadDim(d, pad[2 * i], pad[2 * i + 1], mode, value);
        }
        return t;
    }

    private Tensor PadDim(int d, int before, int after, PadMode mode, double value)
    {
        var t = this;
        int n = Shape[d];
        if (before < 0) { t = t.Narrow(d, -before, n + before); n += before; before = 0; }
        if (after < 0) { t = t.Narrow(d, 0, n + after); n += after; after = 0; }
        if (n < 0) throw new ArgumentException($"Pad: negative padding crops dimension {d} of {Shape} below zero.");
        if (before == 0 && after == 0) return t;
        if (mode == PadMode.Constant)
        {
            var parts = new List<Tensor>();
            var side = t.Shape.ToArray();
            if (before > 0) { side[d] = before; parts.Add(Full(side, value, t.DType)); }
            parts.Add(t);
            if (after > 0) { side[d] = after; parts.Add(Full(side, value, t.DType)); }
            return Cat(parts.ToArray(), d);
        }
        if (mode == PadMode.Reflect && (before >= n || after >= n))
            throw new ArgumentException($"Pad: padding size should be less than the corresponding input dimension, but got: padding ({before}, {after}) at dimension {d} of input {Shape}.");
        if (mode == PadMode.Circular && (before > n || after > n))
            throw new ArgumentException($"Pad: padding value causes wrapping around more than once (padding ({before}, {after}) at dimension {d} of size {n}).");
        if (n == 0) throw new ArgumentException($"Pad: {mode} padding of an empty dimension {d} (shape {Shape}).");
        var idx = new long[n + before + after];
        for (int j = 0; j < idx.Length; j++)
        {
            int i = j - before;
            idx[j] = mode switch
            {
                PadMode.Reflect => i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i,
                PadMode.Replicate => Math.Clamp(i, 0, n - 1),
                _ => ((i % n) + n) % n,
            };
        }
        return t.IndexSelect(d, FromArray(idx));
    }
}

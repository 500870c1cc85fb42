namespace Lantern.NN;

// Channel-wise dropout and alpha dropout. Masks come from a Generator (keep where U >= p), as F.Dropout.
public static partial class F
{
    /// <summary>AlphaDropout's alpha' = -SELU scale * SELU alpha (PyTorch's constant 1.7580993408473766, sign folded in).</summary>
    private const double AlphaDropoutAlpha = 1.7580993408473766;

    private static void CheckP(double p, string op)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentException($"{op}: dropout probability has to be between 0 and 1, but got {p}.");
    }

    /// <summary>
    /// torch.nn.functional.dropout2d: in training, zeroes whole channels — each (n, c) plane of x [N, C, H, W] (or
    /// each c of an unbatched [C, H, W]) independently with probability p — and scales the kept ones by
    /// 1 / (1 - p); identity otherwise. One uniform draw per channel from <paramref name="generator"/>
    /// (default: the global one), in (n, c) row-major order; a channel is kept when it is &gt;= p.
    /// </summary>
    /// <exception cref="ArgumentException">p outside [0, 1], or an input that is not 3-D or 4-D.</exception>
    public static Tensor Dropout2d(Tensor input, double p = 0.5, bool training = true, Generator? generator = null)
    {
        CheckP(p, "Dropout2d");
        if (input.Rank is not (3 or 4))
            throw new ArgumentException($"Dropout2d: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape {input.Shape}.");
        if (!training || p == 0) return input;
        if (p == 1) return input.Mul(0);
        var maskShape = input.Shape.ToArray();
        for (int d = input.Rank - 2; d < input.Rank; d++) maskShape[d] = 1;
        Tensor mask;
        var dtype = input.DType.IsFloatingPoint() ? input.DType : DType.Float32;
        using (Autograd.NoGrad())
            mask = Tensor.Rand(maskShape, dtype, generator: generator).Ge(p).To(dtype).Mul(1 / (1 - p));
        return input.Mul(mask);
    }

    /// <summary>
    /// torch.nn.functional.alpha_dropout (note PyTorch's default training = false): keeps the self-normalising
    /// mean and variance of SELU activations. Each element is kept with probability 1 - p (U &gt;= p from
    /// <paramref name="generator"/>); with alpha' = 1.7580993408473766 and a = 1 / sqrt((alpha'^2 p + 1)(1 - p)),
    /// kept elements become a x + alpha' a p and dropped ones alpha' a (p - 1). p = 1 gives zeros, as PyTorch.
    /// </summary>
    /// <exception cref="ArgumentException">p outside [0, 1].</exception>
    public static Tensor AlphaDropout(Tensor input, double p = 0.5, bool training = false, Generator? generator = null)
    {
        CheckP(p, "AlphaDropout");
        if (!training || p == 0 || input.Numel() == 0) return input;
        if (p == 1) return input.Mul(0);
        double a = 1 / Math.Sqrt((AlphaDropoutAlpha * AlphaDropoutAlpha * p + 1) * (1 - p));
        var dtype = input.DType.IsFloatingPoint() ? input.DType : DType.Float32;
        Tensor keep, shift;
        using (Autograd.NoGrad())
        {
            var kept = Tensor.Rand(input.Shape, dtype, generator: generator).Ge(p).To(dtype);
            keep = kept.Mul(a);
            shift = kept.Sub(1).Mul(AlphaDropoutAlpha * a).Add(AlphaDropoutAlpha * a * p);
        }
        return input.Mul(keep).Add(shift);
    }
}

namespace Lantern.NN;

// Core activations, dropout and layer norm that other layers build on.
public static partial class F
{
    private const double InvSqrt2 = 0.70710678118654752440;
    private const double InvSqrt2Pi = 0.39894228040143267794;

    /// <summary>torch.nn.functional.relu: max(x, 0).</summary>
    public static Tensor Relu(Tensor input) => input.Relu();

    /// <summary>
    /// torch.nn.functional.gelu(x, approximate): "none" (default) x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)), with
    /// backward Phi(x) + x phi(x); "tanh" 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
    /// </summary>
    /// <exception cref="ArgumentException">approximate is neither "none" nor "tanh".</exception>
    [Differentiable]
    public static Tensor Gelu(Tensor input, string approximate = "none")
    {
        var x = input.AsFloating();
        if (approximate == "tanh")
        {
            const double k = 0.7978845608028654; // sqrt(2/pi)
            var inner = x.Add(x.Pow(3).Mul(0.044715)).Mul(k);
            return x.Mul(0.5).Mul(inner.Tanh().Add(1));
        }
        if (approximate != "none")
            throw new ArgumentException($"Gelu: approximate must be 'none' or 'tanh', got '{approximate}'.");
        Tensor y;
        using (Autograd.NoGrad()) y = x.Mul(x.Mul(InvSqrt2).Erf().Add(1)).Mul(0.5);
        return Autograd.Record(y, "Gelu", [x], g =>
        {
            var cdf = x.Mul(InvSqrt2).Erf().Add(1).Mul(0.5);
            var pdf = x.Mul(x).Mul(-0.5).Exp().Mul(InvSqrt2Pi);
            return [g.Mul(cdf.Add(x.Mul(pdf)))];
        }, x);
    }

    /// <summary>
    /// torch.nn.functional.dropout: in training, zeroes each element with probability p and scales the rest by
    /// 1 / (1 - p); identity otherwise. The mask comes from <paramref name="generator"/> (default: the global one).
    /// </summary>
    /// <exception cref="ArgumentException">p outside [0, 1].</exception>
    public static Tensor Dropout(Tensor input, double p = 0.5, bool training = true, Generator? generator = null)
    {
        if (p < 0 || p > 1) throw new ArgumentException($"Dropout: dropout probability has to be between 0 and 1, but got {p}.");
        if (!training || p == 0) return input;
        if (p == 1) return input.Mul(0);
        Tensor mask;
        using (Autograd.NoGrad())
            mask = Tensor.Rand(input.Shape, input.DType.IsFloatingPoint() ? input.DType : DType.Float32, generator: generator).Ge(p).To(input.DType).Mul(1 / (1 - p));
        return input.Mul(mask);
    }

    /// <summary>
    /// torch.nn.functional.layer_norm: (x - mean) / sqrt(var + eps) * weight + bias over the trailing dims given by
    /// <paramref name="normalizedShape"/> (biased variance). weight and bias have that shape or are null.
    /// </summary>
    /// <exception cref="ArgumentException">The trailing dims differ from normalizedShape, or weight/bias shapes differ.</exception>
    public static Tensor LayerNorm(Tensor input, int[] normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        int k = normalizedShape.Length;
        if (k == 0 || input.Rank < k || !input.Shape.Raw[^k..].AsSpan().SequenceEqual(normalizedShape))
            throw new ArgumentException($"LayerNorm: given normalized_shape=[{string.Join(", ", normalizedShape)}], expected input with shape [*, {string.Join(", ", normalizedShape)}], but got input of size {input.Shape}.");
        if (weight is not null && !weight.Shape.Raw.AsSpan().SequenceEqual(normalizedShape))
            throw new ArgumentException($"LayerNorm: weight shape {weight.Shape} differs from normalized_shape [{string.Join(", ", normalizedShape)}].");
        if (bias is not null && !bias.Shape.Raw.AsSpan().SequenceEqual(normalizedShape))
            throw new ArgumentException($"LayerNorm: bias shape {bias.Shape} differs from normalized_shape [{string.Join(", ", normalizedShape)}].");
        var dims = Enumerable.Range(input.Rank - k, k).ToArray();
        var mean = input.Mean(dims, keepDim: true);
        var centered = input.Sub(mean);
        var variance = centered.Mul(centered).Mean(dims, keepDim: true);
        var y = centered.Mul(variance.Add(eps).Rsqrt());
        if (weight is not null) y = y.Mul(weight);
        if (bias is not null) y = y.Add(bias);
        return y;
    }
}

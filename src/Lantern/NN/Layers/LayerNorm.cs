namespace Lantern.NN;

/// <summary>
/// torch.nn.LayerNorm: normalises the trailing <c>normalizedShape</c> dims of each sample, then an optional
/// elementwise affine (weight ones, bias zeros at init).
/// </summary>
public sealed class LayerNorm : Module<Tensor, Tensor>
{
    /// <summary>A layer norm over trailing dims of the given shape.</summary>
    public LayerNorm(int[] normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, bool bias = true, DType dtype = DType.Float32)
    {
        if (normalizedShape.Length == 0 || normalizedShape.Any(d => d <= 0))
            throw new ArgumentException($"LayerNorm: normalized_shape must be non-empty with positive sizes, got [{string.Join(", ", normalizedShape)}].");
        NormalizedShape = (int[])normalizedShape.Clone();
        Eps = eps;
        ElementwiseAffine = elementwiseAffine;
        RegisterParameter("weight", elementwiseAffine ? Tensor.Ones(NormalizedShape, dtype) : null);
        RegisterParameter("bias", elementwiseAffine && bias ? Tensor.Zeros(NormalizedShape, dtype) : null);
    }

    /// <summary>A layer norm over the last dim of size <paramref name="normalizedShape"/>.</summary>
    public LayerNorm(int normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, bool bias = true, DType dtype = DType.Float32)
        : this([normalizedShape], eps, elementwiseAffine, bias, dtype) { }

    /// <summary>The normalised trailing shape.</summary>
    public int[] NormalizedShape { get; }

    /// <summary>Added to the variance.</summary>
    public double Eps { get; }

    /// <summary>Whether weight (and bias) exist.</summary>
    public bool ElementwiseAffine { get; }

    /// <summary>Scale (normalizedShape) or null.</summary>
    public Tensor? Weight => GetParameter("weight");

    /// <summary>Shift (normalizedShape) or null.</summary>
    public Tensor? Bias => GetParameter("bias");

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.LayerNorm(input, NormalizedShape, Weight, Bias, Eps);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"{Py(NormalizedShape)}, eps={Py(Eps)}, elementwise_affine={Py(ElementwiseAffine)}";
}

/// <summary>torch.nn.Dropout: <see cref="F.Dropout"/> in training mode, identity in eval mode.</summary>
public sealed class Dropout : Module<Tensor, Tensor>
{
    private readonly Generator? _generator;

    /// <summary>Dropout with probability p.</summary>
    /// <exception cref="ArgumentException">p outside [0, 1].</exception>
    public Dropout(double p = 0.5, Generator? generator = null)
    {
        if (p < 0 || p > 1) throw new ArgumentException($"Dropout: dropout probability has to be between 0 and 1, but got {p}.");
        P = p;
        _generator = generator;
    }

    /// <summary>Drop probability.</summary>
    public double P { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Dropout(input, P, Training, _generator);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"p={Py(P)}, inplace=False";
}

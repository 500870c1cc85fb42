namespace Lantern.NN;

/// <summary>
/// torch.nn.GroupNorm: the C channels of x [N, C, *] are cut into <see cref="NumGroups"/> groups; each
/// (sample, group) is normalised over its channels and spatial extent, then a per-channel affine (weight
/// ones, bias zeros) when <see cref="Affine"/>. No running statistics: train and eval agree.
/// </summary>
public sealed class GroupNorm : Module<Tensor, Tensor>
{
    /// <summary>Group norm with <paramref name="numGroups"/> groups over <paramref name="numChannels"/> channels.</summary>
    /// <exception cref="ArgumentException">Non-positive counts, or numChannels not divisible by numGroups.</exception>
    public GroupNorm(int numGroups, int numChannels, double eps = 1e-5, bool affine = true, DType dtype = DType.Float32)
    {
        if (numGroups <= 0 || numChannels <= 0)
            throw new ArgumentException($"GroupNorm: num_groups and num_channels must be positive, got num_groups={numGroups}, num_channels={numChannels}.");
        if (numChannels % numGroups != 0)
            throw new ArgumentException($"GroupNorm: num_channels must be divisible by num_groups (num_channels={numChannels}, num_groups={numGroups}).");
        NumGroups = numGroups;
        NumChannels = numChannels;
        Eps = eps;
        Affine = affine;
        RegisterParameter("weight", affine ? Tensor.Ones([numChannels], dtype) : null);
        RegisterParameter("bias", affine ? Tensor.Zeros([numChannels], dtype) : null);
    }

    /// <summary>Number of groups G.</summary>
    public int NumGroups { get; }

    /// <summary>Number of channels C.</summary>
    public int NumChannels { get; }

    /// <summary>Added to the variance.</summary>
    public double Eps { get; }

    /// <summary>Whether weight and bias exist.</summary>
    public bool Affine { get; }

    /// <summary>Scale [C] or null.</summary>
    public Tensor? Weight => GetParameter("weight");

    /// <summary>Shift [C] or null.</summary>
    public Tensor? Bias => GetParameter("bias");

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">Rank &lt; 2 or a channel count other than NumChannels.</exception>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank < 2 || input.Shape[1] != NumChannels)
            throw new ArgumentException($"GroupNorm: expected input [N, {NumChannels}, *], got shape {input.Shape}.");
        return F.GroupNorm(input, NumGroups, Weight, Bias, Eps);
    }

    /// <inheritdoc/>
    public override string ExtraRepr() => $"{NumGroups}, {NumChannels}, eps={Py(Eps)}, affine={Py(Affine)}";
}

/// <summary>torch.nn.LocalResponseNorm: <see cref="F.LocalResponseNorm"/> across channels (AlexNet's LRN).</summary>
public sealed class LocalResponseNorm : Module<Tensor, Tensor>
{
    /// <summary>LRN over <paramref name="size"/> neighbouring channels.</summary>
    /// <exception cref="ArgumentException">size &lt; 1.</exception>
    public LocalResponseNorm(int size, double alpha = 1e-4, double beta = 0.75, double k = 1)
    {
        if (size < 1) throw new ArgumentException($"LocalResponseNorm: size must be positive, got {size}.");
        Size = size;
        Alpha = alpha;
        Beta = beta;
        K = k;
    }

    /// <summary>Number of neighbouring channels summed.</summary>
    public int Size { get; }

    /// <summary>Multiplicative factor.</summary>
    public double Alpha { get; }

    /// <summary>Exponent.</summary>
    public double Beta { get; }

    /// <summary>Additive factor.</summary>
    public double K { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.LocalResponseNorm(input, Size, Alpha, Beta, K);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"{Size}, alpha={Py(Alpha)}, beta={Py(Beta)}, k={Py(K)}";
}

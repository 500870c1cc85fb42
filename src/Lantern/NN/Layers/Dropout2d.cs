namespace Lantern.NN;

/// <summary>torch.nn.Dropout2d: <see cref="F.Dropout2d"/> (whole channels) in training mode, identity in eval mode.</summary>
public sealed class Dropout2d : Module<Tensor, Tensor>
{
    private readonly Generator? _generator;

    /// <summary>Channel dropout with probability p.</summary>
    /// <exception cref="ArgumentException">p outside [0, 1].</exception>
    public Dropout2d(double p = 0.5, Generator? generator = null)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentException($"Dropout2d: dropout probability has to be between 0 and 1, but got {p}.");
        P = p;
        _generator = generator;
    }

    /// <summary>Drop probability per channel.</summary>
    public double P { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Dropout2d(input, P, Training, _generator);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"p={Py(P)}, inplace=False";
}

/// <summary>torch.nn.AlphaDropout: <see cref="F.AlphaDropout"/> in training mode (keeps SELU's mean and variance), identity in eval mode.</summary>
public sealed class AlphaDropout : Module<Tensor, Tensor>
{
    private readonly Generator? _generator;

    /// <summary>Alpha dropout with probability p.</summary>
    /// <exception cref="ArgumentException">p outside [0, 1].</exception>
    public AlphaDropout(double p = 0.5, Generator? generator = null)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentException($"AlphaDropout: dropout probability has to be between 0 and 1, but got {p}.");
        P = p;
        _generator = generator;
    }

    /// <summary>Drop probability.</summary>
    public double P { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.AlphaDropout(input, P, Training, _generator);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"p={Py(P)}, inplace=False";
}

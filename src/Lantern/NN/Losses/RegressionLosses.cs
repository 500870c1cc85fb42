namespace Lantern.NN;

/// <summary>torch.nn.MSELoss: <see cref="F.MseLoss"/>, (input - target)^2. Shapes must be equal (PyTorch only warns and broadcasts).</summary>
public sealed class MSELoss : TargetLoss
{
    /// <summary>A mean-squared-error loss.</summary>
    /// <exception cref="ArgumentException">Unknown reduction.</exception>
    public MSELoss(string reduction = "mean") : base(reduction) { }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => F.MseLoss(input, target, Reduction);
}

/// <summary>torch.nn.L1Loss: <see cref="F.L1Loss"/>, |input - target|. Shapes must be equal.</summary>
public sealed class L1Loss : TargetLoss
{
    /// <summary>A mean-absolute-error loss.</summary>
    /// <exception cref="ArgumentException">Unknown reduction.</exception>
    public L1Loss(string reduction = "mean") : base(reduction) { }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => F.L1Loss(input, target, Reduction);
}

/// <summary>torch.nn.SmoothL1Loss: <see cref="F.SmoothL1Loss"/> with beta (default 1; 0 = L1).</summary>
public sealed class SmoothL1Loss : TargetLoss
{
    /// <summary>A smooth L1 loss.</summary>
    /// <exception cref="ArgumentException">Unknown reduction or beta &lt; 0.</exception>
    public SmoothL1Loss(string reduction = "mean", double beta = 1.0) : base(reduction)
    {
        if (!(beta >= 0)) throw new ArgumentException($"SmoothL1Loss: beta must be non-negative, got {beta}.");
        Beta = beta;
    }

    /// <summary>Where the loss switches from quadratic to linear.</summary>
    public double Beta { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => F.SmoothL1Loss(input, target, Reduction, Beta);
}

/// <summary>torch.nn.HuberLoss: <see cref="F.HuberLoss"/> with delta (default 1).</summary>
public sealed class HuberLoss : TargetLoss
{
    /// <summary>A Huber loss.</summary>
    /// <exception cref="ArgumentException">Unknown reduction or delta &lt;= 0.</exception>
    public HuberLoss(string reduction = "mean", double delta = 1.0) : base(reduction)
    {
        if (!(delta > 0)) throw new ArgumentException($"HuberLoss: delta must be positive, got {delta}.");
        Delta = delta;
    }

    /// <summary>Where the loss switches from quadratic to delta-scaled linear.</summary>
    public double Delta { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => F.HuberLoss(input, target, Reduction, Delta);
}

/// <summary>
/// torch.nn.KLDivLoss: <see cref="F.KlDiv"/> on log-probability inputs; reduction "mean" (default, elementwise mean),
/// "batchmean" (sum / N, the mathematically correct KL), "sum" or "none"; logTarget when the target is log-probabilities.
/// </summary>
public sealed class KLDivLoss : TargetLoss
{
    /// <summary>A Kullback-Leibler divergence loss.</summary>
    /// <exception cref="ArgumentException">Unknown reduction.</exception>
    public KLDivLoss(string reduction = "mean", bool logTarget = false) : base(reduction, allowBatchMean: true) => LogTarget = logTarget;

    /// <summary>Whether the target is given as log-probabilities.</summary>
    public bool LogTarget { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => F.KlDiv(input, target, Reduction, LogTarget);
}

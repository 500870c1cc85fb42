namespace Lantern.NN;

/// <summary>
/// PyTorch's _InstanceNorm: each (sample, channel) is normalised over its own spatial extent. Defaults differ
/// from batch norm: no affine parameters and no running statistics. With <see cref="NormBase.TrackRunningStats"/>
/// the running statistics are updated in training (batch average of the per-instance statistics; a null
/// momentum means factor 0, as PyTorch, and num_batches_tracked is never incremented) and used in eval mode.
/// Unbatched inputs (no N dim) are accepted.
/// </summary>
public abstract class InstanceNormBase : NormBase
{
    /// <summary>See <see cref="NormBase"/>.</summary>
    protected InstanceNormBase(int numFeatures, double eps, double? momentum, bool affine, bool trackRunningStats, DType dtype)
        : base(numFeatures, eps, momentum, affine, trackRunningStats, dtype) { }

    /// <summary>Rank of an unbatched input ([C, L] = 2 for 1d, [C, H, W] = 3 for 2d).</summary>
    protected abstract int NoBatchDim { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != NoBatchDim && input.Rank != NoBatchDim + 1)
            throw new ArgumentException($"{Name}: expected {NoBatchDim}D or {NoBatchDim + 1}D input (got {input.Rank}D input, shape {input.Shape}).");
        // Stricter than PyTorch (which only warns without affine): the channel count must match.
        CheckChannels(input, input.Rank - NoBatchDim);
        bool unbatched = input.Rank == NoBatchDim;
        var x = unbatched ? input.Unsqueeze(0) : input;
        var y = F.InstanceNorm(x, RunningMean, RunningVar, Weight, Bias, Training || !TrackRunningStats, Momentum ?? 0.0, Eps);
        return unbatched ? y.Squeeze(0) : y;
    }
}

/// <summary>torch.nn.InstanceNorm1d over [N, C, L] or unbatched [C, L] inputs.</summary>
public sealed class InstanceNorm1d : InstanceNormBase
{
    /// <summary>Instance norm over <paramref name="numFeatures"/> channels (PyTorch's defaults: affine and trackRunningStats false).</summary>
    /// <exception cref="ArgumentException">numFeatures &lt;= 0, eps &lt; 0 or momentum outside [0, 1].</exception>
    public InstanceNorm1d(int numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = false, bool trackRunningStats = false, DType dtype = DType.Float32)
        : base(numFeatures, eps, momentum, affine, trackRunningStats, dtype) { }

    /// <inheritdoc/>
    protected override int NoBatchDim => 2;
}

/// <summary>torch.nn.InstanceNorm2d over [N, C, H, W] or unbatched [C, H, W] inputs.</summary>
public sealed class InstanceNorm2d : InstanceNormBase
{
    /// <summary>Instance norm over <paramref name="numFeatures"/> channels (PyTorch's defaults: affine and trackRunningStats false).</summary>
    /// <exception cref="ArgumentException">numFeatures &lt;= 0, eps &lt; 0 or momentum outside [0, 1].</exception>
    public InstanceNorm2d(int numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = false, bool trackRunningStats = false, DType dtype = DType.Float32)
        : base(numFeatures, eps, momentum, affine, trackRunningStats, dtype) { }

    /// <inheritdoc/>
    protected override int NoBatchDim => 3;
}

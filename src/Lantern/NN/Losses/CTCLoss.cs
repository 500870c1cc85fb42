namespace Lantern.NN;

/// <summary>
/// torch.nn.CTCLoss: <see cref="F.CtcLoss"/> of (logProbs [T, N, C], targets, inputLengths, targetLengths) with the
/// blank class (default 0), reduction and zeroInfinity.
/// </summary>
public sealed class CTCLoss : Loss
{
    /// <summary>A connectionist temporal classification loss.</summary>
    /// <exception cref="ArgumentException">Unknown reduction or a negative blank.</exception>
    public CTCLoss(long blank = 0, string reduction = "mean", bool zeroInfinity = false) : base(reduction)
    {
        if (blank < 0) throw new ArgumentException($"CTCLoss: blank must be non-negative, got {blank}.");
        Blank = blank;
        ZeroInfinity = zeroInfinity;
    }

    /// <summary>The blank class index.</summary>
    public long Blank { get; }

    /// <summary>Whether infinite losses (impossible alignments) and their gradients become 0.</summary>
    public bool ZeroInfinity { get; }

    /// <summary>The loss of log-probabilities against (padded or concatenated) Int64 targets with Int64 lengths.</summary>
    public Tensor Forward(Tensor logProbs, Tensor targets, Tensor inputLengths, Tensor targetLengths) =>
        F.CtcLoss(logProbs, targets, inputLengths, targetLengths, Blank, Reduction, ZeroInfinity);
}

namespace Lantern.NN;

/// <summary>
/// Base of the loss modules (PyTorch's _Loss): holds the reduction ("none", "mean" or "sum"; KLDivLoss also
/// "batchmean"). Loss modules are thin wrappers of the functional losses in <see cref="F"/>; like PyTorch's they print
/// no arguments ("CrossEntropyLoss()") and keep per-class weights as buffers named as PyTorch's ("weight", "pos_weight").
/// </summary>
public abstract class Loss : Module
{
    /// <summary>Checks and stores the reduction.</summary>
    /// <exception cref="ArgumentException">An unknown reduction.</exception>
    protected Loss(string reduction, bool allowBatchMean = false)
    {
        LossChecks.CheckReduction(reduction, GetType().Name, allowBatchMean);
        Reduction = reduction;
    }

    /// <summary>"none" (per-element losses), "mean" or "sum" (0-dim results).</summary>
    public string Reduction { get; }
}

/// <summary>A loss of an (input, target) pair: most losses. Losses of more inputs (CosineEmbeddingLoss,
/// MarginRankingLoss, TripletMarginLoss, CTCLoss) derive from <see cref="Loss"/> directly.</summary>
public abstract class TargetLoss : Loss
{
    /// <summary>Checks and stores the reduction.</summary>
    protected TargetLoss(string reduction, bool allowBatchMean = false) : base(reduction, allowBatchMean) { }

    /// <summary>The loss of <paramref name="input"/> against <paramref name="target"/>.</summary>
    public abstract Tensor Forward(Tensor input, Tensor target);
}

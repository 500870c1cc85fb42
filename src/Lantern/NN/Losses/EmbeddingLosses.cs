namespace Lantern.NN;

/// <summary>torch.nn.CosineEmbeddingLoss: <see cref="F.CosineEmbeddingLoss"/> of (input1, input2, y = +-1) with margin (default 0).</summary>
public sealed class CosineEmbeddingLoss : Loss
{
    /// <summary>A cosine embedding loss.</summary>
    /// <exception cref="ArgumentException">Unknown reduction.</exception>
    public CosineEmbeddingLoss(double margin = 0, string reduction = "mean") : base(reduction) => Margin = margin;

    /// <summary>Cosine similarity below which dissimilar pairs cost nothing.</summary>
    public double Margin { get; }

    /// <summary>The loss of two embedding batches [N, D] (or [D]) with labels y [N] (or 0-dim).</summary>
    public Tensor Forward(Tensor input1, Tensor input2, Tensor target) => F.CosineEmbeddingLoss(input1, input2, target, Margin, Reduction);
}

/// <summary>torch.nn.MarginRankingLoss: <see cref="F.MarginRankingLoss"/>, max(0, -y (x1 - x2) + margin).</summary>
public sealed class MarginRankingLoss : Loss
{
    /// <summary>A margin ranking loss.</summary>
    /// <exception cref="ArgumentException">Unknown reduction.</exception>
    public MarginRankingLoss(double margin = 0, string reduction = "mean") : base(reduction) => Margin = margin;

    /// <summary>Required gap between the scores.</summary>
    public double Margin { get; }

    /// <summary>The loss of scores input1, input2 with labels y = +-1 (all of one shape).</summary>
    public Tensor Forward(Tensor input1, Tensor input2, Tensor target) => F.MarginRankingLoss(input1, input2, target, Margin, Reduction);
}

/// <summary>torch.nn.TripletMarginLoss: <see cref="F.TripletMarginLoss"/> (margin 1, p 2, eps 1e-6, swap false by default).</summary>
public sealed class TripletMarginLoss : Loss
{
    /// <summary>A triplet margin loss.</summary>
    /// <exception cref="ArgumentException">Unknown reduction or p &lt;= 0.</exception>
    public TripletMarginLoss(double margin = 1.0, double p = 2, double eps = 1e-6, bool swap = false, string reduction = "mean") : base(reduction)
    {
        if (!(p > 0)) throw new ArgumentException($"TripletMarginLoss: the norm degree p must be positive, got {p}.");
        Margin = margin;
        P = p;
        Eps = eps;
        Swap = swap;
    }

    /// <summary>Required gap between negative and positive distances.</summary>
    public double Margin { get; }

    /// <summary>Norm degree of the pairwise distance.</summary>
    public double P { get; }

    /// <summary>Added to the differences before the norm.</summary>
    public double Eps { get; }

    /// <summary>Use min(d(a, n), d(p, n)) as the negative distance.</summary>
    public bool Swap { get; }

    /// <summary>The loss of anchor, positive and negative embeddings [N, D] (or [D]).</summary>
    public Tensor Forward(Tensor anchor, Tensor positive, Tensor negative) =>
        F.TripletMarginLoss(anchor, positive, negative, Margin, P, Eps, Swap, Reduction);
}

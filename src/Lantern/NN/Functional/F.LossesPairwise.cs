namespace Lantern.NN;

// Loss functions, part 4: KL divergence and the losses on pairs/triplets of embeddings (cosine embedding,
// margin ranking, triplet margin).
using static LossChecks;

internal static partial class LossChecks
{
    /// <summary>Throws when some label is neither 1 nor -1 (PyTorch silently gives 0 for such labels).</summary>
    internal static void CheckPlusMinusOne(Tensor y, string op)
    {
        using (Autograd.NoGrad())
        {
            var bad = y.Eq(1).LogicalOr(y.Eq(-1)).LogicalNot();
            if (bad.Any().Item<bool>())
            {
                double v = y.MaskedSelect(bad).ToArray<double>()[0];
                throw new ArgumentException($"{op}: target labels must be 1 or -1, got {v} (target shape {y.Shape}).");
            }
        }
    }
}

public static partial class F
{
    /// <summary>
    /// torch.nn.functional.kl_div: input holds log-probabilities log q; pointwise l = t (log t - input) (0 where t = 0),
    /// or with logTarget l = exp(t) (t - input). Reductions: "mean" (default, PyTorch's: the mean over every element),
    /// "batchmean" (sum / N with N = input.Shape[0]: the true KL divergence per sample), "sum", "none".
    /// input and target must have the same shape. For t = 0 the target gradient is -input (PyTorch: NaN).
    /// </summary>
    /// <exception cref="ArgumentException">Shapes differ, a non-floating tensor, or an unknown reduction.</exception>
    public static Tensor KlDiv(Tensor input, Tensor target, string reduction = "mean", bool logTarget = false)
    {
        const string op = "KlDiv";
        CheckReduction(reduction, op, allowBatchMean: true);
        CheckSameShape(input, target, op);
        Tensor per;
        if (logTarget) per = target.Exp().Mul(target.Sub(input));
        else
        {
            // xlogy(t, t): log(t + [t == 0]) puts log(1) = 0 where t = 0 (keeps 0 * -inf and its gradient out).
            Tensor zero;
            using (Autograd.NoGrad()) zero = target.Eq(0).To(target.DType);
            per = target.Mul(target.Add(zero).Log()).Sub(target.Mul(input));
        }
        if (reduction == "batchmean") return input.Rank == 0 ? per.Sum() : per.Sum().Div(input.Shape[0]);
        return ReduceLoss(per, reduction);
    }

    /// <summary>
    /// torch.nn.functional.cosine_embedding_loss: cos = sum(x1 x2) / sqrt((sum(x1^2) + 1e-12)(sum(x2^2) + 1e-12)) over the
    /// last dim; l = 1 - cos where y = 1, max(0, cos - margin) where y = -1. input1/input2 are [N, D] with y [N], or [D]
    /// with a 0-dim y. Labels other than +-1 are rejected (PyTorch gives them loss 0).
    /// </summary>
    /// <exception cref="ArgumentException">Input shapes differ or are not 1-D/2-D, y's shape is not the inputs' without the
    /// last dim, a label other than +-1, or an unknown reduction.</exception>
    public static Tensor CosineEmbeddingLoss(Tensor input1, Tensor input2, Tensor target, double margin = 0, string reduction = "mean")
    {
        const string op = "CosineEmbeddingLoss";
        CheckReduction(reduction, op);
        CheckSameShape(input1, input2, op, "input1", "input2");
        if (input1.Rank is not (1 or 2))
            throw new ArgumentException($"{op}: inputs must be [N, D] or [D], got shape {input1.Shape}.");
        if (!target.Shape.Raw.AsSpan().SequenceEqual(input1.Shape.Raw.AsSpan(0, input1.Rank - 1)))
            throw new ArgumentException($"{op}: expected target shape {WithoutClassDim(input1, input1.Rank - 1)} for inputs of shape {input1.Shape}, got {target.Shape}.");
        CheckPlusMinusOne(target, op);
        int d = input1.Rank - 1;
        const double eps = (double)1e-12f; // PyTorch's EPSILON is a float (aten Loss.cpp)
        var prod = input1.Mul(input2).Sum(d);
        var m1 = input1.Mul(input1).Sum(d).Add(eps);
        var m2 = input2.Mul(input2).Sum(d).Add(eps);
        var cos = prod.Div(m1.Mul(m2).Sqrt());
        var per = Tensor.Where(target.Eq(1), cos.Neg().Add(1), cos.Sub(margin).Clamp(min: 0));
        return ReduceLoss(per, reduction);
    }

    /// <summary>
    /// torch.nn.functional.margin_ranking_loss: l = max(0, -y (x1 - x2) + margin) with labels y = +-1 (1: x1 should rank
    /// higher). input1, input2 and target must have the same shape (PyTorch would broadcast them).
    /// </summary>
    /// <exception cref="ArgumentException">Shapes differ, a label other than +-1, or an unknown reduction.</exception>
    public static Tensor MarginRankingLoss(Tensor input1, Tensor input2, Tensor target, double margin = 0, string reduction = "mean")
    {
        const string op = "MarginRankingLoss";
        CheckReduction(reduction, op);
        CheckSameShape(input1, input2, op, "input1", "input2");
        if (target.Shape != input1.Shape)
            throw new ArgumentException($"{op}: target shape {target.Shape} differs from input shape {input1.Shape}; shapes must be equal (nothing is broadcast).");
        CheckPlusMinusOne(target, op);
        var per = target.Neg().Mul(input1.Sub(input2)).Add(margin).Clamp(min: 0);
        return ReduceLoss(per, reduction);
    }

    /// <summary>
    /// torch.nn.functional.triplet_margin_loss: with d(a, b) = ||a - b + eps||_p over the last dim (PyTorch's
    /// pairwise_distance), l = max(d(anchor, positive) - d(anchor, negative) + margin, 0); with swap, the negative distance
    /// is min(d(anchor, negative), d(positive, negative)). Inputs are [N, D] (or [D]) of one shape. Defaults margin 1,
    /// p 2, eps 1e-6, swap false.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes differ or are not 1-D/2-D, p &lt;= 0, or an unknown reduction.</exception>
    public static Tensor TripletMarginLoss(Tensor anchor, Tensor positive, Tensor negative, double margin = 1.0, double p = 2,
        double eps = 1e-6, bool swap = false, string reduction = "mean")
    {
        const string op = "TripletMarginLoss";
        CheckReduction(reduction, op);
        CheckSameShape(anchor, positive, op, "anchor", "positive");
        CheckSameShape(anchor, negative, op, "anchor", "negative");
        if (anchor.Rank is not (1 or 2))
            throw new ArgumentException($"{op}: inputs must be [N, D] or [D], got shape {anchor.Shape}.");
        if (!(p > 0)) throw new ArgumentException($"{op}: the norm degree p must be positive, got {p}.");
        int d = anchor.Rank - 1;
        Tensor Dist(Tensor a, Tensor b) => a.Sub(b).Add(eps).Norm(p, [d]);
        var dPos = Dist(anchor, positive);
        var dNeg = Dist(anchor, negative);
        if (swap) dNeg = dNeg.Minimum(Dist(positive, negative));
        var per = dPos.Sub(dNeg).Add(margin).Clamp(min: 0);
        return ReduceLoss(per, reduction);
    }
}

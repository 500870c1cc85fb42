namespace Lantern.Training.Metrics;

/// <summary>Whether a classification metric sees one positive class or several exclusive classes.</summary>
public enum ClassificationTask
{
    /// <summary>Targets 0/1; predictions are probabilities or logits thresholded at <c>threshold</c>, or 0/1 labels.</summary>
    Binary,
    /// <summary>Targets in [0, C); predictions are scores [N, C] (argmax or top-k) or class indices [N].</summary>
    Multiclass,
}

/// <summary>How per-class scores are reduced (scikit-learn's and torchmetrics' <c>average</c>).</summary>
public enum Average
{
    /// <summary>Sum the true/false positive/negative counts over classes, then apply the formula once.</summary>
    Micro,
    /// <summary>Unweighted mean of the per-class scores over the classes that occur in the targets or predictions.</summary>
    Macro,
    /// <summary>Mean of the per-class scores weighted by support (true instances of the class).</summary>
    Weighted,
    /// <summary>No reduction: the scores of all C classes, a [C] tensor.</summary>
    None,
}

/// <summary>
/// Turns (preds, target) into labels. Multiclass: preds [N, C] or [N, C, d1, ...] float scores (logits or
/// probabilities; the class dimension is 1) with target [N] or [N, d1, ...], or integer preds of the
/// target's shape holding class indices. Binary: preds and target of one shape; float preds outside [0, 1]
/// are taken as logits and passed through a sigmoid, then <c>p &gt; threshold</c> is positive (torchmetrics);
/// integer or bool preds must be 0/1. Targets are Int64, UInt8 or Bool. Samples whose target equals
/// <c>ignoreIndex</c> are dropped.
/// </summary>
internal static class ClassificationInput
{
    private static int[] Labels(Tensor t, string metric, string what)
    {
        if (t.DType.IsFloatingPoint())
            throw new ArgumentException($"{metric}: {what} must hold integer class labels (Int64, UInt8 or Bool), got {t.DType} with shape {t.Shape}.");
        var v = t.ToArray<long>();
        var r = new int[v.Length];
        for (int i = 0; i < v.Length; i++)
            r[i] = v[i] is >= int.MinValue and <= int.MaxValue ? (int)v[i]
                : throw new ArgumentException($"{metric}: {what} holds the label {v[i]}, out of range.");
        return r;
    }

    /// <summary>Multiclass labels: target per sample and the top-k predicted classes (row-major [n, k]).</summary>
    internal static (int[] Target, int[] Pred) Multiclass(Tensor preds, Tensor target, int numClasses, int topK, int? ignoreIndex, string metric)
    {
        int[] tgt = Labels(target, metric, "target");
        int[] pred;
        if (preds.DType.IsFloatingPoint())
        {
            if (preds.Rank != target.Rank + 1 || preds.Rank < 2 || preds.Shape[0] != target.Shape[0] ||
                !preds.Shape.Dims[2..].SequenceEqual(target.Shape.Dims[1..]))
                throw new ArgumentException($"{metric}: float preds must be [N, C, ...] scores for a target [N, ...]; got preds {preds.Shape} and target {target.Shape}.");
            if (preds.Shape[1] != numClasses)
                throw new ArgumentException($"{metric}: preds have {preds.Shape[1]} classes (dim 1 of {preds.Shape}) but the metric was built for numClasses = {numClasses}.");
            var scores = (preds.Rank == 2 ? preds : preds.Movedim1ToLast()).ToArray<double>();
            pred = TopK(scores, numClasses, topK);
        }
        else
        {
            if (preds.Shape != target.Shape)
                throw new ArgumentException($"{metric}: integer preds are class indices and must have the target's shape; got preds {preds.Shape} and target {target.Shape}.");
            if (topK != 1)
                throw new ArgumentException($"{metric}: topK = {topK} needs float scores [N, C], got integer class indices {preds.Shape}.");
            pred = Labels(preds, metric, "preds");
            foreach (int p in pred)
                if (p < 0 || p >= numClasses) throw new ArgumentException($"{metric}: preds hold the class {p}, outside [0, {numClasses}).");
        }
        return DropIgnored(tgt, pred, topK, numClasses, ignoreIndex, metric);
    }

    private static Tensor Movedim1ToLast(this Tensor t)
    {
        var perm = new int[t.Rank];
        perm[0] = 0;
        for (int d = 2; d < t.Rank; d++) perm[d - 1] = d;
        perm[^1] = 1;
        return t.Permute(perm).Contiguous();
    }

    /// <summary>
    /// The k best classes of each row, best first; ties go to the lower index and NaN counts as the largest
    /// value (torch.argmax for k = 1).
    /// </summary>
    private static int[] TopK(double[] scores, int c, int k)
    {
        int n = scores.Length / Math.Max(c, 1);
        var r = new int[n * k];
        var taken = new bool[c];
        for (int i = 0; i < n; i++)
        {
            var row = scores.AsSpan(i * c, c);
            Array.Clear(taken);
            for (int j = 0; j < k; j++)
            {
                int best = -1;
                for (int q = 0; q < c; q++)
                {
                    if (taken[q]) continue;
                    if (best < 0 || Greater(row[q], row[best])) best = q;
                }
                taken[best] = true;
                r[i * k + j] = best;
            }
        }
        return r;
    }

    private static bool Greater(double a, double b) => a > b || (double.IsNaN(a) && !double.IsNaN(b));

    private static (int[] Target, int[] Pred) DropIgnored(int[] tgt, int[] pred, int k, int numClasses, int? ignoreIndex, string metric)
    {
        int keep = 0;
        for (int i = 0; i < tgt.Length; i++)
        {
            if (tgt[i] == ignoreIndex) continue;
            if (tgt[i] < 0 || tgt[i] >= numClasses)
                throw new ArgumentException($"{metric}: target holds the class {tgt[i]}, outside [0, {numClasses})" + (ignoreIndex is { } ii ? $" and not the ignore index {ii}." : "."));
            keep++;
        }
        if (keep == tgt.Length) return (tgt, pred);
        var t2 = new int[keep];
        var p2 = new int[keep * k];
        for (int i = 0, o = 0; i < tgt.Length; i++)
        {
            if (tgt[i] == ignoreIndex) continue;
            t2[o] = tgt[i];
            Array.Copy(pred, i * k, p2, o * k, k);
            o++;
        }
        return (t2, p2);
    }

    /// <summary>Binary labels (1 = positive) of target and preds.</summary>
    internal static (int[] Target, int[] Pred) Binary(Tensor preds, Tensor target, double threshold, int? ignoreIndex, string metric)
    {
        if (preds.Shape != target.Shape)
            throw new ArgumentException($"{metric}: binary preds and target must have the same shape; got preds {preds.Shape} and target {target.Shape}.");
        int[] tgt = Labels(target, metric, "target");
        int[] pred;
        if (preds.DType.IsFloatingPoint())
        {
            var p = preds.ToArray<double>();
            bool logits = p.Any(x => x < 0 || x > 1);
            pred = new int[p.Length];
            for (int i = 0; i < p.Length; i++)
            {
                double q = logits ? 1 / (1 + Math.Exp(-p[i])) : p[i];
                pred[i] = q > threshold ? 1 : 0;
            }
        }
        else
        {
            pred = Labels(preds, metric, "preds");
            foreach (int v in pred)
                if (v is not (0 or 1)) throw new ArgumentException($"{metric}: binary integer preds must be 0 or 1, got {v}.");
        }
        int keep = 0;
        foreach (int v in tgt)
        {
            if (v == ignoreIndex) continue;
            if (v is not (0 or 1)) throw new ArgumentException($"{metric}: binary target must be 0 or 1, got {v}.");
            keep++;
        }
        if (keep == tgt.Length) return (tgt, pred);
        var t2 = new int[keep];
        var p2 = new int[keep];
        for (int i = 0, o = 0; i < tgt.Length; i++)
            if (tgt[i] != ignoreIndex) { t2[o] = tgt[i]; p2[o++] = pred[i]; }
        return (t2, p2);
    }
}

namespace Lantern.Training.Metrics;

/// <summary>
/// Base of the count-based classification metrics (torchmetrics' StatScores family): it accumulates, per
/// class c, true positives TP_c, false positives FP_c and false negatives FN_c (TN_c = N - TP_c - FP_c - FN_c),
/// exact integers, so any batching gives the same result. Multiclass with topK = k (torchmetrics 1.5+,
/// _refine_preds_oh): a sample's prediction is its target when the target is among its k best scores,
/// otherwise its best score, so each sample adds exactly one TP, or one FP (best class) and one FN (target).
/// Binary: one positive class (index 0 of the per-class arrays).
/// Averaging (<see cref="Metrics.Average"/>), for a per-class score s_c:
/// micro applies the formula to ΣTP, ΣFP, ΣFN; macro = mean of s_c over the classes with TP_c + FP_c + FN_c &gt; 0
/// (the classes present in targets or predictions: scikit-learn with labels=None, torchmetrics), for topK &gt; 1
/// over the classes with TP_c + FN_c &gt; 0 (present in the targets; torchmetrics);
/// weighted = Σ s_c·support_c / Σ support_c with support_c = TP_c + FN_c; none = the [C] vector of s_c.
/// A per-class 0/0 score is <see cref="ZeroDivision"/> (0 or 1; torchmetrics' and scikit-learn's zero_division,
/// default 0); an average over no class or no support is 0.
/// </summary>
public abstract class ClassificationMetric : PredictionMetric
{
    private long[] _tp, _fp, _fn;
    private long _samples;

    /// <summary>Configures the metric.</summary>
    /// <param name="task">Binary or multiclass.</param>
    /// <param name="numClasses">Number of classes C (multiclass; 2 or more). Ignored for binary.</param>
    /// <param name="topK">Multiclass: a prediction is the k best-scoring classes (needs float scores).</param>
    /// <param name="average">Reduction over classes (ignored for binary, which scores the positive class).</param>
    /// <param name="threshold">Binary: probability above which a prediction is positive.</param>
    /// <param name="ignoreIndex">Target value whose samples are skipped.</param>
    /// <param name="zeroDivision">Value of a per-class score whose denominator is 0 (0 or 1).</param>
    /// <exception cref="ArgumentException">numClasses &lt; 2 for multiclass, topK outside [1, C], threshold outside [0, 1], zeroDivision not 0 or 1.</exception>
    protected ClassificationMetric(ClassificationTask task, int numClasses, int topK, Average average, double threshold, int? ignoreIndex, double zeroDivision = 0)
    {
        string name = GetType().Name;
        if (zeroDivision is not (0 or 1))
            throw new ArgumentException($"{name}: zeroDivision must be 0 or 1, got {zeroDivision}.");
        if (!Enum.IsDefined(average))
            throw new ArgumentException($"{name}: unknown average {average}.");
        if (task == ClassificationTask.Multiclass && numClasses < 2)
            throw new ArgumentException($"{name}: multiclass needs numClasses >= 2, got {numClasses}.");
        if (task == ClassificationTask.Binary && topK != 1)
            throw new ArgumentException($"{name}: topK = {topK} applies to multiclass only.");
        if (topK < 1 || (task == ClassificationTask.Multiclass && topK > numClasses))
            throw new ArgumentException($"{name}: topK must be in [1, {numClasses}], got {topK}.");
        if (!(threshold >= 0 && threshold <= 1))
            throw new ArgumentException($"{name}: threshold must be in [0, 1], got {threshold}.");
        Task = task;
        NumClasses = task == ClassificationTask.Binary ? 2 : numClasses;
        TopK = topK;
        Average = average;
        Threshold = threshold;
        IgnoreIndex = ignoreIndex;
        ZeroDivision = zeroDivision;
        int n = task == ClassificationTask.Binary ? 1 : numClasses;
        _tp = new long[n];
        _fp = new long[n];
        _fn = new long[n];
    }

    /// <summary>Binary or multiclass.</summary>
    public ClassificationTask Task { get; }

    /// <summary>Number of classes (2 for binary).</summary>
    public int NumClasses { get; }

    /// <summary>Predictions per sample counted (multiclass).</summary>
    public int TopK { get; }

    /// <summary>Reduction over classes.</summary>
    public Average Average { get; }

    /// <summary>Binary decision threshold.</summary>
    public double Threshold { get; }

    /// <summary>Target value that is skipped, if any.</summary>
    public int? IgnoreIndex { get; }

    /// <summary>Value of a per-class score whose denominator is 0 (0 or 1).</summary>
    public double ZeroDivision { get; }

    /// <summary>Samples counted (after dropping ignored targets).</summary>
    public long Samples => _samples;

    /// <summary>TP per class (binary: one entry, the positive class).</summary>
    public long[] TruePositives => (long[])_tp.Clone();

    /// <summary>FP per class.</summary>
    public long[] FalsePositives => (long[])_fp.Clone();

    /// <summary>FN per class.</summary>
    public long[] FalseNegatives => (long[])_fn.Clone();

    /// <summary>Support (true instances) per class: TP + FN.</summary>
    public long[] Support => _tp.Zip(_fn, (a, b) => a + b).ToArray();

    /// <inheritdoc/>
    protected override void UpdateState(Tensor preds, Tensor target)
    {
        string name = GetType().Name;
        if (Task == ClassificationTask.Binary)
        {
            var (t, p) = ClassificationInput.Binary(preds, target, Threshold, IgnoreIndex, name);
            for (int i = 0; i < t.Length; i++)
            {
                if (t[i] == 1 && p[i] == 1) _tp[0]++;
                else if (p[i] == 1) _fp[0]++;
                else if (t[i] == 1) _fn[0]++;
            }
            _samples += t.Length;
            return;
        }
        var (tgt, pred) = ClassificationInput.Multiclass(preds, target, NumClasses, TopK, IgnoreIndex, name);
        int k = TopK;
        for (int i = 0; i < tgt.Length; i++)
        {
            bool hit = false;
            for (int j = 0; j < k; j++) hit |= pred[i * k + j] == tgt[i];
            if (hit) _tp[tgt[i]]++;
            else
            {
                _fp[pred[i * k]]++;
                _fn[tgt[i]]++;
            }
        }
        _samples += tgt.Length;
    }

    /// <inheritdoc/>
    protected override void ResetState()
    {
        Array.Clear(_tp);
        Array.Clear(_fp);
        Array.Clear(_fn);
        _samples = 0;
    }

    /// <inheritdoc/>
    protected override void MergeState(Metric other)
    {
        var o = (ClassificationMetric)other;
        if (o.Task != Task || o.NumClasses != NumClasses || o.TopK != TopK || o.Average != Average || o.Threshold != Threshold || o.IgnoreIndex != IgnoreIndex || o.ZeroDivision != ZeroDivision)
            throw new ArgumentException($"{GetType().Name}: cannot merge a metric with another configuration.");
        for (int c = 0; c < _tp.Length; c++)
        {
            _tp[c] += o._tp[c];
            _fp[c] += o._fp[c];
            _fn[c] += o._fn[c];
        }
        _samples += o._samples;
    }

    /// <summary>
    /// Reduces a per-class score: binary gives the positive class's score; otherwise micro applies
    /// <paramref name="score"/> to the summed counts, macro/weighted/none as documented on the class.
    /// </summary>
    /// <param name="score">s(TP, FP, FN, TN) for one class or for the summed counts.</param>
    protected Tensor Reduce(Func<double, double, double, double, double> score)
    {
        long n = _samples;
        if (Task == ClassificationTask.Binary)
            return Scalar(score(_tp[0], _fp[0], _fn[0], n - _tp[0] - _fp[0] - _fn[0]));
        int cCount = _tp.Length;
        var per = new double[cCount];
        for (int c = 0; c < cCount; c++) per[c] = score(_tp[c], _fp[c], _fn[c], n - _tp[c] - _fp[c] - _fn[c]);
        switch (Average)
        {
            case Average.Micro:
                double tp = _tp.Sum(), fp = _fp.Sum(), fn = _fn.Sum();
                return Scalar(score(tp, fp, fn, (double)n * cCount - tp - fp - fn));
            case Average.Macro:
                double sum = 0;
                int present = 0;
                for (int c = 0; c < cCount; c++)
                    if (_tp[c] + _fn[c] + (TopK == 1 ? _fp[c] : 0) > 0) { sum += per[c]; present++; }
                return Scalar(SafeDivide(sum, present));
            case Average.Weighted:
                double wsum = 0, support = 0;
                for (int c = 0; c < cCount; c++)
                {
                    wsum += per[c] * (_tp[c] + _fn[c]);
                    support += _tp[c] + _fn[c];
                }
                return Scalar(SafeDivide(wsum, support));
            default:
                return Tensor.FromArray(per);
        }
    }
}

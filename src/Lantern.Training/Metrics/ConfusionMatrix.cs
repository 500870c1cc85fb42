namespace Lantern.Training.Metrics;

/// <summary>How a confusion matrix is normalised (scikit-learn's and torchmetrics' <c>normalize</c>).</summary>
public enum ConfusionNormalize
{
    /// <summary>Counts (an Int64 tensor).</summary>
    None,
    /// <summary>Each row (true class) divided by its sum: row i is the distribution of predictions for class i.</summary>
    True,
    /// <summary>Each column (predicted class) divided by its sum.</summary>
    Pred,
    /// <summary>Everything divided by the number of samples.</summary>
    All,
}

/// <summary>
/// Confusion matrix (scikit-learn confusion_matrix, torchmetrics.ConfusionMatrix): M[i, j] = number of
/// samples of true class i predicted as class j, a [C, C] tensor (binary: [2, 2], class 1 positive).
/// Predictions are the argmax of scores [N, C] or class indices (see <see cref="ClassificationMetric"/> for
/// input formats). Normalised variants divide rows, columns or everything by their sums (Float64); a zero
/// sum gives zeros, as scikit-learn does.
/// </summary>
public sealed class ConfusionMatrix : PredictionMetric
{
    private readonly long[] _counts;

    /// <summary>A confusion matrix over <paramref name="numClasses"/> classes.</summary>
    /// <exception cref="ArgumentException">Fewer than 2 classes (multiclass) or a threshold outside [0, 1].</exception>
    public ConfusionMatrix(ClassificationTask task, int numClasses = 2, ConfusionNormalize normalize = ConfusionNormalize.None, double threshold = 0.5, int? ignoreIndex = null)
    {
        if (task == ClassificationTask.Multiclass && numClasses < 2)
            throw new ArgumentException($"ConfusionMatrix: multiclass needs numClasses >= 2, got {numClasses}.");
        if (!(threshold >= 0 && threshold <= 1))
            throw new ArgumentException($"ConfusionMatrix: threshold must be in [0, 1], got {threshold}.");
        if (!Enum.IsDefined(normalize)) throw new ArgumentException($"ConfusionMatrix: unknown normalize {normalize}.");
        Task = task;
        NumClasses = task == ClassificationTask.Binary ? 2 : numClasses;
        Normalize = normalize;
        Threshold = threshold;
        IgnoreIndex = ignoreIndex;
        _counts = new long[NumClasses * NumClasses];
    }

    /// <summary>Binary or multiclass.</summary>
    public ClassificationTask Task { get; }

    /// <summary>C.</summary>
    public int NumClasses { get; }

    /// <summary>Normalisation of <see cref="Metric.Compute"/>.</summary>
    public ConfusionNormalize Normalize { get; }

    /// <summary>Binary decision threshold.</summary>
    public double Threshold { get; }

    /// <summary>Target value that is skipped.</summary>
    public int? IgnoreIndex { get; }

    /// <inheritdoc/>
    public override string Name => "confusion_matrix";

    /// <summary>The raw counts [C, C] (rows true, columns predicted) whatever the normalisation.</summary>
    public long[,] Counts
    {
        get
        {
            int c = NumClasses;
            var m = new long[c, c];
            for (int i = 0; i < c; i++)
                for (int j = 0; j < c; j++) m[i, j] = _counts[i * c + j];
            return m;
        }
    }

    /// <inheritdoc/>
    protected override void UpdateState(Tensor preds, Tensor target)
    {
        var (t, p) = Task == ClassificationTask.Binary
            ? ClassificationInput.Binary(preds, target, Threshold, IgnoreIndex, "ConfusionMatrix")
            : ClassificationInput.Multiclass(preds, target, NumClasses, 1, IgnoreIndex, "ConfusionMatrix");
        for (int i = 0; i < t.Length; i++) _counts[t[i] * NumClasses + p[i]]++;
    }

    /// <inheritdoc/>
    protected override Tensor ComputeState()
    {
        int c = NumClasses;
        if (Normalize == ConfusionNormalize.None) return Tensor.FromArray((long[])_counts.Clone(), [c, c]);
        var m = new double[c * c];
        double total = _counts.Sum();
        for (int i = 0; i < c; i++)
            for (int j = 0; j < c; j++)
            {
                double denom = Normalize switch
                {
                    ConfusionNormalize.True => Enumerable.Range(0, c).Sum(q => (double)_counts[i * c + q]),
                    ConfusionNormalize.Pred => Enumerable.Range(0, c).Sum(q => (double)_counts[q * c + j]),
                    _ => total,
                };
                m[i * c + j] = SafeDivide(_counts[i * c + j], denom);
            }
        return Tensor.FromArray(m, [c, c]);
    }

    /// <inheritdoc/>
    protected override void ResetState() => Array.Clear(_counts);

    /// <inheritdoc/>
    protected override Metric CreateEmpty() => new ConfusionMatrix(Task, NumClasses, Normalize, Threshold, IgnoreIndex);

    /// <inheritdoc/>
    protected override void MergeState(Metric other)
    {
        var o = (ConfusionMatrix)other;
        if (o.Task != Task || o.NumClasses != NumClasses || o.Normalize != Normalize || o.Threshold != Threshold || o.IgnoreIndex != IgnoreIndex)
            throw new ArgumentException("ConfusionMatrix: cannot merge a metric with another configuration.");
        for (int i = 0; i < _counts.Length; i++) _counts[i] += o._counts[i];
    }
}

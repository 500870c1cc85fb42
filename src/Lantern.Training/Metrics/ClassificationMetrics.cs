namespace Lantern.Training.Metrics;

/// <summary>
/// Accuracy (torchmetrics.Accuracy; scikit-learn accuracy_score / top_k_accuracy_score). Multiclass: the
/// per-class score is TP_c / (TP_c + FN_c); micro (the default) gives
/// correct / N, the fraction of samples whose target is among their <c>topK</c> best scores (torchmetrics.Accuracy's
/// default; torchmetrics.classification.MulticlassAccuracy defaults to macro). Binary:
/// (TP + TN) / N after thresholding. Averaging and zero division as on <see cref="ClassificationMetric"/>.
/// </summary>
/// <example><code>var acc = new Accuracy(ClassificationTask.Multiclass, numClasses: 10, topK: 5);
/// acc.Update(logits, labels); double top5 = acc.ComputeItem();</code></example>
public sealed class Accuracy : ClassificationMetric
{
    /// <summary>An accuracy metric; see <see cref="ClassificationMetric"/> for the arguments.</summary>
    public Accuracy(ClassificationTask task, int numClasses = 2, int topK = 1, Average average = Average.Micro, double threshold = 0.5, int? ignoreIndex = null)
        : base(task, numClasses, topK, average, threshold, ignoreIndex) { }

    /// <inheritdoc/>
    public override string Name => TopK == 1 ? "accuracy" : $"top{TopK}_accuracy";

    /// <inheritdoc/>
    protected override Tensor ComputeState() => Task == ClassificationTask.Binary
        ? Reduce((tp, fp, fn, tn) => SafeDivide(tp + tn, tp + fp + fn + tn))
        : Reduce((tp, _, fn, _) => SafeDivide(tp, tp + fn));

    /// <inheritdoc/>
    protected override Metric CreateEmpty() => new Accuracy(Task, NumClasses, TopK, Average, Threshold, IgnoreIndex);
}

/// <summary>
/// Precision (scikit-learn precision_score, torchmetrics.Precision): per class P_c = TP_c / (TP_c + FP_c),
/// 0 when the class is never predicted (zero_division = 0). Micro: ΣTP / (ΣTP + ΣFP). Binary: the positive
/// class's precision. Default average: macro (torchmetrics.classification.MulticlassPrecision).
/// </summary>
public sealed class Precision : ClassificationMetric
{
    /// <summary>A precision metric; see <see cref="ClassificationMetric"/> for the arguments.</summary>
    public Precision(ClassificationTask task, int numClasses = 2, Average average = Average.Macro, int topK = 1, double threshold = 0.5, int? ignoreIndex = null, double zeroDivision = 0)
        : base(task, numClasses, topK, average, threshold, ignoreIndex, zeroDivision) { }

    /// <inheritdoc/>
    public override string Name => "precision";

    /// <inheritdoc/>
    protected override Tensor ComputeState() => Reduce((tp, fp, _, _) => SafeDivide(tp, tp + fp, ZeroDivision));

    /// <inheritdoc/>
    protected override Metric CreateEmpty() => new Precision(Task, NumClasses, Average, TopK, Threshold, IgnoreIndex, ZeroDivision);
}

/// <summary>
/// Recall (scikit-learn recall_score, torchmetrics.Recall): per class R_c = TP_c / (TP_c + FN_c), 0 when
/// the class has no true instance (zero_division = 0). Micro: ΣTP / (ΣTP + ΣFN). Binary: the positive
/// class's recall. Default average: macro (torchmetrics.classification.MulticlassRecall).
/// </summary>
public sealed class Recall : ClassificationMetric
{
    /// <summary>A recall metric; see <see cref="ClassificationMetric"/> for the arguments.</summary>
    public Recall(ClassificationTask task, int numClasses = 2, Average average = Average.Macro, int topK = 1, double threshold = 0.5, int? ignoreIndex = null, double zeroDivision = 0)
        : base(task, numClasses, topK, average, threshold, ignoreIndex, zeroDivision) { }

    /// <inheritdoc/>
    public override string Name => "recall";

    /// <inheritdoc/>
    protected override Tensor ComputeState() => Reduce((tp, _, fn, _) => SafeDivide(tp, tp + fn, ZeroDivision));

    /// <inheritdoc/>
    protected override Metric CreateEmpty() => new Recall(Task, NumClasses, Average, TopK, Threshold, IgnoreIndex, ZeroDivision);
}

/// <summary>
/// F-beta score (scikit-learn fbeta_score, torchmetrics.FBetaScore): per class
/// F_c = (1 + β²)·P_c·R_c / (β²·P_c + R_c) = (1 + β²)·TP_c / ((1 + β²)·TP_c + β²·FN_c + FP_c), 0 when the
/// denominator is 0 (scikit-learn's zero_division = 0). Micro applies the formula to ΣTP, ΣFP, ΣFN.
/// Binary: the positive class's score. Default average: macro.
/// </summary>
public class FBetaScore : ClassificationMetric
{
    /// <summary>An F-beta metric; see <see cref="ClassificationMetric"/> for the other arguments.</summary>
    /// <param name="task">Binary or multiclass.</param>
    /// <param name="beta">Weight of recall relative to precision (β &gt; 0).</param>
    /// <param name="numClasses">Number of classes (multiclass).</param>
    /// <param name="average">Reduction over classes.</param>
    /// <param name="topK">Predictions per sample (multiclass).</param>
    /// <param name="threshold">Binary decision threshold.</param>
    /// <param name="ignoreIndex">Target value to skip.</param>
    /// <param name="zeroDivision">Value of a per-class score whose denominator is 0 (0 or 1).</param>
    /// <exception cref="ArgumentException">β not positive, or a bad configuration.</exception>
    public FBetaScore(ClassificationTask task, double beta, int numClasses = 2, Average average = Average.Macro, int topK = 1, double threshold = 0.5, int? ignoreIndex = null, double zeroDivision = 0)
        : base(task, numClasses, topK, average, threshold, ignoreIndex, zeroDivision)
    {
        if (!(beta > 0) || double.IsInfinity(beta)) throw new ArgumentException($"{GetType().Name}: beta must be positive and finite, got {beta}.");
        Beta = beta;
    }

    /// <summary>β.</summary>
    public double Beta { get; }

    /// <inheritdoc/>
    public override string Name => $"f{Beta.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <inheritdoc/>
    protected override Tensor ComputeState()
    {
        double b2 = Beta * Beta;
        return Reduce((tp, fp, fn, _) => SafeDivide((1 + b2) * tp, (1 + b2) * tp + b2 * fn + fp, ZeroDivision));
    }

    /// <inheritdoc/>
    protected override Metric CreateEmpty() => new FBetaScore(Task, Beta, NumClasses, Average, TopK, Threshold, IgnoreIndex, ZeroDivision);

    /// <inheritdoc/>
    protected override void MergeState(Metric other)
    {
        if (((FBetaScore)other).Beta != Beta) throw new ArgumentException($"{GetType().Name}: cannot merge beta = {((FBetaScore)other).Beta} into beta = {Beta}.");
        base.MergeState(other);
    }
}

/// <summary>
/// F1 score (scikit-learn f1_score, torchmetrics.F1Score): per class F1_c = 2·P_c·R_c / (P_c + R_c) =
/// 2·TP_c / (2·TP_c + FP_c + FN_c), 0 when the denominator is 0; see <see cref="FBetaScore"/> with β = 1.
/// </summary>
public sealed class F1Score : FBetaScore
{
    /// <summary>An F1 metric; see <see cref="ClassificationMetric"/> for the arguments.</summary>
    public F1Score(ClassificationTask task, int numClasses = 2, Average average = Average.Macro, int topK = 1, double threshold = 0.5, int? ignoreIndex = null, double zeroDivision = 0)
        : base(task, 1.0, numClasses, average, topK, threshold, ignoreIndex, zeroDivision) { }

    /// <inheritdoc/>
    public override string Name => "f1";

    /// <inheritdoc/>
    protected override Metric CreateEmpty() => new F1Score(Task, NumClasses, Average, TopK, Threshold, IgnoreIndex, ZeroDivision);
}

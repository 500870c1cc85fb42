namespace Lantern.Training.Metrics;

/// <summary>
/// Base of the mean-error regression metrics: accumulates Σ e(p_i, t_i) (float64) and the element count over
/// every element of preds and target, which must have the same shape (nothing is broadcast).
/// </summary>
public abstract class MeanErrorMetric : PredictionMetric
{
    private double _sum;
    private long _count;

    /// <summary>e(p, t) for one element.</summary>
    protected abstract double Error(double p, double t);

    /// <summary>Elements counted.</summary>
    public long Count => _count;

    /// <summary>Σ e over the elements counted.</summary>
    protected double Sum => _sum;

    /// <inheritdoc/>
    protected override void UpdateState(Tensor preds, Tensor target)
    {
        if (preds.Shape != target.Shape)
            throw new ArgumentException($"{GetType().Name}: preds {preds.Shape} and target {target.Shape} must have the same shape.");
        var p = preds.ToArray<double>();
        var t = target.ToArray<double>();
        double s = 0;
        for (int i = 0; i < p.Length; i++) s += Error(p[i], t[i]);
        _sum += s;
        _count += p.Length;
    }

    /// <inheritdoc/>
    protected override void ResetState()
    {
        _sum = 0;
        _count = 0;
    }

    /// <inheritdoc/>
    protected override void MergeState(Metric other)
    {
        var o = (MeanErrorMetric)other;
        _sum += o._sum;
        _count += o._count;
    }
}

/// <summary>
/// Mean squared error (torchmetrics.MeanSquaredError, scikit-learn mean_squared_error):
/// MSE = Σ (p_i - t_i)² / n over all elements; with <c>squared: false</c> the root mean squared error √MSE.
/// 0 when n = 0 (empty batches only).
/// </summary>
public sealed class MeanSquaredError(bool squared = true) : MeanErrorMetric
{
    /// <summary>False: report RMSE.</summary>
    public bool Squared { get; } = squared;

    /// <inheritdoc/>
    public override string Name => Squared ? "mse" : "rmse";

    /// <inheritdoc/>
    protected override double Error(double p, double t) => (p - t) * (p - t);

    /// <inheritdoc/>
    protected override Tensor ComputeState()
    {
        double mse = SafeDivide(Sum, Count);
        return Scalar(Squared ? mse : Math.Sqrt(mse));
    }

    /// <inheritdoc/>
    protected override Metric CreateEmpty() => new MeanSquaredError(Squared);

    /// <inheritdoc/>
    protected override void MergeState(Metric other)
    {
        if (((MeanSquaredError)other).Squared != Squared) throw new ArgumentException("MeanSquaredError: cannot merge MSE with RMSE.");
        base.MergeState(other);
    }
}

/// <summary>
/// Mean absolute error (torchmetrics.MeanAbsoluteError, scikit-learn mean_absolute_error):
/// MAE = Σ |p_i - t_i| / n over all elements; 0 when n = 0.
/// </summary>
public sealed class MeanAbsoluteError : MeanErrorMetric
{
    /// <inheritdoc/>
    public override string Name => "mae";

    /// <inheritdoc/>
    protected override double Error(double p, double t) => Math.Abs(p - t);

    /// <inheritdoc/>
    protected override Tensor ComputeState() => Scalar(SafeDivide(Sum, Count));

    /// <inheritdoc/>
    protected override Metric CreateEmpty() => new MeanAbsoluteError();
}

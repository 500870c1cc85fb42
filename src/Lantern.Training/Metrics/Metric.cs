namespace Lantern.Training.Metrics;

/// <summary>
/// A metric that accumulates over batches (torchmetrics.Metric): an <c>Update</c> adds a batch to the
/// state, <see cref="Compute"/> gives the value over everything since the last <see cref="Reset"/>, and
/// <see cref="Merge"/> adds another metric's state (torchmetrics' merge_state, e.g. from another worker).
/// Inputs are never differentiated (they are read without recording autograd). States are exact counts or
/// float64 sums, so the result does not depend on how the data was split into batches (up to float64
/// summation order for the real-valued metrics).
/// </summary>
public abstract class Metric
{
    /// <summary>Short name, e.g. "accuracy".</summary>
    public abstract string Name { get; }

    /// <summary>Batches added since the last reset (merged metrics add theirs).</summary>
    public long UpdateCount { get; private set; }

    /// <summary>The metric over every batch since the last reset (a float64 tensor; 0-dim unless stated).</summary>
    /// <exception cref="InvalidOperationException">No batch was added.</exception>
    public Tensor Compute()
    {
        if (UpdateCount == 0) throw new InvalidOperationException($"{GetType().Name}: Compute() was called before any Update().");
        return ComputeState();
    }

    /// <summary>The metric as a double (for metrics whose value is a single number).</summary>
    /// <exception cref="InvalidOperationException">No batch was added, or the value has more than one element.</exception>
    public double ComputeItem()
    {
        var v = Compute();
        if (v.Numel() != 1) throw new InvalidOperationException($"{GetType().Name}: the value has shape {v.Shape}; use Compute().");
        return v.ToArray<double>()[0];
    }

    /// <summary>Clears the state.</summary>
    public void Reset()
    {
        ResetState();
        UpdateCount = 0;
    }

    /// <summary>Adds another metric's state (same type and configuration) to this one (torchmetrics' merge_state).</summary>
    /// <exception cref="ArgumentException">A metric of another type or configuration.</exception>
    public void Merge(Metric other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(other, this)) throw new ArgumentException($"{GetType().Name}: cannot merge a metric into itself.");
        if (other.GetType() != GetType()) throw new ArgumentException($"{GetType().Name}: cannot merge a {other.GetType().Name}.");
        MergeState(other);
        UpdateCount += other.UpdateCount;
    }

    /// <summary>A new metric of this type and configuration with an empty state (torchmetrics' clone + reset).</summary>
    public Metric CloneEmpty() => CreateEmpty();

    /// <summary>Records that one batch was added (call once per successful update).</summary>
    protected void CountUpdate() => UpdateCount++;

    /// <summary>The value from the state (at least one update happened).</summary>
    protected abstract Tensor ComputeState();

    /// <summary>Zeroes the state.</summary>
    protected abstract void ResetState();

    /// <summary>A metric with the same configuration and an empty state.</summary>
    protected abstract Metric CreateEmpty();

    /// <summary>Adds the state of <paramref name="other"/> (same type) into this one.</summary>
    /// <exception cref="ArgumentException">The other metric has another configuration.</exception>
    protected abstract void MergeState(Metric other);

    /// <summary>Adds a one-batch metric (built with <see cref="CreateEmpty"/> and updated) and returns its value (torchmetrics' forward).</summary>
    private protected Tensor AddBatch(Metric batch)
    {
        MergeState(batch);
        UpdateCount++;
        return batch.Compute();
    }

    /// <summary>0-dim float64 tensor.</summary>
    protected static Tensor Scalar(double v) => Tensor.Scalar(v, DType.Float64);

    /// <summary>a / b, or <paramref name="zeroDivision"/> when b is 0 (torchmetrics' _safe_divide; scikit-learn's zero_division).</summary>
    protected internal static double SafeDivide(double a, double b, double zeroDivision = 0) => b == 0 ? zeroDivision : a / b;
}

/// <summary>
/// A metric of predictions against targets: <see cref="Update"/>(preds, target) adds a batch, and
/// <see cref="Forward"/> adds it and returns the metric of that batch alone (torchmetrics' forward).
/// </summary>
public abstract class PredictionMetric : Metric
{
    /// <summary>Adds a batch to the state.</summary>
    /// <exception cref="ArgumentException">Shapes, dtypes or values that do not fit the metric (the message names the metric and the shapes); the state is unchanged.</exception>
    public void Update(Tensor preds, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(preds);
        ArgumentNullException.ThrowIfNull(target);
        using (Autograd.NoGrad()) UpdateState(preds.Detach(), target.Detach());
        CountUpdate();
    }

    /// <summary>Adds the batch to the state and returns the metric of this batch alone.</summary>
    /// <exception cref="ArgumentException">As <see cref="Update"/>.</exception>
    public Tensor Forward(Tensor preds, Tensor target)
    {
        var batch = (PredictionMetric)CreateEmpty();
        batch.Update(preds, target);
        return AddBatch(batch);
    }

    /// <summary>Adds a batch (already detached) to the state; validates everything before changing the state.</summary>
    protected abstract void UpdateState(Tensor preds, Tensor target);
}

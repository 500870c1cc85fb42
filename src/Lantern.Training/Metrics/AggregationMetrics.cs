namespace Lantern.Training.Metrics;

/// <summary>What an aggregation metric does with NaN values (torchmetrics' <c>nan_strategy</c>).</summary>
public enum NanStrategy
{
    /// <summary>Throw an <see cref="ArgumentException"/>.</summary>
    Error,
    /// <summary>Drop the NaN values (and their weights); torchmetrics' "ignore" and "warn" (the default).</summary>
    Ignore,
    /// <summary>Keep them: the result becomes NaN (Max/Min: NaN propagates as in torch.max).</summary>
    Disable,
    /// <summary>Replace NaN values and NaN weights by <c>nanReplacement</c> (torchmetrics' float strategy).</summary>
    Replace,
}

/// <summary>
/// Base of the aggregation metrics (torchmetrics.aggregation): each <c>Update</c> takes values of any shape
/// (or one double); every element is aggregated in float64. NaNs are handled by <see cref="Nan"/>.
/// </summary>
public abstract class AggregationMetric : Metric
{
    /// <summary>Configures the NaN handling.</summary>
    /// <exception cref="ArgumentException">An undefined strategy, or a NaN replacement value.</exception>
    protected AggregationMetric(NanStrategy nanStrategy, double nanReplacement)
    {
        if (!Enum.IsDefined(nanStrategy)) throw new ArgumentException($"{GetType().Name}: unknown nanStrategy {nanStrategy}.");
        if (nanStrategy == NanStrategy.Replace && double.IsNaN(nanReplacement))
            throw new ArgumentException($"{GetType().Name}: nanReplacement must not be NaN.");
        Nan = nanStrategy;
        NanReplacement = nanReplacement;
    }

    /// <summary>NaN handling.</summary>
    public NanStrategy Nan { get; }

    /// <summary>Value that replaces NaNs with <see cref="NanStrategy.Replace"/>.</summary>
    public double NanReplacement { get; }

    /// <summary>Adds every element of <paramref name="value"/> (any shape, any numeric dtype).</summary>
    /// <exception cref="ArgumentException">A NaN with <see cref="NanStrategy.Error"/> (the state is unchanged).</exception>
    public void Update(Tensor value) => UpdateCore(value, null);

    /// <summary>Adds one value.</summary>
    /// <exception cref="ArgumentException">A NaN with <see cref="NanStrategy.Error"/>.</exception>
    public void Update(double value) => UpdateCore(Tensor.Scalar(value, DType.Float64), null);

    /// <summary>Adds the values and returns the aggregate of this batch alone (torchmetrics' forward).</summary>
    public Tensor Forward(Tensor value)
    {
        var batch = (AggregationMetric)CreateEmpty();
        batch.Update(value);
        return AddBatch(batch);
    }

    /// <summary>Validates and cleans (values, weights), then accumulates them.</summary>
    /// <param name="value">Values, any shape.</param>
    /// <param name="weight">Null (all 1), a single element, or the shape of <paramref name="value"/>.</param>
    private protected void UpdateCore(Tensor value, Tensor? weight)
    {
        ArgumentNullException.ThrowIfNull(value);
        string name = GetType().Name;
        double[] v, w;
        using (Autograd.NoGrad())
        {
            v = value.Detach().ToArray<double>();
            if (weight is null) w = Enumerable.Repeat(1.0, v.Length).ToArray();
            else if (weight.Numel() == 1) w = Enumerable.Repeat(weight.Detach().ToArray<double>()[0], v.Length).ToArray();
            else if (weight.Shape == value.Shape) w = weight.Detach().ToArray<double>();
            else throw new ArgumentException($"{name}: weight must be a single value or have the value's shape; got value {value.Shape} and weight {weight.Shape}.");
        }
        int keep = 0;
        for (int i = 0; i < v.Length; i++)
        {
            bool nan = double.IsNaN(v[i]) || double.IsNaN(w[i]);
            if (!nan || Nan == NanStrategy.Disable) { v[keep] = v[i]; w[keep] = w[i]; keep++; continue; }
            switch (Nan)
            {
                case NanStrategy.Error:
                    throw new ArgumentException($"{name}: encountered NaN in the value {value.Shape}" + (weight is null ? "" : $" or weight {weight.Shape}") + " (nanStrategy = Error).");
                case NanStrategy.Replace:
                    v[keep] = double.IsNaN(v[i]) ? NanReplacement : v[i];
                    w[keep] = double.IsNaN(w[i]) ? NanReplacement : w[i];
                    keep++;
                    break;
            }
        }
        Accumulate(v.AsSpan(0, keep), w.AsSpan(0, keep));
        CountUpdate();
    }

    /// <summary>Adds cleaned values and their weights to the state.</summary>
    protected abstract void Accumulate(ReadOnlySpan<double> values, ReadOnlySpan<double> weights);

    /// <summary>Throws unless <paramref name="other"/> has this NaN configuration.</summary>
    private protected void CheckSameConfig(AggregationMetric other)
    {
        if (other.Nan != Nan || !other.NanReplacement.Equals(NanReplacement))
            throw new ArgumentException($"{GetType().Name}: cannot merge a metric with another NaN strategy.");
    }
}

/// <summary>
/// Weighted mean (torchmetrics.MeanMetric): Σ w_i·x_i / Σ w_i over every element added; weights default to 1
/// and are one value or the value's shape. NaN (0/0) when every weight was 0 or nothing was added.
/// </summary>
public sealed class MeanMetric(NanStrategy nanStrategy = NanStrategy.Ignore, double nanReplacement = 0) : AggregationMetric(nanStrategy, nanReplacement)
{
    private double _sum, _weight;

    /// <inheritdoc/>
    public override string Name => "mean";

    /// <summary>Adds values with weights (one weight, or one per element).</summary>
    /// <exception cref="ArgumentException">A weight of another shape, or a NaN with <see cref="NanStrategy.Error"/>.</exception>
    public void Update(Tensor value, Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        UpdateCore(value, weight);
    }

    /// <summary>Adds one value with a weight (e.g. a batch mean with the batch size).</summary>
    public void Update(double value, double weight) =>
        UpdateCore(Tensor.Scalar(value, DType.Float64), Tensor.Scalar(weight, DType.Float64));

    /// <inheritdoc/>
    protected override void Accumulate(ReadOnlySpan<double> values, ReadOnlySpan<double> weights)
    {
        for (int i = 0; i < values.Length; i++)
        {
            _sum += values[i] * weights[i];
            _weight += weights[i];
        }
    }

    /// <inheritdoc/>
    protected override Tensor ComputeState() => Scalar(_sum / _weight);

    /// <inheritdoc/>
    protected override void ResetState() => _sum = _weight = 0;

    /// <inheritdoc/>
    protected override Metric CreateEmpty() => new MeanMetric(Nan, NanReplacement);

    /// <inheritdoc/>
    protected override void MergeState(Metric other)
    {
        var o = (MeanMetric)other;
        CheckSameConfig(o);
        _sum += o._sum;
        _weight += o._weight;
    }
}

/// <summary>Sum of every element added (torchmetrics.SumMetric); 0 when only empty tensors were added.</summary>
public sealed class SumMetric(NanStrategy nanStrategy = NanStrategy.Ignore, double nanReplacement = 0) : AggregationMetric(nanStrategy, nanReplacement)
{
    private double _sum;

    /// <inheritdoc/>
    public override string Name => "sum";

    /// <inheritdoc/>
    protected override void Accumulate(ReadOnlySpan<double> values, ReadOnlySpan<double> weights)
    {
        foreach (double x in values) _sum += x;
    }

    /// <inheritdoc/>
    protected override Tensor ComputeState() => Scalar(_sum);

    /// <inheritdoc/>
    protected override void ResetState() => _sum = 0;

    /// <inheritdoc/>
    protected override Metric CreateEmpty() => new SumMetric(Nan, NanReplacement);

    /// <inheritdoc/>
    protected override void MergeState(Metric other)
    {
        CheckSameConfig((AggregationMetric)other);
        _sum += ((SumMetric)other)._sum;
    }
}

/// <summary>Maximum of every element added (torchmetrics.MaxMetric); -∞ when only empty tensors were added.</summary>
public sealed class MaxMetric(NanStrategy nanStrategy = NanStrategy.Ignore, double nanReplacement = 0) : AggregationMetric(nanStrategy, nanReplacement)
{
    private double _max = double.NegativeInfinity;

    /// <inheritdoc/>
    public override string Name => "max";

    /// <inheritdoc/>
    protected override void Accumulate(ReadOnlySpan<double> values, ReadOnlySpan<double> weights)
    {
        foreach (double x in values) _max = Math.Max(_max, x);   // Math.Max propagates NaN like torch.max
    }

    /// <inheritdoc/>
    protected override Tensor ComputeState() => Scalar(_max);

    /// <inheritdoc/>
    protected override void ResetState() => _max = double.NegativeInfinity;

    /// <inheritdoc/>
    protected override Metric CreateEmpty() => new MaxMetric(Nan, NanReplacement);

    /// <inheritdoc/>
    protected override void MergeState(Metric other)
    {
        CheckSameConfig((AggregationMetric)other);
        _max = Math.Max(_max, ((MaxMetric)other)._max);
    }
}

/// <summary>Minimum of every element added (torchmetrics.MinMetric); +∞ when only empty tensors were added.</summary>
public sealed class MinMetric(NanStrategy nanStrategy = NanStrategy.Ignore, double nanReplacement = 0) : AggregationMetric(nanStrategy, nanReplacement)
{
    private double _min = double.PositiveInfinity;

    /// <inheritdoc/>
    public override string Name => "min";

    /// <inheritdoc/>
    protected override void Accumulate(ReadOnlySpan<double> values, ReadOnlySpan<double> weights)
    {
        foreach (double x in values) _min = Math.Min(_min, x);
    }

    /// <inheritdoc/>
    protected override Tensor ComputeState() => Scalar(_min);

    /// <inheritdoc/>
    protected override void ResetState() => _min = double.PositiveInfinity;

    /// <inheritdoc/>
    protected override Metric CreateEmpty() => new MinMetric(Nan, NanReplacement);

    /// <inheritdoc/>
    protected override void MergeState(Metric other)
    {
        CheckSameConfig((AggregationMetric)other);
        _min = Math.Min(_min, ((MinMetric)other)._min);
    }
}

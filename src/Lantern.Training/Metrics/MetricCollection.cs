using System.Collections;

namespace Lantern.Training.Metrics;

/// <summary>
/// Several prediction metrics updated together (torchmetrics.MetricCollection): <see cref="Update"/> feeds the
/// same batch to each, <see cref="Compute"/> returns their values keyed by prefix + name (e.g. "val_accuracy").
/// </summary>
/// <example><code>var train = new MetricCollection([new Accuracy(ClassificationTask.Multiclass, 10), new F1Score(ClassificationTask.Multiclass, 10)], prefix: "train_");
/// var val = train.Clone("val_");</code></example>
public sealed class MetricCollection : IReadOnlyDictionary<string, PredictionMetric>
{
    private readonly List<KeyValuePair<string, PredictionMetric>> _items = [];

    /// <summary>A collection keyed by each metric's <see cref="Metric.Name"/>.</summary>
    /// <exception cref="ArgumentException">No metric, or two with one name (give them explicit keys).</exception>
    public MetricCollection(IEnumerable<PredictionMetric> metrics, string prefix = "")
        : this((metrics ?? throw new ArgumentNullException(nameof(metrics))).Select(m => new KeyValuePair<string, PredictionMetric>(m.Name, m)), prefix) { }

    /// <summary>A collection with explicit keys.</summary>
    /// <exception cref="ArgumentException">No metric, an empty key, or a repeated key.</exception>
    public MetricCollection(IEnumerable<KeyValuePair<string, PredictionMetric>> metrics, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(prefix);
        foreach (var (key, m) in metrics)
        {
            ArgumentNullException.ThrowIfNull(m);
            if (string.IsNullOrEmpty(key)) throw new ArgumentException("MetricCollection: a metric key is empty.");
            if (_items.Any(i => i.Key == key)) throw new ArgumentException($"MetricCollection: two metrics are keyed '{key}'.");
            _items.Add(new(key, m));
        }
        if (_items.Count == 0) throw new ArgumentException("MetricCollection: no metrics.");
        Prefix = prefix;
    }

    /// <summary>Prepended to every key of <see cref="Compute"/>.</summary>
    public string Prefix { get; }

    /// <summary>Adds the batch to every metric (each validates it; one that throws leaves the others already updated).</summary>
    public void Update(Tensor preds, Tensor target)
    {
        foreach (var (_, m) in _items) m.Update(preds, target);
    }

    /// <summary>Adds the batch to every metric and returns each metric's value on this batch alone.</summary>
    public Dictionary<string, Tensor> Forward(Tensor preds, Tensor target) =>
        _items.ToDictionary(i => Prefix + i.Key, i => i.Value.Forward(preds, target));

    /// <summary>Every metric's value over the batches since the last reset, keyed prefix + key.</summary>
    /// <exception cref="InvalidOperationException">Nothing was added.</exception>
    public Dictionary<string, Tensor> Compute() => _items.ToDictionary(i => Prefix + i.Key, i => i.Value.Compute());

    /// <summary>Resets every metric.</summary>
    public void Reset()
    {
        foreach (var (_, m) in _items) m.Reset();
    }

    /// <summary>The same metrics (configuration, keys) with empty states and another prefix.</summary>
    public MetricCollection Clone(string prefix) =>
        new(_items.Select(i => new KeyValuePair<string, PredictionMetric>(i.Key, (PredictionMetric)i.Value.CloneEmpty())), prefix);

    /// <inheritdoc/>
    public PredictionMetric this[string key] => TryGetValue(key, out var m) ? m : throw new KeyNotFoundException($"MetricCollection: no metric keyed '{key}'.");

    /// <inheritdoc/>
    public IEnumerable<string> Keys => _items.Select(i => i.Key);

    /// <inheritdoc/>
    public IEnumerable<PredictionMetric> Values => _items.Select(i => i.Value);

    /// <inheritdoc/>
    public int Count => _items.Count;

    /// <inheritdoc/>
    public bool ContainsKey(string key) => _items.Any(i => i.Key == key);

    /// <inheritdoc/>
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out PredictionMetric value)
    {
        foreach (var (k, m) in _items)
            if (k == key) { value = m; return true; }
        value = null;
        return false;
    }

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, PredictionMetric>> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

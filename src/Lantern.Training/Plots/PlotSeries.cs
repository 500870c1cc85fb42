namespace Lantern.Training.Plots;

/// <summary>
/// One named curve: points (X[i], Y[i]), e.g. X = global step or epoch and Y = loss. Points whose Y is NaN
/// are missing (skipped when drawn; the line joins their neighbours).
/// </summary>
public sealed class PlotSeries
{
    /// <summary>A curve with explicit x values.</summary>
    /// <param name="name">Legend text, e.g. "train_loss".</param>
    /// <param name="x">X values (finite).</param>
    /// <param name="y">Y values, as many as <paramref name="x"/> (NaN = missing).</param>
    /// <exception cref="ArgumentException">An empty name, lengths that differ, or a non-finite x.</exception>
    public PlotSeries(string name, IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("PlotSeries: the name must not be empty.");
        if (x.Count != y.Count)
            throw new ArgumentException($"PlotSeries '{name}': {x.Count} x values but {y.Count} y values.");
        for (int i = 0; i < x.Count; i++)
            if (!double.IsFinite(x[i])) throw new ArgumentException($"PlotSeries '{name}': x[{i}] = {x[i]} is not finite.");
        Name = name;
        X = x.ToArray();
        Y = y.ToArray();
    }

    /// <summary>A curve over x = 1, 2, ..., n (e.g. one value per epoch).</summary>
    public PlotSeries(string name, IReadOnlyList<double> y)
        : this(name, Enumerable.Range(1, (y ?? throw new ArgumentNullException(nameof(y))).Count).Select(i => (double)i).ToArray(), y) { }

    /// <summary>Legend text.</summary>
    public string Name { get; }

    /// <summary>X values.</summary>
    public IReadOnlyList<double> X { get; }

    /// <summary>Y values (NaN = missing).</summary>
    public IReadOnlyList<double> Y { get; }

    /// <summary>Number of points.</summary>
    public int Count => X.Count;
}

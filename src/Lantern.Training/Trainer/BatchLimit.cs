using System.Globalization;

namespace Lantern.Training;

/// <summary>
/// A number of batches given as Lightning does: an integer is a count, a floating-point value a fraction of the loader
/// (1.0 = all). Converts implicitly from <c>int</c> and <c>double</c>, so <c>LimitTrainBatches = 10</c> means 10 batches and
/// <c>LimitTrainBatches = 0.25</c> a quarter of them.
/// </summary>
public readonly struct BatchLimit : IEquatable<BatchLimit>
{
    private BatchLimit(bool isFraction, double value)
    {
        IsFraction = isFraction;
        Value = value;
    }

    /// <summary>True when <see cref="Value"/> is a fraction of the loader, false when it is a batch count.</summary>
    public bool IsFraction { get; }

    /// <summary>The fraction or the count.</summary>
    public double Value { get; }

    /// <summary>All batches (1.0).</summary>
    public static BatchLimit All => new(true, 1.0);

    /// <summary>A batch count.</summary>
    public static implicit operator BatchLimit(int count) => new(false, count);

    /// <summary>A fraction of the loader.</summary>
    public static implicit operator BatchLimit(double fraction) => new(true, fraction);

    /// <summary>Checks the value for the trainer option <paramref name="option"/>.</summary>
    /// <exception cref="ArgumentException">A negative count, or a fraction outside [0, 1].</exception>
    internal BatchLimit Checked(string option, bool allowZero = true)
    {
        bool ok = IsFraction ? Value >= 0 && Value <= 1 && (allowZero || Value > 0) : Value >= 0 && (allowZero || Value > 0);
        if (!ok)
            throw new ArgumentException($"Trainer: {option}={this} is invalid; use a batch count (int >= {(allowZero ? 0 : 1)}) or a fraction of the loader (double in [{(allowZero ? "0" : "0 exclusive")}, 1]).");
        return this;
    }

    /// <summary>The number of batches out of <paramref name="available"/> (null: unknown length).</summary>
    /// <exception cref="ArgumentException">A fraction that selects no batch, or a fraction of a loader of unknown length.</exception>
    internal int Resolve(int? available, string option)
    {
        if (!IsFraction) return available is { } a ? Math.Min(a, (int)Value) : (int)Value;
        if (available is not { } n)
        {
            if (Value == 1.0) return int.MaxValue;
            if (Value == 0) return 0;
            throw new ArgumentException($"Trainer: {option}={this} is a fraction but the loader has no known length; use a batch count.");
        }
        int k = (int)(n * Value);
        if (k == 0 && Value > 0 && n > 0)
            throw new ArgumentException($"Trainer: {option}={this} of a loader of {n} batches selects no batch ({this} * {n} < 1).");
        return k;
    }

    /// <inheritdoc/>
    public bool Equals(BatchLimit other) => IsFraction == other.IsFraction && Value.Equals(other.Value);
    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is BatchLimit b && Equals(b);
    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(IsFraction, Value);
    /// <summary>Equality.</summary>
    public static bool operator ==(BatchLimit a, BatchLimit b) => a.Equals(b);
    /// <summary>Inequality.</summary>
    public static bool operator !=(BatchLimit a, BatchLimit b) => !a.Equals(b);

    /// <summary>"10" for a count, "0.25" (always with a '.') for a fraction.</summary>
    public override string ToString()
    {
        if (!IsFraction) return ((long)Value).ToString(CultureInfo.InvariantCulture);
        string s = Value.ToString("R", CultureInfo.InvariantCulture);
        return s.Contains('.') || s.Contains('E') ? s : s + ".0";
    }
}

/// <summary>Duck-typed access to a loader's length and epoch (DataLoader.Count / SetEpoch, or any collection).</summary>
internal static class Loaders
{
    public static int? Count<T>(IEnumerable<T> loader)
    {
        if (loader is IReadOnlyCollection<T> c) return c.Count;
        if (loader is System.Collections.ICollection c2) return c2.Count;
        var p = loader.GetType().GetProperty("Count", typeof(int));
        if (p is null) return null;
        try
        {
            return (int)p.GetValue(loader)!;
        }
        catch (System.Reflection.TargetInvocationException e) when (e.InnerException is NotSupportedException)
        {
            return null;
        }
    }

    public static void SetEpoch<T>(IEnumerable<T> loader, int epoch) =>
        loader.GetType().GetMethod("SetEpoch", [typeof(int)])?.Invoke(loader, [epoch]);

    /// <summary>Samples in a batch: first dimension of the batch's first tensor (a tensor, tuple, array or list), else 1.</summary>
    public static int BatchSize(object? batch) => FirstTensor(batch, 0) is { } t && t.Dim() > 0 ? t.Shape[0] : 1;

    private static Tensor? FirstTensor(object? o, int depth)
    {
        if (depth > 4) return null;
        switch (o)
        {
            case Tensor t: return t;
            case System.Runtime.CompilerServices.ITuple tuple:
                for (int i = 0; i < tuple.Length; i++)
                    if (FirstTensor(tuple[i], depth + 1) is { } x) return x;
                return null;
            case System.Collections.IEnumerable e when o is not string:
                foreach (var item in e)
                    if (FirstTensor(item, depth + 1) is { } x) return x;
                return null;
            default: return null;
        }
    }
}

using System.Globalization;

namespace Lantern;

/// <summary>What kind of C# value a <see cref="Number"/> came from (PyTorch's wrapped-number categories).</summary>
public enum NumberKind : byte
{
    /// <summary>bool.</summary>
    Bool,
    /// <summary>Any integer type.</summary>
    Integer,
    /// <summary>float or double.</summary>
    Floating,
}

/// <summary>
/// A scalar operand (PyTorch's c10::Scalar): an int, long, float, double or bool written in C#.
/// In type promotion it behaves like a Python number: it never widens a tensor's dtype within its category,
/// but a floating number makes an integer tensor float32 (the default dtype).
/// </summary>
public readonly struct Number : IEquatable<Number>
{
    private readonly double _d;
    private readonly long _l;

    /// <summary>Category of the value.</summary>
    public NumberKind Kind { get; }

    private Number(double d, long l, NumberKind kind) { _d = d; _l = l; Kind = kind; }

    /// <summary>From a double.</summary>
    public static implicit operator Number(double v) => new(v, 0, NumberKind.Floating);
    /// <summary>From a float.</summary>
    public static implicit operator Number(float v) => new(v, 0, NumberKind.Floating);
    /// <summary>From a long.</summary>
    public static implicit operator Number(long v) => new(v, v, NumberKind.Integer);
    /// <summary>From an int.</summary>
    public static implicit operator Number(int v) => new(v, v, NumberKind.Integer);
    /// <summary>From a bool.</summary>
    public static implicit operator Number(bool v) => new(v ? 1 : 0, v ? 1 : 0, NumberKind.Bool);

    /// <summary>The value as a double.</summary>
    public double ToDouble() => _d;

    /// <summary>The value as a long (floating values are truncated toward zero).</summary>
    public long ToLong() => Kind == NumberKind.Floating ? (long)_d : _l;

    /// <summary>True when the value is nonzero.</summary>
    public bool ToBool() => Kind == NumberKind.Floating ? _d != 0 : _l != 0;

    /// <summary>True for floating values.</summary>
    public bool IsFloating => Kind == NumberKind.Floating;

    /// <summary>The dtype a tensor made from this number alone would have (bool, int64, float32).</summary>
    public DType DefaultDType => Kind switch
    {
        NumberKind.Bool => DType.Bool,
        NumberKind.Integer => DType.Int64,
        _ => DTypes.DefaultFloat,
    };

    /// <summary>The value converted to element type T, as PyTorch casts it.</summary>
    public T As<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return (T)(object)(float)(Kind == NumberKind.Floating ? _d : _l);
        if (typeof(T) == typeof(double)) return (T)(object)(Kind == NumberKind.Floating ? _d : (double)_l);
        if (typeof(T) == typeof(long)) return (T)(object)ToLong();
        if (typeof(T) == typeof(byte)) return (T)(object)unchecked((byte)ToLong());
        if (typeof(T) == typeof(bool)) return (T)(object)ToBool();
        throw new NotSupportedException($"Number.As: unsupported element type {typeof(T).Name}.");
    }

    /// <inheritdoc/>
    public bool Equals(Number other) => Kind == other.Kind && _d.Equals(other._d) && _l == other._l;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Number n && Equals(n);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_d, _l, Kind);

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        NumberKind.Bool => _l != 0 ? "True" : "False",
        NumberKind.Integer => _l.ToString(CultureInfo.InvariantCulture),
        _ => _d.ToString("R", CultureInfo.InvariantCulture),
    };
}

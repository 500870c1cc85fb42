using System.Globalization;

namespace Lantern.Optim;

/// <summary>
/// One parameter group of an optimiser (an entry of PyTorch's <c>optimizer.param_groups</c>): the parameters and
/// their hyper-parameters under PyTorch's keys ("lr", "momentum", "betas", "weight_decay", ...). Values are
/// settable between steps, which is how schedulers and users change them; schedulers also add keys of their own
/// ("initial_lr", "max_lr", "base_momentum", ...). Values are double, long, bool, string or double[] (pairs such
/// as betas); ints are stored as long, floats as double and (double, double) tuples as double[2].
/// </summary>
public class ParamGroup
{
    private OrderedDictionary<string, object> _options;

    /// <summary>A group over <paramref name="parameters"/> with the given hyper-parameters (copied).</summary>
    public ParamGroup(IReadOnlyList<Tensor> parameters, IEnumerable<KeyValuePair<string, object>> options)
    {
        Params = parameters.ToArray();
        _options = new OrderedDictionary<string, object>();
        foreach (var (k, v) in options) _options[k] = Normalize(k, v);
    }

    /// <summary>The parameters, in order.</summary>
    public IReadOnlyList<Tensor> Params { get; }

    /// <summary>The learning rate ("lr").</summary>
    public double Lr
    {
        get => GetDouble("lr");
        set => this["lr"] = value;
    }

    /// <summary>A hyper-parameter by PyTorch key.</summary>
    /// <exception cref="KeyNotFoundException">The key is absent (the message lists the keys present).</exception>
    /// <exception cref="ArgumentException">Set to a value of an unsupported type.</exception>
    public object this[string key]
    {
        get => _options.TryGetValue(key, out var v) ? v
            : throw new KeyNotFoundException($"ParamGroup: no hyper-parameter '{key}' (has: {string.Join(", ", _options.Keys)}).");
        set => _options[key] = Normalize(key, value);
    }

    /// <summary>The hyper-parameter keys in insertion order.</summary>
    public IReadOnlyList<string> Keys => _options.Keys.ToArray();

    /// <summary>True when the key is present.</summary>
    public bool ContainsKey(string key) => _options.ContainsKey(key);

    /// <summary>Python's dict.setdefault: stores <paramref name="value"/> when the key is absent; returns the stored value.</summary>
    public object SetDefault(string key, object value)
    {
        if (!_options.TryGetValue(key, out var v)) _options[key] = v = Normalize(key, value);
        return v;
    }

    /// <summary>A numeric hyper-parameter as double.</summary>
    /// <exception cref="InvalidCastException">The value is not a number.</exception>
    public double GetDouble(string key) => this[key] switch
    {
        double d => d,
        long l => l,
        bool b => b ? 1 : 0,
        var o => throw new InvalidCastException($"ParamGroup: '{key}' is {o.GetType().Name} ({o}), not a number."),
    };

    /// <summary>A boolean hyper-parameter.</summary>
    public bool GetBool(string key) => this[key] is bool b ? b
        : throw new InvalidCastException($"ParamGroup: '{key}' is {this[key].GetType().Name}, not a bool.");

    /// <summary>A pair hyper-parameter such as "betas".</summary>
    public (double, double) GetPair(string key) => this[key] is double[] { Length: 2 } a ? (a[0], a[1])
        : throw new InvalidCastException($"ParamGroup: '{key}' is not a pair of numbers.");

    /// <summary>A copy of the hyper-parameters (arrays copied).</summary>
    public OrderedDictionary<string, object> Options()
    {
        var d = new OrderedDictionary<string, object>();
        foreach (var (k, v) in _options) d[k] = v is double[] a ? a.Clone() : v;
        return d;
    }

    /// <summary>Replaces every hyper-parameter (load_state_dict).</summary>
    internal void ReplaceOptions(IEnumerable<KeyValuePair<string, object>> options)
    {
        var d = new OrderedDictionary<string, object>();
        foreach (var (k, v) in options) d[k] = Normalize(k, v);
        _options = d;
    }

    /// <summary>Canonical storage types: int/float/decimal to long/double, tuples to double[].</summary>
    internal static object Normalize(string key, object? value) => value switch
    {
        double or long or bool or string => value,
        int i => (long)i,
        float f => (double)f,
        (double a, double b) => new[] { a, b },
        double[] a => a.Clone(),
        int[] a => a.Clone(),
        null => throw new ArgumentException($"ParamGroup: hyper-parameter '{key}' cannot be null."),
        _ => throw new ArgumentException($"ParamGroup: hyper-parameter '{key}' has unsupported type {value.GetType().Name}; use double, long, bool, string or double[]."),
    };

    /// <summary>Python-style literal of a hyper-parameter (for reprs).</summary>
    internal static string Py(object v) => v switch
    {
        bool b => b ? "True" : "False",
        double d => PyFloat(d),
        long l => l.ToString(CultureInfo.InvariantCulture),
        string s => "'" + s + "'",
        double[] a => "(" + string.Join(", ", a.Select(PyFloat)) + (a.Length == 1 ? ",)" : ")"),
        int[] a => "[" + string.Join(", ", a) + "]",
        _ => v.ToString() ?? "",
    };

    private static string PyFloat(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsInfinity(d)) return d > 0 ? "inf" : "-inf";
        var s = d.ToString("R", CultureInfo.InvariantCulture);
        if (s.Contains('E'))
        {
            var parts = s.Split('E');
            int exp = int.Parse(parts[1], CultureInfo.InvariantCulture);
            return parts[0] + "e" + (exp < 0 ? "-" : "+") + Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture);
        }
        return s.Contains('.') ? s : s + ".0";
    }
}

/// <summary>
/// A parameter group to create (PyTorch's <c>{"params": ..., "lr": ...}</c> dict): parameters plus the
/// hyper-parameters that override the optimiser's defaults. Example:
/// <code>new SGD([new ParamGroupSpec(backbone.Parameters(), lr: 1e-3), new ParamGroupSpec(head.Parameters()) { ["momentum"] = 0.5 }], lr: 1e-2, momentum: 0.9)</code>
/// </summary>
public sealed class ParamGroupSpec
{
    private readonly OrderedDictionary<string, object> _options = new();

    /// <summary>A group over <paramref name="parameters"/>, optionally with its own learning rate.</summary>
    public ParamGroupSpec(IEnumerable<Tensor> parameters, double? lr = null)
    {
        Params = parameters.ToArray();
        if (lr is { } l) _options["lr"] = l;
    }

    /// <summary>The parameters.</summary>
    public IReadOnlyList<Tensor> Params { get; }

    /// <summary>Sets a hyper-parameter override (PyTorch key).</summary>
    public object this[string key]
    {
        get => _options[key];
        set => _options[key] = ParamGroup.Normalize(key, value);
    }

    /// <summary>The overrides in insertion order.</summary>
    public IReadOnlyList<KeyValuePair<string, object>> Overrides => _options.ToArray();
}

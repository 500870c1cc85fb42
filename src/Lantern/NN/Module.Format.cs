using System.Text;

namespace Lantern.NN;

// ToString prints the module tree exactly like PyTorch's Module.__repr__.
public abstract partial class Module
{
    /// <summary>The arguments shown inside the parentheses, PyTorch's extra_repr (e.g. "in_features=3, out_features=4, bias=True").</summary>
    public virtual string ExtraRepr() => "";

    /// <summary>PyTorch's repr: "Name(extra)" or a multi-line tree with "(child): ..." lines indented by two.</summary>
    public override string ToString()
    {
        var extra = ExtraRepr();
        var extraLines = extra.Length == 0 ? [] : extra.Split('\n');
        var childLines = new List<string>();
        foreach (var (key, m) in _modules)
        {
            var s = m is null ? "None" : m.ToString();
            childLines.Add($"({key}): " + s.Replace("\n", "\n  "));
        }
        var sb = new StringBuilder(Name).Append('(');
        var lines = extraLines.Concat(childLines).ToList();
        if (lines.Count > 0)
        {
            if (extraLines.Length == 1 && childLines.Count == 0) sb.Append(extraLines[0]);
            else sb.Append("\n  ").Append(string.Join("\n  ", lines)).Append('\n');
        }
        return sb.Append(')').ToString();
    }

    /// <summary>Python-style literal for reprs: True/False, None, tuples "(3, 3)".</summary>
    protected static string Py(object? v) => v switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture) is var s && !s.Contains('.') && !s.Contains('E') && !s.Contains("Infinity") && !s.Contains("NaN") ? s + ".0" : PyFloat(d),
        float f => Py((double)f),
        int[] a => a.Length == 1 ? $"({a[0]},)" : "(" + string.Join(", ", a) + ")",
        string s => "'" + s + "'",
        _ => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };

    private static string PyFloat(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsPositiveInfinity(d)) return "inf";
        if (double.IsNegativeInfinity(d)) return "-inf";
        var s = d.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        if (s.Contains('E'))
        {
            // Python: 1e-05, 1e+20
            var parts = s.Split('E');
            int exp = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
            return parts[0] + "e" + (exp < 0 ? "-" : "+") + Math.Abs(exp).ToString("00", System.Globalization.CultureInfo.InvariantCulture);
        }
        return s;
    }
}

using System.Globalization;
using System.Numerics;
using System.Text;

namespace Lantern;

// Printing as PyTorch's repr (torch/_tensor_str.py) with the default print options: precision 4, threshold 1000
// elements, 3 edge items, line width 80. Float digits are rounded exactly (half to even on the binary value), as
// Python's format() does.
public sealed partial class Tensor
{
    private const int PrintPrecision = 4, PrintThreshold = 1000, PrintEdgeItems = 3, PrintLineWidth = 80;

    /// <summary>
    /// PyTorch's repr, e.g. <c>tensor([[1.0000, 2.5000],\n        [3.0000, 4.0000]])</c>. Floats print with 4
    /// decimals; integer-valued floats as <c>1.</c>; scientific notation (<c>1.0000e-05</c>) when the largest to
    /// smallest nonzero magnitude ratio exceeds 1000, the largest exceeds 1e8, or (non-integer values) the smallest
    /// is below 1e-4; integers plainly; bools as True/False. More than 1000 elements are summarised with "..." and 3
    /// items at each edge of every dim. Suffixes: dtype when not float32/int64/bool, <c>grad_fn=&lt;AddBackward&gt;</c>
    /// or <c>requires_grad=True</c>; empty tensors show their size (<c>tensor([], size=(0, 3))</c>).
    /// </summary>
    public override string ToString()
    {
        const string prefix = "tensor(";
        int indent = prefix.Length;
        var suffixes = new List<string>();
        string body;
        if (Numel() == 0)
        {
            if (Rank != 1) suffixes.Add("size=(" + string.Join(", ", Shape.ToArray()) + ")"); // 1-D empty tensors omit their size
            if (DType != DTypes.DefaultFloat) suffixes.Add("dtype=" + DType.TorchName());
            body = "[]";
        }
        else
        {
            if (DType is not (DTypes.DefaultFloat or DType.Int64 or DType.Bool)) suffixes.Add("dtype=" + DType.TorchName());
            body = new Printer(this).Body(indent);
        }
        if (GradFn is { } fn) suffixes.Add($"grad_fn=<{fn}>");
        else if (RequiresGrad) suffixes.Add("requires_grad=True");
        return AddSuffixes(prefix + body, suffixes, indent);
    }

    // _add_suffixes: a suffix goes on a new line when the current line would pass the line width.
    private static string AddSuffixes(string text, List<string> suffixes, int indent)
    {
        var sb = new StringBuilder(text);
        int lastLine = text.Length - text.LastIndexOf('\n') + 1;
        foreach (var s in suffixes)
        {
            if (lastLine + s.Length + 2 > PrintLineWidth)
            {
                sb.Append(",\n").Append(' ', indent).Append(s);
                lastLine = indent + s.Length;
            }
            else
            {
                sb.Append(", ").Append(s);
                lastLine += s.Length + 2;
            }
        }
        return sb.Append(')').ToString();
    }

    /// <summary>The nested-bracket body of one tensor (PyTorch's _tensor_str_with_formatter).</summary>
    private sealed class Printer
    {
        private readonly int[] _shape, _strides;
        private readonly double[]? _floats;
        private readonly long[]? _ints;
        private readonly bool[]? _bools;
        private readonly bool _summarize;
        private readonly bool _floating;
        private bool _intMode = true, _sci;
        private int _width = 1;

        public Printer(Tensor t)
        {
            _shape = t.Shape.ToArray();
            _strides = Layout.ContiguousStrides(_shape);
            _summarize = t.Numel() > PrintThreshold;
            _floating = t.DType.IsFloatingPoint();
            using (Autograd.NoGrad())
            {
                if (_floating) _floats = t.ToArray<double>();
                else if (t.DType == DType.Bool) _bools = t.ToArray<bool>();
                else _ints = t.ToArray<long>();
            }
            var shown = new List<int>();
            Collect(0, 0, shown);
            if (_floating) ChooseFloatMode(shown);
            else foreach (int i in shown) _width = Math.Max(_width, Plain(i).Length);
        }

        // The linear positions printed (all, or the edges of every dim when summarising): the formatter sees only these.
        private void Collect(int d, int linear, List<int> into)
        {
            if (d == _shape.Length) { into.Add(linear); return; }
            foreach (int i in Edges(_shape[d])) Collect(d + 1, linear + i * _strides[d], into);
        }

        private IEnumerable<int> Edges(int n)
        {
            if (!_summarize || n <= 2 * PrintEdgeItems) return Enumerable.Range(0, n);
            return Enumerable.Range(0, PrintEdgeItems).Concat(Enumerable.Range(n - PrintEdgeItems, PrintEdgeItems));
        }

        // _Formatter.__init__ for floating tensors.
        private void ChooseFloatMode(List<int> shown)
        {
            var vals = shown.Select(i => _floats![i]).Where(v => double.IsFinite(v) && v != 0).ToList();
            if (vals.Count == 0) return;
            double min = vals.Min(Math.Abs), max = vals.Max(Math.Abs);
            _intMode = vals.All(v => v == Math.Ceiling(v));
            if (_intMode)
            {
                _sci = max / min > 1000 || max > 1e8;
                foreach (var v in vals) _width = Math.Max(_width, _sci ? Sci(v, PrintPrecision).Length : Fixed(v, 0).Length + 1);
            }
            else
            {
                _sci = max / min > 1000 || max > 1e8 || min < 1e-4;
                foreach (var v in vals) _width = Math.Max(_width, (_sci ? Sci(v, PrintPrecision) : Fixed(v, PrintPrecision)).Length);
            }
        }

        private string Plain(int i) => _bools is not null ? (_bools[i] ? "True" : "False") : _ints![i].ToString(CultureInfo.InvariantCulture);

        private string Format(int i)
        {
            string s;
            if (!_floating) s = Plain(i);
            else
            {
                double v = _floats![i];
                if (_sci) s = Sci(v, PrintPrecision);
                else if (_intMode) s = Fixed(v, 0) + (double.IsFinite(v) ? "." : "");
                else s = Fixed(v, PrintPrecision);
            }
            return s.Length < _width ? new string(' ', _width - s.Length) + s : s;
        }

        public string Body(int indent) => _shape.Length == 0 ? Format(0) : Nested(0, 0, indent);

        private string Nested(int d, int linear, int indent)
        {
            int n = _shape[d];
            bool elide = _summarize && n > 2 * PrintEdgeItems;
            if (d == _shape.Length - 1)
            {
                // _vector_str: as many elements per line as fit in the line width.
                int perLine = Math.Max(1, (PrintLineWidth - indent) / (_width + 2));
                var items = new List<string>();
                foreach (int i in Edges(n))
                {
                    if (elide && i == n - PrintEdgeItems) items.Add(" ...");
                    items.Add(Format(linear + i * _strides[d]));
                }
                var lines = items.Chunk(perLine).Select(c => string.Join(", ", c));
                return "[" + string.Join(",\n" + new string(' ', indent + 1), lines) + "]";
            }
            var slices = new List<string>();
            foreach (int i in Edges(n))
            {
                if (elide && i == n - PrintEdgeItems) slices.Add("...");
                slices.Add(Nested(d + 1, linear + i * _strides[d], indent + 1));
            }
            int sub = _shape.Length - d;
            return "[" + string.Join("," + new string('\n', sub - 1) + new string(' ', indent + 1), slices) + "]";
        }
    }

    /// <summary>Python's "{:.{p}f}".format(v): exact decimal value rounded half to even; keeps the sign of -0.</summary>
    internal static string Fixed(double v, int precision)
    {
        if (!double.IsFinite(v)) return NonFinite(v);
        var q = RoundScaled(Math.Abs(v), precision);
        string digits = q.ToString(CultureInfo.InvariantCulture).PadLeft(precision + 1, '0');
        string body = precision == 0 ? digits : digits[..^precision] + "." + digits[^precision..];
        return (double.IsNegative(v) ? "-" : "") + body;
    }

    /// <summary>Python's "{:.{p}e}".format(v): d.dddde+XX with at least two exponent digits.</summary>
    internal static string Sci(double v, int precision)
    {
        if (!double.IsFinite(v)) return NonFinite(v);
        double a = Math.Abs(v);
        string sign = double.IsNegative(v) ? "-" : "";
        if (a == 0) return sign + "0" + (precision > 0 ? "." + new string('0', precision) : "") + "e+00";
        int e = (int)Math.Floor(Math.Log10(a));
        var lo = BigInteger.Pow(10, precision);
        var hi = lo * 10;
        BigInteger q;
        while (true)
        {
            q = RoundScaled(a, precision - e);
            if (q >= hi) e++;
            else if (q < lo) e--;
            else break;
        }
        string digits = q.ToString(CultureInfo.InvariantCulture);
        string mant = precision == 0 ? digits : digits[..1] + "." + digits[1..];
        return $"{sign}{mant}e{(e < 0 ? '-' : '+')}{Math.Abs(e):00}";
    }

    private static string NonFinite(double v) => double.IsNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";

    /// <summary>round_half_even(a * 10^k) computed exactly from a's binary mantissa and exponent (a finite, &gt;= 0).</summary>
    private static BigInteger RoundScaled(double a, int k)
    {
        long bits = BitConverter.DoubleToInt64Bits(a);
        int expBits = (int)((bits >> 52) & 0x7FF);
        long frac = bits & ((1L << 52) - 1);
        BigInteger num = expBits == 0 ? frac : frac | (1L << 52);
        int exp = expBits == 0 ? -1074 : expBits - 1075;
        BigInteger den = BigInteger.One;
        if (exp >= 0) num <<= exp; else den <<= -exp;
        if (k >= 0) num *= BigInteger.Pow(10, k); else den *= BigInteger.Pow(10, -k);
        var q = BigInteger.DivRem(num, den, out var r);
        int c = (r * 2).CompareTo(den);
        if (c > 0 || (c == 0 && !q.IsEven)) q += 1;
        return q;
    }
}

using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Lantern.IO;

/// <summary>
/// The JSON form of a state tree's structure (everything but tensor data), as documented on
/// <see cref="StateFile"/>. Encoding collects the tensors under their dotted keys; decoding resolves
/// <c>{"$tensor": key}</c> references against the loaded tensors.
/// </summary>
internal static class StateTreeJson
{
    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = false };

    /// <summary>Tensors found while encoding, under their dotted keys.</summary>
    internal sealed class Tensors
    {
        internal readonly OrderedDictionary<string, Tensor> ByKey = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _paths = new(StringComparer.Ordinal);

        internal string Add(string key, Tensor t, string where)
        {
            if (!_paths.TryAdd(key, where))
                throw new ArgumentException($"StateFile: two tensors map to the key '{key}' ({_paths[key]} and {where}); rename one of the entries.");
            ByKey[key] = t;
            return key;
        }
    }

    // ---- encoding -------------------------------------------------------------------------------------

    internal static byte[] Encode(Dictionary<string, object> tree, Tensors tensors)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, s_writerOptions)) WriteNode(w, tree, "", tensors);
        return ms.ToArray();
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    private static string Where(string path) => path.Length == 0 ? "the root" : $"'{path}'";

    private static void WriteNode(Utf8JsonWriter w, Dictionary<string, object> node, string path, Tensors tensors)
    {
        w.WriteStartObject();
        foreach (var (k, v) in node)
        {
            w.WritePropertyName(k.StartsWith('$') ? "$" + k : k); // '$' starts tags; user keys get it doubled
            WriteValue(w, v, Join(path, k), tensors);
        }
        w.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter w, object? value, string path, Tensors tensors)
    {
        switch (value)
        {
            case null:
                throw new ArgumentException($"StateFile: {Where(path)} is null; state trees hold no nulls (leave the key out).");
            case string s: w.WriteStringValue(s); break;
            case bool b: w.WriteBooleanValue(b); break;
            case long l: w.WriteNumberValue(l); break;
            case double d: WriteDouble(w, d); break;
            case int i: Tagged(w, "$int", () => w.WriteNumberValue(i)); break;
            case ulong u: Tagged(w, "$uint64", () => w.WriteStringValue(u.ToString(CultureInfo.InvariantCulture))); break;
            case float f: Tagged(w, "$float32", () => w.WriteStringValue(Hex(BitConverter.SingleToUInt32Bits(f)))); break;
            case Tensor t: Tagged(w, "$tensor", () => w.WriteStringValue(tensors.Add(path, t, Where(path)))); break;
            case int[] a: Tagged(w, "$int[]", () => Array(w, a, x => w.WriteNumberValue(x))); break;
            case long[] a: Tagged(w, "$long[]", () => Array(w, a, x => w.WriteNumberValue(x))); break;
            case double[] a: Tagged(w, "$double[]", () => Array(w, a, x => WriteDouble(w, x, inArray: true))); break;
            case bool[] a: Tagged(w, "$bool[]", () => Array(w, a, x => w.WriteBooleanValue(x))); break;
            case string[] a: Tagged(w, "$string[]", () => Array(w, a, x => w.WriteStringValue(x ?? throw new ArgumentException($"StateFile: {Where(path)} holds a null string.")))); break;
            case Dictionary<string, object> d: WriteNode(w, d, path, tensors); break;
            case Dictionary<string, object>[] list:
                w.WriteStartArray();
                for (int i = 0; i < list.Length; i++)
                    WriteNode(w, list[i] ?? throw new ArgumentException($"StateFile: {Where(Join(path, i.ToString(CultureInfo.InvariantCulture)))} is null."), Join(path, i.ToString(CultureInfo.InvariantCulture)), tensors);
                w.WriteEndArray();
                break;
            case IEnumerable<KeyValuePair<string, Tensor>> named:
                Tagged(w, "$tensors", () =>
                {
                    w.WriteStartObject();
                    foreach (var (k, t) in named)
                    {
                        if (t is null) throw new ArgumentException($"StateFile: tensor '{Join(path, k)}' is null.");
                        w.WriteString(k, tensors.Add(Join(path, k), t, Where(Join(path, k))));
                    }
                    w.WriteEndObject();
                });
                break;
            case object[] items:
                Tagged(w, "$list", () =>
                {
                    w.WriteStartArray();
                    for (int i = 0; i < items.Length; i++) WriteValue(w, items[i], Join(path, i.ToString(CultureInfo.InvariantCulture)), tensors);
                    w.WriteEndArray();
                });
                break;
            default:
                throw new ArgumentException($"StateFile: {Where(path)} has type {value.GetType().Name}; state trees hold double, long, int, ulong, float, bool, string, " +
                    "int[], long[], double[], bool[], string[], Tensor, named tensors (state dicts), Dictionary<string, object>, Dictionary<string, object>[] and object[].");
        }
    }

    private static void Tagged(Utf8JsonWriter w, string tag, Action body)
    {
        w.WriteStartObject();
        w.WritePropertyName(tag);
        body();
        w.WriteEndObject();
    }

    private static void Array<T>(Utf8JsonWriter w, T[] a, Action<T> item)
    {
        w.WriteStartArray();
        foreach (var x in a) item(x);
        w.WriteEndArray();
    }

    /// <summary>
    /// A finite double as a JSON number that always shows a '.' or an exponent (so it reads back as a
    /// double, not a long), in the shortest form that round-trips; non-finite values as their IEEE bits.
    /// </summary>
    private static void WriteDouble(Utf8JsonWriter w, double d, bool inArray = false)
    {
        if (!double.IsFinite(d))
        {
            string bits = Hex(BitConverter.DoubleToUInt64Bits(d));
            if (inArray) w.WriteStringValue(bits);
            else Tagged(w, "$double", () => w.WriteStringValue(bits));
            return;
        }
        string r = d.ToString("R", CultureInfo.InvariantCulture);
        if (r.IndexOfAny(['.', 'E']) < 0) r += ".0";
        w.WriteRawValue(r, skipInputValidation: true);
    }

    private static string Hex(ulong bits) => "0x" + bits.ToString("X16", CultureInfo.InvariantCulture);

    private static string Hex(uint bits) => "0x" + bits.ToString("X8", CultureInfo.InvariantCulture);

    // ---- decoding -------------------------------------------------------------------------------------

    /// <summary>A structural problem in the stored tree.</summary>
    internal sealed class TreeProblem(string message) : Exception(message);

    internal static Dictionary<string, object> Decode(byte[] json, IReadOnlyDictionary<string, Tensor> tensors)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 512 }); }
        catch (JsonException e) { throw new TreeProblem($"the tree JSON is malformed ({e.Message})"); }
        using (doc)
        {
            var used = new HashSet<string>(StringComparer.Ordinal);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new TreeProblem("the tree JSON is not an object");
            var tree = ReadNode(doc.RootElement, "", tensors, used);
            var unused = tensors.Keys.Where(k => !used.Contains(k)).ToList();
            if (unused.Count > 0) throw new TreeProblem($"the file holds tensors the tree does not reference: {string.Join(", ", unused.Take(5))}");
            return tree;
        }
    }

    private static Dictionary<string, object> ReadNode(JsonElement e, string path, IReadOnlyDictionary<string, Tensor> tensors, HashSet<string> used)
    {
        var node = new Dictionary<string, object>();
        foreach (var p in e.EnumerateObject())
        {
            if (p.Name.StartsWith('$') && !p.Name.StartsWith("$$", StringComparison.Ordinal))
                throw new TreeProblem($"{Where(path)} has the key '{p.Name}' outside a tag");
            string key = p.Name.StartsWith('$') ? p.Name[1..] : p.Name;
            if (!node.TryAdd(key, ReadValue(p.Value, Join(path, key), tensors, used)))
                throw new TreeProblem($"{Where(path)} has the key '{key}' twice");
        }
        return node;
    }

    private static object ReadValue(JsonElement e, string path, IReadOnlyDictionary<string, Tensor> tensors, HashSet<string> used)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String: return e.GetString()!;
            case JsonValueKind.True: return true;
            case JsonValueKind.False: return false;
            case JsonValueKind.Number: return ReadNumber(e, path);
            case JsonValueKind.Array:
                return e.EnumerateArray().Select((x, i) => x.ValueKind == JsonValueKind.Object
                    ? ReadNode(x, Join(path, i.ToString(CultureInfo.InvariantCulture)), tensors, used)
                    : throw new TreeProblem($"{Where(path)}: a plain array holds something other than objects")).ToArray();
            case JsonValueKind.Object:
                using (var it = e.EnumerateObject().GetEnumerator())
                {
                    if (it.MoveNext() && it.Current.Name.StartsWith('$') && !it.Current.Name.StartsWith("$$", StringComparison.Ordinal))
                    {
                        var tag = it.Current;
                        if (it.MoveNext()) throw new TreeProblem($"{Where(path)}: the tagged value '{tag.Name}' has extra keys");
                        return ReadTagged(tag.Name, tag.Value, path, tensors, used);
                    }
                }
                return ReadNode(e, path, tensors, used);
            default:
                throw new TreeProblem($"{Where(path)} is {e.ValueKind}, which a state tree cannot hold");
        }
    }

    private static object ReadTagged(string tag, JsonElement v, string path, IReadOnlyDictionary<string, Tensor> tensors, HashSet<string> used)
    {
        try
        {
            return tag switch
            {
                "$tensor" => Resolve(v.GetString()!, path, tensors, used),
                "$tensors" => ReadNamed(v, path, tensors, used),
                "$int" => v.GetInt32(),
                "$uint64" => ulong.Parse(v.GetString()!, NumberStyles.None, CultureInfo.InvariantCulture),
                "$float32" => BitConverter.UInt32BitsToSingle(checked((uint)ParseHex(v.GetString()!, 8))),
                "$double" => BitConverter.UInt64BitsToDouble(ParseHex(v.GetString()!, 16)),
                "$int[]" => v.EnumerateArray().Select(x => x.GetInt32()).ToArray(),
                "$long[]" => v.EnumerateArray().Select(x => x.GetInt64()).ToArray(),
                "$double[]" => v.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String
                    ? BitConverter.UInt64BitsToDouble(ParseHex(x.GetString()!, 16)) : ReadDouble(x, path)).ToArray(),
                "$bool[]" => v.EnumerateArray().Select(x => x.GetBoolean()).ToArray(),
                "$string[]" => v.EnumerateArray().Select(x => x.GetString() ?? throw new TreeProblem($"{Where(path)}: null in a string array")).ToArray(),
                "$list" => v.EnumerateArray().Select((x, i) => ReadValue(x, Join(path, i.ToString(CultureInfo.InvariantCulture)), tensors, used)).ToArray(),
                _ => throw new TreeProblem($"{Where(path)} has the unknown tag '{tag}'"),
            };
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or OverflowException)
        {
            throw new TreeProblem($"{Where(path)}: the '{tag}' value is malformed ({ex.Message})");
        }
    }

    private static OrderedDictionary<string, Tensor> ReadNamed(JsonElement v, string path, IReadOnlyDictionary<string, Tensor> tensors, HashSet<string> used)
    {
        var d = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var p in v.EnumerateObject())
            if (!d.TryAdd(p.Name, Resolve(p.Value.GetString()!, Join(path, p.Name), tensors, used)))
                throw new TreeProblem($"{Where(path)} names the tensor '{p.Name}' twice");
        return d;
    }

    private static Tensor Resolve(string key, string path, IReadOnlyDictionary<string, Tensor> tensors, HashSet<string> used)
    {
        if (!tensors.TryGetValue(key, out var t)) throw new TreeProblem($"{Where(path)} refers to the tensor '{key}', which the file lacks");
        if (!used.Add(key)) throw new TreeProblem($"the tensor '{key}' is referenced twice");
        return t;
    }

    private static object ReadNumber(JsonElement e, string path)
    {
        string raw = e.GetRawText();
        if (raw.AsSpan().IndexOfAny('.', 'e', 'E') >= 0) return ReadDouble(e, path);
        return long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)
            ? l : throw new TreeProblem($"{Where(path)}: the integer {raw} does not fit a long");
    }

    private static double ReadDouble(JsonElement e, string path)
    {
        if (e.ValueKind != JsonValueKind.Number) throw new TreeProblem($"{Where(path)}: expected a number, got {e.ValueKind}");
        return double.Parse(e.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    private static ulong ParseHex(string s, int digits)
    {
        if (s.Length != digits + 2 || !s.StartsWith("0x", StringComparison.Ordinal))
            throw new FormatException($"expected 0x and {digits} hex digits, got '{s}'");
        return ulong.Parse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
    }
}

using System.Text;
using System.Text.Json;

namespace Lantern.IO;

/// <summary>One tensor entry of a safetensors header.</summary>
/// <param name="Name">The tensor's key.</param>
/// <param name="DType">Element type (F32, F64, I64, U8, BOOL in the file).</param>
/// <param name="Shape">Dimensions (row-major, little-endian data).</param>
/// <param name="Begin">First byte of the data, relative to the start of the data section.</param>
/// <param name="End">One past the last byte (End - Begin = numel * element size).</param>
public sealed record SafeTensorInfo(string Name, DType DType, Shape Shape, long Begin, long End);

/// <summary>
/// A parsed and fully validated safetensors header: every entry's dtype is known, its shape's byte size
/// equals its offset range, and the ranges tile the data section exactly (no gap, no overlap, nothing past
/// the end of the file).
/// </summary>
public sealed class SafeTensorsHeader
{
    internal SafeTensorsHeader(List<SafeTensorInfo> tensors, Dictionary<string, string>? metadata, long headerLength, long dataLength)
    {
        Tensors = tensors;
        Metadata = metadata;
        HeaderLength = headerLength;
        DataLength = dataLength;
    }

    /// <summary>The entries in data-offset order (the order the bytes appear in the file).</summary>
    public IReadOnlyList<SafeTensorInfo> Tensors { get; }

    /// <summary>The <c>__metadata__</c> map, or null when the file has none.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; }

    /// <summary>N, the JSON header's length in bytes (including its space padding).</summary>
    public long HeaderLength { get; }

    /// <summary>Bytes in the data section (file length - 8 - N).</summary>
    public long DataLength { get; }

    /// <summary>Where the data section starts in the file (8 + N).</summary>
    public long DataStart => 8 + HeaderLength;
}

/// <summary>Header encoding and decoding shared by the reader and the writer.</summary>
internal static class SafeTensorsFormat
{
    /// <summary>The Python/Rust library refuses headers above 100,000,000 bytes (MAX_HEADER_SIZE); so do we.</summary>
    internal const long MaxHeaderSize = 100_000_000;

    internal const string MetadataKey = "__metadata__";

    /// <summary>The library's dtype name of a Lantern dtype.</summary>
    internal static string Name(DType t) => t switch
    {
        DType.Bool => "BOOL",
        DType.UInt8 => "U8",
        DType.Int64 => "I64",
        DType.Float32 => "F32",
        _ => "F64",
    };

    /// <summary>
    /// Rank in the library's <c>Dtype</c> enum (declared in increasing alignment: BOOL, U8, I8, F8_*, I16, U16,
    /// F16, BF16, I32, U32, F32, F64, I64, U64); its writer sorts by this rank descending, then by name.
    /// </summary>
    internal static int Rank(DType t) => t switch
    {
        DType.Bool => 0,
        DType.UInt8 => 1,
        DType.Float32 => 11,
        DType.Float64 => 12,
        _ => 13,
    };

    private static readonly string[] s_otherLibraryDTypes =
        ["I8", "I16", "U16", "F16", "BF16", "I32", "U32", "U64", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64"];

    private static DType ParseDType(string name, string tensor) => name switch
    {
        "BOOL" => DType.Bool,
        "U8" => DType.UInt8,
        "I64" => DType.Int64,
        "F32" => DType.Float32,
        "F64" => DType.Float64,
        _ when s_otherLibraryDTypes.Contains(name) =>
            throw Bad($"tensor '{tensor}' has dtype {name}, which Lantern cannot hold (it reads F32, F64, I64, U8 and BOOL)"),
        _ => throw Bad($"tensor '{tensor}' has unknown dtype '{name}'"),
    };

    /// <summary>A format problem; the caller prefixes the source name.</summary>
    internal static FormatProblem Bad(string problem) => new(problem);

    /// <summary>A problem found while decoding, before the file name is known to the message.</summary>
    internal sealed class FormatProblem(string problem) : Exception(problem);

    // ---- decoding -------------------------------------------------------------------------------------

    /// <summary>
    /// Validates the 8-byte length prefix against the source length and returns N. Nothing is allocated
    /// from the prefix's value before this check.
    /// </summary>
    internal static long CheckHeaderLength(ReadOnlySpan<byte> prefix, long sourceLength)
    {
        if (sourceLength < 8)
            throw Bad($"the file is {sourceLength} bytes long, shorter than the 8-byte header length field");
        ulong n = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (n > (ulong)MaxHeaderSize)
            throw Bad($"the header length field says {n} bytes, above the 100,000,000-byte limit (a corrupt or non-safetensors file)");
        if ((long)n > sourceLength - 8)
            throw Bad($"the header length field says {n} bytes but only {sourceLength - 8} bytes follow it (truncated file?)");
        if (n < 2)
            throw Bad($"the header length field says {n} bytes, too short for a JSON object");
        return (long)n;
    }

    /// <summary>Parses and validates the JSON header (already bounded by <see cref="CheckHeaderLength"/>).</summary>
    internal static SafeTensorsHeader Parse(ReadOnlySpan<byte> json, long sourceLength)
    {
        long dataLength = sourceLength - 8 - json.Length;
        if (!System.Text.Unicode.Utf8.IsValid(json)) throw Bad("the header is not valid UTF-8");
        var entries = new List<SafeTensorInfo>();
        Dictionary<string, string>? metadata = null;
        var names = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            var r = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 8 });
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject) throw Bad("the header is not a JSON object");
            while (true)
            {
                Next(ref r);
                if (r.TokenType == JsonTokenType.EndObject) break;
                string key = r.GetString()!;
                if (!names.Add(key)) throw Bad($"the header has the key '{key}' twice");
                Next(ref r);
                if (key == MetadataKey) metadata = ParseMetadata(ref r);
                else entries.Add(ParseEntry(ref r, key));
            }
            if (r.Read()) throw Bad("the header has content after its JSON object");
        }
        catch (JsonException e)
        {
            throw Bad($"the header is not valid JSON ({e.Message})");
        }
        Validate(entries, dataLength);
        return new SafeTensorsHeader(entries, metadata, json.Length, dataLength);
    }

    private static void Next(ref Utf8JsonReader r)
    {
        if (!r.Read()) throw Bad("the header's JSON ends early");
    }

    private static Dictionary<string, string>? ParseMetadata(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.StartObject) throw Bad("__metadata__ is not a JSON object of strings");
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        while (true)
        {
            Next(ref r);
            if (r.TokenType == JsonTokenType.EndObject) return d;
            string k = r.GetString()!;
            Next(ref r);
            if (r.TokenType != JsonTokenType.String) throw Bad($"__metadata__ entry '{k}' is not a string");
            if (!d.TryAdd(k, r.GetString()!)) throw Bad($"__metadata__ has the key '{k}' twice");
        }
    }

    private static SafeTensorInfo ParseEntry(ref Utf8JsonReader r, string name)
    {
        if (r.TokenType != JsonTokenType.StartObject) throw Bad($"entry '{name}' is not a JSON object");
        string? dtype = null;
        List<ulong>? shape = null, offsets = null;
        while (true)
        {
            Next(ref r);
            if (r.TokenType == JsonTokenType.EndObject) break;
            string field = r.GetString()!;
            Next(ref r);
            switch (field)
            {
                case "dtype" when dtype is null:
                    if (r.TokenType != JsonTokenType.String) throw Bad($"tensor '{name}': dtype is not a string");
                    dtype = r.GetString()!;
                    break;
                case "shape" when shape is null:
                    shape = ParseUInts(ref r, name, "shape");
                    break;
                case "data_offsets" when offsets is null:
                    offsets = ParseUInts(ref r, name, "data_offsets");
                    break;
                case "dtype" or "shape" or "data_offsets":
                    throw Bad($"tensor '{name}' has the field '{field}' twice");
                default:
                    r.Skip(); // unknown fields are ignored, as the Python library's serde reader does
                    break;
            }
        }
        if (dtype is null || shape is null || offsets is null)
            throw Bad($"tensor '{name}' lacks {(dtype is null ? "dtype" : shape is null ? "shape" : "data_offsets")}");
        var dt = ParseDType(dtype, name);
        if (offsets.Count != 2) throw Bad($"tensor '{name}': data_offsets has {offsets.Count} numbers, expected [begin, end]");
        ulong begin = offsets[0], end = offsets[1];
        if (end < begin) throw Bad($"tensor '{name}': data_offsets [{begin}, {end}] end before they begin");
        var dims = new int[shape.Count];
        UInt128 numel = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (shape[i] > int.MaxValue) throw Bad($"tensor '{name}': dimension {shape[i]} exceeds Lantern's limit of {int.MaxValue}");
            dims[i] = (int)shape[i];
            numel *= shape[i];
            if (numel > (UInt128)ulong.MaxValue) numel = (UInt128)ulong.MaxValue + 1; // saturate: only compared below
        }
        UInt128 bytes = numel * (UInt128)dt.ElementSize();
        if (bytes != end - begin)
            throw Bad($"tensor '{name}': shape [{string.Join(", ", shape)}] of {Name(dt)} needs {(numel > ulong.MaxValue ? "more than 2^64" : bytes.ToString())} bytes but data_offsets [{begin}, {end}] span {end - begin}");
        if (numel > int.MaxValue) throw Bad($"tensor '{name}' has {numel} elements; Lantern tensors hold at most {int.MaxValue}");
        if (end > long.MaxValue) throw Bad($"tensor '{name}': data_offsets [{begin}, {end}] lie past the end of the file");
        return new SafeTensorInfo(name, dt, Shape.Wrap(dims), (long)begin, (long)end);
    }

    private static List<ulong> ParseUInts(ref Utf8JsonReader r, string name, string field)
    {
        if (r.TokenType != JsonTokenType.StartArray) throw Bad($"tensor '{name}': {field} is not a JSON array");
        var list = new List<ulong>();
        while (true)
        {
            Next(ref r);
            if (r.TokenType == JsonTokenType.EndArray) return list;
            if (r.TokenType != JsonTokenType.Number || !r.TryGetUInt64(out ulong v))
                throw Bad($"tensor '{name}': {field} holds something other than a non-negative integer");
            list.Add(v);
        }
    }

    /// <summary>Offsets must tile [0, dataLength) exactly once sorted by (begin, end), as the library requires.</summary>
    private static void Validate(List<SafeTensorInfo> entries, long dataLength)
    {
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long at = 0;
        foreach (var e in entries)
        {
            if (e.Begin > dataLength || e.End > dataLength)
                throw Bad($"tensor '{e.Name}': data_offsets [{e.Begin}, {e.End}] lie past the end of the {dataLength}-byte data section (truncated file?)");
            if (e.Begin < at) throw Bad($"tensor '{e.Name}': data_offsets [{e.Begin}, {e.End}] overlap the previous tensor's data (which ends at {at})");
            if (e.Begin > at) throw Bad($"tensor '{e.Name}': data_offsets [{e.Begin}, {e.End}] leave a gap after byte {at} of the data section");
            at = e.End;
        }
        if (at != dataLength)
            throw Bad($"the tensors cover {at} bytes but the data section has {dataLength} (trailing bytes or a truncated header)");
    }

    // ---- encoding -------------------------------------------------------------------------------------

    /// <summary>UTF-8 bytes of a name, with a clear error for unpaired surrogates (not representable in the file).</summary>
    internal static byte[] Utf8Bytes(string s, string what)
    {
        try { return new UTF8Encoding(false, throwOnInvalidBytes: true).GetBytes(s); }
        catch (EncoderFallbackException)
        {
            throw new ArgumentException($"SafeTensors: {what} '{s}' contains an unpaired UTF-16 surrogate; it cannot be stored as UTF-8.");
        }
    }

    /// <summary>
    /// Compares names as Rust's <c>String</c> Ord does: lexicographically by UTF-8 bytes (which differs from
    /// ordinal UTF-16 order for characters above U+FFFF).
    /// </summary>
    internal static int CompareUtf8(byte[] a, byte[] b) => a.AsSpan().SequenceCompareTo(b);

    /// <summary>Appends a JSON string exactly as serde_json escapes it: \" \\ \b \t \n \f \r, other controls as \u00xx.</summary>
    internal static void AppendJsonString(List<byte> o, byte[] utf8)
    {
        o.Add((byte)'"');
        foreach (byte c in utf8)
        {
            switch (c)
            {
                case (byte)'"': o.Add((byte)'\\'); o.Add((byte)'"'); break;
                case (byte)'\\': o.Add((byte)'\\'); o.Add((byte)'\\'); break;
                case 0x08: o.Add((byte)'\\'); o.Add((byte)'b'); break;
                case 0x09: o.Add((byte)'\\'); o.Add((byte)'t'); break;
                case 0x0A: o.Add((byte)'\\'); o.Add((byte)'n'); break;
                case 0x0C: o.Add((byte)'\\'); o.Add((byte)'f'); break;
                case 0x0D: o.Add((byte)'\\'); o.Add((byte)'r'); break;
                case < 0x20:
                    const string hex = "0123456789abcdef";
                    o.AddRange("\\u00"u8);
                    o.Add((byte)hex[c >> 4]);
                    o.Add((byte)hex[c & 15]);
                    break;
                default: o.Add(c); break;
            }
        }
        o.Add((byte)'"');
    }

    internal static void AppendAscii(List<byte> o, string s)
    {
        foreach (char c in s) o.Add((byte)c);
    }
}

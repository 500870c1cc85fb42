using System.Runtime.InteropServices;
using Lantern.Kernels;
using static Lantern.IO.SafeTensorsFormat;

namespace Lantern.IO;

/// <summary>The tensors of a safetensors file (in data-offset order) and its <c>__metadata__</c> (null when absent).</summary>
public sealed record SafeTensorsData(OrderedDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string>? Metadata);

/// <summary>
/// Reads and writes the safetensors format (huggingface/safetensors), byte-compatible with the Python
/// library (<c>safetensors.torch.save_file</c> / <c>load_file</c>), so weights move between Lantern and
/// PyTorch without renaming. Layout of a file:
/// <list type="number">
/// <item>8 bytes: N, the header length, unsigned 64-bit little-endian;</item>
/// <item>N bytes: UTF-8 JSON <c>{"__metadata__": {"k": "v"}, "name": {"dtype": "F32", "shape": [2, 2], "data_offsets": [begin, end]}, ...}</c>
/// (no whitespace, <c>__metadata__</c> first and only when given), padded with spaces to a multiple of 8;</item>
/// <item>the data section: each tensor's elements row-major, little-endian, at [begin, end) relative to the
/// section's start, tiling it exactly.</item>
/// </list>
/// Dtypes: F32, F64, I64, U8, BOOL (one byte, 0 or 1). As the library's writer (safetensors/src/tensor.rs,
/// <c>prepare</c>), tensors are laid out sorted by dtype alignment rank descending (I64, F64, F32, U8, BOOL
/// for Lantern's dtypes), then by name (UTF-8 byte order), and header entries follow the same order. The
/// library writes <c>__metadata__</c> from a Rust HashMap (its order varies between processes when it has
/// more than one entry); Lantern writes metadata keys sorted, so files are deterministic and byte-identical
/// to the library's whenever the metadata has at most one entry.
/// Reading validates the whole header against the file length before allocating any tensor: header
/// length within the file (and at most 100,000,000 bytes, the library's limit), well-formed UTF-8 JSON, known
/// dtypes, shape size times element size equal to end - begin, offsets in range, and the offsets tiling the
/// data section with no gap or overlap. Any violation throws <see cref="InvalidDataException"/> naming
/// the source and the problem. Allocation is therefore bounded by the file's size.
/// </summary>
/// <example><code>
/// SafeTensors.Save("model.safetensors", model.StateDict(), new Dictionary&lt;string, string&gt; { ["format"] = "pt" });
/// var (tensors, metadata) = SafeTensors.Load("model.safetensors");
/// model.LoadStateDict(tensors);
/// </code></example>
public static class SafeTensors
{
    /// <summary>Writes a safetensors file atomically (temp file, flush, rename; see <see cref="AtomicFile"/>).</summary>
    /// <param name="path">Target file.</param>
    /// <param name="tensors">Named tensors (any layout; written contiguous row-major). Names must be unique and not "__metadata__".</param>
    /// <param name="metadata">Free-form string pairs for <c>__metadata__</c> (omitted when null).</param>
    /// <exception cref="ArgumentException">A duplicate or reserved name, a null tensor, or a name that is not valid UTF-16.</exception>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IDictionary<string, string>? metadata = null)
    {
        var plan = Plan(tensors, metadata);
        AtomicFile.Write(path, s => WritePlan(s, plan));
    }

    /// <summary>The bytes <see cref="Save"/> would write.</summary>
    public static byte[] SaveToBytes(IEnumerable<KeyValuePair<string, Tensor>> tensors, IDictionary<string, string>? metadata = null)
    {
        var plan = Plan(tensors, metadata);
        using var ms = new MemoryStream();
        WritePlan(ms, plan);
        return ms.ToArray();
    }

    /// <summary>Writes safetensors bytes to <paramref name="stream"/> at its current position.</summary>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> tensors, IDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        WritePlan(stream, Plan(tensors, metadata));
    }

    /// <summary>Loads every tensor and the metadata of a safetensors file.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">A truncated, corrupt or crafted file (the message names the file and the problem).</exception>
    public static SafeTensorsData Load(string path)
    {
        using var fs = OpenRead(path);
        return Read(fs, path);
    }

    /// <summary>Loads tensors and metadata from the bytes of a safetensors file.</summary>
    /// <exception cref="InvalidDataException">Corrupt or crafted bytes.</exception>
    public static SafeTensorsData LoadFromBytes(byte[] bytes, string sourceName = "<bytes>")
    {
        ArgumentNullException.ThrowIfNull(bytes);
        using var ms = new MemoryStream(bytes, writable: false);
        return Read(ms, sourceName);
    }

    /// <summary>
    /// Reads safetensors content from a seekable stream: from its current position to its end.
    /// </summary>
    /// <exception cref="ArgumentException">The stream cannot seek.</exception>
    /// <exception cref="InvalidDataException">Corrupt or crafted content.</exception>
    public static SafeTensorsData Read(Stream stream, string sourceName = "<stream>")
    {
        var header = ReadHeader(stream, sourceName);
        var tensors = new OrderedDictionary<string, Tensor>(header.Tensors.Count);
        try
        {
            foreach (var e in header.Tensors) tensors[e.Name] = ReadTensor(stream, e);
        }
        catch (FormatProblem p) { throw Invalid(sourceName, p.Message); }
        catch (EndOfStreamException) { throw Invalid(sourceName, "the data ended early (the file shrank while it was read)"); }
        return new SafeTensorsData(tensors, header.Metadata);
    }

    /// <summary>Reads and validates only the header of a file (names, dtypes, shapes, metadata); no tensor is loaded.</summary>
    /// <exception cref="InvalidDataException">A truncated, corrupt or crafted file.</exception>
    public static SafeTensorsHeader ReadHeader(string path)
    {
        using var fs = OpenRead(path);
        return ReadHeader(fs, path);
    }

    /// <summary>Reads and validates the header at the stream's position; leaves the stream at the data section.</summary>
    /// <exception cref="ArgumentException">The stream cannot seek.</exception>
    /// <exception cref="InvalidDataException">Corrupt or crafted content.</exception>
    public static SafeTensorsHeader ReadHeader(Stream stream, string sourceName = "<stream>")
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek || !stream.CanRead)
            throw new ArgumentException($"SafeTensors: {sourceName}: the stream must be readable and seekable (its length bounds every offset).");
        long length = stream.Length - stream.Position;
        try
        {
            Span<byte> prefix = stackalloc byte[8];
            int got = length >= 8 ? 8 : 0;
            stream.ReadExactly(prefix[..got]);
            long n = CheckHeaderLength(prefix, length);
            var json = new byte[n]; // bounded by the stream's length and by MaxHeaderSize
            stream.ReadExactly(json);
            return Parse(json, length);
        }
        catch (FormatProblem p) { throw Invalid(sourceName, p.Message); }
        catch (EndOfStreamException) { throw Invalid(sourceName, "the header ended early (the file shrank while it was read)"); }
    }

    private static FileStream OpenRead(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
    }

    private static InvalidDataException Invalid(string source, string problem) => new($"SafeTensors: '{source}': {problem}.");

    // ---- reading tensors ------------------------------------------------------------------------------

    private static Tensor ReadTensor(Stream s, SafeTensorInfo e) => e.DType switch
    {
        DType.Float32 => Read<float>(s, e),
        DType.Float64 => Read<double>(s, e),
        DType.Int64 => Read<long>(s, e),
        DType.UInt8 => Read<byte>(s, e),
        _ => Read<bool>(s, e),
    };

    private static Tensor Read<T>(Stream s, SafeTensorInfo e) where T : unmanaged
    {
        int numel = e.Shape.Numel; // validated against the offsets and the file length
        var data = numel == 0 ? [] : new T[numel];
        var bytes = MemoryMarshal.AsBytes(data.AsSpan());
        s.ReadExactly(bytes);
        if (typeof(T) == typeof(bool))
        {
            int bad = bytes.IndexOfAnyExcept((byte)0, (byte)1);
            if (bad >= 0) throw Bad($"BOOL tensor '{e.Name}' holds the byte {bytes[bad]} at element {bad} (only 0 and 1 are booleans)");
        }
        if (!BitConverter.IsLittleEndian) Endian.Swap<T>(bytes);
        return new Tensor(new Storage(new CpuBuffer<T>(data)), Layout.Contiguous(e.Shape));
    }

    // ---- writing --------------------------------------------------------------------------------------

    private sealed record Entry(string Name, byte[] Utf8, Tensor Tensor);

    private sealed record WritePlanData(byte[] Header, List<Entry> Entries);

    private static WritePlanData Plan(IEnumerable<KeyValuePair<string, Tensor>> tensors, IDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var entries = new List<Entry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, t) in tensors)
        {
            ArgumentNullException.ThrowIfNull(name, "tensor name");
            if (t is null) throw new ArgumentException($"SafeTensors: tensor '{name}' is null.");
            if (name == MetadataKey) throw new ArgumentException($"SafeTensors: '{MetadataKey}' is reserved for the metadata map and cannot name a tensor.");
            if (!seen.Add(name)) throw new ArgumentException($"SafeTensors: the tensor name '{name}' appears twice.");
            entries.Add(new Entry(name, Utf8Bytes(name, "tensor name"), t));
        }
        entries.Sort((a, b) => Rank(a.Tensor.DType) != Rank(b.Tensor.DType)
            ? Rank(b.Tensor.DType).CompareTo(Rank(a.Tensor.DType))
            : CompareUtf8(a.Utf8, b.Utf8));

        var o = new List<byte>(64 + 64 * entries.Count);
        o.Add((byte)'{');
        if (metadata is not null)
        {
            AppendAscii(o, "\"__metadata__\":{");
            var pairs = metadata.Select(kv => (K: Utf8Bytes(kv.Key, "metadata key"), V: Utf8Bytes(kv.Value ?? throw new ArgumentException($"SafeTensors: metadata '{kv.Key}' is null."), "metadata value")))
                .OrderBy(p => p.K, Comparer<byte[]>.Create(CompareUtf8)).ToList();
            for (int i = 0; i < pairs.Count; i++)
            {
                if (i > 0) o.Add((byte)',');
                AppendJsonString(o, pairs[i].K);
                o.Add((byte)':');
                AppendJsonString(o, pairs[i].V);
            }
            o.Add((byte)'}');
            if (entries.Count > 0) o.Add((byte)',');
        }
        long offset = 0;
        for (int i = 0; i < entries.Count; i++)
        {
            var (_, utf8, t) = entries[i];
            long n = (long)t.Numel() * t.ElementSize;
            if (i > 0) o.Add((byte)',');
            AppendJsonString(o, utf8);
            AppendAscii(o, $":{{\"dtype\":\"{Name(t.DType)}\",\"shape\":[{string.Join(",", t.Shape.Dims.ToArray())}],\"data_offsets\":[{offset},{offset + n}]}}");
            offset += n;
        }
        o.Add((byte)'}');
        while (o.Count % 8 != 0) o.Add((byte)' '); // the library pads with spaces so the data starts 8-aligned
        if (o.Count > MaxHeaderSize)
            throw new ArgumentException($"SafeTensors: the header would be {o.Count} bytes, above the 100,000,000-byte limit readers enforce.");
        return new WritePlanData(o.ToArray(), entries);
    }

    private static void WritePlan(Stream s, WritePlanData plan)
    {
        Span<byte> prefix = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)plan.Header.Length);
        s.Write(prefix);
        s.Write(plan.Header);
        foreach (var e in plan.Entries)
        {
            var t = e.Tensor;
            switch (t.DType)
            {
                case DType.Float32: WriteData<float>(s, t); break;
                case DType.Float64: WriteData<double>(s, t); break;
                case DType.Int64: WriteData<long>(s, t); break;
                case DType.UInt8: WriteData<byte>(s, t); break;
                default: WriteData<bool>(s, t); break;
            }
        }
    }

    private static void WriteData<T>(Stream s, Tensor t) where T : unmanaged
    {
        int n = t.Numel();
        if (n == 0) return;
        ReadOnlySpan<T> span = t.IsContiguous ? t.Data<T>().AsSpan(t.StorageOffset, n) : t.ToArray<T>();
        if (BitConverter.IsLittleEndian) { s.Write(MemoryMarshal.AsBytes(span)); return; }
        var copy = MemoryMarshal.AsBytes(span).ToArray();
        Endian.Swap<T>(copy);
        s.Write(copy);
    }

    /// <summary>Byte-order swap for big-endian hosts (the format is little-endian).</summary>
    private static class Endian
    {
        internal static void Swap<T>(Span<byte> bytes) where T : unmanaged
        {
            int size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
            if (size == 1) return;
            for (int i = 0; i < bytes.Length; i += size) bytes.Slice(i, size).Reverse();
        }
    }
}

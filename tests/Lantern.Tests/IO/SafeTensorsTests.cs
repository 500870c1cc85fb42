using System.Text;
using Lantern.IO;
using Lantern.NN;
using Xunit;

namespace Lantern.Tests.IO;

/// <summary>
/// safetensors byte layout against the Python/Rust library (huggingface/safetensors, safetensors/src/tensor.rs:
/// <c>prepare</c> sorts by dtype descending then name, <c>serde_json::to_string</c> writes the header with no
/// whitespace and <c>__metadata__</c> first, then pads with b' ' to a multiple of 8; the test vectors below are
/// the library's own tests <c>test_serialization</c>, <c>test_empty</c> and <c>test_serialization_forced_alignement</c>).
/// </summary>
public class SafeTensorsTests
{
    private static byte[] F32Bytes(params float[] v) => v.SelectMany(BitConverter.GetBytes).ToArray();

    private static byte[] Le64(long n) => BitConverter.GetBytes((ulong)n);

    private static byte[] FileBytes(string json, byte[] data)
    {
        var header = Encoding.UTF8.GetBytes(json).ToList();
        while (header.Count % 8 != 0) header.Add((byte)' ');
        return [.. Le64(header.Count), .. header, .. data];
    }

    [Fact] // {"test": F32 [2, 2]} hand-built: N = 64 (60 JSON bytes + 4 spaces), then 16 data bytes
    public void SpecExampleByteForByte()
    {
        const string json = "{\"test\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}";
        Assert.Equal(60, json.Length);
        byte[] expected = [64, 0, 0, 0, 0, 0, 0, 0, .. Encoding.ASCII.GetBytes(json), 32, 32, 32, 32, .. F32Bytes(1f, -2f, 0.5f, 3f)];
        var t = Tensor.FromArray(new[] { 1f, -2f, 0.5f, 3f }, [2, 2]);
        var bytes = SafeTensors.SaveToBytes([new("test", t)]);
        Assert.Equal(expected, bytes);
        var back = SafeTensors.LoadFromBytes(bytes);
        Assert.Null(back.Metadata);
        Assert.Equal([1f, -2f, 0.5f, 3f], back.Tensors["test"].ToArray<float>());
        Assert.Equal(new Shape(2, 2), back.Tensors["test"].Shape);
    }

    [Fact] // the library's test_serialization: "attn.0" F32 [1, 2, 3] = 0..5, header exactly 64 bytes (no padding)
    public void LibraryTestSerializationVector()
    {
        byte[] expected =
        [
            64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
            116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
            58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
            101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
            0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
        ];
        var t = Tensor.FromArray(new[] { 0f, 1, 2, 3, 4, 5 }, [1, 2, 3]);
        Assert.Equal(expected, SafeTensors.SaveToBytes([new("attn.0", t)]));
    }

    [Fact] // the library's test_serialization_forced_alignement: "attn0" F32 [1, 1, 2, 3]: 65 JSON bytes + 7 spaces
    public void LibraryForcedAlignmentVector()
    {
        byte[] expected =
        [
            72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116,
            121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58,
            91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102,
            115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32, 32,
            32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0,
            160, 64,
        ];
        var t = Tensor.FromArray(new[] { 0f, 1, 2, 3, 4, 5 }, [1, 1, 2, 3]);
        Assert.Equal(expected, SafeTensors.SaveToBytes([new("attn0", t)]));
    }

    [Fact] // the library's test_empty: no tensors -> "{}" + 6 spaces; with {"framework": "pt"} -> 40-byte header
    public void LibraryEmptyVectors()
    {
        Assert.Equal([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32], SafeTensors.SaveToBytes([]));
        byte[] withMeta =
        [
            40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
            95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
            116, 34, 125, 125, 32, 32, 32, 32, 32,
        ];
        var meta = new Dictionary<string, string> { ["framework"] = "pt" };
        Assert.Equal(withMeta, SafeTensors.SaveToBytes([], meta));
        var back = SafeTensors.LoadFromBytes(withMeta);
        Assert.Empty(back.Tensors);
        Assert.Equal("pt", back.Metadata!["framework"]);
    }

    [Fact] // order: dtype rank descending (I64 > F64 > F32 > U8 > BOOL in the library's Dtype enum), then name bytes
    public void OrderFollowsTheLibrary()
    {
        var tensors = new List<KeyValuePair<string, Tensor>>
        {
            new("b", Tensor.FromArray(new[] { true })),
            new("z", Tensor.FromArray(new byte[] { 7 })),
            new("a", Tensor.FromArray(new byte[] { 9, 8 })),
            new("w", Tensor.FromArray(new[] { 1f })),
            new("d", Tensor.FromArray(new[] { 2.0 })),
            new("i", Tensor.FromArray(new[] { 5L })),
        };
        var meta = new Dictionary<string, string> { ["k"] = "v" };
        string json = "{\"__metadata__\":{\"k\":\"v\"}," +
            "\"i\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}," +
            "\"d\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]}," +
            "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[16,20]}," +
            "\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[20,22]}," +
            "\"z\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[22,23]}," +
            "\"b\":{\"dtype\":\"BOOL\",\"shape\":[1],\"data_offsets\":[23,24]}}";
        byte[] data = [.. BitConverter.GetBytes(5L), .. BitConverter.GetBytes(2.0), .. BitConverter.GetBytes(1f), 9, 8, 7, 1];
        Assert.Equal(FileBytes(json, data), SafeTensors.SaveToBytes(tensors, meta));
        var back = SafeTensors.LoadFromBytes(SafeTensors.SaveToBytes(tensors, meta));
        Assert.Equal(["i", "d", "w", "a", "z", "b"], back.Tensors.Keys);
    }

    [Fact] // serde_json escaping: \" \\ \n \t and other control characters as \u00xx (lowercase), UTF-8 raw; names sorted by UTF-8 bytes
    public void NamesAreEscapedAsSerdeJson()
    {
        var one = Tensor.FromArray(new byte[] { 1 });
        string name = "q\"b\\n\nt\tc\u0001é";
        string json = "{\"q\\\"b\\\\n\\nt\\tc\\u0001é\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}," +
            "\"\uFF5E\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}," +
            "\"\U0001F600\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[2,3]}}";
        // U+FF5E (EF BD 9E) sorts before U+1F600 (F0 9F 98 80) in UTF-8, though its UTF-16 unit is larger
        var bytes = SafeTensors.SaveToBytes([new("\U0001F600", one), new(name, one), new("\uFF5E", one)]);
        Assert.Equal(FileBytes(json, [1, 1, 1]), bytes);
        Assert.Equal([name, "\uFF5E", "\U0001F600"], SafeTensors.LoadFromBytes(bytes).Tensors.Keys);
    }

    public static IEnumerable<object[]> Shapes() => new[]
    {
        new object[] { Array.Empty<int>() }, [new[] { 0 }], [new[] { 5 }], [new[] { 2, 0, 3 }], [new[] { 3, 4 }], [new[] { 2, 1, 3, 2 }],
    };

    [Theory] // every dtype, 0-dim, empty and n-dim: same dtype, shape and elements after a round trip through a file
    [MemberData(nameof(Shapes))]
    public void RoundTripEveryDtype(int[] dims)
    {
        var g = new Generator(3);
        Shape s = dims;
        var tensors = new OrderedDictionary<string, Tensor>
        {
            ["f32"] = Tensor.Randn(s, generator: g),
            ["f64"] = Tensor.Randn(s, DType.Float64, generator: g),
            ["i64"] = Tensor.RandInt(-1_000_000_000_000_000L, 1_000_000_000_000_000L, s, generator: g),
            ["u8"] = Tensor.RandInt(0, 256, s, generator: g).To(DType.UInt8),
            ["bool"] = Tensor.RandInt(0, 2, s, generator: g).To(DType.Bool),
        };
        string path = Path.Combine(Path.GetTempPath(), $"lantern-st-{Guid.NewGuid():N}.safetensors");
        try
        {
            SafeTensors.Save(path, tensors, new Dictionary<string, string> { ["note"] = "round trip", ["format"] = "pt" });
            var (back, meta) = SafeTensors.Load(path);
            Assert.Equal("round trip", meta!["note"]);
            Assert.Equal(tensors.Count, back.Count);
            foreach (var (k, t) in tensors)
            {
                Assert.Equal(t.DType, back[k].DType);
                Assert.Equal(t.Shape, back[k].Shape);
                Assert.Equal(t.To(DType.Float64).ToArray<double>(), back[k].To(DType.Float64).ToArray<double>());
            }
            Assert.Equal(File.ReadAllBytes(path), SafeTensors.SaveToBytes(back, meta!.ToDictionary()));
        }
        finally { File.Delete(path); }
    }

    [Fact] // special float values keep their bits; a strided view is written row-major
    public void BitsAndViews()
    {
        float[] specials = [float.NaN, -0f, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, float.MaxValue];
        var back = SafeTensors.LoadFromBytes(SafeTensors.SaveToBytes([new("s", Tensor.FromArray(specials))])).Tensors["s"].ToArray<float>();
        Assert.Equal(specials.Select(BitConverter.SingleToUInt32Bits), back.Select(BitConverter.SingleToUInt32Bits));

        var m = Tensor.Arange(12, DType.Float64).View(3, 4);
        var view = m.T.Narrow(0, 1, 2); // [2, 3], non-contiguous
        var loaded = SafeTensors.LoadFromBytes(SafeTensors.SaveToBytes([new("v", view)])).Tensors["v"];
        Assert.Equal(new Shape(2, 3), loaded.Shape);
        Assert.Equal([1.0, 5, 9, 2, 6, 10], loaded.ToArray<double>());
        var narrow = Tensor.Arange(10, DType.Int64).Narrow(0, 3, 4); // contiguous with a storage offset
        Assert.Equal([3L, 4, 5, 6], SafeTensors.LoadFromBytes(SafeTensors.SaveToBytes([new("n", narrow)])).Tensors["n"].ToArray<long>());
    }

    [Fact]
    public void WriteErrors()
    {
        var t = Tensor.Zeros([1]);
        Assert.Contains("appears twice", Assert.Throws<ArgumentException>(() => SafeTensors.SaveToBytes([new("a", t), new("a", t)])).Message);
        Assert.Contains("reserved", Assert.Throws<ArgumentException>(() => SafeTensors.SaveToBytes([new("__metadata__", t)])).Message);
        Assert.Contains("surrogate", Assert.Throws<ArgumentException>(() => SafeTensors.SaveToBytes([new("bad\uD800", t)])).Message);
    }

    [Fact] // a module state dict goes out and back under PyTorch's names
    public void ModuleStateDictRoundTrip()
    {
        var a = new Linear(3, 2, generator: new Generator(1));
        var b = new Linear(3, 2, generator: new Generator(2));
        b.LoadStateDict(SafeTensors.LoadFromBytes(SafeTensors.SaveToBytes(a.StateDict())).Tensors);
        Assert.Equal(a.StateDict()["weight"].ToArray<float>(), b.StateDict()["weight"].ToArray<float>());
        Assert.Equal(["bias", "weight"], SafeTensors.LoadFromBytes(SafeTensors.SaveToBytes(a.StateDict())).Tensors.Keys); // same dtype: by name
    }
}

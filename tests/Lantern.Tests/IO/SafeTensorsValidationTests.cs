using System.Text;
using Lantern.IO;
using Xunit;

namespace Lantern.Tests.IO;

/// <summary>Truncated, corrupt and crafted files: InvalidDataException naming the source and the problem, never a crash or a big allocation.</summary>
public class SafeTensorsValidationTests
{
    private static byte[] Craft(string json, int dataBytes, bool pad = true)
    {
        var header = Encoding.UTF8.GetBytes(json).ToList();
        while (pad && header.Count % 8 != 0) header.Add((byte)' ');
        return [.. BitConverter.GetBytes((ulong)header.Count), .. header, .. new byte[dataBytes]];
    }

    private static string Problem(byte[] bytes) =>
        Assert.Throws<InvalidDataException>(() => SafeTensors.LoadFromBytes(bytes, "crafted.safetensors")).Message;

    private static string Entry(string name, string dtype, string shape, long b, long e) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{shape}],\"data_offsets\":[{b},{e}]}}";

    public static IEnumerable<object[]> Crafted() => new[]
    {
        new object[] { new byte[] { 1, 2, 3 }, "shorter than the 8-byte" },
        [BitConverter.GetBytes(ulong.MaxValue), "above the 100,000,000-byte limit"],
        [Craft("{}", 0).Take(12).ToArray(), "only 4 bytes follow"],
        [Craft("{\"a\":", 0), "JSON"],
        [Craft("[]", 0), "not a JSON object"],
        [Craft("{} x", 0), "not valid JSON"],
        [new byte[] { 8, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}' }, "not valid UTF-8"],
        [Craft("{" + Entry("t", "F99", "1", 0, 4) + "}", 4), "unknown dtype 'F99'"],
        [Craft("{" + Entry("t", "F16", "2", 0, 4) + "}", 4), "dtype F16, which Lantern cannot hold"],
        [Craft("{" + Entry("t", "F32", "2,2", 0, 12) + "}", 12), "needs 16 bytes but data_offsets [0, 12] span 12"],
        [Craft("{" + Entry("t", "F32", "2", 0, 8) + "}", 4), "past the end of the 4-byte data section"],
        [Craft("{" + Entry("t", "F32", "1", 4, 8) + "}", 8), "leave a gap after byte 0"],
        [Craft("{" + Entry("a", "F32", "2", 0, 8) + "," + Entry("b", "F32", "1", 4, 8) + "}", 8), "overlap"],
        [Craft("{" + Entry("t", "F32", "1", 0, 4) + "}", 12), "cover 4 bytes but the data section has 12"],
        [Craft("{" + Entry("t", "F32", "1", 8, 4) + "}", 8), "end before they begin"],
        [Craft("{" + Entry("t", "F32", "-1", 0, 4) + "}", 4), "non-negative integer"],
        [Craft("{" + Entry("t", "F32", "1.0", 0, 4) + "}", 4), "non-negative integer"],
        [Craft("{\"t\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4), "lacks data_offsets"],
        [Craft("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4), "expected [begin, end]"],
        [Craft("{" + Entry("t", "U8", "1", 0, 1) + "," + Entry("t", "U8", "1", 1, 2) + "}", 2), "the key 't' twice"],
        [Craft("{\"__metadata__\":{\"k\":1}}", 0), "entry 'k' is not a string"],
        [Craft("{" + Entry("t", "F32", "100000,100000,100000", 0, 4_000_000_000_000_000) + "}", 8), "Lantern tensors hold at most"],
        [Craft("{" + Entry("t", "F32", "4294967296,4294967296", 0, 16) + "}", 16), "exceeds Lantern's limit"],
        [Craft("{" + Entry("t", "U8", "2147483647,2147483647,2147483647", 0, 16) + "}", 16), "more than 2^64"],
    };

    [Theory]
    [MemberData(nameof(Crafted))]
    public void CraftedFilesNameTheProblem(byte[] bytes, string fragment)
    {
        string msg = Problem(bytes);
        Assert.Contains("crafted.safetensors", msg);
        Assert.Contains(fragment, msg);
    }

    [Fact]
    public void BoolBytesMustBeZeroOrOne()
    {
        var bytes = SafeTensors.SaveToBytes([new("m", Tensor.FromArray(new[] { true, false, true }))]);
        bytes[^2] = 2;
        Assert.Contains("BOOL tensor 'm' holds the byte 2 at element 1", Problem(bytes));
    }

    [Fact] // the loader does not trust a claimed size: a header asking for 4 GB in a 100-byte file allocates almost nothing
    public void ClaimedSizesAreNotAllocated()
    {
        var bytes = Craft("{" + Entry("t", "F32", "1073741823", 0, 4_294_967_292) + "}", 4);
        SafeTensors.LoadFromBytes(SafeTensors.SaveToBytes([])); // warm up the code paths
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Contains("past the end", Problem(bytes));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
    }

    [Fact] // names the file on disk, and a missing file is FileNotFoundException
    public void FilesOnDisk()
    {
        string path = Path.Combine(Path.GetTempPath(), $"lantern-bad-{Guid.NewGuid():N}.safetensors");
        try
        {
            File.WriteAllBytes(path, Craft("{\"a\":", 0));
            var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
            Assert.Contains(path, e.Message);
            Assert.Throws<InvalidDataException>(() => SafeTensors.ReadHeader(path));
        }
        finally { File.Delete(path); }
        Assert.Throws<FileNotFoundException>(() => SafeTensors.Load(path));
    }

    private static byte[] Sample() => SafeTensors.SaveToBytes(
        [
            new("w", Tensor.Arange(6, DType.Float32).View(2, 3)),
            new("d", Tensor.FromArray(new[] { 1.5, -2.5 })),
            new("i", Tensor.FromArray(new[] { 3L })),
            new("u", Tensor.FromArray(new byte[] { 1, 2, 3 })),
            new("b", Tensor.FromArray(new[] { true, false })),
            new("e", Tensor.Zeros([0, 4])),
        ],
        new Dictionary<string, string> { ["format"] = "pt" });

    [Fact] // every truncation of a valid file is rejected as invalid data
    public void EveryTruncationIsRejected()
    {
        var full = Sample();
        Assert.Equal(6, SafeTensors.LoadFromBytes(full).Tensors.Count);
        for (int n = 0; n < full.Length; n++)
            Assert.Throws<InvalidDataException>(() => SafeTensors.LoadFromBytes(full[..n]));
    }

    [Fact] // random byte mutations (header bytes, digits, anywhere): loads or InvalidDataException, nothing else
    public void MutationsNeverCrash()
    {
        var full = Sample();
        int headerEnd = 8 + (int)BitConverter.ToUInt64(full, 0);
        var digits = Enumerable.Range(8, headerEnd - 8).Where(i => full[i] is >= (byte)'0' and <= (byte)'9').ToArray();
        var rng = new Random(12345);
        int loaded = 0, rejected = 0;
        for (int iter = 0; iter < 3000; iter++)
        {
            var b = (byte[])full.Clone();
            int edits = 1 + rng.Next(3);
            for (int k = 0; k < edits; k++)
            {
                switch (iter % 3)
                {
                    case 0: b[rng.Next(headerEnd)] = (byte)rng.Next(256); break;
                    case 1: b[digits[rng.Next(digits.Length)]] = (byte)('0' + rng.Next(10)); break;
                    default: b[rng.Next(b.Length)] ^= (byte)(1 << rng.Next(8)); break;
                }
            }
            if (rng.Next(4) == 0) b = b[..rng.Next(b.Length + 1)];
            try
            {
                var data = SafeTensors.LoadFromBytes(b);
                foreach (var t in data.Tensors.Values) Assert.Equal(t.Numel(), t.Shape.Numel);
                loaded++;
            }
            catch (InvalidDataException) { rejected++; }
        }
        Assert.True(rejected > 1000, $"only {rejected} mutations were rejected");
        Assert.True(loaded > 20, $"only {loaded} mutations still loaded"); // data-section flips stay valid
    }
}

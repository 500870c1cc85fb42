using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Lantern.Training;

/// <summary>
/// TFRecord framing and the TensorBoard Event / Summary protobuf messages, encoded by hand (proto3 wire format).
/// A record is: uint64 length (little endian), uint32 masked CRC32C of those 8 bytes, the data, uint32 masked CRC32C of
/// the data; the mask is ((crc &gt;&gt; 15) | (crc &lt;&lt; 17)) + 0xa282ead8 (tensorflow/core/lib/hash/crc32c.h).
/// </summary>
public static class TfRecord
{
    /// <summary>CRC32C (Castagnoli) of <paramref name="data"/>.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data) => Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, data);

    /// <summary>TFRecord's masked CRC.</summary>
    public static uint Mask(uint crc) => unchecked(((crc >> 15) | (crc << 17)) + 0xa282ead8u);

    /// <summary>One framed record.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> data)
    {
        var r = new byte[data.Length + 16];
        BinaryPrimitives.WriteUInt64LittleEndian(r, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(8), Mask(Crc32C(r.AsSpan(0, 8))));
        data.CopyTo(r.AsSpan(12));
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(12 + data.Length), Mask(Crc32C(data)));
        return r;
    }

    /// <summary>An Event {wall_time = 1, step = 2, file_version = 3} (tensorflow/core/util/event.proto).</summary>
    public static byte[] FileVersionEvent(double wallTime, string version = "brain.Event:2")
    {
        var w = new ProtoWriter();
        w.Double(1, wallTime);
        w.Bytes(3, Encoding.UTF8.GetBytes(version));
        return w.ToArray();
    }

    /// <summary>An Event {wall_time = 1, step = 2, summary = 5} holding Summary {value = 1: [Value {tag = 1, simple_value = 2}]}.</summary>
    public static byte[] ScalarsEvent(double wallTime, long step, IEnumerable<KeyValuePair<string, float>> scalars)
    {
        var summary = new ProtoWriter();
        foreach (var (tag, v) in scalars)
        {
            var value = new ProtoWriter();
            value.Bytes(1, Encoding.UTF8.GetBytes(tag));
            value.Float(2, v);
            summary.Bytes(1, value.ToArray());
        }
        var e = new ProtoWriter();
        e.Double(1, wallTime);
        if (step != 0) e.Varint(2, (ulong)step);
        e.Bytes(5, summary.ToArray());
        return e.ToArray();
    }

    private sealed class ProtoWriter
    {
        private readonly MemoryStream _ms = new();

        private void Raw(ulong v)
        {
            while (v >= 0x80)
            {
                _ms.WriteByte((byte)(v | 0x80));
                v >>= 7;
            }
            _ms.WriteByte((byte)v);
        }

        private void Tag(int field, int wire) => Raw((ulong)((field << 3) | wire));

        public void Varint(int field, ulong v)
        {
            Tag(field, 0);
            Raw(v);
        }

        public void Double(int field, double v)
        {
            Tag(field, 1);
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteDoubleLittleEndian(b, v);
            _ms.Write(b);
        }

        public void Float(int field, float v)
        {
            Tag(field, 5);
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(b, v);
            _ms.Write(b);
        }

        public void Bytes(int field, ReadOnlySpan<byte> data)
        {
            Tag(field, 2);
            Raw((ulong)data.Length);
            _ms.Write(data);
        }

        public byte[] ToArray() => _ms.ToArray();
    }
}

using System.Buffers.Binary;
using System.IO.Compression;

namespace Lantern.Vision.Datasets;

/// <summary>
/// The IDX format of MNIST-style files (http://yann.lecun.com/exdb/mnist/): a 4-byte big-endian magic
/// <c>00 00 TT DD</c> (TT = element type, 0x08 for unsigned bytes; DD = number of dimensions), DD big-endian
/// int32 sizes, then the elements in row-major order. Gzip files (first bytes 1F 8B) are decompressed on the fly.
/// </summary>
public static class Idx
{
    /// <summary>Magic number of an unsigned-byte image file with 3 dims [N, rows, cols] (2051).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of an unsigned-byte label file with 1 dim [N] (2049).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>
    /// Reads an unsigned-byte IDX file with <paramref name="expectedRank"/> dims from <paramref name="stream"/>
    /// (raw or gzip). Returns the sizes and the elements.
    /// </summary>
    /// <param name="stream">The file contents.</param>
    /// <param name="name">The file name used in error messages.</param>
    /// <param name="expectedRank">1 for labels, 3 for images.</param>
    /// <exception cref="InvalidDataException">Bad magic, a type other than unsigned byte, another rank, a size that
    /// is negative or larger than the data, or trailing bytes; the message names the file.</exception>
    public static (int[] Sizes, byte[] Data) Read(Stream stream, string name, int expectedRank)
    {
        byte[] bytes = ReadAll(stream, name);
        if (bytes.Length < 4)
            throw new InvalidDataException($"IDX file '{name}': {bytes.Length} bytes is too short for the 4-byte magic number.");
        int magic = BinaryPrimitives.ReadInt32BigEndian(bytes);
        int expectedMagic = 0x0800 | expectedRank;
        if (magic != expectedMagic)
            throw new InvalidDataException($"IDX file '{name}': magic number 0x{magic:X8} ({magic}), expected 0x{expectedMagic:X8} ({expectedMagic}) for an unsigned-byte file with {expectedRank} dimension(s).");
        int header = 4 + 4 * expectedRank;
        if (bytes.Length < header)
            throw new InvalidDataException($"IDX file '{name}': {bytes.Length} bytes is too short for the {header}-byte header.");
        var sizes = new int[expectedRank];
        long count = 1;
        for (int d = 0; d < expectedRank; d++)
        {
            sizes[d] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * d));
            if (sizes[d] < 0) throw new InvalidDataException($"IDX file '{name}': dimension {d} has negative size {sizes[d]}.");
            count *= sizes[d];
        }
        long payload = bytes.Length - header;
        if (payload != count)
            throw new InvalidDataException($"IDX file '{name}': header sizes [{string.Join(", ", sizes)}] need {count} data bytes but the file has {payload} ({(payload < count ? "truncated" : "trailing bytes")}).");
        return (sizes, bytes.AsSpan(header).ToArray());
    }

    /// <summary>Reads an image file: UInt8 [N, 1, rows, cols].</summary>
    /// <exception cref="InvalidDataException">As <see cref="Read"/>.</exception>
    public static Tensor ReadImages(Stream stream, string name)
    {
        var (sizes, data) = Read(stream, name, 3);
        return Tensor.FromArray(data, [sizes[0], 1, sizes[1], sizes[2]]);
    }

    /// <summary>Reads a label file: Int64 [N]; every label must be below <paramref name="numClasses"/>.</summary>
    /// <exception cref="InvalidDataException">As <see cref="Read"/>, or a label &gt;= numClasses (names the position).</exception>
    public static Tensor ReadLabels(Stream stream, string name, int numClasses)
    {
        var (_, data) = Read(stream, name, 1);
        var labels = new long[data.Length];
        for (int i = 0; i < data.Length; i++)
        {
            if (data[i] >= numClasses)
                throw new InvalidDataException($"IDX file '{name}': label {data[i]} at position {i} is not below the number of classes {numClasses}.");
            labels[i] = data[i];
        }
        return Tensor.FromArray(labels);
    }

    /// <summary>Writes an unsigned-byte IDX file (raw, or gzip when <paramref name="gzip"/>) with the given sizes.</summary>
    /// <exception cref="ArgumentException">The sizes do not multiply to the data length, or more than 255 dims.</exception>
    public static void Write(Stream stream, int[] sizes, ReadOnlySpan<byte> data, bool gzip)
    {
        if (sizes.Length is 0 or > 255 || sizes.Aggregate(1L, (a, s) => a * s) != data.Length)
            throw new ArgumentException($"Idx.Write: sizes [{string.Join(", ", sizes)}] do not describe {data.Length} bytes.");
        using var target = gzip ? new GZipStream(stream, CompressionLevel.SmallestSize, leaveOpen: true) : null;
        Stream o = (Stream?)target ?? stream;
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, 0x0800 | sizes.Length);
        o.Write(word);
        foreach (int s in sizes)
        {
            BinaryPrimitives.WriteInt32BigEndian(word, s);
            o.Write(word);
        }
        o.Write(data);
    }

    private static byte[] ReadAll(Stream stream, string name)
    {
        var buffered = new BufferedStream(stream);
        Span<byte> head = stackalloc byte[2];
        var ms = new MemoryStream();
        try
        {
            int n = buffered.ReadAtLeast(head, 2, throwOnEndOfStream: false);
            if (n == 2 && head[0] == 0x1F && head[1] == 0x8B)
            {
                using var gz = new GZipStream(new PrefixStream(head.ToArray(), buffered), CompressionMode.Decompress);
                gz.CopyTo(ms);
            }
            else
            {
                ms.Write(head[..n]);
                buffered.CopyTo(ms);
            }
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"IDX file '{name}': corrupt gzip data ({e.Message}).", e);
        }
        return ms.ToArray();
    }

    // Replays the two sniffed bytes before the rest of the stream.
    private sealed class PrefixStream(byte[] prefix, Stream rest) : Stream
    {
        private int _pos;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override int Read(Span<byte> buffer)
        {
            if (_pos < prefix.Length && buffer.Length > 0)
            {
                int n = Math.Min(buffer.Length, prefix.Length - _pos);
                prefix.AsSpan(_pos, n).CopyTo(buffer);
                _pos += n;
                return n;
            }
            return rest.Read(buffer);
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

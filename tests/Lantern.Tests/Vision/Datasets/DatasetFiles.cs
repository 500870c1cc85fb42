using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Lantern.Tests.VisionDatasets;

/// <summary>Writes small synthetic dataset files byte by byte (independent of the readers under test).</summary>
internal static class DatasetFiles
{
    public static string TempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "lantern-ds-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>IDX bytes: 00 00 08 rank, big-endian sizes, data.</summary>
    public static byte[] Idx(int[] sizes, byte[] data, int? magic = null)
    {
        var bytes = new byte[4 + 4 * sizes.Length + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic ?? (0x0800 | sizes.Length));
        for (int d = 0; d < sizes.Length; d++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * d), sizes[d]);
        data.CopyTo(bytes, 4 + 4 * sizes.Length);
        return bytes;
    }

    public static byte[] Gzip(byte[] raw)
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(raw);
        return ms.ToArray();
    }

    /// <summary>Pixel (n, y, x) of the synthetic MNIST images.</summary>
    public static byte Pixel(int n, int y, int x) => (byte)((n * 31 + y * 7 + x * 3) % 256);

    public static byte Label(int n) => (byte)((n * 3 + 1) % 10);

    /// <summary>Writes prefix-images/labels (gzip or raw) with n synthetic 28x28 images into dir.</summary>
    public static void WriteMnist(string dir, string prefix, int n, bool gzip)
    {
        var pix = new byte[n * 784];
        for (int i = 0; i < n; i++)
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++) pix[i * 784 + y * 28 + x] = Pixel(i, y, x);
        var lab = Enumerable.Range(0, n).Select(Label).ToArray();
        var images = Idx([n, 28, 28], pix);
        var labels = Idx([n], lab);
        string ext = gzip ? ".gz" : "";
        File.WriteAllBytes(Path.Combine(dir, $"{prefix}-images-idx3-ubyte{ext}"), gzip ? Gzip(images) : images);
        File.WriteAllBytes(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte{ext}"), gzip ? Gzip(labels) : labels);
    }

    /// <summary>A 24-bit bottom-up BMP of an RGB image given as rgb[y, x, c].</summary>
    public static byte[] Bmp(byte[,,] rgb)
    {
        int h = rgb.GetLength(0), w = rgb.GetLength(1), stride = (w * 3 + 3) & ~3;
        var b = new byte[54 + stride * h];
        b[0] = (byte)'B'; b[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(2), b.Length);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(18), w);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(22), h);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(28), 24);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(34), stride * h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int o = 54 + (h - 1 - y) * stride + x * 3;
                b[o] = rgb[y, x, 2]; b[o + 1] = rgb[y, x, 1]; b[o + 2] = rgb[y, x, 0];
            }
        return b;
    }

    /// <summary>An 8-bit RGB PNG (filter 0 rows, zlib-compressed) of rgb[y, x, c].</summary>
    public static byte[] Png(byte[,,] rgb)
    {
        int h = rgb.GetLength(0), w = rgb.GetLength(1);
        var raw = new MemoryStream();
        for (int y = 0; y < h; y++)
        {
            raw.WriteByte(0);
            for (int x = 0; x < w; x++) for (int c = 0; c < 3; c++) raw.WriteByte(rgb[y, x, c]);
        }
        var z = new MemoryStream();
        using (var zs = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true)) zs.Write(raw.ToArray());
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, w);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), h);
        ihdr[8] = 8; ihdr[9] = 2;
        var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "IDAT", z.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        s.Write(word);
        var td = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        s.Write(td);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(td));
        s.Write(word);
    }

    private static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}

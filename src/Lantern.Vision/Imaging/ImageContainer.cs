namespace Lantern.Vision;

/// <summary>Image file formats <see cref="ImageIO"/> knows.</summary>
public enum ImageFileFormat
{
    /// <summary>Not recognised from the first bytes (TGA has no signature).</summary>
    Unknown,
    /// <summary>PNG (read and write).</summary>
    Png,
    /// <summary>JPEG/JFIF baseline and progressive (read and write baseline).</summary>
    Jpeg,
    /// <summary>Windows BMP (read and write).</summary>
    Bmp,
    /// <summary>GIF, first frame (read only).</summary>
    Gif,
    /// <summary>Truevision TGA (read and write).</summary>
    Tga,
}

/// <summary>
/// Structural checks made before a file reaches the decoder, so that crafted or truncated data fails with an
/// <see cref="ImageFormatException"/> instead of hanging the decoder or decoding silently to a partly grey image.
/// </summary>
internal static class ImageContainer
{
    /// <summary>The format from the file's signature.</summary>
    public static ImageFileFormat Sniff(ReadOnlySpan<byte> d)
    {
        if (d.Length >= 8 && d[0] == 0x89 && d[1] == (byte)'P' && d[2] == (byte)'N' && d[3] == (byte)'G'
            && d[4] == 0x0D && d[5] == 0x0A && d[6] == 0x1A && d[7] == 0x0A) return ImageFileFormat.Png;
        if (d.Length >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) return ImageFileFormat.Jpeg;
        if (d.Length >= 2 && d[0] == (byte)'B' && d[1] == (byte)'M') return ImageFileFormat.Bmp;
        if (d.Length >= 6 && d[0] == (byte)'G' && d[1] == (byte)'I' && d[2] == (byte)'F' && d[3] == (byte)'8'
            && (d[4] == (byte)'7' || d[4] == (byte)'9') && d[5] == (byte)'a') return ImageFileFormat.Gif;
        return ImageFileFormat.Unknown;
    }

    /// <summary>Upper-case name for messages (PNG, JPEG...).</summary>
    public static string Name(ImageFileFormat f) => f == ImageFileFormat.Unknown ? "image" : f.ToString().ToUpperInvariant();

    /// <summary>The format from a path's extension (for writing).</summary>
    public static ImageFileFormat FromExtension(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".png" => ImageFileFormat.Png,
        ".jpg" or ".jpeg" or ".jpe" => ImageFileFormat.Jpeg,
        ".bmp" => ImageFileFormat.Bmp,
        ".tga" => ImageFileFormat.Tga,
        ".gif" => ImageFileFormat.Gif,
        _ => ImageFileFormat.Unknown,
    };

    /// <summary>Null when the structure is sound, else the problem (checked per format; other formats pass).</summary>
    public static string? Check(ReadOnlySpan<byte> d, ImageFileFormat f) => f switch
    {
        ImageFileFormat.Jpeg => CheckJpeg(d),
        ImageFileFormat.Png => CheckPng(d),
        _ => null,
    };

    /// <summary>
    /// Walks the JPEG marker segments up to start-of-scan, checking that each declared length fits in the data
    /// (a segment running past the end makes StbImageSharp 2.30.16 loop forever: 6 bytes FF D8 FF E0 FF FF suffice),
    /// then requires an end-of-image marker FF D9 after the scan header (a truncated file lacks it; the decoder would
    /// fill the missing rows silently). Inside entropy-coded data FF is always followed by 00 or a restart marker,
    /// so FF D9 there is the real end.
    /// </summary>
    public static string? CheckJpeg(ReadOnlySpan<byte> d)
    {
        for (int i = 2; i + 4 <= d.Length;)
        {
            if (d[i] != 0xFF) return $"byte 0x{d[i]:X2} at offset {i} where a marker was expected";
            byte m = d[i + 1];
            if (m == 0xFF) { i++; continue; }
            if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) { i += 2; continue; }
            if (m == 0xD9) return "end-of-image marker before any scan";
            int len = (d[i + 2] << 8) | d[i + 3];
            if (len < 2 || i + 2 + len > d.Length)
                return $"marker 0xFF{m:X2} at offset {i} declares {len} bytes but only {d.Length - i - 2} remain";
            if (m == 0xDA)
                return d[(i + 2 + len)..].IndexOf([(byte)0xFF, (byte)0xD9]) < 0 ? "truncated: no end-of-image marker after the scan data" : null;
            i += 2 + len;
        }
        return "truncated: no start-of-scan marker";
    }

    /// <summary>
    /// Walks the PNG chunks (length, type, data, CRC) and requires each to fit, IHDR first and IEND last. (CRCs are not
    /// verified, as in StbImageSharp; a corrupted IDAT either fails in zlib or decodes to wrong pixels.)
    /// </summary>
    public static string? CheckPng(ReadOnlySpan<byte> d)
    {
        int i = 8;
        bool first = true;
        while (true)
        {
            if (i + 12 > d.Length) return $"truncated: chunk header at offset {i} runs past the end ({d.Length} bytes)";
            uint len = (uint)(d[i] << 24 | d[i + 1] << 16 | d[i + 2] << 8 | d[i + 3]);
            var type = d.Slice(i + 4, 4);
            if (len > int.MaxValue || i + 12L + len > d.Length)
                return $"truncated: chunk '{Ascii(type)}' at offset {i} declares {len} bytes but only {d.Length - i - 12} remain";
            if (first && !type.SequenceEqual("IHDR"u8)) return $"first chunk is '{Ascii(type)}', not IHDR";
            first = false;
            if (type.SequenceEqual("IEND"u8)) return null;
            i += 12 + (int)len;
        }
    }

    private static string Ascii(ReadOnlySpan<byte> t)
    {
        Span<char> c = stackalloc char[4];
        for (int k = 0; k < 4; k++) c[k] = t[k] is >= 32 and < 127 ? (char)t[k] : '?';
        return new string(c);
    }
}

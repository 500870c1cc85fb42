using StbImageSharp;

namespace Lantern.Vision.Datasets;

/// <summary>
/// Image decoding for <see cref="ImageFolder"/>'s default loader: PNG, JPEG, BMP, GIF (first frame), TGA, PSD and HDR
/// via StbImageSharp 2.30.16 (pure C#). Kept in this one file so the vision issue can swap the codec.
/// </summary>
public static class ImageCodec
{
    /// <summary>
    /// Decodes <paramref name="bytes"/> to UInt8 [C, H, W], C = 3 (RGB, as torchvision's default loader's
    /// <c>convert("RGB")</c>) or 1 (grey) when <paramref name="grayscale"/>.
    /// </summary>
    /// <param name="bytes">The encoded file.</param>
    /// <param name="name">Used in error messages.</param>
    /// <param name="grayscale">Decode to one channel (stb's luma: (77 R + 150 G + 29 B) / 256).</param>
    /// <exception cref="InvalidDataException">Not a decodable image, or a JPEG whose marker segments run past the end of
    /// the data (checked before decoding: StbImageSharp would loop forever on it).</exception>
    public static Tensor Decode(byte[] bytes, string name, bool grayscale = false)
    {
        if (!JpegSegmentsFit(bytes))
            throw new InvalidDataException($"ImageCodec: '{name}' is a corrupt JPEG (a marker segment runs past the end of the data).");
        ImageResult img;
        try
        {
            img = ImageResult.FromMemory(bytes, grayscale ? ColorComponents.Grey : ColorComponents.RedGreenBlue);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"ImageCodec: '{name}' could not be decoded as PNG/JPEG/BMP/GIF/TGA ({e.GetType().Name}: {e.Message.Trim('\0')}).", e);
        }
        int c = grayscale ? 1 : 3, h = img.Height, w = img.Width;
        var hwc = Tensor.FromArray(img.Data, [h, w, c]);
        return hwc.Permute(2, 0, 1).Contiguous();
    }

    /// <summary>Reads and decodes a file (see <see cref="Decode"/>).</summary>
    /// <exception cref="InvalidDataException">Not a decodable image.</exception>
    public static Tensor Load(string path, bool grayscale = false) => Decode(File.ReadAllBytes(path), path, grayscale);

    /// <summary>
    /// Walks a JPEG's marker segments up to start-of-scan and checks each declared length fits in the data;
    /// non-JPEG data passes. (A segment running past the end makes StbImageSharp 2.30.16 loop forever.)
    /// </summary>
    internal static bool JpegSegmentsFit(ReadOnlySpan<byte> d)
    {
        if (d.Length < 4 || d[0] != 0xFF || d[1] != 0xD8) return true;
        for (int i = 2; i + 4 <= d.Length;)
        {
            if (d[i] != 0xFF) return false;
            byte m = d[i + 1];
            if (m == 0xFF) { i++; continue; }
            if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) { i += 2; continue; }
            if (m == 0xD9) return true;
            int len = (d[i + 2] << 8) | d[i + 3];
            if (len < 2 || i + 2 + len > d.Length) return false;
            if (m == 0xDA) return true;
            i += 2 + len;
        }
        return false;
    }
}

namespace Lantern.Vision.Datasets;

/// <summary>
/// Image decoding for <see cref="ImageFolder"/>'s default loader: a tensor-returning front of <see cref="ImageIO.Decode"/>
/// (PNG, JPEG, BMP, GIF first frame, TGA; structural checks before decoding).
/// </summary>
public static class ImageCodec
{
    /// <summary>
    /// Decodes <paramref name="bytes"/> to UInt8 [C, H, W], C = 3 (RGB, as torchvision's default loader's
    /// <c>convert("RGB")</c>) or 1 (grey) when <paramref name="grayscale"/>.
    /// </summary>
    /// <param name="bytes">The encoded file.</param>
    /// <param name="name">Used in error messages.</param>
    /// <param name="grayscale">Decode to one channel (OpenCV's luma, see <see cref="ImreadMode.Grayscale"/>).</param>
    /// <exception cref="InvalidDataException">Wrapping an <see cref="ImageFormatException"/>: not a decodable image (corrupt,
    /// truncated, unsupported; a JPEG whose segments run past the end is rejected before the decoder sees it).</exception>
    public static Tensor Decode(byte[] bytes, string name, bool grayscale = false)
    {
        try
        {
            return ImageIO.Decode(bytes, name, grayscale ? ImreadMode.Grayscale : ImreadMode.Color).ToTensor().Contiguous();
        }
        catch (ImageFormatException e)
        {
            throw new InvalidDataException(e.Message, e);   // this class's contract since before ImageIO existed
        }
    }

    /// <summary>Reads and decodes a file (see <see cref="Decode"/>).</summary>
    /// <exception cref="InvalidDataException">Not a decodable image.</exception>
    public static Tensor Load(string path, bool grayscale = false) => Decode(File.ReadAllBytes(path), path, grayscale);
}

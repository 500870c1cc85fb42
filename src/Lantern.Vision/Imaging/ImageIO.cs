using Stb = StbImageSharp;
using StbW = StbImageWriteSharp;

namespace Lantern.Vision;

/// <summary>How <see cref="ImageIO.Read"/> converts the decoded pixels (OpenCV's IMREAD_* flags, RGB order).</summary>
public enum ImreadMode
{
    /// <summary>As stored: 1 (grey), 3 (RGB) or 4 (RGBA) channels; grey+alpha becomes RGBA (IMREAD_UNCHANGED).</summary>
    Unchanged,
    /// <summary>3 channels RGB; grey is replicated, alpha dropped (IMREAD_COLOR, but RGB order).</summary>
    Color,
    /// <summary>1 channel; colour files are converted with <see cref="Cv.CvtColor"/> RgbToGray (OpenCV's weights and rounding).</summary>
    Grayscale,
}

/// <summary>
/// Image files: decode PNG, JPEG, BMP, GIF (first frame) and TGA with StbImageSharp 2.30.16 (pure C#); encode PNG, JPEG
/// (quality 1..100), BMP and TGA with StbImageWriteSharp 1.16.7. Bit depth is 8 (16-bit PNGs are reduced to 8 bits).
/// Every decode is preceded by <see cref="ImageContainer"/>'s structural checks; any failure is an
/// <see cref="ImageFormatException"/> naming the file. See docs/vision-codecs.md for the choice of codec.
/// </summary>
public static class ImageIO
{
    /// <summary>Reads and decodes a file.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="ImageFormatException">Corrupt, truncated or unsupported data.</exception>
    public static Image Read(string path, ImreadMode mode = ImreadMode.Color) => Decode(File.ReadAllBytes(path), path, mode);

    /// <summary>Decodes an encoded image held in memory.</summary>
    /// <param name="bytes">The file's bytes.</param>
    /// <param name="name">The name used in error messages.</param>
    /// <param name="mode">Channel conversion.</param>
    /// <exception cref="ImageFormatException">Corrupt, truncated or unsupported data.</exception>
    public static Image Decode(byte[] bytes, string name = "<memory>", ImreadMode mode = ImreadMode.Color)
    {
        var format = ImageContainer.Sniff(bytes);
        if (bytes.Length == 0) throw new ImageFormatException(name, $"ImageIO.Decode: '{name}' is empty.");
        var problem = ImageContainer.Check(bytes, format);
        if (problem != null)
            throw new ImageFormatException(name, $"ImageIO.Decode: '{name}' is a corrupt {ImageContainer.Name(format)}: {problem}.");
        Stb.ImageResult r;
        try
        {
            r = Stb.ImageResult.FromMemory(bytes, Stb.ColorComponents.Default);
        }
        catch (Exception e)
        {
            string what = format == ImageFileFormat.Unknown ? "an unsupported format or corrupt file" : $"a corrupt {ImageContainer.Name(format)}";
            throw new ImageFormatException(name,
                $"ImageIO.Decode: '{name}' is {what} (decoder: {e.GetType().Name}: {e.Message.Trim('\0', ' ')}).", e);
        }
        if (r is null || r.Data is null || r.Width < 1 || r.Height < 1 || r.Data.Length < (long)r.Width * r.Height * (int)r.Comp)
            throw new ImageFormatException(name, $"ImageIO.Decode: '{name}' decoded to no pixels.");
        return Convert(r.Data, r.Width, r.Height, (int)r.Comp, mode);
    }

    // stb's output (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA) -> the requested layout.
    private static Image Convert(byte[] d, int w, int h, int comp, ImreadMode mode)
    {
        int outC = mode switch
        {
            ImreadMode.Grayscale => 1,
            ImreadMode.Color => 3,
            _ => comp switch { 1 => 1, 3 => 3, _ => 4 },
        };
        if (mode == ImreadMode.Grayscale && comp >= 3)
        {
            var rgb = Convert(d, w, h, comp, ImreadMode.Color);
            return Cv.CvtColor(rgb, ColorConversion.RgbToGray);
        }
        var img = new Image(w, h, outC);
        var dst = img.Buffer<byte>();
        if (outC == comp) { Array.Copy(d, dst, (long)w * h * comp); return img; }
        long n = (long)w * h;
        for (long p = 0; p < n; p++)
        {
            long s = p * comp, o = p * outC;
            byte r, g, b, a;
            if (comp <= 2) { r = g = b = d[s]; a = comp == 2 ? d[s + 1] : (byte)255; }
            else { r = d[s]; g = d[s + 1]; b = d[s + 2]; a = comp == 4 ? d[s + 3] : (byte)255; }
            if (outC == 1) dst[o] = r;   // grey sources only (colour -> grey goes through CvtColor above)
            else
            {
                dst[o] = r; dst[o + 1] = g; dst[o + 2] = b;
                if (outC == 4) dst[o + 3] = a;
            }
        }
        return img;
    }

    /// <summary>
    /// Writes an image; the format comes from the extension (.png, .jpg/.jpeg, .bmp, .tga). BGR/BGRA images are written
    /// with their channels put in file (RGB) order.
    /// </summary>
    /// <param name="path">Destination file (overwritten).</param>
    /// <param name="image">A UInt8 image.</param>
    /// <param name="jpegQuality">JPEG quality 1..100 (OpenCV's default 95).</param>
    /// <exception cref="ArgumentException">Unknown extension, a Float32 image, or quality outside 1..100.</exception>
    public static void Write(string path, Image image, int jpegQuality = 95)
    {
        var f = ImageContainer.FromExtension(path);
        var bytes = Encode(image, f, jpegQuality, path);
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>Encodes an image to PNG, JPEG, BMP or TGA bytes (see <see cref="Write"/>).</summary>
    /// <exception cref="ArgumentException">Unsupported format (Unknown, GIF), a Float32 image, or quality outside 1..100.</exception>
    public static byte[] Encode(Image image, ImageFileFormat format, int jpegQuality = 95) => Encode(image, format, jpegQuality, format.ToString());

    private static byte[] Encode(Image image, ImageFileFormat format, int jpegQuality, string name)
    {
        if (format is ImageFileFormat.Unknown or ImageFileFormat.Gif)
            throw new ArgumentException($"ImageIO.Write: cannot write '{name}': writable formats are .png, .jpg/.jpeg, .bmp and .tga.");
        if (image.Depth != PixelDepth.UInt8)
            throw new ArgumentException($"ImageIO.Write: '{name}': image is {image.Depth}; files hold UInt8 pixels (convert with ConvertTo first).");
        if (format == ImageFileFormat.Jpeg && jpegQuality is < 1 or > 100)
            throw new ArgumentException($"ImageIO.Write: '{name}': JPEG quality {jpegQuality} is outside 1..100.");
        var rgb = image.Order is ChannelOrder.Bgr or ChannelOrder.Bgra ? image.SwapRedBlue() : image;
        var px = rgb.ToPixels<byte>();
        var comp = image.Channels switch { 1 => StbW.ColorComponents.Grey, 3 => StbW.ColorComponents.RedGreenBlue, _ => StbW.ColorComponents.RedGreenBlueAlpha };
        using var ms = new MemoryStream();
        var wr = new StbW.ImageWriter();
        switch (format)
        {
            case ImageFileFormat.Png: wr.WritePng(px, image.Width, image.Height, comp, ms); break;
            case ImageFileFormat.Jpeg: wr.WriteJpg(px, image.Width, image.Height, comp, ms, jpegQuality); break;
            case ImageFileFormat.Bmp: wr.WriteBmp(px, image.Width, image.Height, comp, ms); break;
            default: wr.WriteTga(px, image.Width, image.Height, comp, ms); break;
        }
        return ms.ToArray();
    }
}

namespace Lantern.Vision;

/// <summary>
/// A file or buffer that is not a decodable image: corrupt, truncated, or of an unsupported format. Thrown by
/// <see cref="ImageIO"/> (and <see cref="Datasets.ImageCodec"/>) instead of any codec-internal exception; the message
/// names the file and the problem.
/// </summary>
public sealed class ImageFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="fileName">The file (or the name given for an in-memory buffer).</param>
    /// <param name="message">The full message (should name the file).</param>
    /// <param name="inner">The codec's own exception, when there was one.</param>
    public ImageFormatException(string fileName, string message, Exception? inner = null) : base(message, inner) => FileName = fileName;

    /// <summary>The file or buffer name the problem was found in.</summary>
    public string FileName { get; }
}

namespace Lantern.IO;

/// <summary>
/// Crash-safe file replacement: the content is written to a temporary file in the target's directory,
/// flushed to the device (<c>FileStream.Flush(true)</c>, i.e. fsync), and only then renamed over the
/// target with <c>File.Move(overwrite: true)</c>, which is atomic within one file system. A reader (or a
/// run resumed after a crash or a kill) therefore sees either the complete old file or the complete new
/// one, never a torn file. If writing fails the temporary file is deleted and the target is untouched.
/// Temporary files are named <c>.NAME.RANDOM.tmp</c> beside the target.
/// </summary>
/// <example><code>AtomicFile.Write("runs/a/last.safetensors", s => SafeTensors.Write(s, tensors));</code></example>
public static class AtomicFile
{
    /// <summary>Writes the file at <paramref name="path"/> through <paramref name="write"/>, atomically.</summary>
    /// <param name="path">The target; its directory is created when missing.</param>
    /// <param name="write">Writes the whole content to the stream it is given (do not dispose it).</param>
    /// <exception cref="ArgumentException">An empty path or one naming a directory.</exception>
    /// <exception cref="IOException">The write, flush or rename failed (the target keeps its old content).</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("AtomicFile.Write: the path is empty.", nameof(path));
        string full = Path.GetFullPath(path);
        string name = Path.GetFileName(full);
        if (name.Length == 0 || Directory.Exists(full))
            throw new ArgumentException($"AtomicFile.Write: '{path}' names a directory, not a file.", nameof(path));
        string dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        string temp = Path.Combine(dir, $".{name}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Atomic <see cref="File.WriteAllBytes(string, byte[])"/>.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }

    /// <summary>Atomic <see cref="File.WriteAllText(string, string?)"/> (UTF-8, no byte-order mark).</summary>
    public static void WriteAllText(string path, string text) =>
        WriteAllBytes(path, new System.Text.UTF8Encoding(false).GetBytes(text));

    private static void TryDelete(string file)
    {
        try { File.Delete(file); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

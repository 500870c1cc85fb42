using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using Lantern.IO;

namespace Lantern.Vision.Datasets;

/// <summary>A file a dataset can download: its name on the mirrors and the SHA-256 of its bytes (lower-case hex).</summary>
/// <param name="FileName">The name on the mirror and on disk, e.g. "train-images-idx3-ubyte.gz".</param>
/// <param name="Sha256">SHA-256 of the file as served, 64 hex digits.</param>
/// <param name="Size">The size in bytes, when known (only informative).</param>
public sealed record RemoteFile(string FileName, string Sha256, long? Size = null);

/// <summary>
/// Dataset downloads with SHA-256 verification. Each file is fetched from the first mirror that serves it with the
/// right hash; it is streamed into a temporary file beside the target while being hashed, and renamed over the
/// target (<see cref="AtomicFile"/>) only when the hash matches, so a failed, interrupted or corrupted download never
/// leaves a file under the final name. A file already present with the right hash is not fetched again.
/// </summary>
public static class Download
{
    private static readonly Lazy<HttpClient> s_client = new(() => new HttpClient { Timeout = TimeSpan.FromMinutes(30) });

    /// <summary>Downloads each of <paramref name="files"/> into <paramref name="directory"/>; returns their paths.</summary>
    /// <param name="mirrors">Base URLs tried in order; the URL of a file is base + file name ("/" added when missing).</param>
    /// <param name="files">The files and their SHA-256.</param>
    /// <param name="directory">Target directory (created when missing).</param>
    /// <param name="client">The HTTP client (default: a shared one with a 30-minute timeout).</param>
    /// <exception cref="InvalidDataException">Some mirror served the file with another SHA-256 and no mirror served the
    /// right bytes (the message names the file, URL, expected and actual hash).</exception>
    /// <exception cref="IOException">No mirror could serve the file (the message lists each mirror's failure).</exception>
    public static string[] Files(IReadOnlyList<string> mirrors, IEnumerable<RemoteFile> files, string directory, HttpClient? client = null)
    {
        if (mirrors.Count == 0) throw new ArgumentException("Download: no mirrors given.");
        return files.Select(f => File(mirrors, f, directory, client)).ToArray();
    }

    /// <summary>Downloads one file (see <see cref="Files"/>).</summary>
    /// <exception cref="InvalidDataException">Only wrong hashes were served.</exception>
    /// <exception cref="IOException">No mirror could serve it.</exception>
    public static string File(IReadOnlyList<string> mirrors, RemoteFile file, string directory, HttpClient? client = null)
    {
        if (file.Sha256.Length != 64 || !file.Sha256.All(Uri.IsHexDigit))
            throw new ArgumentException($"Download: '{file.Sha256}' is not a SHA-256 (64 hex digits) for {file.FileName}.");
        if (file.FileName.Length == 0 || file.FileName != Path.GetFileName(file.FileName))
            throw new ArgumentException($"Download: '{file.FileName}' is not a plain file name.");
        string target = Path.Combine(directory, file.FileName);
        if (System.IO.File.Exists(target) && Sha256Of(target) == file.Sha256.ToLowerInvariant()) return target;
        var http = client ?? s_client.Value;
        var failures = new List<string>();
        InvalidDataException? badHash = null;
        foreach (string mirror in mirrors)
        {
            string url = mirror.EndsWith('/') ? mirror + file.FileName : mirror + "/" + file.FileName;
            try
            {
                using var response = http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult();
                response.EnsureSuccessStatusCode();
                using var body = response.Content.ReadAsStream();
                AtomicFile.Write(target, output =>
                {
                    using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                    var buffer = new byte[1 << 16];
                    int n;
                    while ((n = body.Read(buffer)) > 0)
                    {
                        hash.AppendData(buffer, 0, n);
                        output.Write(buffer, 0, n);
                    }
                    string actual = Convert.ToHexStringLower(hash.GetHashAndReset());
                    if (actual != file.Sha256.ToLowerInvariant())
                        throw new InvalidDataException($"Download: {file.FileName} from {url} has SHA-256 {actual}, expected {file.Sha256.ToLowerInvariant()}; the file was not kept.");
                });
                return target;
            }
            catch (InvalidDataException e)
            {
                badHash ??= e;
                failures.Add(e.Message);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or UriFormatException)
            {
                failures.Add($"{url}: {e.GetType().Name}: {e.Message}");
            }
        }
        if (badHash != null) throw new InvalidDataException(string.Join(" ", failures), badHash);
        throw new IOException($"Download: could not download {file.FileName} from any mirror: {string.Join("; ", failures)}");
    }

    /// <summary>SHA-256 of a file, lower-case hex.</summary>
    public static string Sha256Of(string path)
    {
        using var s = System.IO.File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }

    /// <summary>
    /// Extracts the regular files of a .tar.gz archive under <paramref name="directory"/> (each through
    /// <see cref="AtomicFile"/>); entries whose path leaves the directory are rejected.
    /// </summary>
    /// <exception cref="InvalidDataException">An entry escapes the directory, or the archive is corrupt.</exception>
    public static void ExtractTarGz(string archive, string directory)
    {
        string root = Path.GetFullPath(directory);
        using var gz = new GZipStream(System.IO.File.OpenRead(archive), CompressionMode.Decompress);
        using var tar = new TarReader(gz);
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null) continue;
            string path = Path.GetFullPath(Path.Combine(root, entry.Name));
            if (!path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw new InvalidDataException($"Download: archive '{archive}' entry '{entry.Name}' would be written outside {root}.");
            var data = entry.DataStream;
            AtomicFile.Write(path, s => data.CopyTo(s));
        }
    }
}

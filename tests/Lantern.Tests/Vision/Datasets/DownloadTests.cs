using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Lantern.Vision.Datasets;
using Xunit;
using static Lantern.Tests.VisionDatasets.DatasetFiles;

namespace Lantern.Tests.VisionDatasets;

/// <summary>Downloads from a local HttpListener: hash checks, mirror fallback, no partial files.</summary>
public sealed class DownloadTests : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Dictionary<string, Func<HttpListenerResponse, bool>> _routes = [];
    private readonly List<string> _requests = [];
    private readonly string _base;

    public DownloadTests()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _base = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(_base);
        _listener.Start();
        _ = Task.Run(Serve);
    }

    private async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch { return; }
            string path = ctx.Request.Url!.AbsolutePath;
            lock (_requests) _requests.Add(path);
            try
            {
                if (_routes.TryGetValue(path, out var handler)) { if (handler(ctx.Response)) ctx.Response.Close(); }
                else { ctx.Response.StatusCode = 404; ctx.Response.Close(); }
            }
            catch { }
        }
    }

    private void Serve(string path, byte[] body) => _routes[path] = r =>
    {
        r.ContentLength64 = body.Length;
        r.OutputStream.Write(body);
        return true;
    };

    public void Dispose() => _listener.Close();

    private static string Sha(byte[] b) => Convert.ToHexStringLower(SHA256.HashData(b));

    [Fact]
    public void VerifiesHashAndFallsBackToTheNextMirror()
    {
        string dir = TempDir();
        var good = Gzip(Idx([2], [3, 4]));
        Serve("/b/train-labels-idx1-ubyte.gz", good);
        string path = Download.File([_base + "a", _base + "b/"], new RemoteFile("train-labels-idx1-ubyte.gz", Sha(good)), dir);
        Assert.Equal(good, File.ReadAllBytes(path));
        Assert.Equal(["/a/train-labels-idx1-ubyte.gz", "/b/train-labels-idx1-ubyte.gz"], _requests);
        // Present with the right hash: no request.
        Download.File([_base + "b"], new RemoteFile("train-labels-idx1-ubyte.gz", Sha(good)), dir);
        Assert.Equal(2, _requests.Count);
        Assert.Equal(["train-labels-idx1-ubyte.gz"], Directory.GetFiles(dir).Select(Path.GetFileName));
    }

    [Fact]
    public void WrongHashThrowsAndKeepsNoFile()
    {
        string dir = TempDir();
        Serve("/m/x.gz", [1, 2, 3]);
        string expected = new('0', 64);
        var ex = Assert.Throws<InvalidDataException>(() => Download.File([_base + "m"], new RemoteFile("x.gz", expected), dir));
        Assert.Contains("x.gz", ex.Message);
        Assert.Contains(Sha([1, 2, 3]), ex.Message);
        Assert.Contains(expected, ex.Message);
        Assert.Empty(Directory.GetFiles(dir));
        // A stale file with the wrong content is replaced only by verified bytes.
        File.WriteAllBytes(Path.Combine(dir, "x.gz"), [9]);
        Assert.Throws<InvalidDataException>(() => Download.File([_base + "m"], new RemoteFile("x.gz", expected), dir));
        Assert.Equal([9], File.ReadAllBytes(Path.Combine(dir, "x.gz")));
        Assert.Single(Directory.GetFiles(dir));
    }

    [Fact]
    public void InterruptedDownloadLeavesNothing()
    {
        string dir = TempDir();
        var full = new byte[1 << 20];
        _routes["/m/big.bin"] = r =>
        {
            r.ContentLength64 = full.Length;
            r.OutputStream.Write(full, 0, 1000);
            r.OutputStream.Flush();
            r.Abort();   // connection dropped mid-body
            return false;
        };
        var ex = Assert.ThrowsAny<Exception>(() => Download.File([_base + "m"], new RemoteFile("big.bin", Sha(full)), dir));
        Assert.True(ex is IOException or InvalidDataException, ex.ToString());
        Assert.Empty(Directory.GetFiles(dir));
        Assert.Contains("not-here.bin", Assert.Throws<IOException>(() => Download.File([_base + "m"], new RemoteFile("not-here.bin", Sha(full)), dir)).Message);
    }

    [Fact]
    public void MnistDownloadChecksTheOfficialHashes()
    {
        string dir = TempDir();
        foreach (var f in Mnist.MnistResources) Serve("/mnist/" + f.FileName, Gzip(Idx([1], [0])));
        var ex = Assert.Throws<InvalidDataException>(() => Mnist.Download(dir, [_base + "mnist/"]));
        Assert.Contains("train-images-idx3-ubyte.gz", ex.Message);
        Assert.Contains(Mnist.MnistResources[0].Sha256, ex.Message);
        Assert.Empty(Directory.GetFiles(dir));
        Assert.Throws<InvalidDataException>(() => FashionMnist.Download(dir, [_base + "mnist/"]));
        WriteMnist(dir, "train", 1, gzip: false);   // present: download: true does not fetch (as torchvision)
        int before = _requests.Count;
        Assert.Single(new Mnist(dir, download: true));
        Assert.Equal(before, _requests.Count);
    }

    [Fact]
    public void GenericDownloadThenLoad()
    {
        string src = TempDir(), dir = TempDir();
        WriteMnist(src, "t10k", 4, gzip: true);
        var files = Directory.GetFiles(src).Select(p => (Name: Path.GetFileName(p), Bytes: File.ReadAllBytes(p))).ToArray();
        foreach (var (name, bytes) in files) Serve("/fm/" + name, bytes);
        Download.Files([_base + "fm"], files.Select(f => new RemoteFile(f.Name, Sha(f.Bytes))), dir);
        var ds = new FashionMnist(dir, train: false);
        Assert.Equal(4, ds.Count);
        Assert.Equal(Label(3), ds[3].Label);
    }

    [Fact]
    public void CifarArchiveDownloadsAndExtracts()
    {
        string src = TempDir(), root = TempDir();
        Cifar10Tests.WriteBatches(src, ["test_batch.bin"], 2);
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gz))
            tar.WriteEntry(Path.Combine(src, "test_batch.bin"), "cifar-10-batches-bin/test_batch.bin");
        var archive = ms.ToArray();
        Serve("/kriz/cifar-10-binary.tar.gz", archive);
        Cifar10.Download(root, [_base + "kriz/"], archive: new RemoteFile("cifar-10-binary.tar.gz", Sha(archive)));
        var ds = new Cifar10(root, train: false, imageDType: DType.UInt8);
        Assert.Equal(2, ds.Count);
        Assert.Equal(Cifar10Tests.CifarPixel(1, 2, 3, 4), ds[1].Image.ToArray<byte>()[2048 + 3 * 32 + 4]);

        var evil = new MemoryStream();
        using (var gz = new GZipStream(evil, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gz))
            tar.WriteEntry(Path.Combine(src, "test_batch.bin"), "../escape.bin");
        string evilPath = Path.Combine(root, "evil.tar.gz");
        File.WriteAllBytes(evilPath, evil.ToArray());
        Assert.Contains("outside", Assert.Throws<InvalidDataException>(() => Download.ExtractTarGz(evilPath, Path.Combine(root, "x"))).Message);
    }
}

namespace Lantern.Training;

/// <summary>
/// Writes scalars to a TensorBoard event file (Lightning's TensorBoardLogger over SummaryWriter.add_scalar):
/// <c>LogDir/events.out.tfevents.{unix seconds}.{host}.{pid}.0</c>, starting with the "brain.Event:2" version record, then
/// one Event per LogMetrics call with wall_time in Unix seconds (fractional), the step and a simple_value per metric
/// ("epoch" included, as Lightning does). Records are appended whole and flushed after each call, so a reader (TensorBoard)
/// always sees complete records; Save also syncs the file to disk.
/// </summary>
public sealed class TensorBoardLogger : Logger, IDisposable
{
    private readonly string _dir;
    private FileStream? _stream;

    /// <summary>A logger writing to saveDir/name/version (see <see cref="Logger.ResolveDir"/>).</summary>
    /// <exception cref="ArgumentException">An empty saveDir.</exception>
    public TensorBoardLogger(string saveDir, string name = "lightning_logs", string? version = null)
    {
        if (string.IsNullOrWhiteSpace(saveDir)) throw new ArgumentException("TensorBoardLogger: saveDir is empty.");
        Name = name;
        (Version, _dir) = ResolveDir(saveDir, name, version);
    }

    /// <inheritdoc/>
    public override string Name { get; }
    /// <inheritdoc/>
    public override string Version { get; }
    /// <inheritdoc/>
    public override string LogDir => _dir;
    /// <summary>The event file (null until the first write).</summary>
    public string? EventFile { get; private set; }

    /// <summary>Seconds since the Unix epoch, with sub-second precision (Python's time.time()).</summary>
    public static double UnixNow() => (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 1e7;

    private FileStream Stream()
    {
        if (_stream is not null) return _stream;
        Directory.CreateDirectory(_dir);
        double now = UnixNow();
        EventFile = Path.Combine(_dir, $"events.out.tfevents.{(long)now:D10}.{Environment.MachineName}.{Environment.ProcessId}.0");
        _stream = new FileStream(EventFile, FileMode.Append, FileAccess.Write, FileShare.Read);
        _stream.Write(TfRecord.Frame(TfRecord.FileVersionEvent(now)));
        _stream.Flush();
        return _stream;
    }

    /// <inheritdoc/>
    public override void LogMetrics(IReadOnlyDictionary<string, double> metrics, long step)
    {
        if (metrics.Count == 0) return;
        var s = Stream();
        s.Write(TfRecord.Frame(TfRecord.ScalarsEvent(UnixNow(), step, metrics.Select(kv => KeyValuePair.Create(kv.Key, (float)kv.Value)))));
        s.Flush();
    }

    /// <inheritdoc/>
    public override void Save() => _stream?.Flush(flushToDisk: true);

    /// <inheritdoc/>
    public override void Finalize(string status)
    {
        Save();
        Dispose();
    }

    /// <summary>Closes the event file (a later LogMetrics opens a new one).</summary>
    public void Dispose()
    {
        _stream?.Dispose();
        _stream = null;
    }
}

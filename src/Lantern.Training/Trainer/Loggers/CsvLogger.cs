using System.Globalization;
using System.Text;
using Lantern.IO;

namespace Lantern.Training;

/// <summary>
/// Writes metrics to <c>LogDir/metrics.csv</c> like Lightning's CSVLogger: one row per (step, logged dictionary), columns the
/// sorted union of every key seen ("epoch", "step" and the metrics), empty cells for absent values, numbers as Python's repr.
/// Rows are buffered and written every <see cref="FlushLogsEveryNSteps"/> records and on Save: appended (and flushed to disk)
/// while the columns stay the same; when new keys appear the whole file is rewritten with the new header through
/// <see cref="AtomicFile"/>, so a reader never sees a torn file. Hyper-parameters go to <c>hparams.yaml</c> (atomically).
/// </summary>
public sealed class CsvLogger : Logger
{
    private readonly List<Dictionary<string, double>> _pending = [];
    private readonly List<string> _keys = [];
    private readonly string _dir;

    /// <summary>A logger writing to saveDir/name/version (see <see cref="Logger.ResolveDir"/>); name "" and version "" write to saveDir itself.</summary>
    /// <exception cref="ArgumentException">An empty saveDir or a flush interval below 1.</exception>
    public CsvLogger(string saveDir, string name = "lightning_logs", string? version = null, int flushLogsEveryNSteps = 100)
    {
        if (string.IsNullOrWhiteSpace(saveDir)) throw new ArgumentException("CsvLogger: saveDir is empty.");
        if (flushLogsEveryNSteps < 1) throw new ArgumentException($"CsvLogger: flushLogsEveryNSteps must be >= 1, got {flushLogsEveryNSteps}.");
        Name = name;
        (Version, _dir) = ResolveDir(saveDir, name, version);
        FlushLogsEveryNSteps = flushLogsEveryNSteps;
        MetricsFile = Path.Combine(_dir, "metrics.csv");
        if (File.Exists(MetricsFile))
        {
            var header = File.ReadLines(MetricsFile).FirstOrDefault();
            if (!string.IsNullOrEmpty(header)) _keys.AddRange(header.Split(','));
        }
    }

    /// <inheritdoc/>
    public override string Name { get; }
    /// <inheritdoc/>
    public override string Version { get; }
    /// <inheritdoc/>
    public override string LogDir => _dir;
    /// <summary>The CSV file.</summary>
    public string MetricsFile { get; }
    /// <summary>Buffered records before a write.</summary>
    public int FlushLogsEveryNSteps { get; }

    /// <inheritdoc/>
    public override void LogMetrics(IReadOnlyDictionary<string, double> metrics, long step)
    {
        var row = new Dictionary<string, double>(metrics, StringComparer.Ordinal) { ["step"] = step };
        _pending.Add(row);
        if (_pending.Count >= FlushLogsEveryNSteps) Save();
    }

    /// <inheritdoc/>
    public override void LogHyperparams(IReadOnlyDictionary<string, object> hyperParameters)
    {
        if (hyperParameters.Count == 0) return;
        var sb = new StringBuilder();
        foreach (var (k, v) in hyperParameters) sb.Append(k).Append(": ").Append(Yaml(v)).Append('\n');
        AtomicFile.WriteAllText(Path.Combine(_dir, "hparams.yaml"), sb.ToString());
    }

    private static string Yaml(object v) => v switch
    {
        double d => Py(d),
        float f => Py(f),
        bool b => b ? "true" : "false",
        string s => s.Length == 0 || s.Any(c => ":#{}[],&*?|<>=!%@`'\"\n".Contains(c)) || s.Trim() != s ? "'" + s.Replace("'", "''") + "'" : s,
        System.Collections.IEnumerable e => "[" + string.Join(", ", e.Cast<object>().Select(Yaml)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };

    /// <inheritdoc/>
    public override void Save()
    {
        if (_pending.Count == 0) return;
        Directory.CreateDirectory(_dir);
        var fresh = _pending.SelectMany(r => r.Keys).Distinct().Where(k => !_keys.Contains(k)).ToList();
        bool exists = File.Exists(MetricsFile);
        if (fresh.Count > 0 || !exists)
        {
            var old = exists ? ReadRows() : [];
            _keys.AddRange(fresh);
            _keys.Sort(StringComparer.Ordinal);
            var sb = new StringBuilder();
            sb.Append(string.Join(",", _keys)).Append('\n');
            foreach (var r in old) AppendRow(sb, r);
            foreach (var r in _pending) AppendRow(sb, r.ToDictionary(kv => kv.Key, kv => Format(kv.Key, kv.Value)));
            AtomicFile.WriteAllText(MetricsFile, sb.ToString());
        }
        else
        {
            var sb = new StringBuilder();
            foreach (var r in _pending) AppendRow(sb, r.ToDictionary(kv => kv.Key, kv => Format(kv.Key, kv.Value)));
            using var fs = new FileStream(MetricsFile, FileMode.Append, FileAccess.Write, FileShare.Read);
            fs.Write(new UTF8Encoding(false).GetBytes(sb.ToString()));
            fs.Flush(flushToDisk: true);
        }
        _pending.Clear();
    }

    // integers (step, epoch) as integers, as Lightning writes them
    private static string Format(string key, double v) =>
        key is "step" or "epoch" && v == Math.Floor(v) ? ((long)v).ToString(CultureInfo.InvariantCulture) : Py(v);

    private void AppendRow(StringBuilder sb, Dictionary<string, string> row) =>
        sb.Append(string.Join(",", _keys.Select(k => row.TryGetValue(k, out var s) ? s : ""))).Append('\n');

    private List<Dictionary<string, string>> ReadRows()
    {
        var lines = File.ReadAllLines(MetricsFile);
        if (lines.Length == 0) return [];
        var header = lines[0].Split(',');
        var rows = new List<Dictionary<string, string>>();
        foreach (var line in lines.Skip(1))
        {
            if (line.Length == 0) continue;
            var cells = line.Split(',');
            var d = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < header.Length && i < cells.Length; i++)
                if (cells[i].Length > 0) d[header[i]] = cells[i];
            rows.Add(d);
        }
        return rows;
    }
}

using System.Globalization;
using Spectre.Console;

namespace Lantern.Training;

/// <summary>
/// A per-epoch summary table: after each training epoch one row (epoch, steps, the epoch values of the chosen metrics,
/// learning rate, epoch seconds) is recorded and printed; at fit end the whole table is printed with Spectre.Console (box
/// characters; plain text when redirected). Columns default to every callback metric whose name does not end in "_step".
/// </summary>
public sealed class EpochSummary : Callback
{
    private readonly List<Dictionary<string, double>> _rows = [];
    private readonly string[]? _columns;
    private readonly IAnsiConsole _console;
    private DateTime _start;

    /// <summary>Creates the summary.</summary>
    /// <param name="columns">Metric names to show (default: all epoch-level callback metrics).</param>
    /// <param name="output">Where to print (default: the console); the table is rendered as text when redirected.</param>
    /// <param name="printEachEpoch">Print a one-line row after each epoch.</param>
    public EpochSummary(IEnumerable<string>? columns = null, TextWriter? output = null, bool printEachEpoch = true)
    {
        _columns = columns?.ToArray();
        PrintEachEpoch = printEachEpoch;
        _console = output is null ? AnsiConsole.Console : AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
        });
    }

    /// <summary>Whether a line is printed after each epoch.</summary>
    public bool PrintEachEpoch { get; }

    /// <summary>The recorded rows ("epoch", "step", "lr", "seconds" and the metrics).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, double>> Rows => _rows;

    /// <inheritdoc/>
    public override void OnTrainEpochStart(Trainer trainer, LightningModule module) => _start = DateTime.UtcNow;

    /// <inheritdoc/>
    public override void OnTrainEpochEnd(Trainer trainer, LightningModule module)
    {
        var row = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["epoch"] = trainer.CurrentEpoch + 1,
            ["step"] = trainer.GlobalStep,
        };
        foreach (var (k, v) in trainer.CallbackMetrics)
            if (_columns?.Contains(k) ?? DefaultColumn(k, trainer.CallbackMetrics))
                row[k] = v;
        if (trainer.Optimizers.Count > 0) row["lr"] = trainer.Optimizers[0].ParamGroups[0].Lr;
        row["seconds"] = (DateTime.UtcNow - _start).TotalSeconds;
        _rows.Add(row);
        if (PrintEachEpoch)
            _console.WriteLine(string.Join("  ", row.Select(kv => $"{kv.Key}={Format(kv.Key, kv.Value)}")));
    }

    // epoch-level metrics: not "x_step", not "x_epoch" when "x" holds the same value, no learning rates or throughput
    private static bool DefaultColumn(string k, IReadOnlyDictionary<string, double> m) =>
        !k.EndsWith("_step", StringComparison.Ordinal) && !k.StartsWith("lr-", StringComparison.Ordinal) && !k.Contains('/') &&
        !(k.EndsWith("_epoch", StringComparison.Ordinal) && m.ContainsKey(k[..^6]));

    /// <inheritdoc/>
    public override void OnFitEnd(Trainer trainer, LightningModule module)
    {
        if (_rows.Count > 0) _console.Write(BuildTable());
    }

    /// <summary>The table of all recorded epochs.</summary>
    public Table BuildTable()
    {
        var keys = new List<string> { "epoch", "step" };
        foreach (var r in _rows)
            foreach (var k in r.Keys)
                if (!keys.Contains(k) && k is not ("lr" or "seconds")) keys.Add(k);
        keys.Add("lr");
        keys.Add("seconds");
        var table = new Table().Title("Epoch summary");
        foreach (var k in keys) table.AddColumn(new TableColumn(Markup.Escape(k)).RightAligned());
        foreach (var r in _rows)
            table.AddRow(keys.Select(k => r.TryGetValue(k, out var v) ? Markup.Escape(Format(k, v)) : "").ToArray());
        return table;
    }

    private static string Format(string key, double v)
    {
        var inv = CultureInfo.InvariantCulture;
        if (key is "epoch" or "step") return ((long)v).ToString(inv);
        if (key == "seconds") return v.ToString("F1", inv);
        if (key == "lr") return v.ToString("0.####e+0", inv);
        return Math.Abs(v) >= 1e-3 || v == 0 ? v.ToString("F4", inv) : v.ToString("0.###e+0", inv);
    }
}

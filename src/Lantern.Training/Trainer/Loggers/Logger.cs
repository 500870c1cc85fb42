using System.Globalization;

namespace Lantern.Training;

/// <summary>
/// Base of the experiment loggers (lightning.pytorch.loggers.Logger). The trainer sends step metrics every LogEveryNSteps
/// optimiser steps and epoch / validation metrics at epoch end, each with an "epoch" entry, and calls <see cref="Save"/> at
/// epoch ends and <see cref="Finalize"/> when a run ends.
/// </summary>
public abstract class Logger
{
    /// <summary>The experiment name.</summary>
    public abstract string Name { get; }

    /// <summary>The version (e.g. "version_0"), or "" for none.</summary>
    public abstract string Version { get; }

    /// <summary>The directory this logger writes to, or null.</summary>
    public abstract string? LogDir { get; }

    /// <summary>Records metrics at a step.</summary>
    public abstract void LogMetrics(IReadOnlyDictionary<string, double> metrics, long step);

    /// <summary>Records the hyper-parameters (default: nothing).</summary>
    public virtual void LogHyperparams(IReadOnlyDictionary<string, object> hyperParameters) { }

    /// <summary>Flushes buffered records to disk.</summary>
    public virtual void Save() { }

    /// <summary>Called at the end of a run ("success" or "failed"); flushes by default.</summary>
    public virtual void Finalize(string status) => Save();

    /// <summary>
    /// Lightning's versioned directory: <paramref name="saveDir"/>/<paramref name="name"/>/<paramref name="version"/>, where a
    /// null version is the next free "version_N" and an empty name or version leaves that level out.
    /// </summary>
    protected static (string Version, string Dir) ResolveDir(string saveDir, string name, string? version)
    {
        string root = name.Length == 0 ? saveDir : Path.Combine(saveDir, name);
        if (version is null)
        {
            int next = 0;
            if (Directory.Exists(root))
                foreach (var d in Directory.GetDirectories(root))
                {
                    var n = Path.GetFileName(d);
                    if (n.StartsWith("version_", StringComparison.Ordinal) && int.TryParse(n.AsSpan(8), NumberStyles.None, CultureInfo.InvariantCulture, out int v))
                        next = Math.Max(next, v + 1);
                }
            version = $"version_{next}";
        }
        return (version, version.Length == 0 ? root : Path.Combine(root, version));
    }

    /// <summary>A double as Python's repr writes it (shortest round trip, "nan", "inf").</summary>
    protected internal static string Py(double v) =>
        double.IsNaN(v) ? "nan" : double.IsPositiveInfinity(v) ? "inf" : double.IsNegativeInfinity(v) ? "-inf"
        : v == Math.Floor(v) && Math.Abs(v) < 1e16 ? v.ToString("F1", CultureInfo.InvariantCulture)
        : v.ToString("R", CultureInfo.InvariantCulture).Replace("E+", "e+").Replace("E-", "e-");
}

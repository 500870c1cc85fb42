using System.Text;

namespace Lantern.Training.Plots;

/// <summary>
/// One chart per metric from a run's logged series: series are grouped by their name with a leading
/// "train_", "val_", "test_" (or "train/", "val/", "test/") removed, so "train_loss" and "val_loss" share
/// loss.png, "train_acc" and "val_acc" share acc.png, and "lr-Adam" gets lr-Adam.png.
/// </summary>
public static class TrainingPlots
{
    private static readonly string[] Prefixes = ["train_", "val_", "test_", "train/", "val/", "test/"];

    /// <summary>The group key of a series name (the name without its stage prefix).</summary>
    public static string MetricKey(string seriesName)
    {
        ArgumentNullException.ThrowIfNull(seriesName);
        foreach (var p in Prefixes)
            if (seriesName.StartsWith(p, StringComparison.Ordinal) && seriesName.Length > p.Length) return seriesName[p.Length..];
        return seriesName;
    }

    /// <summary>
    /// Writes <c>KEY.png</c> into <paramref name="directory"/> for each metric key (file names keep letters,
    /// digits, '-', '_' and '.'; other characters become '_'), each through <see cref="LineChart.Save"/>.
    /// </summary>
    /// <param name="directory">Output folder (created).</param>
    /// <param name="series">Logged series.</param>
    /// <param name="xLabel">X axis label of every chart, e.g. "step" or "epoch".</param>
    /// <returns>The paths written, in first-appearance order of the keys.</returns>
    /// <exception cref="ArgumentException">As <see cref="LineChart.Create"/>.</exception>
    public static IReadOnlyList<string> SaveCurves(string directory, IEnumerable<PlotSeries> series, string xLabel = "step")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(series);
        var written = new List<string>();
        foreach (var g in series.GroupBy(s => MetricKey(s.Name)))
        {
            var sb = new StringBuilder();
            foreach (char ch in g.Key) sb.Append(char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.' ? ch : '_');
            string path = Path.Combine(directory, sb + ".png");
            LineChart.Save(path, g.ToList(), g.Key, xLabel, g.Key);
            written.Add(path);
        }
        return written;
    }
}

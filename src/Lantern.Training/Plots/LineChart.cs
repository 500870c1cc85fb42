namespace Lantern.Training.Plots;

/// <summary>
/// Line charts of training curves (loss, accuracy, learning rate...) from named series, drawn with ScottPlot
/// and written as PNG. Each series gets its own colour (ScottPlot's Category10 palette, in order) and, with
/// two or more series, a legend entry (right of the data area); series of at most 60 points also get markers
/// (per-epoch values).
/// </summary>
/// <example><code>LineChart.Save("runs/a/loss.png", [new PlotSeries("train_loss", steps, losses), new PlotSeries("val_loss", valSteps, valLosses)],
///     title: "Loss", xLabel: "step", yLabel: "loss");</code></example>
public static class LineChart
{
    /// <summary>Default image width in pixels.</summary>
    public const int DefaultWidth = 800;

    /// <summary>Default image height in pixels.</summary>
    public const int DefaultHeight = 500;

    /// <summary>Builds the ScottPlot plot (for further styling before rendering).</summary>
    /// <param name="series">One or more curves.</param>
    /// <param name="title">Title above the plot.</param>
    /// <param name="xLabel">X axis label.</param>
    /// <param name="yLabel">Y axis label.</param>
    /// <exception cref="ArgumentException">No series, or two series with one name.</exception>
    public static ScottPlot.Plot Create(IReadOnlyList<PlotSeries> series, string title, string xLabel, string yLabel)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.Count == 0) throw new ArgumentException($"LineChart '{title}': no series to draw.");
        var dup = series.GroupBy(s => s.Name).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new ArgumentException($"LineChart '{title}': two series are named '{dup.Key}'.");
        var plt = PlotFile.NewPlot();
        foreach (var s in series)
        {
            var xs = new List<double>(s.Count);
            var ys = new List<double>(s.Count);
            for (int i = 0; i < s.Count; i++)
            {
                if (double.IsNaN(s.Y[i])) continue;
                xs.Add(s.X[i]);
                ys.Add(s.Y[i]);
            }
            var sc = plt.Add.Scatter(xs.ToArray(), ys.ToArray());
            sc.LegendText = s.Name;
            sc.LineWidth = 2;
            sc.MarkerSize = xs.Count <= 60 ? 6 : 0;
        }
        plt.Title(title);
        plt.XLabel(xLabel);
        plt.YLabel(yLabel);
        if (series.Count > 1) plt.ShowLegend(ScottPlot.Edge.Right);   // outside the data area: never covers a curve
        return plt;
    }

    /// <summary>Renders the chart to PNG bytes (width x height pixels).</summary>
    /// <exception cref="ArgumentException">As <see cref="Create"/>, or a size outside 16..8192.</exception>
    public static byte[] Render(IReadOnlyList<PlotSeries> series, string title, string xLabel, string yLabel,
        int width = DefaultWidth, int height = DefaultHeight)
    {
        PlotFile.CheckSize($"LineChart '{title}'", width, height);
        return PlotFile.Png(Create(series, title, xLabel, yLabel), width, height);
    }

    /// <summary>Renders the chart and writes it to <paramref name="path"/> atomically (temp file + rename).</summary>
    /// <exception cref="ArgumentException">As <see cref="Render"/>.</exception>
    public static void Save(string path, IReadOnlyList<PlotSeries> series, string title, string xLabel, string yLabel,
        int width = DefaultWidth, int height = DefaultHeight) =>
        PlotFile.Write(path, Render(series, title, xLabel, yLabel, width, height));
}

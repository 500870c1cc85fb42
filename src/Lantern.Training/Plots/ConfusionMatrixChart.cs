using System.Globalization;
using Lantern.Training.Metrics;

namespace Lantern.Training.Plots;

/// <summary>
/// Confusion-matrix heatmap (like scikit-learn's ConfusionMatrixDisplay): rows are true classes (class 0 on
/// top), columns predicted classes (class 0 on the left), class names as tick labels, each cell annotated
/// with its count (or its normalised value with two decimals), a sequential blue colour map (darker = larger)
/// and a colour bar. Annotations are white on cells above half of the largest value, black elsewhere.
/// </summary>
public static class ConfusionMatrixChart
{
    /// <summary>Default image side in pixels (width; the height is 6/7 of it).</summary>
    public const int DefaultWidth = 700;

    /// <summary>Default image height in pixels.</summary>
    public const int DefaultHeight = 600;

    /// <summary>
    /// Plot coordinates of the centre of cell (row, column) of a C-class matrix: x = column, y = C - 1 - row.
    /// </summary>
    public static (double X, double Y) CellCenter(int row, int column, int numClasses) => (column, numClasses - 1 - row);

    /// <summary>The values drawn: counts, or counts normalised over rows (true), columns (pred) or everything (all); a zero sum gives zeros.</summary>
    public static double[,] Values(long[,] counts, ConfusionNormalize normalize)
    {
        ArgumentNullException.ThrowIfNull(counts);
        int c = counts.GetLength(0);
        var v = new double[c, counts.GetLength(1)];
        double total = 0;
        foreach (long x in counts) total += x;
        for (int i = 0; i < c; i++)
            for (int j = 0; j < counts.GetLength(1); j++)
            {
                double denom = 1;
                if (normalize == ConfusionNormalize.True) { denom = 0; for (int q = 0; q < counts.GetLength(1); q++) denom += counts[i, q]; }
                else if (normalize == ConfusionNormalize.Pred) { denom = 0; for (int q = 0; q < c; q++) denom += counts[q, j]; }
                else if (normalize == ConfusionNormalize.All) denom = total;
                v[i, j] = denom == 0 ? 0 : counts[i, j] / denom;
            }
        return v;
    }

    /// <summary>Builds the ScottPlot plot.</summary>
    /// <param name="counts">[C, C] counts, rows true class, columns predicted class (as <see cref="Metrics.ConfusionMatrix.Counts"/>).</param>
    /// <param name="classNames">C tick labels; null gives "0", "1", ...</param>
    /// <param name="title">Title above the plot.</param>
    /// <param name="normalize">What the colours and annotations show.</param>
    /// <param name="width">Image width the plot is laid out for (sets the annotation font size).</param>
    /// <param name="height">Image height the plot is laid out for.</param>
    /// <exception cref="ArgumentException">A non-square or empty matrix, a negative count, or a class-name count other than C.</exception>
    public static ScottPlot.Plot Create(long[,] counts, IReadOnlyList<string>? classNames = null, string title = "Confusion matrix",
        ConfusionNormalize normalize = ConfusionNormalize.None, int width = DefaultWidth, int height = DefaultHeight)
    {
        ArgumentNullException.ThrowIfNull(counts);
        int c = counts.GetLength(0);
        if (c == 0 || counts.GetLength(1) != c)
            throw new ArgumentException($"ConfusionMatrixChart: counts must be a non-empty square [C, C] matrix, got [{counts.GetLength(0)}, {counts.GetLength(1)}].");
        foreach (long x in counts)
            if (x < 0) throw new ArgumentException($"ConfusionMatrixChart: counts must not be negative, got {x}.");
        if (classNames is not null && classNames.Count != c)
            throw new ArgumentException($"ConfusionMatrixChart: {classNames.Count} class names for a [{c}, {c}] matrix.");
        if (!Enum.IsDefined(normalize)) throw new ArgumentException($"ConfusionMatrixChart: unknown normalize {normalize}.");
        var names = classNames?.ToArray() ?? Enumerable.Range(0, c).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        var values = Values(counts, normalize);

        var plt = PlotFile.NewPlot();
        var hm = plt.Add.Heatmap(values);
        hm.Colormap = new LightToDark(new ScottPlot.Colormaps.Blues());   // ScottPlot's Blues runs dark to light; reversed: 0 is white, the maximum dark blue
        hm.Rectangle = new ScottPlot.CoordinateRect(-0.5, c - 0.5, -0.5, c - 0.5);   // row 0 (top of the array) at y = C - 1
        plt.Add.ColorBar(hm);

        double max = 0;
        foreach (double v in values) max = Math.Max(max, v);
        float cellPixels = (float)Math.Min(width - 200, height - 150) / c;
        float fontSize = Math.Clamp(cellPixels * 0.3f, 6f, 18f);
        if (cellPixels >= 12)
            for (int i = 0; i < c; i++)
                for (int j = 0; j < c; j++)
                {
                    string label = normalize == ConfusionNormalize.None
                        ? counts[i, j].ToString(CultureInfo.InvariantCulture)
                        : values[i, j].ToString("0.00", CultureInfo.InvariantCulture);
                    var (x, y) = CellCenter(i, j, c);
                    var t = plt.Add.Text(label, x, y);
                    t.LabelAlignment = ScottPlot.Alignment.MiddleCenter;
                    t.LabelFontSize = fontSize;
                    t.LabelFontColor = values[i, j] > max / 2 ? ScottPlot.Colors.White : ScottPlot.Colors.Black;
                }

        var positions = Enumerable.Range(0, c).Select(i => (double)i).ToArray();
        plt.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, names);
        plt.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            positions.Select(p => c - 1 - p).ToArray(), names);
        plt.Axes.Bottom.TickLabelStyle.FontSize = 12;
        plt.Axes.Left.TickLabelStyle.FontSize = 12;
        if (c > 4 && names.Any(n => n.Length > 3))
        {
            plt.Axes.Bottom.TickLabelStyle.Rotation = 45;
            plt.Axes.Bottom.TickLabelStyle.Alignment = ScottPlot.Alignment.MiddleLeft;
        }
        plt.Axes.SetLimits(-0.5, c - 0.5, -0.5, c - 0.5);
        plt.HideGrid();
        plt.Title(title);
        plt.XLabel("Predicted");
        plt.YLabel("True");
        return plt;
    }

    /// <summary>Renders the heatmap to PNG bytes (width x height pixels).</summary>
    /// <exception cref="ArgumentException">As <see cref="Create"/>, or a size outside 16..8192.</exception>
    public static byte[] Render(long[,] counts, IReadOnlyList<string>? classNames = null, string title = "Confusion matrix",
        ConfusionNormalize normalize = ConfusionNormalize.None, int width = DefaultWidth, int height = DefaultHeight)
    {
        PlotFile.CheckSize("ConfusionMatrixChart", width, height);
        return PlotFile.Png(Create(counts, classNames, title, normalize, width, height), width, height);
    }

    /// <summary>Renders the heatmap and writes it to <paramref name="path"/> atomically (temp file + rename).</summary>
    /// <exception cref="ArgumentException">As <see cref="Render"/>.</exception>
    public static void Save(string path, long[,] counts, IReadOnlyList<string>? classNames = null, string title = "Confusion matrix",
        ConfusionNormalize normalize = ConfusionNormalize.None, int width = DefaultWidth, int height = DefaultHeight) =>
        PlotFile.Write(path, Render(counts, classNames, title, normalize, width, height));

    /// <summary>A colour map read backwards (ScottPlot's Blues runs from dark to light).</summary>
    private sealed class LightToDark(ScottPlot.IColormap inner) : ScottPlot.IColormap
    {
        public string Name => inner.Name + " (reversed)";

        public ScottPlot.Color GetColor(double position) => inner.GetColor(1 - position);
    }
}

using System.Buffers.Binary;
using Lantern.Training.Metrics;
using Lantern.Training.Plots;
using SkiaSharp;
using Xunit;

namespace Lantern.Tests.Training;

/// <summary>
/// Plots are real PNGs of the requested size (signature and IHDR decoded by hand) and draw what they should:
/// pixels decoded with SkiaSharp are checked at data coordinates mapped by the plot's own layout.
/// </summary>
public sealed class PlotsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "lantern-plots-" + Guid.NewGuid().ToString("N"));

    public PlotsTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Width, int Height) PngSize(byte[] png)
    {
        Assert.True(png.Length > 33, "PNG too short");
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal(13u, BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(8)));
        Assert.Equal("IHDR"u8.ToArray(), png[12..16]);
        return ((int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(16)), (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(20)));
    }

    private static SKBitmap Decode(byte[] png) => SKBitmap.Decode(png) ?? throw new InvalidDataException("undecodable PNG");

    private static double Luma(SKColor c) => 0.299 * c.Red + 0.587 * c.Green + 0.114 * c.Blue;

    private static int ColorDistance(SKColor a, ScottPlot.Color b) => Math.Abs(a.Red - b.R) + Math.Abs(a.Green - b.G) + Math.Abs(a.Blue - b.B);

    /// <summary>Smallest colour distance to <paramref name="target"/> within r pixels of (x, y).</summary>
    private static int NearestColor(SKBitmap bmp, ScottPlot.Pixel p, ScottPlot.Color target, int r = 2)
    {
        int best = int.MaxValue;
        for (int dy = -r; dy <= r; dy++)
            for (int dx = -r; dx <= r; dx++)
            {
                int x = (int)Math.Round(p.X) + dx, y = (int)Math.Round(p.Y) + dy;
                if (x >= 0 && y >= 0 && x < bmp.Width && y < bmp.Height) best = Math.Min(best, ColorDistance(bmp.GetPixel(x, y), target));
            }
        return best;
    }

    [Fact]
    public void LineChartDrawsEachSeriesWhereItsPointsAre()
    {
        var steps = Enumerable.Range(0, 100).Select(i => (double)i).ToArray();
        var train = new PlotSeries("train_loss", steps, steps.Select(s => 1 - s / 100).ToArray());
        var val = new PlotSeries("val_loss", [10, 50, 90], [0.5, double.NaN, 0.5]);   // NaN: skipped, flat line at 0.5
        var plt = LineChart.Create([train, val], "Loss", "step", "loss");
        byte[] png = PlotFile.Png(plt, 640, 400);
        Assert.Equal((640, 400), PngSize(png));
        using var bmp = Decode(png);
        Assert.Equal(640, bmp.Width);
        var scatters = plt.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().ToArray();
        Assert.Equal(2, scatters.Length);
        Assert.NotEqual(scatters[0].Color, scatters[1].Color);
        // on each curve: the series' colour within 2 pixels
        foreach (double s in new[] { 5.0, 30, 70, 95 })
            Assert.True(NearestColor(bmp, plt.GetPixel(new ScottPlot.Coordinates(s, 1 - s / 100)), scatters[0].Color) < 40, $"train_loss line missing at step {s}");
        Assert.True(NearestColor(bmp, plt.GetPixel(new ScottPlot.Coordinates(30, 0.5)), scatters[1].Color) < 40, "val_loss line missing");
        // far from both lines (top right of the data area): background, no line colour
        var empty = plt.GetPixel(new ScottPlot.Coordinates(85, 0.9));
        Assert.True(NearestColor(bmp, empty, scatters[0].Color, 3) > 100);
        Assert.True(Luma(bmp.GetPixel((int)empty.X, (int)empty.Y)) > 200);
        // text is drawn (the title band holds dark glyph pixels; no fonts would leave it blank)
        var top = plt.GetPixel(new ScottPlot.Coordinates(50, 1.0));
        int dark = 0;
        for (int y = 0; y < Math.Max(5, (int)top.Y - 12); y++)
            for (int x = 0; x < bmp.Width; x++)
                if (Luma(bmp.GetPixel(x, y)) < 100) dark++;
        Assert.True(dark > 30, $"title not drawn ({dark} dark pixels above the data area)");
    }

    [Fact]
    public void SaveWritesAtomicallyAtTheRequestedSize()
    {
        string path = Path.Combine(_dir, "sub", "lr.png");
        LineChart.Save(path, [new PlotSeries("lr", [1e-3, 5e-4, 1e-4])], "LR", "epoch", "lr", 300, 200);
        var png = File.ReadAllBytes(path);
        Assert.Equal((300, 200), PngSize(png));
        Assert.Single(Directory.GetFiles(Path.Combine(_dir, "sub")));   // no temp file left behind
        var written = TrainingPlots.SaveCurves(_dir, [
            new PlotSeries("train_loss", [1, 0.5]), new PlotSeries("val_loss", [0.9, 0.6]),
            new PlotSeries("val_acc", [0.7, 0.8]), new PlotSeries("lr-Adam", [1e-3, 1e-4]),
        ], xLabel: "epoch");
        Assert.Equal(new[] { "loss.png", "acc.png", "lr-Adam.png" }, written.Select(Path.GetFileName).ToArray());
        foreach (var f in written) Assert.Equal((LineChart.DefaultWidth, LineChart.DefaultHeight), PngSize(File.ReadAllBytes(f)));
    }

    [Fact]
    public void EmptyAndSinglePointSeriesStillRender()
    {
        // epoch 1 of a run: one train point, no validation point yet; a tiny learning rate
        var png = LineChart.Render([new PlotSeries("train_loss", [2.3]), new PlotSeries("val_loss", [double.NaN])], "loss", "epoch", "loss", 320, 240);
        Assert.Equal((320, 240), PngSize(png));
        var lr = Enumerable.Range(0, 50).Select(i => 1e-4 * 0.5 * (1 + Math.Cos(Math.PI * i / 49))).ToArray();
        var plt = LineChart.Create([new PlotSeries("lr", Enumerable.Range(0, 50).Select(i => (double)i).ToArray(), lr)], "lr", "step", "lr");
        png = PlotFile.Png(plt, 400, 300);
        using var bmp = Decode(png);
        var line = plt.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().Single().Color;
        Assert.True(NearestColor(bmp, plt.GetPixel(new ScottPlot.Coordinates(25, lr[25])), line) < 40);
    }

    [Fact]
    public void ConfusionMatrixDarkestCellHoldsTheLargestCount()
    {
        long[,] counts = { { 5, 1, 0 }, { 2, 9, 3 }, { 40, 0, 12 } };
        const int c = 3;
        var plt = ConfusionMatrixChart.Create(counts, ["cat", "dog", "eel"], width: 600, height: 500);
        byte[] png = PlotFile.Png(plt, 600, 500);
        Assert.Equal((600, 500), PngSize(png));
        using var bmp = Decode(png);
        var luma = new double[c, c];
        for (int i = 0; i < c; i++)
            for (int j = 0; j < c; j++)
            {
                var (x, y) = ConfusionMatrixChart.CellCenter(i, j, c);
                var p = plt.GetPixel(new ScottPlot.Coordinates(x - 0.35, y + 0.35));   // a corner of the cell, away from its text
                luma[i, j] = Luma(bmp.GetPixel((int)p.X, (int)p.Y));
            }
        // darkness follows the counts: the darkest cell is (2, 0) = 40, the two zero cells are the lightest
        var order = Enumerable.Range(0, c * c).OrderBy(k => luma[k / c, k % c]).ToArray();
        Assert.Equal(2 * c + 0, order[0]);
        Assert.Equal(new[] { 0 * c + 2, 2 * c + 1 }, order[^2..].Order().ToArray());
        for (int a = 0; a < c * c; a++)
            for (int b = 0; b < c * c; b++)
                if (counts[a / c, a % c] > counts[b / c, b % c]) Assert.True(luma[a / c, a % c] < luma[b / c, b % c], $"cell {a} vs {b}");
        // the count is annotated in white on the dark cell: bright pixels near its centre
        var center = plt.GetPixel(new ScottPlot.Coordinates(0, 0));
        int bright = 0;
        for (int dy = -8; dy <= 8; dy++)
            for (int dx = -12; dx <= 12; dx++)
                if (Luma(bmp.GetPixel((int)center.X + dx, (int)center.Y + dy)) > 200) bright++;
        Assert.True(bright > 5, "count label missing on the darkest cell");
        Assert.True(luma[2, 0] < 100);
    }

    [Fact]
    public void ConfusionMatrixNormalisationAndFile()
    {
        long[,] counts = { { 2, 0 }, { 1, 3 } };
        var v = ConfusionMatrixChart.Values(counts, ConfusionNormalize.True);
        Assert.Equal(new double[,] { { 1, 0 }, { 0.25, 0.75 } }, v);
        Assert.Equal(new double[,] { { 2.0 / 3, 0 }, { 1.0 / 3, 1 } }, ConfusionMatrixChart.Values(counts, ConfusionNormalize.Pred));
        string path = Path.Combine(_dir, "cm.png");
        ConfusionMatrixChart.Save(path, counts, ["a", "b"], normalize: ConfusionNormalize.True, width: 320, height: 280);
        Assert.Equal((320, 280), PngSize(File.ReadAllBytes(path)));
    }

    [Fact]
    public void BadInputsAreRejectedWithTheirShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => ConfusionMatrixChart.Render(new long[2, 3]));
        Assert.Contains("[2, 3]", e.Message);
        e = Assert.Throws<ArgumentException>(() => ConfusionMatrixChart.Render(new long[2, 2], ["a", "b", "c"]));
        Assert.Contains("3 class names", e.Message);
        e = Assert.Throws<ArgumentException>(() => ConfusionMatrixChart.Render(new long[2, 2], width: 10));
        Assert.Contains("10x", e.Message);
        e = Assert.Throws<ArgumentException>(() => new PlotSeries("loss", [1.0, 2], [1.0]));
        Assert.Contains("'loss'", e.Message);
        e = Assert.Throws<ArgumentException>(() => LineChart.Render([new PlotSeries("a", [1.0]), new PlotSeries("a", [2.0])], "t", "x", "y"));
        Assert.Contains("'a'", e.Message);
        Assert.Throws<ArgumentException>(() => LineChart.Render([], "t", "x", "y"));
    }
}

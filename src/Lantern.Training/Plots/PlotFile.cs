using Lantern.IO;

namespace Lantern.Training.Plots;

/// <summary>Shared plot settings: the font, image size checks and the atomic PNG write.</summary>
public static class PlotFile
{
    /// <summary>
    /// Font of every plot. ScottPlot's default resolves to a serif face here; "DejaVu Sans" is in the base
    /// image (fonts-dejavu-core). With no font files at all SkiaSharp draws no text (no error).
    /// </summary>
    public const string FontName = "DejaVu Sans";

    /// <summary>Largest width or height accepted, in pixels.</summary>
    public const int MaxSide = 8192;

    /// <summary>Throws unless 16 &lt;= width, height &lt;= <see cref="MaxSide"/>.</summary>
    /// <exception cref="ArgumentException">A size out of range (the message names the plot and the size).</exception>
    public static void CheckSize(string plot, int width, int height)
    {
        if (width < 16 || height < 16 || width > MaxSide || height > MaxSide)
            throw new ArgumentException($"{plot}: image size {width}x{height} is outside 16..{MaxSide} pixels per side.");
    }

    /// <summary>Renders <paramref name="plot"/> to PNG bytes of exactly width x height pixels.</summary>
    public static byte[] Png(ScottPlot.Plot plot, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(plot);
        return plot.GetImageBytes(width, height, ScottPlot.ImageFormat.Png);
    }

    /// <summary>Writes PNG bytes to <paramref name="path"/> atomically (temp file, fsync, rename; see <see cref="AtomicFile"/>), creating the folder.</summary>
    public static void Write(string path, byte[] png)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(png);
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        AtomicFile.WriteAllBytes(path, png);
    }

    /// <summary>A new plot with the project font.</summary>
    internal static ScottPlot.Plot NewPlot()
    {
        var plt = new ScottPlot.Plot();
        plt.Font.Set(FontName);
        return plt;
    }
}

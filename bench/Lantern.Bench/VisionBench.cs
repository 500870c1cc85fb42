using System.Diagnostics;
using System.Runtime.InteropServices;
using Lantern.Kernels;
using Lantern.Vision;
using OpenCvSharp;

namespace Lantern.Bench;

/// <summary>
/// `vision`: Lantern.Vision ops beside the same OpenCV 4.13 call (OpenCvSharp4) on the same pixels, in one process,
/// inputs as in shared/anchors/opencv.md (aloeL_1920x1080.png as colour, its gray, camera.png). Each case: warm-up,
/// then reps of about 0.1 s, fastest rep per call. ratio = OpenCV time / Lantern time (>= 1: Lantern is faster).
/// Options: --threads 1,2 --filter TEXT --images DIR. Needs libgtk-3-0 (OpenCvSharpExtern links it).
/// </summary>
internal static class VisionBench
{
    private sealed record Case(string Name, string Input, Func<Image, object> Ours, Action<Mat, Mat> Theirs);

    private static Case[] Cases()
    {
        var k3 = Cv.GetStructuringElement(MorphShape.Rect, 3, 3);
        using var k3m = Cv2.GetStructuringElement(MorphShapes.Rect, new OpenCvSharp.Size(3, 3));
        var k3c = k3m.Clone();
        return
        [
            new("cvtColor BGR2GRAY", "bgr1080", s => Cv.CvtColor(s, ColorConversion.BgrToGray), (s, d) => Cv2.CvtColor(s, d, ColorConversionCodes.BGR2GRAY)),
            new("cvtColor BGR2HSV", "bgr1080", s => Cv.CvtColor(s, ColorConversion.BgrToHsv), (s, d) => Cv2.CvtColor(s, d, ColorConversionCodes.BGR2HSV)),
            new("GaussianBlur 5x5 s1.5 u8", "bgr1080", s => Cv.GaussianBlur(s, 5, 5, 1.5), (s, d) => Cv2.GaussianBlur(s, d, new OpenCvSharp.Size(5, 5), 1.5)),
            new("GaussianBlur 5x5 s1.5 u8", "gray512", s => Cv.GaussianBlur(s, 5, 5, 1.5), (s, d) => Cv2.GaussianBlur(s, d, new OpenCvSharp.Size(5, 5), 1.5)),
            new("boxFilter 5x5", "gray1080", s => Cv.Blur(s, 5, 5), (s, d) => Cv2.Blur(s, d, new OpenCvSharp.Size(5, 5))),
            new("medianBlur 5", "gray1080", s => Cv.MedianBlur(s, 5), (s, d) => Cv2.MedianBlur(s, d, 5)),
            new("Sobel dx 3x3 -> 32F", "gray1080", s => Cv.Sobel(s, PixelDepth.Float32, 1, 0), (s, d) => Cv2.Sobel(s, d, MatType.CV_32F, 1, 0)),
            new("Laplacian 3 -> 32F", "gray512", s => Cv.Laplacian(s, PixelDepth.Float32, 3), (s, d) => Cv2.Laplacian(s, d, MatType.CV_32F, 3)),
            new("erode 3x3 rect", "gray1080", s => Cv.Erode(s, k3), (s, d) => Cv2.Erode(s, d, k3c)),
            new("threshold Otsu", "gray1080", s => Cv.Threshold(s, 0, 255, ThresholdType.Binary, AutoThreshold.Otsu), (s, d) => Cv2.Threshold(s, d, 0, 255, ThresholdTypes.Binary | ThresholdTypes.Otsu)),
            new("equalizeHist", "gray1080", s => Cv.EqualizeHist(s), (s, d) => Cv2.EqualizeHist(s, d)),
            new("imdecode PNG", "bgr1080", _ => ImageIO.Decode(s_png!), (_, d) => { using var m = Cv2.ImDecode(s_png!, ImreadModes.Color); }),
        ];
    }

    private static byte[]? s_png;

    public static int Run(string[] args)
    {
        int[] threads = [1, 2];
        string? filter = null, dir = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--threads": threads = args[++i].Split(',').Select(int.Parse).ToArray(); break;
                case "--filter": filter = args[++i]; break;
                case "--images": dir = args[++i]; break;
                default: Console.Error.WriteLine($"vision: unknown option '{args[i]}'"); return 2;
            }
        }
        dir ??= FindImages();
        if (dir == null) { Console.Error.WriteLine("vision: shared/data/images not found; pass --images DIR"); return 2; }
        s_png = File.ReadAllBytes(Path.Combine(dir, "aloeL_1920x1080.png"));
        var bgr = ImageIO.Decode(s_png).ToBgr();
        var inputs = new Dictionary<string, Image>
        {
            ["bgr1080"] = bgr,
            ["gray1080"] = Cv.CvtColor(bgr, ColorConversion.BgrToGray),
            ["gray512"] = ImageIO.Read(Path.Combine(dir, "camera.png"), ImreadMode.Grayscale),
        };
        var mats = inputs.ToDictionary(p => p.Key, p => ToMat(p.Value));
        Console.WriteLine($"| op | input | threads | OpenCV ms | Lantern ms | ratio |");
        Console.WriteLine($"|---|---|---:|---:|---:|---:|");
        foreach (var c in Cases())
        {
            if (filter != null && !c.Name.Contains(filter, StringComparison.OrdinalIgnoreCase)) continue;
            foreach (int t in threads)
            {
                KernelThreads.Threads = t;
                Cv2.SetNumThreads(t);
                var src = inputs[c.Input];
                using var d = new Mat();
                double cv = Time(() => c.Theirs(mats[c.Input], d));
                double ours = Time(() => c.Ours(src));
                Console.WriteLine($"| {c.Name} | {c.Input} | {t} | {cv:G3} | {ours:G3} | {cv / ours:F2} |");
            }
        }
        return 0;
    }

    // Fastest of 5 reps of about 0.1 s each (after a warm-up), in ms per call.
    private static double Time(Action op)
    {
        op();
        var sw = Stopwatch.StartNew();
        int n = 0;
        while (sw.ElapsedMilliseconds < 50 || n < 2) { op(); n++; }
        int per = Math.Max(1, (int)(n * 100.0 / Math.Max(1, sw.ElapsedMilliseconds)));
        double best = double.MaxValue;
        for (int r = 0; r < 5; r++)
        {
            sw.Restart();
            for (int i = 0; i < per; i++) op();
            best = Math.Min(best, sw.Elapsed.TotalMilliseconds / per);
        }
        return best;
    }

    private static Mat ToMat(Image img)
    {
        var m = new Mat(img.Height, img.Width, MatType.CV_8UC(img.Channels));
        for (int y = 0; y < img.Height; y++) { var r = img.Row<byte>(y).ToArray(); Marshal.Copy(r, 0, m.Ptr(y), r.Length); }
        return m;
    }

    private static string? FindImages()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Lantern.slnx")))
            {
                var p = Path.GetFullPath(Path.Combine(d.FullName, "..", "shared", "data", "images"));
                return Directory.Exists(p) ? p : null;
            }
        return null;
    }
}

using Lantern.Vision;
using OpenCvSharp;
using Xunit;

namespace Lantern.Vision.Reference.Tests;

/// <summary>The oracle loads (fails loudly when OpenCvSharpExtern or libgtk-3 is missing) and pixels move both ways exactly.</summary>
public class OpenCvSmokeTests
{
    [Fact]
    public void OpenCvLoadsAndIs413()
    {
        string? v;
        try { v = Cv2.GetVersionString(); }
        catch (Exception e)
        {
            throw new InvalidOperationException("OpenCV (OpenCvSharpExtern) failed to load. On Debian it needs libgtk-3-0: "
                + "run tests/Lantern.Vision.Reference.Tests/tools/ensure-opencv-deps.sh as root. Cause: " + e, e);
        }
        Assert.StartsWith("4.13.", v);
    }

    [Fact]
    public void DecodersAgreeOnPngAndWithinThreeLevelsOnJpeg()
    {
        foreach (var (name, tol) in new[] { ("astronaut.png", 0.0), ("camera.png", 0.0), ("building.jpg", 3.0) })
        {
            var ours = TestImages.Read(name, ImreadMode.Color);
            var bytes = File.ReadAllBytes(FindPath(name));
            using var cv = Cv2.ImDecode(bytes, ImreadModes.Color);
            var theirs = OpenCv.FromMat(cv, ChannelOrder.Bgr).ToRgb();
            OpenCv.AssertClose(theirs, ours, tol, $"decode {name}");
        }
    }

    private static string FindPath(string name) => TestImages.PathOf(name);
}

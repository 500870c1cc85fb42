using Lantern.Vision;
using OpenCvSharp;
using Xunit;
using LBorder = Lantern.Vision.BorderType;

namespace Lantern.Vision.Reference.Tests;

/// <summary>MedianBlur, structuring elements and morphology against OpenCV: bit-exact (UInt8 and Float32).</summary>
public class MorphReferenceTests
{
    [Theory]
    [InlineData(3)] [InlineData(5)] [InlineData(7)] [InlineData(11)]
    public void MedianBlurMatches(int k)
    {
        foreach (var src in FilterReferenceTests.Inputs(withFloat: k <= 5))
        {
            using var m = OpenCv.ToMat(src);
            using var e = new Mat();
            Cv2.MedianBlur(m, e, k);
            OpenCv.AssertClose(OpenCv.FromMat(e), Cv.MedianBlur(src, k), 0, $"MedianBlur {k} {src}");
        }
    }

    [Fact]
    public void StructuringElementsMatch()
    {
        foreach (var shape in new[] { MorphShape.Rect, MorphShape.Cross, MorphShape.Ellipse })
            foreach (var (w, h, ax, ay) in new[] { (3, 3, -1, -1), (5, 5, -1, -1), (7, 4, -1, -1), (9, 13, -1, -1), (6, 6, 1, 4), (1, 5, -1, -1), (15, 15, -1, -1) })
            {
                using var e = Cv2.GetStructuringElement((MorphShapes)(int)shape, new OpenCvSharp.Size(w, h), new OpenCvSharp.Point(ax, ay));
                var ours = Cv.GetStructuringElement(shape, w, h, ax, ay);
                for (int i = 0; i < h; i++) for (int j = 0; j < w; j++)
                    Assert.True(e.At<byte>(i, j) == ours[i, j], $"{shape} {w}x{h} anchor ({ax},{ay}) at ({i},{j})");
            }
    }

    [Theory]
    [InlineData(MorphOp.Erode)] [InlineData(MorphOp.Dilate)] [InlineData(MorphOp.Open)] [InlineData(MorphOp.Close)]
    [InlineData(MorphOp.Gradient)] [InlineData(MorphOp.TopHat)] [InlineData(MorphOp.BlackHat)]
    public void MorphologyMatches(MorphOp op)
    {
        var cases = new (MorphShape Shape, int W, int H, int Ax, int Ay, int Iter, LBorder Border)[]
        {
            (MorphShape.Rect, 3, 3, -1, -1, 1, LBorder.Constant), (MorphShape.Rect, 3, 5, 0, 1, 2, LBorder.Constant),
            (MorphShape.Ellipse, 7, 7, -1, -1, 1, LBorder.Replicate), (MorphShape.Cross, 5, 3, -1, -1, 3, LBorder.Reflect101),
            (MorphShape.Ellipse, 5, 9, 1, 2, 2, LBorder.Reflect), (MorphShape.Rect, 4, 4, -1, -1, 2, LBorder.Replicate),
        };
        foreach (var src in FilterReferenceTests.Inputs())
            foreach (var c in cases)
            {
                var k = Cv.GetStructuringElement(c.Shape, c.W, c.H);
                using var km = Cv2.GetStructuringElement((MorphShapes)(int)c.Shape, new OpenCvSharp.Size(c.W, c.H));
                using var m = OpenCv.ToMat(src);
                using var e = new Mat();
                var anchor = new OpenCvSharp.Point(c.Ax, c.Ay);
                Cv2.MorphologyEx(m, e, (MorphTypes)(int)op, km, anchor, c.Iter, (OpenCvSharp.BorderTypes)(int)c.Border);
                var ours = Cv.MorphologyEx(src, op, k, c.Ax, c.Ay, c.Iter, c.Border);
                OpenCv.AssertClose(OpenCv.FromMat(e), ours, 0, $"{op} {c} {src}");
            }
    }
}

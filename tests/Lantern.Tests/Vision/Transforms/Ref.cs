namespace Lantern.Tests.VisionTransforms;

/// <summary>Naive float64 references for the transform tests (loops over [C, H, W] arrays).</summary>
internal static class Ref
{
    public static double[,,] Random(int c, int h, int w, int seed)
    {
        var rng = new Random(seed);
        var a = new double[c, h, w];
        for (int k = 0; k < c; k++) for (int i = 0; i < h; i++) for (int j = 0; j < w; j++) a[k, i, j] = Math.Round(rng.NextDouble(), 3);
        return a;
    }

    public static Tensor T(double[,,] a) => Tensor.FromArray(a).To(DType.Float32);

    public static double[,,] A(Tensor t)
    {
        var s = t.Shape;
        var d = t.ToArray<double>();
        var a = new double[s[0], s[1], s[2]];
        for (int k = 0; k < s[0]; k++) for (int i = 0; i < s[1]; i++) for (int j = 0; j < s[2]; j++) a[k, i, j] = d[(k * s[1] + i) * s[2] + j];
        return a;
    }

    public static void Close(double[,,] expected, Tensor actual, double tol = 1e-5)
    {
        var a = A(actual);
        Xunit.Assert.Equal(new[] { expected.GetLength(0), expected.GetLength(1), expected.GetLength(2) }, new[] { a.GetLength(0), a.GetLength(1), a.GetLength(2) });
        for (int k = 0; k < a.GetLength(0); k++)
            for (int i = 0; i < a.GetLength(1); i++)
                for (int j = 0; j < a.GetLength(2); j++)
                    if (Math.Abs(expected[k, i, j] - a[k, i, j]) > tol)
                        Xunit.Assert.Fail($"at [{k}, {i}, {j}]: expected {expected[k, i, j]}, got {a[k, i, j]}");
    }

    /// <summary>Bilinear sample at pixel coordinates (x, y) with zeros outside (grid_sample, align_corners false, unnormalised).</summary>
    public static double Bilinear(double[,,] a, int k, double x, double y)
    {
        int h = a.GetLength(1), w = a.GetLength(2);
        int x0 = (int)Math.Floor(x), y0 = (int)Math.Floor(y);
        double fx = x - x0, fy = y - y0, s = 0;
        for (int dy = 0; dy < 2; dy++)
            for (int dx = 0; dx < 2; dx++)
            {
                int yy = y0 + dy, xx = x0 + dx;
                if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
                s += a[k, yy, xx] * (dx == 1 ? fx : 1 - fx) * (dy == 1 ? fy : 1 - fy);
            }
        return s;
    }

    /// <summary>PyTorch's bilinear resize (align_corners false): src = max((o + 0.5) * in / out - 0.5, 0).</summary>
    public static double[,,] Resize(double[,,] a, int oh, int ow)
    {
        int c = a.GetLength(0), h = a.GetLength(1), w = a.GetLength(2);
        var r = new double[c, oh, ow];
        for (int i = 0; i < oh; i++)
        {
            double sy = Math.Max((i + 0.5) * h / oh - 0.5, 0);
            int y0 = (int)sy, y1 = Math.Min(y0 + 1, h - 1);
            double ly = sy - y0;
            for (int j = 0; j < ow; j++)
            {
                double sx = Math.Max((j + 0.5) * w / ow - 0.5, 0);
                int x0 = (int)sx, x1 = Math.Min(x0 + 1, w - 1);
                double lx = sx - x0;
                for (int k = 0; k < c; k++)
                    r[k, i, j] = (1 - ly) * ((1 - lx) * a[k, y0, x0] + lx * a[k, y0, x1]) + ly * ((1 - lx) * a[k, y1, x0] + lx * a[k, y1, x1]);
            }
        }
        return r;
    }
}

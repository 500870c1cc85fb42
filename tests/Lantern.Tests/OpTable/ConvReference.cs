namespace Lantern.Tests.OpTable;

/// <summary>
/// Naive float64 convolution references written from the definitions (PyTorch's docs for conv / conv_transpose /
/// unfold / fold, torchvision's for deform_conv2d), loop by loop, sharing no code with Lantern's kernels.
/// Spatial arguments are (h, w) pairs; 1-D cases are 2-D with H = 1.
/// </summary>
public static class ConvReference
{
    public static Nd Reshape(Nd a, params int[] shape) => new(shape, a.Data);

    /// <summary>conv2d with padding (padTop, padLeft) before and the given output size (zeros outside).</summary>
    public static Nd Conv2d(Nd x, Nd w, Nd? b, (int H, int W) stride, (int H, int W) padBefore, (int H, int W) dilation, int groups, (int H, int W) outSize)
    {
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], wd = x.Shape[3];
        int o = w.Shape[0], cg = w.Shape[1], kh = w.Shape[2], kw = w.Shape[3], og = o / groups;
        var y = new Nd([n, o, outSize.H, outSize.W]);
        for (int ni = 0; ni < n; ni++)
            for (int oi = 0; oi < o; oi++)
                for (int yh = 0; yh < outSize.H; yh++)
                    for (int yw = 0; yw < outSize.W; yw++)
                    {
                        double s = b is null ? 0 : b.Data[oi];
                        int grp = oi / og;
                        for (int ci = 0; ci < cg; ci++)
                            for (int i = 0; i < kh; i++)
                                for (int j = 0; j < kw; j++)
                                {
                                    int ih = yh * stride.H - padBefore.H + i * dilation.H, iw = yw * stride.W - padBefore.W + j * dilation.W;
                                    if (ih < 0 || ih >= h || iw < 0 || iw >= wd) continue;
                                    s += w[oi, ci, i, j] * x[ni, grp * cg + ci, ih, iw];
                                }
                        y[ni, oi, yh, yw] = s;
                    }
        _ = c;
        return y;
    }

    /// <summary>conv2d with symmetric padding; output size from PyTorch's formula.</summary>
    public static Nd Conv2d(Nd x, Nd w, Nd? b, (int H, int W) stride, (int H, int W) pad, (int H, int W) dilation, int groups = 1)
    {
        int oh = (x.Shape[2] + 2 * pad.H - dilation.H * (w.Shape[2] - 1) - 1) / stride.H + 1;
        int ow = (x.Shape[3] + 2 * pad.W - dilation.W * (w.Shape[3] - 1) - 1) / stride.W + 1;
        return Conv2d(x, w, b, stride, pad, dilation, groups, (oh, ow));
    }

    /// <summary>conv2d with padding "same" (stride 1): total d (k - 1), floor half before, the rest after.</summary>
    public static Nd Conv2dSame(Nd x, Nd w, Nd? b, (int H, int W) dilation, int groups = 1) =>
        Conv2d(x, w, b, (1, 1), (dilation.H * (w.Shape[2] - 1) / 2, dilation.W * (w.Shape[3] - 1) / 2), dilation, groups, (x.Shape[2], x.Shape[3]));

    /// <summary>
    /// conv_transpose2d from its definition: every input pixel (ih, iw) scatters x * w[ci, co', kh, kw] to output
    /// (ih * s - p + kh * d, iw * s - p + kw * d); weight [Cin, Cout / groups, kH, kW].
    /// </summary>
    public static Nd ConvTranspose2d(Nd x, Nd w, Nd? b, (int H, int W) stride, (int H, int W) pad, (int H, int W) outPad, (int H, int W) dilation, int groups = 1)
    {
        int n = x.Shape[0], cin = x.Shape[1], h = x.Shape[2], wd = x.Shape[3];
        int cog = w.Shape[1], kh = w.Shape[2], kw = w.Shape[3], cig = cin / groups, cout = cog * groups;
        int oh = (h - 1) * stride.H - 2 * pad.H + dilation.H * (kh - 1) + outPad.H + 1;
        int ow = (wd - 1) * stride.W - 2 * pad.W + dilation.W * (kw - 1) + outPad.W + 1;
        var y = new Nd([n, cout, oh, ow]);
        for (int ni = 0; ni < n; ni++)
            for (int co = 0; co < cout; co++)
                for (int yh = 0; yh < oh; yh++)
                    for (int yw = 0; yw < ow; yw++)
                        y[ni, co, yh, yw] = b is null ? 0 : b.Data[co];
        for (int ni = 0; ni < n; ni++)
            for (int ci = 0; ci < cin; ci++)
                for (int ih = 0; ih < h; ih++)
                    for (int iw = 0; iw < wd; iw++)
                        for (int cj = 0; cj < cog; cj++)
                            for (int i = 0; i < kh; i++)
                                for (int j = 0; j < kw; j++)
                                {
                                    int yh = ih * stride.H - pad.H + i * dilation.H, yw = iw * stride.W - pad.W + j * dilation.W;
                                    if (yh < 0 || yh >= oh || yw < 0 || yw >= ow) continue;
                                    int co = ci / cig * cog + cj;
                                    y[ni, co, yh, yw] += x[ni, ci, ih, iw] * w[ci, cj, i, j];
                                }
        return y;
    }

    /// <summary>unfold: [N, C * kH * kW, L] with row (c * kH + i) * kW + j and column oh * OW + ow.</summary>
    public static Nd Unfold(Nd x, (int H, int W) k, (int H, int W) dilation, (int H, int W) pad, (int H, int W) stride)
    {
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], wd = x.Shape[3];
        int oh = (h + 2 * pad.H - dilation.H * (k.H - 1) - 1) / stride.H + 1, ow = (wd + 2 * pad.W - dilation.W * (k.W - 1) - 1) / stride.W + 1;
        var y = new Nd([n, c * k.H * k.W, oh * ow]);
        for (int ni = 0; ni < n; ni++)
            for (int ci = 0; ci < c; ci++)
                for (int i = 0; i < k.H; i++)
                    for (int j = 0; j < k.W; j++)
                        for (int a = 0; a < oh; a++)
                            for (int bb = 0; bb < ow; bb++)
                            {
                                int ih = a * stride.H - pad.H + i * dilation.H, iw = bb * stride.W - pad.W + j * dilation.W;
                                if (ih < 0 || ih >= h || iw < 0 || iw >= wd) continue;
                                y[ni, (ci * k.H + i) * k.W + j, a * ow + bb] = x[ni, ci, ih, iw];
                            }
        return y;
    }

    /// <summary>fold: sums each column entry of [N, C * kH * kW, L] into [N, C, outH, outW] at its position.</summary>
    public static Nd Fold(Nd cols, (int H, int W) outSize, (int H, int W) k, (int H, int W) dilation, (int H, int W) pad, (int H, int W) stride)
    {
        int n = cols.Shape[0], c = cols.Shape[1] / (k.H * k.W), h = outSize.H, wd = outSize.W;
        int oh = (h + 2 * pad.H - dilation.H * (k.H - 1) - 1) / stride.H + 1, ow = (wd + 2 * pad.W - dilation.W * (k.W - 1) - 1) / stride.W + 1;
        var y = new Nd([n, c, h, wd]);
        for (int ni = 0; ni < n; ni++)
            for (int ci = 0; ci < c; ci++)
                for (int i = 0; i < k.H; i++)
                    for (int j = 0; j < k.W; j++)
                        for (int a = 0; a < oh; a++)
                            for (int bb = 0; bb < ow; bb++)
                            {
                                int ih = a * stride.H - pad.H + i * dilation.H, iw = bb * stride.W - pad.W + j * dilation.W;
                                if (ih < 0 || ih >= h || iw < 0 || iw >= wd) continue;
                                y[ni, ci, ih, iw] += cols[ni, (ci * k.H + i) * k.W + j, a * ow + bb];
                            }
        return y;
    }

    /// <summary>torchvision's bilinear_interpolate: zero when h &lt;= -1, h &gt;= H, w &lt;= -1 or w &gt;= W; corners outside count as zero.</summary>
    public static double Bilinear(Nd x, int n, int c, double h, double w)
    {
        int height = x.Shape[2], width = x.Shape[3];
        if (h <= -1 || h >= height || w <= -1 || w >= width) return 0;
        int h0 = (int)Math.Floor(h), w0 = (int)Math.Floor(w);
        double lh = h - h0, lw = w - w0, s = 0;
        for (int dh = 0; dh <= 1; dh++)
            for (int dw = 0; dw <= 1; dw++)
            {
                int hh = h0 + dh, ww = w0 + dw;
                if (hh < 0 || hh >= height || ww < 0 || ww >= width) continue;
                s += (dh == 0 ? 1 - lh : lh) * (dw == 0 ? 1 - lw : lw) * x[n, c, hh, ww];
            }
        return s;
    }

    /// <summary>
    /// torchvision.ops.deform_conv2d by its definition: offset [N, 2 * G * kH * kW, OH, OW] with (dy, dx) per kernel
    /// point and offset group G, mask [N, G * kH * kW, OH, OW] or null, weight groups from weight.size(1).
    /// </summary>
    public static Nd DeformConv2d(Nd x, Nd offset, Nd w, Nd? b, (int H, int W) stride, (int H, int W) pad, (int H, int W) dilation, Nd? mask)
    {
        int n = x.Shape[0], c = x.Shape[1], o = w.Shape[0], cg = w.Shape[1], kh = w.Shape[2], kw = w.Shape[3];
        int groups = c / cg, og = o / groups, kk = kh * kw, offGroups = offset.Shape[1] / (2 * kk), cPerOff = c / offGroups;
        int oh = offset.Shape[2], ow = offset.Shape[3];
        var y = new Nd([n, o, oh, ow]);
        for (int ni = 0; ni < n; ni++)
            for (int oi = 0; oi < o; oi++)
                for (int a = 0; a < oh; a++)
                    for (int bb = 0; bb < ow; bb++)
                    {
                        double s = b is null ? 0 : b.Data[oi];
                        for (int ci = 0; ci < cg; ci++)
                        {
                            int cin = oi / og * cg + ci, g = cin / cPerOff;
                            for (int i = 0; i < kh; i++)
                                for (int j = 0; j < kw; j++)
                                {
                                    int k = i * kw + j;
                                    double dy = offset[ni, g * 2 * kk + 2 * k, a, bb], dx = offset[ni, g * 2 * kk + 2 * k + 1, a, bb];
                                    double m = mask is null ? 1 : mask[ni, g * kk + k, a, bb];
                                    double v = Bilinear(x, ni, cin, a * stride.H - pad.H + i * dilation.H + dy, bb * stride.W - pad.W + j * dilation.W + dx);
                                    s += w[oi, ci, i, j] * m * v;
                                }
                        }
                        y[ni, oi, a, bb] = s;
                    }
        return y;
    }
}

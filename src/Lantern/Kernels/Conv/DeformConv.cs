using System.Numerics;
using System.Numerics.Tensors;

namespace Lantern.Kernels;

/// <summary>
/// Deformable convolution (torchvision.ops.deform_conv2d; DCNv2 with a mask) as deformable im2col + GEMM.
/// x [N, C, H, W], offset [N, 2 * G * KH * KW, OH, OW] holding (dy, dx) pairs per kernel point for each of the
/// G offset groups (channel c uses group c / (C / G)), mask [N, G * KH * KW, OH, OW] or null (all ones),
/// w [O, C / Groups, KH, KW]. Column (c, k = kh * KW + kw, l = oh * OW + ow) holds
/// <code>mask * bilinear(x[n, c], oh * sh - ph + kh * dh + dy, ow * sw - pw + kw * dw + dx)</code>
/// where bilinear interpolation reads zero outside the input (torchvision's rule: zero once a coordinate is at or
/// beyond -1 or the size, otherwise corners outside the input count as zero). Gradients are the exact derivatives
/// of that interpolation (one-sided at integer coordinates, as torchvision's).
/// </summary>
internal static unsafe class DeformConv<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The interpolated value at (h, w) of a [height, width] plane, with its derivatives along h and w.</summary>
    private static T Sample(T* plane, int height, int width, T h, T w, out T dh, out T dw)
    {
        dh = dw = T.Zero;
        if (h <= -T.One || h >= T.CreateTruncating(height) || w <= -T.One || w >= T.CreateTruncating(width)) return T.Zero;
        T hf = T.Floor(h), wf = T.Floor(w);
        int hl = int.CreateTruncating(hf), wl = int.CreateTruncating(wf), hh = hl + 1, wh = wl + 1;
        T lh = h - hf, lw = w - wf, uh = T.One - lh, uw = T.One - lw;
        T v1 = hl >= 0 && wl >= 0 ? plane[hl * width + wl] : T.Zero;
        T v2 = hl >= 0 && wh < width ? plane[hl * width + wh] : T.Zero;
        T v3 = hh < height && wl >= 0 ? plane[hh * width + wl] : T.Zero;
        T v4 = hh < height && wh < width ? plane[hh * width + wh] : T.Zero;
        dh = uw * (v3 - v1) + lw * (v4 - v2);
        dw = uh * (v2 - v1) + lh * (v4 - v3);
        return uh * uw * v1 + uh * lw * v2 + lh * uw * v3 + lh * lw * v4;
    }

    /// <summary>Adds v times the interpolation weights of (h, w) into the four corners of a plane (the adjoint of sampling).</summary>
    private static void Scatter(T* plane, int height, int width, T h, T w, T v)
    {
        if (h <= -T.One || h >= T.CreateTruncating(height) || w <= -T.One || w >= T.CreateTruncating(width)) return;
        T hf = T.Floor(h), wf = T.Floor(w);
        int hl = int.CreateTruncating(hf), wl = int.CreateTruncating(wf), hh = hl + 1, wh = wl + 1;
        T lh = h - hf, lw = w - wf, uh = T.One - lh, uw = T.One - lw;
        if (hl >= 0 && wl >= 0) plane[hl * width + wl] += uh * uw * v;
        if (hl >= 0 && wh < width) plane[hl * width + wh] += uh * lw * v;
        if (hh < height && wl >= 0) plane[hh * width + wl] += lh * uw * v;
        if (hh < height && wh < width) plane[hh * width + wh] += lh * lw * v;
    }

    /// <summary>Deformable im2col of sample n into cols [C * KH * KW, L].</summary>
    private static void Columns(T* x, T* offset, T* mask, int n, in ConvGeometry g, int offsetGroups, T* cols)
    {
        int kk = g.KH * g.KW, l = g.L, cPerGroup = g.C / offsetGroups;
        T* xs = x + (long)n * g.C * g.H * g.W;
        T* os = offset + (long)n * 2 * offsetGroups * kk * l;
        T* ms = mask == null ? null : mask + (long)n * offsetGroups * kk * l;
        for (int c = 0; c < g.C; c++)
        {
            int og = c / cPerGroup;
            T* plane = xs + (long)c * g.H * g.W;
            for (int k = 0; k < kk; k++)
            {
                int kh = k / g.KW, kw = k % g.KW;
                T* offH = os + (long)(og * 2 * kk + 2 * k) * l, offW = offH + l;
                T* m = ms == null ? null : ms + (long)(og * kk + k) * l;
                T* dst = cols + (long)(c * kk + k) * l;
                for (int oh = 0, i = 0; oh < g.OH; oh++)
                    for (int ow = 0; ow < g.OW; ow++, i++)
                    {
                        T h = T.CreateTruncating(oh * g.StrideH - g.PadH + kh * g.DilationH) + offH[i];
                        T w = T.CreateTruncating(ow * g.StrideW - g.PadW + kw * g.DilationW) + offW[i];
                        T v = Sample(plane, g.H, g.W, h, w, out _, out _);
                        dst[i] = m == null ? v : m[i] * v;
                    }
            }
        }
    }

    /// <summary>y = deform_conv2d(x, offset, w, bias, mask).</summary>
    public static void Forward(T* x, T* offset, T* mask, T* w, T* bias, T* y, ConvGeometry g, int offsetGroups)
    {
        int rows = g.C * g.KH * g.KW, kg = g.ColRows, l = g.L;
        nint px = (nint)x, po = (nint)offset, pm = (nint)mask, pw = (nint)w, pb = (nint)bias, py = (nint)y;
        ConvGemm<T>.ForItems(g.N, g.N, (n, threads) =>
        {
            T* cols = ConvScratch<T>.Get(1, (long)rows * l);
            Columns((T*)px, (T*)po, (T*)pm, n, g, offsetGroups, cols);
            for (int grp = 0; grp < g.Groups; grp++)
            {
                T* yg = (T*)py + ((long)n * g.O + (long)grp * g.Og) * l;
                T beta = T.Zero;
                if (pb != 0)
                {
                    for (int o = 0; o < g.Og; o++) new Span<T>(yg + (long)o * l, l).Fill(((T*)pb)[grp * g.Og + o]);
                    beta = T.One;
                }
                GemmCore<T>.Run(g.Og, l, kg, T.One, (T*)pw + (long)grp * g.Og * kg, kg, 1, cols + (long)grp * kg * l, l, 1,
                    beta, yg, l, 1, threads);
            }
        });
    }

    /// <summary>
    /// Gradients of sum(dy * deform_conv2d(...)): dx, dOffset, dw overwritten; dMask overwritten when mask is given.
    /// The weight gradient sums fixed batch chunks in order (thread-count independent).
    /// </summary>
    public static void Backward(T* x, T* offset, T* mask, T* w, T* dy, T* dx, T* dOffset, T* dMask, T* dw, ConvGeometry g, int offsetGroups)
    {
        int kk = g.KH * g.KW, rows = g.C * kk, kg = g.ColRows, l = g.L, cPerGroup = g.C / offsetGroups;
        long wn = (long)g.O * kg;
        int parts = ConvGemm<T>.WeightParts(g.N, wn);
        var partials = new T[parts > 1 ? (parts - 1) * wn : 0];
        if (g.N == 0) { new Span<T>(dw, (int)wn).Clear(); return; }
        fixed (T* pp = partials)
        {
            nint px = (nint)x, po = (nint)offset, pm = (nint)mask, pw = (nint)w, pdy = (nint)dy, pdx = (nint)dx,
                pdo = (nint)dOffset, pdm = (nint)dMask, pdw = (nint)dw, ppart = (nint)pp;
            ConvGemm<T>.ForItems(parts, parts, (part, threads) =>
            {
                T* acc = part == 0 ? (T*)pdw : (T*)ppart + (part - 1) * wn;
                int n0 = (int)((long)g.N * part / parts), n1 = (int)((long)g.N * (part + 1) / parts);
                T* cols = ConvScratch<T>.Get(1, (long)rows * l);
                T* gcols = ConvScratch<T>.Get(2, (long)rows * l);
                for (int n = n0; n < n1; n++)
                {
                    T* dyn = (T*)pdy + (long)n * g.O * l;
                    // Column gradients: gcols_g = W_g^T · dY_g.
                    for (int grp = 0; grp < g.Groups; grp++)
                        GemmCore<T>.Run(kg, l, g.Og, T.One, (T*)pw + (long)grp * g.Og * kg, 1, kg, dyn + (long)grp * g.Og * l, l, 1,
                            T.Zero, gcols + (long)grp * kg * l, l, 1, threads);
                    SampleGradients((T*)px, (T*)po, (T*)pm, gcols, n, g, offsetGroups, cPerGroup,
                        (T*)pdx, (T*)pdo, (T*)pdm);
                    // Weight gradient: dW_g += dY_g · cols_g^T.
                    Columns((T*)px, (T*)po, (T*)pm, n, g, offsetGroups, cols);
                    for (int grp = 0; grp < g.Groups; grp++)
                        GemmCore<T>.Run(g.Og, kg, l, T.One, dyn + (long)grp * g.Og * l, l, 1, cols + (long)grp * kg * l, 1, l,
                            n == n0 ? T.Zero : T.One, acc + (long)grp * g.Og * kg, kg, 1, threads);
                }
            });
            var total = new Span<T>(dw, (int)wn);
            for (int p = 1; p < parts; p++) TensorPrimitives.Add(total, new ReadOnlySpan<T>(pp + (p - 1) * wn, (int)wn), total);
        }
    }

    // dx (scatter through the interpolation), dOffset (coordinate derivatives) and dMask (sampled values) of sample n.
    private static void SampleGradients(T* x, T* offset, T* mask, T* gcols, int n, in ConvGeometry g, int offsetGroups, int cPerGroup,
        T* dx, T* dOffset, T* dMask)
    {
        int kk = g.KH * g.KW, l = g.L, hw = g.H * g.W;
        long offN = (long)n * 2 * offsetGroups * kk * l, maskN = (long)n * offsetGroups * kk * l;
        T* xs = x + (long)n * g.C * hw;
        T* dxs = dx + (long)n * g.C * hw;
        new Span<T>(dxs, g.C * hw).Clear();
        new Span<T>(dOffset + offN, 2 * offsetGroups * kk * l).Clear();
        if (dMask != null) new Span<T>(dMask + maskN, offsetGroups * kk * l).Clear();
        for (int c = 0; c < g.C; c++)
        {
            int og = c / cPerGroup;
            T* plane = xs + (long)c * hw;
            T* dplane = dxs + (long)c * hw;
            for (int k = 0; k < kk; k++)
            {
                int kh = k / g.KW, kw = k % g.KW;
                long oIdx = offN + (long)(og * 2 * kk + 2 * k) * l, mIdx = maskN + (long)(og * kk + k) * l;
                T* offH = offset + oIdx, offW = offH + l, gOffH = dOffset + oIdx, gOffW = gOffH + l;
                T* m = mask == null ? null : mask + mIdx;
                T* gm = dMask == null ? null : dMask + mIdx;
                T* gc = gcols + (long)(c * kk + k) * l;
                for (int oh = 0, i = 0; oh < g.OH; oh++)
                    for (int ow = 0; ow < g.OW; ow++, i++)
                    {
                        T h = T.CreateTruncating(oh * g.StrideH - g.PadH + kh * g.DilationH) + offH[i];
                        T w = T.CreateTruncating(ow * g.StrideW - g.PadW + kw * g.DilationW) + offW[i];
                        T gv = gc[i];
                        T mv = m == null ? T.One : m[i];
                        T v = Sample(plane, g.H, g.W, h, w, out T dh, out T dwv);
                        gOffH[i] += gv * mv * dh;
                        gOffW[i] += gv * mv * dwv;
                        if (gm != null) gm[i] += gv * v;
                        Scatter(dplane, g.H, g.W, h, w, gv * mv);
                    }
            }
        }
    }
}

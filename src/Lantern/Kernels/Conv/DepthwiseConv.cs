using System.Numerics;

namespace Lantern.Kernels;

/// <summary>
/// Direct depthwise convolution (one input channel per group, any channel multiplier Og = O / Groups): output
/// channel o reads input channel o / Og only, so each output plane is a sum of KH * KW shifted, scaled input rows.
/// Stride-1 rows are SIMD axpy / dot loops over the valid column range; other strides use scalar loops.
/// Threads split output planes (forward), input planes (backward input) or output channels (backward weight,
/// each summing the batch in order), so results do not depend on the thread count.
/// </summary>
internal static unsafe class DepthwiseConv<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    // Valid output columns [a, b) of a kernel column whose input column is iw = ow * sw + shift, within [0, W).
    private static (int A, int B) ValidColumns(in ConvGeometry g, int shift)
    {
        int sw = g.StrideW;
        int a = shift >= 0 ? 0 : (-shift + sw - 1) / sw;
        int b = g.W - 1 - shift < 0 ? 0 : (g.W - 1 - shift) / sw + 1;
        a = Math.Min(a, g.OW);
        return (a, Math.Clamp(b, a, g.OW));
    }

    /// <summary>y = depthwise conv(x, w) + bias.</summary>
    public static void Forward(T* x, T* w, T* bias, T* y, ConvGeometry g)
    {
        nint px = (nint)x, pw = (nint)w, pb = (nint)bias, py = (nint)y;
        int kk = g.KH * g.KW, hw = g.H * g.W, l = g.L;
        KernelThreads.For(g.N * g.O, 4, (s, e) =>
        {
            for (int item = s; item < e; item++)
            {
                int o = item % g.O, n = item / g.O, c = o / g.Og;
                T* plane = (T*)px + ((long)n * g.C + c) * hw;
                T* wo = (T*)pw + (long)o * kk;
                T* yo = (T*)py + (long)item * l;
                new Span<T>(yo, l).Fill(pb == 0 ? T.Zero : ((T*)pb)[o]);
                for (int oh = 0; oh < g.OH; oh++)
                {
                    T* yrow = yo + (long)oh * g.OW;
                    for (int kh = 0; kh < g.KH; kh++)
                    {
                        int ih = oh * g.StrideH - g.PadH + kh * g.DilationH;
                        if ((uint)ih >= (uint)g.H) continue;
                        T* xrow = plane + (long)ih * g.W;
                        for (int kw = 0; kw < g.KW; kw++)
                        {
                            T wv = wo[kh * g.KW + kw];
                            int shift = kw * g.DilationW - g.PadW;
                            var (a, b) = ValidColumns(g, shift);
                            if (g.StrideW == 1) ConvVec<T>.Axpy(xrow + a + shift, wv, yrow + a, b - a);
                            else for (int ow = a; ow < b; ow++) yrow[ow] += wv * xrow[ow * g.StrideW + shift];
                        }
                    }
                }
            }
        });
    }

    /// <summary>dx = the input gradient of sum(dy * conv(x, w)) (overwritten).</summary>
    public static void BackwardInput(T* dy, T* w, T* dx, ConvGeometry g)
    {
        nint pdy = (nint)dy, pw = (nint)w, pdx = (nint)dx;
        int kk = g.KH * g.KW, hw = g.H * g.W, l = g.L;
        KernelThreads.For(g.N * g.C, 4, (s, e) =>
        {
            for (int item = s; item < e; item++)
            {
                int c = item % g.C, n = item / g.C;
                T* plane = (T*)pdx + (long)item * hw;
                new Span<T>(plane, hw).Clear();
                for (int o = c * g.Og; o < (c + 1) * g.Og; o++)
                {
                    T* wo = (T*)pw + (long)o * kk;
                    T* dyo = (T*)pdy + ((long)n * g.O + o) * l;
                    for (int oh = 0; oh < g.OH; oh++)
                    {
                        T* dyrow = dyo + (long)oh * g.OW;
                        for (int kh = 0; kh < g.KH; kh++)
                        {
                            int ih = oh * g.StrideH - g.PadH + kh * g.DilationH;
                            if ((uint)ih >= (uint)g.H) continue;
                            T* xrow = plane + (long)ih * g.W;
                            for (int kw = 0; kw < g.KW; kw++)
                            {
                                T wv = wo[kh * g.KW + kw];
                                int shift = kw * g.DilationW - g.PadW;
                                var (a, b) = ValidColumns(g, shift);
                                if (g.StrideW == 1) ConvVec<T>.Axpy(dyrow + a, wv, xrow + a + shift, b - a);
                                else for (int ow = a; ow < b; ow++) xrow[ow * g.StrideW + shift] += wv * dyrow[ow];
                            }
                        }
                    }
                }
            }
        });
    }

    /// <summary>dw = the weight gradient of sum(dy * conv(x, w)) (overwritten); each output channel sums the batch in order.</summary>
    public static void BackwardWeight(T* x, T* dy, T* dw, ConvGeometry g)
    {
        nint px = (nint)x, pdy = (nint)dy, pdw = (nint)dw;
        int kk = g.KH * g.KW, hw = g.H * g.W, l = g.L;
        KernelThreads.For(g.O, 1, (s, e) =>
        {
            for (int o = s; o < e; o++)
            {
                int c = o / g.Og;
                T* acc = (T*)pdw + (long)o * kk;
                new Span<T>(acc, kk).Clear();
                for (int n = 0; n < g.N; n++)
                {
                    T* plane = (T*)px + ((long)n * g.C + c) * hw;
                    T* dyo = (T*)pdy + ((long)n * g.O + o) * l;
                    for (int oh = 0; oh < g.OH; oh++)
                    {
                        T* dyrow = dyo + (long)oh * g.OW;
                        for (int kh = 0; kh < g.KH; kh++)
                        {
                            int ih = oh * g.StrideH - g.PadH + kh * g.DilationH;
                            if ((uint)ih >= (uint)g.H) continue;
                            T* xrow = plane + (long)ih * g.W;
                            for (int kw = 0; kw < g.KW; kw++)
                            {
                                int shift = kw * g.DilationW - g.PadW;
                                var (a, b) = ValidColumns(g, shift);
                                T sum;
                                if (g.StrideW == 1) sum = ConvVec<T>.Dot(dyrow + a, xrow + a + shift, b - a);
                                else
                                {
                                    sum = T.Zero;
                                    for (int ow = a; ow < b; ow++) sum += dyrow[ow] * xrow[ow * g.StrideW + shift];
                                }
                                acc[kh * g.KW + kw] += sum;
                            }
                        }
                    }
                }
            }
        });
    }
}

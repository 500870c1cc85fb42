using System.Numerics;
using System.Numerics.Tensors;

namespace Lantern.Kernels;

/// <summary>
/// im2col and col2im for one sample and one group of channels, over a range of output pixels.
/// The column matrix has one row per (channel, kh, kw), row index (c * KH + kh) * KW + kw, and one column per
/// output pixel l = oh * OW + ow in [l0, l1): cols[r, l - l0] = x[c, oh * sh - ph + kh * dh, ow * sw - pw + kw * dw]
/// (zero outside the input). Rows are contiguous with length l1 - l0. Stride-1 rows are block copies / adds.
/// </summary>
internal static unsafe class Im2Col<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Fills cols [channels * KH * KW, l1 - l0] from x [channels, H, W].</summary>
    public static void Pack(T* x, in ConvGeometry g, int channels, int l0, int l1, T* cols)
    {
        int n = l1 - l0, kh_ = g.KH, kw_ = g.KW;
        for (int c = 0; c < channels; c++)
            for (int kh = 0; kh < kh_; kh++)
                for (int kw = 0; kw < kw_; kw++)
                {
                    T* dst = cols + (long)((c * kh_ + kh) * kw_ + kw) * n;
                    PackRow(x + (long)c * g.H * g.W, g, kh, kw, l0, l1, dst);
                }
    }

    private static void PackRow(T* plane, in ConvGeometry g, int kh, int kw, int l0, int l1, T* dst)
    {
        int ow_ = g.OW, sw = g.StrideW, shift = kw * g.DilationW - g.PadW;
        for (int l = l0; l < l1;)
        {
            int oh = l / ow_, ow0 = l - oh * ow_, ow1 = Math.Min(ow_, ow0 + (l1 - l)), cnt = ow1 - ow0;
            int ih = oh * g.StrideH - g.PadH + kh * g.DilationH;
            if ((uint)ih >= (uint)g.H)
            {
                new Span<T>(dst, cnt).Clear();
            }
            else
            {
                T* src = plane + (long)ih * g.W;
                if (sw == 1)
                {
                    // iw = ow + shift in [0, W) for ow in [a, b).
                    int a = Math.Clamp(-shift, ow0, ow1), b = Math.Clamp(g.W - shift, a, ow1);
                    new Span<T>(dst, a - ow0).Clear();
                    new ReadOnlySpan<T>(src + a + shift, b - a).CopyTo(new Span<T>(dst + (a - ow0), b - a));
                    new Span<T>(dst + (b - ow0), ow1 - b).Clear();
                }
                else
                {
                    for (int ow = ow0; ow < ow1; ow++)
                    {
                        int iw = ow * sw + shift;
                        dst[ow - ow0] = (uint)iw < (uint)g.W ? src[iw] : T.Zero;
                    }
                }
            }
            dst += cnt;
            l += cnt;
        }
    }

    /// <summary>Adds cols [channels * KH * KW, l1 - l0] back into x [channels, H, W] (the adjoint of <see cref="Pack"/>).</summary>
    public static void Unpack(T* cols, in ConvGeometry g, int channels, int l0, int l1, T* x)
    {
        int n = l1 - l0, kh_ = g.KH, kw_ = g.KW;
        for (int c = 0; c < channels; c++)
            for (int kh = 0; kh < kh_; kh++)
                for (int kw = 0; kw < kw_; kw++)
                {
                    T* src = cols + (long)((c * kh_ + kh) * kw_ + kw) * n;
                    UnpackRow(src, g, kh, kw, l0, l1, x + (long)c * g.H * g.W);
                }
    }

    private static void UnpackRow(T* src, in ConvGeometry g, int kh, int kw, int l0, int l1, T* plane)
    {
        int ow_ = g.OW, sw = g.StrideW, shift = kw * g.DilationW - g.PadW;
        for (int l = l0; l < l1;)
        {
            int oh = l / ow_, ow0 = l - oh * ow_, ow1 = Math.Min(ow_, ow0 + (l1 - l)), cnt = ow1 - ow0;
            int ih = oh * g.StrideH - g.PadH + kh * g.DilationH;
            if ((uint)ih < (uint)g.H)
            {
                T* dst = plane + (long)ih * g.W;
                if (sw == 1)
                {
                    int a = Math.Clamp(-shift, ow0, ow1), b = Math.Clamp(g.W - shift, a, ow1);
                    var d = new Span<T>(dst + a + shift, b - a);
                    TensorPrimitives.Add(d, new ReadOnlySpan<T>(src + (a - ow0), b - a), d);
                }
                else
                {
                    for (int ow = ow0; ow < ow1; ow++)
                    {
                        int iw = ow * sw + shift;
                        if ((uint)iw < (uint)g.W) dst[iw] += src[ow - ow0];
                    }
                }
            }
            src += cnt;
            l += cnt;
        }
    }
}

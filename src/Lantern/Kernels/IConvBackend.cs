namespace Lantern.Kernels;

/// <summary>
/// Convolution kernels of a backend (the seam beside <see cref="IBackend"/>), on Float32 or Float64 buffers.
/// Every layout passed in must be contiguous (any offset); outputs are written whole. Shapes follow
/// <see cref="ConvGeometry"/>: x [N, C, H, W], w [O, C / Groups, KH, KW], y [N, O, OH, OW], bias [O].
/// No result depends on the thread count.
/// </summary>
public interface IConvBackend
{
    /// <summary>y = conv2d(x, w) + bias (bias optional).</summary>
    void ConvForward(DeviceBuffer x, Layout lx, DeviceBuffer w, Layout lw, DeviceBuffer? bias, Layout lb, DeviceBuffer y, Layout ly, in ConvGeometry g);

    /// <summary>dx = gradient of sum(dy * conv2d(x, w)) with respect to x: the transposed convolution of dy by w.</summary>
    void ConvBackwardInput(DeviceBuffer dy, Layout ldy, DeviceBuffer w, Layout lw, DeviceBuffer dx, Layout ldx, in ConvGeometry g);

    /// <summary>dw = gradient of sum(dy * conv2d(x, w)) with respect to w.</summary>
    void ConvBackwardWeight(DeviceBuffer x, Layout lx, DeviceBuffer dy, Layout ldy, DeviceBuffer dw, Layout ldw, in ConvGeometry g);

    /// <summary>db[o] = sum of dy[n, o, oh, ow] over n, oh, ow (the bias gradient); dy [N, O, OH, OW], db [O].</summary>
    void ConvBackwardBias(DeviceBuffer dy, Layout ldy, DeviceBuffer db, Layout ldb, in ConvGeometry g);

    /// <summary>im2col (torch.nn.functional.unfold): cols [N, C * KH * KW, OH * OW] from x [N, C, H, W] (Groups ignored).</summary>
    void Im2Col(DeviceBuffer x, Layout lx, DeviceBuffer cols, Layout lc, in ConvGeometry g);

    /// <summary>col2im (torch.nn.functional.fold): x [N, C, H, W] = the sum of every column entry at its input position.</summary>
    void Col2Im(DeviceBuffer cols, Layout lc, DeviceBuffer x, Layout lx, in ConvGeometry g);

    /// <summary>
    /// torchvision.ops.deform_conv2d forward: offset [N, 2 * offsetGroups * KH * KW, OH, OW] as (dy, dx) pairs,
    /// mask [N, offsetGroups * KH * KW, OH, OW] or null, bias or null.
    /// </summary>
    void DeformConvForward(DeviceBuffer x, Layout lx, DeviceBuffer offset, Layout lo, DeviceBuffer? mask, Layout lm,
        DeviceBuffer w, Layout lw, DeviceBuffer? bias, Layout lb, DeviceBuffer y, Layout ly, in ConvGeometry g, int offsetGroups);

    /// <summary>Gradients of sum(dy * deform_conv2d(...)) with respect to x, offset, mask (when given) and w.</summary>
    void DeformConvBackward(DeviceBuffer x, Layout lx, DeviceBuffer offset, Layout lo, DeviceBuffer? mask, Layout lm,
        DeviceBuffer w, Layout lw, DeviceBuffer dy, Layout ldy, DeviceBuffer dx, DeviceBuffer dOffset, DeviceBuffer? dMask,
        DeviceBuffer dw, in ConvGeometry g, int offsetGroups);
}

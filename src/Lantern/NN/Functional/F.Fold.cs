using Lantern.Kernels;

namespace Lantern.NN;

// Unfold (im2col) and Fold (col2im): each is the other's adjoint, so each one's backward is the other.
public static partial class F
{
    /// <summary>
    /// torch.nn.functional.unfold (im2col): extracts sliding blocks. input [N, C, H, W] (or unbatched [C, H, W]);
    /// output [N, C * kH * kW, L] with row (c * kH + i) * kW + j and column l = oh * OW + ow holding
    /// x[n, c, oh * sH - pH + i * dH, ow * sW - pW + j * dW] (zero in the padding), where
    /// OH = floor((H + 2 pH - dH (kH - 1) - 1) / sH) + 1 and L = OH * OW. Backward: <see cref="Fold"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Input not 3-D or 4-D, non-positive kernel / dilation / stride, negative padding, or no block fits.</exception>
    [Differentiable]
    public static Tensor Unfold(Tensor input, IntPair kernelSize, IntPair? dilation = null, IntPair? padding = null, IntPair? stride = null)
    {
        IntPair d = dilation ?? 1, p = padding ?? 0, s = stride ?? 1;
        if (input.Rank != 3 && input.Rank != 4)
            throw new ArgumentException($"Unfold: Input Error: Only 3D or 4D input Tensors are supported (got {input.Rank}D, shape {input.Shape}).");
        bool unbatched = input.Rank == 3;
        var x = (unbatched ? input.Unsqueeze(0) : input).Contiguous();
        CheckFoldArgs("Unfold", kernelSize, d, p, s, x.DType);
        int oh = ConvGeometry.OutputSize(x.Shape[2], kernelSize.H, s.H, 2 * p.H, d.H);
        int ow = ConvGeometry.OutputSize(x.Shape[3], kernelSize.W, s.W, 2 * p.W, d.W);
        if (oh < 1 || ow < 1 || x.Shape[1] == 0)
            throw new ArgumentException($"Unfold: Given input with spatial size ({x.Shape[2]}, {x.Shape[3]}), kernel_size={Tuple(kernelSize.ToArray())}, dilation={Tuple(d.ToArray())}, padding={Tuple(p.ToArray())}, calculated shape of the array of sliding blocks as ({oh}, {ow}), but its components must be at least one (input {input.Shape}).");
        var g = FoldGeometry(x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], kernelSize, d, p, s, oh, ow);
        var y = Tensor.Uninitialized(new Shape(g.N, g.C * g.KH * g.KW, g.L), x.DType);
        ConvBackend.Im2Col(x.Buffer, x.Layout, y.Buffer, y.Layout, g);
        IntPair outSize = (g.H, g.W);
        y = Autograd.Record(y, "Unfold", [x], gy => [Fold(gy, outSize, kernelSize, d, p, s)]);
        return unbatched ? y.Squeeze(0) : y;
    }

    /// <summary>
    /// torch.nn.functional.fold (col2im): sums sliding blocks back into an image, the adjoint of <see cref="Unfold"/>.
    /// input [N, C * kH * kW, L] (or unbatched [C * kH * kW, L]) with L equal to the number of blocks that fit in
    /// outputSize; output [N, C, outH, outW] where every column entry is added at the position Unfold reads it from
    /// (entries that fall in the padding are dropped). Backward: <see cref="Unfold"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Input not 2-D or 3-D, dim 1 not divisible by kH * kW, L not equal to the block count, or bad sizes.</exception>
    [Differentiable]
    public static Tensor Fold(Tensor input, IntPair outputSize, IntPair kernelSize, IntPair? dilation = null, IntPair? padding = null, IntPair? stride = null)
    {
        IntPair d = dilation ?? 1, p = padding ?? 0, s = stride ?? 1;
        if (input.Rank != 2 && input.Rank != 3)
            throw new ArgumentException($"Fold: Expected 2D (unbatched) or 3D (batched) input tensor, but got input of size {input.Shape}.");
        bool unbatched = input.Rank == 2;
        var x = (unbatched ? input.Unsqueeze(0) : input).Contiguous();
        CheckFoldArgs("Fold", kernelSize, d, p, s, x.DType);
        if (outputSize.H <= 0 || outputSize.W <= 0)
            throw new ArgumentException($"Fold: output_size must be positive, got {Tuple(outputSize.ToArray())}.");
        int kk = kernelSize.H * kernelSize.W;
        if (x.Shape[1] % kk != 0 || x.Shape[1] == 0)
            throw new ArgumentException($"Fold: Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)={x.Shape[1]} and kernel_size={Tuple(kernelSize.ToArray())}.");
        int oh = ConvGeometry.OutputSize(outputSize.H, kernelSize.H, s.H, 2 * p.H, d.H);
        int ow = ConvGeometry.OutputSize(outputSize.W, kernelSize.W, s.W, 2 * p.W, d.W);
        if (oh < 1 || ow < 1 || (long)oh * ow != x.Shape[2])
            throw new ArgumentException($"Fold: Given output_size={Tuple(outputSize.ToArray())}, kernel_size={Tuple(kernelSize.ToArray())}, dilation={Tuple(d.ToArray())}, padding={Tuple(p.ToArray())}, stride={Tuple(s.ToArray())}, expected size of input's dimension 2 to match the calculated number of sliding blocks {oh} * {ow} = {(long)oh * ow}, but got input.size(2)={x.Shape[2]} (input {input.Shape}).");
        var g = FoldGeometry(x.Shape[0], x.Shape[1] / kk, outputSize.H, outputSize.W, kernelSize, d, p, s, oh, ow);
        var y = Tensor.Uninitialized(new Shape(g.N, g.C, g.H, g.W), x.DType);
        ConvBackend.Col2Im(x.Buffer, x.Layout, y.Buffer, y.Layout, g);
        y = Autograd.Record(y, "Fold", [x], gy => [Unfold(gy, kernelSize, d, p, s)]);
        return unbatched ? y.Squeeze(0) : y;
    }

    private static void CheckFoldArgs(string op, IntPair k, IntPair d, IntPair p, IntPair s, DType dtype)
    {
        if (k.H <= 0 || k.W <= 0) throw new ArgumentException($"{op}: kernel_size should be greater than zero, but got {Tuple(k.ToArray())}.");
        if (d.H <= 0 || d.W <= 0) throw new ArgumentException($"{op}: dilation should be greater than zero, but got {Tuple(d.ToArray())}.");
        if (s.H <= 0 || s.W <= 0) throw new ArgumentException($"{op}: stride should be greater than zero, but got {Tuple(s.ToArray())}.");
        if (p.H < 0 || p.W < 0) throw new ArgumentException($"{op}: padding should be non-negative, but got {Tuple(p.ToArray())}.");
        if (dtype != DType.Float32 && dtype != DType.Float64) throw new ArgumentException($"{op}: expected a Float32 or Float64 input, got {dtype}.");
    }

    private static ConvGeometry FoldGeometry(int n, int c, int h, int w, IntPair k, IntPair d, IntPair p, IntPair s, int oh, int ow) => new()
    {
        N = n, C = c, H = h, W = w, O = 1, KH = k.H, KW = k.W, OH = oh, OW = ow,
        StrideH = s.H, StrideW = s.W, PadH = p.H, PadW = p.W, DilationH = d.H, DilationW = d.W,
    };
}

using Lantern.Kernels;

namespace Lantern.NN;

// Deformable convolution (torchvision.ops.deform_conv2d), DCNv1 and, with a mask, DCNv2.
public static partial class F
{
    /// <summary>
    /// torchvision.ops.deform_conv2d: a convolution whose kernel point k = kh * kW + kw of output pixel (oh, ow)
    /// reads the input at (oh * sH - pH + kh * dH + dy, ow * sW - pW + kw * dW + dx) by bilinear interpolation
    /// (zero outside the input), scaled by the mask when one is given:
    /// y[n, o, oh, ow] = bias[o] + sum over c, k of weight[o, c', k] * mask[n, G(c) * K + k, oh, ow] * x_n,c(position).
    /// input [N, C, H, W]; offset [N, 2 * G * kH * kW, OH, OW] holding (dy, dx) pairs, kernel point after kernel
    /// point, for each of the G offset groups (channel c uses group c / (C / G)); weight [O, C / groups, kH, kW]
    /// (groups = C / weight.size(1)); bias [O]; mask [N, G * kH * kW, OH, OW] or null. With zero offsets and no mask
    /// this equals <see cref="Conv2d"/>. Gradients for input, offset, mask, weight and bias (first order only:
    /// differentiating them again raises NotSupportedException).
    /// </summary>
    /// <exception cref="ArgumentException">
    /// Ranks or sizes that do not fit together (offset channels not a multiple of 2 kH kW, offset or mask spatial
    /// size not the output size, batch sizes differing, channels not divisible by the groups), or mixed dtypes; the
    /// message names DeformConv2d and the shapes.
    /// </exception>
    [Differentiable]
    public static Tensor DeformConv2d(Tensor input, Tensor offset, Tensor weight, Tensor? bias = null, IntPair? stride = null,
        IntPair? padding = null, IntPair? dilation = null, Tensor? mask = null)
    {
        const string op = "DeformConv2d";
        IntPair s = stride ?? 1, p = padding ?? 0, d = dilation ?? 1;
        if (input.Rank != 4 || offset.Rank != 4 || weight.Rank != 4 || (mask is not null && mask.Rank != 4))
            throw new ArgumentException($"{op}: expected 4-D input, offset, weight and mask, got input {input.Shape}, offset {offset.Shape}, weight {weight.Shape}, mask {mask?.Shape.ToString() ?? "None"}.");
        CheckConvDTypes(op, input, weight, bias);
        if (offset.DType != input.DType || (mask is not null && mask.DType != input.DType))
            throw new ArgumentException($"{op}: offset ({offset.DType}) and mask ({mask?.DType.ToString() ?? "None"}) must have the input's dtype {input.DType}.");
        if (s.H <= 0 || s.W <= 0 || d.H <= 0 || d.W <= 0 || p.H < 0 || p.W < 0)
            throw new ArgumentException($"{op}: stride and dilation must be positive and padding non-negative, got stride={Tuple(s.ToArray())}, padding={Tuple(p.ToArray())}, dilation={Tuple(d.ToArray())}.");
        int n = input.Shape[0], c = input.Shape[1], h = input.Shape[2], w = input.Shape[3];
        int o = weight.Shape[0], cg = weight.Shape[1], kh = weight.Shape[2], kw = weight.Shape[3], kk = kh * kw;
        if (cg == 0 || c % cg != 0 || c == 0)
            throw new ArgumentException($"{op}: input channels {c} must be a multiple of weight.size(1) = {cg} (input {input.Shape}, weight {weight.Shape}).");
        int groups = c / cg;
        if (o % groups != 0)
            throw new ArgumentException($"{op}: output channels {o} must be divisible by the weight groups {groups} (weight {weight.Shape}, input {input.Shape}).");
        int offGroups = offset.Shape[1] / (2 * kk);
        if (offGroups == 0 || offset.Shape[1] % (2 * kk) != 0)
            throw new ArgumentException($"{op}: the shape of the offset tensor at dimension 1 is not valid. It should be a multiple of 2 * weight.size[2] * weight.size[3]. Got offset.shape[1]={offset.Shape[1]}, while 2 * weight.size[2] * weight.size[3]={2 * kk}.");
        if (c % offGroups != 0)
            throw new ArgumentException($"{op}: input channels {c} must be divisible by the offset groups {offGroups} (offset {offset.Shape}).");
        int oh = ConvGeometry.OutputSize(h, kh, s.H, 2 * p.H, d.H), ow = ConvGeometry.OutputSize(w, kw, s.W, 2 * p.W, d.W);
        if (oh <= 0 || ow <= 0 || h + 2 * p.H < d.H * (kh - 1) + 1 || w + 2 * p.W < d.W * (kw - 1) + 1)
            throw new ArgumentException($"{op}: Calculated output size too small - out_h: {oh} out_w: {ow} (input {input.Shape}, weight {weight.Shape}).");
        if (offset.Shape[0] != n || offset.Shape[2] != oh || offset.Shape[3] != ow)
            throw new ArgumentException($"{op}: offset must have shape [{n}, {offset.Shape[1]}, {oh}, {ow}] (batch and output size), got {offset.Shape}.");
        if (mask is not null && (mask.Shape[0] != n || mask.Shape[1] != offGroups * kk || mask.Shape[2] != oh || mask.Shape[3] != ow))
            throw new ArgumentException($"{op}: mask must have shape [{n}, {offGroups * kk}, {oh}, {ow}] (offset groups * kH * kW channels), got {mask.Shape}.");
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != o))
            throw new ArgumentException($"{op}: bias must have shape [{o}], got {bias.Shape}.");
        var g = new ConvGeometry
        {
            N = n, C = c, H = h, W = w, O = o, KH = kh, KW = kw, OH = oh, OW = ow, Groups = groups,
            StrideH = s.H, StrideW = s.W, PadH = p.H, PadW = p.W, DilationH = d.H, DilationW = d.W,
        };
        return DeformConvOp(input.Contiguous(), offset.Contiguous(), mask?.Contiguous(), weight.Contiguous(), bias?.Contiguous(), g, offGroups);
    }

    private static Tensor DeformConvOp(Tensor x, Tensor off, Tensor? mask, Tensor w, Tensor? b, ConvGeometry g, int offGroups)
    {
        var y = Tensor.Uninitialized(OutputShape(g), x.DType);
        ConvBackend.DeformConvForward(x.Buffer, x.Layout, off.Buffer, off.Layout, mask?.Buffer, mask?.Layout ?? default,
            w.Buffer, w.Layout, b?.Buffer, b?.Layout ?? default, y.Buffer, y.Layout, g, offGroups);
        var inputs = new List<Tensor> { x, off, w };
        if (mask is not null) inputs.Add(mask);
        if (b is not null) inputs.Add(b);
        Tensor[] all = [.. inputs];
        return Autograd.Record(y, "DeformConv2d", all, gy =>
        {
            gy = gy.Contiguous();
            Tensor dx = Tensor.Uninitialized(x.Shape, x.DType), dOff = Tensor.Uninitialized(off.Shape, x.DType), dw = Tensor.Uninitialized(w.Shape, x.DType);
            Tensor? dMask = mask is null ? null : Tensor.Uninitialized(mask.Shape, x.DType);
            ConvBackend.DeformConvBackward(x.Buffer, x.Layout, off.Buffer, off.Layout, mask?.Buffer, mask?.Layout ?? default,
                w.Buffer, w.Layout, gy.Buffer, gy.Layout, dx.Buffer, dOff.Buffer, dMask?.Buffer, dw.Buffer, g, offGroups);
            var grads = new List<Tensor?> { dx, dOff, dw };
            if (dMask is not null) grads.Add(dMask);
            if (b is not null) grads.Add(ChannelSum(gy, "DeformConv2dBackwardBias"));
            // The kernel's gradients carry no graph: differentiating them again is refused loudly.
            Tensor[] graphInputs = [gy, .. all];
            for (int i = 0; i < 3 + (dMask is null ? 0 : 1); i++)
                grads[i] = Autograd.Record(grads[i]!, "DeformConv2dBackward", graphInputs,
                    _ => throw new NotSupportedException("DeformConv2d: double backward (differentiating its gradients) is not supported."));
            return [.. grads];
        }, all);
    }
}

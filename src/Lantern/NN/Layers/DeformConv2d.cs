namespace Lantern.NN;

/// <summary>
/// torchvision.ops.DeformConv2d: a convolution layer whose sampling positions are shifted per output pixel by
/// offsets (and, DCNv2, scaled by a mask) given at call time; see <see cref="F.DeformConv2d"/>. Weight
/// [out, in / groups, kH, kW] and bias [out] initialised as a PyTorch Conv2d. Call with
/// <c>Forward(input, offset, mask)</c> or <c>Call((input, offset, mask))</c>.
/// </summary>
public sealed class DeformConv2d : Module<(Tensor Input, Tensor Offset, Tensor? Mask), Tensor>
{
    /// <summary>A deformable convolution layer.</summary>
    /// <exception cref="ArgumentException">Non-positive sizes, or channels not divisible by groups.</exception>
    public DeformConv2d(int inChannels, int outChannels, IntPair kernelSize, IntPair? stride = null, IntPair? padding = null,
        IntPair? dilation = null, int groups = 1, bool bias = true, DType dtype = DType.Float32, Generator? generator = null)
    {
        if (inChannels <= 0 || outChannels <= 0 || kernelSize.H <= 0 || kernelSize.W <= 0)
            throw new ArgumentException($"DeformConv2d: channels and kernel_size must be positive, got in_channels={inChannels}, out_channels={outChannels}, kernel_size={Py(kernelSize.ToArray())}.");
        if (groups <= 0 || inChannels % groups != 0) throw new ArgumentException($"DeformConv2d: in_channels must be divisible by groups (in_channels={inChannels}, groups={groups}).");
        if (outChannels % groups != 0) throw new ArgumentException($"DeformConv2d: out_channels must be divisible by groups (out_channels={outChannels}, groups={groups}).");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize.ToArray();
        Stride = (stride ?? 1).ToArray();
        Padding = (padding ?? 0).ToArray();
        Dilation = (dilation ?? 1).ToArray();
        Groups = groups;
        RegisterParameter("weight", Tensor.Empty([outChannels, inChannels / groups, KernelSize[0], KernelSize[1]], dtype));
        RegisterParameter("bias", bias ? Tensor.Empty([outChannels], dtype) : null);
        ResetParameters(generator);
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>(kH, kW).</summary>
    public int[] KernelSize { get; }

    /// <summary>(sH, sW).</summary>
    public int[] Stride { get; }

    /// <summary>(pH, pW).</summary>
    public int[] Padding { get; }

    /// <summary>(dH, dW).</summary>
    public int[] Dilation { get; }

    /// <summary>Weight groups.</summary>
    public int Groups { get; }

    /// <summary>[out, in / groups, kH, kW].</summary>
    public Tensor Weight => GetParameter("weight")!;

    /// <summary>[out] or null.</summary>
    public Tensor? Bias => GetParameter("bias");

    /// <summary>torchvision's reset_parameters: kaiming_uniform_(a = sqrt(5)); bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)).</summary>
    public void ResetParameters(Generator? generator = null)
    {
        Init.KaimingUniform_(Weight, a: Math.Sqrt(5), generator: generator);
        if (Bias is { } b)
        {
            int fanIn = Init.CalculateFanInAndFanOut(Weight).FanIn;
            double bound = 1 / Math.Sqrt(fanIn);
            Init.Uniform_(b, -bound, bound, generator);
        }
    }

    /// <inheritdoc/>
    public override Tensor Forward((Tensor Input, Tensor Offset, Tensor? Mask) input) => Forward(input.Input, input.Offset, input.Mask);

    /// <summary>deform_conv2d(input, offset, weight, bias, stride, padding, dilation, mask).</summary>
    public Tensor Forward(Tensor input, Tensor offset, Tensor? mask = null) =>
        F.DeformConv2d(input, offset, Weight, Bias, (Stride[0], Stride[1]), (Padding[0], Padding[1]), (Dilation[0], Dilation[1]), mask);

    /// <summary>torchvision's repr fields: channels, kernel_size, stride, then padding / dilation / groups / bias only when not default.</summary>
    public override string ExtraRepr()
    {
        var s = $"{InChannels}, {OutChannels}, kernel_size={Py(KernelSize)}, stride={Py(Stride)}";
        if (Padding.Any(p => p != 0)) s += $", padding={Py(Padding)}";
        if (Dilation.Any(d => d != 1)) s += $", dilation={Py(Dilation)}";
        if (Groups != 1) s += $", groups={Groups}";
        if (Bias is null) s += ", bias=False";
        return s;
    }
}

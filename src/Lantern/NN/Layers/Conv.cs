namespace Lantern.NN;

/// <summary>
/// PyTorch's _ConvNd: the state shared by Conv1d/2d and ConvTranspose1d/2d: channels, kernel size, stride,
/// padding (amounts or "same"/"valid"), dilation, output padding, groups, padding mode, weight
/// ([out, in / groups, *k], or [in, out / groups, *k] when transposed) and bias [out]. Both are initialised as
/// PyTorch's reset_parameters: kaiming_uniform_(a = sqrt(5)) for the weight, U(-1/sqrt(fan_in), 1/sqrt(fan_in))
/// for the bias, fan_in = weight.size(1) * prod(kernel).
/// </summary>
public abstract class ConvNd : Module<Tensor, Tensor>
{
    private static readonly string[] s_paddingModes = ["zeros", "reflect", "replicate", "circular"];

    /// <summary>Checks the arguments as PyTorch's _ConvNd.__init__ and registers weight and bias.</summary>
    /// <exception cref="ArgumentException">Non-positive channels, kernel, stride, dilation or groups; channels not divisible by groups; a bad padding string or mode; "same" with a stride; negative padding.</exception>
    private protected ConvNd(int inChannels, int outChannels, int[] kernelSize, int[] stride, ConvPadding padding, int[] dilation,
        bool transposed, int[] outputPadding, int groups, bool bias, string paddingMode, DType dtype, Generator? generator)
    {
        if (inChannels <= 0 || outChannels <= 0)
            throw new ArgumentException($"{Name}: in_channels and out_channels must be positive, got {inChannels} and {outChannels}.");
        if (groups <= 0) throw new ArgumentException($"{Name}: groups must be a positive integer, got {groups}.");
        if (inChannels % groups != 0) throw new ArgumentException($"{Name}: in_channels must be divisible by groups (in_channels={inChannels}, groups={groups}).");
        if (outChannels % groups != 0) throw new ArgumentException($"{Name}: out_channels must be divisible by groups (out_channels={outChannels}, groups={groups}).");
        if (kernelSize.Any(k => k <= 0)) throw new ArgumentException($"{Name}: kernel_size must be positive, got {Py(kernelSize)}.");
        if (stride.Any(s => s <= 0)) throw new ArgumentException($"{Name}: stride must be positive, got {Py(stride)}.");
        if (dilation.Any(d => d <= 0)) throw new ArgumentException($"{Name}: dilation must be positive, got {Py(dilation)}.");
        if (!s_paddingModes.Contains(paddingMode))
            throw new ArgumentException($"{Name}: padding_mode must be one of ['zeros', 'reflect', 'replicate', 'circular'], but got padding_mode='{paddingMode}'.");
        int sd = kernelSize.Length;
        if (padding.Mode is { } mode)
        {
            if (mode != "same" && mode != "valid")
                throw new ArgumentException($"{Name}: Invalid padding string '{mode}', should be one of {{'valid', 'same'}}.");
            if (mode == "same" && stride.Any(s => s != 1))
                throw new ArgumentException($"{Name}: padding='same' is not supported for strided convolutions (stride={Py(stride)}).");
            PaddingString = mode;
            Padding = new int[sd];
        }
        else
        {
            Padding = sd == 1 ? [padding.Size.H] : [padding.Size.H, padding.Size.W];
            if (Padding.Any(p => p < 0)) throw new ArgumentException($"{Name}: padding must be non-negative, got {Py(Padding)}.");
        }
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Dilation = dilation;
        Transposed = transposed;
        OutputPadding = outputPadding;
        Groups = groups;
        PaddingMode = paddingMode;
        int[] wshape = transposed ? [inChannels, outChannels / groups, .. kernelSize] : [outChannels, inChannels / groups, .. kernelSize];
        RegisterParameter("weight", Tensor.Empty(wshape, dtype));
        RegisterParameter("bias", bias ? Tensor.Empty([outChannels], dtype) : null);
        ResetParameters(generator);
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Kernel size per spatial dim.</summary>
    public int[] KernelSize { get; }

    /// <summary>Stride per spatial dim.</summary>
    public int[] Stride { get; }

    /// <summary>Zero padding per spatial dim on each side (zeros when <see cref="PaddingString"/> is set).</summary>
    public int[] Padding { get; }

    /// <summary>"same" or "valid" when padding was given as a string, else null.</summary>
    public string? PaddingString { get; }

    /// <summary>Dilation per spatial dim.</summary>
    public int[] Dilation { get; }

    /// <summary>True for ConvTranspose layers.</summary>
    public bool Transposed { get; }

    /// <summary>Output padding per spatial dim (transposed layers).</summary>
    public int[] OutputPadding { get; }

    /// <summary>Blocked connections from input channels to output channels.</summary>
    public int Groups { get; }

    /// <summary>"zeros", "reflect", "replicate" or "circular".</summary>
    public string PaddingMode { get; }

    /// <summary>[out, in / groups, *k], or [in, out / groups, *k] when transposed.</summary>
    public Tensor Weight => GetParameter("weight")!;

    /// <summary>[out] or null.</summary>
    public Tensor? Bias => GetParameter("bias");

    /// <summary>PyTorch's reset_parameters: kaiming_uniform_(weight, a=sqrt(5)); bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)).</summary>
    public void ResetParameters(Generator? generator = null)
    {
        Init.KaimingUniform_(Weight, a: Math.Sqrt(5), generator: generator);
        if (Bias is { } b)
        {
            int fanIn = Init.CalculateFanInAndFanOut(Weight).FanIn;
            if (fanIn != 0)
            {
                double bound = 1 / Math.Sqrt(fanIn);
                Init.Uniform_(b, -bound, bound, generator);
            }
        }
    }

    /// <summary>
    /// PyTorch's _reversed_padding_repeated_twice: F.pad amounts (last dim first) for a non-"zeros" padding mode;
    /// "same" splits d * (k - 1) with the extra element after.
    /// </summary>
    protected int[] ReversedPaddingRepeatedTwice()
    {
        int sd = KernelSize.Length;
        var r = new int[2 * sd];
        for (int i = 0; i < sd; i++)
        {
            int d = sd - 1 - i;
            if (PaddingString == "same")
            {
                int total = Dilation[d] * (KernelSize[d] - 1);
                r[2 * i] = total / 2;
                r[2 * i + 1] = total - total / 2;
            }
            else if (PaddingString is null)
            {
                r[2 * i] = r[2 * i + 1] = Padding[d];
            }
        }
        return r;
    }

    /// <summary>Pads the input with <see cref="PaddingMode"/> (not "zeros"), as PyTorch's _conv_forward.</summary>
    protected Tensor PadInput(Tensor input)
    {
        var mode = PaddingMode switch
        {
            "reflect" => PadMode.Reflect,
            "replicate" => PadMode.Replicate,
            _ => PadMode.Circular,
        };
        return input.Pad(ReversedPaddingRepeatedTwice(), mode);
    }

    /// <summary>PyTorch's _ConvNd.extra_repr: only non-default fields after kernel_size and stride.</summary>
    public override string ExtraRepr()
    {
        var s = $"{InChannels}, {OutChannels}, kernel_size={Py(KernelSize)}, stride={Py(Stride)}";
        if (PaddingString is not null) s += $", padding={PaddingString}";
        else if (Padding.Any(p => p != 0)) s += $", padding={Py(Padding)}";
        if (Dilation.Any(d => d != 1)) s += $", dilation={Py(Dilation)}";
        if (OutputPadding.Any(p => p != 0)) s += $", output_padding={Py(OutputPadding)}";
        if (Groups != 1) s += $", groups={Groups}";
        if (Bias is null) s += ", bias=False";
        if (PaddingMode != "zeros") s += $", padding_mode={PaddingMode}";
        return s;
    }
}

/// <summary>
/// torch.nn.Conv1d: y = conv1d(x, weight, bias) over input [N, C_in, L] (or [C_in, L]); weight [out, in / groups, k].
/// Non-"zeros" padding modes pad the input first (F.pad) and convolve unpadded, as PyTorch.
/// </summary>
public sealed class Conv1d : ConvNd
{
    /// <summary>A 1-D convolution; padding is an int, "same" or "valid"; paddingMode "zeros", "reflect", "replicate" or "circular".</summary>
    /// <exception cref="ArgumentException">Invalid sizes, groups, padding or padding mode (see <see cref="ConvNd"/>).</exception>
    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride = 1, ConvPadding? padding = null, int dilation = 1,
        int groups = 1, bool bias = true, string paddingMode = "zeros", DType dtype = DType.Float32, Generator? generator = null)
        : base(inChannels, outChannels, [kernelSize], [stride], OnePadding(padding ?? 0), [dilation], false, [0], groups, bias, paddingMode, dtype, generator)
    {
    }

    private static ConvPadding OnePadding(ConvPadding p) =>
        p.Mode is null && !p.Size.IsScalar ? throw new ArgumentException($"Conv1d: padding must be one int, 'same' or 'valid', got {p}.") : p;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (PaddingMode != "zeros")
            return F.Conv1d(PadInput(input), Weight, Bias, Stride[0], 0, Dilation[0], Groups);
        return F.Conv1d(input, Weight, Bias, Stride[0], PaddingString ?? (ConvPadding)Padding[0], Dilation[0], Groups);
    }
}

/// <summary>
/// torch.nn.Conv2d: y = conv2d(x, weight, bias) over input [N, C_in, H, W] (or [C_in, H, W]); weight
/// [out, in / groups, kH, kW]. Non-"zeros" padding modes pad the input first (F.pad) and convolve unpadded.
/// </summary>
/// <example><c>var conv = new Conv2d(3, 16, kernelSize: 3, padding: 1);   // [8, 3, 32, 32] -> [8, 16, 32, 32]</c></example>
public sealed class Conv2d : ConvNd
{
    /// <summary>A 2-D convolution; sizes are an int or an (h, w) tuple; padding also "same" or "valid".</summary>
    /// <exception cref="ArgumentException">Invalid sizes, groups, padding or padding mode (see <see cref="ConvNd"/>).</exception>
    public Conv2d(int inChannels, int outChannels, IntPair kernelSize, IntPair? stride = null, ConvPadding? padding = null, IntPair? dilation = null,
        int groups = 1, bool bias = true, string paddingMode = "zeros", DType dtype = DType.Float32, Generator? generator = null)
        : base(inChannels, outChannels, kernelSize.ToArray(), (stride ?? 1).ToArray(), padding ?? 0, (dilation ?? 1).ToArray(), false, [0, 0],
            groups, bias, paddingMode, dtype, generator)
    {
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        IntPair stride = (Stride[0], Stride[1]), dilation = (Dilation[0], Dilation[1]);
        if (PaddingMode != "zeros")
            return F.Conv2d(PadInput(input), Weight, Bias, stride, 0, dilation, Groups);
        ConvPadding padding = PaddingString ?? (ConvPadding)(Padding[0], Padding[1]);
        return F.Conv2d(input, Weight, Bias, stride, padding, dilation, Groups);
    }
}

namespace Lantern.NN;

/// <summary>
/// Atrous Spatial Pyramid Pooling as torchvision.models.segmentation.deeplabv3.ASPP (DeepLabV3, Chen et al. 2017).
/// Parallel branches over the same input, each giving <c>outChannels</c> maps of the input's size:
/// convs.0 = 1x1 conv + BN + ReLU; convs.1..R = 3x3 conv with dilation r (padding r) + BN + ReLU per atrous rate r
/// (<see cref="AsppConv"/>); convs.R+1 = image pooling (<see cref="AsppPooling"/>: global average pool, 1x1 conv + BN +
/// ReLU, bilinearly upsampled back with alignCorners false). The branches are concatenated on channels and projected:
/// project = Sequential(1x1 conv ((R + 2) * out -> out) + BN + ReLU + Dropout(0.5)). All convolutions are bias-free.
/// State-dict keys are torchvision's: convs.0.0.weight, convs.0.1.running_mean, convs.1.0.weight, ...,
/// convs.{R+1}.1.weight (the pooling branch's conv), project.0.weight, project.1.weight, ...
/// <para>Input [N, inChannels, H, W]; output [N, outChannels, H, W]. In training mode BatchNorm of the pooling branch
/// sees one value per sample and channel, so it needs N &gt; 1 to be meaningful (PyTorch raises for N = 1).</para>
/// </summary>
/// <example><c>var aspp = new Aspp(2048, [12, 24, 36]);   // DeepLabV3's head: [N, 2048, H, W] -> [N, 256, H, W]</c></example>
public sealed class Aspp : Module<Tensor, Tensor>
{
    /// <summary>An ASPP head with the given atrous rates (DeepLabV3 uses [12, 24, 36] at output stride 8, [6, 12, 18] at 16).</summary>
    /// <exception cref="ArgumentException">Non-positive channels, an empty or non-positive rate list, or a dropout probability outside [0, 1].</exception>
    public Aspp(int inChannels, int[] atrousRates, int outChannels = 256, double dropout = 0.5, DType dtype = DType.Float32, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(atrousRates);
        if (inChannels <= 0 || outChannels <= 0)
            throw new ArgumentException($"ASPP: in_channels and out_channels must be positive, got {inChannels} and {outChannels}.");
        if (atrousRates.Length == 0 || atrousRates.Any(r => r <= 0))
            throw new ArgumentException($"ASPP: atrous_rates must be a non-empty list of positive rates, got [{string.Join(", ", atrousRates)}].");
        InChannels = inChannels;
        OutChannels = outChannels;
        AtrousRates = (int[])atrousRates.Clone();
        var convs = new ModuleList<Module<Tensor, Tensor>>(
            new Sequential(new Conv2d(inChannels, outChannels, 1, bias: false, dtype: dtype, generator: generator), new BatchNorm2d(outChannels, dtype: dtype), new ReLU()));
        foreach (int rate in AtrousRates) convs.Add(new AsppConv(inChannels, outChannels, rate, dtype, generator));
        convs.Add(new AsppPooling(inChannels, outChannels, dtype, generator));
        Convs = RegisterModule("convs", convs);
        Project = RegisterModule("project", new Sequential(
            new Conv2d(convs.Count * outChannels, outChannels, 1, bias: false, dtype: dtype, generator: generator),
            new BatchNorm2d(outChannels, dtype: dtype), new ReLU(), new Dropout(dropout, generator)));
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels of every branch and of the projection.</summary>
    public int OutChannels { get; }

    /// <summary>Dilation rates of the 3x3 branches.</summary>
    public int[] AtrousRates { get; }

    /// <summary>The parallel branches (1x1, one per rate, image pooling).</summary>
    public ModuleList<Module<Tensor, Tensor>> Convs { get; }

    /// <summary>The 1x1 projection of the concatenated branches (conv, BN, ReLU, dropout).</summary>
    public Sequential Project { get; }

    /// <inheritdoc/>
    public override string Name => "ASPP";

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">Not [N, inChannels, H, W].</exception>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 4 || input.Shape[1] != InChannels)
            throw new ArgumentException($"ASPP: expected input of shape [N, {InChannels}, H, W], got {input.Shape}.");
        var branches = Convs.Select(c => c.Call(input)).ToArray();                           // each [N, out, H, W]
        return Project.Call(Tensor.Cat(branches, 1));
    }
}

/// <summary>
/// torchvision's ASPPConv: Sequential(Conv2d(in, out, 3, padding = d, dilation = d, bias = False), BatchNorm2d(out),
/// ReLU()); children "0", "1", "2". Keeps H and W.
/// </summary>
public sealed class AsppConv : Module<Tensor, Tensor>
{
    /// <summary>An atrous 3x3 branch with dilation <paramref name="dilation"/>.</summary>
    /// <exception cref="ArgumentException">Non-positive channels or dilation.</exception>
    public AsppConv(int inChannels, int outChannels, int dilation, DType dtype = DType.Float32, Generator? generator = null)
    {
        if (dilation <= 0) throw new ArgumentException($"ASPPConv: dilation must be positive, got {dilation}.");
        Dilation = dilation;
        RegisterModule("0", new Conv2d(inChannels, outChannels, 3, padding: dilation, dilation: dilation, bias: false, dtype: dtype, generator: generator));
        RegisterModule("1", new BatchNorm2d(outChannels, dtype: dtype));
        RegisterModule("2", new ReLU());
    }

    /// <summary>The atrous rate.</summary>
    public int Dilation { get; }

    /// <inheritdoc/>
    public override string Name => "ASPPConv";

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Chain(this, input, 3);

    internal static Tensor Chain(Module m, Tensor x, int count)
    {
        for (int i = 0; i < count; i++)
            x = ((Module<Tensor, Tensor>)m.NamedChildren().ElementAt(i).Value).Call(x);
        return x;
    }
}

/// <summary>
/// torchvision's ASPPPooling (image-level features): children "0" AdaptiveAvgPool2d(1), "1" Conv2d(in, out, 1,
/// bias = False), "2" BatchNorm2d(out), "3" ReLU(); the [N, out, 1, 1] result is upsampled to the input's H x W with
/// F.interpolate(mode = "bilinear", align_corners = False), i.e. broadcast over the plane.
/// </summary>
public sealed class AsppPooling : Module<Tensor, Tensor>
{
    /// <summary>The image pooling branch.</summary>
    public AsppPooling(int inChannels, int outChannels, DType dtype = DType.Float32, Generator? generator = null)
    {
        RegisterModule("0", new AdaptiveAvgPool2d(1));
        RegisterModule("1", new Conv2d(inChannels, outChannels, 1, bias: false, dtype: dtype, generator: generator));
        RegisterModule("2", new BatchNorm2d(outChannels, dtype: dtype));
        RegisterModule("3", new ReLU());
    }

    /// <inheritdoc/>
    public override string Name => "ASPPPooling";

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">Not a 4-D input (the convolution names the channel mismatch).</exception>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 4) throw new ArgumentException($"ASPPPooling: expected input of shape [N, C, H, W], got {input.Shape}.");
        var pooled = AsppConv.Chain(this, input, 4);                                          // [N, out, 1, 1]
        return F.Interpolate(pooled, size: [input.Shape[2], input.Shape[3]], mode: "bilinear", alignCorners: false);
    }
}

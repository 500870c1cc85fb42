namespace Lantern.NN;

/// <summary>
/// torchvision.models.resnet.BasicBlock (expansion 1): out = relu(bn2(conv2(relu(bn1(conv1(x))))) + identity),
/// identity = downsample(x) when a downsample module is given, else x. conv1 is 3x3 with the block's stride,
/// conv2 is 3x3 stride 1, both padding 1 and bias-free; bn1/bn2 are BatchNorm2d(planes). Children and state-dict
/// names are torchvision's: conv1, bn1, relu, conv2, bn2, downsample (e.g. downsample.0.weight, downsample.1.running_mean).
/// <para>Input [N, inplanes, H, W]; output [N, planes, H', W'] with H' = floor((H - 1) / stride) + 1.</para>
/// </summary>
public sealed class BasicBlock : Module<Tensor, Tensor>
{
    /// <summary>Output channels per <c>planes</c> (torchvision's BasicBlock.expansion).</summary>
    public const int Expansion = 1;

    /// <summary>A basic block; <paramref name="downsample"/> maps x to the residual's shape when stride or channels change.</summary>
    /// <exception cref="ArgumentException">Non-positive sizes; groups != 1 or baseWidth != 64 (torchvision's ValueError); dilation > 1 (torchvision's NotImplementedError).</exception>
    public BasicBlock(int inplanes, int planes, int stride = 1, Module<Tensor, Tensor>? downsample = null, int groups = 1, int baseWidth = 64,
        int dilation = 1, DType dtype = DType.Float32, Generator? generator = null)
    {
        if (inplanes <= 0 || planes <= 0 || stride <= 0)
            throw new ArgumentException($"BasicBlock: inplanes, planes and stride must be positive, got inplanes={inplanes}, planes={planes}, stride={stride}.");
        if (groups != 1 || baseWidth != 64)
            throw new ArgumentException($"BasicBlock: only supports groups=1 and base_width=64, got groups={groups}, base_width={baseWidth}.");
        if (dilation > 1) throw new ArgumentException($"BasicBlock: dilation > 1 is not supported, got dilation={dilation}.");
        Inplanes = inplanes;
        Planes = planes;
        Stride = stride;
        RegisterModule("conv1", ResidualConv.Conv3x3(inplanes, planes, stride, 1, 1, dtype, generator));
        RegisterModule("bn1", new BatchNorm2d(planes, dtype: dtype));
        RegisterModule("relu", new ReLU());
        RegisterModule("conv2", ResidualConv.Conv3x3(planes, planes, 1, 1, 1, dtype, generator));
        RegisterModule("bn2", new BatchNorm2d(planes, dtype: dtype));
        if (downsample is not null) RegisterModule("downsample", downsample);
    }

    /// <summary>Input channels.</summary>
    public int Inplanes { get; }

    /// <summary>Output channels (planes * <see cref="Expansion"/>).</summary>
    public int Planes { get; }

    /// <summary>Stride of conv1 (and of the downsample path).</summary>
    public int Stride { get; }

    /// <summary>The last BatchNorm of the residual branch (bn2), zeroed by zero-init-residual.</summary>
    public BatchNorm2d LastBn => (BatchNorm2d)GetModule("bn2")!;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">Not [N, inplanes, H, W], or a residual whose shape differs from the identity's (a missing downsample).</exception>
    public override Tensor Forward(Tensor input)
    {
        ResidualConv.CheckInput("BasicBlock", input, Inplanes);
        var relu = (ReLU)GetModule("relu")!;
        var @out = relu.Call(C("bn1").Call(C("conv1").Call(input)));
        @out = C("bn2").Call(C("conv2").Call(@out));
        return relu.Call(ResidualConv.AddIdentity("BasicBlock", @out, input, this));
    }

    private Module<Tensor, Tensor> C(string name) => (Module<Tensor, Tensor>)GetModule(name)!;
}

/// <summary>
/// torchvision.models.resnet.Bottleneck (ResNet v1.5, expansion 4): width = floor(planes * baseWidth / 64) * groups;
/// conv1 1x1 (inplanes -> width), conv2 3x3 (width -> width, the block's stride, groups, dilation, padding = dilation),
/// conv3 1x1 (width -> planes * 4), each followed by BatchNorm2d (bn1, bn2, bn3) and ReLU except after bn3; then
/// out = relu(bn3(...) + identity), identity = downsample(x) or x. The stride sits on the 3x3 convolution as in
/// torchvision (v1.5), not on the first 1x1 (the original paper's v1). All convolutions are bias-free.
/// <para>Input [N, inplanes, H, W]; output [N, planes * 4, H', W'].</para>
/// </summary>
public sealed class Bottleneck : Module<Tensor, Tensor>
{
    /// <summary>Output channels per <c>planes</c> (torchvision's Bottleneck.expansion).</summary>
    public const int Expansion = 4;

    /// <summary>A bottleneck block; groups / baseWidth give ResNeXt and Wide-ResNet widths.</summary>
    /// <exception cref="ArgumentException">Non-positive sizes, or a width not divisible by groups.</exception>
    public Bottleneck(int inplanes, int planes, int stride = 1, Module<Tensor, Tensor>? downsample = null, int groups = 1, int baseWidth = 64,
        int dilation = 1, DType dtype = DType.Float32, Generator? generator = null)
    {
        if (inplanes <= 0 || planes <= 0 || stride <= 0 || groups <= 0 || baseWidth <= 0 || dilation <= 0)
            throw new ArgumentException($"Bottleneck: sizes must be positive, got inplanes={inplanes}, planes={planes}, stride={stride}, groups={groups}, base_width={baseWidth}, dilation={dilation}.");
        int width = (int)(planes * (baseWidth / 64.0)) * groups;
        if (width <= 0) throw new ArgumentException($"Bottleneck: width = int(planes * base_width / 64) * groups is 0 for planes={planes}, base_width={baseWidth}.");
        Inplanes = inplanes;
        Planes = planes;
        Width = width;
        Stride = stride;
        RegisterModule("conv1", new Conv2d(inplanes, width, 1, bias: false, dtype: dtype, generator: generator));
        RegisterModule("bn1", new BatchNorm2d(width, dtype: dtype));
        RegisterModule("conv2", ResidualConv.Conv3x3(width, width, stride, groups, dilation, dtype, generator));
        RegisterModule("bn2", new BatchNorm2d(width, dtype: dtype));
        RegisterModule("conv3", new Conv2d(width, planes * Expansion, 1, bias: false, dtype: dtype, generator: generator));
        RegisterModule("bn3", new BatchNorm2d(planes * Expansion, dtype: dtype));
        RegisterModule("relu", new ReLU());
        if (downsample is not null) RegisterModule("downsample", downsample);
    }

    /// <summary>Input channels.</summary>
    public int Inplanes { get; }

    /// <summary>planes (the output has planes * <see cref="Expansion"/> channels).</summary>
    public int Planes { get; }

    /// <summary>Channels of the 3x3 convolution.</summary>
    public int Width { get; }

    /// <summary>Stride of conv2 (and of the downsample path).</summary>
    public int Stride { get; }

    /// <summary>The last BatchNorm of the residual branch (bn3), zeroed by zero-init-residual.</summary>
    public BatchNorm2d LastBn => (BatchNorm2d)GetModule("bn3")!;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">Not [N, inplanes, H, W], or a residual whose shape differs from the identity's (a missing downsample).</exception>
    public override Tensor Forward(Tensor input)
    {
        ResidualConv.CheckInput("Bottleneck", input, Inplanes);
        var relu = (ReLU)GetModule("relu")!;
        var @out = relu.Call(C("bn1").Call(C("conv1").Call(input)));
        @out = relu.Call(C("bn2").Call(C("conv2").Call(@out)));
        @out = C("bn3").Call(C("conv3").Call(@out));
        return relu.Call(ResidualConv.AddIdentity("Bottleneck", @out, input, this));
    }

    private Module<Tensor, Tensor> C(string name) => (Module<Tensor, Tensor>)GetModule(name)!;
}

/// <summary>torchvision.models.resnet's conv3x3 / conv1x1 helpers and the shared residual checks.</summary>
public static class ResidualConv
{
    /// <summary>torchvision's conv3x3: Conv2d(in, out, 3, stride, padding = dilation, groups, bias = False, dilation).</summary>
    public static Conv2d Conv3x3(int inPlanes, int outPlanes, int stride = 1, int groups = 1, int dilation = 1, DType dtype = DType.Float32,
        Generator? generator = null) =>
        new(inPlanes, outPlanes, 3, stride, dilation, dilation, groups, bias: false, dtype: dtype, generator: generator);

    /// <summary>torchvision's conv1x1: Conv2d(in, out, 1, stride, bias = False).</summary>
    public static Conv2d Conv1x1(int inPlanes, int outPlanes, int stride = 1, DType dtype = DType.Float32, Generator? generator = null) =>
        new(inPlanes, outPlanes, 1, stride, bias: false, dtype: dtype, generator: generator);

    /// <summary>torchvision's _make_layer downsample: Sequential(conv1x1(in, out, stride), BatchNorm2d(out)), keys "0.weight", "1.running_mean", ...</summary>
    public static Sequential Downsample(int inPlanes, int outPlanes, int stride, DType dtype = DType.Float32, Generator? generator = null) =>
        new(Conv1x1(inPlanes, outPlanes, stride, dtype, generator), new BatchNorm2d(outPlanes, dtype: dtype));

    internal static void CheckInput(string op, Tensor input, int channels)
    {
        if (input.Rank != 4 || input.Shape[1] != channels)
            throw new ArgumentException($"{op}: expected input of shape [N, {channels}, H, W], got {input.Shape}.");
    }

    internal static Tensor AddIdentity(string op, Tensor residual, Tensor input, Module block)
    {
        var identity = block.NamedChildren().FirstOrDefault(c => c.Key == "downsample").Value is Module<Tensor, Tensor> ds ? ds.Call(input) : input;
        if (identity.Shape != residual.Shape)
            throw new ArgumentException($"{op}: the residual branch gives {residual.Shape} but the identity is {identity.Shape} for input {input.Shape}; " +
                "a block that changes stride or channels needs a downsample module.");
        return residual.Add(identity);
    }
}

namespace Lantern.NN;

/// <summary>
/// A square-kernel Conv2d (groups 1, dilation 1, zero padding) written as im2col (Tensor.Unfold views) + one
/// GEMM, used inside the attention blocks (PatchEmbed.proj, SqueezeExcitation.fc1/fc2, CBAM's convs) until the
/// Conv2d of the convolution family replaces it. Parameters, init and repr are Conv2d's: weight
/// [out, in, k, k] kaiming_uniform(a = sqrt 5), bias [out] U(-1/sqrt(fan_in), 1/sqrt(fan_in)), printed as
/// "Conv2d(in, out, kernel_size=(k, k), stride=(s, s)...)".
/// </summary>
internal sealed class Conv2dIm2Col : Module<Tensor, Tensor>
{
    private readonly string _owner;

    public Conv2dIm2Col(string owner, int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, bool bias = true,
        DType dtype = DType.Float32, Generator? generator = null)
    {
        if (inChannels <= 0 || outChannels <= 0 || kernelSize <= 0 || stride <= 0 || padding < 0)
            throw new ArgumentException($"{owner}: convolution needs positive channels, kernel size and stride and a non-negative padding, got in={inChannels}, out={outChannels}, kernel={kernelSize}, stride={stride}, padding={padding}.");
        _owner = owner;
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        RegisterParameter("weight", Tensor.Empty([outChannels, inChannels, kernelSize, kernelSize], dtype));
        RegisterParameter("bias", bias ? Tensor.Empty([outChannels], dtype) : null);
        Init.KaimingUniform_(Weight, a: Math.Sqrt(5), generator: generator);
        if (Bias is { } b)
        {
            double bound = 1 / Math.Sqrt(inChannels * kernelSize * kernelSize);
            Init.Uniform_(b, -bound, bound, generator);
        }
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public int KernelSize { get; }
    public int Stride { get; }
    public int Padding { get; }
    public Tensor Weight => GetParameter("weight")!;
    public Tensor? Bias => GetParameter("bias");

    public override string Name => "Conv2d";

    public override string ExtraRepr() =>
        $"{InChannels}, {OutChannels}, kernel_size=({KernelSize}, {KernelSize}), stride=({Stride}, {Stride})" +
        (Padding != 0 ? $", padding=({Padding}, {Padding})" : "") + (Bias is null ? ", bias=False" : "");

    /// <summary>[N, C, H, W] -> [N, out, OH, OW].</summary>
    public override Tensor Forward(Tensor input)
    {
        var tokens = Tokens(input, out int oh, out int ow);                                // [N, OH*OW, out]
        return tokens.Reshape(input.Shape[0], oh, ow, OutChannels).Permute(0, 3, 1, 2);
    }

    /// <summary>The convolution as tokens: [N, C, H, W] -> [N, OH*OW, out] (conv(x).flatten(2).transpose(1, 2)).</summary>
    public Tensor Tokens(Tensor input, out int oh, out int ow)
    {
        if (input.Rank != 4 || input.Shape[1] != InChannels)
            throw new ArgumentException($"{_owner}: expected input of shape [N, {InChannels}, H, W], got {input.Shape}.");
        int k = KernelSize, p = Padding, n = input.Shape[0];
        int h = input.Shape[2] + 2 * p, w = input.Shape[3] + 2 * p;
        if (h < k || w < k)
            throw new ArgumentException($"{_owner}: kernel size ({k}x{k}) can't be greater than the padded input size ({h}x{w}) for input {input.Shape}.");
        oh = (h - k) / Stride + 1;
        ow = (w - k) / Stride + 1;
        var x = p > 0 ? input.Pad([p, p, p, p]) : input;
        Tensor cols;
        if (k == 1 && Stride == 1) cols = x.Permute(0, 2, 3, 1).Reshape(n, oh * ow, InChannels);
        else
        {
            // [N, C, OH, OW, kh, kw] -> [N, OH, OW, C, kh, kw] -> [N, L, C*k*k], rows in the weight's (c, kh, kw) order.
            var win = x.Unfold(2, k, Stride).Unfold(3, k, Stride);
            cols = win.Permute(0, 2, 3, 1, 4, 5).Reshape(n, oh * ow, InChannels * k * k);
        }
        return F.Linear(cols, Weight.Reshape(OutChannels, InChannels * k * k), Bias);
    }
}

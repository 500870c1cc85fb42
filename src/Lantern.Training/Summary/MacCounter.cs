using Lantern.NN;

namespace Lantern.Training.Summary;

/// <summary>
/// Multiply-accumulate counts (MACs) of one call of a leaf module, for the whole batch (the caller divides by
/// the batch size). Formulas (weights only; bias additions are not counted):
/// <list type="bullet">
/// <item>Conv (1d/2d): output elements × (Cin / groups) × kernel volume, i.e. Cout·Hout·Wout·(Cin/groups)·kh·kw per sample;
/// transposed conv: input elements × (Cout / groups) × kernel volume (every input element is scattered through the kernel).</item>
/// <item>Linear: input elements × out_features (= rows · in · out).</item>
/// <item>Norms (BatchNorm, InstanceNorm, LayerNorm, GroupNorm): output elements, ×2 with an affine weight (normalise, then scale and shift), as ptflops.</item>
/// <item>Max/avg pooling with a kernel: output elements × kernel volume; adaptive and global pooling: input elements.</item>
/// <item>Activations (ReLU, GELU, Softmax...) and Upsample: output elements.</item>
/// <item>Identity, Flatten, Unflatten, dropout, pixel (un)shuffle, Embedding: 0.</item>
/// <item>MultiheadAttention (<see cref="MultiheadAttention(NN.MultiheadAttention, int, int)"/>): projections, scores and the weighted sum;
/// counted by <see cref="ModelSummary"/> for the self-attention of a TransformerEncoderLayer (its module is called
/// through Forward(q, k, v), which has no hooks).</item>
/// </list>
/// Anything else (recurrent layers, custom leaves) has no formula: null.
/// </summary>
public static class MacCounter
{
    private static readonly HashSet<Type> Elementwise =
    [
        typeof(Sigmoid), typeof(Tanh), typeof(ReLU), typeof(ReLU6), typeof(LeakyReLU), typeof(PReLU), typeof(Softplus),
        typeof(ELU), typeof(SELU), typeof(CELU), typeof(SiLU), typeof(Mish), typeof(GELU), typeof(GLU), typeof(Hardswish),
        typeof(Hardsigmoid), typeof(Hardtanh), typeof(Softsign), typeof(Tanhshrink), typeof(Threshold), typeof(Softmax),
        typeof(LogSoftmax), typeof(Softmin), typeof(Upsample),
    ];

    private static readonly HashSet<Type> Free =
    [
        typeof(Identity), typeof(Flatten), typeof(Unflatten), typeof(Dropout), typeof(Dropout2d), typeof(AlphaDropout),
        typeof(PixelShuffle), typeof(PixelUnshuffle), typeof(Embedding),
    ];

    private static long Prod(IEnumerable<int> dims) => dims.Aggregate(1L, (a, b) => a * b);

    /// <summary>
    /// MACs of one attention call per sample for Lq queries and Lk keys (E = embed_dim, kdim, vdim):
    /// q/k/v projections Lq·E·E + Lk·kdim·E + Lk·vdim·E, scores Q·Kᵀ Lq·Lk·E (summed over heads), weighted values
    /// Lq·Lk·E, output projection Lq·E·E. Softmax and bias additions are not counted.
    /// </summary>
    /// <exception cref="ArgumentException">A non-positive length.</exception>
    public static long MultiheadAttention(NN.MultiheadAttention module, int queryLength, int keyLength)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (queryLength <= 0 || keyLength <= 0)
            throw new ArgumentException($"MacCounter.MultiheadAttention: lengths must be positive, got Lq = {queryLength}, Lk = {keyLength}.");
        long e = module.EmbedDim, lq = queryLength, lk = keyLength;
        return lq * e * e + lk * module.Kdim * e + lk * module.Vdim * e + 2 * lq * lk * e + lq * e * e;
    }

    // A 2-d pool built from one int keeps KernelSize = [k]: a k x k window.
    private static long Area2d(int[] k) => k.Length == 1 ? (long)k[0] * k[0] : Prod(k);

    /// <summary>MACs of one call over the whole batch, or null when the module type has no formula.</summary>
    /// <param name="module">The leaf module.</param>
    /// <param name="input">Its first tensor input (null if none was seen).</param>
    /// <param name="output">Its first tensor output.</param>
    public static long? Count(Module module, Tensor? input, Tensor output)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(output);
        long outN = output.Numel();
        long inN = input?.Numel() ?? 0;
        Type t = module.GetType();
        if (Free.Contains(t)) return 0;
        if (Elementwise.Contains(t)) return outN;
        bool hasWeight = module.NamedParameters(recurse: false).Any();
        switch (module)
        {
            case ConvNd c when c.Transposed:
                return input is null ? null : inN * (c.OutChannels / c.Groups) * Prod(c.KernelSize);
            case ConvNd c:
                return outN * (c.InChannels / c.Groups) * Prod(c.KernelSize);
            case Linear l:
                return input is null ? null : inN * l.OutFeatures;
            case NormBase or LayerNorm or GroupNorm:
                return outN * (hasWeight ? 2 : 1);
            case MaxPool2d p: return outN * Area2d(p.KernelSize);
            case AvgPool2d p: return outN * Area2d(p.KernelSize);
            case MaxPool1d p: return outN * p.KernelSize;
            case AvgPool1d p: return outN * p.KernelSize;
            case AdaptiveAvgPool2d or AdaptiveMaxPool2d or AdaptiveAvgPool1d or AdaptiveMaxPool1d
                or GlobalAvgPool2d or GlobalMaxPool2d or SpatialPyramidPooling:
                return input is null ? null : inN;
            default:
                return null;
        }
    }
}

namespace Lantern.NN;

/// <summary>
/// The feed-forward activation of a transformer layer: "relu" (default), "gelu" (exact), or any function
/// Tensor -> Tensor (PyTorch's <c>activation: str | Callable</c>). Converts implicitly from a string or a delegate.
/// </summary>
public readonly struct TransformerActivation
{
    private readonly string? _name;
    private readonly Func<Tensor, Tensor>? _fn;

    private TransformerActivation(string name, Func<Tensor, Tensor>? fn)
    {
        _name = name;
        _fn = fn;
    }

    /// <summary>"relu", "gelu", or "custom" for a delegate.</summary>
    public string Name => _name ?? "relu";

    /// <summary>F.relu.</summary>
    public static TransformerActivation Relu => new("relu", null);

    /// <summary>F.gelu (exact).</summary>
    public static TransformerActivation Gelu => new("gelu", null);

    /// <summary>A named activation ("relu" or "gelu"); checked when a layer is built.</summary>
    public static implicit operator TransformerActivation(string name) => new(name, null);

    /// <summary>Any elementwise function.</summary>
    public static implicit operator TransformerActivation(Func<Tensor, Tensor> fn) => new("custom", fn ?? throw new ArgumentNullException(nameof(fn)));

    /// <summary>The function to apply (PyTorch's _get_activation_fn).</summary>
    /// <exception cref="ArgumentException">A name other than relu or gelu; the message names <paramref name="op"/>.</exception>
    internal Func<Tensor, Tensor> Resolve(string op) => _fn ?? Name switch
    {
        "relu" => F.Relu,
        "gelu" => x => F.Gelu(x),
        _ => throw new ArgumentException($"{op}: activation should be relu/gelu, not {Name}."),
    };
}

/// <summary>
/// torch.nn.TransformerEncoderLayer: self-attention then a feed-forward block, each with dropout, a residual and
/// LayerNorm. Post-norm (default): x = norm1(x + SA(x)); x = norm2(x + FF(x)). Pre-norm (normFirst):
/// x = x + SA(norm1(x)); x = x + FF(norm2(x)). FF(x) = dropout2(linear2(dropout(activation(linear1(x))))),
/// SA(x) = dropout1(self_attn(x, x, x, needWeights: false)).
/// <para>Children (PyTorch's names): self_attn, linear1, dropout, linear2, norm1, norm2, dropout1, dropout2.
/// src is [S, N, E] ([N, S, E] with batchFirst, [S, E] unbatched); the output has its shape.</para>
/// </summary>
public sealed class TransformerEncoderLayer : Module<Tensor, Tensor>
{
    private readonly Config _config;
    private readonly Generator? _dropoutGenerator;
    private readonly Func<Tensor, Tensor> _activation;

    private sealed record Config(int DModel, int Nhead, int DimFeedforward, double Dropout, TransformerActivation Activation,
        double LayerNormEps, bool BatchFirst, bool NormFirst, bool Bias, DType DType);

    /// <summary>An encoder layer with PyTorch's defaults (dimFeedforward 2048, dropout 0.1, relu, eps 1e-5, post-norm).</summary>
    /// <exception cref="ArgumentException">Bad sizes (see <see cref="MultiheadAttention"/>), dropout outside [0, 1] or an unknown activation name.</exception>
    public TransformerEncoderLayer(int dModel, int nhead, int dimFeedforward = 2048, double dropout = 0.1,
        TransformerActivation activation = default, double layerNormEps = 1e-5, bool batchFirst = false, bool normFirst = false,
        bool bias = true, DType dtype = DType.Float32, Generator? generator = null)
        : this(new Config(dModel, nhead, dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, bias, dtype), generator, generator) { }

    private TransformerEncoderLayer(Config c, Generator? initGenerator, Generator? dropoutGenerator)
    {
        _config = c;
        _dropoutGenerator = dropoutGenerator;
        _activation = c.Activation.Resolve("TransformerEncoderLayer");
        RegisterModule("self_attn", new MultiheadAttention(c.DModel, c.Nhead, c.Dropout, c.Bias, batchFirst: c.BatchFirst, dtype: c.DType, generator: initGenerator));
        RegisterModule("linear1", new Linear(c.DModel, c.DimFeedforward, c.Bias, c.DType, initGenerator));
        RegisterModule("dropout", new Dropout(c.Dropout, dropoutGenerator));
        RegisterModule("linear2", new Linear(c.DimFeedforward, c.DModel, c.Bias, c.DType, initGenerator));
        RegisterModule("norm1", new LayerNorm(c.DModel, c.LayerNormEps, bias: c.Bias, dtype: c.DType));
        RegisterModule("norm2", new LayerNorm(c.DModel, c.LayerNormEps, bias: c.Bias, dtype: c.DType));
        RegisterModule("dropout1", new Dropout(c.Dropout, dropoutGenerator));
        RegisterModule("dropout2", new Dropout(c.Dropout, dropoutGenerator));
    }

    /// <summary>d_model.</summary>
    public int DModel => _config.DModel;

    /// <summary>Whether inputs are [N, S, E].</summary>
    public bool BatchFirst => _config.BatchFirst;

    /// <summary>Pre-norm when true.</summary>
    public bool NormFirst => _config.NormFirst;

    /// <summary>The activation's name ("relu", "gelu" or "custom").</summary>
    public string ActivationName => _config.Activation.Name;

    /// <summary>The self-attention block.</summary>
    public MultiheadAttention SelfAttn => (MultiheadAttention)GetModule("self_attn")!;

    private Linear Linear1 => (Linear)GetModule("linear1")!;
    private Linear Linear2 => (Linear)GetModule("linear2")!;
    private LayerNorm Norm1 => (LayerNorm)GetModule("norm1")!;
    private LayerNorm Norm2 => (LayerNorm)GetModule("norm2")!;
    private Dropout Drop(string name) => (Dropout)GetModule(name)!;

    /// <summary>copy.deepcopy: a layer with the same configuration, parameter values and modes (no random numbers drawn).</summary>
    public TransformerEncoderLayer DeepCopy()
    {
        var copy = new TransformerEncoderLayer(_config, new Generator(), _dropoutGenerator);
        Transformer.CopyInto(this, copy);
        return copy;
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor src) => Forward(src, null, null);

    /// <summary>
    /// The layer with masks: srcMask [S, S] or [N*H, S, S] (Bool: true = not allowed; or additive float),
    /// srcKeyPaddingMask [N, S] (Bool: true = padding; or additive float); isCausal hints that srcMask is causal.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes or masks that do not fit.</exception>
    public Tensor Forward(Tensor src, Tensor? srcMask, Tensor? srcKeyPaddingMask, bool isCausal = false)
    {
        const string op = "TransformerEncoderLayer";
        if (src.Rank is not (2 or 3) || src.Shape[-1] != DModel)
            throw new ArgumentException($"{op}: expected src of shape [S, N, {DModel}] (or [N, S, {DModel}] with batch_first, [S, {DModel}] unbatched), got {src.Shape}.");
        srcKeyPaddingMask = F.CanonicalMask(srcKeyPaddingMask, "src_key_padding_mask", src.DType, op);
        srcMask = F.CanonicalMask(srcMask, "src_mask", src.DType, op);
        var x = src;
        if (NormFirst)
        {
            x = x.Add(SaBlock(Norm1.Call(x), srcMask, srcKeyPaddingMask, isCausal));
            x = x.Add(FfBlock(Norm2.Call(x)));
        }
        else
        {
            x = Norm1.Call(x.Add(SaBlock(x, srcMask, srcKeyPaddingMask, isCausal)));
            x = Norm2.Call(x.Add(FfBlock(x)));
        }
        return x;
    }

    private Tensor SaBlock(Tensor x, Tensor? attnMask, Tensor? keyPaddingMask, bool isCausal) =>
        Drop("dropout1").Call(SelfAttn.Forward(x, x, x, keyPaddingMask, needWeights: false, attnMask: attnMask, isCausal: isCausal).Output);

    private Tensor FfBlock(Tensor x) =>
        Drop("dropout2").Call(Linear2.Call(Drop("dropout").Call(_activation(Linear1.Call(x)))));
}

/// <summary>
/// torch.nn.TransformerDecoderLayer: self-attention, cross-attention over the encoder output (memory), then a
/// feed-forward block, each with dropout, a residual and LayerNorm (post-norm by default, pre-norm with normFirst):
/// post: x = norm1(x + SA(x)); x = norm2(x + MHA(x, mem)); x = norm3(x + FF(x)).
/// pre:  x = x + SA(norm1(x)); x = x + MHA(norm2(x), mem); x = x + FF(norm3(x)).
/// <para>Children: self_attn, multihead_attn, linear1, dropout, linear2, norm1, norm2, norm3, dropout1, dropout2,
/// dropout3. tgt [T, N, E], memory [S, N, E] (batch first with batchFirst); the output has tgt's shape.</para>
/// </summary>
public sealed class TransformerDecoderLayer : Module
{
    private readonly Config _config;
    private readonly Generator? _dropoutGenerator;
    private readonly Func<Tensor, Tensor> _activation;

    private sealed record Config(int DModel, int Nhead, int DimFeedforward, double Dropout, TransformerActivation Activation,
        double LayerNormEps, bool BatchFirst, bool NormFirst, bool Bias, DType DType);

    /// <summary>A decoder layer with PyTorch's defaults (dimFeedforward 2048, dropout 0.1, relu, eps 1e-5, post-norm).</summary>
    /// <exception cref="ArgumentException">Bad sizes, dropout outside [0, 1] or an unknown activation name.</exception>
    public TransformerDecoderLayer(int dModel, int nhead, int dimFeedforward = 2048, double dropout = 0.1,
        TransformerActivation activation = default, double layerNormEps = 1e-5, bool batchFirst = false, bool normFirst = false,
        bool bias = true, DType dtype = DType.Float32, Generator? generator = null)
        : this(new Config(dModel, nhead, dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, bias, dtype), generator, generator) { }

    private TransformerDecoderLayer(Config c, Generator? initGenerator, Generator? dropoutGenerator)
    {
        _config = c;
        _dropoutGenerator = dropoutGenerator;
        _activation = c.Activation.Resolve("TransformerDecoderLayer");
        RegisterModule("self_attn", new MultiheadAttention(c.DModel, c.Nhead, c.Dropout, c.Bias, batchFirst: c.BatchFirst, dtype: c.DType, generator: initGenerator));
        RegisterModule("multihead_attn", new MultiheadAttention(c.DModel, c.Nhead, c.Dropout, c.Bias, batchFirst: c.BatchFirst, dtype: c.DType, generator: initGenerator));
        RegisterModule("linear1", new Linear(c.DModel, c.DimFeedforward, c.Bias, c.DType, initGenerator));
        RegisterModule("dropout", new Dropout(c.Dropout, dropoutGenerator));
        RegisterModule("linear2", new Linear(c.DimFeedforward, c.DModel, c.Bias, c.DType, initGenerator));
        foreach (var n in new[] { "norm1", "norm2", "norm3" })
            RegisterModule(n, new LayerNorm(c.DModel, c.LayerNormEps, bias: c.Bias, dtype: c.DType));
        foreach (var n in new[] { "dropout1", "dropout2", "dropout3" })
            RegisterModule(n, new Dropout(c.Dropout, dropoutGenerator));
    }

    /// <summary>d_model.</summary>
    public int DModel => _config.DModel;

    /// <summary>Whether inputs are [N, T, E].</summary>
    public bool BatchFirst => _config.BatchFirst;

    /// <summary>Pre-norm when true.</summary>
    public bool NormFirst => _config.NormFirst;

    /// <summary>The self-attention block.</summary>
    public MultiheadAttention SelfAttn => (MultiheadAttention)GetModule("self_attn")!;

    /// <summary>The cross-attention block.</summary>
    public MultiheadAttention MultiheadAttn => (MultiheadAttention)GetModule("multihead_attn")!;

    private Module<Tensor, Tensor> Sub(string name) => (Module<Tensor, Tensor>)GetModule(name)!;

    /// <summary>copy.deepcopy: a layer with the same configuration, parameter values and modes (no random numbers drawn).</summary>
    public TransformerDecoderLayer DeepCopy()
    {
        var copy = new TransformerDecoderLayer(_config, new Generator(), _dropoutGenerator);
        Transformer.CopyInto(this, copy);
        return copy;
    }

    /// <summary>
    /// The layer: tgtMask [T, T] / memoryMask [T, S] (or [N*H, ., .]; Bool true = not allowed, or additive float),
    /// key padding masks [N, T] / [N, S] (Bool true = padding, or additive float); the isCausal flags hint that
    /// the corresponding mask is causal.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes or masks that do not fit.</exception>
    public Tensor Forward(Tensor tgt, Tensor memory, Tensor? tgtMask = null, Tensor? memoryMask = null, Tensor? tgtKeyPaddingMask = null,
        Tensor? memoryKeyPaddingMask = null, bool tgtIsCausal = false, bool memoryIsCausal = false)
    {
        const string op = "TransformerDecoderLayer";
        if (tgt.Rank is not (2 or 3) || tgt.Shape[-1] != DModel || memory.Rank != tgt.Rank || memory.Shape[-1] != DModel)
            throw new ArgumentException($"{op}: expected tgt and memory of rank 3 ([T, N, {DModel}], [S, N, {DModel}]) or 2 (unbatched), got tgt {tgt.Shape} and memory {memory.Shape}.");
        var x = tgt;
        if (NormFirst)
        {
            x = x.Add(SaBlock(Sub("norm1").Call(x), tgtMask, tgtKeyPaddingMask, tgtIsCausal));
            x = x.Add(MhaBlock(Sub("norm2").Call(x), memory, memoryMask, memoryKeyPaddingMask, memoryIsCausal));
            x = x.Add(FfBlock(Sub("norm3").Call(x)));
        }
        else
        {
            x = Sub("norm1").Call(x.Add(SaBlock(x, tgtMask, tgtKeyPaddingMask, tgtIsCausal)));
            x = Sub("norm2").Call(x.Add(MhaBlock(x, memory, memoryMask, memoryKeyPaddingMask, memoryIsCausal)));
            x = Sub("norm3").Call(x.Add(FfBlock(x)));
        }
        return x;
    }

    private Tensor SaBlock(Tensor x, Tensor? attnMask, Tensor? keyPaddingMask, bool isCausal) =>
        Sub("dropout1").Call(SelfAttn.Forward(x, x, x, keyPaddingMask, needWeights: false, attnMask: attnMask, isCausal: isCausal).Output);

    private Tensor MhaBlock(Tensor x, Tensor mem, Tensor? attnMask, Tensor? keyPaddingMask, bool isCausal) =>
        Sub("dropout2").Call(MultiheadAttn.Forward(x, mem, mem, keyPaddingMask, needWeights: false, attnMask: attnMask, isCausal: isCausal).Output);

    private Tensor FfBlock(Tensor x) =>
        Sub("dropout3").Call(Sub("linear2").Call(Sub("dropout").Call(_activation(Sub("linear1").Call(x)))));
}

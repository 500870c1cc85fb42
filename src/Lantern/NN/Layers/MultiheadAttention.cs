namespace Lantern.NN;

/// <summary>
/// torch.nn.MultiheadAttention: <c>MultiHead(Q, K, V) = Concat(head_1..head_H) W_O</c> with
/// <c>head_i = Attention(Q W_Q_i, K W_K_i, V W_V_i)</c>; a thin wrapper of <see cref="F.MultiHeadAttentionForward"/>.
/// <para>Parameters (PyTorch's names and init): in_proj_weight [3E, E] xavier_uniform (or q_proj_weight [E, E],
/// k_proj_weight [E, kdim], v_proj_weight [E, vdim] when kdim or vdim differ from E), in_proj_bias [3E] zeros,
/// out_proj (NonDynamicallyQuantizableLinear: Linear's init, bias zeros), bias_k/bias_v [1, 1, E] xavier_normal
/// with addBiasKv.</para>
/// <para>Shapes: query [L, N, E] ([N, L, E] with batchFirst; [L, E] unbatched), key [S, N, kdim],
/// value [S, N, vdim]; output [L, N, E] and weights [N, L, S] (averaged) or [N, H, L, S].</para>
/// </summary>
/// <example><c>var (y, w) = new MultiheadAttention(64, 8, batchFirst: true).Forward(x, x, x);</c></example>
public sealed class MultiheadAttention : Module
{
    private readonly Generator? _generator;

    /// <summary>Multi-head attention over embedDim features split into numHeads heads.</summary>
    /// <exception cref="ArgumentException">embedDim or numHeads not positive, embedDim not divisible by numHeads,
    /// dropout outside [0, 1], or a non-positive kdim/vdim.</exception>
    public MultiheadAttention(int embedDim, int numHeads, double dropout = 0, bool bias = true, bool addBiasKv = false,
        bool addZeroAttn = false, int? kdim = null, int? vdim = null, bool batchFirst = false, DType dtype = DType.Float32,
        Generator? generator = null)
    {
        if (embedDim <= 0 || numHeads <= 0)
            throw new ArgumentException($"MultiheadAttention: embed_dim and num_heads must be greater than 0, got embed_dim={embedDim} and num_heads={numHeads} instead.");
        if (embedDim % numHeads != 0)
            throw new ArgumentException($"MultiheadAttention: embed_dim must be divisible by num_heads, got embed_dim={embedDim} and num_heads={numHeads}.");
        if (dropout < 0 || dropout > 1)
            throw new ArgumentException($"MultiheadAttention: dropout probability has to be between 0 and 1, but got {dropout}.");
        if (kdim <= 0 || vdim <= 0)
            throw new ArgumentException($"MultiheadAttention: kdim and vdim must be positive, got kdim={kdim}, vdim={vdim}.");
        EmbedDim = embedDim;
        Kdim = kdim ?? embedDim;
        Vdim = vdim ?? embedDim;
        NumHeads = numHeads;
        Dropout = dropout;
        BatchFirst = batchFirst;
        HeadDim = embedDim / numHeads;
        AddZeroAttn = addZeroAttn;
        AddBiasKv = addBiasKv;
        _generator = generator;
        if (QkvSameEmbedDim)
        {
            RegisterParameter("in_proj_weight", Tensor.Empty([3 * embedDim, embedDim], dtype));
            RegisterParameter("q_proj_weight", null);
            RegisterParameter("k_proj_weight", null);
            RegisterParameter("v_proj_weight", null);
        }
        else
        {
            RegisterParameter("q_proj_weight", Tensor.Empty([embedDim, embedDim], dtype));
            RegisterParameter("k_proj_weight", Tensor.Empty([embedDim, Kdim], dtype));
            RegisterParameter("v_proj_weight", Tensor.Empty([embedDim, Vdim], dtype));
            RegisterParameter("in_proj_weight", null);
        }
        RegisterParameter("in_proj_bias", bias ? Tensor.Empty([3 * embedDim], dtype) : null);
        RegisterModule("out_proj", new NonDynamicallyQuantizableLinear(embedDim, embedDim, bias, dtype, generator));
        if (addBiasKv)
        {
            RegisterParameter("bias_k", Tensor.Empty([1, 1, embedDim], dtype));
            RegisterParameter("bias_v", Tensor.Empty([1, 1, embedDim], dtype));
        }
        ResetParameters(generator);
    }

    /// <summary>E, the model dimension.</summary>
    public int EmbedDim { get; }

    /// <summary>Key features (E unless given).</summary>
    public int Kdim { get; }

    /// <summary>Value features (E unless given).</summary>
    public int Vdim { get; }

    /// <summary>Number of heads H.</summary>
    public int NumHeads { get; }

    /// <summary>E / H.</summary>
    public int HeadDim { get; }

    /// <summary>Dropout probability on the attention weights (training only).</summary>
    public double Dropout { get; }

    /// <summary>Inputs and output are [N, L, E] instead of [L, N, E].</summary>
    public bool BatchFirst { get; }

    /// <summary>Whether a zero key/value is appended.</summary>
    public bool AddZeroAttn { get; }

    /// <summary>True when kdim == vdim == E (one packed in_proj_weight).</summary>
    public bool QkvSameEmbedDim => Kdim == EmbedDim && Vdim == EmbedDim;

    /// <summary>[3E, E] or null with separate projections.</summary>
    public Tensor? InProjWeight => GetParameter("in_proj_weight");

    /// <summary>[E, E] or null.</summary>
    public Tensor? QProjWeight => GetParameter("q_proj_weight");

    /// <summary>[E, kdim] or null.</summary>
    public Tensor? KProjWeight => GetParameter("k_proj_weight");

    /// <summary>[E, vdim] or null.</summary>
    public Tensor? VProjWeight => GetParameter("v_proj_weight");

    /// <summary>[3E] or null.</summary>
    public Tensor? InProjBias => GetParameter("in_proj_bias");

    /// <summary>[1, 1, E] or null.</summary>
    public Tensor? BiasK => AddBiasKv ? GetParameter("bias_k") : null;

    /// <summary>[1, 1, E] or null.</summary>
    public Tensor? BiasV => AddBiasKv ? GetParameter("bias_v") : null;

    /// <summary>Whether bias_k and bias_v exist.</summary>
    public bool AddBiasKv { get; }

    /// <summary>The output projection (out_proj).</summary>
    public Linear OutProj => (Linear)GetModule("out_proj")!;

    /// <summary>PyTorch's _reset_parameters: xavier_uniform on the input projections, zero biases, xavier_normal on bias_k/bias_v.</summary>
    public void ResetParameters(Generator? generator = null)
    {
        if (QkvSameEmbedDim) Init.XavierUniform_(InProjWeight!, generator: generator);
        else
        {
            Init.XavierUniform_(QProjWeight!, generator: generator);
            Init.XavierUniform_(KProjWeight!, generator: generator);
            Init.XavierUniform_(VProjWeight!, generator: generator);
        }
        if (InProjBias is { } b)
        {
            Init.Zeros_(b);
            Init.Zeros_(OutProj.Bias!);
        }
        if (BiasK is { } bk) Init.XavierNormal_(bk, generator: generator);
        if (BiasV is { } bv) Init.XavierNormal_(bv, generator: generator);
    }

    /// <summary>
    /// Attention of query over key/value. keyPaddingMask [N, S] (Bool: true = ignore; or additive float);
    /// attnMask [L, S] or [N*H, L, S] (Bool: true = not allowed; or additive float); isCausal is a hint that
    /// attnMask is causal (it needs attnMask). Returns the output and, with needWeights, the attention weights
    /// (averaged over heads unless averageAttnWeights is false).
    /// </summary>
    /// <exception cref="ArgumentException">Shapes or masks that do not fit (see <see cref="F.MultiHeadAttentionForward"/>).</exception>
    public (Tensor Output, Tensor? Weights) Forward(Tensor query, Tensor key, Tensor value, Tensor? keyPaddingMask = null,
        bool needWeights = true, Tensor? attnMask = null, bool averageAttnWeights = true, bool isCausal = false)
    {
        bool batched = query.Rank == 3;
        if (BatchFirst && batched)
        {
            // Keep identities so that self-attention still takes the one-GEMM projection.
            bool kv = ReferenceEquals(key, value), qk = ReferenceEquals(query, key);
            query = query.Transpose(1, 0);
            key = qk ? query : key.Transpose(1, 0);
            value = kv ? key : value.Transpose(1, 0);
        }
        var (output, weights) = F.MultiHeadAttentionForward(query, key, value, EmbedDim, NumHeads, InProjWeight, InProjBias,
            BiasK, BiasV, AddZeroAttn, Dropout, OutProj.Weight, OutProj.Bias, Training, keyPaddingMask, needWeights, attnMask,
            useSeparateProjWeight: !QkvSameEmbedDim, QProjWeight, KProjWeight, VProjWeight,
            averageAttnWeights: averageAttnWeights, isCausal: isCausal, generator: _generator);
        return (BatchFirst && batched ? output.Transpose(1, 0) : output, weights);
    }
}

/// <summary>
/// torch.nn.modules.linear.NonDynamicallyQuantizableLinear: a <see cref="Linear"/> under another name (PyTorch uses
/// it for MultiheadAttention.out_proj so that quantisation leaves it alone); prints as its own type.
/// </summary>
public sealed class NonDynamicallyQuantizableLinear : Linear
{
    /// <summary>A linear layer (Linear's init).</summary>
    public NonDynamicallyQuantizableLinear(int inFeatures, int outFeatures, bool bias = true, DType dtype = DType.Float32, Generator? generator = null)
        : base(inFeatures, outFeatures, bias, dtype, generator) { }
}

namespace Lantern.NN;

/// <summary>
/// torch.nn.TransformerEncoder: numLayers deep copies of an encoder layer (identical initial weights, as
/// PyTorch's _get_clones), applied in turn, then an optional final norm. Children: layers (0, 1, ...), norm.
/// </summary>
public sealed class TransformerEncoder : Module<Tensor, Tensor>
{
    /// <summary>A stack of numLayers copies of <paramref name="encoderLayer"/> (the layer itself is not used).</summary>
    /// <exception cref="ArgumentException">numLayers negative.</exception>
    public TransformerEncoder(TransformerEncoderLayer encoderLayer, int numLayers, LayerNorm? norm = null)
    {
        if (numLayers < 0) throw new ArgumentException($"TransformerEncoder: num_layers must be non-negative, got {numLayers}.");
        NumLayers = numLayers;
        Layers = RegisterModule("layers", new ModuleList<TransformerEncoderLayer>());
        for (int i = 0; i < numLayers; i++) Layers.Add(encoderLayer.DeepCopy());
        if (norm is not null) RegisterModule("norm", norm);
        Norm = norm;
    }

    /// <summary>Number of layers.</summary>
    public int NumLayers { get; }

    /// <summary>The layers.</summary>
    public ModuleList<TransformerEncoderLayer> Layers { get; }

    /// <summary>The final norm or null.</summary>
    public LayerNorm? Norm { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor src) => Forward(src, null, null);

    /// <summary>
    /// The stack with masks (see <see cref="TransformerEncoderLayer.Forward(Tensor, Tensor?, Tensor?, bool)"/>).
    /// isCausal null detects a causal mask by comparing it with the square subsequent mask (PyTorch's
    /// _detect_is_causal_mask); true asserts it.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes or masks that do not fit.</exception>
    public Tensor Forward(Tensor src, Tensor? mask, Tensor? srcKeyPaddingMask, bool? isCausal = null)
    {
        const string op = "TransformerEncoder";
        srcKeyPaddingMask = F.CanonicalMask(srcKeyPaddingMask, "src_key_padding_mask", src.DType, op);
        mask = F.CanonicalMask(mask, "mask", src.DType, op);
        int? seqLen = src.Rank == 3 && Layers.Count > 0 ? src.Shape[Layers[0].BatchFirst ? 1 : 0] : src.Rank == 2 ? src.Shape[0] : null;
        bool causal = F.DetectIsCausalMask(mask, isCausal, seqLen);
        var output = src;
        foreach (var layer in Layers) output = layer.Forward(output, mask, srcKeyPaddingMask, causal);
        return Norm is null ? output : Norm.Call(output);
    }
}

/// <summary>
/// torch.nn.TransformerDecoder: numLayers deep copies of a decoder layer, then an optional final norm.
/// Children: layers (0, 1, ...), norm.
/// </summary>
public sealed class TransformerDecoder : Module
{
    /// <summary>A stack of numLayers copies of <paramref name="decoderLayer"/>.</summary>
    /// <exception cref="ArgumentException">numLayers negative.</exception>
    public TransformerDecoder(TransformerDecoderLayer decoderLayer, int numLayers, LayerNorm? norm = null)
    {
        if (numLayers < 0) throw new ArgumentException($"TransformerDecoder: num_layers must be non-negative, got {numLayers}.");
        NumLayers = numLayers;
        Layers = RegisterModule("layers", new ModuleList<TransformerDecoderLayer>());
        for (int i = 0; i < numLayers; i++) Layers.Add(decoderLayer.DeepCopy());
        if (norm is not null) RegisterModule("norm", norm);
        Norm = norm;
    }

    /// <summary>Number of layers.</summary>
    public int NumLayers { get; }

    /// <summary>The layers.</summary>
    public ModuleList<TransformerDecoderLayer> Layers { get; }

    /// <summary>The final norm or null.</summary>
    public LayerNorm? Norm { get; }

    /// <summary>
    /// The stack (see <see cref="TransformerDecoderLayer.Forward"/>); tgtIsCausal null detects a causal tgtMask.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes or masks that do not fit.</exception>
    public Tensor Forward(Tensor tgt, Tensor memory, Tensor? tgtMask = null, Tensor? memoryMask = null, Tensor? tgtKeyPaddingMask = null,
        Tensor? memoryKeyPaddingMask = null, bool? tgtIsCausal = null, bool memoryIsCausal = false)
    {
        int? seqLen = tgt.Rank == 3 && Layers.Count > 0 ? tgt.Shape[Layers[0].BatchFirst ? 1 : 0] : tgt.Rank == 2 ? tgt.Shape[0] : null;
        bool causal = F.DetectIsCausalMask(tgtMask is { DType: DType.Bool } ? F.CanonicalMask(tgtMask, "tgt_mask", tgt.DType, "TransformerDecoder") : tgtMask, tgtIsCausal, seqLen);
        var output = tgt;
        foreach (var layer in Layers)
            output = layer.Forward(output, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask, causal, memoryIsCausal);
        return Norm is null ? output : Norm.Call(output);
    }
}

/// <summary>
/// torch.nn.Transformer ("Attention Is All You Need"): a TransformerEncoder and a TransformerDecoder, each with a
/// final LayerNorm; every parameter with more than one dim is re-initialised with xavier_uniform, as PyTorch.
/// Children: encoder (layers, norm), decoder (layers, norm).
/// </summary>
public sealed class Transformer : Module
{
    /// <summary>A transformer with PyTorch's defaults (d_model 512, 8 heads, 6 + 6 layers, feed-forward 2048, dropout 0.1).</summary>
    /// <exception cref="ArgumentException">Bad sizes or activation.</exception>
    public Transformer(int dModel = 512, int nhead = 8, int numEncoderLayers = 6, int numDecoderLayers = 6, int dimFeedforward = 2048,
        double dropout = 0.1, TransformerActivation activation = default, double layerNormEps = 1e-5, bool batchFirst = false,
        bool normFirst = false, bool bias = true, DType dtype = DType.Float32, Generator? generator = null)
    {
        var encLayer = new TransformerEncoderLayer(dModel, nhead, dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, bias, dtype, generator);
        Encoder = RegisterModule("encoder", new TransformerEncoder(encLayer, numEncoderLayers, new LayerNorm(dModel, layerNormEps, bias: bias, dtype: dtype)));
        var decLayer = new TransformerDecoderLayer(dModel, nhead, dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, bias, dtype, generator);
        Decoder = RegisterModule("decoder", new TransformerDecoder(decLayer, numDecoderLayers, new LayerNorm(dModel, layerNormEps, bias: bias, dtype: dtype)));
        DModel = dModel;
        Nhead = nhead;
        BatchFirst = batchFirst;
        foreach (var p in Parameters())
            if (p.Rank > 1) Init.XavierUniform_(p, generator: generator);
    }

    /// <summary>d_model.</summary>
    public int DModel { get; }

    /// <summary>Heads.</summary>
    public int Nhead { get; }

    /// <summary>Whether inputs are batch first.</summary>
    public bool BatchFirst { get; }

    /// <summary>The encoder stack.</summary>
    public TransformerEncoder Encoder { get; }

    /// <summary>The decoder stack.</summary>
    public TransformerDecoder Decoder { get; }

    /// <summary>
    /// memory = encoder(src, srcMask, srcKeyPaddingMask); output = decoder(tgt, memory, ...). src [S, N, E],
    /// tgt [T, N, E] (batch first with batchFirst); masks as in the layers; the output has tgt's shape.
    /// </summary>
    /// <exception cref="ArgumentException">Batch sizes of src and tgt differ, or their feature size is not d_model.</exception>
    public Tensor Forward(Tensor src, Tensor tgt, Tensor? srcMask = null, Tensor? tgtMask = null, Tensor? memoryMask = null,
        Tensor? srcKeyPaddingMask = null, Tensor? tgtKeyPaddingMask = null, Tensor? memoryKeyPaddingMask = null,
        bool? srcIsCausal = null, bool? tgtIsCausal = null, bool memoryIsCausal = false)
    {
        bool batched = src.Rank == 3;
        if (batched && src.Shape[BatchFirst ? 0 : 1] != (tgt.Rank == 3 ? tgt.Shape[BatchFirst ? 0 : 1] : -1))
            throw new ArgumentException($"Transformer: the batch number of src and tgt must be equal, got src {src.Shape} and tgt {tgt.Shape}.");
        if (src.Shape[-1] != DModel || tgt.Shape[-1] != DModel)
            throw new ArgumentException($"Transformer: the feature number of src and tgt must be equal to d_model {DModel}, got src {src.Shape} and tgt {tgt.Shape}.");
        var memory = Encoder.Forward(src, srcMask, srcKeyPaddingMask, srcIsCausal);
        return Decoder.Forward(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask, tgtIsCausal, memoryIsCausal);
    }

    /// <summary>
    /// torch.nn.Transformer.generate_square_subsequent_mask: [sz, sz] float mask, 0 on and below the diagonal and
    /// -inf above (position i may attend to positions &lt;= i).
    /// </summary>
    /// <exception cref="ArgumentException">sz negative.</exception>
    public static Tensor GenerateSquareSubsequentMask(int sz, DType dtype = DType.Float32) => F.SquareSubsequentMask(sz, dtype);

    /// <summary>Copies parameter/buffer values and each module's training flag from one module tree into a same-shaped one.</summary>
    internal static void CopyInto(Module source, Module target)
    {
        target.LoadStateDict(source.StateDict());
        foreach (var ((_, s), (_, t)) in source.NamedModules().Zip(target.NamedModules()))
            if (t.Training != s.Training) t.Train(s.Training);
    }
}

namespace Lantern.NN;

/// <summary>
/// torch.nn.Embedding: a lookup table weight [numEmbeddings, embeddingDim] initialised N(0, 1), with the
/// <see cref="PaddingIdx"/> row zeroed (and never updated by gradients). See <see cref="F.Embedding"/>.
/// </summary>
public sealed class Embedding : Module<Tensor, Tensor>
{
    /// <summary>A table of <paramref name="numEmbeddings"/> rows of size <paramref name="embeddingDim"/>.</summary>
    /// <exception cref="ArgumentException">Non-positive sizes or paddingIdx outside [-numEmbeddings, numEmbeddings).</exception>
    public Embedding(int numEmbeddings, int embeddingDim, int? paddingIdx = null, double? maxNorm = null, double normType = 2,
        bool scaleGradByFreq = false, DType dtype = DType.Float32, Generator? generator = null)
        : this(numEmbeddings, embeddingDim, paddingIdx, maxNorm, normType, scaleGradByFreq, null)
    {
        RegisterParameter("weight", Tensor.Empty([numEmbeddings, embeddingDim], dtype));
        ResetParameters(generator);
    }

    private Embedding(int numEmbeddings, int embeddingDim, int? paddingIdx, double? maxNorm, double normType, bool scaleGradByFreq, Tensor? weight)
    {
        if (numEmbeddings <= 0 || embeddingDim <= 0)
            throw new ArgumentException($"Embedding: num_embeddings and embedding_dim must be positive, got {numEmbeddings} and {embeddingDim}.");
        if (paddingIdx is { } p && (p >= numEmbeddings || p < -numEmbeddings))
            throw new ArgumentException($"Embedding: padding_idx {p} must be within num_embeddings {numEmbeddings}.");
        NumEmbeddings = numEmbeddings;
        EmbeddingDim = embeddingDim;
        PaddingIdx = paddingIdx is { } q && q < 0 ? q + numEmbeddings : paddingIdx;
        MaxNorm = maxNorm;
        NormType = normType;
        ScaleGradByFreq = scaleGradByFreq;
        if (weight is not null) RegisterParameter("weight", weight);
    }

    /// <summary>
    /// torch.nn.Embedding.from_pretrained: a layer over the given 2-D table (shared, not copied); frozen
    /// (no gradient) unless <paramref name="freeze"/> is false. The padding row is left as given.
    /// </summary>
    /// <exception cref="ArgumentException">embeddings not 2-D.</exception>
    public static Embedding FromPretrained(Tensor embeddings, bool freeze = true, int? paddingIdx = null, double? maxNorm = null,
        double normType = 2, bool scaleGradByFreq = false)
    {
        if (embeddings.Rank != 2) throw new ArgumentException($"Embedding.FromPretrained: embeddings parameter is expected to be 2-dimensional, got shape {embeddings.Shape}.");
        var w = embeddings.Detach();
        var e = new Embedding(embeddings.Shape[0], embeddings.Shape[1], paddingIdx, maxNorm, normType, scaleGradByFreq, w);
        w.RequiresGrad = !freeze;
        return e;
    }

    /// <summary>Rows in the table.</summary>
    public int NumEmbeddings { get; }

    /// <summary>Size of each row.</summary>
    public int EmbeddingDim { get; }

    /// <summary>The row that stays fixed (in [0, NumEmbeddings)), or null.</summary>
    public int? PaddingIdx { get; }

    /// <summary>Looked-up rows with a larger norm are renormalised in place, or null.</summary>
    public double? MaxNorm { get; }

    /// <summary>The p of the max-norm norm.</summary>
    public double NormType { get; }

    /// <summary>Whether gradients are divided by index frequency in the batch.</summary>
    public bool ScaleGradByFreq { get; }

    /// <summary>[numEmbeddings, embeddingDim].</summary>
    public Tensor Weight => GetParameter("weight")!;

    /// <summary>PyTorch's reset_parameters: weight ~ N(0, 1), padding row zero.</summary>
    public void ResetParameters(Generator? generator = null)
    {
        Init.Normal_(Weight, 0, 1, generator);
        if (PaddingIdx is { } p) using (Autograd.NoGrad()) Weight.Select(0, p).Fill_(0);
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Embedding(input, Weight, PaddingIdx, MaxNorm, NormType, ScaleGradByFreq);

    /// <inheritdoc/>
    public override string ExtraRepr()
    {
        var s = $"{NumEmbeddings}, {EmbeddingDim}";
        if (PaddingIdx is { } p) s += $", padding_idx={p}";
        if (MaxNorm is { } m) s += $", max_norm={Py(m)}";
        if (NormType != 2) s += $", norm_type={Py(NormType)}";
        if (ScaleGradByFreq) s += ", scale_grad_by_freq=True";
        return s;
    }
}

/// <summary>
/// torch.nn.EmbeddingBag: sums, averages or maxes the embeddings of each bag (<see cref="F.EmbeddingBag"/>).
/// weight ~ N(0, 1), padding row zeroed.
/// </summary>
public sealed class EmbeddingBag : Module<Tensor, Tensor>
{
    /// <summary>A bag layer over a table of <paramref name="numEmbeddings"/> rows; <paramref name="mode"/> is "sum", "mean" or "max".</summary>
    /// <exception cref="ArgumentException">Non-positive sizes, a bad mode, or paddingIdx outside the table.</exception>
    public EmbeddingBag(int numEmbeddings, int embeddingDim, double? maxNorm = null, double normType = 2, bool scaleGradByFreq = false,
        string mode = "mean", bool includeLastOffset = false, int? paddingIdx = null, DType dtype = DType.Float32, Generator? generator = null)
    {
        if (numEmbeddings <= 0 || embeddingDim <= 0)
            throw new ArgumentException($"EmbeddingBag: num_embeddings and embedding_dim must be positive, got {numEmbeddings} and {embeddingDim}.");
        if (mode is not ("sum" or "mean" or "max")) throw new ArgumentException($"EmbeddingBag: mode has to be one of sum, mean or max, got '{mode}'.");
        if (paddingIdx is { } p && (p >= numEmbeddings || p < -numEmbeddings))
            throw new ArgumentException($"EmbeddingBag: padding_idx {p} must be within num_embeddings {numEmbeddings}.");
        NumEmbeddings = numEmbeddings;
        EmbeddingDim = embeddingDim;
        MaxNorm = maxNorm;
        NormType = normType;
        ScaleGradByFreq = scaleGradByFreq;
        Mode = mode;
        IncludeLastOffset = includeLastOffset;
        PaddingIdx = paddingIdx is { } q && q < 0 ? q + numEmbeddings : paddingIdx;
        RegisterParameter("weight", Tensor.Empty([numEmbeddings, embeddingDim], dtype));
        Init.Normal_(Weight, 0, 1, generator);
        if (PaddingIdx is { } r) using (Autograd.NoGrad()) Weight.Select(0, r).Fill_(0);
    }

    /// <summary>Rows in the table.</summary>
    public int NumEmbeddings { get; }

    /// <summary>Size of each row.</summary>
    public int EmbeddingDim { get; }

    /// <summary>Max-norm renormalisation threshold, or null.</summary>
    public double? MaxNorm { get; }

    /// <summary>The p of the max-norm norm.</summary>
    public double NormType { get; }

    /// <summary>Whether gradients are divided by index frequency.</summary>
    public bool ScaleGradByFreq { get; }

    /// <summary>"sum", "mean" or "max".</summary>
    public string Mode { get; }

    /// <summary>Whether offsets end with the input size.</summary>
    public bool IncludeLastOffset { get; }

    /// <summary>Entries equal to it are left out of bags, or null.</summary>
    public int? PaddingIdx { get; }

    /// <summary>[numEmbeddings, embeddingDim].</summary>
    public Tensor Weight => GetParameter("weight")!;

    /// <summary>Bags of a 2-D input [B, L].</summary>
    public override Tensor Forward(Tensor input) => Forward(input, null, null);

    /// <summary>Bags given by offsets (1-D input) or rows (2-D input), optionally weighted per sample (mode "sum").</summary>
    public Tensor Forward(Tensor input, Tensor? offsets, Tensor? perSampleWeights = null) =>
        F.EmbeddingBag(input, Weight, offsets, MaxNorm, NormType, ScaleGradByFreq, Mode, perSampleWeights, IncludeLastOffset, PaddingIdx);

    /// <inheritdoc/>
    public override string ExtraRepr()
    {
        var s = $"{NumEmbeddings}, {EmbeddingDim}";
        if (MaxNorm is { } m) s += $", max_norm={Py(m)}";
        if (NormType != 2) s += $", norm_type={Py(NormType)}";
        if (ScaleGradByFreq) s += ", scale_grad_by_freq=True";
        s += $", mode={Py(Mode)}";
        if (PaddingIdx is { } p) s += $", padding_idx={p}";
        return s;
    }
}

namespace Lantern.NN;

/// <summary>
/// The fixed sinusoidal positional encoding of "Attention Is All You Need" (the PyTorch transformer tutorial's
/// PositionalEncoding): PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(pos / 10000^(2i/d)),
/// added to the input, then dropout. Buffer "pe" [maxLen, 1, dModel] (persistent, as the tutorial), with the
/// tutorial's numbers: div_term = exp(arange(0, d, 2) * -ln(10000) / d) and the angles pos * div_term rounded to
/// the buffer's dtype as PyTorch computes them (float32 by default), sin/cos evaluated in double and rounded.
/// <para>Input [L, N, dModel] ([N, L, dModel] with batchFirst); the output has its shape.</para>
/// </summary>
public sealed class SinusoidalPositionalEncoding : Module<Tensor, Tensor>
{
    /// <summary>A positional encoding for sequences up to maxLen.</summary>
    /// <exception cref="ArgumentException">dModel not positive and even, maxLen not positive, or dropout outside [0, 1].</exception>
    public SinusoidalPositionalEncoding(int dModel, double dropout = 0.1, int maxLen = 5000, bool batchFirst = false,
        DType dtype = DType.Float32, Generator? generator = null)
    {
        if (dModel <= 0 || dModel % 2 != 0)
            throw new ArgumentException($"SinusoidalPositionalEncoding: d_model must be positive and even (sin/cos pairs), got {dModel}.");
        if (maxLen <= 0)
            throw new ArgumentException($"SinusoidalPositionalEncoding: max_len must be positive, got {maxLen}.");
        DModel = dModel;
        MaxLen = maxLen;
        BatchFirst = batchFirst;
        RegisterModule("dropout", new Dropout(dropout, generator));
        RegisterBuffer("pe", Table(maxLen, dModel, dtype));
    }

    /// <summary>Model dimension.</summary>
    public int DModel { get; }

    /// <summary>Longest sequence.</summary>
    public int MaxLen { get; }

    /// <summary>Whether inputs are [N, L, d].</summary>
    public bool BatchFirst { get; }

    private static Tensor Table(int maxLen, int dModel, DType dtype)
    {
        // Float32 follows the tutorial's float32 arithmetic: the scalar and the products round to float.
        bool single = dtype != DType.Float64;
        double Round(double v) => single ? (float)v : v;
        var data = new double[maxLen * dModel];
        double c = Round(-Math.Log(10000.0) / dModel);
        for (int i = 0; i < dModel / 2; i++)
        {
            double div = Round(Math.Exp(Round(2 * i * c)));
            for (int pos = 0; pos < maxLen; pos++)
            {
                double angle = Round(pos * div);
                data[pos * dModel + 2 * i] = Math.Sin(angle);
                data[pos * dModel + 2 * i + 1] = Math.Cos(angle);
            }
        }
        return Tensor.FromArray(data, [maxLen, 1, dModel]).To(dtype);
    }

    /// <summary>The encoding table [maxLen, 1, dModel].</summary>
    public Tensor Pe => GetBuffer("pe")!;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">Not 3-D with last dim dModel, or longer than maxLen.</exception>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 3 || input.Shape[-1] != DModel)
            throw new ArgumentException($"SinusoidalPositionalEncoding: expected input of shape {(BatchFirst ? "[N, L, " : "[L, N, ")}{DModel}], got {input.Shape}.");
        int l = input.Shape[BatchFirst ? 1 : 0];
        if (l > MaxLen)
            throw new ArgumentException($"SinusoidalPositionalEncoding: sequence length {l} exceeds max_len {MaxLen} (input {input.Shape}).");
        var pe = Pe.Narrow(0, 0, l);                                                                     // [L, 1, d]
        if (BatchFirst) pe = pe.Transpose(0, 1);                                                         // [1, L, d]
        return ((Dropout)GetModule("dropout")!).Call(input.Add(pe));
    }

    /// <inheritdoc/>
    public override string ExtraRepr() => $"d_model={DModel}, max_len={MaxLen}" + (BatchFirst ? ", batch_first=True" : "");
}

/// <summary>
/// A learned absolute positional embedding (BERT / GPT-2 / ViT style): parameter "weight" [maxLen, dModel],
/// initialised N(0, 1) as nn.Embedding; rows 0..L-1 are added to the input, then dropout.
/// <para>Input [L, N, dModel] ([N, L, dModel] with batchFirst); the output has its shape.</para>
/// </summary>
public sealed class LearnedPositionalEmbedding : Module<Tensor, Tensor>
{
    /// <summary>A learned table for sequences up to maxLen.</summary>
    /// <exception cref="ArgumentException">Non-positive sizes, or dropout outside [0, 1].</exception>
    public LearnedPositionalEmbedding(int maxLen, int dModel, double dropout = 0, bool batchFirst = false,
        DType dtype = DType.Float32, Generator? generator = null)
    {
        if (maxLen <= 0 || dModel <= 0)
            throw new ArgumentException($"LearnedPositionalEmbedding: max_len and d_model must be positive, got {maxLen} and {dModel}.");
        MaxLen = maxLen;
        DModel = dModel;
        BatchFirst = batchFirst;
        RegisterParameter("weight", Tensor.Empty([maxLen, dModel], dtype));
        RegisterModule("dropout", new Dropout(dropout, generator));
        Init.Normal_(Weight, generator: generator);
    }

    /// <summary>Longest sequence.</summary>
    public int MaxLen { get; }

    /// <summary>Model dimension.</summary>
    public int DModel { get; }

    /// <summary>Whether inputs are [N, L, d].</summary>
    public bool BatchFirst { get; }

    /// <summary>[maxLen, dModel].</summary>
    public Tensor Weight => GetParameter("weight")!;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">Not 3-D with last dim dModel, or longer than maxLen.</exception>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 3 || input.Shape[-1] != DModel)
            throw new ArgumentException($"LearnedPositionalEmbedding: expected input of shape {(BatchFirst ? "[N, L, " : "[L, N, ")}{DModel}], got {input.Shape}.");
        int l = input.Shape[BatchFirst ? 1 : 0];
        if (l > MaxLen)
            throw new ArgumentException($"LearnedPositionalEmbedding: sequence length {l} exceeds max_len {MaxLen} (input {input.Shape}).");
        var pos = Weight.Narrow(0, 0, l).Unsqueeze(BatchFirst ? 0 : 1);                                  // [1, L, d] or [L, 1, d]
        return ((Dropout)GetModule("dropout")!).Call(input.Add(pos));
    }

    /// <inheritdoc/>
    public override string ExtraRepr() => $"{MaxLen}, {DModel}" + (BatchFirst ? ", batch_first=True" : "");
}

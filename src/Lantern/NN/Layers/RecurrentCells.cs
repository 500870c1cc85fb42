namespace Lantern.NN;

/// <summary>
/// torch.nn.RNNCellBase: weight_ih [chunks*H, in], weight_hh [chunks*H, H], bias_ih and bias_hh [chunks*H]
/// (registered as null without bias), all initialised from U(-1/sqrt(H), 1/sqrt(H)) as PyTorch.
/// </summary>
public abstract class RNNCellBase<TOut> : Module<Tensor, TOut>
{
    private protected RNNCellBase(string name, int inputSize, int hiddenSize, bool bias, int numChunks, DType dtype, Generator? generator)
    {
        if (inputSize < 0 || hiddenSize < 0)
            throw new ArgumentException($"{name}: input_size and hidden_size must be non-negative, got input_size={inputSize}, hidden_size={hiddenSize}.");
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        Bias = bias;
        RegisterParameter("weight_ih", Tensor.Empty([numChunks * hiddenSize, inputSize], dtype));
        RegisterParameter("weight_hh", Tensor.Empty([numChunks * hiddenSize, hiddenSize], dtype));
        RegisterParameter("bias_ih", bias ? Tensor.Empty([numChunks * hiddenSize], dtype) : null);
        RegisterParameter("bias_hh", bias ? Tensor.Empty([numChunks * hiddenSize], dtype) : null);
        ResetParameters(generator);
    }

    /// <summary>Features of the input.</summary>
    public int InputSize { get; }

    /// <summary>Features of the hidden state.</summary>
    public int HiddenSize { get; }

    /// <summary>Whether bias_ih and bias_hh exist.</summary>
    public bool Bias { get; }

    /// <summary>[chunks*H, in].</summary>
    public Tensor WeightIh => GetParameter("weight_ih")!;

    /// <summary>[chunks*H, H].</summary>
    public Tensor WeightHh => GetParameter("weight_hh")!;

    /// <summary>[chunks*H] or null.</summary>
    public Tensor? BiasIh => GetParameter("bias_ih");

    /// <summary>[chunks*H] or null.</summary>
    public Tensor? BiasHh => GetParameter("bias_hh");

    /// <summary>PyTorch's reset_parameters: every parameter from U(-1/sqrt(H), 1/sqrt(H)) (0 when H = 0).</summary>
    public void ResetParameters(Generator? generator = null)
    {
        double stdv = HiddenSize > 0 ? 1 / Math.Sqrt(HiddenSize) : 0;
        foreach (var p in Parameters()) Init.Uniform_(p, -stdv, stdv, generator);
    }

    /// <inheritdoc/>
    public override string ExtraRepr() => $"{InputSize}, {HiddenSize}" + (Bias ? "" : ", bias=False");
}

/// <summary>torch.nn.RNNCell: h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), act tanh (default) or relu; see <see cref="F.RnnCell"/>.</summary>
public sealed class RNNCell : RNNCellBase<Tensor>
{
    /// <summary>An Elman RNN cell.</summary>
    /// <exception cref="ArgumentException">Negative sizes or a nonlinearity other than "tanh" / "relu".</exception>
    public RNNCell(int inputSize, int hiddenSize, bool bias = true, string nonlinearity = "tanh", DType dtype = DType.Float32, Generator? generator = null)
        : base("RNNCell", inputSize, hiddenSize, bias, 1, dtype, generator)
    {
        if (nonlinearity != "tanh" && nonlinearity != "relu")
            throw new ArgumentException($"RNNCell: Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.");
        Nonlinearity = nonlinearity;
    }

    /// <summary>"tanh" or "relu".</summary>
    public string Nonlinearity { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Forward(input, null);

    /// <summary>One step from hidden state hx ([N, H] or [H]; null = zeros).</summary>
    public Tensor Forward(Tensor input, Tensor? hx) => F.RnnCell(input, hx, WeightIh, WeightHh, BiasIh, BiasHh, Nonlinearity);

    /// <inheritdoc/>
    public override string ExtraRepr() => base.ExtraRepr() + (Nonlinearity != "tanh" ? $", nonlinearity={Nonlinearity}" : "");
}

/// <summary>torch.nn.LSTMCell: one LSTM step, gates i, f, g, o; see <see cref="F.LstmCell"/>. Forward returns (h', c').</summary>
public sealed class LSTMCell : RNNCellBase<(Tensor H, Tensor C)>
{
    /// <summary>An LSTM cell.</summary>
    /// <exception cref="ArgumentException">Negative sizes.</exception>
    public LSTMCell(int inputSize, int hiddenSize, bool bias = true, DType dtype = DType.Float32, Generator? generator = null)
        : base("LSTMCell", inputSize, hiddenSize, bias, 4, dtype, generator) { }

    /// <inheritdoc/>
    public override (Tensor H, Tensor C) Forward(Tensor input) => Forward(input, null);

    /// <summary>One step from (h, c) (each [N, H] or [H]; null = zeros).</summary>
    public (Tensor H, Tensor C) Forward(Tensor input, (Tensor H, Tensor C)? hx) => F.LstmCell(input, hx, WeightIh, WeightHh, BiasIh, BiasHh);
}

/// <summary>torch.nn.GRUCell: one GRU step, gates r, z, n; see <see cref="F.GruCell"/>.</summary>
public sealed class GRUCell : RNNCellBase<Tensor>
{
    /// <summary>A GRU cell.</summary>
    /// <exception cref="ArgumentException">Negative sizes.</exception>
    public GRUCell(int inputSize, int hiddenSize, bool bias = true, DType dtype = DType.Float32, Generator? generator = null)
        : base("GRUCell", inputSize, hiddenSize, bias, 3, dtype, generator) { }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Forward(input, null);

    /// <summary>One step from hidden state hx ([N, H] or [H]; null = zeros).</summary>
    public Tensor Forward(Tensor input, Tensor? hx) => F.GruCell(input, hx, WeightIh, WeightHh, BiasIh, BiasHh);
}

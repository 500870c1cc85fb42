namespace Lantern.NN;

/// <summary>
/// torch.nn.RNNBase: the parameters of a multi-layer recurrent network, registered in PyTorch's order and names:
/// for each layer k and direction, weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k} (with bias),
/// weight_hr_l{k} (LSTM with projSize &gt; 0), the reverse direction suffixed "_reverse". Shapes: weight_ih
/// [G*H, in] (layer 0) or [G*H, D*Hout]; weight_hh [G*H, Hout]; biases [G*H]; weight_hr [Hout, H]; G = 4 (LSTM),
/// 3 (GRU), 1 (RNN); Hout = projSize or H; D = 2 if bidirectional. All initialised from U(-1/sqrt(H), 1/sqrt(H)).
/// </summary>
public abstract class RNNBase<TOut> : Module<Tensor, TOut>
{
    private readonly List<string[]> _allWeights = [];

    private protected RNNBase(string name, int gates, int inputSize, int hiddenSize, int numLayers, bool bias, bool batchFirst, double dropout,
        bool bidirectional, int projSize, DType dtype, Generator? generator)
    {
        if (double.IsNaN(dropout) || dropout < 0 || dropout > 1)
            throw new ArgumentException($"{name}: dropout should be a number in range [0, 1] representing the probability of an element being zeroed, got {dropout}.");
        if (inputSize <= 0) throw new ArgumentException($"{name}: input_size must be greater than zero, got {inputSize}.");
        if (hiddenSize <= 0) throw new ArgumentException($"{name}: hidden_size must be greater than zero, got {hiddenSize}.");
        if (numLayers <= 0) throw new ArgumentException($"{name}: num_layers must be greater than zero, got {numLayers}.");
        if (projSize < 0) throw new ArgumentException($"{name}: proj_size should be a positive integer or zero to disable projections, got {projSize}.");
        if (projSize >= hiddenSize) throw new ArgumentException($"{name}: proj_size has to be smaller than hidden_size, got proj_size={projSize}, hidden_size={hiddenSize}.");
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        NumLayers = numLayers;
        Bias = bias;
        BatchFirst = batchFirst;
        Dropout = dropout;
        Bidirectional = bidirectional;
        ProjSize = projSize;
        Generator = generator;
        int dirs = bidirectional ? 2 : 1, hOut = projSize > 0 ? projSize : hiddenSize;
        for (int layer = 0; layer < numLayers; layer++)
            for (int d = 0; d < dirs; d++)
            {
                string sfx = $"_l{layer}{(d == 1 ? "_reverse" : "")}";
                int inSize = layer == 0 ? inputSize : hOut * dirs;
                var names = new List<string> { "weight_ih" + sfx, "weight_hh" + sfx };
                RegisterParameter(names[0], Tensor.Empty([gates * hiddenSize, inSize], dtype));
                RegisterParameter(names[1], Tensor.Empty([gates * hiddenSize, hOut], dtype));
                if (bias)
                {
                    names.AddRange(["bias_ih" + sfx, "bias_hh" + sfx]);
                    RegisterParameter(names[2], Tensor.Empty([gates * hiddenSize], dtype));
                    RegisterParameter(names[3], Tensor.Empty([gates * hiddenSize], dtype));
                }
                if (projSize > 0)
                {
                    names.Add("weight_hr" + sfx);
                    RegisterParameter(names[^1], Tensor.Empty([projSize, hiddenSize], dtype));
                }
                _allWeights.Add([.. names]);
            }
        ResetParameters(generator);
    }

    /// <summary>Features of the input.</summary>
    public int InputSize { get; }

    /// <summary>Features of the hidden (cell) state H.</summary>
    public int HiddenSize { get; }

    /// <summary>Stacked layers.</summary>
    public int NumLayers { get; }

    /// <summary>Whether the bias vectors exist.</summary>
    public bool Bias { get; }

    /// <summary>Input and output as [N, L, *] instead of [L, N, *] (states keep [layers*D, N, H]).</summary>
    public bool BatchFirst { get; }

    /// <summary>Dropout probability on each layer's output but the last, in training mode.</summary>
    public double Dropout { get; }

    /// <summary>Whether a reverse direction runs too (outputs concatenated).</summary>
    public bool Bidirectional { get; }

    /// <summary>LSTM projection size (0 = none).</summary>
    public int ProjSize { get; }

    /// <summary>The generator used for initialisation and dropout masks (null = the global one).</summary>
    protected Generator? Generator { get; }

    /// <summary>The parameter names per layer and direction (PyTorch's _all_weights).</summary>
    public IReadOnlyList<IReadOnlyList<string>> AllWeightNames => _allWeights;

    /// <summary>All parameters as one flat list in registration order (PyTorch's _flat_weights), read at each call.</summary>
    public IReadOnlyList<Tensor> FlatWeights => _allWeights.SelectMany(ns => ns).Select(n => GetParameter(n)!).ToArray();

    /// <summary>PyTorch's reset_parameters: every parameter from U(-1/sqrt(H), 1/sqrt(H)).</summary>
    public void ResetParameters(Generator? generator = null)
    {
        double stdv = 1 / Math.Sqrt(HiddenSize);
        foreach (var p in Parameters()) Init.Uniform_(p, -stdv, stdv, generator);
    }

    /// <inheritdoc/>
    public override string ExtraRepr()
    {
        var s = $"{InputSize}, {HiddenSize}";
        if (ProjSize != 0) s += $", proj_size={ProjSize}";
        if (NumLayers != 1) s += $", num_layers={NumLayers}";
        if (!Bias) s += ", bias=False";
        if (BatchFirst) s += ", batch_first=True";
        if (Dropout != 0) s += $", dropout={Py(Dropout)}";
        if (Bidirectional) s += ", bidirectional=True";
        return s;
    }
}

/// <summary>
/// torch.nn.RNN: multi-layer Elman RNN, h_t = act(x_t W_ih^T + b_ih + h_(t-1) W_hh^T + b_hh), act tanh or relu.
/// Forward(input [L, N, in] / [N, L, in] / [L, in], h_0 or null) gives (output [L, N, D*H], h_n [layers*D, N, H]);
/// a <see cref="PackedSequence"/> input gives a packed output. See <see cref="F.Rnn(Tensor, Tensor?, IReadOnlyList{Tensor}, bool, int, string, double, bool, bool, bool, Generator?)"/>.
/// Like PyTorch's repr, ToString does not show the nonlinearity.
/// </summary>
public sealed class RNN : RNNBase<(Tensor Output, Tensor HN)>
{
    /// <summary>An Elman RNN.</summary>
    /// <exception cref="ArgumentException">Non-positive sizes, dropout outside [0, 1], or a nonlinearity other than "tanh" / "relu".</exception>
    public RNN(int inputSize, int hiddenSize, int numLayers = 1, string nonlinearity = "tanh", bool bias = true, bool batchFirst = false,
        double dropout = 0, bool bidirectional = false, DType dtype = DType.Float32, Generator? generator = null)
        : base("RNN", 1, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, 0, dtype, generator)
    {
        if (nonlinearity != "tanh" && nonlinearity != "relu")
            throw new ArgumentException($"RNN: Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.");
        Nonlinearity = nonlinearity;
    }

    /// <summary>"tanh" or "relu".</summary>
    public string Nonlinearity { get; }

    /// <inheritdoc/>
    public override (Tensor Output, Tensor HN) Forward(Tensor input) => Forward(input, null);

    /// <summary>The network from initial state hx (null = zeros).</summary>
    public (Tensor Output, Tensor HN) Forward(Tensor input, Tensor? hx) =>
        F.Rnn(input, hx, FlatWeights, Bias, NumLayers, Nonlinearity, Dropout, Training, Bidirectional, BatchFirst, Generator);

    /// <summary>The network over a packed batch; h_n in the original batch order.</summary>
    public (PackedSequence Output, Tensor HN) Forward(PackedSequence input, Tensor? hx = null) =>
        F.Rnn(input, hx, FlatWeights, Bias, NumLayers, Nonlinearity, Dropout, Training, Bidirectional, Generator);
}

/// <summary>
/// torch.nn.LSTM: multi-layer LSTM (gates i, f, g, o), optionally with projections (projSize). Forward(input,
/// (h_0, c_0) or null) gives (output [L, N, D*Hout], (h_n [layers*D, N, Hout], c_n [layers*D, N, H])). See
/// <see cref="F.Lstm(Tensor, ValueTuple{Tensor, Tensor}?, IReadOnlyList{Tensor}, bool, int, double, bool, bool, bool, Generator?)"/>.
/// </summary>
public sealed class LSTM : RNNBase<(Tensor Output, (Tensor H, Tensor C) Hidden)>
{
    /// <summary>An LSTM.</summary>
    /// <exception cref="ArgumentException">Non-positive sizes, dropout outside [0, 1], projSize negative or not below hiddenSize.</exception>
    public LSTM(int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, bool batchFirst = false, double dropout = 0,
        bool bidirectional = false, int projSize = 0, DType dtype = DType.Float32, Generator? generator = null)
        : base("LSTM", 4, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, projSize, dtype, generator) { }

    /// <inheritdoc/>
    public override (Tensor Output, (Tensor H, Tensor C) Hidden) Forward(Tensor input) => Forward(input, null);

    /// <summary>The network from initial states (h_0, c_0) (null = zeros).</summary>
    public (Tensor Output, (Tensor H, Tensor C) Hidden) Forward(Tensor input, (Tensor H, Tensor C)? hx)
    {
        var (y, h, c) = F.Lstm(input, hx, FlatWeights, Bias, NumLayers, Dropout, Training, Bidirectional, BatchFirst, Generator);
        return (y, (h, c));
    }

    /// <summary>The network over a packed batch; states in the original batch order.</summary>
    public (PackedSequence Output, (Tensor H, Tensor C) Hidden) Forward(PackedSequence input, (Tensor H, Tensor C)? hx = null)
    {
        var (y, h, c) = F.Lstm(input, hx, FlatWeights, Bias, NumLayers, Dropout, Training, Bidirectional, Generator);
        return (y, (h, c));
    }
}

/// <summary>
/// torch.nn.GRU: multi-layer GRU (gates r, z, n with n = tanh(W_in x + b_in + r (W_hn h + b_hn))). Shapes as
/// <see cref="RNN"/>; see <see cref="F.Gru(Tensor, Tensor?, IReadOnlyList{Tensor}, bool, int, double, bool, bool, bool, Generator?)"/>.
/// </summary>
public sealed class GRU : RNNBase<(Tensor Output, Tensor HN)>
{
    /// <summary>A GRU.</summary>
    /// <exception cref="ArgumentException">Non-positive sizes or dropout outside [0, 1].</exception>
    public GRU(int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, bool batchFirst = false, double dropout = 0,
        bool bidirectional = false, DType dtype = DType.Float32, Generator? generator = null)
        : base("GRU", 3, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, 0, dtype, generator) { }

    /// <inheritdoc/>
    public override (Tensor Output, Tensor HN) Forward(Tensor input) => Forward(input, null);

    /// <summary>The network from initial state hx (null = zeros).</summary>
    public (Tensor Output, Tensor HN) Forward(Tensor input, Tensor? hx) =>
        F.Gru(input, hx, FlatWeights, Bias, NumLayers, Dropout, Training, Bidirectional, BatchFirst, Generator);

    /// <summary>The network over a packed batch; h_n in the original batch order.</summary>
    public (PackedSequence Output, Tensor HN) Forward(PackedSequence input, Tensor? hx = null) =>
        F.Gru(input, hx, FlatWeights, Bias, NumLayers, Dropout, Training, Bidirectional, Generator);
}

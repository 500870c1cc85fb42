using Lantern.Kernels;

namespace Lantern.NN;

// Multi-layer, optionally bidirectional RNN / LSTM / GRU over padded or packed batches (torch._VF.rnn_tanh,
// rnn_relu, lstm, gru). Weights come as PyTorch's flat list (_flat_weights): per layer and direction
// weight_ih, weight_hh, [bias_ih, bias_hh], [weight_hr], layer by layer, forward direction before reverse.
public static partial class F
{
    /// <summary>
    /// torch._VF.rnn_tanh / rnn_relu: a stack of Elman RNN layers, h_t = act(x_t W_ih^T + b_ih + h_(t-1) W_hh^T + b_hh).
    /// input [L, N, in] ([N, L, in] with batchFirst, [L, in] unbatched); hx [layers*D, N, H] ([layers*D, H]
    /// unbatched) or null (zeros); D = 2 when bidirectional. weights: the flat list (see class remarks).
    /// dropout is applied to each layer's output but the last, in training only. Returns output [L, N, D*H]
    /// ([N, L, D*H] with batchFirst) and h_n [layers*D, N, H].
    /// </summary>
    /// <exception cref="ArgumentException">Wrong ranks, weight count or shapes, hidden state shape, dropout outside [0, 1], or unknown nonlinearity.</exception>
    public static (Tensor Output, Tensor HN) Rnn(Tensor input, Tensor? hx, IReadOnlyList<Tensor> weights, bool hasBiases = true, int numLayers = 1,
        string nonlinearity = "tanh", double dropout = 0, bool training = true, bool bidirectional = false, bool batchFirst = false, Generator? generator = null)
    {
        var (y, h, _) = Padded(RnnMode(nonlinearity), "RNN", input, hx, null, weights, hasBiases, numLayers, dropout, training, bidirectional, batchFirst, generator);
        return (y, h);
    }

    /// <summary><see cref="Rnn(Tensor, Tensor?, IReadOnlyList{Tensor}, bool, int, string, double, bool, bool, bool, Generator?)"/> over a packed batch: output packed alike, h_n of each sequence at its own last step, in original batch order.</summary>
    /// <exception cref="ArgumentException">As the padded form.</exception>
    public static (PackedSequence Output, Tensor HN) Rnn(PackedSequence input, Tensor? hx, IReadOnlyList<Tensor> weights, bool hasBiases = true, int numLayers = 1,
        string nonlinearity = "tanh", double dropout = 0, bool training = true, bool bidirectional = false, Generator? generator = null)
    {
        var (y, h, _) = Packed(RnnMode(nonlinearity), "RNN", input, hx, null, weights, hasBiases, numLayers, dropout, training, bidirectional, generator);
        return (y, h);
    }

    /// <summary>
    /// torch._VF.lstm: a stack of LSTM layers (gates i, f, g, o as <see cref="LstmCell"/>), optionally with
    /// projections (h_t = W_hr (o_t tanh(c_t)), detected from a fifth weight per layer and direction). hx is
    /// (h_0 [layers*D, N, Hout], c_0 [layers*D, N, H]) or null (zeros), Hout = proj size or H. Returns output
    /// [L, N, D*Hout] ([N, L, D*Hout] with batchFirst), h_n [layers*D, N, Hout] and c_n [layers*D, N, H];
    /// unbatched [L, in] input gives [L, D*Hout] and states without the N dim.
    /// </summary>
    /// <exception cref="ArgumentException">Wrong ranks, weight count or shapes, state shapes, or dropout outside [0, 1].</exception>
    public static (Tensor Output, Tensor HN, Tensor CN) Lstm(Tensor input, (Tensor H, Tensor C)? hx, IReadOnlyList<Tensor> weights, bool hasBiases = true,
        int numLayers = 1, double dropout = 0, bool training = true, bool bidirectional = false, bool batchFirst = false, Generator? generator = null)
    {
        var (y, h, c) = Padded(RecurrentKind.Lstm, "LSTM", input, hx?.H, hx?.C, weights, hasBiases, numLayers, dropout, training, bidirectional, batchFirst, generator);
        return (y, h, c!);
    }

    /// <summary><see cref="Lstm(Tensor, ValueTuple{Tensor, Tensor}?, IReadOnlyList{Tensor}, bool, int, double, bool, bool, bool, Generator?)"/> over a packed batch.</summary>
    /// <exception cref="ArgumentException">As the padded form.</exception>
    public static (PackedSequence Output, Tensor HN, Tensor CN) Lstm(PackedSequence input, (Tensor H, Tensor C)? hx, IReadOnlyList<Tensor> weights,
        bool hasBiases = true, int numLayers = 1, double dropout = 0, bool training = true, bool bidirectional = false, Generator? generator = null)
    {
        var (y, h, c) = Packed(RecurrentKind.Lstm, "LSTM", input, hx?.H, hx?.C, weights, hasBiases, numLayers, dropout, training, bidirectional, generator);
        return (y, h, c!);
    }

    /// <summary>
    /// torch._VF.gru: a stack of GRU layers (gates r, z, n as <see cref="GruCell"/>). Shapes as
    /// <see cref="Rnn(Tensor, Tensor?, IReadOnlyList{Tensor}, bool, int, string, double, bool, bool, bool, Generator?)"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Wrong ranks, weight count or shapes, hidden state shape, or dropout outside [0, 1].</exception>
    public static (Tensor Output, Tensor HN) Gru(Tensor input, Tensor? hx, IReadOnlyList<Tensor> weights, bool hasBiases = true, int numLayers = 1,
        double dropout = 0, bool training = true, bool bidirectional = false, bool batchFirst = false, Generator? generator = null)
    {
        var (y, h, _) = Padded(RecurrentKind.Gru, "GRU", input, hx, null, weights, hasBiases, numLayers, dropout, training, bidirectional, batchFirst, generator);
        return (y, h);
    }

    /// <summary><see cref="Gru(Tensor, Tensor?, IReadOnlyList{Tensor}, bool, int, double, bool, bool, bool, Generator?)"/> over a packed batch.</summary>
    /// <exception cref="ArgumentException">As the padded form.</exception>
    public static (PackedSequence Output, Tensor HN) Gru(PackedSequence input, Tensor? hx, IReadOnlyList<Tensor> weights, bool hasBiases = true,
        int numLayers = 1, double dropout = 0, bool training = true, bool bidirectional = false, Generator? generator = null)
    {
        var (y, h, _) = Packed(RecurrentKind.Gru, "GRU", input, hx, null, weights, hasBiases, numLayers, dropout, training, bidirectional, generator);
        return (y, h);
    }

    private static RecurrentKind RnnMode(string nonlinearity) => nonlinearity switch
    {
        "tanh" => RecurrentKind.RnnTanh,
        "relu" => RecurrentKind.RnnRelu,
        _ => throw new ArgumentException($"RNN: Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."),
    };

    private static (Tensor Output, Tensor HN, Tensor? CN) Padded(RecurrentKind mode, string name, Tensor input, Tensor? hx, Tensor? cx,
        IReadOnlyList<Tensor> weights, bool hasBiases, int numLayers, double dropout, bool training, bool bidirectional, bool batchFirst, Generator? gen)
    {
        if (input.Rank != 2 && input.Rank != 3)
            throw new ArgumentException($"{name}: Expected input to be 2D or 3D, got {input.Rank}D tensor instead (shape {input.Shape}).");
        bool batched = input.Rank == 3;
        foreach (var (s, what) in new[] { (hx, "hx"), (cx, "cx") })
            if (s is not null && s.Rank != input.Rank)
                throw new ArgumentException(batched
                    ? $"{name}: For batched 3-D input, {what} should also be 3-D but got {s.Rank}-D tensor (shape {s.Shape})."
                    : $"{name}: For unbatched 2-D input, {what} should also be 2-D but got {s.Rank}-D tensor (shape {s.Shape}).");
        // Time-major [L, N, in].
        var x = !batched ? input.Unsqueeze(1) : batchFirst ? input.Transpose(0, 1) : input;
        int steps = x.Shape[0], n = x.Shape[1];
        if (steps == 0) throw new ArgumentException($"{name}: Expected sequence length to be larger than 0 (input shape {input.Shape}).");
        if (n == 0) throw new ArgumentException($"{name}: Expected a batch size larger than 0 (input shape {input.Shape}).");
        var sizes = Enumerable.Repeat(n, steps).ToArray();
        var data = x.Reshape(steps * n, x.Shape[2]);
        var (y, h, c) = Layers(mode, name, data, sizes, batched ? hx : hx?.Unsqueeze(1), batched ? cx : cx?.Unsqueeze(1), weights, hasBiases, numLayers,
            dropout, training, bidirectional, gen);
        var output = y.View(steps, n, y.Shape[1]);
        if (!batched) return (output.Squeeze(1), h.Squeeze(1), c?.Squeeze(1));
        return (batchFirst ? output.Transpose(0, 1) : output, h, c);
    }

    private static (PackedSequence Output, Tensor HN, Tensor? CN) Packed(RecurrentKind mode, string name, PackedSequence input, Tensor? hx, Tensor? cx,
        IReadOnlyList<Tensor> weights, bool hasBiases, int numLayers, double dropout, bool training, bool bidirectional, Generator? gen)
    {
        if (input.Data.Rank != 2)
            throw new ArgumentException($"{name}: packed input data must have 2 dimensions, got {input.Data.Rank} (shape {input.Data.Shape}).");
        foreach (var (s, what) in new[] { (hx, "hx"), (cx, "cx") })
            if (s is not null && s.Rank != 3)
                throw new ArgumentException($"{name}: with a packed input, {what} must be 3-D [num_layers * num_directions, batch, hidden], got shape {s.Shape}.");
        // States are given in the caller's batch order; the recurrence runs in sorted order.
        var sorted = input.SortedIndices;
        var (y, h, c) = Layers(mode, name, input.Data, input.Sizes, sorted is null ? hx : hx?.IndexSelect(1, sorted),
            sorted is null ? cx : cx?.IndexSelect(1, sorted), weights, hasBiases, numLayers, dropout, training, bidirectional, gen);
        var unsorted = input.UnsortedIndices;
        if (unsorted is not null)
        {
            h = h.IndexSelect(1, unsorted);
            c = c?.IndexSelect(1, unsorted);
        }
        return (input.WithData(y), h, c);
    }

    // The layers over packed rows data [sumB, in] with batch sizes; states [layers*D, N, *] in sorted order.
    private static (Tensor Data, Tensor HN, Tensor? CN) Layers(RecurrentKind mode, string name, Tensor data, int[] sizes, Tensor? hx, Tensor? cx,
        IReadOnlyList<Tensor> weights, bool hasBiases, int numLayers, double dropout, bool training, bool bidirectional, Generator? gen)
    {
        if (dropout < 0 || dropout > 1 || double.IsNaN(dropout))
            throw new ArgumentException($"{name}: dropout should be a number in range [0, 1] representing the probability of an element being zeroed, got {dropout}.");
        int dirs = bidirectional ? 2 : 1, n = sizes[0], sumB = data.Shape[0];
        var w = RecurrentWeights.Parse(mode, name, data.Shape[1], weights, hasBiases, numLayers, dirs);
        CheckDTypes(name, data, [.. weights, hx, cx]);
        bool lstm = mode == RecurrentKind.Lstm;
        int[] hShape = [numLayers * dirs, n, w.HOut], cShape = [numLayers * dirs, n, w.Hidden];
        if (hx is not null && !hx.Shape.Raw.AsSpan().SequenceEqual(hShape))
            throw new ArgumentException($"{name}: Expected {(lstm ? "hidden[0]" : "hidden")} size ({string.Join(", ", hShape)}), got {hx.Shape}.");
        if (cx is not null && !cx.Shape.Raw.AsSpan().SequenceEqual(cShape))
            throw new ArgumentException($"{name}: Expected hidden[1] size ({string.Join(", ", cShape)}), got {cx.Shape}.");
        hx ??= Tensor.Zeros(hShape, data.DType);
        if (lstm) cx ??= Tensor.Zeros(cShape, data.DType);
        var hn = new Tensor[numLayers * dirs];
        var cn = new Tensor[numLayers * dirs];
        var layerIn = data;
        for (int l = 0; l < numLayers; l++)
        {
            var outs = new Tensor[dirs];
            for (int d = 0; d < dirs; d++)
            {
                int k = l * dirs + d;
                var (wih, whh, bih, bhh, whr) = w.Of(k);
                var flat = RecurrentScan(mode, Linear(layerIn, wih), InputBias(mode, bih, bhh), hx.Select(0, k), cx?.Select(0, k), whh, mode == RecurrentKind.Gru ? bhh : null, whr, sizes, reverse: d == 1);
                (outs[d], hn[k], var c) = SplitScan(flat, sumB, n, w.HOut, w.Hidden, lstm);
                if (c is not null) cn[k] = c;
            }
            layerIn = dirs == 1 ? outs[0] : Tensor.Cat(outs, 1);
            if (dropout > 0 && training && l < numLayers - 1) layerIn = Dropout(layerIn, dropout, true, gen);
        }
        return (layerIn, Tensor.Stack(hn), lstm ? Tensor.Stack(cn) : null);
    }

    // The flat weight list checked and indexed by (layer * D + direction).
    private sealed class RecurrentWeights
    {
        private readonly IReadOnlyList<Tensor> _w;
        private readonly int _per;
        private readonly bool _bias, _proj;

        private RecurrentWeights(IReadOnlyList<Tensor> w, int per, bool bias, bool proj, int hidden, int hOut)
        {
            _w = w;
            _per = per;
            _bias = bias;
            _proj = proj;
            Hidden = hidden;
            HOut = hOut;
        }

        public int Hidden { get; }

        public int HOut { get; }

        public (Tensor Wih, Tensor Whh, Tensor? Bih, Tensor? Bhh, Tensor? Whr) Of(int k)
        {
            int o = k * _per;
            return (_w[o], _w[o + 1], _bias ? _w[o + 2] : null, _bias ? _w[o + 3] : null, _proj ? _w[o + _per - 1] : null);
        }

        public static RecurrentWeights Parse(RecurrentKind mode, string name, int inputSize, IReadOnlyList<Tensor> w, bool bias, int layers, int dirs)
        {
            if (layers <= 0) throw new ArgumentException($"{name}: num_layers must be greater than zero, got {layers}.");
            int basic = bias ? 4 : 2, groups = layers * dirs;
            bool proj = mode == RecurrentKind.Lstm && w.Count == groups * (basic + 1);
            if (w.Count != groups * basic && !proj)
                throw new ArgumentException($"{name}: expected {groups * basic} weights{(mode == RecurrentKind.Lstm ? $" (or {groups * (basic + 1)} with projections)" : "")} for num_layers={layers}, bidirectional={dirs == 2}, bias={bias} (weight_ih, weight_hh{(bias ? ", bias_ih, bias_hh" : "")} per layer and direction), got {w.Count}.");
            int gates = GateCount(mode), per = basic + (proj ? 1 : 0);
            var whh0 = w[1];
            if (whh0.Rank != 2 || whh0.Shape[0] % gates != 0 || whh0.Shape[0] == 0)
                throw new ArgumentException($"{name}: weight_hh_l0 must be [{gates}*hidden_size, hidden_size], got {whh0.Shape}.");
            int hidden = whh0.Shape[0] / gates, hOut = proj ? w[per - 1].Shape[0] : hidden;
            var r = new RecurrentWeights(w, per, bias, proj, hidden, hOut);
            for (int k = 0; k < groups; k++)
            {
                var (wih, whh, bih, bhh, whr) = r.Of(k);
                string sfx = $"_l{k / dirs}{(k % dirs == 1 ? "_reverse" : "")}";
                int inSize = k < dirs ? inputSize : dirs * hOut;
                if (k < dirs && wih.Rank == 2 && wih.Shape[1] != inputSize)
                    throw new ArgumentException($"{name}: input.size(-1) must be equal to input_size. Expected {wih.Shape[1]}, got {inputSize}.");
                Expect(name, "weight_ih" + sfx, wih, [gates * hidden, inSize]);
                Expect(name, "weight_hh" + sfx, whh, [gates * hidden, hOut]);
                if (bih is not null) Expect(name, "bias_ih" + sfx, bih, [gates * hidden]);
                if (bhh is not null) Expect(name, "bias_hh" + sfx, bhh, [gates * hidden]);
                if (whr is not null) Expect(name, "weight_hr" + sfx, whr, [hOut, hidden]);
            }
            return r;
        }

        private static void Expect(string name, string what, Tensor t, int[] shape)
        {
            if (!t.Shape.Raw.AsSpan().SequenceEqual(shape))
                throw new ArgumentException($"{name}: {what} must have shape [{string.Join(", ", shape)}], got {t.Shape}.");
        }
    }
}

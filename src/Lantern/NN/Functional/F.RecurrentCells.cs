using Lantern.Kernels;

namespace Lantern.NN;

// Single-step recurrent cells (torch._VF.rnn_tanh_cell, rnn_relu_cell, lstm_cell, gru_cell): one step of the
// recurrence in F.RecurrentScan.cs, so cells and multi-layer networks share one implementation.
public static partial class F
{
    /// <summary>
    /// One Elman RNN step (torch.nn.RNNCell's math): h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), act = tanh or relu.
    /// input [N, in] or unbatched [in]; hx [N, H] / [H] or null (zeros); weightIh [H, in], weightHh [H, H],
    /// biases [H] or null. Returns h' [N, H] ([H] for unbatched input).
    /// </summary>
    /// <exception cref="ArgumentException">Unknown nonlinearity, wrong ranks, or sizes/dtypes inconsistent with the weights (the message names the cell and the shapes).</exception>
    public static Tensor RnnCell(Tensor input, Tensor? hx, Tensor weightIh, Tensor weightHh, Tensor? biasIh = null, Tensor? biasHh = null, string nonlinearity = "tanh")
    {
        var mode = nonlinearity switch
        {
            "tanh" => RecurrentKind.RnnTanh,
            "relu" => RecurrentKind.RnnRelu,
            _ => throw new ArgumentException($"RNNCell: Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."),
        };
        return CellStep(mode, "RNNCell", input, hx, null, weightIh, weightHh, biasIh, biasHh).H;
    }

    /// <summary>
    /// One LSTM step (torch.nn.LSTMCell's math), gates i, f, g, o stacked in that order in the weights:
    /// i = sigmoid(W_ii x + b_ii + W_hi h + b_hi), f = sigmoid(..f..), g = tanh(..g..), o = sigmoid(..o..),
    /// c' = f c + i g, h' = o tanh(c'). input [N, in] or [in]; hx (h [N, H], c [N, H]) or null (zeros);
    /// weightIh [4H, in], weightHh [4H, H], biases [4H] or null. Returns (h', c').
    /// </summary>
    /// <exception cref="ArgumentException">Wrong ranks, or sizes/dtypes inconsistent with the weights.</exception>
    public static (Tensor H, Tensor C) LstmCell(Tensor input, (Tensor H, Tensor C)? hx, Tensor weightIh, Tensor weightHh, Tensor? biasIh = null, Tensor? biasHh = null)
    {
        var (h, c) = CellStep(RecurrentKind.Lstm, "LSTMCell", input, hx?.H, hx?.C, weightIh, weightHh, biasIh, biasHh);
        return (h, c!);
    }

    /// <summary>
    /// One GRU step (torch.nn.GRUCell's math), gates r, z, n in that order: r = sigmoid(W_ir x + b_ir + W_hr h + b_hr),
    /// z = sigmoid(..z..), n = tanh(W_in x + b_in + r (W_hn h + b_hn)), h' = (1 - z) n + z h. input [N, in] or
    /// [in]; hx [N, H] / [H] or null (zeros); weightIh [3H, in], weightHh [3H, H], biases [3H] or null.
    /// </summary>
    /// <exception cref="ArgumentException">Wrong ranks, or sizes/dtypes inconsistent with the weights.</exception>
    public static Tensor GruCell(Tensor input, Tensor? hx, Tensor weightIh, Tensor weightHh, Tensor? biasIh = null, Tensor? biasHh = null) =>
        CellStep(RecurrentKind.Gru, "GRUCell", input, hx, null, weightIh, weightHh, biasIh, biasHh).H;

    private static (Tensor H, Tensor? C) CellStep(RecurrentKind mode, string name, Tensor input, Tensor? hx, Tensor? cx,
        Tensor wih, Tensor whh, Tensor? bih, Tensor? bhh)
    {
        int gates = GateCount(mode);
        if (input.Rank != 1 && input.Rank != 2)
            throw new ArgumentException($"{name}: Expected input to be 1D or 2D, got {input.Rank}D instead (shape {input.Shape}).");
        foreach (var (s, what) in new[] { (hx, mode == RecurrentKind.Lstm ? "hx[0]" : "hidden"), (cx, "hx[1]") })
            if (s is not null && s.Rank != input.Rank)
                throw new ArgumentException($"{name}: Expected {what} to be {input.Rank}D like the input, got {s.Rank}D (input shape {input.Shape}, {what} shape {s.Shape}).");
        if (wih.Rank != 2 || whh.Rank != 2 || whh.Shape[0] != gates * whh.Shape[1] || wih.Shape[0] != whh.Shape[0])
            throw new ArgumentException($"{name}: expected weight_ih [{gates}*hidden, input_size] and weight_hh [{gates}*hidden, hidden], got {wih.Shape} and {whh.Shape}.");
        int hidden = whh.Shape[1];
        foreach (var (b, what) in new[] { (bih, "bias_ih"), (bhh, "bias_hh") })
            if (b is not null && (b.Rank != 1 || b.Shape[0] != gates * hidden))
                throw new ArgumentException($"{name}: {what} must have shape [{gates * hidden}], got {b.Shape}.");
        if (input.Shape[-1] != wih.Shape[1])
            throw new ArgumentException($"{name}: input has inconsistent input_size: got {input.Shape[-1]} expected {wih.Shape[1]} (input shape {input.Shape}, weight_ih shape {wih.Shape}).");
        CheckDTypes(name, input, [wih, whh, bih, bhh, hx, cx]);
        bool unbatched = input.Rank == 1;
        var x = unbatched ? input.Unsqueeze(0) : input;
        int n = x.Shape[0];
        if (n == 0) throw new ArgumentException($"{name}: an empty batch is not supported (input shape {input.Shape}).");
        foreach (var (s, what) in new[] { (hx, "hidden0"), (cx, "hidden1") })
        {
            if (s is null) continue;
            var s2 = unbatched ? s.Unsqueeze(0) : s;
            if (s2.Shape[1] != hidden)
                throw new ArgumentException($"{name}: {what} has inconsistent hidden_size: got {s2.Shape[1]}, expected {hidden} (shape {s.Shape}).");
            if (s2.Shape[0] != n)
                throw new ArgumentException($"{name}: Input batch size {n} doesn't match {what} batch size {s2.Shape[0]} (input shape {input.Shape}, {what} shape {s.Shape}).");
        }
        var h0 = hx is null ? Tensor.Zeros([n, hidden], x.DType) : unbatched ? hx.Unsqueeze(0) : hx;
        Tensor? c0 = mode != RecurrentKind.Lstm ? null : cx is null ? Tensor.Zeros([n, hidden], x.DType) : unbatched ? cx.Unsqueeze(0) : cx;
        var flat = RecurrentScan(mode, Linear(x, wih), InputBias(mode, bih, bhh), h0, c0, whh, mode == RecurrentKind.Gru ? bhh : null, null, [n], reverse: false);
        var (_, h, c) = SplitScan(flat, n, n, hidden, hidden, mode == RecurrentKind.Lstm);
        return unbatched ? (h.Squeeze(0), c?.Squeeze(0)) : (h, c);
    }

    // The bias added to the input projection: b_ih + b_hh for RNN and LSTM; GRU keeps b_hh inside r * (W_hn h + b_hn).
    private static Tensor? InputBias(RecurrentKind mode, Tensor? bih, Tensor? bhh) =>
        mode == RecurrentKind.Gru ? bih : bih is null ? bhh : bhh is null ? bih : bih.Add(bhh);

    private static void CheckDTypes(string name, Tensor input, Tensor?[] others)
    {
        if (!input.DType.IsFloatingPoint())
            throw new ArgumentException($"{name}: expected a floating-point input, got {input.DType}.");
        foreach (var t in others)
            if (t is not null && t.DType != input.DType)
                throw new ArgumentException($"{name}: input dtype ({input.DType}) does not match weight or state dtype ({t.DType}, shape {t.Shape}).");
    }
}

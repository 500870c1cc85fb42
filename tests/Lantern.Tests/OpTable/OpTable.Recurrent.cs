using Lantern.Kernels;
using Lantern.NN;

namespace Lantern.Tests.OpTable;

// Rows for the recurrent family: cells, multi-layer RNN/LSTM/GRU (padded, unbatched, batch-first, packed,
// projections) and the scan primitive they share, against the naive RecurrentRef. Sizes are tiny: gradcheck
// costs two forward passes per input element, and gradgradcheck runs the double backward (recomputed states).
public static partial class Ops
{
    /// <summary>Random weights in PyTorch's flat order for a network (float64).</summary>
    private static Tensor[] RecurrentWeights(string mode, int inSize, int hidden, int layers, bool bidir, bool bias = true, int proj = 0)
    {
        int g = RecurrentRef.Gates(mode), dirs = bidir ? 2 : 1, hOut = proj > 0 ? proj : hidden;
        var w = new List<Tensor>();
        for (int l = 0; l < layers; l++)
            for (int d = 0; d < dirs; d++)
            {
                w.Add(R(g * hidden, l == 0 ? inSize : dirs * hOut).Mul(0.6));
                w.Add(R(g * hidden, hOut).Mul(0.6));
                if (bias) { w.Add(R(g * hidden).Mul(0.3)); w.Add(R(g * hidden).Mul(0.3)); }
                if (proj > 0) w.Add(R(proj, hidden).Mul(0.6));
            }
        return [.. w];
    }

    private static Tensor Flat(params Tensor?[] parts) => Tensor.Cat(parts.Where(p => p is not null).Select(p => p!.Reshape(-1)).ToArray());

    private static OpInfo CellRow(string name, string mode, string? variant, Func<Tensor[], Tensor> op, bool unbatched = false) => new()
    {
        Name = name,
        Variant = variant,
        Op = op,
        Samples = () =>
        {
            int g = RecurrentRef.Gates(mode);
            Tensor x = unbatched ? R(3) : R(2, 3), h = unbatched ? R(2) : R(2, 2);
            var inputs = new List<Tensor> { x, h };
            if (mode == "lstm") inputs.Add(unbatched ? R(2) : R(2, 2));
            inputs.AddRange([R(g * 2, 3).Mul(0.6), R(g * 2, 2).Mul(0.6), R(g * 2).Mul(0.3), R(g * 2).Mul(0.3)]);
            return [S(unbatched ? "unbatched [3] -> 2" : "[2,3] -> 2 with state", [.. inputs])];
        },
        Reference = x =>
        {
            int k = mode == "lstm" ? 3 : 2;
            Nd wih = x[k], whh = x[k + 1], bih = x[k + 2], bhh = x[k + 3];
            int rows = unbatched ? 1 : x[0].Shape[0], hidden = whh.Shape[1];
            var hs = new List<double>();
            var cs = new List<double>();
            for (int b = 0; b < rows; b++)
            {
                var xv = x[0].Data.Skip(b * 3).Take(3).ToArray();
                var hv = x[1].Data.Skip(b * hidden).Take(hidden).ToArray();
                var cv = mode == "lstm" ? x[2].Data.Skip(b * hidden).Take(hidden).ToArray() : new double[hidden];
                var (h, c) = RecurrentRef.StepFromGates(mode, RecurrentRef.Affine(wih, xv, bih), RecurrentRef.Affine(whh, hv, bhh), hv, cv, null);
                hs.AddRange(h);
                cs.AddRange(c);
            }
            if (mode != "lstm") return new Nd(x[1].Shape, [.. hs]);
            return new Nd([hs.Count * 2], [.. hs, .. cs]);
        },
        Errors = () => mode switch
        {
            "lstm" => [new ErrorInput(() => F.LstmCell(R(2, 3), (R(3, 2), R(3, 2)), R(8, 3), R(8, 2)), "LSTMCell", "batch mismatch"),
                       new ErrorInput(() => F.LstmCell(R(2, 4), null, R(8, 3), R(8, 2)), "LSTMCell", "input size")],
            "gru" => [new ErrorInput(() => F.GruCell(R(2, 3), R(2, 3), R(6, 3), R(6, 2)), "GRUCell", "hidden size"),
                      new ErrorInput(() => F.GruCell(R(2, 3, 1), null, R(6, 3), R(6, 2)), "GRUCell", "3-D input")],
            _ => [new ErrorInput(() => F.RnnCell(R(2, 4), null, R(2, 3), R(2, 2)), "RNNCell", "input size"),
                  new ErrorInput(() => F.RnnCell(R(2, 3), null, R(2, 3), R(2, 2), nonlinearity: "sigmoid"), "RNNCell", "nonlinearity"),
                  new ErrorInput(() => F.RnnCell(R(2, 3), null, R(2, 3), R(3, 2)), "RNNCell", "weight shapes")],
        },
    };

    /// <summary>A network row: inputs are x, h0, (c0), weights...; the op returns all outputs flattened.</summary>
    private static OpInfo NetworkRow(string name, string mode, string variant, int layers, bool bidir, bool bias = true, int proj = 0,
        bool batchFirst = false, bool unbatched = false, int[]? lengths = null, bool withState = true, ErrorInput[]? errors = null)
    {
        const int steps = 3, inSize = 2, hidden = 2;
        int n = lengths?.Length ?? 2, dirs = bidir ? 2 : 1, hOut = proj > 0 ? proj : hidden, first = mode == "lstm" ? 3 : 2;
        bool lstm = mode == "lstm";
        string nl = mode == "rnn_relu" ? "relu" : "tanh";
        return new OpInfo
        {
            Name = name,
            Variant = variant,
            Samples = () =>
            {
                var x = unbatched ? R(steps, inSize) : batchFirst ? R(n, steps, inSize) : R(steps, n, inSize);
                int[] hs = unbatched ? [layers * dirs, hOut] : [layers * dirs, n, hOut], cs = unbatched ? [layers * dirs, hidden] : [layers * dirs, n, hidden];
                var inputs = new List<Tensor> { x, R(hs) };
                if (lstm) inputs.Add(R(cs));
                inputs.AddRange(RecurrentWeights(mode, inSize, hidden, layers, bidir, bias, proj));
                return [S(variant, [.. inputs])];
            },
            Op = x =>
            {
                var w = x[first..];
                Tensor? h0 = withState ? x[1] : null, c0 = withState && lstm ? x[2] : null;
                if (lengths is not null)
                {
                    var packed = RnnUtils.PackPaddedSequence(x[0], lengths, enforceSorted: false);
                    switch (mode)
                    {
                        case "lstm": { var (y, h, c) = F.Lstm(packed, (h0!, c0!), w, bias, layers, bidirectional: bidir); return Flat(RnnUtils.PadPackedSequence(y).Padded, h, c); }
                        case "gru": { var (y, h) = F.Gru(packed, h0, w, bias, layers, bidirectional: bidir); return Flat(RnnUtils.PadPackedSequence(y).Padded, h); }
                        default: { var (y, h) = F.Rnn(packed, h0, w, bias, layers, nl, bidirectional: bidir); return Flat(RnnUtils.PadPackedSequence(y).Padded, h); }
                    }
                }
                switch (mode)
                {
                    case "lstm": { var (y, h, c) = F.Lstm(x[0], withState ? (h0!, c0!) : null, w, bias, layers, bidirectional: bidir, batchFirst: batchFirst); return Flat(y, h, c); }
                    case "gru": { var (y, h) = F.Gru(x[0], h0, w, bias, layers, bidirectional: bidir, batchFirst: batchFirst); return Flat(y, h); }
                    default: { var (y, h) = F.Rnn(x[0], h0, w, bias, layers, nl, bidirectional: bidir, batchFirst: batchFirst); return Flat(y, h); }
                }
            },
            Reference = x =>
            {
                var xt = unbatched ? RecurrentRef.Reshaped(x[0], steps, 1, inSize) : batchFirst ? RecurrentRef.Swap01(x[0]) : x[0];
                int nb = xt.Shape[1];
                Nd? h0 = withState ? RecurrentRef.Reshaped(x[1], layers * dirs, nb, hOut) : null;
                Nd? c0 = withState && lstm ? RecurrentRef.Reshaped(x[2], layers * dirs, nb, hidden) : null;
                var (y, hn, cn) = RecurrentRef.Network(mode, xt, h0, c0, x[first..], bias, layers, bidir, lengths);
                if (batchFirst) y = RecurrentRef.Swap01(y);
                return lstm ? RecurrentRef.Flat(y, hn, cn) : RecurrentRef.Flat(y, hn);
            },
            Errors = errors is null ? null : () => errors,
        };
    }

    private static OpInfo ScanRow(string mode, string variant, int[] bs, bool reverse, int proj = 0, bool biasX = false) => new()
    {
        Name = "F.RecurrentScan",
        Variant = variant,
        Samples = () =>
        {
            int g = RecurrentRef.Gates(mode), hidden = 2, hOut = proj > 0 ? proj : hidden, sumB = bs.Sum();
            var inputs = new List<Tensor> { R(sumB, g * hidden), biasX ? R(g * hidden) : Tensor.Zeros([0]), R(bs[0], hOut) };
            if (mode == "lstm") inputs.Add(R(bs[0], hidden));
            inputs.Add(R(g * hidden, hOut).Mul(0.6));
            if (mode == "gru") inputs.Add(R(g * hidden).Mul(0.3));
            if (proj > 0) inputs.Add(R(proj, hidden).Mul(0.6));
            return [S(variant, [.. inputs])];
        },
        Op = x =>
        {
            var m = mode switch { "lstm" => RecurrentKind.Lstm, "gru" => RecurrentKind.Gru, "rnn_relu" => RecurrentKind.RnnRelu, _ => RecurrentKind.RnnTanh };
            int k = mode == "lstm" ? 4 : 3;
            return F.RecurrentScan(m, x[0], biasX ? x[1] : null, x[2], mode == "lstm" ? x[3] : null, x[k], mode == "gru" ? x[k + 1] : null,
                proj > 0 ? x[k + 1] : null, bs, reverse);
        },
        Reference = x =>
        {
            int k = mode == "lstm" ? 4 : 3;
            var gx = biasX ? Nd.Zip(x[0], x[1], (a, b) => a + b) : x[0];
            return RecurrentRef.Scan(mode, gx, x[2], mode == "lstm" ? x[3] : null, x[k], mode == "gru" ? x[k + 1] : null, proj > 0 ? x[k + 1] : null, bs, reverse);
        },
    };

    [OpFamily]
    private static IEnumerable<OpInfo> Recurrent()
    {
        yield return CellRow("F.RnnCell", "rnn_tanh", null, x => F.RnnCell(x[0], x[1], x[2], x[3], x[4], x[5]));
        yield return CellRow("F.RnnCell", "rnn_relu", "relu", x => F.RnnCell(x[0], x[1], x[2], x[3], x[4], x[5], "relu"));
        yield return CellRow("F.RnnCell", "rnn_tanh", "unbatched", x => F.RnnCell(x[0], x[1], x[2], x[3], x[4], x[5]), unbatched: true);
        yield return CellRow("F.LstmCell", "lstm", null, x => { var (h, c) = F.LstmCell(x[0], (x[1], x[2]), x[3], x[4], x[5], x[6]); return Flat(h, c); });
        yield return CellRow("F.LstmCell", "lstm", "unbatched", x => { var (h, c) = F.LstmCell(x[0], (x[1], x[2]), x[3], x[4], x[5], x[6]); return Flat(h, c); }, unbatched: true);
        yield return CellRow("F.GruCell", "gru", null, x => F.GruCell(x[0], x[1], x[2], x[3], x[4], x[5]));

        yield return NetworkRow("F.Rnn", "rnn_tanh", "tanh 2 layers bidirectional", 2, true, errors:
        [
            new ErrorInput(() => F.Rnn(R(3, 2, 2), null, RecurrentWeights("rnn_tanh", 2, 2, 1, false)[..3]), "RNN", "weight count"),
            new ErrorInput(() => F.Rnn(R(3, 2, 2), R(1, 3, 2), RecurrentWeights("rnn_tanh", 2, 2, 1, false)), "RNN", "hx batch"),
            new ErrorInput(() => F.Rnn(R(3, 2, 2, 1), null, RecurrentWeights("rnn_tanh", 2, 2, 1, false)), "RNN", "4-D input"),
            new ErrorInput(() => F.Rnn(R(3, 2, 2), null, RecurrentWeights("rnn_tanh", 2, 2, 1, false), dropout: 1.5), "RNN", "dropout"),
        ]);
        yield return NetworkRow("F.Rnn", "rnn_relu", "relu batch-first no bias", 1, false, bias: false, batchFirst: true);
        yield return NetworkRow("F.Rnn", "rnn_tanh", "unbatched bidirectional", 1, true, unbatched: true);
        yield return NetworkRow("F.Rnn", "rnn_tanh", "packed bidirectional", 1, true, lengths: [2, 3, 1]);
        yield return NetworkRow("F.Lstm", "lstm", "1 layer", 1, false, errors:
        [
            new ErrorInput(() => F.Lstm(R(3, 2, 3), null, RecurrentWeights("lstm", 2, 2, 1, false)), "LSTM", "input size"),
            new ErrorInput(() => F.Lstm(R(3, 2, 2), (R(1, 2, 2), R(1, 2, 3)), RecurrentWeights("lstm", 2, 2, 1, false)), "LSTM", "c0 shape"),
            new ErrorInput(() => F.Lstm(R(3, 2), (R(1, 2, 2), R(1, 2, 2)), RecurrentWeights("lstm", 2, 2, 1, false)), "LSTM", "3-D hx for unbatched input"),
        ]);
        yield return NetworkRow("F.Lstm", "lstm", "2 layers bidirectional projection batch-first", 2, true, proj: 1, batchFirst: true);
        yield return NetworkRow("F.Lstm", "lstm", "packed 2 layers bidirectional", 2, true, lengths: [1, 3, 2]);
        yield return NetworkRow("F.Lstm", "lstm", "zero states", 1, true, withState: false);
        yield return NetworkRow("F.Gru", "gru", "2 layers bidirectional", 2, true, errors:
        [
            new ErrorInput(() => F.Gru(R(3, 2, 2), R(2, 2), RecurrentWeights("gru", 2, 2, 1, false)), "GRU", "2-D hx for batched input"),
            new ErrorInput(() => F.Gru(R(3, 2, 2), null, RecurrentWeights("gru", 2, 3, 1, false)[..2].Append(R(9)).Append(R(6)).ToArray()), "GRU", "bias shape"),
        ]);
        yield return NetworkRow("F.Gru", "gru", "packed", 1, false, lengths: [3, 1, 2]);

        yield return ScanRow("rnn_tanh", "rnn tanh packed reverse", [3, 2, 2, 1], reverse: true, biasX: true);
        yield return ScanRow("rnn_relu", "rnn relu packed", [3, 3, 1], reverse: false);
        yield return ScanRow("lstm", "lstm packed", [3, 2, 1], reverse: false, biasX: true);
        yield return ScanRow("lstm", "lstm projection packed reverse", [3, 2, 2, 1], reverse: true, proj: 1);
        yield return ScanRow("gru", "gru packed reverse", [2, 2, 1], reverse: true, biasX: true);
        yield return ScanRow("gru", "gru one step", [2], reverse: false);
    }
}

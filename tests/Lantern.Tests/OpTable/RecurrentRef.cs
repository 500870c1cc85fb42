namespace Lantern.Tests.OpTable;

/// <summary>
/// Naive float64 recurrent networks on <see cref="Nd"/>, written from PyTorch's documented equations one
/// sequence and one scalar at a time (no Lantern kernels): RNN tanh/relu, LSTM (gates i, f, g, o; optional
/// projection h = W_hr (o tanh c)), GRU (gates r, z, n; n = tanh(W_in x + b_in + r (W_hn h + b_hn))).
/// A variable-length batch is, by definition, each sequence run on its own over its first lengths[b] steps
/// (the reverse direction starting at its own last step).
/// </summary>
public static class RecurrentRef
{
    public static int Gates(string mode) => mode == "lstm" ? 4 : mode == "gru" ? 3 : 1;

    private static double Sig(double v) => 1 / (1 + Math.Exp(-v));

    /// <summary>W v (+ b): W [rows, cols], v [cols].</summary>
    public static double[] Affine(Nd w, double[] v, Nd? b)
    {
        int rows = w.Shape[0], cols = w.Shape[1];
        var r = new double[rows];
        for (int j = 0; j < rows; j++)
        {
            double s = b?.Data[j] ?? 0;
            for (int k = 0; k < cols; k++) s += w[j, k] * v[k];
            r[j] = s;
        }
        return r;
    }

    /// <summary>
    /// One step from the two projections: gx = W_ih x + b_ih, gh = W_hh h + b_hh (their split between gx and gh
    /// only matters for GRU's n gate). Returns (h', c') (c' = c for non-LSTM).
    /// </summary>
    public static (double[] H, double[] C) StepFromGates(string mode, double[] gx, double[] gh, double[] h, double[] c, Nd? whr)
    {
        int hidden = gx.Length / Gates(mode);
        var hn = new double[hidden];
        var cn = new double[c.Length];
        for (int j = 0; j < hidden; j++)
        {
            switch (mode)
            {
                case "rnn_tanh": hn[j] = Math.Tanh(gx[j] + gh[j]); break;
                case "rnn_relu": hn[j] = Math.Max(0, gx[j] + gh[j]); break;
                case "lstm":
                {
                    double i = Sig(gx[j] + gh[j]), f = Sig(gx[hidden + j] + gh[hidden + j]);
                    double g = Math.Tanh(gx[2 * hidden + j] + gh[2 * hidden + j]), o = Sig(gx[3 * hidden + j] + gh[3 * hidden + j]);
                    cn[j] = f * c[j] + i * g;
                    hn[j] = o * Math.Tanh(cn[j]);
                    break;
                }
                default:
                {
                    double r = Sig(gx[j] + gh[j]), z = Sig(gx[hidden + j] + gh[hidden + j]);
                    double n = Math.Tanh(gx[2 * hidden + j] + r * gh[2 * hidden + j]);
                    hn[j] = (1 - z) * n + z * h[j];
                    break;
                }
            }
        }
        if (mode != "lstm") return (hn, c);
        return (whr is null ? hn : Affine(whr, hn, null), cn);
    }

    private static double[] Row(Nd t, params int[] lead)
    {
        int n = t.Shape[^1], start = 0;
        for (int d = 0; d < lead.Length; d++) start = start * t.Shape[d] + lead[d];
        return t.Data.Skip(start * n).Take(n).ToArray();
    }

    private static void SetRow(Nd t, double[] v, params int[] lead)
    {
        int n = v.Length, start = 0;
        for (int d = 0; d < lead.Length; d++) start = start * t.Shape[d] + lead[d];
        Array.Copy(v, 0, t.Data, start * n, n);
    }

    /// <summary>
    /// A stack of layers: x [T, N, in] time-major, h0 [L*D, N, Hout] and c0 [L*D, N, H] (null = zeros), weights as
    /// PyTorch's flat list (per layer and direction: w_ih, w_hh, [b_ih, b_hh], [w_hr]). Returns y [T, N, D*Hout]
    /// (zero past each sequence's length), h_n [L*D, N, Hout] and c_n [L*D, N, H].
    /// </summary>
    public static (Nd Y, Nd HN, Nd CN) Network(string mode, Nd x, Nd? h0, Nd? c0, IReadOnlyList<Nd> w, bool bias, int layers, bool bidir,
        int[]? lengths = null)
    {
        int steps = x.Shape[0], n = x.Shape[1], dirs = bidir ? 2 : 1, basic = bias ? 4 : 2;
        bool proj = w.Count == layers * dirs * (basic + 1);
        int per = basic + (proj ? 1 : 0), hidden = w[1].Shape[0] / Gates(mode), hOut = w[1].Shape[1];
        lengths ??= Enumerable.Repeat(steps, n).ToArray();
        var hn = new Nd([layers * dirs, n, hOut]);
        var cn = new Nd([layers * dirs, n, hidden]);
        var layerIn = x;
        for (int l = 0; l < layers; l++)
        {
            var y = new Nd([steps, n, dirs * hOut]);
            for (int d = 0; d < dirs; d++)
            {
                int k = l * dirs + d, o = k * per;
                Nd wih = w[o], whh = w[o + 1];
                Nd? bih = bias ? w[o + 2] : null, bhh = bias ? w[o + 3] : null, whr = proj ? w[o + per - 1] : null;
                for (int b = 0; b < n; b++)
                {
                    var h = h0 is null ? new double[hOut] : Row(h0, k, b);
                    var c = c0 is null ? new double[hidden] : Row(c0, k, b);
                    var order = Enumerable.Range(0, lengths[b]);
                    foreach (int t in d == 0 ? order : order.Reverse())
                    {
                        (h, c) = StepFromGates(mode, Affine(wih, Row(layerIn, t, b), bih), Affine(whh, h, bhh), h, c, whr);
                        for (int j = 0; j < hOut; j++) y[t, b, d * hOut + j] = h[j];
                    }
                    SetRow(hn, h, k, b);
                    SetRow(cn, c, k, b);
                }
            }
            layerIn = y;
        }
        return (layerIn, hn, cn);
    }

    /// <summary>
    /// The scan primitive: packed gate inputs gx [sumB, G*H] (biases included as F.RecurrentScan expects),
    /// batch sizes, direction; returns outputs, h_n, c_n flattened and concatenated.
    /// </summary>
    public static Nd Scan(string mode, Nd gx, Nd h0, Nd? c0, Nd whh, Nd? bhh, Nd? whr, int[] bs, bool reverse)
    {
        int n = bs[0], hOut = h0.Shape[1], hidden = whh.Shape[0] / Gates(mode);
        var offsets = new int[bs.Length];
        for (int t = 1; t < bs.Length; t++) offsets[t] = offsets[t - 1] + bs[t - 1];
        int sumB = offsets[^1] + bs[^1];
        var y = new double[sumB * hOut];
        var hn = new double[n * hOut];
        var cn = new double[n * hidden];
        for (int b = 0; b < n; b++)
        {
            int len = bs.Count(v => v > b);
            var h = Row(h0, b);
            var c = c0 is null ? new double[hidden] : Row(c0, b);
            var order = Enumerable.Range(0, len);
            foreach (int t in reverse ? order.Reverse() : order)
            {
                (h, c) = StepFromGates(mode, Row(gx, offsets[t] + b), Affine(whh, h, bhh), h, c, whr);
                Array.Copy(h, 0, y, (offsets[t] + b) * hOut, hOut);
            }
            Array.Copy(h, 0, hn, b * hOut, hOut);
            Array.Copy(c, 0, cn, b * hidden, hidden);
        }
        var all = mode == "lstm" ? y.Concat(hn).Concat(cn) : y.Concat(hn);
        return new Nd([all.Count()], all.ToArray());
    }

    /// <summary>The flattened concatenation of several arrays (for ops returning several tensors).</summary>
    public static Nd Flat(params Nd[] parts)
    {
        var data = parts.SelectMany(p => p.Data).ToArray();
        return new Nd([data.Length], data);
    }

    /// <summary>The same data with another shape.</summary>
    public static Nd Reshaped(Nd a, params int[] shape) => new(shape, a.Data);

    /// <summary>Swaps dims 0 and 1 of a 3-D array.</summary>
    public static Nd Swap01(Nd a)
    {
        var r = new Nd([a.Shape[1], a.Shape[0], a.Shape[2]]);
        for (int i = 0; i < a.Shape[0]; i++)
            for (int j = 0; j < a.Shape[1]; j++)
                for (int k = 0; k < a.Shape[2]; k++) r[j, i, k] = a[i, j, k];
        return r;
    }
}

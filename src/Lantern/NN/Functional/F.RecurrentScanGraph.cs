using Lantern.Kernels;

namespace Lantern.NN;

// The recurrence of F.RecurrentScan written with recorded tensor ops. It runs only when a backward pass builds a
// graph (double backward): the states are recomputed from the op's inputs with recorded ops and the backward
// recurrence below is itself differentiable. The fast path (kernels in CpuBackend.Recurrent.cs) computes the same
// values; a test checks both give the same first derivatives.
public static partial class F
{
    // The gradients of every scan input by the recorded-op recurrence (differentiable in turn).
    private static (Tensor GatesX, Tensor? BiasX, Tensor H0, Tensor? C0, Tensor WeightHh, Tensor? BiasHh, Tensor? WeightHr) GraphScanGrads(
        RecurrentKind kind, Tensor g, Tensor gatesX, Tensor? biasX, Tensor h0, Tensor? c0, Tensor weightHh, Tensor? biasHh, Tensor? weightHr,
        int[] batchSizes, bool reverse)
    {
        var offsets = Offsets(batchSizes);
        var gx = biasX is null ? gatesX : gatesX.Add(biasX);
        var trace = GraphForward(kind, gx, h0, c0, weightHh, biasHh, weightHr, batchSizes, offsets, reverse);
        var r = GraphBackward(kind, trace, g, h0, weightHh, weightHr, batchSizes, offsets, reverse);
        return (r.GatesX, biasX is null ? null : r.GatesX.Sum(0), r.H0, r.C0, r.WeightHh, r.BiasHh, r.WeightHr);
    }

    private static int[] Offsets(int[] batchSizes)
    {
        var o = new int[batchSizes.Length];
        for (int t = 1; t < o.Length; t++) o[t] = o[t - 1] + batchSizes[t - 1];
        return o;
    }

    // Rows [start, start + length) of x, or x itself when that is all of it (no view op recorded).
    private static Tensor Rows(Tensor x, int start, int length) => start == 0 && length == x.Shape[0] ? x : x.Narrow(0, start, length);

    private static Tensor Cols(Tensor x, int start, int length) => x.Narrow(1, start, length);

    // What the forward keeps for the backward, per step t (active rows only).
    private sealed class ScanTrace(int steps)
    {
        public readonly Tensor[] Hp = new Tensor[steps];   // hidden state entering step t [b, Hout]
        public readonly Tensor[] Out = new Tensor[steps];  // hidden state leaving step t [b, Hout]
        public readonly Tensor[] Act = new Tensor[steps];  // LSTM sigmoid of all gates [b, 4H]; GRU sigmoid(r|z) [b, 2H]
        public readonly Tensor[] G = new Tensor[steps];    // LSTM tanh(g) [b, H]; GRU n [b, H]
        public readonly Tensor[] Cp = new Tensor[steps];   // LSTM cell state entering step t
        public readonly Tensor[] Th = new Tensor[steps];   // LSTM tanh(c_t)
        public readonly Tensor[] R = new Tensor[steps];    // LSTM with projection: o * tanh(c_t) before W_hr
        public readonly Tensor[] Ghn = new Tensor[steps];  // GRU W_hn h + b_hn
    }

    private static ScanTrace GraphForward(RecurrentKind mode, Tensor gx, Tensor h0, Tensor? c0, Tensor whh, Tensor? bhh, Tensor? whr,
        int[] bs, int[] offsets, bool reverse)
    {
        int steps = bs.Length, hidden = whh.Shape[0] / GateCount(mode);
        var tr = new ScanTrace(steps);
        var whhT = whh.T;
        var whrT = whr?.T;
        Tensor? h = null, c = null;
        int prev = 0;
        for (int p = 0; p < steps; p++)
        {
            int t = reverse ? steps - 1 - p : p, b = bs[t];
            if (b > prev)
            {
                // Sequences prev..b-1 start here (reverse direction, or the first step): from h0/c0.
                h = prev == 0 ? Rows(h0, 0, b) : Tensor.Cat([h!, h0.Narrow(0, prev, b - prev)]);
                if (c0 is not null) c = prev == 0 ? Rows(c0, 0, b) : Tensor.Cat([c!, c0.Narrow(0, prev, b - prev)]);
            }
            else if (b < prev)
            {
                // Sequences b..prev-1 ended at the previous step.
                h = h!.Narrow(0, 0, b);
                c = c?.Narrow(0, 0, b);
            }
            prev = b;
            var x = Rows(gx, offsets[t], b);
            tr.Hp[t] = h!;
            switch (mode)
            {
                case RecurrentKind.RnnTanh:
                    h = x.Add(h!.MatMul(whhT)).Tanh();
                    break;
                case RecurrentKind.RnnRelu:
                    h = x.Add(h!.MatMul(whhT)).Relu();
                    break;
                case RecurrentKind.Lstm:
                {
                    var a = x.Add(h!.MatMul(whhT));                  // [b, 4H] pre-activations i, f, g, o
                    var sig = a.Sigmoid();
                    var g = Cols(a, 2 * hidden, hidden).Tanh();
                    tr.Act[t] = sig;
                    tr.G[t] = g;
                    tr.Cp[t] = c!;
                    c = Cols(sig, hidden, hidden).Mul(c!).Add(Cols(sig, 0, hidden).Mul(g));
                    var th = c.Tanh();
                    tr.Th[t] = th;
                    var r = Cols(sig, 3 * hidden, hidden).Mul(th);
                    tr.R[t] = r;
                    h = whrT is null ? r : r.MatMul(whrT);
                    break;
                }
                default:
                {
                    var gh = h!.MatMul(whhT);                        // [b, 3H]
                    if (bhh is not null) gh = gh.Add(bhh);
                    var rz = Cols(x, 0, 2 * hidden).Add(Cols(gh, 0, 2 * hidden)).Sigmoid();
                    var ghn = Cols(gh, 2 * hidden, hidden);
                    var n = Cols(x, 2 * hidden, hidden).Add(Cols(rz, 0, hidden).Mul(ghn)).Tanh();
                    tr.Act[t] = rz;
                    tr.G[t] = n;
                    tr.Ghn[t] = ghn;
                    h = n.Add(Cols(rz, hidden, hidden).Mul(h.Sub(n)));  // (1 - z) n + z h
                    break;
                }
            }
            tr.Out[t] = h;
        }
        return tr;
    }

    private readonly record struct ScanGrads(Tensor GatesX, Tensor H0, Tensor? C0, Tensor WeightHh, Tensor? BiasHh, Tensor? WeightHr);

    private static ScanGrads GraphBackward(RecurrentKind mode, ScanTrace tr, Tensor g, Tensor h0, Tensor whh, Tensor? whr,
        int[] bs, int[] offsets, bool reverse)
    {
        int steps = bs.Length, n = h0.Shape[0], hOut = h0.Shape[1], hidden = whh.Shape[0] / GateCount(mode);
        int sumB = offsets[^1] + bs[^1];
        bool lstm = mode == RecurrentKind.Lstm;
        var (dY, dHN, dCN) = SplitScan(g, sumB, n, hOut, hidden, lstm);
        var dGx = new Tensor[steps];
        var dGh = new Tensor[steps];   // GRU: gradient of W_hh h + b_hh
        var dHr = new Tensor[steps];   // LSTM with projection: gradient of the projected h
        var pieces = new List<(int Start, Tensor H, Tensor? C)>();
        int tLast = reverse ? 0 : steps - 1;
        Tensor? dh = Rows(dHN, 0, bs[tLast]);
        Tensor? dc = dCN is null ? null : Rows(dCN, 0, bs[tLast]);
        for (int p = steps - 1; p >= 0; p--)
        {
            int t = reverse ? steps - 1 - p : p, b = bs[t];
            var dOut = dh!.Add(Rows(dY, offsets[t], b));
            Tensor dhp, dcp = null!;
            switch (mode)
            {
                case RecurrentKind.RnnTanh:
                {
                    var y = tr.Out[t];
                    dGx[t] = dOut.Mul(1 - y.Mul(y));
                    dhp = dGx[t].MatMul(whh);
                    break;
                }
                case RecurrentKind.RnnRelu:
                    dGx[t] = dOut.MaskedFill(tr.Out[t].Le(0), 0);
                    dhp = dGx[t].MatMul(whh);
                    break;
                case RecurrentKind.Lstm:
                {
                    var sig = tr.Act[t];
                    Tensor i = Cols(sig, 0, hidden), f = Cols(sig, hidden, hidden), o = Cols(sig, 3 * hidden, hidden);
                    Tensor gg = tr.G[t], th = tr.Th[t];
                    dHr[t] = dOut;
                    var dr = whr is null ? dOut : dOut.MatMul(whr);
                    var dct = dr.Mul(o).Mul(1 - th.Mul(th)).Add(dc!);
                    var dsi = dct.Mul(gg);
                    var dsf = dct.Mul(tr.Cp[t]);
                    var dsg = dct.Mul(i);
                    var dso = dr.Mul(th);
                    dGx[t] = Tensor.Cat([dsi.Mul(i.Mul(1 - i)), dsf.Mul(f.Mul(1 - f)), dsg.Mul(1 - gg.Mul(gg)), dso.Mul(o.Mul(1 - o))], 1);
                    dcp = dct.Mul(f);
                    dhp = dGx[t].MatMul(whh);
                    break;
                }
                default:
                {
                    var rz = tr.Act[t];
                    Tensor r = Cols(rz, 0, hidden), z = Cols(rz, hidden, hidden), nn = tr.G[t], hp = tr.Hp[t];
                    var dan = dOut.Mul(1 - z).Mul(1 - nn.Mul(nn));   // through n = tanh(a_n)
                    var dz = dOut.Mul(hp.Sub(nn));
                    var drz = Tensor.Cat([dan.Mul(tr.Ghn[t]).Mul(r.Mul(1 - r)), dz.Mul(z.Mul(1 - z))], 1);
                    dGx[t] = Tensor.Cat([drz, dan], 1);
                    dGh[t] = Tensor.Cat([drz, dan.Mul(r)], 1);
                    dhp = dOut.Mul(z).Add(dGh[t].MatMul(whh));
                    break;
                }
            }
            // Undo the state transition that preceded this step.
            int prev = p > 0 ? bs[reverse ? steps - p : p - 1] : 0;
            if (b > prev)
            {
                pieces.Add((prev, dhp.Narrow(0, prev, b - prev), lstm ? dcp.Narrow(0, prev, b - prev) : null));
                dh = prev > 0 ? dhp.Narrow(0, 0, prev) : null;
                dc = lstm && prev > 0 ? dcp.Narrow(0, 0, prev) : null;
            }
            else if (b < prev)
            {
                dh = Tensor.Cat([dhp, dHN.Narrow(0, b, prev - b)]);
                dc = lstm ? Tensor.Cat([dcp, dCN!.Narrow(0, b, prev - b)]) : null;
            }
            else
            {
                dh = dhp;
                dc = lstm ? dcp : null;
            }
        }
        pieces.Sort((u, v) => u.Start.CompareTo(v.Start));
        var dH0 = pieces.Count == 1 ? pieces[0].H : Tensor.Cat(pieces.Select(q => q.H).ToArray());
        Tensor? dC0 = lstm ? (pieces.Count == 1 ? pieces[0].C! : Tensor.Cat(pieces.Select(q => q.C!).ToArray())) : null;

        // One GEMM over all steps for each weight gradient.
        var hPrev = Tensor.Cat(tr.Hp);                                     // [sumB, Hout]
        var dGates = Tensor.Cat(dGx);                                      // [sumB, G*H]
        var dRec = mode == RecurrentKind.Gru ? Tensor.Cat(dGh) : dGates;   // gradient of h W_hh^T (+ b_hh)
        var dWhh = dRec.T.MatMul(hPrev);
        var dBhh = mode == RecurrentKind.Gru ? dRec.Sum(0) : null;
        var dWhr = lstm && whr is not null ? Tensor.Cat(dHr).T.MatMul(Tensor.Cat(tr.R)) : null;
        return new ScanGrads(dGates, dH0, dC0, dWhh, dBhh, dWhr);
    }
}

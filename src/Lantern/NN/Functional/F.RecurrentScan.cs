using Lantern.Kernels;

namespace Lantern.NN;

// The time loop of one recurrent layer in one direction, as one recorded op with a hand-written backward
// (backpropagation through time). Cells and multi-layer RNN/LSTM/GRU all run through it, so there is one
// implementation of the gate math. The input projections x W_ih^T of every step are one GEMM done by the
// caller; here each step only multiplies the hidden state by W_hh^T (fused kernels, IRecurrentBackend).
// Backward walks the steps in reverse with one small GEMM per step (dA W_hh) and finishes with one GEMM for
// dW_hh over all steps. A backward that builds a graph (double backward) takes the recorded-op path of
// F.RecurrentScanGraph.cs instead.
public static partial class F
{
    private static IRecurrentBackend RecurrentBackend => CpuBackend.Instance;

    /// <summary>Gates per hidden unit: LSTM 4 (i, f, g, o), GRU 3 (r, z, n), RNN 1.</summary>
    internal static int GateCount(RecurrentKind kind) => kind switch { RecurrentKind.Lstm => 4, RecurrentKind.Gru => 3, _ => 1 };

    /// <summary>
    /// One layer, one direction of a recurrent network over a packed batch. gatesX [sumB, G*H] holds the input
    /// projections x W_ih^T of every step in packed order (step t's rows start at sum(batchSizes[..t])); biasX
    /// [G*H] (or null) is added to each row: b_ih, plus b_hh for RNN and LSTM (GRU adds b_hh here, inside
    /// r * (W_hn h + b_hn)). h0 [N, Hout]; c0 [N, H] (LSTM
    /// only); weightHh [G*H, Hout]; biasHh [G*H] (GRU only, else null); weightHr [Hout, H] (LSTM with projection,
    /// else null). batchSizes is non-increasing with batchSizes[0] = N (sequence b is active at steps t with
    /// b &lt; batchSizes[t]). reverse runs from the last step to the first, each sequence starting at its own last
    /// step from h0. Gate equations are PyTorch's (LSTM i,f,g,o; GRU r,z,n with n = tanh(gx_n + r (W_hn h + b_hn))).
    /// Returns one flat tensor: outputs [sumB, Hout], h_n [N, Hout] and (LSTM) c_n [N, H], flattened and
    /// concatenated; <see cref="SplitScan"/> gives the three views. h_n holds each sequence's state after its own
    /// last step. All tensors share one floating dtype (the callers check it).
    /// </summary>
    [Differentiable]
    internal static Tensor RecurrentScan(RecurrentKind kind, Tensor gatesX, Tensor? biasX, Tensor h0, Tensor? c0, Tensor weightHh, Tensor? biasHh,
        Tensor? weightHr, int[] batchSizes, bool reverse)
    {
        int hidden = weightHh.Shape[0] / GateCount(kind), hOut = weightHh.Shape[1];
        var geo = new RecurrentScanGeometry(kind, batchSizes, reverse, hidden, hOut, weightHr is not null);
        var dtype = gatesX.DType;
        Tensor flat, saved;
        using (Autograd.NoGrad())
        {
            flat = Tensor.Uninitialized([geo.ResultLength], dtype);
            saved = Tensor.Uninitialized([geo.SavedLength], dtype);
            RecurrentBackend.RecurrentForward(geo, AsStrip(gatesX)!.Value, AsStrip(biasX), AsStrip(h0)!.Value, AsStrip(c0), AsStrip(weightHh)!.Value, AsStrip(biasHh),
                AsStrip(weightHr), AsStrip(flat)!.Value, AsStrip(saved)!.Value);
        }
        var inputs = new List<Tensor> { gatesX };
        if (biasX is not null) inputs.Add(biasX);
        inputs.Add(h0);
        if (c0 is not null) inputs.Add(c0);
        inputs.Add(weightHh);
        if (biasHh is not null) inputs.Add(biasHh);
        if (weightHr is not null) inputs.Add(weightHr);
        return Autograd.Record(flat, "RecurrentScan", [.. inputs], g =>
        {
            Tensor gx, dh0, whh;
            Tensor? dbx, dc0, dbhh, dwhr;
            if (Autograd.IsGradEnabled)
                (gx, dbx, dh0, dc0, whh, dbhh, dwhr) = GraphScanGrads(kind, g, gatesX, biasX, h0, c0, weightHh, biasHh, weightHr, batchSizes, reverse);
            else
            {
                gx = Tensor.Uninitialized([geo.Rows, geo.Gates * hidden], dtype);
                dbx = biasX is null ? null : Tensor.Uninitialized([geo.Gates * hidden], dtype);
                dh0 = Tensor.Uninitialized([geo.Batch, hOut], dtype);
                dc0 = c0 is null ? null : Tensor.Uninitialized([geo.Batch, hidden], dtype);
                whh = Tensor.Uninitialized([geo.Gates * hidden, hOut], dtype);
                dbhh = biasHh is null ? null : Tensor.Uninitialized([geo.Gates * hidden], dtype);
                dwhr = weightHr is null ? null : Tensor.Uninitialized([hOut, hidden], dtype);
                RecurrentBackend.RecurrentBackward(geo, AsStrip(weightHh)!.Value, AsStrip(weightHr), AsStrip(flat)!.Value, AsStrip(saved)!.Value,
                    AsStrip(g)!.Value, AsStrip(gx)!.Value, AsStrip(dbx), AsStrip(dh0)!.Value, AsStrip(dc0), AsStrip(whh)!.Value, AsStrip(dbhh), AsStrip(dwhr));
            }
            var r = new List<Tensor?> { gx };
            if (biasX is not null) r.Add(dbx);
            r.Add(dh0);
            if (c0 is not null) r.Add(dc0);
            r.Add(whh);
            if (biasHh is not null) r.Add(dbhh);
            if (weightHr is not null) r.Add(dwhr);
            return [.. r];
        }, [.. inputs, flat]);
    }

    // The contiguous elements of t (a copy when t is strided) as a kernel strip.
    private static Strip? AsStrip(Tensor? t)
    {
        if (t is null) return null;
        if (!t.IsContiguous) using (Autograd.NoGrad()) t = t.Contiguous();
        return new Strip(t.Buffer, t.Layout.Offset);
    }

    /// <summary>Views of a <see cref="RecurrentScan"/> result: outputs [sumB, Hout], h_n [N, Hout], c_n [N, H] (LSTM) or null.</summary>
    internal static (Tensor Output, Tensor HN, Tensor? CN) SplitScan(Tensor flat, int sumB, int n, int hOut, int hidden, bool lstm)
    {
        var output = flat.Narrow(0, 0, sumB * hOut).View(sumB, hOut);
        var hn = flat.Narrow(0, sumB * hOut, n * hOut).View(n, hOut);
        var cn = lstm ? flat.Narrow(0, (sumB + n) * hOut, n * hidden).View(n, hidden) : null;
        return (output, hn, cn);
    }
}

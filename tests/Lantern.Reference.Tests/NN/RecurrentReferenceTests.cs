using Xunit;
using Xunit.Abstractions;
using TorchSharp;
using TorchTensor = TorchSharp.torch.Tensor;
using LTensor = global::Lantern.Tensor;
using LGen = global::Lantern.Generator;
using LNN = global::Lantern.NN;

namespace Lantern.Reference.Tests.NN;

/// <summary>
/// RNN / LSTM / GRU and their cells against torch.nn (TorchSharp 0.107.0, libtorch 2.10): same weights (copied by
/// state-dict name), same inputs and initial states; forward outputs, final states and the gradients of the input,
/// the initial states and every weight, for a random cotangent on every output.
/// The torch side runs in float64 (the module converted with .to(float64)); Lantern runs in float32 (relative
/// 1e-4) and again in float64 (relative 1e-9, which shows the same algorithm, not only the same numbers). Float32
/// against PyTorch's float32 would measure PyTorch's own rounding too: in a GRU weight gradient element that is a
/// sum of cancelling terms, libtorch float32 is 9e-7 off the float64 value where Lantern is 4e-7 off. The
/// measure (Torch.AssertClose: relative to |expected| + 1e-3 max|expected|) sits near the float32 noise floor for
/// recurrences: libtorch's own float32 LSTM (2 layers, bidirectional) reached 1.07e-4 against its float64 over
/// five random seeds when this was written; Lantern's worst case here is about 1e-4 / 1.0.
/// TorchSharp has no proj_size: LSTM with projections is compared with PyTorch's documented LSTM equations
/// (h_t = W_hr (o_t * tanh(c_t))) written in TorchSharp ops in float64 (<see cref="TorchLstmByDefinition"/>).
/// TorchSharp's C++ modules reject unbatched input: there the reference is PyTorch's definition, the batch of one
/// (nn.RNN.forward unsqueezes the batch dim of input and hx and squeezes the results).
/// </summary>
public class RecurrentReferenceTests(ITestOutputHelper output)
{
    private const int In = 5, Hid = 6, Steps = 4, Batch = 3;

    private static LTensor R(int seed, params int[] shape) => LTensor.Randn(shape, generator: new LGen((ulong)seed));

    private static readonly global::Lantern.DType F32 = global::Lantern.DType.Float32, F64 = global::Lantern.DType.Float64;

    /// <summary>
    /// Compares a Lantern module built by <paramref name="make"/> in float32 (relative 1e-4) and in float64 (relative
    /// 1e-9) with the float64 reference; returns the worst float32 relative error.
    /// </summary>
    private static double CompareBoth(string what, Func<global::Lantern.DType, LNN.Module> make, torch.nn.Module? theirs,
        Func<LNN.Module, LTensor[], LTensor[]> lantern, Func<TorchTensor[], TorchTensor[]> reference, LTensor[] inputs,
        Func<LNN.Module, Dictionary<string, TorchTensor>>? referenceParams = null)
    {
        theirs?.to(torch.float64);
        double worst = 0;
        foreach (var dt in new[] { F32, F64 })
        {
            var ours = make(dt);
            var p = referenceParams?.Invoke(ours);
            double w = Compare($"{what} {dt}", ours, theirs, xs => lantern(ours, xs), reference, inputs.Select(t => t.To(dt)).ToArray(),
                dt == F32 ? 1e-4 : 1e-9, p);
            if (dt == F32) worst = w;
        }
        return worst;
    }

    /// <summary>Runs both sides, compares every output, backpropagates the same cotangents, compares input and parameter gradients.</summary>
    private static double Compare(string what, LNN.Module ours, torch.nn.Module? theirs, Func<LTensor[], LTensor[]> lantern,
        Func<TorchTensor[], TorchTensor[]> reference, LTensor[] inputs, double rtol, Dictionary<string, TorchTensor>? referenceParams)
    {
        if (theirs is not null)
        {
            ModuleParity.CopyState(ours, theirs);
            theirs.zero_grad();
        }
        var xs = inputs.Select(t => t.Detach().Clone().RequiresGrad_()).ToArray();
        var txs = inputs.Select(t => Torch.From(t.To(F64), requiresGrad: true)).ToArray();
        var ys = lantern(xs);
        var tys = reference(txs);
        Assert.Equal(tys.Length, ys.Length);
        double worst = 0;
        LTensor? loss = null;
        TorchTensor? tloss = null;
        for (int i = 0; i < ys.Length; i++)
        {
            worst = Math.Max(worst, Torch.AssertClose(tys[i], ys[i], rtol, $"{what} output {i}"));
            var g = R(100 + i, ys[i].Shape.ToArray()).To(ys[i].DType);
            var l = ys[i].Mul(g).Sum();
            var tl = tys[i].mul(Torch.From(g.To(F64))).sum();
            loss = loss is null ? l : loss.Add(l);
            tloss = tloss is null ? tl : tloss.add(tl);
        }
        loss!.Backward();
        tloss!.backward();
        for (int i = 0; i < xs.Length; i++)
            worst = Math.Max(worst, Torch.AssertClose(txs[i].grad!, xs[i].Grad!, rtol, $"{what} gradient of input {i}"));
        var ourParams = ours.NamedParameters().ToDictionary(p => p.Key, p => p.Value);
        var theirParams = referenceParams ?? theirs!.named_parameters().ToDictionary(p => p.name, p => (TorchTensor)p.parameter);
        Assert.Equal(ourParams.Keys.OrderBy(k => k), theirParams.Keys.OrderBy(k => k));
        foreach (var (name, p) in theirParams)
            worst = Math.Max(worst, Torch.AssertClose(p.grad!, ourParams[name].Grad!, rtol, $"{what} gradient of {name}"));
        return worst;
    }

    public static TheoryData<string, string> LayerCases()
    {
        var d = new TheoryData<string, string>();
        foreach (var mode in new[] { "rnn_tanh", "rnn_relu", "lstm", "gru" })
            foreach (var cfg in new[] { "plain", "deep", "nobias", "eval-dropout", "train-nodrop", "unbatched", "wide" })
                d.Add(mode, cfg);
        return d;
    }

    [Theory, MemberData(nameof(LayerCases))]
    public void LayerMatchesTorch(string mode, string cfg)
    {
        // "wide": hidden 20 runs the kernels' vector loops and their scalar tails (the other cases are narrower than a vector).
        int layers = cfg is "plain" or "wide" ? 1 : 2, hid = cfg == "wide" ? 20 : Hid;
        bool bidir = cfg is "deep" or "train-nodrop" or "unbatched" or "eval-dropout", batchFirst = cfg is "deep" or "eval-dropout";
        bool bias = cfg != "nobias", withState = cfg is not "plain" and not "train-nodrop";
        double dropout = cfg == "eval-dropout" ? 0.3 : 0;
        int dirs = bidir ? 2 : 1;
        bool unbatched = cfg == "unbatched";
        Func<global::Lantern.DType, LNN.Module> make = dt =>
        {
            var gen = new LGen(7);
            LNN.Module m = mode switch
            {
                "lstm" => new LNN.LSTM(In, hid, layers, bias, batchFirst, dropout, bidir, dtype: dt, generator: gen),
                "gru" => new LNN.GRU(In, hid, layers, bias, batchFirst, dropout, bidir, dtype: dt, generator: gen),
                _ => new LNN.RNN(In, hid, layers, mode == "rnn_relu" ? "relu" : "tanh", bias, batchFirst, dropout, bidir, dtype: dt, generator: gen),
            };
            if (cfg == "eval-dropout") m.Eval();
            return m;
        };
        torch.nn.Module theirs = mode switch
        {
            "lstm" => torch.nn.LSTM(In, hid, layers, bias, batchFirst, dropout, bidir),
            "gru" => torch.nn.GRU(In, hid, layers, bias, batchFirst, dropout, bidir),
            _ => torch.nn.RNN(In, hid, layers, mode == "rnn_relu" ? torch.nn.NonLinearities.ReLU : torch.nn.NonLinearities.Tanh, bias, batchFirst, dropout, bidir),
        };
        if (cfg == "eval-dropout") theirs.eval();
        var x = unbatched ? R(1, Steps, In) : batchFirst ? R(1, Batch, Steps, In) : R(1, Steps, Batch, In);
        int[] stateShape = unbatched ? [layers * dirs, hid] : [layers * dirs, Batch, hid];
        var inputs = new List<LTensor> { x };
        if (withState) inputs.Add(R(2, stateShape));
        if (withState && mode == "lstm") inputs.Add(R(3, stateShape));
        Func<TorchTensor[], TorchTensor[]> reference = ts => unbatched
            ? Theirs(theirs, ts.Select(t => t.unsqueeze(1)).ToArray()).Select(t => t.squeeze(1)).ToArray()
            : Theirs(theirs, ts);
        var worst = CompareBoth($"{mode} {cfg}", make, theirs, Ours, reference, [.. inputs]);
        output.WriteLine($"max relative error (float32 vs float64 reference): {worst:E2}");
        Assert.True(worst < 1e-4);
    }

    private static LTensor[] Ours(LNN.Module m, LTensor[] xs)
    {
        switch (m)
        {
            case LNN.LSTM lstm:
            {
                var (y, (h, c)) = lstm.Forward(xs[0], xs.Length > 1 ? (xs[1], xs[2]) : null);
                return [y, h, c];
            }
            case LNN.GRU gru:
            {
                var (y, h) = gru.Forward(xs[0], xs.Length > 1 ? xs[1] : null);
                return [y, h];
            }
            default:
            {
                var (y, h) = ((LNN.RNN)m).Forward(xs[0], xs.Length > 1 ? xs[1] : null);
                return [y, h];
            }
        }
    }

    private static TorchTensor[] Theirs(torch.nn.Module m, TorchTensor[] ts)
    {
        switch (m)
        {
            case TorchSharp.Modules.LSTM lstm:
            {
                var (y, h, c) = lstm.call(ts[0], ts.Length > 1 ? (ts[1], ts[2]) : null);
                return [y, h, c];
            }
            case TorchSharp.Modules.GRU gru:
            {
                var (y, h) = gru.call(ts[0], ts.Length > 1 ? ts[1] : null);
                return [y, h];
            }
            default:
            {
                var (y, h) = ((TorchSharp.Modules.RNN)m).call(ts[0], ts.Length > 1 ? ts[1] : null);
                return [y, h];
            }
        }
    }

    public static TheoryData<string, string> CellCases()
    {
        var d = new TheoryData<string, string>();
        foreach (var mode in new[] { "rnn_tanh", "rnn_relu", "lstm", "gru" })
            foreach (var cfg in new[] { "state", "nostate", "unbatched", "nobias" })
                d.Add(mode, cfg);
        return d;
    }

    [Theory, MemberData(nameof(CellCases))]
    public void CellMatchesTorch(string mode, string cfg)
    {
        bool bias = cfg != "nobias", unbatched = cfg == "unbatched", withState = cfg != "nostate";
        Func<global::Lantern.DType, LNN.Module> make = dt => mode switch
        {
            "lstm" => new LNN.LSTMCell(In, Hid, bias, dtype: dt, generator: new LGen(8)),
            "gru" => new LNN.GRUCell(In, Hid, bias, dtype: dt, generator: new LGen(8)),
            _ => new LNN.RNNCell(In, Hid, bias, mode == "rnn_relu" ? "relu" : "tanh", dtype: dt, generator: new LGen(8)),
        };
        torch.nn.Module theirs = mode switch
        {
            "lstm" => torch.nn.LSTMCell(In, Hid, bias),
            "gru" => torch.nn.GRUCell(In, Hid, bias),
            _ => torch.nn.RNNCell(In, Hid, mode == "rnn_relu" ? torch.nn.NonLinearities.ReLU : torch.nn.NonLinearities.Tanh, bias),
        };
        // TorchSharp's cells take batched input only; the unbatched case is checked against the batch of one
        // (PyTorch's RNNCell.forward unsqueezes 1-D input to a batch of one and squeezes the result).
        int[] xShape = unbatched ? [In] : [Batch, In], hShape = unbatched ? [Hid] : [Batch, Hid];
        var inputs = new List<LTensor> { R(11, xShape) };
        if (withState) inputs.Add(R(12, hShape));
        if (withState && mode == "lstm") inputs.Add(R(13, hShape));
        Func<TorchTensor[], TorchTensor[]> reference = ts =>
        {
            var b = unbatched ? ts.Select(t => t.unsqueeze(0)).ToArray() : ts;
            // TorchSharp's LSTMCell fails without states (it passes empty tensors); PyTorch's default is zeros.
            var zeros = torch.zeros(b[0].shape[0], Hid, dtype: torch.float64);
            TorchTensor[] r = theirs switch
            {
                TorchSharp.Modules.LSTMCell c => Pair(c.call(b[0], b.Length > 1 ? (b[1], b[2]) : (zeros, zeros))),
                TorchSharp.Modules.GRUCell c => [c.call(b[0], b.Length > 1 ? b[1] : null!)],
                _ => [((TorchSharp.Modules.RNNCell)theirs).call(b[0], b.Length > 1 ? b[1] : null!)],
            };
            return unbatched ? r.Select(t => t.squeeze(0)).ToArray() : r;
        };
        Func<LNN.Module, LTensor[], LTensor[]> lantern = (ours, xs) => ours switch
        {
            LNN.LSTMCell c => Pair(c.Forward(xs[0], xs.Length > 1 ? (xs[1], xs[2]) : null)),
            LNN.GRUCell c => [c.Forward(xs[0], xs.Length > 1 ? xs[1] : null)],
            _ => [((LNN.RNNCell)ours).Forward(xs[0], xs.Length > 1 ? xs[1] : null)],
        };
        double worst = CompareBoth($"{mode} cell {cfg}", make, theirs, lantern, reference, [.. inputs]);
        output.WriteLine($"max relative error (float32 vs float64 reference): {worst:E2}");
        Assert.True(worst < 1e-4);
    }

    private static TorchTensor[] Pair((TorchTensor, TorchTensor) p) => [p.Item1, p.Item2];

    private static LTensor[] Pair((LTensor H, LTensor C) p) => [p.H, p.C];

    /// <summary>
    /// PyTorch's LSTM equations in float64 TorchSharp ops, with projection (h_t = W_hr (o_t tanh(c_t))) when the
    /// parameters contain weight_hr: the documented definition of nn.LSTM(proj_size) (TorchSharp lacks proj_size).
    /// x is time-major [T, N, in]; sequence b uses only its first lengths[b] steps (all when lengths is null).
    /// </summary>
    private static TorchTensor[] TorchLstmByDefinition(TorchTensor x, TorchTensor h0, TorchTensor c0, Dictionary<string, TorchTensor> p,
        int layers, bool bidir, int[]? lengths = null)
    {
        int steps = (int)x.shape[0], n = (int)x.shape[1], dirs = bidir ? 2 : 1;
        lengths ??= Enumerable.Repeat(steps, n).ToArray();
        var hn = new TorchTensor[layers * dirs];
        var cn = new TorchTensor[layers * dirs];
        var layerIn = x;
        for (int l = 0; l < layers; l++)
        {
            var outs = new TorchTensor[dirs];
            for (int d = 0; d < dirs; d++)
            {
                int k = l * dirs + d;
                string s = $"_l{l}{(d == 1 ? "_reverse" : "")}";
                var perSeq = new TorchTensor[n];
                var hs = new TorchTensor[n];
                var cs = new TorchTensor[n];
                for (int b = 0; b < n; b++)
                {
                    // Each sequence on its own: the definition of a packed batch.
                    var h = h0[k].narrow(0, b, 1);
                    var c = c0[k].narrow(0, b, 1);
                    var ys = new TorchTensor[steps];
                    var order = Enumerable.Range(0, lengths[b]);
                    foreach (var t in d == 0 ? order : order.Reverse())
                    {
                        var gates = layerIn[t].narrow(0, b, 1).matmul(p["weight_ih" + s].t()).add(h.matmul(p["weight_hh" + s].t()));
                        if (p.ContainsKey("bias_ih" + s)) gates = gates.add(p["bias_ih" + s]).add(p["bias_hh" + s]);
                        var g4 = gates.chunk(4, 1);
                        c = g4[1].sigmoid().mul(c).add(g4[0].sigmoid().mul(g4[2].tanh()));
                        h = g4[3].sigmoid().mul(c.tanh());
                        if (p.ContainsKey("weight_hr" + s)) h = h.matmul(p["weight_hr" + s].t());
                        ys[t] = h;
                    }
                    for (int t = lengths[b]; t < steps; t++) ys[t] = torch.zeros_like(h);
                    perSeq[b] = torch.cat(ys, 0);       // [T, Hout]
                    hs[b] = h;
                    cs[b] = c;
                }
                outs[d] = torch.stack(perSeq, 1);        // [T, N, Hout]
                hn[k] = torch.cat(hs, 0);
                cn[k] = torch.cat(cs, 0);
            }
            layerIn = torch.cat(outs, 2);
        }
        return [layerIn, torch.stack(hn), torch.stack(cn)];
    }

    private static Dictionary<string, TorchTensor> Float64Params(LNN.Module m) =>
        m.NamedParameters().ToDictionary(p => p.Key, p => Torch.From(p.Value.To(global::Lantern.DType.Float64), requiresGrad: true));

    [Theory]
    [InlineData(1, false, false)]
    [InlineData(2, true, true)]
    [InlineData(2, true, false)]
    public void LstmWithProjectionMatchesDefinition(int layers, bool bidir, bool batchFirst)
    {
        const int proj = 4;
        Dictionary<string, TorchTensor> p = [];
        int dirs = bidir ? 2 : 1;
        var x = batchFirst ? R(21, Batch, Steps, In) : R(21, Steps, Batch, In);
        LTensor[] inputs = [x, R(22, layers * dirs, Batch, proj), R(23, layers * dirs, Batch, Hid)];
        double worst = CompareBoth($"LSTM proj layers={layers} bidir={bidir}",
            dt => new LNN.LSTM(In, Hid, layers, batchFirst: batchFirst, bidirectional: bidir, projSize: proj, dtype: dt, generator: new LGen(9)), null,
            (m, xs) => { var (y, (h, c)) = ((LNN.LSTM)m).Forward(xs[0], (xs[1], xs[2])); return [y, h, c]; },
            ts =>
            {
                var r = TorchLstmByDefinition(batchFirst ? ts[0].transpose(0, 1) : ts[0], ts[1], ts[2], p, layers, bidir);
                if (batchFirst) r[0] = r[0].transpose(0, 1);
                return r;
            }, inputs, m => p = Float64Params(m));
        output.WriteLine($"max relative error (float32 vs float64 reference): {worst:E2}");
        Assert.True(worst < 1e-4);
    }

    public static TheoryData<string> PackedModes() => new() { "rnn_tanh", "lstm", "gru" };

    /// <summary>
    /// A padded batch with unsorted lengths (including a tie) packed by pack_padded_sequence(enforce_sorted=False)
    /// on both sides, through a 2-layer bidirectional network with initial states: packed output rows, h_n (each
    /// sequence at its own last step, original order) and every gradient.
    /// </summary>
    [Theory, MemberData(nameof(PackedModes))]
    public void PackedBatchMatchesTorch(string mode)
    {
        int[] lengths = [3, 4, 1, 4];
        int n = lengths.Length;
        Func<global::Lantern.DType, LNN.Module> make = dt => mode == "lstm" ? new LNN.LSTM(In, Hid, 2, bidirectional: true, dtype: dt, generator: new LGen(5))
            : mode == "gru" ? new LNN.GRU(In, Hid, 2, bidirectional: true, dtype: dt, generator: new LGen(5))
            : new LNN.RNN(In, Hid, 2, bidirectional: true, dtype: dt, generator: new LGen(5));
        torch.nn.Module theirs = mode == "lstm" ? torch.nn.LSTM(In, Hid, 2, bidirectional: true)
            : mode == "gru" ? torch.nn.GRU(In, Hid, 2, bidirectional: true)
            : torch.nn.RNN(In, Hid, 2, bidirectional: true);
        var inputs = new List<LTensor> { R(31, Steps, n, In), R(32, 4, n, Hid) };
        if (mode == "lstm") inputs.Add(R(33, 4, n, Hid));
        var tl = torch.tensor(lengths.Select(v => (long)v).ToArray());
        double worst = CompareBoth($"packed {mode}", make, theirs,
            (ours, xs) =>
            {
                var packed = LNN.RnnUtils.PackPaddedSequence(xs[0], lengths, enforceSorted: false);
                switch (ours)
                {
                    case LNN.LSTM l: { var (y, (h, c)) = l.Forward(packed, (xs[1], xs[2])); return [y.Data, h, c]; }
                    case LNN.GRU g: { var (y, h) = g.Forward(packed, xs[1]); return [y.Data, h]; }
                    default: { var (y, h) = ((LNN.RNN)ours).Forward(packed, xs[1]); return [y.Data, h]; }
                }
            },
            ts =>
            {
                var packed = torch.nn.utils.rnn.pack_padded_sequence(ts[0], tl, false, false);
                switch (theirs)
                {
                    case TorchSharp.Modules.LSTM l: { var (y, h, c) = l.call(packed, (ts[1], ts[2])); return [y.data, h, c]; }
                    case TorchSharp.Modules.GRU g: { var (y, h) = g.call(packed, ts[1]); return [y.data, h]; }
                    default: { var (y, h) = ((TorchSharp.Modules.RNN)theirs).call(packed, ts[1]); return [y.data, h]; }
                }
            }, [.. inputs]);
        output.WriteLine($"max relative error (float32 vs float64 reference): {worst:E2}");
        Assert.True(worst < 1e-4);
    }

    [Fact]
    public void PackedLstmWithProjectionMatchesSequencesRunSeparately()
    {
        int[] lengths = [2, 4, 3];
        Dictionary<string, TorchTensor> p = [];
        LTensor[] inputs = [R(41, Steps, 3, In), R(42, 4, 3, 3), R(43, 4, 3, Hid)];
        double worst = CompareBoth("packed LSTM proj",
            dt => new LNN.LSTM(In, Hid, 2, bidirectional: true, projSize: 3, dtype: dt, generator: new LGen(6)), null,
            (m, xs) =>
            {
                var (y, (h, c)) = ((LNN.LSTM)m).Forward(LNN.RnnUtils.PackPaddedSequence(xs[0], lengths, enforceSorted: false), (xs[1], xs[2]));
                return [LNN.RnnUtils.PadPackedSequence(y).Padded, h, c];
            },
            ts => TorchLstmByDefinition(ts[0], ts[1], ts[2], p, 2, true, lengths), inputs, m => p = Float64Params(m));
        output.WriteLine($"max relative error (float32 vs float64 reference): {worst:E2}");
        Assert.True(worst < 1e-4);
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void PackAndPadMatchTorch(bool batchFirst, bool enforceSorted)
    {
        int[] lengths = enforceSorted ? [4, 4, 2, 1] : [2, 4, 1, 4];
        var x = batchFirst ? R(51, 4, Steps, 2) : R(51, Steps, 4, 2);
        var tl = torch.tensor(lengths.Select(v => (long)v).ToArray());
        var ours = LNN.RnnUtils.PackPaddedSequence(x, lengths, batchFirst, enforceSorted);
        var theirs = torch.nn.utils.rnn.pack_padded_sequence(Torch.From(x), tl, batchFirst, enforceSorted);
        Torch.AssertClose(theirs.data, ours.Data, 1e-7, "packed data");
        Assert.Equal(theirs.batch_sizes.data<long>().ToArray(), ours.BatchSizes.ToArray<long>());
        if (enforceSorted) Assert.Null(ours.SortedIndices);
        else
        {
            Assert.Equal(theirs.sorted_indices.data<long>().ToArray(), ours.SortedIndices!.ToArray<long>());
            Assert.Equal(theirs.unsorted_indices.data<long>().ToArray(), ours.UnsortedIndices!.ToArray<long>());
        }
        var (padded, lens) = LNN.RnnUtils.PadPackedSequence(ours, batchFirst, paddingValue: -2.5, totalLength: 6);
        var (tpadded, tlens) = torch.nn.utils.rnn.pad_packed_sequence(theirs, batchFirst, -2.5, 6);
        Torch.AssertClose(tpadded, padded, 1e-7, "pad_packed_sequence");
        Assert.Equal(tlens.data<long>().ToArray(), lens.ToArray<long>());

        LTensor[] seqs = [R(52, 3, 2), R(53, 5, 2), R(54, 1, 2)];
        var tseqs = seqs.Select(s => Torch.From(s)).ToArray();
        Torch.AssertClose(torch.nn.utils.rnn.pad_sequence(tseqs, batchFirst, 0.5), LNN.RnnUtils.PadSequence(seqs, batchFirst, 0.5), 1e-7, "pad_sequence");
        var packedSeqs = LNN.RnnUtils.PackSequence(seqs, enforceSorted: false);
        var tpackedSeqs = torch.nn.utils.rnn.pack_sequence(tseqs, false);
        Torch.AssertClose(tpackedSeqs.data, packedSeqs.Data, 1e-7, "pack_sequence");
        Assert.Equal(tpackedSeqs.batch_sizes.data<long>().ToArray(), packedSeqs.BatchSizes.ToArray<long>());
    }
}

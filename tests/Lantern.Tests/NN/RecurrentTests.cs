using Lantern.NN;
using Xunit;

namespace Lantern.Tests.NN;

public class RecurrentTests
{
    private static Tensor R(int seed, params int[] shape) => Tensor.Randn(shape, generator: new Generator((ulong)seed));

    private static void Same(Tensor expected, Tensor actual, double tol = 0)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var e = expected.ToArray<double>();
        var a = actual.ToArray<double>();
        for (int i = 0; i < e.Length; i++) Assert.True(Math.Abs(e[i] - a[i]) <= tol, $"element {i}: {a[i]} vs {e[i]}");
    }

    [Fact] // each module is its functional form over FlatWeights
    public void ModulesEqualFunctional()
    {
        var x = R(1, 4, 3, 5);
        var rnn = new RNN(5, 4, 2, "relu", bidirectional: true, generator: new Generator(2));
        var (y, h) = rnn.Forward(x);
        var (fy, fh) = F.Rnn(x, null, rnn.FlatWeights, true, 2, "relu", bidirectional: true);
        Same(fy, y);
        Same(fh, h);

        var lstm = new LSTM(5, 4, batchFirst: true, projSize: 2, generator: new Generator(3));
        var h0 = (R(4, 1, 4, 2), R(5, 1, 4, 4));
        var (ly, (lh, lc)) = lstm.Forward(x, h0);
        var (fly, flh, flc) = F.Lstm(x, h0, lstm.FlatWeights, batchFirst: true);
        Same(fly, ly);
        Same(flh, lh);
        Same(flc, lc);
        Assert.Equal([4, 3, 2], ly.Shape.ToArray());

        var gru = new GRU(5, 4, bias: false, generator: new Generator(6));
        Same(F.Gru(x, null, gru.FlatWeights, hasBiases: false).Output, gru.Forward(x).Output);

        var cell = new LSTMCell(5, 4, generator: new Generator(7));
        var (ch, cc) = cell.Forward(x[0]);
        var (fch, fcc) = F.LstmCell(x[0], null, cell.WeightIh, cell.WeightHh, cell.BiasIh, cell.BiasHh);
        Same(fch, ch);
        Same(fcc, cc);
        var gcell = new GRUCell(5, 4, generator: new Generator(8));
        Same(F.GruCell(x[0], null, gcell.WeightIh, gcell.WeightHh, gcell.BiasIh, gcell.BiasHh), gcell.Forward(x[0]));
        var rcell = new RNNCell(5, 4, nonlinearity: "relu", generator: new Generator(9));
        Same(F.RnnCell(x[0], null, rcell.WeightIh, rcell.WeightHh, rcell.BiasIh, rcell.BiasHh, "relu"), rcell.Forward(x[0]));
    }

    [Fact] // PyTorch's registration order and names, and shapes (weight_hh uses the projection size)
    public void StateDictKeysAndShapes()
    {
        var lstm = new LSTM(3, 4, numLayers: 2, bidirectional: true, projSize: 2);
        Assert.Equal(
        [
            "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_hr_l0",
            "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse", "weight_hr_l0_reverse",
            "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1", "weight_hr_l1",
            "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse", "weight_hr_l1_reverse",
        ], lstm.StateDict().Keys);
        var sd = lstm.StateDict();
        Assert.Equal([16, 3], sd["weight_ih_l0"].Shape.ToArray());
        Assert.Equal([16, 2], sd["weight_hh_l0"].Shape.ToArray());
        Assert.Equal([2, 4], sd["weight_hr_l0"].Shape.ToArray());
        Assert.Equal([16, 4], sd["weight_ih_l1_reverse"].Shape.ToArray());
        Assert.Equal(lstm.FlatWeights, lstm.Parameters());
        Assert.Equal(["weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1", "weight_hr_l1"], lstm.AllWeightNames[2]);

        Assert.Equal(["weight_ih_l0", "weight_hh_l0", "weight_ih_l1", "weight_hh_l1"], new GRU(3, 5, 2, bias: false).StateDict().Keys);
        Assert.Equal([15, 3], new GRU(3, 5).StateDict()["weight_ih_l0"].Shape.ToArray());
        Assert.Equal(["weight_ih", "weight_hh", "bias_ih", "bias_hh"], new LSTMCell(3, 4).StateDict().Keys);
        Assert.Equal(["weight_ih", "weight_hh"], new GRUCell(3, 4, bias: false).StateDict().Keys);
        Assert.Equal([12, 3], new GRUCell(3, 4).WeightIh.Shape.ToArray());
        Assert.Equal([4, 4], new RNNCell(3, 4).WeightHh.Shape.ToArray());
    }

    [Fact] // extra_repr exactly as PyTorch (RNN's nonlinearity is not shown by PyTorch's RNNBase.extra_repr)
    public void ReprAsPyTorch()
    {
        Assert.Equal("LSTM(10, 20, num_layers=2, dropout=0.5, bidirectional=True)", new LSTM(10, 20, 2, dropout: 0.5, bidirectional: true).ToString());
        Assert.Equal("LSTM(10, 20, proj_size=5, batch_first=True)", new LSTM(10, 20, batchFirst: true, projSize: 5).ToString());
        Assert.Equal("RNN(3, 4)", new RNN(3, 4, nonlinearity: "relu").ToString());
        Assert.Equal("GRU(3, 4, bias=False)", new GRU(3, 4, bias: false).ToString());
        Assert.Equal("RNNCell(3, 4, nonlinearity=relu)", new RNNCell(3, 4, nonlinearity: "relu").ToString());
        Assert.Equal("RNNCell(3, 4)", new RNNCell(3, 4).ToString());
        Assert.Equal("LSTMCell(3, 4, bias=False)", new LSTMCell(3, 4, bias: false).ToString());
        Assert.Equal("GRUCell(3, 4)", new GRUCell(3, 4).ToString());
    }

    [Fact] // reset_parameters: every parameter (weight_hr too) from U(-1/sqrt(H), 1/sqrt(H))
    public void InitIsUniformOneOverSqrtHidden()
    {
        var lstm = new LSTM(30, 64, projSize: 16, generator: new Generator(11));
        double bound = 1 / Math.Sqrt(64);
        foreach (var (name, p) in lstm.NamedParameters())
        {
            var v = p.ToArray<float>();
            Assert.True(v.All(a => Math.Abs(a) <= bound), name);
            Assert.True(v.Max() > 0.9 * bound && v.Min() < -0.9 * bound, name);
            Assert.True(Math.Abs(v.Average()) < 0.1 * bound, name);
        }
        var cell = new GRUCell(7, 9, generator: new Generator(12));
        Assert.True(cell.Parameters().All(p => p.ToArray<float>().All(a => Math.Abs(a) <= 1 / 3.0)));
        Assert.Equal(new GRU(5, 6, generator: new Generator(3)).FlatWeights[0].ToArray<float>(),
                     new GRU(5, 6, generator: new Generator(3)).FlatWeights[0].ToArray<float>());
    }

    [Fact] // dropout between layers: training only, never after the last layer; p = 1 feeds zeros to layer 2
    public void DropoutBetweenLayersInTrainingOnly()
    {
        var x = R(1, 5, 2, 3);
        var gru = new GRU(3, 4, numLayers: 2, dropout: 0.5, generator: new Generator(5));
        var train1 = gru.Forward(x).Output;
        var train2 = gru.Forward(x).Output;
        Assert.NotEqual(train1.ToArray<float>(), train2.ToArray<float>());
        gru.Eval();
        var eval = gru.Forward(x).Output;
        Same(F.Gru(x, null, gru.FlatWeights, numLayers: 2, dropout: 0, training: true).Output, eval);
        // Same generator state, same masks.
        var a = F.Gru(x, null, gru.FlatWeights, numLayers: 2, dropout: 0.5, generator: new Generator(9)).Output;
        var b = F.Gru(x, null, gru.FlatWeights, numLayers: 2, dropout: 0.5, generator: new Generator(9)).Output;
        Same(a, b);
        // p = 1: the second layer sees zeros, so its output is layer 2 alone on a zero input.
        var w = gru.FlatWeights;
        var dropped = F.Gru(x, null, w, numLayers: 2, dropout: 1).Output;
        Same(F.Gru(Tensor.Zeros([5, 2, 4]), null, w.Skip(4).ToArray()).Output, dropped, 1e-6);
        // The last layer's output is not dropped: one layer with dropout = 1 is unchanged.
        Same(F.Gru(x, null, w.Take(4).ToArray(), dropout: 0).Output, F.Gru(x, null, w.Take(4).ToArray(), dropout: 1).Output);
    }

    [Fact] // unbatched 2-D input equals the batch of one, with 2-D states
    public void UnbatchedEqualsBatchOfOne()
    {
        var lstm = new LSTM(3, 4, 2, bidirectional: true, generator: new Generator(13));
        var x = R(1, 6, 3);
        var hc = (R(2, 4, 4), R(3, 4, 4));
        var (y, (h, c)) = lstm.Forward(x, hc);
        var (yb, (hb, cb)) = lstm.Forward(x.Unsqueeze(1), (hc.Item1.Unsqueeze(1), hc.Item2.Unsqueeze(1)));
        Assert.Equal([6, 8], y.Shape.ToArray());
        Assert.Equal([4, 4], h.Shape.ToArray());
        Same(yb.Squeeze(1), y);
        Same(hb.Squeeze(1), h);
        Same(cb.Squeeze(1), c);
        var cell = new RNNCell(3, 4, generator: new Generator(14));
        Same(cell.Forward(x[0].Unsqueeze(0)).Squeeze(0), cell.Forward(x[0]));
    }

    [Fact] // a packed batch is each sequence run on its own (h_n at its own last step, reverse from its own end)
    public void PackedEqualsEachSequenceAlone()
    {
        int[] lengths = [2, 5, 3];
        var lstm = new LSTM(3, 4, 2, bidirectional: true, generator: new Generator(15));
        var x = R(1, 5, 3, 3);
        var h0 = R(2, 4, 3, 4);
        var c0 = R(3, 4, 3, 4);
        var (y, (h, c)) = lstm.Forward(RnnUtils.PackPaddedSequence(x, lengths, enforceSorted: false), (h0, c0));
        var (padded, lens) = RnnUtils.PadPackedSequence(y);
        Assert.Equal([2L, 5, 3], lens.ToArray<long>());
        for (int b = 0; b < 3; b++)
        {
            var xs = x.Narrow(0, 0, lengths[b]).Narrow(1, b, 1);
            var (yb, (hb, cb)) = lstm.Forward(xs, (h0.Narrow(1, b, 1), c0.Narrow(1, b, 1)));
            Same(yb, padded.Narrow(0, 0, lengths[b]).Narrow(1, b, 1), 1e-6);
            Same(hb, h.Narrow(1, b, 1), 1e-6);
            Same(cb, c.Narrow(1, b, 1), 1e-6);
            Assert.All(padded.Narrow(0, lengths[b], 5 - lengths[b]).Narrow(1, b, 1).ToArray<float>(), v => Assert.Equal(0f, v));
        }
    }

    [Theory] // the double-backward path (states recomputed with recorded ops) gives the same first derivatives
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("rnn")]
    public void CreateGraphGradientsEqualPlainGradients(string mode)
    {
        // Hidden 19: the kernels' vector loops and their scalar tails both run.
        var x = R(1, 4, 3, 5).To(DType.Float64).RequiresGrad_();
        var h0 = R(3, 2, 3, mode == "lstm" ? 7 : 19).To(DType.Float64).RequiresGrad_();
        Module m = mode switch
        {
            "lstm" => new LSTM(5, 19, bidirectional: true, projSize: 7, dtype: DType.Float64, generator: new Generator(16)),
            "gru" => new GRU(5, 19, bidirectional: true, dtype: DType.Float64, generator: new Generator(16)),
            _ => new RNN(5, 19, bidirectional: true, dtype: DType.Float64, generator: new Generator(16)),
        };
        Tensor Run() => m switch
        {
            LSTM l => l.Forward(x, (h0, R(4, 2, 3, 19).To(DType.Float64))).Output,
            GRU gru => gru.Forward(x, h0).Output,
            _ => ((RNN)m).Forward(x, h0).Output,
        };
        var g = R(2, 4, 3, mode == "lstm" ? 14 : 38).To(DType.Float64);
        Tensor[] wrt = [x, h0, .. m.Parameters()];
        var plain = Autograd.Grad([Run()], wrt, [g]);
        var graph = Autograd.Grad([Run()], wrt, [g], createGraph: true);
        for (int i = 0; i < wrt.Length; i++) Same(plain[i]!, graph[i]!, 1e-12);
        Assert.True(graph[0]!.RequiresGrad);
    }

    [Fact] // every step's rows are independent work: the result does not depend on the thread count
    public void ResultsDoNotDependOnThreadCount()
    {
        int saved = Lantern.Threads;
        try
        {
            var lstm = new LSTM(40, 48, 2, bidirectional: true, generator: new Generator(17));
            var x = R(1, 6, 64, 40);
            float[][] Run()
            {
                lstm.ZeroGrad();
                var xr = x.Clone().RequiresGrad_();
                var (y, (h, _)) = lstm.Forward(xr);
                y.Sum().Add(h.Sum()).Backward();
                return [y.ToArray<float>(), xr.Grad!.ToArray<float>(), .. lstm.Parameters().Select(p => p.Grad!.ToArray<float>())];
            }
            Lantern.Threads = 1;
            var one = Run();
            Lantern.Threads = 2;
            var two = Run();
            for (int i = 0; i < one.Length; i++) Assert.Equal(one[i], two[i]);
        }
        finally { Lantern.Threads = saved; }
    }

    [Fact]
    public void BadArgumentsNameTheLayer()
    {
        Assert.Contains("LSTM: proj_size has to be smaller than hidden_size", Assert.Throws<ArgumentException>(() => new LSTM(3, 4, projSize: 4)).Message);
        Assert.Contains("GRU: dropout should be a number in range [0, 1]", Assert.Throws<ArgumentException>(() => new GRU(3, 4, dropout: 1.5)).Message);
        Assert.Contains("RNN: hidden_size must be greater than zero", Assert.Throws<ArgumentException>(() => new RNN(3, 0)).Message);
        Assert.Contains("RNN: Unknown nonlinearity 'gelu'", Assert.Throws<ArgumentException>(() => new RNN(3, 4, nonlinearity: "gelu")).Message);
        Assert.Contains("RNNCell: Unknown nonlinearity", Assert.Throws<ArgumentException>(() => new RNNCell(3, 4, nonlinearity: "gelu")).Message);
        var lstm = new LSTM(3, 4, 2);
        Assert.Contains("LSTM: Expected hidden[1] size (2, 2, 4), got [2, 2, 3]",
            Assert.Throws<ArgumentException>(() => lstm.Forward(R(1, 5, 2, 3), (R(2, 2, 2, 4), R(3, 2, 2, 3)))).Message);
        Assert.Contains("LSTM: Expected hidden[0] size (2, 2, 4), got [2, 3, 4]",
            Assert.Throws<ArgumentException>(() => lstm.Forward(R(1, 5, 2, 3), (R(2, 2, 3, 4), R(3, 2, 2, 4)))).Message);
        Assert.Contains("LSTM: input.size(-1) must be equal to input_size. Expected 3, got 5",
            Assert.Throws<ArgumentException>(() => lstm.Forward(R(1, 5, 2, 5))).Message);
        Assert.Contains("LSTM: Expected input to be 2D or 3D, got 4D",
            Assert.Throws<ArgumentException>(() => lstm.Forward(R(1, 5, 2, 3, 1))).Message);
        Assert.Contains("LSTM: input dtype (Float64) does not match",
            Assert.Throws<ArgumentException>(() => lstm.Forward(R(1, 5, 2, 3).To(DType.Float64))).Message);
        Assert.Contains("GRUCell: Input batch size 2 doesn't match hidden0 batch size 3",
            Assert.Throws<ArgumentException>(() => new GRUCell(3, 4).Forward(R(1, 2, 3), R(2, 3, 4))).Message);
        Assert.Contains("GRU: packed input data must have 2 dimensions",
            Assert.Throws<ArgumentException>(() => new GRU(3, 4).Forward(RnnUtils.PackSequence([R(1, 2, 3, 1)]))).Message);
    }
}

using Lantern.NN;
using Lantern.Training.Summary;
using Xunit;

namespace Lantern.Tests.Training;

/// <summary>Model summary of a small CNN against parameter and MAC counts worked out by hand (formulas in the comments).</summary>
public class ModelSummaryTests
{
    private sealed class SmallCnn : Module<Tensor, Tensor>
    {
        private readonly Sequential _features;
        private readonly AdaptiveAvgPool2d _pool;
        private readonly Flatten _flatten;
        private readonly Linear _fc, _head;

        public SmallCnn()
        {
            _features = RegisterModule("features", new Sequential(
                new Conv2d(3, 8, 3, padding: 1),                  // 0
                new BatchNorm2d(8),                               // 1
                new ReLU(),                                       // 2
                new MaxPool2d(2),                                 // 3
                new Conv2d(8, 16, 3, stride: 2, padding: 1, groups: 2),   // 4
                new ReLU()));                                     // 5
            _pool = RegisterModule("pool", new AdaptiveAvgPool2d(1));
            _flatten = RegisterModule("flatten", new Flatten());
            _fc = RegisterModule("fc", new Linear(16, 10));
            _head = RegisterModule("head", new Linear(10, 4, bias: false));
            _head.RequiresGrad_(false);
        }

        public override Tensor Forward(Tensor x) => _head.Call(_fc.Call(_flatten.Call(_pool.Call(_features.Call(x)))));
    }

    private sealed class Scale : Module<Tensor, Tensor>
    {
        public override Tensor Forward(Tensor x) => x * 2;
    }

    private sealed class Twice : Module<Tensor, Tensor>
    {
        private readonly ReLU _act;
        private readonly Scale _scale;

        public Twice()
        {
            _act = RegisterModule("act", new ReLU());
            _scale = RegisterModule("scale", new Scale());
        }

        public override Tensor Forward(Tensor x) => _act.Call(_scale.Call(_act.Call(x)));
    }

    private static LayerSummary Row(ModelSummary s, string name) => s.Layers.Single(r => r.Name == name);

    [Fact]
    public void SmallCnnParametersShapesAndMacsByHand()
    {
        var model = new SmallCnn();
        var s = ModelSummary.Create(model, [2, 3, 16, 16]);
        // params: conv0 8·3·3·3 + 8 = 224; bn 2·8 = 16; conv4 16·(8/2)·3·3 + 16 = 592; fc 16·10 + 10 = 170; head 10·4 = 40 (frozen)
        Assert.Equal(224 + 16 + 592 + 170 + 40, s.TotalParameters);
        Assert.Equal(1042 - 40, s.TrainableParameters);
        Assert.Equal(40, s.NonTrainableParameters);
        Assert.Equal(1042 * 4, s.ParameterBytes);
        Assert.Equal(8 * 4 + 8 * 4 + 8, s.BufferBytes);   // running_mean, running_var (float32), num_batches_tracked (int64)

        // output shapes, batch 2: conv keeps 16x16; pool halves to 8; stride-2 conv: (8 + 2 - 3) / 2 + 1 = 4
        Assert.Equal([2, 8, 16, 16], Row(s, "features.0").OutputShape!);
        Assert.Equal([2, 8, 8, 8], Row(s, "features.3").OutputShape!);
        Assert.Equal([2, 16, 4, 4], Row(s, "features.4").OutputShape!);
        Assert.Equal([2, 16, 4, 4], Row(s, "features").OutputShape!);
        Assert.Equal([2, 16, 1, 1], Row(s, "pool").OutputShape!);
        Assert.Equal([2, 16], Row(s, "flatten").OutputShape!);
        Assert.Equal([2, 4], s.OutputShape);

        // MACs per sample
        long conv0 = 8L * 16 * 16 * 3 * 3 * 3;     // Cout·Hout·Wout·(Cin/groups)·kh·kw = 55,296
        long bn = 2L * 8 * 16 * 16;                // affine norm: 2 per element = 4,096
        long relu0 = 8L * 16 * 16;                 // 2,048
        long pool0 = 8L * 8 * 8 * 2 * 2;           // output elements · kernel area = 2,048
        long conv4 = 16L * 4 * 4 * (8 / 2) * 3 * 3; // 9,216
        long relu1 = 16L * 4 * 4;                  // 256
        long gap = 16L * 4 * 4;                    // adaptive pool: input elements = 256
        long fc = 16L * 10, head = 10L * 4;
        Assert.Equal(conv0, Row(s, "features.0").Macs);
        Assert.Equal(bn, Row(s, "features.1").Macs);
        Assert.Equal(relu0, Row(s, "features.2").Macs);
        Assert.Equal(pool0, Row(s, "features.3").Macs);
        Assert.Equal(conv4, Row(s, "features.4").Macs);
        Assert.Equal(relu1, Row(s, "features.5").Macs);
        Assert.Equal(gap, Row(s, "pool").Macs);
        Assert.Equal(0, Row(s, "flatten").Macs);
        Assert.Equal(fc, Row(s, "fc").Macs);
        Assert.Equal(head, Row(s, "head").Macs);
        Assert.Equal(conv0 + bn + relu0 + pool0 + conv4 + relu1, Row(s, "features").Macs);
        Assert.Equal(conv0 + bn + relu0 + pool0 + conv4 + relu1 + gap + fc + head, s.MacsPerSample);
        Assert.Equal(224 + 16 + 592, Row(s, "features").Parameters);
        Assert.Equal(0, Row(s, "head").TrainableParameters);
        Assert.Equal(2, Row(s, "features.4").Depth);
        Assert.Empty(s.ModulesWithoutMacs);

        // the pass ran in eval mode and left the model as it was (training, running stats untouched)
        Assert.True(model.Modules().All(m => m.Training));
        Assert.All(model.NamedBuffers().Where(b => b.Key.EndsWith("running_mean")).Single().Value.ToArray<float>(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void TableListsRowsAndTotals()
    {
        var s = ModelSummary.Create(new SmallCnn(), [1, 3, 16, 16]);
        string table = s.ToString();
        Assert.Contains("features (Sequential)", table);
        Assert.Contains("  4 (Conv2d)", table);
        Assert.Contains("[1, 16, 4, 4]", table);
        Assert.Contains("55,296", table);
        Assert.Contains("Total params: 1,042", table);
        Assert.Contains("Trainable params: 1,002", table);
        Assert.Contains("Non-trainable params: 40", table);
        Assert.Contains("MACs per sample: 73,416", table);
        Assert.Contains("Params size (MB): 0.00", table);
        string top = s.ToTable(maxDepth: 1);
        Assert.DoesNotContain("(Conv2d)", top);
        Assert.Contains("head (Linear)", top);
    }

    [Fact]
    public void ReusedModulesSumTheirCallsAndUnknownLeavesAreReported()
    {
        var s = ModelSummary.Create(new Twice(), [4, 5]);
        var act = Row(s, "act");
        Assert.Equal(2, act.Calls);
        Assert.Equal(2 * 5, act.Macs);   // two calls, 5 elements per sample each
        Assert.Null(Row(s, "scale").Macs);
        Assert.Equal(["scale"], s.ModulesWithoutMacs);
        Assert.Equal(10, s.MacsPerSample);
        Assert.Contains("not counted: scale", s.ToString());
    }

    [Fact]
    public void TransformerEncoderSelfAttentionMacs()
    {
        // E = 8, 2 heads, feed-forward 16, L = 5 tokens (batch first), per sample:
        // attention: q/k/v projections 3·L·E·E = 960 + scores L·L·E = 200 + weighted values L·L·E = 200 + output projection L·E·E = 320
        long attn = 3 * 5 * 8 * 8 + 5 * 5 * 8 + 5 * 5 * 8 + 5 * 8 * 8;
        long ff = 5 * 8 * 16 + 5 * 16 * 8, norms = 2 * (2 * 5 * 8);
        var layer = new TransformerEncoderLayer(8, 2, 16, dropout: 0, batchFirst: true);
        var s = ModelSummary.Create(layer, [2, 5, 8]);
        Assert.Equal(attn, Row(s, "self_attn").Macs);
        Assert.Equal(0, Row(s, "self_attn.out_proj").Macs);   // inside the attention count
        Assert.Equal(5 * 8 * 16, Row(s, "linear1").Macs);
        Assert.Equal(attn + ff + norms, s.MacsPerSample);
        Assert.Empty(s.ModulesWithoutMacs);
        // params: in_proj 3·8·8 + 24, out_proj 8·8 + 8, linear1 8·16 + 16, linear2 16·8 + 8, two LayerNorms 2·8 each
        Assert.Equal(216 + 72 + 144 + 136 + 32, s.TotalParameters);
        Assert.Equal(216 + 72, Row(s, "self_attn").Parameters);

        var stack = ModelSummary.Create(new TransformerEncoder(layer, 2), [1, 5, 8]);
        Assert.Equal(2 * (attn + ff + norms), stack.MacsPerSample);
        Assert.Equal(attn, Row(stack, "layers.1.self_attn").Macs);
        Assert.Equal([1, 5, 8], Row(stack, "layers.1.self_attn").OutputShape!);
    }

    [Fact]
    public void ThroughputAndBadArguments()
    {
        var model = new SmallCnn();
        var r = Throughput.Measure(model, [2, 3, 16, 16], warmup: 1, iterations: 3);
        Assert.Equal(2, r.BatchSize);
        Assert.True(r.MedianSeconds > 0 && r.MeanSeconds > 0);
        Assert.Equal(2 / r.MedianSeconds, r.SamplesPerSecond, 9);
        Assert.True(model.Training);
        var e = Assert.Throws<ArgumentException>(() => ModelSummary.Create(model, [2, 0, 16]));
        Assert.Contains("[2, 0, 16]", e.Message);
        Assert.Throws<ArgumentException>(() => Throughput.Measure(model, [1, 3, 16, 16], iterations: 0));
        Assert.ThrowsAny<Exception>(() => ModelSummary.Create(model, [1, 4, 16, 16]));   // the conv names the channel mismatch
        Assert.True(model.Training);
    }
}

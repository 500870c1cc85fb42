using Lantern.Data;
using Lantern.NN;
using Lantern.Optim;
using Lantern.Training;
using Xunit;

namespace Lantern.Tests.Training;

using Batch = (Tensor X, Tensor Y);

/// <summary>Trainer options: validation messages, limits, MaxSteps, accumulation (against a hand-written loop), clipping, validation schedule.</summary>
[Collection(GlobalRngCollection.Name)]
public class TrainerOptionTests
{
    [Fact]
    public void BadOptionsNameTheOptionAndValue()
    {
        Assert.Contains("MaxEpochs=-2", Assert.Throws<ArgumentException>(() => new Trainer { MaxEpochs = -2 }).Message);
        Assert.Contains("MaxSteps=-5", Assert.Throws<ArgumentException>(() => new Trainer { MaxSteps = -5 }).Message);
        Assert.Contains("MinEpochs=-1", Assert.Throws<ArgumentException>(() => new Trainer { MinEpochs = -1 }).Message);
        Assert.Contains("AccumulateGradBatches=0", Assert.Throws<ArgumentException>(() => new Trainer { AccumulateGradBatches = 0 }).Message);
        Assert.Contains("GradientClipAlgorithm=\"l2\"", Assert.Throws<ArgumentException>(() => new Trainer { GradientClipAlgorithm = "l2" }).Message);
        Assert.Contains("GradientClipVal=-1", Assert.Throws<ArgumentException>(() => new Trainer { GradientClipVal = -1 }).Message);
        Assert.Contains("LimitTrainBatches=1.5", Assert.Throws<ArgumentException>(() => new Trainer { LimitTrainBatches = 1.5 }).Message);
        Assert.Contains("LimitValBatches=-3", Assert.Throws<ArgumentException>(() => new Trainer { LimitValBatches = -3 }).Message);
        Assert.Contains("ValCheckInterval=0.0", Assert.Throws<ArgumentException>(() => new Trainer { ValCheckInterval = 0.0 }).Message);
        Assert.Contains("ValCheckInterval=0", Assert.Throws<ArgumentException>(() => new Trainer { ValCheckInterval = 0 }).Message);
        Assert.Contains("CheckValEveryNEpoch=0", Assert.Throws<ArgumentException>(() => new Trainer { CheckValEveryNEpoch = 0 }).Message);
        Assert.Contains("NumSanityValSteps=-2", Assert.Throws<ArgumentException>(() => new Trainer { NumSanityValSteps = -2 }).Message);
        Assert.Contains("LogEveryNSteps=0", Assert.Throws<ArgumentException>(() => new Trainer { LogEveryNSteps = 0 }).Message);

        var ds = TrainerTestKit.Data(8);
        var t = TrainerTestKit.Quiet(Path.GetTempPath());
        t.ValCheckInterval = 5;
        var e = Assert.Throws<ArgumentException>(() => t.Fit(new TinyClassifier(), TrainerTestKit.Loader(ds, 4, false), TrainerTestKit.Loader(ds, 4, false)));
        Assert.Contains("ValCheckInterval=5", e.Message);
        Assert.Contains("(2)", e.Message);
        var t2 = TrainerTestKit.Quiet(Path.GetTempPath());
        t2.LimitTrainBatches = 0.1;
        Assert.Contains("LimitTrainBatches=0.1", Assert.Throws<ArgumentException>(() => t2.Fit(new TinyClassifier(), TrainerTestKit.Loader(ds, 4, false))).Message);
        Assert.Contains("'/nonexistent/x.safetensors' does not exist", Assert.Throws<FileNotFoundException>(() =>
            TrainerTestKit.Quiet(Path.GetTempPath()).Fit(new TinyClassifier(), TrainerTestKit.Loader(ds, 4, false), ckptPath: "/nonexistent/x.safetensors")).Message);
    }

    private sealed class Counter : Callback
    {
        public int Validations, TrainBatches;
        public List<int> ValAtBatch = [];
        public override void OnValidationEnd(Trainer t, LightningModule m) { if (!t.SanityChecking) { Validations++; ValAtBatch.Add(t.BatchIdx); } }
        public override void OnTrainBatchEnd(Trainer t, LightningModule m, Tensor l, object? b, int i) => TrainBatches++;
    }

    [Theory]
    [InlineData(1.0, null, 3, new[] { 3, 3, 3 })]  // epoch end
    [InlineData(0.5, null, 3, new[] { 1, 3, 1, 3, 1, 3 })] // every 2 of 4 batches
    [InlineData(0.5, 2, 3, new[] { 1, 3 })] // only the second epoch
    public void ValidationSchedule(double interval, int? everyNEpoch, int epochs, int[] expectedBatches)
    {
        var ds = TrainerTestKit.Data(16);
        var c = new Counter();
        var t = TrainerTestKit.Quiet(Path.GetTempPath());
        t.MaxEpochs = epochs;
        t.ValCheckInterval = interval;
        t.CheckValEveryNEpoch = everyNEpoch ?? 1;
        t.NumSanityValSteps = 0;
        t.Callbacks.Add(c);
        t.Fit(new TinyClassifier(), TrainerTestKit.Loader(ds, 4, true), TrainerTestKit.Loader(ds, 8, false));
        Assert.Equal(expectedBatches, c.ValAtBatch);
    }

    [Fact]
    public void IntValCheckIntervalAcrossEpochsAndLimits()
    {
        var ds = TrainerTestKit.Data(12);
        var c = new Counter();
        var t = TrainerTestKit.Quiet(Path.GetTempPath());
        t.MaxEpochs = 2;
        t.ValCheckInterval = 2;                    // every 2 training batches counted across epochs
        t.CheckValEveryNEpoch = null;
        t.LimitValBatches = 1;
        t.NumSanityValSteps = 0;
        t.Callbacks.Add(c);
        t.Fit(new TinyClassifier(), TrainerTestKit.Loader(ds, 4, true), TrainerTestKit.Loader(ds, 4, false));
        Assert.Equal([1, 0, 2], c.ValAtBatch);     // total batches 2, 4, 6 → (epoch 0, b1), (epoch 1, b0), (epoch 1, b2)
        Assert.Equal(1, t.NumValBatches);
    }

    [Fact] // Lightning counts an epoch cut by max_steps as completed
    public void MaxStepsStopsMidEpoch()
    {
        var ds = TrainerTestKit.Data(12);
        var c = new Counter();
        var t = TrainerTestKit.Quiet(Path.GetTempPath());
        t.MaxSteps = 5;
        t.Callbacks.Add(c);
        t.Fit(new TinyClassifier(), TrainerTestKit.Loader(ds, 4, true));
        Assert.Equal(5, t.GlobalStep);
        Assert.Equal(5, c.TrainBatches);
        Assert.Equal(2, t.CurrentEpoch);
        Assert.Equal(1000, new Trainer().EffectiveMaxEpochs);
        Assert.Equal(-1, t.EffectiveMaxEpochs);
    }

    /// <summary>A linear model without randomness so the trainer can be compared with a hand-written loop.</summary>
    private sealed class LinearModel : LightningModule<Batch>
    {
        public readonly Linear Fc;
        public LinearModel() => Fc = RegisterModule("fc", new Linear(4, 3, generator: new Generator(3)));
        public override Tensor TrainingStep(Batch b, int i) => F.CrossEntropy(Fc.Call(b.X), b.Y);
        public override OptimizerConfig ConfigureOptimizers() => new SGD(Parameters(), lr: 0.5, momentum: 0.9);
    }

    [Fact] // 5 batches, accumulate 2: steps after batches 1, 3 and the last (4), each on the mean of the window's scaled losses
    public void AccumulationMatchesHandWrittenLoop()
    {
        var ds = TrainerTestKit.Data(20);
        var model = new LinearModel();
        var t = TrainerTestKit.Quiet(Path.GetTempPath());
        t.MaxEpochs = 2;
        t.AccumulateGradBatches = 2;
        t.Fit(model, TrainerTestKit.Loader(ds, 4, true));
        Assert.Equal(6, t.GlobalStep);

        var reference = new LinearModel();
        var opt = new SGD(reference.Parameters(), lr: 0.5, momentum: 0.9);
        var loader = TrainerTestKit.Loader(ds, 4, true);
        for (int epoch = 0; epoch < 2; epoch++)
        {
            loader.SetEpoch(epoch);
            var batches = loader.ToList();
            for (int i = 0; i < batches.Count; i++)
            {
                if (i % 2 == 0) opt.ZeroGrad();
                F.CrossEntropy(reference.Fc.Call(batches[i].X), batches[i].Y).Div(2).Backward();
                if (i % 2 == 1 || i == batches.Count - 1) opt.Step();
            }
        }
        TrainerTestKit.AssertBitEqual(reference, model);
    }

    [Theory]
    [InlineData("value")]
    [InlineData("norm")]
    public void GradientClipping(string algorithm)
    {
        var ds = TrainerTestKit.Data(4);
        var model = new LinearModel();
        var before = model.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
        var t = TrainerTestKit.Quiet(Path.GetTempPath());
        t.MaxSteps = 1;
        t.GradientClipVal = 1e-3;
        t.GradientClipAlgorithm = algorithm;
        t.Fit(model, TrainerTestKit.Loader(ds, 4, false));
        // SGD lr 0.5, first step (momentum buffer = grad): Δ = -0.5 * clipped grad
        var deltas = model.StateDict().SelectMany(kv => kv.Value.Sub(before[kv.Key]).ToArray<float>()).Select(d => Math.Abs(d) / 0.5).ToArray();
        if (algorithm == "value")
        {
            Assert.All(deltas, d => Assert.True(d <= 1e-3 * (1 + 1e-5), $"{d}"));
            Assert.Contains(deltas, d => Math.Abs(d - 1e-3) < 1e-8);
        }
        else Assert.Equal(1e-3, Math.Sqrt(deltas.Sum(d => d * d)), 1e-7);
    }

    [Fact]
    public void BadTrainingStepAndMissingSteps()
    {
        var ds = TrainerTestKit.Data(8);
        var e = Assert.Throws<InvalidOperationException>(() => TrainerTestKit.Quiet(Path.GetTempPath()).Fit(new VectorLoss(), TrainerTestKit.Loader(ds, 4, false)));
        Assert.Contains("scalar loss", e.Message);
        var v = Assert.Throws<InvalidOperationException>(() => TrainerTestKit.Quiet(Path.GetTempPath()).Validate(new LinearModel(), TrainerTestKit.Loader(ds, 4, false)));
        Assert.Contains("does not override ValidationStep", v.Message);
    }

    private sealed class VectorLoss : LightningModule<Batch>
    {
        private readonly Linear _fc;
        public VectorLoss() => _fc = RegisterModule("fc", new Linear(4, 3));
        public override Tensor TrainingStep(Batch b, int i) => _fc.Call(b.X).Sum(0);
        public override OptimizerConfig ConfigureOptimizers() => new SGD(Parameters(), lr: 0.1);
    }

    [Fact]
    public void PredictAndTestReturnResults()
    {
        var ds = TrainerTestKit.Data(10);
        var model = new TinyClassifier();
        var t = TrainerTestKit.Quiet(Path.GetTempPath());
        var preds = t.Predict(model, TrainerTestKit.Loader(ds, 4, false));
        Assert.Equal(3, preds.Count);
        Assert.Equal([4, 4, 2], preds.Select(p => ((Tensor)p!).Shape[0]));
        Assert.True(model.Training);    // the mode is restored
        var metrics = t.Test(model, TrainerTestKit.Loader(ds, 4, false));
        var all = (Tensor)t.Predict(model, TrainerTestKit.Loader(ds, 10, false))[0]!;
        double acc = all.Eq(ds.Tensors[1]).To(DType.Float64).Mean().Item<double>();
        Assert.Equal(acc, metrics["test_acc"], 12);  // weighted by batch size (4, 4, 2) = the accuracy over all 10 samples
    }
}

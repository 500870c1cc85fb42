using Lantern.Data;
using Lantern.NN;
using Lantern.Optim;
using Lantern.Training;

namespace Lantern.Tests.Training;

using Batch = (Tensor X, Tensor Y);

/// <summary>A 4-feature, 3-class classifier with dropout (draws from the global generator) for trainer tests.</summary>
internal class TinyClassifier : LightningModule<Batch>
{
    public readonly Linear Fc1, Fc2;
    public readonly Dropout Drop;
    public Func<Optimizer, SchedulerConfig[]>? Schedulers { get; set; }
    public double Lr = 0.05;

    public TinyClassifier(ulong seed = 1)
    {
        var g = new Generator(seed);
        Fc1 = RegisterModule("fc1", new Linear(4, 8, generator: g));
        Drop = RegisterModule("drop", new Dropout(0.25));
        Fc2 = RegisterModule("fc2", new Linear(8, 3, generator: g));
        HyperParameters["lr"] = Lr;
        HyperParameters["hidden"] = 8L;
    }

    public Tensor Forward(Tensor x) => Fc2.Call(Drop.Call(Fc1.Call(x).Relu()));

    public override Tensor TrainingStep(Batch batch, int batchIdx)
    {
        var loss = F.CrossEntropy(Forward(batch.X), batch.Y);
        Log("train_loss", loss, progBar: true);
        return loss;
    }

    public override object? ValidationStep(Batch batch, int batchIdx)
    {
        var logits = Forward(batch.X);
        Log("val_loss", F.CrossEntropy(logits, batch.Y), progBar: true);
        double acc = logits.ArgMax(1).Eq(batch.Y).To(DType.Float64).Mean().Item<double>();
        Log("val_acc", acc);
        return null;
    }

    public override object? TestStep(Batch batch, int batchIdx)
    {
        var logits = Forward(batch.X);
        Log("test_acc", logits.ArgMax(1).Eq(batch.Y).To(DType.Float64).Mean().Item<double>());
        return null;
    }

    public override object? PredictStep(Batch batch, int batchIdx) => Forward(batch.X).ArgMax(1);

    public override OptimizerConfig ConfigureOptimizers()
    {
        var opt = new Adam(Parameters(), lr: Lr);
        return new OptimizerConfig(opt, Schedulers?.Invoke(opt) ?? []);
    }
}

internal static class TrainerTestKit
{
    /// <summary>n samples of a separable 3-class problem (label = argmax of the first three features).</summary>
    public static TensorDataset Data(int n, ulong seed = 5)
    {
        var x = Tensor.Randn([n, 4], generator: new Generator(seed));
        var y = x.Narrow(1, 0, 3).ArgMax(1);
        return new TensorDataset(x, y);
    }

    public static DataLoader<Tensor[], Batch> Loader(TensorDataset ds, int batchSize, bool shuffle, ulong seed = 7) =>
        new(ds, batchSize: batchSize, shuffle: shuffle, generator: new Generator(seed));

    public static string TempDir()
    {
        string d = Path.Combine(Path.GetTempPath(), "lantern-trainer-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }

    public static Trainer Quiet(string dir) => new() { DefaultRootDir = dir, EnableProgressBar = false, EnableCheckpointing = false };

    public static void AssertBitEqual(Module a, Module b)
    {
        var sb = b.StateDict();
        foreach (var (k, t) in a.StateDict())
        {
            var x = t.ToArray<float>();
            var y = sb[k].ToArray<float>();
            Xunit.Assert.Equal(x.Length, y.Length);
            for (int i = 0; i < x.Length; i++)
                Xunit.Assert.True(BitConverter.SingleToInt32Bits(x[i]) == BitConverter.SingleToInt32Bits(y[i]), $"{k}[{i}]: {x[i]:R} != {y[i]:R}");
        }
    }
}

/// <summary>
/// Trainer tests draw from the global generator (dropout, loader seeds) and compare runs bit for bit, so they run alone,
/// never in parallel with other test classes that may draw from it.
/// </summary>
[Xunit.CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalRngCollection
{
    public const string Name = "Trainer (global generator)";
}

using Lantern.NN;

namespace Lantern.Training;

/// <summary>
/// A ready-made <see cref="LightningModule{TBatch}"/> for classification over <c>(Tensor X, Tensor Y)</c> batches (Y: class
/// indices): the network is registered as child "net" (checkpoint keys "net.…"; load a bare model with
/// <c>Checkpoint.LoadInto(model, path, prefix: "net.")</c>), the loss is cross-entropy, and it logs
/// "train_loss" (step and epoch, progress bar), "train_acc" (epoch), "val_loss" / "val_acc" and "test_loss" / "test_acc"
/// (epoch means weighted by batch size, progress bar). PredictStep returns the softmax probabilities.
/// </summary>
public sealed class ClassificationModule : LightningModule<(Tensor X, Tensor Y)>
{
    private readonly Func<ClassificationModule, OptimizerConfig> _configure;

    /// <summary>Wraps <paramref name="net"/>; <paramref name="configureOptimizers"/> builds the optimiser (and schedulers) from the module's parameters.</summary>
    /// <exception cref="ArgumentNullException">A null argument.</exception>
    public ClassificationModule(Module<Tensor, Tensor> net, Func<ClassificationModule, OptimizerConfig> configureOptimizers)
    {
        Net = RegisterModule("net", net ?? throw new ArgumentNullException(nameof(net)));
        _configure = configureOptimizers ?? throw new ArgumentNullException(nameof(configureOptimizers));
    }

    /// <summary>The wrapped network.</summary>
    public Module<Tensor, Tensor> Net { get; }

    /// <summary>The logits of a batch of inputs.</summary>
    public Tensor Forward(Tensor x) => Net.Call(x);

    /// <inheritdoc/>
    public override OptimizerConfig ConfigureOptimizers() => _configure(this);

    /// <inheritdoc/>
    public override Tensor TrainingStep((Tensor X, Tensor Y) batch, int batchIdx)
    {
        var logits = Forward(batch.X);
        var loss = F.CrossEntropy(logits, batch.Y);
        Log("train_loss", loss, onStep: true, onEpoch: true, progBar: true);
        Log("train_acc", Accuracy(logits, batch.Y), onStep: false, onEpoch: true);
        return loss;
    }

    /// <inheritdoc/>
    public override object? ValidationStep((Tensor X, Tensor Y) batch, int batchIdx)
    {
        var logits = Forward(batch.X);
        Log("val_loss", F.CrossEntropy(logits, batch.Y), progBar: true);
        Log("val_acc", Accuracy(logits, batch.Y), progBar: true);
        return null;
    }

    /// <inheritdoc/>
    public override object? TestStep((Tensor X, Tensor Y) batch, int batchIdx)
    {
        var logits = Forward(batch.X);
        Log("test_loss", F.CrossEntropy(logits, batch.Y));
        Log("test_acc", Accuracy(logits, batch.Y));
        return logits;
    }

    /// <inheritdoc/>
    public override object? PredictStep((Tensor X, Tensor Y) batch, int batchIdx) => F.Softmax(Forward(batch.X), 1);

    /// <summary>Fraction of rows whose arg-max equals the label.</summary>
    public static double Accuracy(Tensor logits, Tensor labels)
    {
        using var _ = Autograd.NoGrad();
        return logits.ArgMax(1).Eq(labels).To(DType.Float64).Mean().Item<double>();
    }
}

using Lantern.Cli.Commands;
using Lantern.NN;
using Lantern.Optim;
using Lantern.Training;

namespace Lantern.Cli.Run;

/// <summary>
/// Image classification as a LightningModule: inputs are normalised per channel ((x - mean) / std), the network
/// gives logits, the loss is cross-entropy (optional label smoothing). Logs train_loss (per step and epoch),
/// train_acc, val_loss, val_acc, test_loss and test_acc. The hyper-parameters saved in every checkpoint name the
/// model, data and normalisation, so eval and predict can rebuild the network from the checkpoint alone.
/// </summary>
public sealed class ClassifierTask : LightningModule<(Tensor Images, Tensor Labels)>
{
    private readonly Module<Tensor, Tensor> _net;
    private readonly Tensor _mean, _std;
    private readonly TrainOptions? _options;
    private readonly int _stepsPerEpoch;

    /// <summary>Predictions of the last test run (argmax per sample), in data order, when collecting.</summary>
    public List<long>? TestPredictions { get; set; }

    /// <summary>Targets of the last test run, in data order, when collecting.</summary>
    public List<long>? TestTargets { get; set; }

    public ClassifierTask(Module<Tensor, Tensor> net, ModelSpec spec, TrainOptions? options = null, int stepsPerEpoch = 1)
    {
        _net = RegisterModule("net", net);
        Spec = spec;
        _options = options;
        _stepsPerEpoch = stepsPerEpoch;
        int c = spec.Mean.Length;
        _mean = Tensor.FromArray(spec.Mean.Select(v => (float)v).ToArray(), [1, c, 1, 1]);
        _std = Tensor.FromArray(spec.Std.Select(v => (float)v).ToArray(), [1, c, 1, 1]);
        foreach (var (k, v) in spec.ToHyperParameters()) HyperParameters[k] = v;
        if (options is not null)
        {
            HyperParameters["optimizer"] = options.Optimizer;
            HyperParameters["lr"] = options.Lr;
            HyperParameters["batch_size"] = (long)options.BatchSize;
            HyperParameters["epochs"] = (long)options.Epochs;
            HyperParameters["scheduler"] = options.Scheduler;
            HyperParameters["weight_decay"] = options.WeightDecay;
            HyperParameters["seed"] = (long)options.Seed;
        }
    }

    /// <summary>What the network is and what it expects.</summary>
    public ModelSpec Spec { get; }

    /// <summary>The classification network (without normalisation).</summary>
    public Module<Tensor, Tensor> Net => _net;

    /// <summary>Logits [N, classes] of raw images [N, C, H, W] in [0, 1].</summary>
    public Tensor Forward(Tensor images) => _net.Call((images - _mean) / _std);

    public override Tensor TrainingStep((Tensor Images, Tensor Labels) batch, int batchIdx)
    {
        var logits = Forward(batch.Images);
        var loss = F.CrossEntropy(logits, batch.Labels, labelSmoothing: _options?.LabelSmoothing ?? 0);
        Log("train_loss", loss, onStep: true, onEpoch: true, progBar: true, batchSize: batch.Labels.Shape[0]);
        Log("train_acc", ClassificationModule.Accuracy(logits, batch.Labels), onStep: false, onEpoch: true, batchSize: batch.Labels.Shape[0]);
        return loss;
    }

    public override object? ValidationStep((Tensor Images, Tensor Labels) batch, int batchIdx)
    {
        var logits = Forward(batch.Images);
        Log("val_loss", F.CrossEntropy(logits, batch.Labels), progBar: true, batchSize: batch.Labels.Shape[0]);
        Log("val_acc", ClassificationModule.Accuracy(logits, batch.Labels), progBar: true, batchSize: batch.Labels.Shape[0]);
        return null;
    }

    public override object? TestStep((Tensor Images, Tensor Labels) batch, int batchIdx)
    {
        var logits = Forward(batch.Images);
        Log("test_loss", F.CrossEntropy(logits, batch.Labels), batchSize: batch.Labels.Shape[0]);
        Log("test_acc", ClassificationModule.Accuracy(logits, batch.Labels), batchSize: batch.Labels.Shape[0]);
        TestPredictions?.AddRange(logits.ArgMax(1).ToArray<long>());
        TestTargets?.AddRange(batch.Labels.ToArray<long>());
        return null;
    }

    public override OptimizerConfig ConfigureOptimizers()
    {
        var o = _options ?? throw new InvalidOperationException("ClassifierTask: training needs TrainOptions.");
        var ps = Parameters();
        Optimizer opt = o.Optimizer switch
        {
            "adam" => new Adam(ps, lr: o.Lr, weightDecay: o.WeightDecay),
            "adamw" => new AdamW(ps, lr: o.Lr, weightDecay: o.WeightDecay),
            "sgd" => new SGD(ps, lr: o.Lr, momentum: o.Momentum, weightDecay: o.WeightDecay),
            "rmsprop" => new RMSprop(ps, lr: o.Lr, momentum: o.Momentum, weightDecay: o.WeightDecay),
            "nadam" => new NAdam(ps, lr: o.Lr, weightDecay: o.WeightDecay),
            "radam" => new RAdam(ps, lr: o.Lr, weightDecay: o.WeightDecay),
            _ => throw new CliException($"unknown optimizer '{o.Optimizer}'."),
        };
        int total = Math.Max(1, o.MaxSteps ?? o.Epochs * _stepsPerEpoch);
        SchedulerConfig? sched = o.Scheduler switch
        {
            "none" => null,
            "step" => new SchedulerConfig(new StepLR(opt, stepSize: Math.Max(1, o.Epochs / 3)), interval: "epoch"),
            "cosine" => new SchedulerConfig(new CosineAnnealingLR(opt, tMax: total), interval: "step"),
            "warmup-cosine" => WarmupCosine(opt, total, (int)Math.Round(o.WarmupEpochs * _stepsPerEpoch)),
            "onecycle" => new SchedulerConfig(new OneCycleLR(opt, maxLr: o.Lr, totalSteps: total), interval: "step"),
            "plateau" => new SchedulerConfig(new ReduceLROnPlateau(opt, mode: "max", patience: 1), interval: "epoch", monitor: "val_acc"),
            _ => throw new CliException($"unknown scheduler '{o.Scheduler}'."),
        };
        return sched is null ? new OptimizerConfig(opt) : new OptimizerConfig(opt, sched);
    }

    // Linear warm-up from 1% of the rate over `warmup` steps, then cosine decay to 0 over the rest (SequentialLR).
    private static SchedulerConfig WarmupCosine(Optimizer opt, int total, int warmup)
    {
        warmup = Math.Clamp(warmup, 1, Math.Max(1, total - 1));
        var s = new SequentialLR(opt,
            [new LinearLR(opt, startFactor: 0.01, endFactor: 1.0, totalIters: warmup), new CosineAnnealingLR(opt, tMax: Math.Max(1, total - warmup))],
            [warmup]);
        return new SchedulerConfig(s, interval: "step");
    }
}

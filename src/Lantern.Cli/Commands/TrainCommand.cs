using Lantern.Cli.Run;
using System.CommandLine;

namespace Lantern.Cli.Commands;

/// <summary>Everything `lantern train` was asked to do, validated.</summary>
public sealed record TrainOptions
{
    public string Model { get; init; } = "cnn";
    public DataSpec Data { get; init; } = DataSpec.Embedded;
    public int Epochs { get; init; } = 3;
    public int BatchSize { get; init; } = 64;
    public double Lr { get; init; } = 1e-3;
    public string Optimizer { get; init; } = "adam";
    public double Momentum { get; init; } = 0.9;
    public string Scheduler { get; init; } = "none";
    public double WarmupEpochs { get; init; } = 1;
    public double WeightDecay { get; init; }
    public bool Ema { get; init; }
    public double EmaDecay { get; init; } = 0.999;
    public double LabelSmoothing { get; init; }
    public bool Augment { get; init; }
    public double ValFraction { get; init; } = 0.1;
    public ulong Seed { get; init; }
    public int Workers { get; init; }
    public int? Threads { get; init; }
    public string Output { get; init; } = "runs";
    public string? Name { get; init; }
    public string? Resume { get; init; }
    public int? MaxSteps { get; init; }
    public int? LimitTrainBatches { get; init; }
    public double? GradientClipVal { get; init; }
    public int AccumulateGradBatches { get; init; } = 1;
    public bool Plots { get; init; } = true;
    public int CheckpointEveryNSteps { get; init; } = 100;
}

/// <summary>`lantern train`: fits a model and writes runs/NAME/ (checkpoints, metrics.csv, TensorBoard events, plots).</summary>
public static class TrainCommand
{
    public static readonly string[] ModelNames = ["lenet", "mlp", "cnn", "resnet-small"];
    public static readonly string[] Optimizers = ["adam", "adamw", "sgd", "rmsprop", "nadam", "radam"];
    public static readonly string[] Schedulers = ["none", "step", "cosine", "warmup-cosine", "onecycle", "plateau"];

    public static Command Create(TextWriter output)
    {
        var model = new Option<string>("--model", "-m") { Description = "Model architecture.", DefaultValueFactory = _ => "cnn" };
        model.AcceptOnlyFromAmong(ModelNames);
        var data = OptionKit.DataOption("Training data (the test split is used for the final accuracy).");
        var epochs = new Option<int>("--epochs", "-e") { Description = "Number of epochs.", DefaultValueFactory = _ => 3 }.Positive();
        var batch = new Option<int>("--batch-size", "-b") { Description = "Mini-batch size.", DefaultValueFactory = _ => 64 }.Positive();
        var lr = new Option<double>("--lr") { Description = "Learning rate (peak rate with a scheduler).", DefaultValueFactory = _ => 1e-3 }.Positive();
        var optimizer = new Option<string>("--optimizer") { Description = "Optimiser.", DefaultValueFactory = _ => "adam" };
        optimizer.AcceptOnlyFromAmong(Optimizers);
        var momentum = new Option<double>("--momentum") { Description = "Momentum for sgd and rmsprop.", DefaultValueFactory = _ => 0.9 }.NonNegative();
        var scheduler = new Option<string>("--scheduler") { Description = "Learning-rate schedule: warmup-cosine = linear warm-up then cosine decay, stepped per batch.", DefaultValueFactory = _ => "none" };
        scheduler.AcceptOnlyFromAmong(Schedulers);
        var warmup = new Option<double>("--warmup-epochs") { Description = "Warm-up length for warmup-cosine, in epochs.", DefaultValueFactory = _ => 1.0 }.NonNegative();
        var wd = new Option<double>("--weight-decay") { Description = "Weight decay (decoupled for adamw, L2 otherwise).", DefaultValueFactory = _ => 0.0 }.NonNegative();
        var ema = new Option<bool>("--ema") { Description = "Keep an exponential moving average of the weights and validate with it." };
        var emaDecay = new Option<double>("--ema-decay") { Description = "EMA decay.", DefaultValueFactory = _ => 0.999 }.Below1(false);
        var smoothing = new Option<double>("--label-smoothing") { Description = "Cross-entropy label smoothing.", DefaultValueFactory = _ => 0.0 }.Below1(true);
        var augment = new Option<bool>("--augment") { Description = "Random crop (padding 2) and horizontal flip on training images." };
        var valFraction = new Option<double>("--val-fraction") { Description = "Share of the training split held out for validation and checkpoint selection (0: validate on the test split).", DefaultValueFactory = _ => 0.1 }.Below1(true);
        var seed = new Option<ulong>("--seed") { Description = "Seed of every random choice (init, shuffling, augmentation).", DefaultValueFactory = _ => 0UL };
        var workers = new Option<int>("--workers") { Description = "Background data-loading threads.", DefaultValueFactory = _ => 0 }.NonNegative();
        var threads = new Option<int?>("--threads") { Description = "Kernel threads (default: all cores)." };
        threads.Validators.Add(r => { if (r.Tokens.Count > 0 && r.GetValueOrDefault<int?>() is < 1) r.AddError($"--threads must be positive, but got {r.Tokens[0].Value}."); });
        var output_ = new Option<string>("--output", "-o") { Description = "Root folder of runs.", DefaultValueFactory = _ => "runs" };
        var name = new Option<string?>("--name") { Description = "Run folder name (default: MODEL-DATA, numbered when it exists)." };
        var resume = new Option<string?>("--resume") { Description = "Checkpoint to resume from (e.g. runs/NAME/checkpoints/last.safetensors)." };
        var maxSteps = new Option<int?>("--max-steps") { Description = "Stop after this many optimiser steps." };
        var limit = new Option<int?>("--limit-train-batches") { Description = "Batches per training epoch at most." };
        var clip = new Option<double?>("--gradient-clip-val") { Description = "Clip the gradient norm to this value." };
        var accumulate = new Option<int>("--accumulate-grad-batches") { Description = "Batches per optimiser step.", DefaultValueFactory = _ => 1 }.Positive();
        var noPlots = new Option<bool>("--no-plots") { Description = "Do not write PNG plots." };
        var ckptEvery = new Option<int>("--checkpoint-every-n-steps") { Description = "Optimiser steps between rolling last.safetensors checkpoints (also written at every epoch end).", DefaultValueFactory = _ => 100 }.Positive();
        var cmd = new Command("train", "Train a model; writes runs/NAME/ with best and last checkpoints, metrics.csv, TensorBoard events and PNG plots.")
        {
            model, data, epochs, batch, lr, optimizer, momentum, scheduler, warmup, wd, ema, emaDecay, smoothing, augment, valFraction,
            seed, workers, threads, output_, name, resume, maxSteps, limit, clip, accumulate, noPlots, ckptEvery,
        };
        cmd.SetAction(r =>
        {
            var o = new TrainOptions
            {
                Model = r.GetValue(model)!, Data = DataSpec.Parse(r.GetValue(data) ?? []), Epochs = r.GetValue(epochs), BatchSize = r.GetValue(batch),
                Lr = r.GetValue(lr), Optimizer = r.GetValue(optimizer)!, Momentum = r.GetValue(momentum), Scheduler = r.GetValue(scheduler)!,
                WarmupEpochs = r.GetValue(warmup), WeightDecay = r.GetValue(wd), Ema = r.GetValue(ema), EmaDecay = r.GetValue(emaDecay),
                LabelSmoothing = r.GetValue(smoothing), Augment = r.GetValue(augment), ValFraction = r.GetValue(valFraction), Seed = r.GetValue(seed),
                Workers = r.GetValue(workers), Threads = r.GetValue(threads), Output = r.GetValue(output_)!, Name = r.GetValue(name),
                Resume = r.GetValue(resume), MaxSteps = r.GetValue(maxSteps), LimitTrainBatches = r.GetValue(limit), GradientClipVal = r.GetValue(clip),
                AccumulateGradBatches = r.GetValue(accumulate), Plots = !r.GetValue(noPlots), CheckpointEveryNSteps = r.GetValue(ckptEvery),
            };
            if (o.MaxSteps is < 1) throw new CliException($"--max-steps must be positive, but got {o.MaxSteps}.");
            if (o.LimitTrainBatches is < 1) throw new CliException($"--limit-train-batches must be positive, but got {o.LimitTrainBatches}.");
            if (o.GradientClipVal is <= 0) throw new CliException($"--gradient-clip-val must be positive, but got {o.GradientClipVal}.");
            if (o.Resume is not null && !File.Exists(o.Resume)) throw new CliException($"checkpoint not found: {o.Resume}");
            return TrainRun.Execute(o, output);
        });
        return cmd;
    }
}

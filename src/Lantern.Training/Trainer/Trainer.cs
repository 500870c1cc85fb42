using Lantern.Optim;

namespace Lantern.Training;

/// <summary>
/// A Lightning-style trainer (lightning.pytorch.Trainer): runs <see cref="Fit{TBatch}"/>, <see cref="Validate{TBatch}"/>,
/// <see cref="Test{TBatch}"/> and <see cref="Predict{TBatch}"/> of a <see cref="LightningModule{TBatch}"/> over loaders (any
/// <c>IEnumerable&lt;TBatch&gt;</c>; a <c>DataLoader</c> gets <c>SetEpoch(epoch)</c> before each training epoch). Set the
/// options with an object initializer; a bad value throws an <see cref="ArgumentException"/> naming the option and value.
/// The loops (fit -&gt; training epoch -&gt; optimisation step) keep their progress (epoch, global step, batch within the
/// epoch, stage) in checkpoints, so <c>Fit(..., ckptPath)</c> continues a run exactly, also from a mid-epoch checkpoint.
/// </summary>
/// <example><code>
/// var trainer = new Trainer { MaxEpochs = 3, DefaultRootDir = "runs/a", Callbacks = { new ModelCheckpoint(monitor: "val_acc", mode: "max", saveLast: true) },
///     Loggers = { new CsvLogger("runs/a", name: "", version: "") } };
/// trainer.Fit(model, trainLoader, valLoader);
/// var metrics = trainer.Test(model, testLoader);
/// </code></example>
public sealed partial class Trainer
{
    private int? _maxEpochs;
    private long _maxSteps = -1;
    private int _minEpochs;
    private BatchLimit _valCheckInterval = BatchLimit.All, _limitTrain = BatchLimit.All, _limitVal = BatchLimit.All, _limitTest = BatchLimit.All, _limitPredict = BatchLimit.All;
    private int? _checkValEveryNEpoch = 1;
    private int _accumulate = 1, _numSanity = 2, _logEvery = 50;
    private double? _clipVal;
    private string _clipAlgorithm = "norm";

    /// <summary>Creates a trainer; set options with an initializer.</summary>
    public Trainer()
    {
        Metrics = new MetricStore(this);
    }

    /// <summary>Stop after this many epochs (default: 1000 when MaxSteps is -1, else unlimited; -1 = unlimited).</summary>
    /// <exception cref="ArgumentException">Less than -1.</exception>
    public int? MaxEpochs
    {
        get => _maxEpochs;
        set => _maxEpochs = value is < -1 ? throw Bad(nameof(MaxEpochs), value, "must be >= -1 (-1 = unlimited) or null") : value;
    }

    /// <summary>Stop after this many optimiser steps (-1 = unlimited, the default).</summary>
    /// <exception cref="ArgumentException">Less than -1.</exception>
    public long MaxSteps
    {
        get => _maxSteps;
        set => _maxSteps = value < -1 ? throw Bad(nameof(MaxSteps), value, "must be >= -1 (-1 = unlimited)") : value;
    }

    /// <summary>Train at least this many epochs even when a callback requests a stop (default 0).</summary>
    /// <exception cref="ArgumentException">Negative.</exception>
    public int MinEpochs
    {
        get => _minEpochs;
        set => _minEpochs = value < 0 ? throw Bad(nameof(MinEpochs), value, "must be >= 0") : value;
    }

    /// <summary>Validate every this fraction of the training epoch (double in (0, 1]) or every this many training batches (int).</summary>
    /// <exception cref="ArgumentException">A fraction outside (0, 1] or a count below 1.</exception>
    public BatchLimit ValCheckInterval
    {
        get => _valCheckInterval;
        set => _valCheckInterval = value.Checked(nameof(ValCheckInterval), allowZero: false);
    }

    /// <summary>Validate every N epochs (default 1); null: validate by <see cref="ValCheckInterval"/> batches across epochs.</summary>
    /// <exception cref="ArgumentException">Below 1.</exception>
    public int? CheckValEveryNEpoch
    {
        get => _checkValEveryNEpoch;
        set => _checkValEveryNEpoch = value is < 1 ? throw Bad(nameof(CheckValEveryNEpoch), value, "must be >= 1 or null") : value;
    }

    /// <summary>Training batches per epoch: count (int) or fraction (double).</summary>
    public BatchLimit LimitTrainBatches { get => _limitTrain; set => _limitTrain = value.Checked(nameof(LimitTrainBatches)); }

    /// <summary>Validation batches per run: count (int) or fraction (double); 0 disables validation.</summary>
    public BatchLimit LimitValBatches { get => _limitVal; set => _limitVal = value.Checked(nameof(LimitValBatches)); }

    /// <summary>Test batches: count (int) or fraction (double).</summary>
    public BatchLimit LimitTestBatches { get => _limitTest; set => _limitTest = value.Checked(nameof(LimitTestBatches)); }

    /// <summary>Prediction batches: count (int) or fraction (double).</summary>
    public BatchLimit LimitPredictBatches { get => _limitPredict; set => _limitPredict = value.Checked(nameof(LimitPredictBatches)); }

    /// <summary>Accumulate gradients over this many batches per optimiser step (the loss is divided by it; default 1).</summary>
    /// <exception cref="ArgumentException">Below 1.</exception>
    public int AccumulateGradBatches
    {
        get => _accumulate;
        set => _accumulate = value < 1 ? throw Bad(nameof(AccumulateGradBatches), value, "must be >= 1") : value;
    }

    /// <summary>Clip gradients before each optimiser step to this norm or value (null or 0: no clipping).</summary>
    /// <exception cref="ArgumentException">Negative or NaN.</exception>
    public double? GradientClipVal
    {
        get => _clipVal;
        set => _clipVal = value is { } v && !(v >= 0) ? throw Bad(nameof(GradientClipVal), v, "must be >= 0") : value;
    }

    /// <summary>"norm" (clip the total 2-norm, the default) or "value" (clamp each element).</summary>
    /// <exception cref="ArgumentException">Another string.</exception>
    public string GradientClipAlgorithm
    {
        get => _clipAlgorithm;
        set => _clipAlgorithm = value is "norm" or "value" ? value : throw Bad(nameof(GradientClipAlgorithm), $"\"{value}\"", "must be \"norm\" or \"value\"");
    }

    /// <summary>
    /// Requests deterministic results. Lantern's kernels and loaders are deterministic whatever the thread count, so this
    /// changes nothing at present; it is kept for Lightning parity and recorded in the hyper-parameters.
    /// </summary>
    public bool Deterministic { get; set; }

    /// <summary>Validation batches run before training to catch bugs early (default 2; -1 = all; 0 = none).</summary>
    /// <exception cref="ArgumentException">Below -1.</exception>
    public int NumSanityValSteps
    {
        get => _numSanity;
        set => _numSanity = value < -1 ? throw Bad(nameof(NumSanityValSteps), value, "must be >= -1 (-1 = all batches)") : value;
    }

    /// <summary>Send step metrics to the loggers every N optimiser steps (default 50).</summary>
    /// <exception cref="ArgumentException">Below 1.</exception>
    public int LogEveryNSteps
    {
        get => _logEvery;
        set => _logEvery = value < 1 ? throw Bad(nameof(LogEveryNSteps), value, "must be >= 1") : value;
    }

    /// <summary>The callbacks (a <see cref="ProgressBar"/> and a <see cref="ModelCheckpoint"/> are added when enabled and absent).</summary>
    public List<Callback> Callbacks { get; init; } = [];

    /// <summary>The loggers (none by default).</summary>
    public List<Logger> Loggers { get; init; } = [];

    /// <summary>Directory for default checkpoints when no logger has a log directory (default: the current directory).</summary>
    public string DefaultRootDir { get; set; } = Directory.GetCurrentDirectory();

    /// <summary>Add a <see cref="ProgressBar"/> when no progress-bar callback is given (default true).</summary>
    public bool EnableProgressBar { get; set; } = true;

    /// <summary>Add a default <see cref="ModelCheckpoint"/> (last epoch, in LogDir/checkpoints) when none is given (default true).</summary>
    public bool EnableCheckpointing { get; set; } = true;

    // ---- state ----

    /// <summary>The module being run.</summary>
    public LightningModule? Module { get; private set; }

    /// <summary>"fit", "validate", "test", "predict", or null when idle.</summary>
    public string? Stage { get; private set; }

    /// <summary>True while the sanity-check validation runs.</summary>
    public bool SanityChecking { get; private set; }

    /// <summary>The current epoch (number of completed training epochs while none is running).</summary>
    public int CurrentEpoch => Progress.Epoch;

    /// <summary>Optimiser steps taken.</summary>
    public long GlobalStep => Progress.GlobalStep;

    /// <summary>Index of the current training batch within the epoch.</summary>
    public int BatchIdx { get; internal set; }

    /// <summary>Set by a callback (e.g. <see cref="EarlyStopping"/>) to stop training once MinEpochs are done.</summary>
    public bool ShouldStop { get => Progress.ShouldStop; set => Progress.ShouldStop = value; }

    /// <summary>The optimiser(s) configured by the module.</summary>
    public IReadOnlyList<Optimizer> Optimizers { get; private set; } = [];

    /// <summary>The learning-rate schedulers configured by the module.</summary>
    public IReadOnlyList<SchedulerConfig> LrSchedulerConfigs { get; private set; } = [];

    /// <summary>The latest value of every logged metric (step values during an epoch, reductions after) — what monitors read.</summary>
    public IReadOnlyDictionary<string, double> CallbackMetrics => Metrics.Callback;

    /// <summary>The metrics logged with progBar: true.</summary>
    public IReadOnlyDictionary<string, double> ProgressBarMetrics => Metrics.ProgressBar;

    /// <summary>The metrics sent to the loggers.</summary>
    public IReadOnlyDictionary<string, double> LoggedMetrics => Metrics.Logged;

    /// <summary>Training batches per epoch after LimitTrainBatches (int.MaxValue: unknown length).</summary>
    public int NumTrainingBatches { get; private set; }

    /// <summary>Validation batches per run after LimitValBatches.</summary>
    public int NumValBatches { get; private set; }

    /// <summary>Batches of the current evaluation or prediction run.</summary>
    public int NumEvalBatches { get; private set; }

    /// <summary>Optimiser steps counted for logging (Lightning's _batches_that_stepped): the step value sent to loggers.</summary>
    public long LoggerStep => Progress.BatchesThatStepped;

    /// <summary>True once a validation run finished in this fit.</summary>
    public bool ValidationHasRun { get; internal set; }

    /// <summary>The callbacks in use (user callbacks plus defaults, checkpoint callbacks last), set when a run starts.</summary>
    public IReadOnlyList<Callback> ActiveCallbacks => _active;

    /// <summary>The first <see cref="ModelCheckpoint"/> in use, or null.</summary>
    public ModelCheckpoint? CheckpointCallback => _active.OfType<ModelCheckpoint>().FirstOrDefault();

    /// <summary>The first logger's directory, else <see cref="DefaultRootDir"/>.</summary>
    public string LogDir => Loggers.Select(l => l.LogDir).FirstOrDefault(d => d is not null) ?? DefaultRootDir;

    internal MetricStore Metrics { get; }
    internal LoopProgress Progress { get; private set; } = new();
    private List<Callback> _active = [];

    /// <summary>The maximum epochs in effect (Lightning: 1000 when neither MaxEpochs nor MaxSteps is set; -1 = unlimited).</summary>
    public int EffectiveMaxEpochs => _maxEpochs ?? (_maxSteps == -1 ? 1000 : -1);

    private static ArgumentException Bad(string option, object? value, string rule) =>
        new($"Trainer: {option}={value ?? "null"} is invalid; it {rule}.", option);
}

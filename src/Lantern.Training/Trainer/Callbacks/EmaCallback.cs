using Lantern.Optim;

namespace Lantern.Training;

/// <summary>
/// Keeps an exponential moving average of the module's weights (<see cref="ModelEma"/>) updated after every optimiser step,
/// and validates / tests with the averaged weights: they are swapped in at validation (test) start and the trained weights
/// are restored at its end, before checkpoint callbacks run, so checkpoints hold the trained weights plus the average
/// (saved in this callback's state). <see cref="SwapAtFitEnd"/> leaves the averaged weights in the module when fit ends.
/// </summary>
public sealed class EmaCallback : Callback
{
    private ModelEma? _ema;
    private IDisposable? _swap;
    private long _lastStep = -1;

    /// <summary>Configures the average (see <see cref="ModelEma"/> for decay and tau).</summary>
    /// <exception cref="ArgumentException">decay outside [0, 1] or tau &lt; 0.</exception>
    public EmaCallback(double decay = 0.999, double tau = 0, bool averageBuffers = true, bool validateWithEma = true, bool swapAtFitEnd = false)
    {
        if (!(decay >= 0 && decay <= 1)) throw new ArgumentException($"EmaCallback: decay must be in [0, 1], got {decay}.");
        if (!(tau >= 0)) throw new ArgumentException($"EmaCallback: tau must be >= 0, got {tau}.");
        Decay = decay;
        Tau = tau;
        AverageBuffers = averageBuffers;
        ValidateWithEma = validateWithEma;
        SwapAtFitEnd = swapAtFitEnd;
    }

    /// <summary>The decay.</summary>
    public double Decay { get; }
    /// <summary>The warm-up time constant (0: none).</summary>
    public double Tau { get; }
    /// <summary>Whether buffers are averaged.</summary>
    public bool AverageBuffers { get; }
    /// <summary>Whether validation and test use the averaged weights.</summary>
    public bool ValidateWithEma { get; }
    /// <summary>Whether the averaged weights are loaded into the module when fit ends.</summary>
    public bool SwapAtFitEnd { get; }
    /// <summary>The average (null before fit starts).</summary>
    public ModelEma? Ema => _ema;

    /// <inheritdoc/>
    public override void Setup(Trainer trainer, LightningModule module, string stage) =>
        _ema ??= new ModelEma(module, Decay, Tau, AverageBuffers);

    /// <inheritdoc/>
    public override void OnTrainBatchEnd(Trainer trainer, LightningModule module, Tensor loss, object? batch, int batchIdx)
    {
        if (trainer.GlobalStep == _lastStep) return; // accumulating: no optimiser step on this batch
        _lastStep = trainer.GlobalStep;
        _ema!.Update(module);
    }

    /// <inheritdoc/>
    public override void OnValidationStart(Trainer trainer, LightningModule module) => SwapIn(trainer, module);
    /// <inheritdoc/>
    public override void OnValidationEnd(Trainer trainer, LightningModule module) => SwapOut();
    /// <inheritdoc/>
    public override void OnTestStart(Trainer trainer, LightningModule module) => SwapIn(trainer, module);
    /// <inheritdoc/>
    public override void OnTestEnd(Trainer trainer, LightningModule module) => SwapOut();
    /// <inheritdoc/>
    public override void OnException(Trainer trainer, LightningModule module, Exception exception) => SwapOut();

    /// <inheritdoc/>
    public override void OnFitEnd(Trainer trainer, LightningModule module)
    {
        if (SwapAtFitEnd) _ema!.CopyTo(module);
    }

    private void SwapIn(Trainer t, LightningModule m)
    {
        if (!ValidateWithEma || _ema is null || _swap is not null || t.SanityChecking) return;
        _swap = _ema.Swap(m);
    }

    private void SwapOut()
    {
        _swap?.Dispose();
        _swap = null;
    }

    /// <inheritdoc/>
    public override Dictionary<string, object>? StateDict()
    {
        if (_ema is null) return null;
        var d = _ema.StateDict();
        d["last_step"] = _lastStep;
        return d;
    }

    /// <inheritdoc/>
    public override void LoadStateDict(Dictionary<string, object> state)
    {
        if (_ema is null) throw new InvalidOperationException("EmaCallback: state loaded before Setup created the average.");
        _ema.LoadStateDict(state);
        if (state.TryGetValue("last_step", out var s) && s is long l) _lastStep = l;
    }
}

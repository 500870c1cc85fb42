using Lantern.NN;

namespace Lantern.Optim;

/// <summary>An averaging rule: the new average from the average, the current value and how many values were averaged so far.</summary>
public delegate Tensor AveragingFunction(Tensor averaged, Tensor current, long numAveraged);

/// <summary>
/// torch.optim.swa_utils.AveragedModel: a copy of a model whose parameters (and, with useBuffers, buffers) are
/// a running average of the model's, updated by <see cref="UpdateParameters"/>. The first update copies; later
/// ones apply the averaging function (default: the equal-weight SWA mean a + (x - a) / (n + 1)). Without
/// useBuffers the buffers are copied from the model at every update. Forward runs the averaged copy.
/// State-dict keys are PyTorch's: "n_averaged", then "module.*".
/// </summary>
/// <typeparam name="TIn">Forward input.</typeparam>
/// <typeparam name="TOut">Forward output.</typeparam>
/// <example><code>var swa = new AveragedModel&lt;Tensor, Tensor&gt;(model, () => new Net()); ... swa.UpdateParameters(model);</code></example>
public sealed class AveragedModel<TIn, TOut> : Module<TIn, TOut>
{
    private readonly AveragingFunction _avg;

    /// <summary>
    /// Averages <paramref name="model"/>. Lantern has no generic deep copy of modules, so <paramref name="createCopy"/>
    /// builds a module of the same architecture; the model's parameters and buffers are copied into it.
    /// </summary>
    /// <exception cref="ArgumentException">The copy's parameters or buffers do not match the model's (count or shapes).</exception>
    public AveragedModel(Module<TIn, TOut> model, Func<Module<TIn, TOut>> createCopy, AveragingFunction? avgFn = null, bool useBuffers = false)
    {
        var copy = createCopy();
        using (Autograd.NoGrad())
            foreach (var (a, b) in Pairs(copy.Parameters().Concat(copy.Buffers()), model.Parameters().Concat(model.Buffers())))
                a.Copy_(b.Detach().To(a.DType));
        RegisterBuffer("n_averaged", Tensor.Zeros([], DType.Int64));
        RegisterModule("module", copy);
        _avg = avgFn ?? SwaUtils.SwaAverage;
        UseBuffers = useBuffers;
    }

    /// <summary>The averaged copy.</summary>
    public Module<TIn, TOut> Module => (Module<TIn, TOut>)GetModule("module")!;

    /// <summary>Number of models averaged so far ("n_averaged").</summary>
    public long NAveraged => GetBuffer("n_averaged")!.Item<long>();

    /// <summary>Whether buffers are averaged too (otherwise copied).</summary>
    public bool UseBuffers { get; }

    /// <inheritdoc/>
    public override TOut Forward(TIn input) => Module.Call(input);

    private IEnumerable<(Tensor Averaged, Tensor Current)> Pairs(IEnumerable<Tensor> ours, IEnumerable<Tensor> theirs)
    {
        var a = ours.ToList();
        var b = theirs.ToList();
        if (a.Count != b.Count)
            throw new ArgumentException($"AveragedModel: the averaged copy has {a.Count} tensors, the model {b.Count}.");
        for (int i = 0; i < a.Count; i++)
        {
            if (a[i].Shape != b[i].Shape)
                throw new ArgumentException($"AveragedModel: tensor {i} has shape {a[i].Shape} in the averaged copy and {b[i].Shape} in the model.");
            yield return (a[i], b[i]);
        }
    }

    /// <summary>torch's update_parameters: folds the model's current values into the average, then n_averaged += 1.</summary>
    /// <exception cref="ArgumentException">The model's parameters or buffers do not match the averaged copy's.</exception>
    public void UpdateParameters(Module model)
    {
        using var _ = Autograd.NoGrad();
        long n = NAveraged;
        var ours = UseBuffers ? Module.Parameters().Concat(Module.Buffers()) : Module.Parameters();
        var theirs = UseBuffers ? model.Parameters().Concat(model.Buffers()) : model.Parameters();
        foreach (var (a, b) in Pairs(ours, theirs))
        {
            var cur = b.Detach();
            a.Copy_(n == 0 ? cur : _avg(a.Detach(), cur, n).To(a.DType));
        }
        if (!UseBuffers)
            foreach (var (a, b) in Pairs(Module.Buffers(), model.Buffers())) a.Copy_(b.Detach());
        GetBuffer("n_averaged")!.Add_(1);
    }
}

/// <summary>
/// torch.optim.swa_utils helpers: averaging rules for <see cref="AveragedModel{TIn, TOut}"/> and
/// <see cref="UpdateBn{TIn, TOut}"/>, which recomputes BatchNorm running statistics for averaged weights.
/// </summary>
public static class SwaUtils
{
    /// <summary>get_swa_avg_fn: the equal-weight mean a + (x - a) / (n + 1).</summary>
    public static Tensor SwaAverage(Tensor averaged, Tensor current, long numAveraged) =>
        averaged.Add(current.Sub(averaged).Div(numAveraged + 1));

    /// <summary>get_ema_avg_fn(decay): decay · a + (1 - decay) · x.</summary>
    public static AveragingFunction EmaAverage(double decay = 0.999) =>
        (a, x, _) => a.Mul(decay).Add(x.Mul(1 - decay));

    /// <summary>get_ema_multi_avg_fn(decay): lerp(a, x, 1 - decay), the form ModelEma uses.</summary>
    public static AveragingFunction EmaLerp(double decay = 0.999) => (a, x, _) => Lerp(a, x, 1 - decay);

    /// <summary>ATen's lerp with a scalar weight (weights &gt;= 0.5 use end - (end - start)(1 - w)).</summary>
    internal static Tensor Lerp(Tensor start, Tensor end, double weight)
    {
        double w = start.DType == DType.Float32 ? (float)weight : weight;
        return Math.Abs(w) < 0.5 ? start.Add(end.Sub(start).Mul(weight)) : end.Sub(end.Sub(start).Mul(1 - w));
    }

    /// <summary>
    /// torch.optim.swa_utils.update_bn: resets the running statistics of every <see cref="IRunningStats"/> layer,
    /// sets their momentum to null (cumulative average), runs the model in training mode over
    /// <paramref name="inputs"/> without recording gradients, then restores the momenta and the training mode.
    /// </summary>
    /// <exception cref="NotSupportedException">A module has running_mean/running_var buffers but does not implement <see cref="IRunningStats"/>.</exception>
    public static void UpdateBn<TIn, TOut>(IEnumerable<TIn> inputs, Module<TIn, TOut> model)
    {
        var momenta = new List<(IRunningStats Layer, double? Momentum)>();
        foreach (var (name, m) in model.NamedModules())
        {
            if (m is IRunningStats bn)
            {
                bn.ResetRunningStats();
                momenta.Add((bn, bn.Momentum));
            }
            else if (FineTuning.HasRunningStats(m))
                throw new NotSupportedException($"UpdateBn: module '{name}' ({m.Name}) has running statistics but does not implement IRunningStats.");
        }
        if (momenta.Count == 0) return;
        bool wasTraining = model.Training;
        model.Train();
        foreach (var (bn, _) in momenta) bn.Momentum = null;
        try
        {
            using (Autograd.NoGrad())
                foreach (var x in inputs) model.Call(x);
        }
        finally
        {
            foreach (var (bn, m) in momenta) bn.Momentum = m;
            model.Train(wasTraining);
        }
    }
}

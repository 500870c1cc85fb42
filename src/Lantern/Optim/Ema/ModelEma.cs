using Lantern.NN;

namespace Lantern.Optim;

/// <summary>
/// An exponential moving average of a model's weights (timm's ModelEma / ultralytics' ModelEMA): after every
/// optimiser step, <see cref="Update"/> moves each floating shadow tensor towards the model's,
/// ema = lerp(ema, θ, 1 - d) (PyTorch's get_ema_multi_avg_fn), with d = decay, or with a warm-up
/// d = decay · (1 - exp(-updates / tau)) so early averages are not dominated by the random initialisation.
/// Buffers (running statistics) are averaged too, or copied with <c>averageBuffers: false</c>; integer buffers are
/// always copied. The shadow is keyed like the model's state dict; <see cref="Swap"/> evaluates with the
/// averaged weights and restores the trained ones.
/// </summary>
/// <example><code>
/// var ema = new ModelEma(model, decay: 0.9999, tau: 2000);
/// ... opt.Step(); ema.Update(model);
/// using (ema.Swap(model)) { Evaluate(model); }
/// </code></example>
public sealed class ModelEma
{
    private readonly OrderedDictionary<string, Tensor> _shadow = new();
    private readonly HashSet<string> _parameterKeys;

    /// <summary>A moving average starting from the model's current weights.</summary>
    /// <exception cref="ArgumentException">decay outside [0, 1] or tau &lt; 0.</exception>
    public ModelEma(Module model, double decay = 0.9999, double tau = 0, bool averageBuffers = true)
    {
        if (!(decay >= 0 && decay <= 1)) throw new ArgumentException($"ModelEma: decay must be in [0, 1], got {decay}.");
        if (!(tau >= 0)) throw new ArgumentException($"ModelEma: tau must be >= 0 (0 disables the warm-up), got {tau}.");
        Decay = decay;
        Tau = tau;
        AverageBuffers = averageBuffers;
        _parameterKeys = model.NamedParameters().Select(p => p.Key).ToHashSet();
        foreach (var (k, v) in model.StateDict()) _shadow[k] = StateDicts.CloneTensor(v);
    }

    /// <summary>The target decay.</summary>
    public double Decay { get; }

    /// <summary>Warm-up time constant in updates (0: no warm-up).</summary>
    public double Tau { get; }

    /// <summary>Whether floating buffers are averaged (else copied).</summary>
    public bool AverageBuffers { get; }

    /// <summary>Number of <see cref="Update"/> calls.</summary>
    public long Updates { get; private set; }

    /// <summary>The decay the next update will use.</summary>
    public double DecayAt(long updates) => Tau > 0 ? Decay * (1 - Math.Exp(-updates / Tau)) : Decay;

    /// <summary>The averaged weights under the model's state-dict keys (live tensors; do not modify).</summary>
    public IReadOnlyDictionary<string, Tensor> Shadow => _shadow;

    /// <summary>Folds the model's current weights into the average.</summary>
    /// <exception cref="ArgumentException">The model's state-dict keys or shapes differ from the shadow's.</exception>
    public void Update(Module model)
    {
        var sd = model.StateDict();
        Check(sd);
        Updates++;
        double d = DecayAt(Updates);
        using var _ = Autograd.NoGrad();
        foreach (var (k, v) in sd)
        {
            var s = _shadow[k];
            bool average = s.DType.IsFloatingPoint() && (AverageBuffers || _parameterKeys.Contains(k));
            s.Copy_(average ? SwaUtils.Lerp(s, v.To(s.DType), 1 - d) : v);
        }
    }

    private void Check(OrderedDictionary<string, Tensor> sd)
    {
        if (sd.Count != _shadow.Count || sd.Keys.Any(k => !_shadow.ContainsKey(k)))
            throw new ArgumentException($"ModelEma: the model's state-dict keys ({string.Join(", ", sd.Keys)}) differ from the average's ({string.Join(", ", _shadow.Keys)}).");
        foreach (var (k, v) in sd)
            if (v.Shape != _shadow[k].Shape)
                throw new ArgumentException($"ModelEma: '{k}' has shape {v.Shape} in the model and {_shadow[k].Shape} in the average.");
    }

    /// <summary>Loads the averaged weights into <paramref name="model"/> (e.g. a copy used for evaluation or export).</summary>
    public void CopyTo(Module model) => model.LoadStateDict(_shadow);

    /// <summary>
    /// Loads the averaged weights into <paramref name="model"/> until the returned scope is disposed, which restores
    /// the model's own weights: <c>using (ema.Swap(model)) { validate(model); }</c>.
    /// </summary>
    public IDisposable Swap(Module model)
    {
        var saved = model.StateDict().Select(kv => new KeyValuePair<string, Tensor>(kv.Key, StateDicts.CloneTensor(kv.Value))).ToList();
        CopyTo(model);
        return new Restore(model, saved);
    }

    private sealed class Restore(Module model, List<KeyValuePair<string, Tensor>> saved) : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            model.LoadStateDict(saved);
        }
    }

    /// <summary>{"decay": double, "tau": double, "updates": long, "average_buffers": bool, "shadow": {key: Tensor}} (deep copy).</summary>
    public Dictionary<string, object> StateDict() => new()
    {
        ["decay"] = Decay,
        ["tau"] = Tau,
        ["updates"] = Updates,
        ["average_buffers"] = AverageBuffers,
        ["shadow"] = _shadow.ToDictionary(kv => kv.Key, kv => (object)StateDicts.CloneTensor(kv.Value)),
    };

    /// <summary>Restores the update count and the shadow weights (the decay settings are the constructor's).</summary>
    /// <exception cref="ArgumentException">Missing entries, or shadow keys/shapes that differ from this average's.</exception>
    public void LoadStateDict(Dictionary<string, object> stateDict)
    {
        var shadow = StateDicts.Get<Dictionary<string, object>>(stateDict, "shadow", "ModelEma");
        var tensors = new OrderedDictionary<string, Tensor>();
        foreach (var (k, v) in shadow)
            tensors[k] = v as Tensor ?? throw new ArgumentException($"ModelEma: shadow entry '{k}' is {v.GetType().Name}, expected a Tensor.");
        Check(tensors);
        Updates = StateDicts.Get<long>(stateDict, "updates", "ModelEma");
        using (Autograd.NoGrad())
            foreach (var (k, v) in tensors) _shadow[k].Copy_(v);
    }
}

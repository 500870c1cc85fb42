using System.Text;
using Lantern.Kernels;

namespace Lantern.Optim;

/// <summary>
/// Base of every optimiser (torch.optim.Optimizer): parameter groups with their own hyper-parameters (defaults
/// filled from the constructor's arguments), per-parameter state created lazily on the first step, and a
/// state dict that lets a resumed run continue bit-identically. <see cref="Step()"/> runs without recording
/// gradients and skips parameters whose <see cref="Tensor.Grad"/> is null, as PyTorch does. The update itself is
/// one fused pass per parameter through <see cref="IOptimBackend"/>.
/// </summary>
public abstract partial class Optimizer
{
    private readonly List<ParamGroup> _groups = [];
    private readonly Dictionary<Tensor, Dictionary<string, object>> _state = new(ReferenceEqualityComparer.Instance);
    private readonly OrderedDictionary<string, object> _defaults;

    /// <summary>Records the defaults; derived constructors then call <see cref="AddInitialGroups"/>.</summary>
    protected Optimizer(IEnumerable<KeyValuePair<string, object>> defaults)
    {
        _defaults = new OrderedDictionary<string, object>();
        foreach (var (k, v) in defaults) _defaults[k] = ParamGroup.Normalize(k, v);
    }

    /// <summary>The optimiser's name in messages and ToString (e.g. "Adam").</summary>
    public virtual string Name => GetType().Name;

    /// <summary>The default hyper-parameters (PyTorch's <c>optimizer.defaults</c>), filled into every new group.</summary>
    public IReadOnlyDictionary<string, object> Defaults => _defaults;

    /// <summary>The parameter groups.</summary>
    public IReadOnlyList<ParamGroup> ParamGroups => _groups;

    /// <summary>The fused update kernels.</summary>
    protected static IOptimBackend Backend => CpuBackend.Instance;

    /// <summary>Adds the constructor's groups (a plain parameter list is one group).</summary>
    /// <exception cref="ArgumentException">No parameters at all, or any group error of <see cref="AddParamGroup(ParamGroupSpec)"/>.</exception>
    protected void AddInitialGroups(IEnumerable<ParamGroupSpec> groups)
    {
        var list = groups.ToList();
        if (list.Count == 0 || list.All(g => g.Params.Count == 0))
            throw new ArgumentException($"{Name}: optimizer got an empty parameter list.");
        foreach (var g in list) AddParamGroup(g);
    }

    /// <summary>
    /// torch.optim.Optimizer.add_param_group: adds a group whose missing hyper-parameters take the defaults,
    /// then validates it.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// A parameter already in this or another group, a non-leaf or non-floating parameter, or an invalid
    /// hyper-parameter (the message names the optimiser, the group and the value).
    /// </exception>
    public void AddParamGroup(ParamGroupSpec spec)
    {
        int groupIndex = _groups.Count;
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var g in _groups) foreach (var p in g.Params) seen.Add(p);
        for (int i = 0; i < spec.Params.Count; i++)
        {
            var p = spec.Params[i];
            if (!p.IsLeaf) throw new ArgumentException($"{Name}: can't optimize a non-leaf Tensor (parameter {i} of group {groupIndex}, shape {p.Shape}).");
            if (!p.DType.IsFloatingPoint())
                throw new ArgumentException($"{Name}: parameter {i} of group {groupIndex} must be floating point, got {p.DType}.");
            if (!seen.Add(p))
                throw new ArgumentException($"{Name}: some parameters appear in more than one parameter group (parameter {i} of group {groupIndex}, shape {p.Shape}, is already optimised).");
        }
        var options = new OrderedDictionary<string, object>();
        foreach (var (k, v) in spec.Overrides) options[k] = v;
        foreach (var (k, v) in _defaults) if (!options.ContainsKey(k)) options[k] = v is double[] a ? a.Clone() : v;
        var group = CreateGroup(spec.Params, options);
        Validate(group, groupIndex);
        _groups.Add(group);
        OnGroupAdded(group);
    }

    /// <summary>Adds a group over <paramref name="parameters"/> with an optional learning rate.</summary>
    public void AddParamGroup(IEnumerable<Tensor> parameters, double? lr = null) => AddParamGroup(new ParamGroupSpec(parameters, lr));

    /// <summary>Creates the group object (typed optimisers return their own group class).</summary>
    protected virtual ParamGroup CreateGroup(IReadOnlyList<Tensor> parameters, OrderedDictionary<string, object> options) => new(parameters, options);

    /// <summary>Checks a group's hyper-parameters; throws ArgumentException naming the optimiser and the value.</summary>
    protected virtual void Validate(ParamGroup group, int groupIndex) => CheckNonNegative(group, groupIndex, "lr", "learning rate");

    /// <summary>Called after a group is added (Adagrad creates its state eagerly, as PyTorch does).</summary>
    protected virtual void OnGroupAdded(ParamGroup group) { }

    /// <summary>The Adam family's checks (PyTorch's messages): eps &gt;= 0, both betas in [0, 1), weight_decay &gt;= 0.</summary>
    protected void CheckAdamFamily(ParamGroup group, int groupIndex)
    {
        CheckNonNegative(group, groupIndex, "eps", "epsilon value");
        var (b1, b2) = group.GetPair("betas");
        CheckRange(b1, 0, 1, false, groupIndex, "beta parameter at index 0");
        CheckRange(b2, 0, 1, false, groupIndex, "beta parameter at index 1");
        CheckNonNegative(group, groupIndex, "weight_decay", "weight_decay value");
    }

    /// <summary>Throws unless group[key] &gt;= 0 (NaN fails).</summary>
    protected void CheckNonNegative(ParamGroup group, int groupIndex, string key, string what)
    {
        double v = group.GetDouble(key);
        if (!(v >= 0)) throw new ArgumentException($"{Name}: invalid {what}: {ParamGroup.Py(v)} ({key} must be >= 0) in parameter group {groupIndex}.");
    }

    /// <summary>Throws unless lo &lt;= value &lt; hi (or &lt;= hi when <paramref name="inclusiveHigh"/>).</summary>
    protected void CheckRange(double value, double lo, double hi, bool inclusiveHigh, int groupIndex, string what)
    {
        bool ok = value >= lo && (inclusiveHigh ? value <= hi : value < hi);
        if (!ok)
            throw new ArgumentException($"{Name}: invalid {what}: {ParamGroup.Py(value)} (must be in [{ParamGroup.Py(lo)}, {ParamGroup.Py(hi)}{(inclusiveHigh ? "]" : ")")}) in parameter group {groupIndex}.");
    }

    /// <summary>
    /// Sets every parameter's gradient to null (<paramref name="setToNone"/>, PyTorch's default) or to zero in
    /// place (a gradient carrying a graph is replaced by zeros instead).
    /// </summary>
    public void ZeroGrad(bool setToNone = true)
    {
        foreach (var g in _groups)
            foreach (var p in g.Params)
            {
                if (p.Grad is null) continue;
                if (setToNone) p.Grad = null;
                else if (p.Grad.GradFn is not null) p.Grad = Tensor.ZerosLike(p.Grad);
                else using (Autograd.NoGrad()) p.Grad.Zero_();
            }
    }

    /// <summary>One optimisation step over every parameter that has a gradient, without recording gradients.</summary>
    /// <exception cref="InvalidOperationException">A gradient whose shape differs from its parameter.</exception>
    public void Step()
    {
        using var _ = Autograd.NoGrad();
        for (int gi = 0; gi < _groups.Count; gi++)
        {
            var group = _groups[gi];
            foreach (var p in group.Params)
            {
                if (p.Grad is not { } grad) continue;
                if (grad.Shape != p.Shape)
                    throw new InvalidOperationException($"{Name}: gradient of shape {grad.Shape} does not match its parameter of shape {p.Shape} (group {gi}).");
                if (!_state.TryGetValue(p, out var state)) _state[p] = state = [];
                Update(group, p, grad, state);
            }
        }
        StepCount++;
    }

    /// <summary>Evaluates <paramref name="closure"/> (the loss, with grad enabled), then steps; returns the loss.</summary>
    public Tensor Step(Func<Tensor> closure)
    {
        Tensor loss;
        using (Autograd.EnableGrad()) loss = closure();
        Step();
        return loss;
    }

    /// <summary>Number of <see cref="Step()"/> calls made on this instance (not part of the state dict).</summary>
    public long StepCount { get; private set; }

    /// <summary>Updates one parameter in place given its gradient and its state (empty on the first step).</summary>
    protected abstract void Update(ParamGroup group, Tensor param, Tensor grad, Dictionary<string, object> state);

    /// <summary>The state of a parameter (null before its first step).</summary>
    public IReadOnlyDictionary<string, object>? GetState(Tensor parameter) => _state.TryGetValue(parameter, out var s) ? s : null;

    /// <summary>The mutable state of a parameter, created when absent.</summary>
    protected Dictionary<string, object> StateOf(Tensor parameter)
    {
        if (!_state.TryGetValue(parameter, out var s)) _state[parameter] = s = [];
        return s;
    }

    /// <summary>A zero (or <paramref name="fill"/>) state tensor shaped, typed and laid out like the parameter (contiguous).</summary>
    protected static Tensor NewState(Tensor param, double fill = 0) =>
        fill == 0 ? Tensor.Zeros(param.Shape, param.DType) : Tensor.Full(param.Shape, fill, param.DType);

    /// <summary>The contiguous slice of a contiguous tensor.</summary>
    protected static BufferSlice Slice(Tensor t) =>
        t.IsContiguous ? new BufferSlice(t.Buffer, t.StorageOffset) : throw new InvalidOperationException($"Optimizer: state tensor of shape {t.Shape} is not contiguous.");

    /// <summary>A state tensor by key.</summary>
    protected static Tensor StateTensor(Dictionary<string, object> state, string key) => (Tensor)state[key];

    /// <summary>
    /// Runs a fused kernel on (param, grad): the gradient is made contiguous in the parameter's dtype, and a
    /// non-contiguous parameter is updated through a contiguous copy written back. Bumps the version counters.
    /// </summary>
    protected static void Fused(Tensor param, Tensor grad, Action<BufferSlice, BufferSlice, int> kernel)
    {
        var g = grad.DType == param.DType ? grad : grad.To(param.DType);
        g = g.Contiguous();
        if (param.IsContiguous)
        {
            kernel(Slice(param), Slice(g), param.Numel());
            param.Storage.BumpVersion();
            return;
        }
        var tmp = param.Detach().Clone();
        kernel(Slice(tmp), Slice(g), tmp.Numel());
        param.Copy_(tmp);
    }

    /// <summary>Increments and returns the "step" counter of a state.</summary>
    protected long NextStep(Dictionary<string, object> state)
    {
        long step = state.TryGetValue("step", out var s) ? StateDicts.GetCount(s, Name, "step") : 0;
        state["step"] = ++step;
        return step;
    }

    /// <summary>PyTorch's repr: "Name (\nParameter Group 0\n    key: value\n...)" with keys sorted.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(Name).Append(" (");
        for (int i = 0; i < _groups.Count; i++)
        {
            sb.Append("\nParameter Group ").Append(i);
            foreach (var k in _groups[i].Keys.OrderBy(k => k, StringComparer.Ordinal))
                sb.Append("\n    ").Append(k).Append(": ").Append(ParamGroup.Py(_groups[i][k]));
        }
        return sb.Append("\n)").ToString();
    }

    internal Dictionary<Tensor, Dictionary<string, object>> RawState => _state;
    internal List<ParamGroup> RawGroups => _groups;
}

/// <summary>An optimiser whose <see cref="ParamGroups"/> are of a typed group class with properties per hyper-parameter.</summary>
/// <typeparam name="TGroup">The group class (e.g. <see cref="Adam.Group"/>).</typeparam>
public abstract class Optimizer<TGroup> : Optimizer where TGroup : ParamGroup
{
    /// <inheritdoc/>
    protected Optimizer(IEnumerable<KeyValuePair<string, object>> defaults) : base(defaults) { }

    /// <summary>The parameter groups, typed.</summary>
    public new IReadOnlyList<TGroup> ParamGroups => base.ParamGroups.Cast<TGroup>().ToArray();
}

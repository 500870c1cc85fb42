using Lantern.Kernels;

namespace Lantern.Optim;

/// <summary>
/// torch.optim.SGD: stochastic gradient descent with optional momentum, dampening, Nesterov momentum and coupled
/// weight decay. Per step, with g the gradient (negated with maximize) plus weightDecay · p:
/// b = g on the first step, else b = momentum · b + (1 - dampening) · g; g = nesterov ? g + momentum · b : b;
/// p = p - lr · g. State "momentum_buffer" (only with momentum != 0).
/// </summary>
/// <example><code>var opt = new SGD(model.Parameters(), lr: 0.1, momentum: 0.9, nesterov: true);</code></example>
public sealed class SGD : Optimizer<SGD.Group>
{
    /// <summary>SGD over one group of parameters.</summary>
    /// <exception cref="ArgumentException">Empty parameters, lr/momentum/weightDecay &lt; 0, or nesterov without momentum &gt; 0 and dampening 0.</exception>
    public SGD(IEnumerable<Tensor> parameters, double lr = 1e-3, double momentum = 0, double dampening = 0, double weightDecay = 0,
        bool nesterov = false, bool maximize = false)
        : this([new ParamGroupSpec(parameters)], lr, momentum, dampening, weightDecay, nesterov, maximize) { }

    /// <summary>SGD over parameter groups; hyper-parameters missing from a group take these defaults.</summary>
    public SGD(IEnumerable<ParamGroupSpec> groups, double lr = 1e-3, double momentum = 0, double dampening = 0, double weightDecay = 0,
        bool nesterov = false, bool maximize = false)
        : base([new("lr", lr), new("momentum", momentum), new("dampening", dampening), new("weight_decay", weightDecay),
            new("nesterov", nesterov), new("maximize", maximize)])
        => AddInitialGroups(groups);

    /// <summary>An SGD parameter group.</summary>
    public sealed class Group(IReadOnlyList<Tensor> parameters, IEnumerable<KeyValuePair<string, object>> options) : ParamGroup(parameters, options)
    {
        /// <summary>Momentum factor ("momentum").</summary>
        public double Momentum { get => GetDouble("momentum"); set => this["momentum"] = value; }

        /// <summary>Dampening for momentum ("dampening").</summary>
        public double Dampening { get => GetDouble("dampening"); set => this["dampening"] = value; }

        /// <summary>Coupled L2 weight decay ("weight_decay").</summary>
        public double WeightDecay { get => GetDouble("weight_decay"); set => this["weight_decay"] = value; }

        /// <summary>Nesterov momentum ("nesterov").</summary>
        public bool Nesterov { get => GetBool("nesterov"); set => this["nesterov"] = value; }

        /// <summary>Maximise the objective ("maximize").</summary>
        public bool Maximize { get => GetBool("maximize"); set => this["maximize"] = value; }
    }

    /// <inheritdoc/>
    protected override ParamGroup CreateGroup(IReadOnlyList<Tensor> parameters, OrderedDictionary<string, object> options) => new Group(parameters, options);

    /// <inheritdoc/>
    protected override void Validate(ParamGroup group, int groupIndex)
    {
        base.Validate(group, groupIndex);
        CheckNonNegative(group, groupIndex, "momentum", "momentum value");
        CheckNonNegative(group, groupIndex, "weight_decay", "weight_decay value");
        var g = (Group)group;
        if (g.Nesterov && (g.Momentum <= 0 || g.Dampening != 0))
            throw new ArgumentException($"{Name}: Nesterov momentum requires a momentum and zero dampening (momentum={ParamGroup.Py(g.Momentum)}, dampening={ParamGroup.Py(g.Dampening)}) in parameter group {groupIndex}.");
    }

    /// <inheritdoc/>
    protected override void Update(ParamGroup group, Tensor param, Tensor grad, Dictionary<string, object> state)
    {
        var g = (Group)group;
        double momentum = g.Momentum;
        bool first = false;
        Tensor? buf = null;
        if (momentum != 0)
        {
            first = !state.ContainsKey("momentum_buffer");
            if (first) state["momentum_buffer"] = NewState(param);
            buf = StateTensor(state, "momentum_buffer");
        }
        var args = new SgdArgs(new GradPrep(g.Maximize, g.WeightDecay), g.Lr, momentum, g.Dampening, g.Nesterov, first);
        Fused(param, grad, (p, gr, n) => Backend.Sgd(p, gr, buf is null ? null : Slice(buf), n, args));
    }
}

using Lantern.Kernels;

namespace Lantern.Optim;

/// <summary>
/// torch.optim.RMSprop. With g the gradient (negated with maximize) plus weightDecay · p:
/// v = α v + (1 - α) g²; centered: ḡ = α ḡ + (1 - α) g and d = sqrt(v - ḡ²) + ε, else d = sqrt(v) + ε;
/// momentum &gt; 0: b = momentum · b + g / d, p = p - lr · b; else p = p - lr · g / d.
/// State "step", "square_avg", "momentum_buffer" (momentum &gt; 0), "grad_avg" (centered).
/// </summary>
/// <example><code>var opt = new RMSprop(model.Parameters(), lr: 1e-2, momentum: 0.9, centered: true);</code></example>
public sealed class RMSprop : Optimizer<RMSprop.Group>
{
    /// <summary>RMSprop over one group of parameters.</summary>
    /// <exception cref="ArgumentException">Empty parameters, lr/eps/momentum/weightDecay/alpha &lt; 0.</exception>
    public RMSprop(IEnumerable<Tensor> parameters, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8, double weightDecay = 0,
        double momentum = 0, bool centered = false, bool maximize = false)
        : this([new ParamGroupSpec(parameters)], lr, alpha, eps, weightDecay, momentum, centered, maximize) { }

    /// <summary>RMSprop over parameter groups; hyper-parameters missing from a group take these defaults.</summary>
    public RMSprop(IEnumerable<ParamGroupSpec> groups, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8, double weightDecay = 0,
        double momentum = 0, bool centered = false, bool maximize = false)
        : base([new("lr", lr), new("momentum", momentum), new("alpha", alpha), new("eps", eps), new("centered", centered),
            new("weight_decay", weightDecay), new("maximize", maximize)])
        => AddInitialGroups(groups);

    /// <summary>An RMSprop parameter group.</summary>
    public sealed class Group(IReadOnlyList<Tensor> parameters, IEnumerable<KeyValuePair<string, object>> options) : ParamGroup(parameters, options)
    {
        /// <summary>Smoothing constant ("alpha").</summary>
        public double Alpha { get => GetDouble("alpha"); set => this["alpha"] = value; }

        /// <summary>Denominator term ("eps").</summary>
        public double Eps { get => GetDouble("eps"); set => this["eps"] = value; }

        /// <summary>Coupled weight decay ("weight_decay").</summary>
        public double WeightDecay { get => GetDouble("weight_decay"); set => this["weight_decay"] = value; }

        /// <summary>Momentum factor ("momentum").</summary>
        public double Momentum { get => GetDouble("momentum"); set => this["momentum"] = value; }

        /// <summary>Centered RMSprop ("centered").</summary>
        public bool Centered { get => GetBool("centered"); set => this["centered"] = value; }

        /// <summary>Maximise the objective ("maximize").</summary>
        public bool Maximize { get => GetBool("maximize"); set => this["maximize"] = value; }
    }

    /// <inheritdoc/>
    protected override ParamGroup CreateGroup(IReadOnlyList<Tensor> parameters, OrderedDictionary<string, object> options) => new Group(parameters, options);

    /// <inheritdoc/>
    protected override void Validate(ParamGroup group, int groupIndex)
    {
        base.Validate(group, groupIndex);
        CheckNonNegative(group, groupIndex, "eps", "epsilon value");
        CheckNonNegative(group, groupIndex, "momentum", "momentum value");
        CheckNonNegative(group, groupIndex, "weight_decay", "weight_decay value");
        CheckNonNegative(group, groupIndex, "alpha", "alpha value");
    }

    /// <inheritdoc/>
    protected override void Update(ParamGroup group, Tensor param, Tensor grad, Dictionary<string, object> state)
    {
        var g = (Group)group;
        if (state.Count == 0)
        {
            state["step"] = 0L;
            state["square_avg"] = NewState(param);
        }
        if (g.Momentum > 0 && !state.ContainsKey("momentum_buffer")) state["momentum_buffer"] = NewState(param);
        if (g.Centered && !state.ContainsKey("grad_avg")) state["grad_avg"] = NewState(param);
        NextStep(state);
        var args = new RmspropArgs(new GradPrep(g.Maximize, g.WeightDecay), g.Lr, g.Alpha, g.Eps, g.Momentum, g.Centered);
        var sq = StateTensor(state, "square_avg");
        Tensor? ga = g.Centered ? StateTensor(state, "grad_avg") : null, buf = g.Momentum > 0 ? StateTensor(state, "momentum_buffer") : null;
        Fused(param, grad, (p, gr, n) => Backend.Rmsprop(p, gr, Slice(sq), ga is null ? null : Slice(ga), buf is null ? null : Slice(buf), n, args));
    }
}

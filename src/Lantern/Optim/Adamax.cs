using Lantern.Kernels;

namespace Lantern.Optim;

/// <summary>
/// torch.optim.Adamax (Adam with the infinity norm). With g the gradient (negated with maximize) plus
/// weightDecay · p and t the step: m = β1 m + (1 - β1) g; u = max(β2 u, |g| + ε); p = p - lr / (1 - β1^t) · m / u.
/// State "step", "exp_avg", "exp_inf".
/// </summary>
/// <example><code>var opt = new Adamax(model.Parameters(), lr: 2e-3);</code></example>
public sealed class Adamax : Optimizer<Adamax.Group>
{
    /// <summary>Adamax over one group of parameters.</summary>
    /// <exception cref="ArgumentException">Empty parameters, lr/eps/weightDecay &lt; 0, or a beta outside [0, 1).</exception>
    public Adamax(IEnumerable<Tensor> parameters, double lr = 2e-3, (double, double)? betas = null, double eps = 1e-8, double weightDecay = 0,
        bool maximize = false)
        : this([new ParamGroupSpec(parameters)], lr, betas, eps, weightDecay, maximize) { }

    /// <summary>Adamax over parameter groups; hyper-parameters missing from a group take these defaults.</summary>
    public Adamax(IEnumerable<ParamGroupSpec> groups, double lr = 2e-3, (double, double)? betas = null, double eps = 1e-8, double weightDecay = 0,
        bool maximize = false)
        : base([new("lr", lr), new("betas", betas ?? (0.9, 0.999)), new("eps", eps), new("weight_decay", weightDecay), new("maximize", maximize)])
        => AddInitialGroups(groups);

    /// <summary>An Adamax parameter group.</summary>
    public sealed class Group(IReadOnlyList<Tensor> parameters, IEnumerable<KeyValuePair<string, object>> options) : ParamGroup(parameters, options)
    {
        /// <summary>(β1, β2) ("betas").</summary>
        public (double Beta1, double Beta2) Betas { get => GetPair("betas"); set => this["betas"] = value; }

        /// <summary>Added to |g| ("eps").</summary>
        public double Eps { get => GetDouble("eps"); set => this["eps"] = value; }

        /// <summary>Coupled weight decay ("weight_decay").</summary>
        public double WeightDecay { get => GetDouble("weight_decay"); set => this["weight_decay"] = value; }

        /// <summary>Maximise the objective ("maximize").</summary>
        public bool Maximize { get => GetBool("maximize"); set => this["maximize"] = value; }
    }

    /// <inheritdoc/>
    protected override ParamGroup CreateGroup(IReadOnlyList<Tensor> parameters, OrderedDictionary<string, object> options) => new Group(parameters, options);

    /// <inheritdoc/>
    protected override void Validate(ParamGroup group, int groupIndex)
    {
        base.Validate(group, groupIndex);
        CheckAdamFamily(group, groupIndex);
    }

    /// <inheritdoc/>
    protected override void Update(ParamGroup group, Tensor param, Tensor grad, Dictionary<string, object> state)
    {
        var g = (Group)group;
        if (state.Count == 0)
        {
            state["step"] = 0L;
            state["exp_avg"] = NewState(param);
            state["exp_inf"] = NewState(param);
        }
        double step = NextStep(state);
        var (beta1, beta2) = g.Betas;
        var args = new AdamaxArgs(new GradPrep(g.Maximize, g.WeightDecay), beta1, beta2, g.Eps, g.Lr / (1 - Math.Pow(beta1, step)));
        Tensor m = StateTensor(state, "exp_avg"), u = StateTensor(state, "exp_inf");
        Fused(param, grad, (p, gr, n) => Backend.Adamax(p, gr, Slice(m), Slice(u), n, args));
    }
}

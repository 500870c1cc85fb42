using Lantern.Kernels;

namespace Lantern.Optim;

/// <summary>
/// torch.optim.Adam. With g the gradient (negated with maximize) and t the step:
/// coupled weight decay g = g + λ p (or, with decoupledWeightDecay, p = p (1 - lr λ) as AdamW);
/// m = β1 m + (1 - β1) g; v = β2 v + (1 - β2) g²; (amsgrad: v̂ = max(v̂, v) replaces v);
/// p = p - lr / (1 - β1^t) · m / (sqrt(v) / sqrt(1 - β2^t) + ε).
/// State "step", "exp_avg", "exp_avg_sq" and with amsgrad "max_exp_avg_sq".
/// </summary>
/// <example><code>var opt = new Adam(model.Parameters(), lr: 1e-3, betas: (0.9, 0.999));</code></example>
public class Adam : Optimizer<Adam.Group>
{
    /// <summary>Adam over one group of parameters.</summary>
    /// <exception cref="ArgumentException">Empty parameters, lr/eps/weightDecay &lt; 0, or a beta outside [0, 1).</exception>
    public Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, (double, double)? betas = null, double eps = 1e-8, double weightDecay = 0,
        bool amsgrad = false, bool maximize = false, bool decoupledWeightDecay = false)
        : this([new ParamGroupSpec(parameters)], lr, betas, eps, weightDecay, amsgrad, maximize, decoupledWeightDecay) { }

    /// <summary>Adam over parameter groups; hyper-parameters missing from a group take these defaults.</summary>
    public Adam(IEnumerable<ParamGroupSpec> groups, double lr = 1e-3, (double, double)? betas = null, double eps = 1e-8, double weightDecay = 0,
        bool amsgrad = false, bool maximize = false, bool decoupledWeightDecay = false)
        : base([new("lr", lr), new("betas", betas ?? (0.9, 0.999)), new("eps", eps), new("weight_decay", weightDecay),
            new("amsgrad", amsgrad), new("maximize", maximize), new("decoupled_weight_decay", decoupledWeightDecay)])
        => AddInitialGroups(groups);

    /// <summary>An Adam parameter group.</summary>
    public sealed class Group(IReadOnlyList<Tensor> parameters, IEnumerable<KeyValuePair<string, object>> options) : ParamGroup(parameters, options)
    {
        /// <summary>(β1, β2) ("betas").</summary>
        public (double Beta1, double Beta2) Betas { get => GetPair("betas"); set => this["betas"] = value; }

        /// <summary>Denominator term ("eps").</summary>
        public double Eps { get => GetDouble("eps"); set => this["eps"] = value; }

        /// <summary>Weight decay ("weight_decay"), coupled unless <see cref="DecoupledWeightDecay"/>.</summary>
        public double WeightDecay { get => GetDouble("weight_decay"); set => this["weight_decay"] = value; }

        /// <summary>AMSGrad variant ("amsgrad").</summary>
        public bool Amsgrad { get => GetBool("amsgrad"); set => this["amsgrad"] = value; }

        /// <summary>Maximise the objective ("maximize").</summary>
        public bool Maximize { get => GetBool("maximize"); set => this["maximize"] = value; }

        /// <summary>AdamW's decoupled weight decay ("decoupled_weight_decay").</summary>
        public bool DecoupledWeightDecay { get => GetBool("decoupled_weight_decay"); set => this["decoupled_weight_decay"] = value; }
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
            state["exp_avg_sq"] = NewState(param);
        }
        if (g.Amsgrad && !state.ContainsKey("max_exp_avg_sq")) state["max_exp_avg_sq"] = NewState(param);
        double step = NextStep(state);
        var (beta1, beta2) = g.Betas;
        double lr = g.Lr, wd = g.WeightDecay;
        var prep = new GradPrep(g.Maximize, wd, g.DecoupledWeightDecay && wd != 0 ? 1 - lr * wd : null);
        double bc1 = 1 - Math.Pow(beta1, step), bc2 = 1 - Math.Pow(beta2, step);
        var args = new AdamArgs(prep, beta1, beta2, g.Eps, g.Amsgrad, lr / bc1, Math.Sqrt(bc2));
        Tensor m = StateTensor(state, "exp_avg"), v = StateTensor(state, "exp_avg_sq");
        Tensor? vmax = g.Amsgrad ? StateTensor(state, "max_exp_avg_sq") : null;
        Fused(param, grad, (p, gr, n) => Backend.Adam(p, gr, Slice(m), Slice(v), vmax is null ? null : Slice(vmax), n, args));
    }
}

/// <summary>
/// torch.optim.AdamW: Adam with decoupled weight decay p = p (1 - lr λ) applied before the moment update
/// (default λ = 1e-2). Same state as <see cref="Adam"/>.
/// </summary>
/// <example><code>var opt = new AdamW(model.Parameters(), lr: 1e-3, weightDecay: 0.05);</code></example>
public sealed class AdamW : Adam
{
    /// <summary>AdamW over one group of parameters.</summary>
    /// <exception cref="ArgumentException">Empty parameters, lr/eps/weightDecay &lt; 0, or a beta outside [0, 1).</exception>
    public AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, (double, double)? betas = null, double eps = 1e-8, double weightDecay = 1e-2,
        bool amsgrad = false, bool maximize = false)
        : base(parameters, lr, betas, eps, weightDecay, amsgrad, maximize, decoupledWeightDecay: true) { }

    /// <summary>AdamW over parameter groups.</summary>
    public AdamW(IEnumerable<ParamGroupSpec> groups, double lr = 1e-3, (double, double)? betas = null, double eps = 1e-8, double weightDecay = 1e-2,
        bool amsgrad = false, bool maximize = false)
        : base(groups, lr, betas, eps, weightDecay, amsgrad, maximize, decoupledWeightDecay: true) { }
}

using Lantern.Kernels;

namespace Lantern.Optim;

/// <summary>
/// torch.optim.RAdam (rectified Adam, PyTorch's rule). With g the gradient (negated with maximize), weight decay
/// coupled (g + λ p) or decoupled (p (1 - lr λ)), and t the step: m = β1 m + (1 - β1) g; v = β2 v + (1 - β2) g²;
/// m̂ = m / (1 - β1^t); ρ∞ = 2 / (1 - β2) - 1; ρ_t = ρ∞ - 2 t β2^t / (1 - β2^t); when ρ_t &gt; 5:
/// r_t = sqrt((ρ_t - 4)(ρ_t - 2) ρ∞ / ((ρ∞ - 4)(ρ∞ - 2) ρ_t)) and p = p - lr m̂ · sqrt(1 - β2^t) / (sqrt(v) + ε) · r_t,
/// otherwise p = p - lr m̂. (TorchSharp 0.107 applies lr twice after the switch; this follows PyTorch.)
/// State "step", "exp_avg", "exp_avg_sq".
/// </summary>
/// <example><code>var opt = new RAdam(model.Parameters(), lr: 1e-3);</code></example>
public sealed class RAdam : Optimizer<RAdam.Group>
{
    /// <summary>RAdam over one group of parameters.</summary>
    /// <exception cref="ArgumentException">Empty parameters, lr/eps/weightDecay &lt; 0, or a beta outside [0, 1).</exception>
    public RAdam(IEnumerable<Tensor> parameters, double lr = 1e-3, (double, double)? betas = null, double eps = 1e-8, double weightDecay = 0,
        bool decoupledWeightDecay = false, bool maximize = false)
        : this([new ParamGroupSpec(parameters)], lr, betas, eps, weightDecay, decoupledWeightDecay, maximize) { }

    /// <summary>RAdam over parameter groups; hyper-parameters missing from a group take these defaults.</summary>
    public RAdam(IEnumerable<ParamGroupSpec> groups, double lr = 1e-3, (double, double)? betas = null, double eps = 1e-8, double weightDecay = 0,
        bool decoupledWeightDecay = false, bool maximize = false)
        : base([new("lr", lr), new("betas", betas ?? (0.9, 0.999)), new("eps", eps), new("weight_decay", weightDecay),
            new("decoupled_weight_decay", decoupledWeightDecay), new("maximize", maximize)])
        => AddInitialGroups(groups);

    /// <summary>A RAdam parameter group.</summary>
    public sealed class Group(IReadOnlyList<Tensor> parameters, IEnumerable<KeyValuePair<string, object>> options) : ParamGroup(parameters, options)
    {
        /// <summary>(β1, β2) ("betas").</summary>
        public (double Beta1, double Beta2) Betas { get => GetPair("betas"); set => this["betas"] = value; }

        /// <summary>Denominator term ("eps").</summary>
        public double Eps { get => GetDouble("eps"); set => this["eps"] = value; }

        /// <summary>Weight decay ("weight_decay").</summary>
        public double WeightDecay { get => GetDouble("weight_decay"); set => this["weight_decay"] = value; }

        /// <summary>Decoupled (AdamW-style) weight decay ("decoupled_weight_decay").</summary>
        public bool DecoupledWeightDecay { get => GetBool("decoupled_weight_decay"); set => this["decoupled_weight_decay"] = value; }

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
            state["exp_avg_sq"] = NewState(param);
        }
        double step = NextStep(state);
        var (beta1, beta2) = g.Betas;
        double lr = g.Lr, wd = g.WeightDecay;
        double bc1 = 1 - Math.Pow(beta1, step), bc2 = 1 - Math.Pow(beta2, step);
        double rhoInf = 2 / (1 - beta2) - 1;
        double rhoT = rhoInf - 2 * step * Math.Pow(beta2, step) / bc2;
        bool rectify = rhoT > 5.0;
        double rect = rectify ? Math.Pow((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT), 0.5) : 0;
        var prep = new GradPrep(g.Maximize, wd, g.DecoupledWeightDecay && wd != 0 ? 1 - lr * wd : null);
        var args = new RadamArgs(prep, lr, beta1, beta2, g.Eps, bc1, Math.Pow(bc2, 0.5), rectify, rect);
        Tensor m = StateTensor(state, "exp_avg"), v = StateTensor(state, "exp_avg_sq");
        Fused(param, grad, (p, gr, n) => Backend.Radam(p, gr, Slice(m), Slice(v), n, args));
    }
}

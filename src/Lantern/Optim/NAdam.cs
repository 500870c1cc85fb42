using Lantern.Kernels;

namespace Lantern.Optim;

/// <summary>
/// torch.optim.NAdam (Adam with Nesterov momentum and momentum decay). With g the gradient (negated with
/// maximize), weight decay coupled (g + λ p) or decoupled (p (1 - lr λ)), and t the step:
/// μ_t = β1 (1 - 0.5 · 0.96^(t ψ)), μ_{t+1} likewise, Π_t = Π_{t-1} μ_t (kept in float32 as PyTorch's tensor);
/// m = β1 m + (1 - β1) g; v = β2 v + (1 - β2) g²; d = sqrt(v / (1 - β2^t)) + ε;
/// p = p - lr (1 - μ_t) / (1 - Π_t) · g / d - lr μ_{t+1} / (1 - Π_t μ_{t+1}) · m / d.
/// State "step", "mu_product" (double holding the float32 value), "exp_avg", "exp_avg_sq".
/// </summary>
/// <example><code>var opt = new NAdam(model.Parameters(), lr: 2e-3);</code></example>
public sealed class NAdam : Optimizer<NAdam.Group>
{
    /// <summary>NAdam over one group of parameters.</summary>
    /// <exception cref="ArgumentException">Empty parameters, lr/eps/weightDecay/momentumDecay &lt; 0, or a beta outside [0, 1).</exception>
    public NAdam(IEnumerable<Tensor> parameters, double lr = 2e-3, (double, double)? betas = null, double eps = 1e-8, double weightDecay = 0,
        double momentumDecay = 4e-3, bool decoupledWeightDecay = false, bool maximize = false)
        : this([new ParamGroupSpec(parameters)], lr, betas, eps, weightDecay, momentumDecay, decoupledWeightDecay, maximize) { }

    /// <summary>NAdam over parameter groups; hyper-parameters missing from a group take these defaults.</summary>
    public NAdam(IEnumerable<ParamGroupSpec> groups, double lr = 2e-3, (double, double)? betas = null, double eps = 1e-8, double weightDecay = 0,
        double momentumDecay = 4e-3, bool decoupledWeightDecay = false, bool maximize = false)
        : base([new("lr", lr), new("betas", betas ?? (0.9, 0.999)), new("eps", eps), new("weight_decay", weightDecay),
            new("momentum_decay", momentumDecay), new("decoupled_weight_decay", decoupledWeightDecay), new("maximize", maximize)])
        => AddInitialGroups(groups);

    /// <summary>A NAdam parameter group.</summary>
    public sealed class Group(IReadOnlyList<Tensor> parameters, IEnumerable<KeyValuePair<string, object>> options) : ParamGroup(parameters, options)
    {
        /// <summary>(β1, β2) ("betas").</summary>
        public (double Beta1, double Beta2) Betas { get => GetPair("betas"); set => this["betas"] = value; }

        /// <summary>Denominator term ("eps").</summary>
        public double Eps { get => GetDouble("eps"); set => this["eps"] = value; }

        /// <summary>Weight decay ("weight_decay").</summary>
        public double WeightDecay { get => GetDouble("weight_decay"); set => this["weight_decay"] = value; }

        /// <summary>Momentum decay ψ ("momentum_decay").</summary>
        public double MomentumDecay { get => GetDouble("momentum_decay"); set => this["momentum_decay"] = value; }

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
        CheckNonNegative(group, groupIndex, "momentum_decay", "momentum_decay value");
    }

    /// <inheritdoc/>
    protected override void Update(ParamGroup group, Tensor param, Tensor grad, Dictionary<string, object> state)
    {
        var g = (Group)group;
        if (state.Count == 0)
        {
            state["step"] = 0L;
            state["mu_product"] = 1.0;
            state["exp_avg"] = NewState(param);
            state["exp_avg_sq"] = NewState(param);
        }
        double step = NextStep(state);
        var (beta1, beta2) = g.Betas;
        double lr = g.Lr, wd = g.WeightDecay, psi = g.MomentumDecay;
        double bc2 = 1 - Math.Pow(beta2, step);
        double mu = beta1 * (1.0 - 0.5 * Math.Pow(0.96, step * psi));
        double muNext = beta1 * (1.0 - 0.5 * Math.Pow(0.96, (step + 1) * psi));
        // mu_product is a float32 tensor in PyTorch: mu_product *= mu rounds to float32 each step.
        float muProduct = (float)StateDicts.Get<double>(state, "mu_product", Name) * (float)mu;
        state["mu_product"] = (double)muProduct;
        double muProductNext = muProduct * muNext;
        var prep = new GradPrep(g.Maximize, wd, g.DecoupledWeightDecay && wd != 0 ? 1 - lr * wd : null);
        var args = new NadamArgs(prep, beta1, beta2, g.Eps, bc2, -lr * (1.0 - mu) / (1.0 - muProduct), -lr * muNext / (1.0 - muProductNext));
        Tensor m = StateTensor(state, "exp_avg"), v = StateTensor(state, "exp_avg_sq");
        Fused(param, grad, (p, gr, n) => Backend.Nadam(p, gr, Slice(m), Slice(v), n, args));
    }
}

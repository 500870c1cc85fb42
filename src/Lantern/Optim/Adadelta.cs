using Lantern.Kernels;

namespace Lantern.Optim;

/// <summary>
/// torch.optim.Adadelta. With g the gradient (negated with maximize) plus weightDecay · p:
/// v = ρ v + (1 - ρ) g²; Δ = sqrt(u + ε) / sqrt(v + ε) · g; u = ρ u + (1 - ρ) Δ²; p = p - lr · Δ.
/// State "step", "square_avg", "acc_delta".
/// </summary>
/// <example><code>var opt = new Adadelta(model.Parameters());</code></example>
public sealed class Adadelta : Optimizer<Adadelta.Group>
{
    /// <summary>Adadelta over one group of parameters.</summary>
    /// <exception cref="ArgumentException">Empty parameters, lr/eps/weightDecay &lt; 0, or rho outside [0, 1].</exception>
    public Adadelta(IEnumerable<Tensor> parameters, double lr = 1.0, double rho = 0.9, double eps = 1e-6, double weightDecay = 0, bool maximize = false)
        : this([new ParamGroupSpec(parameters)], lr, rho, eps, weightDecay, maximize) { }

    /// <summary>Adadelta over parameter groups; hyper-parameters missing from a group take these defaults.</summary>
    public Adadelta(IEnumerable<ParamGroupSpec> groups, double lr = 1.0, double rho = 0.9, double eps = 1e-6, double weightDecay = 0, bool maximize = false)
        : base([new("lr", lr), new("rho", rho), new("eps", eps), new("weight_decay", weightDecay), new("maximize", maximize)])
        => AddInitialGroups(groups);

    /// <summary>An Adadelta parameter group.</summary>
    public sealed class Group(IReadOnlyList<Tensor> parameters, IEnumerable<KeyValuePair<string, object>> options) : ParamGroup(parameters, options)
    {
        /// <summary>Running-average coefficient ("rho").</summary>
        public double Rho { get => GetDouble("rho"); set => this["rho"] = value; }

        /// <summary>Added inside the square roots ("eps").</summary>
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
        CheckRange(group.GetDouble("rho"), 0, 1, true, groupIndex, "rho value");
        CheckNonNegative(group, groupIndex, "eps", "epsilon value");
        CheckNonNegative(group, groupIndex, "weight_decay", "weight_decay value");
    }

    /// <inheritdoc/>
    protected override void Update(ParamGroup group, Tensor param, Tensor grad, Dictionary<string, object> state)
    {
        var g = (Group)group;
        if (state.Count == 0)
        {
            state["step"] = 0L;
            state["square_avg"] = NewState(param);
            state["acc_delta"] = NewState(param);
        }
        NextStep(state);
        var args = new AdadeltaArgs(new GradPrep(g.Maximize, g.WeightDecay), g.Lr, g.Rho, g.Eps);
        Tensor sq = StateTensor(state, "square_avg"), acc = StateTensor(state, "acc_delta");
        Fused(param, grad, (p, gr, n) => Backend.Adadelta(p, gr, Slice(sq), Slice(acc), n, args));
    }
}

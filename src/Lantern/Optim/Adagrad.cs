using Lantern.Kernels;

namespace Lantern.Optim;

/// <summary>
/// torch.optim.Adagrad. With g the gradient (negated with maximize) plus weightDecay · p and t the step:
/// clr = lr / (1 + (t - 1) · lrDecay); s = s + g²; p = p - clr · g / (sqrt(s) + ε).
/// State "step" and "sum" (filled with initialAccumulatorValue), created for every parameter when its group is
/// added, as PyTorch does.
/// </summary>
/// <example><code>var opt = new Adagrad(model.Parameters(), lr: 1e-2);</code></example>
public sealed class Adagrad : Optimizer<Adagrad.Group>
{
    /// <summary>Adagrad over one group of parameters.</summary>
    /// <exception cref="ArgumentException">Empty parameters, or lr/lrDecay/weightDecay/initialAccumulatorValue/eps &lt; 0.</exception>
    public Adagrad(IEnumerable<Tensor> parameters, double lr = 1e-2, double lrDecay = 0, double weightDecay = 0,
        double initialAccumulatorValue = 0, double eps = 1e-10, bool maximize = false)
        : this([new ParamGroupSpec(parameters)], lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize) { }

    /// <summary>Adagrad over parameter groups; hyper-parameters missing from a group take these defaults.</summary>
    public Adagrad(IEnumerable<ParamGroupSpec> groups, double lr = 1e-2, double lrDecay = 0, double weightDecay = 0,
        double initialAccumulatorValue = 0, double eps = 1e-10, bool maximize = false)
        : base([new("lr", lr), new("lr_decay", lrDecay), new("eps", eps), new("weight_decay", weightDecay),
            new("initial_accumulator_value", initialAccumulatorValue), new("maximize", maximize)])
        => AddInitialGroups(groups);

    /// <summary>An Adagrad parameter group.</summary>
    public sealed class Group(IReadOnlyList<Tensor> parameters, IEnumerable<KeyValuePair<string, object>> options) : ParamGroup(parameters, options)
    {
        /// <summary>Learning-rate decay ("lr_decay").</summary>
        public double LrDecay { get => GetDouble("lr_decay"); set => this["lr_decay"] = value; }

        /// <summary>Denominator term ("eps").</summary>
        public double Eps { get => GetDouble("eps"); set => this["eps"] = value; }

        /// <summary>Coupled weight decay ("weight_decay").</summary>
        public double WeightDecay { get => GetDouble("weight_decay"); set => this["weight_decay"] = value; }

        /// <summary>Initial value of the accumulator ("initial_accumulator_value").</summary>
        public double InitialAccumulatorValue { get => GetDouble("initial_accumulator_value"); set => this["initial_accumulator_value"] = value; }

        /// <summary>Maximise the objective ("maximize").</summary>
        public bool Maximize { get => GetBool("maximize"); set => this["maximize"] = value; }
    }

    /// <inheritdoc/>
    protected override ParamGroup CreateGroup(IReadOnlyList<Tensor> parameters, OrderedDictionary<string, object> options) => new Group(parameters, options);

    /// <inheritdoc/>
    protected override void Validate(ParamGroup group, int groupIndex)
    {
        base.Validate(group, groupIndex);
        CheckNonNegative(group, groupIndex, "lr_decay", "lr_decay value");
        CheckNonNegative(group, groupIndex, "weight_decay", "weight_decay value");
        CheckNonNegative(group, groupIndex, "initial_accumulator_value", "initial_accumulator_value");
        CheckNonNegative(group, groupIndex, "eps", "epsilon value");
    }

    /// <inheritdoc/>
    protected override void OnGroupAdded(ParamGroup group)
    {
        foreach (var p in group.Params) InitState(StateOf(p), p, (Group)group);
    }

    private static void InitState(Dictionary<string, object> state, Tensor p, Group g)
    {
        if (state.ContainsKey("sum")) return;
        state["step"] = 0L;
        state["sum"] = NewState(p, g.InitialAccumulatorValue);
    }

    /// <inheritdoc/>
    protected override void Update(ParamGroup group, Tensor param, Tensor grad, Dictionary<string, object> state)
    {
        var g = (Group)group;
        InitState(state, param, g);
        double step = NextStep(state);
        var args = new AdagradArgs(new GradPrep(g.Maximize, g.WeightDecay), g.Lr / (1 + (step - 1) * g.LrDecay), g.Eps);
        var sum = StateTensor(state, "sum");
        Fused(param, grad, (p, gr, n) => Backend.Adagrad(p, gr, Slice(sum), n, args));
    }
}

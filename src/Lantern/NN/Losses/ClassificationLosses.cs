namespace Lantern.NN;

/// <summary>
/// torch.nn.CrossEntropyLoss: <see cref="F.CrossEntropy"/> (fused log-softmax + NLL) with a per-class weight buffer
/// "weight" ([C] or null), ignoreIndex (default -100), reduction and labelSmoothing.
/// Input logits [C] or [N, C, d1, ...]; target Int64 class indices [N, d1, ...] or class probabilities of the input's shape.
/// </summary>
public sealed class CrossEntropyLoss : TargetLoss
{
    /// <summary>A cross-entropy loss.</summary>
    /// <exception cref="ArgumentException">Unknown reduction or labelSmoothing outside [0, 1].</exception>
    public CrossEntropyLoss(Tensor? weight = null, long ignoreIndex = -100, string reduction = "mean", double labelSmoothing = 0.0) : base(reduction)
    {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
            throw new ArgumentException($"CrossEntropyLoss: labelSmoothing must be between 0.0 and 1.0, got {labelSmoothing}.");
        RegisterBuffer("weight", weight);
        IgnoreIndex = ignoreIndex;
        LabelSmoothing = labelSmoothing;
    }

    /// <summary>Per-class rescaling weight [C], or null.</summary>
    public Tensor? Weight => GetBuffer("weight");

    /// <summary>Target value that contributes neither loss nor gradient.</summary>
    public long IgnoreIndex { get; }

    /// <summary>Label smoothing amount in [0, 1].</summary>
    public double LabelSmoothing { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => F.CrossEntropy(input, target, Weight, IgnoreIndex, Reduction, LabelSmoothing);
}

/// <summary>
/// torch.nn.NLLLoss: <see cref="F.NllLoss"/> on log-probabilities [C] or [N, C, d1, ...] with Int64 class indices;
/// buffer "weight" ([C] or null), ignoreIndex (default -100).
/// </summary>
public sealed class NLLLoss : TargetLoss
{
    /// <summary>A negative log-likelihood loss.</summary>
    /// <exception cref="ArgumentException">Unknown reduction.</exception>
    public NLLLoss(Tensor? weight = null, long ignoreIndex = -100, string reduction = "mean") : base(reduction)
    {
        RegisterBuffer("weight", weight);
        IgnoreIndex = ignoreIndex;
    }

    /// <summary>Per-class rescaling weight [C], or null.</summary>
    public Tensor? Weight => GetBuffer("weight");

    /// <summary>Target value that contributes neither loss nor gradient.</summary>
    public long IgnoreIndex { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => F.NllLoss(input, target, Weight, IgnoreIndex, Reduction);
}

/// <summary>torch.nn.BCELoss: <see cref="F.BinaryCrossEntropy"/> on probabilities in [0, 1]; buffer "weight" (broadcast to the input, or null).</summary>
public sealed class BCELoss : TargetLoss
{
    /// <summary>A binary cross-entropy loss.</summary>
    /// <exception cref="ArgumentException">Unknown reduction.</exception>
    public BCELoss(Tensor? weight = null, string reduction = "mean") : base(reduction) => RegisterBuffer("weight", weight);

    /// <summary>Elementwise rescaling weight, or null.</summary>
    public Tensor? Weight => GetBuffer("weight");

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => F.BinaryCrossEntropy(input, target, Weight, Reduction);
}

/// <summary>
/// torch.nn.BCEWithLogitsLoss: <see cref="F.BinaryCrossEntropyWithLogits"/> (sigmoid + BCE in the stable log-sum-exp
/// form); buffers "weight" and "pos_weight" (each broadcast to the input, or null).
/// </summary>
public sealed class BCEWithLogitsLoss : TargetLoss
{
    /// <summary>A binary cross-entropy loss on logits.</summary>
    /// <exception cref="ArgumentException">Unknown reduction.</exception>
    public BCEWithLogitsLoss(Tensor? weight = null, string reduction = "mean", Tensor? posWeight = null) : base(reduction)
    {
        RegisterBuffer("weight", weight);
        RegisterBuffer("pos_weight", posWeight);
    }

    /// <summary>Elementwise rescaling weight, or null.</summary>
    public Tensor? Weight => GetBuffer("weight");

    /// <summary>Weight of positive examples (e.g. [C]), or null.</summary>
    public Tensor? PosWeight => GetBuffer("pos_weight");

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => F.BinaryCrossEntropyWithLogits(input, target, Weight, Reduction, PosWeight);
}

/// <summary>
/// Module form of torchvision.ops.sigmoid_focal_loss (<see cref="F.SigmoidFocalLoss"/>; torchvision itself has only the
/// function). Defaults alpha 0.25, gamma 2, reduction "none" as the function.
/// </summary>
public sealed class SigmoidFocalLoss : TargetLoss
{
    /// <summary>A sigmoid focal loss.</summary>
    /// <exception cref="ArgumentException">Unknown reduction or gamma &lt; 0.</exception>
    public SigmoidFocalLoss(double alpha = 0.25, double gamma = 2, string reduction = "none") : base(reduction)
    {
        if (!(gamma >= 0)) throw new ArgumentException($"SigmoidFocalLoss: gamma must be non-negative, got {gamma}.");
        Alpha = alpha;
        Gamma = gamma;
    }

    /// <summary>Weight of positives (negatives get 1 - alpha); negative disables the factor.</summary>
    public double Alpha { get; }

    /// <summary>Focusing exponent.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => F.SigmoidFocalLoss(input, target, Alpha, Gamma, Reduction);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"alpha={Py(Alpha)}, gamma={Py(Gamma)}";
}

/// <summary>Soft Dice loss module (<see cref="F.DiceLoss"/>: definition, shapes and the smooth default 1 are documented there).</summary>
public sealed class DiceLoss : TargetLoss
{
    /// <summary>A Dice loss for "binary" (sigmoid) or "multiclass" (softmax) segmentation.</summary>
    /// <exception cref="ArgumentException">Unknown mode or reduction, or smooth &lt; 0.</exception>
    public DiceLoss(string mode = "binary", double smooth = 1.0, bool fromLogits = true, string reduction = "mean") : base(reduction)
    {
        if (mode is not ("binary" or "multiclass")) throw new ArgumentException($"DiceLoss: mode must be 'binary' or 'multiclass', got '{mode}'.");
        if (!(smooth >= 0)) throw new ArgumentException($"DiceLoss: smooth must be non-negative, got {smooth}.");
        Mode = mode;
        Smooth = smooth;
        FromLogits = fromLogits;
    }

    /// <summary>"binary" or "multiclass".</summary>
    public string Mode { get; }

    /// <summary>Added to numerator and denominator.</summary>
    public double Smooth { get; }

    /// <summary>Whether the input holds logits (sigmoid/softmax applied) rather than probabilities.</summary>
    public bool FromLogits { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => F.DiceLoss(input, target, Mode, Smooth, FromLogits, Reduction);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"mode={Py(Mode)}, smooth={Py(Smooth)}";
}

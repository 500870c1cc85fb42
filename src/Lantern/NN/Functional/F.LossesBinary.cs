namespace Lantern.NN;

// Loss functions, part 3: binary cross-entropy on probabilities and on logits (both with PyTorch's own backward),
// torchvision's sigmoid focal loss, and the soft Dice loss.
using static LossChecks;

internal static partial class LossChecks
{
    /// <summary>Throws when some element of t is outside [0, 1] (or NaN), naming the first offending value.</summary>
    internal static void CheckUnitInterval(Tensor t, string op, string what)
    {
        using (Autograd.NoGrad())
        {
            var bad = t.Lt(0).LogicalOr(t.Gt(1)).LogicalOr(t.IsNan());
            if (bad.Any().Item<bool>())
            {
                double v = t.MaskedSelect(bad).ToArray<double>()[0];
                throw new ArgumentException($"{op}: all elements of {what} should be between 0 and 1, got {v} (shape {t.Shape}).");
            }
        }
    }

    /// <summary>log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)), finite for every finite x.</summary>
    internal static Tensor LogSigmoidStable(Tensor x) => x.Clamp(max: 0).Sub(x.Abs().Neg().Exp().Log1p());
}

public static partial class F
{
    /// <summary>
    /// torch.nn.functional.binary_cross_entropy: l = -w (t log(x) + (1 - t) log(1 - x)) for probabilities x in [0, 1], with
    /// each log clamped at -100 as PyTorch (so x = 0 or 1 gives a finite loss), then the reduction. weight (null = ones)
    /// broadcasts to the input shape; target has the input's shape. Backward as PyTorch:
    /// dl/dx = w (x - t) / max((1 - x) x, 1e-12), dl/dt = -w logit(x). weight gets no gradient.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes differ, an input or target element outside [0, 1], weight not broadcastable
    /// to the input, or an unknown reduction.</exception>
    [Differentiable]
    public static Tensor BinaryCrossEntropy(Tensor input, Tensor target, Tensor? weight = null, string reduction = "mean")
    {
        const string op = "BinaryCrossEntropy";
        CheckReduction(reduction, op);
        CheckSameShape(input, target, op);
        CheckBroadcastsTo(weight, input.Shape, op, "weight");
        CheckUnitInterval(input, op, "input");
        CheckUnitInterval(target, op, "target");
        var x = input;
        var t = target;
        Tensor loss;
        using (Autograd.NoGrad())
        {
            var per = t.Sub(1).Mul(x.Neg().Log1p().Clamp(min: -100)).Sub(t.Mul(x.Log().Clamp(min: -100)));
            if (weight is not null) per = per.Mul(weight);
            loss = ReduceLoss(per, reduction);
        }
        double k = reduction == "mean" ? 1.0 / x.Numel() : 1.0;
        return Autograd.Record(loss, "BinaryCrossEntropy", [x, t], g =>
        {
            var gs = g.Mul(k);
            if (weight is not null) gs = gs.Mul(weight);
            // PyTorch's EPSILON is the float 1e-12f (aten Loss.cpp), also for double inputs.
            var gx = x.Sub(t).Div(x.Neg().Add(1).Mul(x).Clamp(min: (double)1e-12f)).Mul(gs);
            var gt = t.RequiresGrad ? x.Neg().Log1p().Sub(x.Log()).Mul(gs) : null;
            return [gx, gt];
        }, x, t);
    }

    /// <summary>
    /// torch.nn.functional.binary_cross_entropy_with_logits: with lw = 1 + (posWeight - 1) t,
    /// l = w ((1 - t) x - lw log(sigmoid(x))), log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)) (finite for any logits).
    /// posWeight (e.g. [C] for an [N, C] input, [C, 1, 1] for [N, C, H, W]) and weight broadcast to the input shape
    /// (never enlarging it); target has the input's shape. Backward: dl/dx = w (lw sigmoid(x) - posWeight t)
    /// (w (sigmoid(x) - t) without posWeight), dl/dt = w (log sigmoid(-x) - posWeight log sigmoid(x)).
    /// weight and posWeight get no gradient.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes differ, weight/posWeight not broadcastable to the input, or an unknown reduction.</exception>
    [Differentiable]
    public static Tensor BinaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor? weight = null, string reduction = "mean", Tensor? posWeight = null)
    {
        const string op = "BinaryCrossEntropyWithLogits";
        CheckReduction(reduction, op);
        CheckSameShape(input, target, op);
        CheckBroadcastsTo(weight, input.Shape, op, "weight");
        CheckBroadcastsTo(posWeight, input.Shape, op, "posWeight");
        var x = input;
        var t = target;
        Tensor LogWeight(Tensor tt) => posWeight!.Sub(1).Mul(tt).Add(1);
        Tensor loss;
        using (Autograd.NoGrad())
        {
            var ls = LogSigmoidStable(x);
            var per = t.Neg().Add(1).Mul(x).Sub(posWeight is null ? ls : LogWeight(t).Mul(ls));
            if (weight is not null) per = per.Mul(weight);
            loss = ReduceLoss(per, reduction);
        }
        double k = reduction == "mean" ? 1.0 / x.Numel() : 1.0;
        return Autograd.Record(loss, "BinaryCrossEntropyWithLogits", [x, t], g =>
        {
            var gs = g.Mul(k);
            if (weight is not null) gs = gs.Mul(weight);
            var s = x.Sigmoid();
            var gx = posWeight is null ? s.Sub(t) : LogWeight(t).Mul(s).Sub(posWeight.Mul(t));
            Tensor? gt = null;
            if (t.RequiresGrad)
                gt = posWeight is null ? x.Neg() : LogSigmoidStable(x.Neg()).Sub(LogSigmoidStable(x).Mul(posWeight));
            return [gx.Mul(gs), gt?.Mul(gs)];
        }, x, t);
    }

    /// <summary>
    /// torchvision.ops.sigmoid_focal_loss (RetinaNet): with p = sigmoid(x), ce = BinaryCrossEntropyWithLogits(x, t, "none"),
    /// p_t = p t + (1 - p)(1 - t): l = alpha_t ce (1 - p_t)^gamma, alpha_t = alpha t + (1 - alpha)(1 - t) (no alpha
    /// factor when alpha &lt; 0). Defaults alpha 0.25, gamma 2 and reduction "none", as torchvision. t has x's shape.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes differ, gamma &lt; 0, or an unknown reduction.</exception>
    public static Tensor SigmoidFocalLoss(Tensor inputs, Tensor targets, double alpha = 0.25, double gamma = 2, string reduction = "none")
    {
        const string op = "SigmoidFocalLoss";
        CheckReduction(reduction, op);
        CheckSameShape(inputs, targets, op, "inputs", "targets");
        if (!(gamma >= 0)) throw new ArgumentException($"{op}: gamma must be non-negative, got {gamma}.");
        var p = inputs.Sigmoid();
        var ce = BinaryCrossEntropyWithLogits(inputs, targets, reduction: "none");
        var pt = p.Mul(targets).Add(p.Neg().Add(1).Mul(targets.Neg().Add(1)));
        // gamma = 0: the factor is 1 (its derivative is 0, not 0 * inf at p_t = 1).
        var loss = gamma == 0 ? ce : ce.Mul(pt.Neg().Add(1).Pow(gamma));
        if (alpha >= 0) loss = targets.Mul(alpha).Add(targets.Neg().Add(1).Mul(1 - alpha)).Mul(loss);
        return ReduceLoss(loss, reduction);
    }

    /// <summary>
    /// Soft Dice loss (Milletari et al., V-Net): per sample (and class), 1 - (2 sum(p t) + smooth) / (sum(p) + sum(t) + smooth),
    /// the sums running over every non-batch (non-class) dim; smooth defaults to 1 (keeps empty masks at loss 0 and the
    /// gradient finite).
    /// <para>mode "binary": input [N, *] (logits, or probabilities with fromLogits false; p = sigmoid(input)), target
    /// probabilities/masks of the same shape; per-sample losses [N].</para>
    /// <para>mode "multiclass": input [N, C, *] (p = softmax over dim 1), target Int64 class indices [N, *] (one-hot
    /// encoded) or probabilities with the input's shape; per-(sample, class) losses [N, C].</para>
    /// "mean" (default) averages those losses, "sum" adds them, "none" returns them. Not in PyTorch; this definition
    /// matches segmentation_models_pytorch's DiceLoss with smooth in numerator and denominator.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown mode or reduction, smooth &lt; 0, input rank too small, target shape/dtype
    /// not matching the mode, or a class index outside [0, C).</exception>
    public static Tensor DiceLoss(Tensor input, Tensor target, string mode = "binary", double smooth = 1.0, bool fromLogits = true, string reduction = "mean")
    {
        const string op = "DiceLoss";
        CheckReduction(reduction, op);
        if (!(smooth >= 0)) throw new ArgumentException($"{op}: smooth must be non-negative, got {smooth}.");
        Tensor p, t;
        int first;
        if (mode == "binary")
        {
            if (input.Rank < 1) throw new ArgumentException($"{op}: binary input must be [N, *], got a 0-dim tensor.");
            CheckSameShape(input, target, op);
            p = fromLogits ? input.Sigmoid() : input;
            t = target;
            first = 1;
        }
        else if (mode == "multiclass")
        {
            CheckFloating(input, op, "input");
            if (input.Rank < 2) throw new ArgumentException($"{op}: multiclass input must be [N, C, *], got shape {input.Shape}.");
            p = fromLogits ? Softmax(input, 1) : input;
            if (target.Shape == input.Shape)
            {
                CheckFloating(target, op, "target");
                t = target;
            }
            else
            {
                CheckClassIndexTarget(input, target, 1, null, op);
                var perm = new int[input.Rank];
                perm[0] = 0;
                perm[1] = input.Rank - 1;
                for (int d = 2; d < input.Rank; d++) perm[d] = d - 1;
                t = Tensor.OneHot(target, input.Shape[1]).Permute(perm).To(input.DType);
            }
            first = 2;
        }
        else throw new ArgumentException($"{op}: mode must be 'binary' or 'multiclass', got '{mode}'.");
        var dims = Enumerable.Range(first, input.Rank - first).ToArray();
        Tensor SumRest(Tensor v) => dims.Length == 0 ? v : v.Sum(dims);
        var inter = SumRest(p.Mul(t));
        var card = SumRest(p).Add(SumRest(t));
        var loss = inter.Mul(2).Add(smooth).Div(card.Add(smooth)).Neg().Add(1);
        return ReduceLoss(loss, reduction);
    }
}

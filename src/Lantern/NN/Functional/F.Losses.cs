namespace Lantern.NN;

// Loss functions, part 1: the shared reduction and argument checks, and the regression losses
// (MSE, L1, smooth L1, Huber). Unlike PyTorch, input and target must have equal shapes: PyTorch broadcasts
// a differently shaped target with only a warning, which silently computes a different loss.
using static LossChecks;

/// <summary>Argument checks and the reduction shared by the loss functions (messages name the loss).</summary>
internal static partial class LossChecks
{
    /// <summary>Throws unless <paramref name="reduction"/> is "none", "mean" or "sum" (or "batchmean" where allowed).</summary>
    internal static void CheckReduction(string reduction, string op, bool allowBatchMean = false)
    {
        if (reduction is "none" or "mean" or "sum" || (allowBatchMean && reduction == "batchmean")) return;
        var allowed = allowBatchMean ? "'none', 'mean', 'sum' or 'batchmean'" : "'none', 'mean' or 'sum'";
        throw new ArgumentException($"{op}: reduction must be {allowed}, got '{reduction}'.");
    }

    /// <summary>Applies a checked reduction: the elementwise loss ("none"), its mean or its sum (0-dim results).</summary>
    internal static Tensor ReduceLoss(Tensor loss, string reduction) => reduction switch
    {
        "none" => loss,
        "sum" => loss.Sum(),
        _ => loss.Mean(),
    };

    /// <summary>Throws unless the tensor has a floating dtype.</summary>
    internal static void CheckFloating(Tensor t, string op, string what)
    {
        if (!t.DType.IsFloatingPoint())
            throw new ArgumentException($"{op}: expected a floating-point {what}, got {t.DType} (shape {t.Shape}).");
    }

    /// <summary>Throws unless input and target have the same shape (nothing is broadcast) and both are floating.</summary>
    internal static void CheckSameShape(Tensor input, Tensor target, string op, string inputName = "input", string targetName = "target")
    {
        if (input.Shape != target.Shape)
            throw new ArgumentException($"{op}: {targetName} shape {target.Shape} differs from {inputName} shape {input.Shape}; shapes must be equal (nothing is broadcast).");
        CheckFloating(input, op, inputName);
        CheckFloating(target, op, targetName);
    }

    /// <summary>Throws unless an optional elementwise weight broadcasts to <paramref name="shape"/> without enlarging it.</summary>
    internal static void CheckBroadcastsTo(Tensor? w, Shape shape, string op, string what)
    {
        if (w is null) return;
        CheckFloating(w, op, what);
        bool ok = w.Rank <= shape.Rank;
        for (int i = 1; ok && i <= w.Rank; i++) ok = w.Shape[w.Rank - i] == 1 || w.Shape[w.Rank - i] == shape[shape.Rank - i];
        if (!ok) throw new ArgumentException($"{op}: {what} of shape {w.Shape} does not broadcast to the input shape {shape}.");
    }
}

public static partial class F
{
    /// <summary>
    /// torch.nn.functional.mse_loss: (input - target)^2 elementwise, then the reduction ("mean" default, "sum", "none").
    /// input and target must have the same shape: PyTorch broadcasts different shapes with a warning, Lantern refuses them.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes differ, a non-floating tensor, or an unknown reduction.</exception>
    public static Tensor MseLoss(Tensor input, Tensor target, string reduction = "mean")
    {
        CheckReduction(reduction, "MseLoss");
        CheckSameShape(input, target, "MseLoss");
        var d = input.Sub(target);
        return ReduceLoss(d.Mul(d), reduction);
    }

    /// <summary>
    /// torch.nn.functional.l1_loss: |input - target| elementwise, then the reduction. Gradient sign(input - target) (0 at 0).
    /// Shapes must be equal (no broadcasting).
    /// </summary>
    /// <exception cref="ArgumentException">Shapes differ, a non-floating tensor, or an unknown reduction.</exception>
    public static Tensor L1Loss(Tensor input, Tensor target, string reduction = "mean")
    {
        CheckReduction(reduction, "L1Loss");
        CheckSameShape(input, target, "L1Loss");
        return ReduceLoss(input.Sub(target).Abs(), reduction);
    }

    /// <summary>
    /// torch.nn.functional.smooth_l1_loss: with z = |input - target|, 0.5 z^2 / beta where z &lt; beta, else z - 0.5 beta;
    /// beta = 0 is exactly the L1 loss. Default beta 1. Shapes must be equal.
    /// </summary>
    /// <exception cref="ArgumentException">beta &lt; 0, shapes differ, a non-floating tensor, or an unknown reduction.</exception>
    public static Tensor SmoothL1Loss(Tensor input, Tensor target, string reduction = "mean", double beta = 1.0)
    {
        CheckReduction(reduction, "SmoothL1Loss");
        if (!(beta >= 0)) throw new ArgumentException($"SmoothL1Loss: beta must be non-negative, got {beta}.");
        CheckSameShape(input, target, "SmoothL1Loss");
        var d = input.Sub(target);
        var z = d.Abs();
        if (beta == 0) return ReduceLoss(z, reduction);
        // With q = min(z, beta): 0.5 q^2 / beta + (z - q) is 0.5 z^2 / beta below beta and z - 0.5 beta above.
        var q = z.Clamp(max: beta);
        return ReduceLoss(q.Mul(q).Mul(0.5 / beta).Add(z.Sub(q)), reduction);
    }

    /// <summary>
    /// torch.nn.functional.huber_loss: with z = |input - target|, 0.5 z^2 where z &lt; delta, else delta (z - 0.5 delta).
    /// Equals delta * SmoothL1Loss(beta = delta). Default delta 1. Shapes must be equal.
    /// </summary>
    /// <exception cref="ArgumentException">delta &lt;= 0, shapes differ, a non-floating tensor, or an unknown reduction.</exception>
    public static Tensor HuberLoss(Tensor input, Tensor target, string reduction = "mean", double delta = 1.0)
    {
        CheckReduction(reduction, "HuberLoss");
        if (!(delta > 0)) throw new ArgumentException($"HuberLoss: delta must be positive, got {delta}.");
        CheckSameShape(input, target, "HuberLoss");
        var d = input.Sub(target);
        var z = d.Abs();
        // With q = min(z, delta): 0.5 q^2 + delta (z - q) is 0.5 z^2 below delta and delta (z - 0.5 delta) above.
        var q = z.Clamp(max: delta);
        return ReduceLoss(q.Mul(q).Mul(0.5).Add(z.Sub(q).Mul(delta)), reduction);
    }
}

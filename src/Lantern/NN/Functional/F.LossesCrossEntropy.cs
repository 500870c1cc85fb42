using Lantern.Kernels;

namespace Lantern.NN;

// Loss functions, part 2: cross-entropy (a fused log-softmax + NLL with its own backward) and NLL.
// Shapes: input [C] or [N, C, d1, ...] (class dim 1, or 0 for an unbatched [C] input); class-index targets are
// Int64 of the input shape without the class dim; probability targets have the input's shape.
using static LossChecks;

internal static partial class LossChecks
{
    /// <summary>The input's shape without the class dim, as text ("[N, d1, ...]").</summary>
    internal static string WithoutClassDim(Tensor input, int cd) =>
        "[" + string.Join(", ", input.Shape.ToArray().Where((_, i) => i != cd)) + "]";

    /// <summary>Checks a class-index target: Int64, shape = input shape without dim cd, every value in [0, C) or ignoreIndex (when given).</summary>
    internal static void CheckClassIndexTarget(Tensor input, Tensor target, int cd, long? ignoreIndex, string op)
    {
        int c = input.Shape[cd];
        var expected = input.Shape.ToArray().Where((_, i) => i != cd).ToArray();
        if (target.DType != DType.Int64)
            throw new ArgumentException($"{op}: expected an Int64 class-index target of shape {WithoutClassDim(input, cd)} for input shape {input.Shape}, got a {target.DType} target of shape {target.Shape}.");
        if (!target.Shape.Raw.AsSpan().SequenceEqual(expected))
            throw new ArgumentException($"{op}: expected target shape {WithoutClassDim(input, cd)} for input shape {input.Shape} (classes on dim {cd}), got target shape {target.Shape}.");
        using (Autograd.NoGrad())
        {
            var bad = target.Lt(0).LogicalOr(target.Ge(c));
            if (ignoreIndex is { } ii) bad = bad.LogicalAnd(target.Ne(ii));
            if (bad.Any().Item<bool>())
            {
                long v = target.MaskedSelect(bad).ToArray<long>()[0];
                throw new ArgumentException($"{op}: target class {v} is out of range for {c} classes (valid: 0 to {c - 1}" +
                    (ignoreIndex is null ? ")." : $", or ignoreIndex {ignoreIndex})."));
            }
        }
    }

    /// <summary>Checks the input (floating, rank &gt;= 1) and an optional per-class weight of shape [C]; returns the class dim.</summary>
    internal static int CheckClassInput(Tensor input, Tensor? weight, string op)
    {
        CheckFloating(input, op, "input");
        if (input.Rank == 0)
            throw new ArgumentException($"{op}: input must be [C] or [N, C, d1, ...], got a 0-dim tensor.");
        int cd = input.Rank == 1 ? 0 : 1;
        if (weight is not null)
        {
            CheckFloating(weight, op, "weight");
            if (weight.Rank != 1 || weight.Shape[0] != input.Shape[cd])
                throw new ArgumentException($"{op}: weight must have shape [{input.Shape[cd]}] (one value per class), got {weight.Shape} for input shape {input.Shape}.");
        }
        return cd;
    }

    /// <summary>Shape of a per-class vector viewed to broadcast along the class dim (C at cd, 1 elsewhere).</summary>
    internal static int[] ClassView(Tensor input, int cd)
    {
        var s = Enumerable.Repeat(1, input.Rank).ToArray();
        s[cd] = input.Shape[cd];
        return s;
    }
}

public static partial class F
{
    /// <summary>
    /// torch.nn.functional.cross_entropy: log_softmax over the class dim followed by the NLL, fused, with its own
    /// backward. Input: logits [C] or [N, C, d1, ...]. Target: class indices (Int64, input shape without the class dim)
    /// or class probabilities (floating, the input's shape).
    /// <para>Class indices, with logp = log_softmax(x), w the class weight (ones when null), eps = labelSmoothing:
    /// l_i = (1 - eps) (-w[t_i] logp[i, t_i]) + (eps / C) (-sum_c w_c logp[i, c]); l_i = 0 where t_i == ignoreIndex.
    /// "mean" divides sum_i l_i by sum over non-ignored i of w[t_i] (the count of non-ignored targets without a weight;
    /// NaN when every target is ignored), "sum" adds, "none" returns l with the target's shape.</para>
    /// <para>Probabilities: t' = (1 - eps) t + eps / C, l_i = -sum_c w_c t'[i, c] logp[i, c]; "mean" divides by the number
    /// of samples N * d1 * ... (not by weights); ignoreIndex must stay negative.</para>
    /// <para>Backward (its own, no log-softmax graph; class-index forward and backward run as fused kernels of
    /// <see cref="Kernels.ILossBackend"/>, and under create_graph as differentiable ops): dl_i/dx_i = softmax(x_i) * A_i - B_i with
    /// A_i = (1 - eps) w[t_i] + (eps / C) sum_c w_c and B_i = (1 - eps) w[t_i] onehot(t_i) + (eps / C) w, so without weight
    /// and smoothing it is softmax - onehot; probability targets get softmax * sum_c(w_c t'_c) - w t' and a target gradient
    /// -(1 - eps) w logp. Stable for any finite logits (+-1e4 gives no NaN or inf). weight gets no gradient.</para>
    /// </summary>
    /// <exception cref="ArgumentException">Non-floating input; target dtype/shape not matching either form; a class outside
    /// [0, C) that is not ignoreIndex; weight not [C]; labelSmoothing outside [0, 1]; ignoreIndex &gt;= 0 with probability
    /// targets; an unknown reduction. Messages name CrossEntropy and the values.</exception>
    [Differentiable]
    public static Tensor CrossEntropy(Tensor input, Tensor target, Tensor? weight = null, long ignoreIndex = -100,
        string reduction = "mean", double labelSmoothing = 0.0)
    {
        const string op = "CrossEntropy";
        CheckReduction(reduction, op);
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
            throw new ArgumentException($"{op}: labelSmoothing must be between 0.0 and 1.0, got {labelSmoothing}.");
        int cd = CheckClassInput(input, weight, op);
        if (target.Shape == input.Shape)
        {
            if (!target.DType.IsFloatingPoint())
                throw new ArgumentException($"{op}: a target with the input's shape {input.Shape} holds class probabilities and must be floating point, got {target.DType}.");
            if (ignoreIndex >= 0)
                throw new ArgumentException($"{op}: ignoreIndex ({ignoreIndex}) is not supported for class-probability targets.");
            return CrossEntropyProbabilities(input, target, weight, reduction, labelSmoothing, cd);
        }
        CheckClassIndexTarget(input, target, cd, ignoreIndex, op);
        return CrossEntropyIndices(input, target, weight, ignoreIndex, reduction, labelSmoothing, cd);
    }

    private static ILossBackend LossBackend => CpuBackend.Instance; // the backend seam for the fused kernels

    // Class-index targets: the forward and the first-order backward are fused kernels (one pass per position over the
    // classes); under create_graph the backward is built from differentiable ops instead, so it can be differentiated again.
    private static Tensor CrossEntropyIndices(Tensor x, Tensor target, Tensor? weight, long ignoreIndex, string reduction, double eps, int cd)
    {
        int c = x.Shape[cd];
        int outer = cd == 0 ? 1 : x.Shape[0];
        int inner = outer * c == 0 ? 0 : x.Numel() / (outer * c);
        var dt = x.DType;
        Tensor xc, tc, per, rowMax, logSum, wt, loss;
        Tensor? wc;
        double scale = 1;
        using (Autograd.NoGrad())
        {
            xc = x.Contiguous();
            tc = target.Contiguous();
            wc = weight?.To(dt).Contiguous();
            per = Tensor.Empty(target.Shape, dt);
            rowMax = Tensor.Empty(target.Shape, dt);
            logSum = Tensor.Empty(target.Shape, dt);
            wt = Tensor.Empty(target.Shape, dt);
            LossBackend.CrossEntropyForward(xc.Buffer, xc.StorageOffset, tc.Buffer, tc.StorageOffset, wc?.Buffer, wc?.StorageOffset ?? 0,
                outer, c, inner, ignoreIndex, eps, per.Buffer, rowMax.Buffer, logSum.Buffer, wt.Buffer);
            if (reduction == "mean")
            {
                var denom = wt.Sum();
                loss = per.Sum().Div(denom);
                // Every target ignored: the loss is NaN (0/0, as PyTorch) but the gradient is zero, not NaN.
                double d = denom.Item<double>();
                scale = d == 0 ? 0 : 1 / d;
            }
            else loss = reduction == "sum" ? per.Sum() : per;
        }
        return Autograd.Record(loss, "CrossEntropy", [x], g =>
        {
            if (!Autograd.IsGradEnabled)
            {
                var gx = Tensor.Empty(x.Shape, dt);
                var gc = reduction == "none" ? g.To(dt).Contiguous() : null;
                double s = reduction == "none" ? scale : scale * g.Item<double>();
                LossBackend.CrossEntropyBackward(xc.Buffer, xc.StorageOffset, rowMax.Buffer, logSum.Buffer, tc.Buffer, tc.StorageOffset, wc?.Buffer, wc?.StorageOffset ?? 0,
                    outer, c, inner, ignoreIndex, eps, s, gc?.Buffer, gc?.StorageOffset ?? 0, gx.Buffer);
                return [gx];
            }
            var (a, b) = CrossEntropyGradientTerms(x, target, wc, ignoreIndex, eps, cd);
            var gs = (reduction == "none" ? g.Unsqueeze(cd) : g).Mul(scale);
            return [Softmax(x, cd).Mul(a).Sub(b).Mul(gs)];
        }, x);
    }

    /// <summary>A (target shape with a unit class dim) and B (input shape) of dl/dx = softmax(x) A - B, zero for ignored targets.</summary>
    private static (Tensor A, Tensor B) CrossEntropyGradientTerms(Tensor x, Tensor target, Tensor? w, long ignoreIndex, double eps, int cd)
    {
        using var noGrad = Autograd.NoGrad();
        int c = x.Shape[cd];
        var valid = target.Ne(ignoreIndex);
        var safe = target.MaskedFill(valid.LogicalNot(), 0);
        var idx = safe.Unsqueeze(cd);
        var validF = valid.To(x.DType);
        var wt = w is null ? validF : w.IndexSelect(0, safe.Reshape(-1)).Reshape(safe.Shape.ToArray()).Mul(validF);
        double wsum = w is null ? c : w.Sum().Item<double>();
        var a = wt.Mul(1 - eps).Add(validF.Mul(eps / c * wsum)).Unsqueeze(cd);
        var b = Tensor.ZerosLike(x).Scatter(cd, idx, wt.Mul(1 - eps).Unsqueeze(cd));
        if (eps > 0)
        {
            var wv = w?.Reshape(ClassView(x, cd));
            b = b.Add((wv is null ? validF.Unsqueeze(cd) : wv.Mul(validF.Unsqueeze(cd))).Mul(eps / c));
        }
        return (a, b);
    }

    private static Tensor CrossEntropyProbabilities(Tensor x, Tensor target, Tensor? weight, string reduction, double eps, int cd)
    {
        int c = x.Shape[cd];
        var wv = weight?.To(x.DType).Reshape(ClassView(x, cd));
        // Smoothed, weighted target w_c t'_c; built with differentiable ops so the backward can be differentiated again.
        Tensor WeightedTarget(Tensor t)
        {
            var ts = eps > 0 ? t.Mul(1 - eps).Add(eps / c) : t;
            return wv is null ? ts : ts.Mul(wv);
        }
        int samples = c == 0 ? 0 : x.Numel() / c;
        Tensor loss;
        using (Autograd.NoGrad())
        {
            var per = LogSoftmax(x, cd).Mul(WeightedTarget(target)).Sum(cd).Neg();
            loss = reduction switch { "none" => per, "sum" => per.Sum(), _ => per.Sum().Div(samples) };
        }
        double k = reduction == "mean" ? 1.0 / samples : 1.0;
        return Autograd.Record(loss, "CrossEntropy", [x, target], g =>
        {
            var gs = (reduction == "none" ? g.Unsqueeze(cd) : g).Mul(k);
            var wts = WeightedTarget(target);
            var gx = Softmax(x, cd).Mul(wts.Sum(cd, keepDim: true)).Sub(wts).Mul(gs);
            Tensor? gt = null;
            if (target.RequiresGrad)
            {
                var lp = LogSoftmax(x, cd);
                gt = (wv is null ? lp : lp.Mul(wv)).Mul(gs).Mul(eps - 1);
            }
            return [gx, gt];
        }, x, target);
    }

    /// <summary>
    /// torch.nn.functional.nll_loss: l_i = -w[t_i] input[i, t_i] for log-probabilities input [C] or [N, C, d1, ...] and
    /// Int64 class indices t (input shape without the class dim); l_i = 0 where t_i == ignoreIndex (default -100).
    /// "mean" divides sum_i l_i by the sum of w[t_i] over non-ignored targets (NaN when all are ignored), "sum" adds,
    /// "none" keeps the target's shape. weight ([C], default ones) gets no gradient.
    /// </summary>
    /// <exception cref="ArgumentException">Non-floating input, non-Int64 target, target shape not the input's without the
    /// class dim, a class outside [0, C) that is not ignoreIndex, weight not [C], or an unknown reduction.</exception>
    public static Tensor NllLoss(Tensor input, Tensor target, Tensor? weight = null, long ignoreIndex = -100, string reduction = "mean")
    {
        const string op = "NllLoss";
        CheckReduction(reduction, op);
        int cd = CheckClassInput(input, weight, op);
        CheckClassIndexTarget(input, target, cd, ignoreIndex, op);
        Tensor valid, safe, wt;
        using (Autograd.NoGrad())
        {
            valid = target.Ne(ignoreIndex);
            safe = target.MaskedFill(valid.LogicalNot(), 0);
            var validF = valid.To(input.DType);
            wt = weight is null ? validF
                : weight.To(input.DType).IndexSelect(0, safe.Reshape(-1)).Reshape(safe.Shape.ToArray()).Mul(validF);
        }
        var picked = input.Gather(cd, safe.Unsqueeze(cd)).Squeeze(cd);
        var per = Tensor.Where(valid, picked.Mul(wt).Neg(), 0);
        return reduction switch { "none" => per, "sum" => per.Sum(), _ => per.Sum().Div(wt.Sum()) };
    }
}

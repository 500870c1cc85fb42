using Lantern.Kernels;

namespace Lantern.NN;

// Loss functions, part 5: the connectionist temporal classification loss (forward/backward recursions in a kernel).
using static LossChecks;

public static partial class F
{
    /// <summary>
    /// torch.nn.functional.ctc_loss: -log p(target | input) summed over every alignment of the target to the T input
    /// steps (labels may repeat over steps; blanks separate them), by the alpha/beta recursions of Graves et al. (2006)
    /// in log space.
    /// <para>logProbs: [T, N, C] (or [T, C] unbatched) log-probabilities, e.g. LogSoftmax over C. targets: Int64, padded
    /// [N, S] or all targets concatenated [sum(targetLengths)] (unbatched: [S]); no target may be the blank.
    /// inputLengths, targetLengths: Int64 [N] (0-dim unbatched), inputLengths &lt;= T.</para>
    /// <para>Reduction "mean" (default) divides each sample's loss by its target length (at least 1) and averages over
    /// the batch, "sum" adds, "none" returns [N]. An impossible alignment costs +inf; zeroInfinity turns those losses and
    /// their gradients into 0.</para>
    /// <para>Backward as PyTorch: grad = exp(lp) - exp(lcab + nll - lp) per step (zero beyond a sample's input length),
    /// which is the gradient with respect to the logits when logProbs = log_softmax(logits); through LogSoftmax it is
    /// exact. No second derivative.</para>
    /// </summary>
    /// <exception cref="ArgumentException">Wrong ranks/dtypes, a length outside its range, a target equal to the blank or
    /// outside [0, C), blank outside [0, C), or an unknown reduction. Messages name CtcLoss and the values.</exception>
    [Differentiable]
    public static Tensor CtcLoss(Tensor logProbs, Tensor targets, Tensor inputLengths, Tensor targetLengths, long blank = 0,
        string reduction = "mean", bool zeroInfinity = false)
    {
        const string op = "CtcLoss";
        CheckReduction(reduction, op);
        CheckFloating(logProbs, op, "logProbs");
        if (logProbs.Rank == 2)
        {
            if (targets.Rank != 1 || inputLengths.Rank != 0 || targetLengths.Rank != 0)
                throw new ArgumentException($"{op}: unbatched logProbs [T, C] need targets [S] and 0-dim lengths, got targets {targets.Shape}, inputLengths {inputLengths.Shape}, targetLengths {targetLengths.Shape}.");
            var y = CtcLoss(logProbs.Unsqueeze(1), targets.Unsqueeze(0), inputLengths.Reshape(1), targetLengths.Reshape(1), blank, reduction, zeroInfinity);
            return reduction == "none" ? y.Squeeze(0) : y;
        }
        if (logProbs.Rank != 3) throw new ArgumentException($"{op}: logProbs must be [T, N, C] or [T, C], got {logProbs.Shape}.");
        int tMax = logProbs.Shape[0], n = logProbs.Shape[1], c = logProbs.Shape[2];
        if (blank < 0 || blank >= c) throw new ArgumentException($"{op}: blank must be in [0, {c}), got {blank}.");
        foreach (var (t, name) in new[] { (targets, "targets"), (inputLengths, "inputLengths"), (targetLengths, "targetLengths") })
            if (t.DType != DType.Int64) throw new ArgumentException($"{op}: {name} must be Int64, got {t.DType} (shape {t.Shape}).");
        if (inputLengths.Shape != new Shape(n) || targetLengths.Shape != new Shape(n))
            throw new ArgumentException($"{op}: inputLengths and targetLengths must be [{n}], got {inputLengths.Shape} and {targetLengths.Shape}.");
        var inLen = inputLengths.ToArray<long>();
        var tgLen = targetLengths.ToArray<long>();
        var offsets = new long[n];
        if (targets.Rank == 2)
        {
            if (targets.Shape[0] != n) throw new ArgumentException($"{op}: padded targets must be [{n}, S], got {targets.Shape}.");
            for (int i = 0; i < n; i++) offsets[i] = (long)i * targets.Shape[1];
        }
        else if (targets.Rank == 1)
        {
            long total = 0;
            for (int i = 0; i < n; i++) { offsets[i] = total; total += Math.Max(tgLen[i], 0); }
            if (targets.Shape[0] != total) throw new ArgumentException($"{op}: concatenated targets must have sum(targetLengths) = {total} elements, got {targets.Shape}.");
        }
        else throw new ArgumentException($"{op}: targets must be [N, S] or concatenated [sum(targetLengths)], got {targets.Shape}.");
        var tg = targets.Contiguous().ToArray<long>();
        for (int i = 0; i < n; i++)
        {
            if (inLen[i] < 0 || inLen[i] > tMax) throw new ArgumentException($"{op}: inputLengths[{i}] = {inLen[i]} is outside [0, {tMax}].");
            long maxTarget = targets.Rank == 2 ? targets.Shape[1] : tgLen[i];
            if (tgLen[i] < 0 || tgLen[i] > maxTarget) throw new ArgumentException($"{op}: targetLengths[{i}] = {tgLen[i]} is outside [0, {maxTarget}].");
            for (long k = 0; k < tgLen[i]; k++)
            {
                long v = tg[offsets[i] + k];
                if (v < 0 || v >= c || v == blank)
                    throw new ArgumentException($"{op}: target {v} of sample {i} must be in [0, {c}) and differ from the blank {blank}.");
            }
        }
        var dt = logProbs.DType;
        Tensor x, tgt, off, il, tl, nll;
        using (Autograd.NoGrad())
        {
            x = logProbs.Contiguous();
            tgt = Tensor.FromArray(tg);
            off = Tensor.FromArray(offsets);
            il = Tensor.FromArray(inLen);
            tl = Tensor.FromArray(tgLen);
            nll = Tensor.Empty([n], dt);
            LossBackend.CtcLoss(x.Buffer, x.StorageOffset, tMax, n, c, tgt.Buffer, off.Buffer, il.Buffer, tl.Buffer, blank, nll.Buffer);
        }
        // Per-sample loss after zeroInfinity, and the factor each sample's gradient gets from the reduction.
        var per = zeroInfinity ? Tensor.Where(nll.IsInf(), 0, nll) : nll;
        var divisor = tgLen.Select(l => (double)Math.Max(l, 1) * n).ToArray();
        Tensor loss;
        using (Autograd.NoGrad())
            loss = reduction switch
            {
                "none" => per.Clone(),
                "sum" => per.Sum(),
                _ => per.Div(Tensor.FromArray(divisor).To(dt)).Sum(),
            };
        return Autograd.Record(loss, "CtcLoss", [logProbs], g =>
        {
            if (Autograd.IsGradEnabled)
                throw new NotSupportedException("CtcLoss: double backward (create_graph) is not supported, as in PyTorch.");
            Tensor scale = reduction switch
            {
                "none" => g.To(dt).Contiguous(),
                "sum" => Tensor.Full([n], g.Item<double>(), dt),
                _ => Tensor.FromArray(divisor.Select(d => g.Item<double>() / d).ToArray()).To(dt),
            };
            var grad = Tensor.Empty(x.Shape, dt);
            LossBackend.CtcLossBackward(x.Buffer, x.StorageOffset, tMax, n, c, tgt.Buffer, off.Buffer, il.Buffer, tl.Buffer, blank, nll.Buffer,
                scale.Buffer, zeroInfinity, grad.Buffer);
            return [grad];
        }, logProbs);
    }
}

namespace Lantern.Kernels;

/// <summary>
/// Fused loss kernels of a backend (the seam beside <see cref="ISortBackend"/>). Inputs are contiguous buffers
/// addressed by an element offset; the logits are laid out [outer, classes, inner] (N, C, spatial), targets and
/// per-position outputs [outer, inner]. Every position is computed independently, so results never depend on the
/// thread count. Floating buffers are Float32 or Float64 (all of one dtype); targets are Int64.
/// </summary>
public interface ILossBackend
{
    /// <summary>
    /// Cross-entropy over class indices, per position p = (o, i) with target t and weight w (ones when null), eps the
    /// label smoothing, m = max_c x_c and s = log sum_c exp(x_c - m) (so log-sum-exp = m + s, kept apart for precision):
    /// loss[p] = (1 - eps) w_t (m + s - x_t) + (eps / C) sum_c w_c (m + s - x_c); rowMax[p] = m; logSum[p] = s (for every
    /// position); targetWeight[p] = w_t. Positions whose target equals ignoreIndex get loss 0 and weight 0.
    /// Targets must already be checked to lie in [0, classes) or equal ignoreIndex.
    /// </summary>
    void CrossEntropyForward(DeviceBuffer x, int xOffset, DeviceBuffer target, int targetOffset, DeviceBuffer? weight, int weightOffset,
        int outer, int classes, int inner, long ignoreIndex, double labelSmoothing,
        DeviceBuffer loss, DeviceBuffer rowMax, DeviceBuffer logSum, DeviceBuffer targetWeight);

    /// <summary>
    /// The gradient of <see cref="CrossEntropyForward"/> (given its rowMax m and logSum s):
    /// gradInput[o, c, i] = g[p] (exp(x - m - s) A[p] - B[p, c]) with
    /// A = (1 - eps) w_t + (eps / C) sum_c w_c, B = (1 - eps) w_t [c == t] + (eps / C) w_c, and g[p] = scale times
    /// gradOutput[p] (gradOutput null: scale alone); ignored positions get 0. gradInput is written in full.
    /// </summary>
    void CrossEntropyBackward(DeviceBuffer x, int xOffset, DeviceBuffer rowMax, DeviceBuffer logSum, DeviceBuffer target, int targetOffset,
        DeviceBuffer? weight, int weightOffset, int outer, int classes, int inner, long ignoreIndex, double labelSmoothing,
        double scale, DeviceBuffer? gradOutput, int gradOutputOffset, DeviceBuffer gradInput);

    /// <summary>
    /// Connectionist temporal classification (Graves et al., 2006), per sample n: the negative log-likelihood
    /// -log p(l_n | x_n) summed over all alignments, by the forward (alpha) recursion in log space. logProbs is
    /// contiguous [maxTime, batch, classes] from <paramref name="logProbsOffset"/>; the labels of sample n are
    /// targets[targetOffsets[n] + k] for k &lt; targetLengths[n] (Int64 buffers, offset 0); inputLengths[n] &lt;= maxTime.
    /// nll (logProbs' dtype, length batch) receives +inf where no alignment exists.
    /// </summary>
    void CtcLoss(DeviceBuffer logProbs, int logProbsOffset, int maxTime, int batch, int classes, DeviceBuffer targets,
        DeviceBuffer targetOffsets, DeviceBuffer inputLengths, DeviceBuffer targetLengths, long blank, DeviceBuffer nll);

    /// <summary>
    /// PyTorch's CTC gradient (aten LossCTC.cpp): with alpha, beta the forward and backward variables and
    /// lcab[t, c] = log sum over extended positions s labelled c of alpha[t, s] beta[t, s],
    /// gradLogProbs[t, n, c] = gradScale[n] (exp(lp) - exp(lcab + nll - lp)) for t &lt; inputLengths[n], 0 after; zero for a
    /// sample whose nll is infinite when <paramref name="zeroInfinity"/>. This is the gradient with respect to the logits
    /// when logProbs = log_softmax(logits) (PyTorch's convention); gradScale has logProbs' dtype. gradLogProbs is written in full.
    /// </summary>
    void CtcLossBackward(DeviceBuffer logProbs, int logProbsOffset, int maxTime, int batch, int classes, DeviceBuffer targets,
        DeviceBuffer targetOffsets, DeviceBuffer inputLengths, DeviceBuffer targetLengths, long blank, DeviceBuffer nll,
        DeviceBuffer gradScale, bool zeroInfinity, DeviceBuffer gradLogProbs);
}

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
}

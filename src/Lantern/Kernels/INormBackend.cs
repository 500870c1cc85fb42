namespace Lantern.Kernels;

/// <summary>
/// Normalisation kernels of a backend (batch, instance and group norm). Every tensor operand is a contiguous
/// buffer viewed as [N, C, L] (batch, channel, everything after the channel). Per-row coefficients are indexed
/// by k = perSample ? n * C + c : c, and a centre (a mean) by k / centerDiv, so one set of kernels serves
/// batch norm (per channel), instance norm (N = 1, C = batch * channels) and group norm (per sample and
/// channel, centred by the group mean). Sums are accumulated in double, each output from a fixed order of
/// partial sums, so results never depend on the thread count. Float32 and Float64.
/// </summary>
public interface INormBackend
{
    /// <summary>
    /// mean[c] and biased variance[c] of x over N and L (one pass over x; sums shifted by the channel's first
    /// element, so large means do not cancel). Both outputs have length C and x's dtype; an empty channel
    /// gives NaN.
    /// </summary>
    void ChannelMoments(DeviceBuffer x, Layout lx, int n, int c, int l, DeviceBuffer mean, DeviceBuffer variance);

    /// <summary>
    /// y[n, c, l] = (x[n, c, l] - center[k / centerDiv]) * scale[k] + shift[k] (center 0 when null); y is a
    /// fresh contiguous buffer of N * C * L elements.
    /// </summary>
    void ChannelAffine(DeviceBuffer x, Layout lx, int n, int c, int l, bool perSample, DeviceBuffer? center, int centerDiv,
        DeviceBuffer scale, DeviceBuffer shift, DeviceBuffer y);

    /// <summary>
    /// Gradient sums: sumG[k] = sum of g and sumGXc[k] = sum of g * (x - center[k / centerDiv]) over the elements
    /// of row k (over L, and over N too when not perSample). Outputs have length C (or N * C when perSample).
    /// </summary>
    void ChannelGradSums(DeviceBuffer g, Layout lg, DeviceBuffer x, Layout lx, int n, int c, int l, bool perSample,
        DeviceBuffer center, int centerDiv, DeviceBuffer sumG, DeviceBuffer sumGXc);

    /// <summary>
    /// dx[n, c, l] = a[k] * g + b[k] * (x - center[k / centerDiv]) + k0[k]: the input gradient of a normalisation
    /// once its per-row coefficients are known (one pass over g and x). dx is a fresh contiguous buffer.
    /// </summary>
    void ChannelAffineBackward(DeviceBuffer g, Layout lg, DeviceBuffer x, Layout lx, int n, int c, int l, bool perSample,
        DeviceBuffer center, int centerDiv, DeviceBuffer a, DeviceBuffer b, DeviceBuffer k0, DeviceBuffer dx);
}

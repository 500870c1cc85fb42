namespace Lantern.NN;

/// <summary>
/// A layer that keeps running statistics in buffers ("running_mean", "running_var", "num_batches_tracked"), such
/// as BatchNorm: what SWA's <see cref="Optim.SwaUtils.UpdateBn{TIn, TOut}"/> needs to recompute them, PyTorch's
/// <c>module.reset_running_stats()</c> and a settable <c>module.momentum</c>.
/// </summary>
public interface IRunningStats
{
    /// <summary>
    /// Weight of the current batch in the running-statistics update; null means a cumulative moving average
    /// (PyTorch's momentum=None: the running stats become the mean over all batches since the last reset).
    /// </summary>
    double? Momentum { get; set; }

    /// <summary>Resets running_mean to 0, running_var to 1 and num_batches_tracked to 0.</summary>
    void ResetRunningStats();
}

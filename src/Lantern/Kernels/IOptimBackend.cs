namespace Lantern.Kernels;

/// <summary>
/// A contiguous run of <c>length</c> elements of a buffer starting at <see cref="Offset"/> (a parameter, its
/// gradient or one of its optimiser state tensors, flattened).
/// </summary>
/// <param name="Buffer">The device memory.</param>
/// <param name="Offset">Index of the first element.</param>
public readonly record struct BufferSlice(DeviceBuffer Buffer, int Offset);

/// <summary>
/// Fused optimiser updates of a backend (the seam beside <see cref="IBackend"/>): one pass over a parameter,
/// its gradient and its state buffers per step, instead of PyTorch's chain of in-place tensor ops. Each kernel
/// performs exactly the elementwise operations of PyTorch's single-tensor implementation
/// (torch/optim/*.py, <c>_single_tensor_*</c>) in the same order, each rounded to the element type, with the
/// scalars converted to the element type where PyTorch converts them (a Python float passed to a tensor op).
/// Step-dependent scalars (bias corrections, step sizes) are computed by the caller in float64 as Python does.
/// All slices hold the parameter's dtype (Float32 or Float64) and the same length; the gradient is read only.
/// Results never depend on the thread count or the SIMD width.
/// </summary>
public interface IOptimBackend
{
    /// <summary>torch.optim.SGD; <paramref name="momentumBuffer"/> is required when momentum != 0.</summary>
    void Sgd(BufferSlice param, BufferSlice grad, BufferSlice? momentumBuffer, int length, in SgdArgs args);

    /// <summary>torch.optim.Adam / AdamW; <paramref name="maxExpAvgSq"/> is required with amsgrad.</summary>
    void Adam(BufferSlice param, BufferSlice grad, BufferSlice expAvg, BufferSlice expAvgSq, BufferSlice? maxExpAvgSq, int length, in AdamArgs args);

    /// <summary>torch.optim.Adagrad.</summary>
    void Adagrad(BufferSlice param, BufferSlice grad, BufferSlice sum, int length, in AdagradArgs args);

    /// <summary>torch.optim.RMSprop; <paramref name="gradAvg"/> with centered, <paramref name="momentumBuffer"/> with momentum &gt; 0.</summary>
    void Rmsprop(BufferSlice param, BufferSlice grad, BufferSlice squareAvg, BufferSlice? gradAvg, BufferSlice? momentumBuffer, int length, in RmspropArgs args);

    /// <summary>torch.optim.Adamax.</summary>
    void Adamax(BufferSlice param, BufferSlice grad, BufferSlice expAvg, BufferSlice expInf, int length, in AdamaxArgs args);

    /// <summary>torch.optim.Adadelta.</summary>
    void Adadelta(BufferSlice param, BufferSlice grad, BufferSlice squareAvg, BufferSlice accDelta, int length, in AdadeltaArgs args);

    /// <summary>torch.optim.NAdam.</summary>
    void Nadam(BufferSlice param, BufferSlice grad, BufferSlice expAvg, BufferSlice expAvgSq, int length, in NadamArgs args);

    /// <summary>torch.optim.RAdam.</summary>
    void Radam(BufferSlice param, BufferSlice grad, BufferSlice expAvg, BufferSlice expAvgSq, int length, in RadamArgs args);
}

/// <summary>
/// Gradient preprocessing shared by every rule: g = maximize ? -grad : grad; then coupled weight decay
/// g = g + weightDecay * p (PyTorch's <c>grad.add(param, alpha=weight_decay)</c>), or, when
/// <see cref="DecoupledFactor"/> is set, p = p * DecoupledFactor first (<c>param.mul_(1 - lr * weight_decay)</c>).
/// </summary>
/// <param name="Maximize">Negate the gradient.</param>
/// <param name="WeightDecay">Coupled (L2) weight decay; 0 disables.</param>
/// <param name="DecoupledFactor">1 - lr * weight_decay for decoupled decay; null for none.</param>
public readonly record struct GradPrep(bool Maximize, double WeightDecay, double? DecoupledFactor = null);

/// <summary>
/// SGD: if momentum != 0: buf = FirstStep ? g : buf * momentum + (1 - dampening) * g; g = nesterov ? g + momentum * buf : buf.
/// Then p = p + (-lr) * g.
/// </summary>
/// <param name="Prep">Gradient preprocessing.</param>
/// <param name="Lr">Learning rate.</param>
/// <param name="Momentum">Momentum factor.</param>
/// <param name="Dampening">Dampening of the momentum.</param>
/// <param name="Nesterov">Nesterov momentum.</param>
/// <param name="FirstStep">The momentum buffer is created (a copy of g) rather than updated.</param>
public readonly record struct SgdArgs(GradPrep Prep, double Lr, double Momentum, double Dampening, bool Nesterov, bool FirstStep);

/// <summary>
/// Adam: m = lerp(m, g, 1 - beta1); v = v * beta2 + (1 - beta2) * g * g; with amsgrad vmax = max(vmax, v) is used
/// for v; denom = sqrt(v) / BiasCorrection2Sqrt + eps; p = p + (-StepSize) * m / denom.
/// </summary>
/// <param name="Prep">Gradient preprocessing (AdamW: decoupled).</param>
/// <param name="Beta1">First-moment coefficient.</param>
/// <param name="Beta2">Second-moment coefficient.</param>
/// <param name="Eps">Denominator term.</param>
/// <param name="Amsgrad">Use the running maximum of v.</param>
/// <param name="StepSize">lr / (1 - beta1^t).</param>
/// <param name="BiasCorrection2Sqrt">sqrt(1 - beta2^t).</param>
public readonly record struct AdamArgs(GradPrep Prep, double Beta1, double Beta2, double Eps, bool Amsgrad, double StepSize, double BiasCorrection2Sqrt);

/// <summary>Adagrad: sum = sum + 1 * g * g; std = sqrt(sum) + eps; p = p + (-Clr) * g / std.</summary>
/// <param name="Prep">Gradient preprocessing.</param>
/// <param name="Clr">lr / (1 + (t - 1) * lr_decay).</param>
/// <param name="Eps">Denominator term.</param>
public readonly record struct AdagradArgs(GradPrep Prep, double Clr, double Eps);

/// <summary>
/// RMSprop: sq = sq * alpha + (1 - alpha) * g * g; centered: ga = lerp(ga, g, 1 - alpha), avg = sqrt(sq + (-1) * ga * ga),
/// else avg = sqrt(sq); avg = avg + eps; momentum &gt; 0: buf = buf * momentum + g / avg, p = p + (-lr) * buf; else
/// p = p + (-lr) * g / avg.
/// </summary>
/// <param name="Prep">Gradient preprocessing.</param>
/// <param name="Lr">Learning rate.</param>
/// <param name="Alpha">Smoothing constant.</param>
/// <param name="Eps">Denominator term.</param>
/// <param name="Momentum">Momentum factor (0: none).</param>
/// <param name="Centered">Normalise by the estimated variance.</param>
public readonly record struct RmspropArgs(GradPrep Prep, double Lr, double Alpha, double Eps, double Momentum, bool Centered);

/// <summary>Adamax: m = lerp(m, g, 1 - beta1); u = max(u * beta2, |g| + eps); p = p + (-Clr) * m / u.</summary>
/// <param name="Prep">Gradient preprocessing.</param>
/// <param name="Beta1">First-moment coefficient.</param>
/// <param name="Beta2">Infinity-norm decay.</param>
/// <param name="Eps">Added to |g|.</param>
/// <param name="Clr">lr / (1 - beta1^t).</param>
public readonly record struct AdamaxArgs(GradPrep Prep, double Beta1, double Beta2, double Eps, double Clr);

/// <summary>
/// Adadelta: sq = sq * rho + (1 - rho) * g * g; std = sqrt(sq + eps); delta = sqrt(acc + eps) / std * g;
/// acc = acc * rho + (1 - rho) * delta * delta; p = p + (-lr) * delta.
/// </summary>
/// <param name="Prep">Gradient preprocessing.</param>
/// <param name="Lr">Learning rate (scales delta).</param>
/// <param name="Rho">Running-average coefficient.</param>
/// <param name="Eps">Added inside both square roots.</param>
public readonly record struct AdadeltaArgs(GradPrep Prep, double Lr, double Rho, double Eps);

/// <summary>
/// NAdam: m = lerp(m, g, 1 - beta1); v = v * beta2 + (1 - beta2) * g * g; denom = sqrt(v / BiasCorrection2) + eps;
/// p = p + GradCoef * g / denom; p = p + ExpAvgCoef * m / denom.
/// </summary>
/// <param name="Prep">Gradient preprocessing (decoupled with decoupled_weight_decay).</param>
/// <param name="Beta1">First-moment coefficient.</param>
/// <param name="Beta2">Second-moment coefficient.</param>
/// <param name="Eps">Denominator term.</param>
/// <param name="BiasCorrection2">1 - beta2^t.</param>
/// <param name="GradCoef">-lr * (1 - mu_t) / (1 - mu_product).</param>
/// <param name="ExpAvgCoef">-lr * mu_{t+1} / (1 - mu_product * mu_{t+1}).</param>
public readonly record struct NadamArgs(GradPrep Prep, double Beta1, double Beta2, double Eps, double BiasCorrection2, double GradCoef, double ExpAvgCoef);

/// <summary>
/// RAdam: m = lerp(m, g, 1 - beta1); v = v * beta2 + (1 - beta2) * g * g; b = m / BiasCorrection1; when Rectify:
/// p = p - ((b * lr) * (1 / (sqrt(v) + eps) * BiasCorrection2Sqrt)) * Rect, else p = p - b * lr.
/// </summary>
/// <param name="Prep">Gradient preprocessing (decoupled with decoupled_weight_decay).</param>
/// <param name="Lr">Learning rate.</param>
/// <param name="Beta1">First-moment coefficient.</param>
/// <param name="Beta2">Second-moment coefficient.</param>
/// <param name="Eps">Denominator term.</param>
/// <param name="BiasCorrection1">1 - beta1^t.</param>
/// <param name="BiasCorrection2Sqrt">sqrt(1 - beta2^t).</param>
/// <param name="Rectify">rho_t &gt; 5: use the adaptive, rectified step.</param>
/// <param name="Rect">The variance rectification term r_t.</param>
public readonly record struct RadamArgs(GradPrep Prep, double Lr, double Beta1, double Beta2, double Eps, double BiasCorrection1,
    double BiasCorrection2Sqrt, bool Rectify, double Rect);

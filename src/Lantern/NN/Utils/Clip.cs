namespace Lantern.NN;

/// <summary>torch.nn.utils: gradient clipping (this file); other helpers live in their own files.</summary>
public static partial class Utils
{
    /// <summary>
    /// torch.nn.utils.clip_grad_norm_: the total norm of all gradients (the <paramref name="normType"/>-norm of the
    /// per-parameter norms, i.e. of every gradient element together; infinity = max |g|) is computed, then every gradient
    /// is multiplied in place by min(1, maxNorm / (total + 1e-6)), as PyTorch (which multiplies even when the factor is 1).
    /// Parameters without a gradient are skipped. Returns the total norm before clipping (0-dim, the gradients' dtype;
    /// 0.0 when no parameter has a gradient).
    /// </summary>
    /// <exception cref="ArgumentException">normType is NaN, or maxNorm is NaN.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="errorIfNonfinite"/> is set and the total norm is NaN or
    /// infinite (the gradients are left unchanged).</exception>
    public static Tensor ClipGradNorm_(IEnumerable<Tensor> parameters, double maxNorm, double normType = 2, bool errorIfNonfinite = false)
    {
        if (double.IsNaN(normType)) throw new ArgumentException("ClipGradNorm_: normType must be a number or infinity, got NaN.");
        if (double.IsNaN(maxNorm)) throw new ArgumentException("ClipGradNorm_: maxNorm must be a number, got NaN.");
        var grads = parameters.Select(p => p.Grad).OfType<Tensor>().ToArray();
        if (grads.Length == 0) return Tensor.Scalar(0.0f);
        using var noGrad = Autograd.NoGrad();
        var norms = grads.Select(g => g.Norm(normType)).ToArray();
        var dtype = norms.Select(n => n.DType).Aggregate((a, b) => a == DType.Float64 || b == DType.Float64 ? DType.Float64 : a);
        var total = Tensor.Stack(norms.Select(n => n.To(dtype)).ToArray()).Norm(normType);
        if (errorIfNonfinite && !total.IsFinite().Item<bool>())
            throw new InvalidOperationException(
                $"ClipGradNorm_: the total norm of order {normType} for gradients from parameters is non-finite ({total.Item<double>()}), so it cannot be clipped. " +
                "To disable this error and scale the gradients by the non-finite norm anyway, set errorIfNonfinite: false.");
        var coef = Tensor.Scalar(maxNorm, dtype).Div(total.Add(1e-6)).Clamp(max: 1.0);
        foreach (var g in grads) g.Mul_(coef.To(g.DType));
        return total;
    }

    /// <summary>
    /// torch.nn.utils.clip_grad_value_: clamps every existing gradient in place to [-clipValue, clipValue].
    /// </summary>
    /// <exception cref="ArgumentException">clipValue is negative or NaN.</exception>
    public static void ClipGradValue_(IEnumerable<Tensor> parameters, double clipValue)
    {
        if (!(clipValue >= 0)) throw new ArgumentException($"ClipGradValue_: clipValue must be non-negative, got {clipValue}.");
        using var noGrad = Autograd.NoGrad();
        foreach (var p in parameters)
            p.Grad?.Clamp_(-clipValue, clipValue);
    }
}

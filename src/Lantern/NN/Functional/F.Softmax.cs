namespace Lantern.NN;

// Softmax family with fused backward rules.
public static partial class F
{
    /// <summary>
    /// torch.nn.functional.softmax(x, dim): exp(x - max) / sum(exp(x - max)) along dim (stable for any logits).
    /// Backward: dx = y * (g - sum(g * y, dim)). Integer inputs compute in float32.
    /// </summary>
    [Differentiable]
    public static Tensor Softmax(Tensor input, int dim)
    {
        var x = input.AsFloating();
        int d = x.Shape.NormalizeDim(dim, "Softmax");
        if (x.Rank == 0) return Softmax(x.Unsqueeze(0), 0).Squeeze(0);
        Tensor y;
        using (Autograd.NoGrad())
        {
            var m = x.Amax([d], keepDim: true);
            m = m.MaskedFill(m.IsInf(), 0);
            var e = x.Sub(m).Exp();
            y = e.Div(e.Sum(d, keepDim: true)).Detach();
        }
        return Autograd.Record(y, "Softmax", [x], g => [y.Mul(g.Sub(g.Mul(y).Sum(d, keepDim: true)))], y);
    }

    /// <summary>
    /// torch.nn.functional.log_softmax(x, dim): x - max - log(sum(exp(x - max))) along dim.
    /// Backward: dx = g - exp(y) * sum(g, dim).
    /// </summary>
    [Differentiable]
    public static Tensor LogSoftmax(Tensor input, int dim)
    {
        var x = input.AsFloating();
        int d = x.Shape.NormalizeDim(dim, "LogSoftmax");
        if (x.Rank == 0) return LogSoftmax(x.Unsqueeze(0), 0).Squeeze(0);
        Tensor y;
        using (Autograd.NoGrad())
        {
            var m = x.Amax([d], keepDim: true);
            m = m.MaskedFill(m.IsInf(), 0);
            var shifted = x.Sub(m);
            y = shifted.Sub(shifted.Exp().Sum(d, keepDim: true).Log()).Detach();
        }
        return Autograd.Record(y, "LogSoftmax", [x], g => [g.Sub(y.Exp().Mul(g.Sum(d, keepDim: true)))], y);
    }

    /// <summary>torch.nn.functional.softmin(x, dim) = softmax(-x, dim).</summary>
    public static Tensor Softmin(Tensor input, int dim) => Softmax(input.AsFloating().Neg(), dim);
}

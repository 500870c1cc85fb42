namespace Lantern.NN;

/// <summary>
/// Explicit weight penalties to add to a loss (differentiable, so their gradient reaches every parameter).
/// Adding (lambda / 2) * L2Penalty(params) to the loss gives the same gradient as SGD's coupled weightDecay lambda;
/// AdamW's decoupled decay is not a loss term.
/// </summary>
public static class Regularization
{
    /// <summary>sum over parameters of sum |w| (0-dim; 0 for no parameters). Gradient sign(w).</summary>
    public static Tensor L1Penalty(IEnumerable<Tensor> parameters) => SumOver(parameters, p => p.Abs().Sum());

    /// <summary>sum over parameters of sum w^2 (0-dim; 0 for no parameters). Gradient 2 w.</summary>
    public static Tensor L2Penalty(IEnumerable<Tensor> parameters) => SumOver(parameters, p => p.Mul(p).Sum());

    private static Tensor SumOver(IEnumerable<Tensor> parameters, Func<Tensor, Tensor> term)
    {
        Tensor? total = null;
        foreach (var p in parameters)
        {
            if (!p.DType.IsFloatingPoint())
                throw new ArgumentException($"Regularization: parameters must be floating point, got {p.DType} (shape {p.Shape}).");
            var t = term(p);
            total = total is null ? t : total.Add(t);
        }
        return total ?? Tensor.Scalar(0.0f);
    }
}

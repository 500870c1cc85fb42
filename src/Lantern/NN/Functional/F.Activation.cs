using Lantern.Kernels;

namespace Lantern.NN;

// Activation functions (torch.nn.functional): PyTorch's formulas, defaults and derivatives at the kinks.
// Ops with a fused kernel run one pass forward and one backward; when the backward itself must be
// differentiated (createGraph) the same derivative is built from differentiable tensor ops instead.
public static partial class F
{
    /// <summary>SELU's alpha (Klambauer et al., as PyTorch).</summary>
    public const double SeluAlpha = 1.6732632423543772848170429916717;

    /// <summary>SELU's scale (Klambauer et al., as PyTorch).</summary>
    public const double SeluScale = 1.0507009873554804934193349852946;

    /// <summary>
    /// Runs a fused activation kernel and records its backward: the kernel when no graph of the backward is
    /// needed, <paramref name="composite"/>(g, x) (differentiable) when it is.
    /// </summary>
    private static Tensor Fused(Tensor input, ActivationOp op, string name, Func<Tensor, Tensor, Tensor> composite, double p0 = 0, double p1 = 0, double p2 = 0)
    {
        var x = input.AsFloating();
        var y = Tensor.ActivationForward(op, x, p0, p1, p2);
        if (!Autograd.NeedsGrad(x)) return y;
        return Autograd.Record(y, name, [x],
            g => [Autograd.IsGradEnabled ? composite(g, x) : Tensor.ActivationBackward(op, g, x, p0, p1, p2)], x);
    }

    /// <summary>torch.sigmoid: 1 / (1 + exp(-x)).</summary>
    public static Tensor Sigmoid(Tensor input) => input.Sigmoid();

    /// <summary>torch.tanh.</summary>
    public static Tensor Tanh(Tensor input) => input.Tanh();

    /// <summary>torch.nn.functional.relu6: min(max(x, 0), 6) = hardtanh(x, 0, 6); the gradient is 0 at 0 and at 6.</summary>
    public static Tensor Relu6(Tensor input) => Hardtanh(input, 0, 6);

    /// <summary>
    /// torch.nn.functional.hardtanh: min(max(x, minVal), maxVal). Gradient g where minVal &lt; x &lt; maxVal,
    /// 0 elsewhere (including both edges, as PyTorch).
    /// </summary>
    /// <exception cref="ArgumentException">minVal &gt; maxVal.</exception>
    [Differentiable]
    public static Tensor Hardtanh(Tensor input, double minVal = -1, double maxVal = 1)
    {
        if (minVal > maxVal) throw new ArgumentException($"Hardtanh: min_val ({minVal}) cannot be greater than max_val ({maxVal}).");
        return Fused(input, ActivationOp.Hardtanh, "Hardtanh", (g, x) => g.MaskedFill(x.Le(minVal).LogicalOr(x.Ge(maxVal)), 0), minVal, maxVal);
    }

    /// <summary>
    /// torch.nn.functional.leaky_relu: x &gt; 0 ? x : negativeSlope * x. Gradient g for x &gt; 0, negativeSlope * g
    /// for x &lt;= 0 (so the slope at 0, as PyTorch).
    /// </summary>
    [Differentiable]
    public static Tensor LeakyRelu(Tensor input, double negativeSlope = 0.01) =>
        Fused(input, ActivationOp.LeakyRelu, "LeakyRelu", (g, x) => Tensor.Where(x.Gt(0), g, g.Mul(negativeSlope)), negativeSlope);

    /// <summary>
    /// torch.nn.functional.prelu: x &gt; 0 ? x : w * x with a learnable weight of 1 element (shared) or C
    /// elements (one per channel, dim 1 of the input). Gradients: dx = x &gt; 0 ? g : w g; dw = sum of x g over
    /// x &lt;= 0 (PyTorch's choice at 0).
    /// </summary>
    /// <exception cref="ArgumentException">weight not 0-D/1-D, or its size differs from the channel count (dim 1; 1 for 1-D inputs).</exception>
    public static Tensor Prelu(Tensor input, Tensor weight)
    {
        if (weight.Rank > 1) throw new ArgumentException($"Prelu: expected `weight` to be a scalar or 1D tensor, but got weight of shape {weight.Shape}.");
        var x = input.AsFloating();
        int count = weight.Numel();
        var w = weight;
        if (count != 1)
        {
            if (x.Rank == 0) throw new ArgumentException($"Prelu: a 0-dim input is not allowed with {count} weights.");
            int channels = x.Rank > 1 ? x.Shape[1] : 1;
            if (channels != count)
                throw new ArgumentException($"Prelu: mismatch of parameter numbers and input channel size. Found parameter numbers = {count} and channel size = {channels} (input shape {x.Shape}).");
            var shape = Enumerable.Repeat(1, x.Rank).ToArray();
            shape[1] = count;
            w = weight.Reshape(shape);
        }
        else if (weight.Rank == 1) w = weight.Reshape();
        return Tensor.Where(x.Gt(0), x, w.Mul(x));
    }

    /// <summary>
    /// torch.nn.functional.softplus: beta x &gt; threshold ? x : log(1 + exp(beta x)) / beta (linear above the
    /// threshold for stability). Gradient: g * sigmoid(beta x) below the threshold, g above.
    /// </summary>
    /// <exception cref="ArgumentException">beta is 0.</exception>
    [Differentiable]
    public static Tensor Softplus(Tensor input, double beta = 1, double threshold = 20)
    {
        if (beta == 0) throw new ArgumentException("Softplus: beta must be nonzero.");
        return Fused(input, ActivationOp.Softplus, "Softplus", (g, x) =>
        {
            var bx = x.Mul(beta);
            return Tensor.Where(bx.Gt(threshold), g, g.Mul(bx.Sigmoid()));
        }, beta, threshold);
    }

    /// <summary>The ELU family: x &lt;= 0 ? alpha scale (exp(inputScale x) - 1) : scale x (PyTorch's at::elu).</summary>
    private static Tensor EluCore(Tensor input, double alpha, double scale, double inputScale, string name) =>
        Fused(input, ActivationOp.Elu, name, (g, x) =>
            Tensor.Where(x.Le(0), g.Mul(x.Mul(inputScale).Exp()).Mul(inputScale * alpha * scale), g.Mul(scale)), alpha, scale, inputScale);

    /// <summary>
    /// torch.nn.functional.elu: x &gt; 0 ? x : alpha (exp(x) - 1). Gradient at x &lt;= 0 (0 included): alpha exp(x) g.
    /// </summary>
    [Differentiable]
    public static Tensor Elu(Tensor input, double alpha = 1) => EluCore(input, alpha, 1, 1, "Elu");

    /// <summary>torch.nn.functional.selu: scale * elu(x, alpha) with <see cref="SeluAlpha"/> and <see cref="SeluScale"/>.</summary>
    [Differentiable]
    public static Tensor Selu(Tensor input) => EluCore(input, SeluAlpha, SeluScale, 1, "Selu");

    /// <summary>torch.nn.functional.celu: max(0, x) + min(0, alpha (exp(x / alpha) - 1)).</summary>
    /// <exception cref="ArgumentException">alpha is 0.</exception>
    [Differentiable]
    public static Tensor Celu(Tensor input, double alpha = 1)
    {
        if (alpha == 0) throw new ArgumentException("Celu: ZeroDivisionError in celu: alpha cannot be 0.");
        return EluCore(input, alpha, 1, 1 / alpha, "Celu");
    }

    /// <summary>torch.nn.functional.silu (swish): x * sigmoid(x); gradient g s (1 + x (1 - s)).</summary>
    [Differentiable]
    public static Tensor Silu(Tensor input) => Fused(input, ActivationOp.Silu, "Silu", (g, x) =>
    {
        var s = x.Sigmoid();
        return g.Mul(s).Mul(x.Mul(s.Neg().Add(1)).Add(1));
    });

    /// <summary>torch.nn.functional.mish: x * tanh(softplus(x)); gradient g (t + x sigmoid(x) (1 - t^2)), t = tanh(softplus(x)).</summary>
    [Differentiable]
    public static Tensor Mish(Tensor input) => Fused(input, ActivationOp.Mish, "Mish", (g, x) =>
    {
        var t = x.Exp().Log1p().Tanh();
        return g.Mul(t.Add(x.Mul(x.Sigmoid()).Mul(t.Mul(t).Neg().Add(1))));
    });

    /// <summary>
    /// torch.nn.functional.hardswish: x * relu6(x + 3) / 6. Gradient 0 for x &lt;= -3, g (x / 3 + 1/2) for
    /// -3 &lt; x &lt; 3, g for x &gt;= 3 (PyTorch's choices at -3 and 3, as libtorch 2.10 computes them).
    /// </summary>
    [Differentiable]
    public static Tensor Hardswish(Tensor input) => Fused(input, ActivationOp.Hardswish, "Hardswish", (g, x) =>
        Tensor.Where(x.Le(-3), 0, Tensor.Where(x.Lt(3), g.Mul(x.Div(3).Add(0.5)), g)));

    /// <summary>torch.nn.functional.hardsigmoid: relu6(x + 3) / 6; gradient g / 6 for -3 &lt; x &lt; 3, else 0.</summary>
    [Differentiable]
    public static Tensor Hardsigmoid(Tensor input) => Fused(input, ActivationOp.Hardsigmoid, "Hardsigmoid", (g, x) =>
        g.MaskedFill(x.Le(-3).LogicalOr(x.Ge(3)), 0).Div(6));

    /// <summary>torch.nn.functional.softsign: x / (1 + |x|).</summary>
    public static Tensor Softsign(Tensor input)
    {
        var x = input.AsFloating();
        return x.Div(x.Abs().Add(1));
    }

    /// <summary>torch.nn.functional.tanhshrink: x - tanh(x).</summary>
    public static Tensor Tanhshrink(Tensor input)
    {
        var x = input.AsFloating();
        return x.Sub(x.Tanh());
    }

    /// <summary>torch.nn.functional.threshold: x &gt; threshold ? x : value; the gradient is 0 where x &lt;= threshold.</summary>
    public static Tensor Threshold(Tensor input, double threshold, double value) =>
        Tensor.Where(input.Gt(threshold), input, value);

    /// <summary>
    /// torch.nn.functional.glu: splits <paramref name="input"/> in halves a, b along dim and returns a * sigmoid(b)
    /// (the size of dim halves).
    /// </summary>
    /// <exception cref="ArgumentException">A 0-dim input, or an odd size along dim.</exception>
    public static Tensor Glu(Tensor input, int dim = -1)
    {
        if (input.Rank == 0) throw new ArgumentException("Glu: glu does not support scalars because halving size must be even.");
        int d = input.Shape.NormalizeDim(dim, "Glu");
        int size = input.Shape[d];
        if (size % 2 != 0)
            throw new ArgumentException($"Glu: halving dimension must be even, but dimension {d} is size {size} (input shape {input.Shape}).");
        var x = input.AsFloating();
        return x.Narrow(d, 0, size / 2).Mul(x.Narrow(d, size / 2, size / 2).Sigmoid());
    }
}

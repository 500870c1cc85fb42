namespace Lantern.Kernels;

/// <summary>
/// Activation functions with fused forward and backward kernels (PyTorch's formulas, including the derivative
/// PyTorch assigns at each kink). P0..P2 are the op's scalar arguments.
/// </summary>
public enum ActivationOp
{
    /// <summary>max(x, 0) (NaN kept); dx = x &lt;= 0 ? 0 : g (PyTorch's threshold_backward: 0 at 0). Also valid on y = relu(x).</summary>
    Relu,
    /// <summary>min(max(x, P0), P1); dx = g where P0 &lt; x &lt; P1, else 0 (zero at both edges).</summary>
    Hardtanh,
    /// <summary>x &gt; 0 ? x : P0 * x; dx = x &gt; 0 ? g : P0 * g (slope at 0).</summary>
    LeakyRelu,
    /// <summary>beta = P0, threshold = P1: beta x &gt; threshold ? x : log1p(exp(beta x)) / beta; dx = g * sigmoid(beta x) below the threshold, g above.</summary>
    Softplus,
    /// <summary>alpha = P0, scale = P1, input scale = P2: x &lt;= 0 ? alpha scale (exp(P2 x) - 1) : scale x; dx at x &lt;= 0 is g alpha scale P2 exp(P2 x).</summary>
    Elu,
    /// <summary>x * sigmoid(x); dx = g s (1 + x (1 - s)).</summary>
    Silu,
    /// <summary>x * tanh(log1p(exp(x))); dx = g (t + x s (1 - t^2)), s = sigmoid(x), t = tanh(softplus(x)).</summary>
    Mish,
    /// <summary>x * min(max(x + 3, 0), 6) / 6; dx = x &lt;= -3 ? 0 : x &lt; 3 ? g (x / 3 + 1/2) : g (libtorch 2.10's choice at -3 and 3).</summary>
    Hardswish,
    /// <summary>min(max(x + 3, 0), 6) / 6; dx = -3 &lt; x &lt; 3 ? g / 6 : 0.</summary>
    Hardsigmoid,
}

/// <summary>
/// Fused elementwise activation kernels of a backend: one pass forward (y from x) and one pass backward
/// (dx from g and x). Operands are contiguous layouts of one shape; Float32 and Float64.
/// </summary>
public interface IActivationBackend
{
    /// <summary>y = op(x).</summary>
    void Activation(ActivationOp op, DeviceBuffer x, Layout lx, DeviceBuffer y, Layout ly, double p0, double p1, double p2);

    /// <summary>dx = g * op'(x) with PyTorch's one-sided choice at kinks.</summary>
    void ActivationBackward(ActivationOp op, DeviceBuffer g, Layout lg, DeviceBuffer x, Layout lx, DeviceBuffer dx, Layout ldx, double p0, double p1, double p2);
}

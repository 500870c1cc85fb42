namespace Lantern.NN;

// Activation modules: thin wrappers of the functions in F (F.Activation.cs, F.Core.cs, F.Softmax.cs), with
// PyTorch's class names, defaults and extra_repr.

/// <summary>torch.nn.Sigmoid: 1 / (1 + exp(-x)).</summary>
public sealed class Sigmoid : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Sigmoid(input);
}

/// <summary>torch.nn.Tanh.</summary>
public sealed class Tanh : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Tanh(input);
}

/// <summary>torch.nn.ReLU: max(x, 0) (gradient 0 at 0).</summary>
public sealed class ReLU : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Relu(input);
}

/// <summary>torch.nn.ReLU6: min(max(x, 0), 6) (gradient 0 at 0 and 6).</summary>
public sealed class ReLU6 : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Relu6(input);
}

/// <summary>torch.nn.LeakyReLU: x &gt; 0 ? x : negativeSlope x.</summary>
/// <param name="negativeSlope">Slope for x &lt;= 0 (PyTorch's default 0.01).</param>
public sealed class LeakyReLU(double negativeSlope = 0.01) : Module<Tensor, Tensor>
{
    /// <summary>Slope for x &lt;= 0.</summary>
    public double NegativeSlope { get; } = negativeSlope;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.LeakyRelu(input, NegativeSlope);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"negative_slope={Py(NegativeSlope)}";
}

/// <summary>
/// torch.nn.PReLU: x &gt; 0 ? x : w x with a learnable weight of <see cref="WeightCount"/> elements (1, shared,
/// or one per channel on dim 1), initialised to <c>init</c> (0.25).
/// </summary>
public sealed class PReLU : Module<Tensor, Tensor>
{
    /// <summary>A PReLU with <paramref name="numParameters"/> weights set to <paramref name="init"/>.</summary>
    /// <exception cref="ArgumentException">numParameters &lt; 1.</exception>
    public PReLU(int numParameters = 1, double init = 0.25, DType dtype = DType.Float32)
    {
        if (numParameters < 1) throw new ArgumentException($"PReLU: num_parameters must be positive, got {numParameters}.");
        WeightCount = numParameters;
        InitValue = init;
        RegisterParameter("weight", Tensor.Full([numParameters], init, dtype));
    }

    /// <summary>Number of weights (PyTorch's num_parameters).</summary>
    public int WeightCount { get; }

    /// <summary>Initial weight value (PyTorch's init).</summary>
    public double InitValue { get; }

    /// <summary>[numParameters].</summary>
    public Tensor Weight => GetParameter("weight")!;

    /// <summary>PyTorch's reset_parameters: weight filled with the init value.</summary>
    public void ResetParameters() => Init.Constant_(Weight, InitValue);

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Prelu(input, Weight);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"num_parameters={WeightCount}";
}

/// <summary>torch.nn.Softplus: log(1 + exp(beta x)) / beta, linear where beta x &gt; threshold.</summary>
/// <param name="beta">Sharpness (1).</param>
/// <param name="threshold">Above it the function is x (20).</param>
public sealed class Softplus(double beta = 1, double threshold = 20) : Module<Tensor, Tensor>
{
    /// <summary>Sharpness.</summary>
    public double Beta { get; } = beta;

    /// <summary>Linear above this value of beta x.</summary>
    public double Threshold { get; } = threshold;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Softplus(input, Beta, Threshold);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"beta={Py(Beta)}, threshold={Py(Threshold)}";
}

/// <summary>torch.nn.ELU: x &gt; 0 ? x : alpha (exp(x) - 1).</summary>
/// <param name="alpha">Saturation value for negative inputs (1).</param>
public sealed class ELU(double alpha = 1) : Module<Tensor, Tensor>
{
    /// <summary>Negative saturation.</summary>
    public double Alpha { get; } = alpha;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Elu(input, Alpha);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"alpha={Py(Alpha)}";
}

/// <summary>torch.nn.SELU: scale * elu(x, alpha) with PyTorch's constants (<see cref="F.SeluAlpha"/>, <see cref="F.SeluScale"/>).</summary>
public sealed class SELU : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Selu(input);
}

/// <summary>torch.nn.CELU: max(0, x) + min(0, alpha (exp(x / alpha) - 1)).</summary>
public sealed class CELU : Module<Tensor, Tensor>
{
    /// <summary>A CELU with the given alpha (1).</summary>
    /// <exception cref="ArgumentException">alpha is 0.</exception>
    public CELU(double alpha = 1)
    {
        if (alpha == 0) throw new ArgumentException("CELU: alpha cannot be 0.");
        Alpha = alpha;
    }

    /// <summary>Negative saturation and input scale.</summary>
    public double Alpha { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Celu(input, Alpha);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"alpha={Py(Alpha)}";
}

/// <summary>torch.nn.SiLU (swish): x * sigmoid(x).</summary>
public sealed class SiLU : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Silu(input);
}

/// <summary>torch.nn.Mish: x * tanh(softplus(x)).</summary>
public sealed class Mish : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Mish(input);
}

/// <summary>torch.nn.GELU: x Phi(x) ("none", exact) or its tanh approximation ("tanh").</summary>
public sealed class GELU : Module<Tensor, Tensor>
{
    /// <summary>A GELU; <paramref name="approximate"/> is "none" or "tanh".</summary>
    /// <exception cref="ArgumentException">Any other approximate.</exception>
    public GELU(string approximate = "none")
    {
        if (approximate is not ("none" or "tanh")) throw new ArgumentException($"GELU: approximate must be 'none' or 'tanh', got '{approximate}'.");
        Approximate = approximate;
    }

    /// <summary>"none" or "tanh".</summary>
    public string Approximate { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Gelu(input, Approximate);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"approximate={Py(Approximate)}";
}

/// <summary>torch.nn.GLU: a * sigmoid(b) for the halves a, b of dim.</summary>
/// <param name="dim">The dim halved (-1).</param>
public sealed class GLU(int dim = -1) : Module<Tensor, Tensor>
{
    /// <summary>The dim halved.</summary>
    public int Dim { get; } = dim;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Glu(input, Dim);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"dim={Dim}";
}

/// <summary>torch.nn.Hardswish: x * relu6(x + 3) / 6.</summary>
public sealed class Hardswish : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Hardswish(input);
}

/// <summary>torch.nn.Hardsigmoid: relu6(x + 3) / 6.</summary>
public sealed class Hardsigmoid : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Hardsigmoid(input);
}

/// <summary>torch.nn.Hardtanh: min(max(x, minVal), maxVal).</summary>
public sealed class Hardtanh : Module<Tensor, Tensor>
{
    /// <summary>A hardtanh clamping to [minVal, maxVal] (-1, 1).</summary>
    /// <exception cref="ArgumentException">maxVal &lt;= minVal.</exception>
    public Hardtanh(double minVal = -1, double maxVal = 1)
    {
        if (!(maxVal > minVal)) throw new ArgumentException($"Hardtanh: max_val ({maxVal}) must be greater than min_val ({minVal}).");
        MinVal = minVal;
        MaxVal = maxVal;
    }

    /// <summary>Lower bound.</summary>
    public double MinVal { get; }

    /// <summary>Upper bound.</summary>
    public double MaxVal { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Hardtanh(input, MinVal, MaxVal);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"min_val={Py(MinVal)}, max_val={Py(MaxVal)}";
}

/// <summary>torch.nn.Softsign: x / (1 + |x|).</summary>
public sealed class Softsign : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Softsign(input);
}

/// <summary>torch.nn.Tanhshrink: x - tanh(x).</summary>
public sealed class Tanhshrink : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Tanhshrink(input);
}

/// <summary>torch.nn.Threshold: x &gt; threshold ? x : value.</summary>
/// <param name="threshold">Values at or below it are replaced.</param>
/// <param name="value">The replacement.</param>
public sealed class Threshold(double threshold, double value) : Module<Tensor, Tensor>
{
    /// <summary>The threshold.</summary>
    public double ThresholdValue { get; } = threshold;

    /// <summary>The replacement value.</summary>
    public double Value { get; } = value;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Threshold(input, ThresholdValue, Value);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"threshold={Py(ThresholdValue)}, value={Py(Value)}";
}

/// <summary>torch.nn.Softmax over <see cref="Dim"/>.</summary>
/// <param name="dim">The normalised dim.</param>
public sealed class Softmax(int dim) : Module<Tensor, Tensor>
{
    /// <summary>The normalised dim.</summary>
    public int Dim { get; } = dim;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Softmax(input, Dim);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"dim={Dim}";
}

/// <summary>torch.nn.LogSoftmax over <see cref="Dim"/>.</summary>
/// <param name="dim">The normalised dim.</param>
public sealed class LogSoftmax(int dim) : Module<Tensor, Tensor>
{
    /// <summary>The normalised dim.</summary>
    public int Dim { get; } = dim;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.LogSoftmax(input, Dim);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"dim={Dim}";
}

/// <summary>torch.nn.Softmin over <see cref="Dim"/>.</summary>
/// <param name="dim">The normalised dim.</param>
public sealed class Softmin(int dim) : Module<Tensor, Tensor>
{
    /// <summary>The normalised dim.</summary>
    public int Dim { get; } = dim;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Softmin(input, Dim);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"dim={Dim}";
}

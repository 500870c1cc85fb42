namespace Lantern.NN;

/// <summary>
/// torch.nn.Linear: y = x W^T + b with weight [out, in] and bias [out]. Both initialised from
/// U(-1/sqrt(in), 1/sqrt(in)) as PyTorch (kaiming_uniform with a = sqrt(5) for the weight).
/// </summary>
public class Linear : Module<Tensor, Tensor>
{
    /// <summary>A linear layer.</summary>
    /// <exception cref="ArgumentException">Negative feature counts.</exception>
    public Linear(int inFeatures, int outFeatures, bool bias = true, DType dtype = DType.Float32, Generator? generator = null)
    {
        if (inFeatures < 0 || outFeatures < 0)
            throw new ArgumentException($"Linear: feature counts must be non-negative, got in_features={inFeatures}, out_features={outFeatures}.");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        RegisterParameter("weight", Tensor.Empty([outFeatures, inFeatures], dtype));
        RegisterParameter("bias", bias ? Tensor.Empty([outFeatures], dtype) : null);
        ResetParameters(generator);
    }

    /// <summary>Input features.</summary>
    public int InFeatures { get; }

    /// <summary>Output features.</summary>
    public int OutFeatures { get; }

    /// <summary>[out, in].</summary>
    public Tensor Weight => GetParameter("weight")!;

    /// <summary>[out] or null.</summary>
    public Tensor? Bias => GetParameter("bias");

    /// <summary>PyTorch's reset_parameters: kaiming_uniform_(weight, a=sqrt(5)); bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)).</summary>
    public void ResetParameters(Generator? generator = null)
    {
        Init.KaimingUniform_(Weight, a: Math.Sqrt(5), generator: generator);
        if (Bias is { } b)
        {
            int fanIn = InFeatures;
            double bound = fanIn > 0 ? 1 / Math.Sqrt(fanIn) : 0;
            Init.Uniform_(b, -bound, bound, generator);
        }
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Linear(input, Weight, Bias);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"in_features={InFeatures}, out_features={OutFeatures}, bias={Py(Bias is not null)}";
}

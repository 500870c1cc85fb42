namespace Lantern.NN;

/// <summary>
/// torch.nn.functional: the math of every layer, stateless. Modules are thin wrappers that own parameters
/// and call these. One partial file per op family.
/// </summary>
public static partial class F
{
    /// <summary>
    /// torch.nn.functional.linear: y = x W^T + b. x is [*, in], weight [out, in], bias [out] or null; y is [*, out].
    /// </summary>
    /// <exception cref="ArgumentException">weight not 2-D, x's last dim differs from in, or bias shape wrong (the message gives all shapes).</exception>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null)
    {
        if (weight.Rank != 2)
            throw new ArgumentException($"Linear: weight must be 2-D [out_features, in_features], got shape {weight.Shape}.");
        if (input.Rank == 0 || input.Shape[-1] != weight.Shape[1])
            throw new ArgumentException($"Linear: input last dimension must equal in_features {weight.Shape[1]}, got input shape {input.Shape} (weight shape {weight.Shape}).");
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != weight.Shape[0]))
            throw new ArgumentException($"Linear: bias must have shape [{weight.Shape[0]}], got {bias.Shape}.");
        Tensor y;
        if (input.Rank > 2)
        {
            // One GEMM over all leading dims: [N, in] x [in, out].
            var lead = input.Shape.ToArray()[..^1];
            y = input.Reshape(-1, weight.Shape[1]).MatMul(weight.T).Reshape([.. lead, weight.Shape[0]]);
        }
        else y = input.MatMul(weight.T);
        return bias is null ? y : y.Add(bias);
    }

    /// <summary>
    /// torch.nn.functional.bilinear: y[..., k] = x1 A_k x2^T + b_k. x1 is [*, in1], x2 [*, in2], weight [out, in1, in2], bias [out].
    /// </summary>
    /// <exception cref="ArgumentException">Shape mismatch between inputs and weight.</exception>
    public static Tensor Bilinear(Tensor input1, Tensor input2, Tensor weight, Tensor? bias = null)
    {
        if (weight.Rank != 3)
            throw new ArgumentException($"Bilinear: weight must be 3-D [out, in1, in2], got {weight.Shape}.");
        if (input1.Rank == 0 || input2.Rank == 0 || input1.Shape[-1] != weight.Shape[1] || input2.Shape[-1] != weight.Shape[2])
            throw new ArgumentException($"Bilinear: input shapes {input1.Shape} and {input2.Shape} do not match weight {weight.Shape}.");
        if (input1.Shape.Raw[..^1].AsSpan().SequenceEqual(input2.Shape.Raw[..^1]) == false)
            throw new ArgumentException($"Bilinear: input batch dimensions differ: {input1.Shape} and {input2.Shape}.");
        var lead = input1.Shape.ToArray()[..^1];
        var x1 = input1.Reshape(-1, weight.Shape[1]);
        var x2 = input2.Reshape(-1, weight.Shape[2]);
        var y = Tensor.Einsum("ni,oij->noj", x1, weight);                                  // [N, out, in2]
        var r = y.Mul(x2.Unsqueeze(1)).Sum(-1);                                            // [N, out]
        if (bias is not null) r = r.Add(bias);
        return r.Reshape([.. lead, weight.Shape[0]]);
    }
}

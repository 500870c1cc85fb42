using Xunit;
using TorchTensor = TorchSharp.torch.Tensor;

namespace Lantern.Reference.Tests;

/// <summary>Conversions between Lantern and TorchSharp tensors, and closeness asserts.</summary>
public static class Torch
{
    /// <summary>A TorchSharp tensor with the same values (float32 or float64) and shape.</summary>
    public static TorchTensor From(global::Lantern.Tensor t, bool requiresGrad = false)
    {
        var shape = t.Shape.ToArray().Select(d => (long)d).ToArray();
        TorchTensor r = t.DType switch
        {
            global::Lantern.DType.Float64 => TorchSharp.torch.tensor(t.ToArray<double>(), shape),
            global::Lantern.DType.Int64 => TorchSharp.torch.tensor(t.ToArray<long>(), shape),
            global::Lantern.DType.Bool => TorchSharp.torch.tensor(t.ToArray<bool>(), shape),
            _ => TorchSharp.torch.tensor(t.ToArray<float>(), shape),
        };
        return requiresGrad ? r.requires_grad_(true) : r;
    }

    /// <summary>A Lantern tensor with the values of a TorchSharp tensor (as float64).</summary>
    public static global::Lantern.Tensor ToLantern(TorchTensor t)
    {
        var shape = t.shape.Select(d => (int)d).ToArray();
        var data = t.detach().cpu().to_type(TorchSharp.torch.ScalarType.Float64).data<double>().ToArray();
        return global::Lantern.Tensor.FromArray(data, shape);
    }

    /// <summary>Asserts shapes equal and |actual - expected| &lt;= rtol * (|expected| + max|expected| * 1e-3) elementwise.</summary>
    public static double AssertClose(TorchTensor expected, global::Lantern.Tensor actual, double rtol, string what)
    {
        Assert.Equal(expected.shape.Select(d => (int)d).ToArray(), actual.Shape.ToArray());
        var e = expected.detach().cpu().to_type(TorchSharp.torch.ScalarType.Float64).data<double>().ToArray();
        var a = actual.ToArray<double>();
        double scale = e.Length == 0 ? 0 : e.Max(Math.Abs);
        double worst = 0;
        for (int i = 0; i < e.Length; i++)
        {
            double err = Math.Abs(a[i] - e[i]) / (Math.Abs(e[i]) + scale * 1e-3 + 1e-30);
            worst = Math.Max(worst, err);
            if (err > rtol)
                Assert.Fail($"{what}: element {i} of {e.Length}: Lantern {a[i]:R}, PyTorch {e[i]:R} (relative error {err:E2} > {rtol:E1})");
        }
        return worst;
    }
}

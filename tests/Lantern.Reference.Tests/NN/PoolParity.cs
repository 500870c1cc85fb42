using Xunit;
using TorchSharp;
using TorchTensor = TorchSharp.torch.Tensor;
using LTensor = global::Lantern.Tensor;

namespace Lantern.Reference.Tests.NN;

/// <summary>
/// Functional parity for the pooling / resampling family: the same float32 inputs through Lantern and libtorch,
/// compare outputs, then backpropagate the same random output gradient and compare every input gradient.
/// With LANTERN_PARITY_LOG set, every check appends "layer | case | worst relative error" to that file (used for
/// the error table in the closing note).
/// </summary>
public static class PoolParity
{
    private static readonly object s_lock = new();

    private static void Note(string layer, string what, double err)
    {
        var path = Environment.GetEnvironmentVariable("LANTERN_PARITY_LOG");
        if (string.IsNullOrEmpty(path)) return;
        lock (s_lock) File.AppendAllText(path, $"{layer} | {what} | {err:E2}\n");
    }

    /// <summary>Checks forward and the gradients of the inputs flagged in <paramref name="grad"/> (default: all).</summary>
    public static double Check(string layer, string what, LTensor[] inputs, Func<LTensor[], LTensor> ours, Func<TorchTensor[], TorchTensor> theirs,
        double rtol = 1e-4, bool[]? grad = null)
    {
        grad ??= inputs.Select(t => t.DType.IsFloatingPoint()).ToArray();
        var xs = inputs.Select((t, i) => grad[i] ? t.Detach().Clone().RequiresGrad_() : t).ToArray();
        var txs = inputs.Select((t, i) => Torch.From(t, requiresGrad: grad[i])).ToArray();
        var y = ours(xs);
        var ty = theirs(txs);
        double worst = Torch.AssertClose(ty, y, rtol, $"{what} forward");
        if (grad.Any(g => g))
        {
            var g = LTensor.Randn(y.Shape, y.DType, generator: new global::Lantern.Generator(77));
            y.Backward(g);
            ty.backward([Torch.From(g)]);
            for (int i = 0; i < xs.Length; i++)
                if (grad[i]) worst = Math.Max(worst, Torch.AssertClose(txs[i].grad!, xs[i].Grad!, rtol, $"{what} gradient of input {i}"));
        }
        Note(layer, what, worst);
        return worst;
    }

    /// <summary>Int64 results (argmax indices) must be identical.</summary>
    public static void Same(TorchTensor expected, LTensor actual, string what)
    {
        Assert.Equal(expected.shape.Select(d => (int)d).ToArray(), actual.Shape.ToArray());
        Assert.True(expected.data<long>().ToArray().SequenceEqual(actual.ToArray<long>()), $"{what}: indices differ");
    }

    public static LTensor Randn(params int[] shape) => LTensor.Randn(shape, generator: new global::Lantern.Generator((ulong)shape.Aggregate(17, (a, b) => a * 31 + b)));

    public static long[] L(params int[] v) => v.Select(x => (long)x).ToArray();
}

using Lantern.Kernels;

namespace Lantern;

// Tensor-level entry points to the normalisation and activation kernels (no autograd: the functional ops in
// Lantern.NN.F record the graph around them). Operands are made contiguous here.
public sealed partial class Tensor
{
    private static INormBackend NormBackend => CpuBackend.Instance;

    private static IActivationBackend ActivationBackend => CpuBackend.Instance;

    private Tensor DenseNoGrad()
    {
        if (_layout.IsContiguous) return this;
        var r = Uninitialized(Shape, DType);
        Backend.Copy(Buffer, _layout, r.Buffer, r._layout);
        return r;
    }

    /// <summary>Per-channel mean and biased variance of x viewed as [n, c, l] (shapes [c], x's dtype).</summary>
    internal static (Tensor Mean, Tensor Var) ChannelMoments(Tensor x, int n, int c, int l)
    {
        var xd = x.DenseNoGrad();
        var mean = Uninitialized([c], x.DType);
        var variance = Uninitialized([c], x.DType);
        NormBackend.ChannelMoments(xd.Buffer, xd._layout, n, c, l, mean.Buffer, variance.Buffer);
        return (mean, variance);
    }

    /// <summary>(x - center[k / centerDiv]) * scale[k] + shift[k] over x viewed as [n, c, l]; the result has x's shape.</summary>
    internal static Tensor ChannelAffine(Tensor x, int n, int c, int l, bool perSample, Tensor? center, int centerDiv, Tensor scale, Tensor shift)
    {
        var xd = x.DenseNoGrad();
        var y = Uninitialized(x.Shape, x.DType);
        NormBackend.ChannelAffine(xd.Buffer, xd._layout, n, c, l, perSample, center?.DenseNoGrad().Buffer, centerDiv,
            scale.To(x.DType).DenseNoGrad().Buffer, shift.To(x.DType).DenseNoGrad().Buffer, y.Buffer);
        return y;
    }

    /// <summary>Per-row sums of g and of g * (x - center) (rows per channel, or per sample and channel).</summary>
    internal static (Tensor SumG, Tensor SumGXc) ChannelGradSums(Tensor g, Tensor x, int n, int c, int l, bool perSample, Tensor center, int centerDiv)
    {
        var gd = g.To(x.DType).DenseNoGrad();
        var xd = x.DenseNoGrad();
        int len = perSample ? n * c : c;
        var sumG = Uninitialized([len], x.DType);
        var sumGX = Uninitialized([len], x.DType);
        NormBackend.ChannelGradSums(gd.Buffer, gd._layout, xd.Buffer, xd._layout, n, c, l, perSample, center.DenseNoGrad().Buffer, centerDiv, sumG.Buffer, sumGX.Buffer);
        return (sumG, sumGX);
    }

    /// <summary>a[k] * g + b[k] * (x - center[k / centerDiv]) + k0[k]; the result has x's shape.</summary>
    internal static Tensor ChannelAffineBackward(Tensor g, Tensor x, int n, int c, int l, bool perSample, Tensor center, int centerDiv, Tensor a, Tensor b, Tensor k0)
    {
        var gd = g.To(x.DType).DenseNoGrad();
        var xd = x.DenseNoGrad();
        var dx = Uninitialized(x.Shape, x.DType);
        NormBackend.ChannelAffineBackward(gd.Buffer, gd._layout, xd.Buffer, xd._layout, n, c, l, perSample, center.DenseNoGrad().Buffer, centerDiv,
            a.To(x.DType).DenseNoGrad().Buffer, b.To(x.DType).DenseNoGrad().Buffer, k0.To(x.DType).DenseNoGrad().Buffer, dx.Buffer);
        return dx;
    }

    /// <summary>y = op(x) by the fused activation kernel (x floating).</summary>
    internal static Tensor ActivationForward(ActivationOp op, Tensor x, double p0 = 0, double p1 = 0, double p2 = 0)
    {
        var xd = x.DenseNoGrad();
        var y = Uninitialized(x.Shape, x.DType);
        ActivationBackend.Activation(op, xd.Buffer, xd._layout, y.Buffer, y._layout, p0, p1, p2);
        return y;
    }

    /// <summary>dx = g * op'(x) by the fused activation kernel.</summary>
    internal static Tensor ActivationBackward(ActivationOp op, Tensor g, Tensor x, double p0 = 0, double p1 = 0, double p2 = 0)
    {
        var xd = x.DenseNoGrad();
        var gd = g.To(x.DType).DenseNoGrad();
        var dx = Uninitialized(x.Shape, x.DType);
        ActivationBackend.ActivationBackward(op, gd.Buffer, gd._layout, xd.Buffer, xd._layout, dx.Buffer, dx._layout, p0, p1, p2);
        return dx;
    }
}

using Xunit;

namespace Lantern.Tests.AutogradEngine;

/// <summary>Engine semantics against PyTorch's behaviour; expected values are analytic.</summary>
public class AutogradTests
{
    private static Tensor V(params double[] v) => Tensor.FromArray(v);

    [Fact] // y = sum(x^3); dy/dx = 3x^2; a second backward accumulates into x.grad
    public void GradientsAccumulateInLeaves()
    {
        var x = V(1, 2, 3).RequiresGrad_();
        x.Pow(3).Sum().Backward();
        Assert.Equal([3.0, 12, 27], x.Grad!.ToArray<double>());
        x.Pow(3).Sum().Backward();
        Assert.Equal([6.0, 24, 54], x.Grad!.ToArray<double>());
        Assert.True(x.IsLeaf);
        Assert.Null(x.GradFn);
    }

    [Fact] // broadcast gradients are summed back: a [3,1] + b [4] -> grads of ones summed to shapes
    public void BroadcastGradientsAreReducedByTheEngine()
    {
        var a = Tensor.Ones([3, 1], DType.Float64, requiresGrad: true);
        var b = Tensor.Ones([4], DType.Float64, requiresGrad: true);
        a.Add(b).Sum().Backward();
        Assert.Equal([3, 1], a.Grad!.Shape.ToArray());
        Assert.Equal([4.0, 4, 4], a.Grad.ToArray<double>());
        Assert.Equal([3.0, 3, 3, 3], b.Grad!.ToArray<double>());
    }

    [Fact] // a float32 leaf used with float64 gets a float32 gradient
    public void GradientDTypeFollowsTheInput()
    {
        var x = Tensor.Ones([2], DType.Float32, requiresGrad: true);
        x.Mul(V(2, 3)).Sum().Backward();
        Assert.Equal(DType.Float32, x.Grad!.DType);
        Assert.Equal([2f, 3], x.Grad.ToArray<float>());
    }

    [Fact] // torch: backward twice without retain_graph raises "Trying to backward through the graph a second time"
    public void SecondBackwardNeedsRetainGraph()
    {
        var x = V(1, 2).RequiresGrad_();
        var y = x.Exp().Sum();
        y.Backward(retainGraph: true);
        y.Backward();
        Assert.Equal(2 * Math.Exp(2), x.Grad!.ToArray<double>()[1], 12);
        var ex = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("second time", ex.Message);
    }

    [Fact] // a non-scalar output needs an explicit gradient
    public void ImplicitGradientOnlyForScalars()
    {
        var x = V(1, 2).RequiresGrad_();
        var ex = Assert.Throws<InvalidOperationException>(() => x.Mul(2).Backward());
        Assert.Contains("scalar outputs", ex.Message);
        x.Mul(2).Backward(V(1, 10));
        Assert.Equal([2.0, 20], x.Grad!.ToArray<double>());
    }

    [Fact] // torch: "one of the variables needed for gradient computation has been modified by an inplace operation: ... is at version 1; expected version 0"
    public void ModifyingASavedTensorInPlaceFailsBackward()
    {
        var x = V(0.5, 1).RequiresGrad_();
        var a = x.Mul(1);           // non-leaf
        var y = a.Sin();            // saves a
        a.Add_(1);
        var ex = Assert.Throws<InvalidOperationException>(() => y.Sum().Backward());
        Assert.Contains("modified by an inplace operation", ex.Message);
        Assert.Contains("version 1; expected version 0", ex.Message);
        Assert.Contains("SinBackward", ex.Message);
    }

    [Fact] // torch: "a leaf Variable that requires grad is being used in an in-place operation."
    public void InPlaceOnALeafThatRequiresGradFails()
    {
        var x = V(1, 2).RequiresGrad_();
        var ex = Assert.Throws<InvalidOperationException>(() => x.Add_(1));
        Assert.Contains("leaf Variable that requires grad", ex.Message);
        using (Autograd.NoGrad()) x.Add_(1); // allowed without grad mode (optimizer updates)
        Assert.Equal([2.0, 3], x.ToArray<double>());
        var vex = Assert.Throws<InvalidOperationException>(() => x.Select(0, 0).Mul_(2));
        Assert.Contains("view of a leaf Variable", vex.Message);
    }

    [Fact] // a = x.clone(); a[0].mul_(2); a.sum().backward() -> x.grad = [2, 1, 1] (CopySlices)
    public void InPlaceOnAViewRewritesTheBaseHistory()
    {
        var x = V(1, 2, 3).RequiresGrad_();
        var a = x.Clone();
        var v = a.Select(0, 0);
        v.Mul_(2);
        Assert.Equal([2.0, 2, 3], a.ToArray<double>());
        Assert.Equal("CopySlicesBackward", a.GradFn!.ToString());
        a.Mul(a).Sum().Backward(); // d/dx sum(a^2) with a0 = 2 x0 = 2: 2*a0*2 = 8, then 2*a1 = 4, 2*a2 = 6
        Assert.Equal([8.0, 4, 6], x.Grad!.ToArray<double>());
    }

    [Fact] // another view of the same base sees the new history (its grad_fn is regenerated)
    public void OtherViewsOfAModifiedBaseFollowIt()
    {
        var x = V(1, 2, 3, 4).RequiresGrad_();
        var a = x.Clone();
        var first = a.Narrow(0, 0, 2);
        var second = a.Narrow(0, 1, 2); // overlaps the first at index 1
        first.Mul_(10);                 // a = [10, 20, 3, 4]
        Assert.Equal([20.0, 3], second.ToArray<double>());
        second.Sum().Backward();        // d/dx of a1 + a2 = 10*x1 + x2
        Assert.Equal([0.0, 10, 1, 0], x.Grad!.ToArray<double>());
    }

    [Fact] // c = zeros(3); c.add_(w): c gets a grad_fn and w receives gradients
    public void InPlaceWithAnOperandThatRequiresGrad()
    {
        var w = V(1, 2, 3).RequiresGrad_();
        var c = Tensor.Zeros([3], DType.Float64);
        c.Add_(w.Mul(w));
        Assert.True(c.RequiresGrad);
        Assert.False(c.IsLeaf);
        c.Sum().Backward();
        Assert.Equal([2.0, 4, 6], w.Grad!.ToArray<double>());
    }

    [Fact] // hooks may replace the gradient; disposing the handle removes the hook
    public void TensorHooks()
    {
        var x = V(1, 2).RequiresGrad_();
        var y = x.Mul(3);
        var seen = new List<double[]>();
        using (y.RegisterHook(g => { seen.Add(g.ToArray<double>()); return g.Mul(2); }))
            y.Sum().Backward();
        Assert.Equal([1.0, 1], seen.Single());
        Assert.Equal([6.0, 6], x.Grad!.ToArray<double>());
        x.Grad = null;
        x.Mul(3).Sum().Backward();
        var leafHook = x.RegisterHook(g => g.Neg());
        x.Grad = null;
        x.Mul(3).Sum().Backward();
        Assert.Equal([-3.0, -3], x.Grad!.ToArray<double>());
        leafHook.Dispose();
    }

    [Fact] // y.retain_grad() keeps the gradient of a non-leaf
    public void RetainGrad()
    {
        var x = V(1, 2).RequiresGrad_();
        var y = x.Mul(x);
        y.RetainGrad();
        y.Mul(3).Sum().Backward();
        Assert.True(y.RetainsGrad);
        Assert.Equal([3.0, 3], y.Grad!.ToArray<double>());
        Assert.Equal([6.0, 12], x.Grad!.ToArray<double>());
    }

    [Fact] // torch.no_grad(): results do not require grad; enable_grad() inside turns it back on (thread-local)
    public void GradModeScopes()
    {
        var x = V(1).RequiresGrad_();
        using (Autograd.NoGrad())
        {
            Assert.False(Autograd.IsGradEnabled);
            Assert.False(x.Mul(2).RequiresGrad);
            using (Autograd.EnableGrad()) Assert.True(x.Mul(2).RequiresGrad);
            bool other = true;
            var t = new Thread(() => other = Autograd.IsGradEnabled);
            t.Start();
            t.Join();
            Assert.True(other); // another thread is unaffected
        }
        Assert.True(x.Mul(2).RequiresGrad);
    }

    [Fact] // Detach shares storage and cuts the graph
    public void Detach()
    {
        var x = V(1, 2).RequiresGrad_();
        var y = x.Mul(2);
        var d = y.Detach();
        Assert.False(d.RequiresGrad);
        Assert.True(d.SharesStorageWith(y));
        Assert.Throws<InvalidOperationException>(() => y.Narrow(0, 0, 1).Detach_());
    }

    [Fact] // d2/dx2 x^3 = 6x via create_graph, and a third order: d3/dx3 = 6
    public void HigherOrderGradients()
    {
        var x = V(2).RequiresGrad_();
        var y = x.Pow(3).Sum();
        var g1 = Autograd.Grad(y, x, createGraph: true);
        Assert.Equal(12.0, g1.Item<double>());
        var g2 = Autograd.Grad(g1.Sum(), x, createGraph: true);
        Assert.Equal(12.0, g2.Item<double>());
        var g3 = Autograd.Grad(g2.Sum(), x);
        Assert.Equal(6.0, g3.Item<double>(), 12);
        Assert.Null(x.Grad); // Autograd.Grad never touches .Grad
    }

    [Fact] // double backward through matmul: d/dA of sum((A B) * (A B)) by autograd.grad twice matches 2 B B^T... checked numerically by Gradcheck
    public void DoubleBackwardThroughMatMul()
    {
        var a = Tensor.Randn([3, 4], DType.Float64, generator: new Generator(5));
        var b = Tensor.Randn([4, 2], DType.Float64, generator: new Generator(6));
        OpTable.Gradcheck.CheckGradGrad(x => x[0].MatMul(x[1]).Tanh(), [a, b], [0, 1]);
    }

    [Fact] // Autograd.Grad with allowUnused
    public void UnusedInputs()
    {
        var x = V(1).RequiresGrad_();
        var z = V(1).RequiresGrad_();
        var y = x.Mul(2).Sum();
        var ex = Assert.Throws<InvalidOperationException>(() => Autograd.Grad([y], [x, z], retainGraph: true));
        Assert.Contains("not have been used", ex.Message);
        var g = Autograd.Grad([y], [x, z], allowUnused: true);
        Assert.Equal(2.0, g[0]!.Item<double>());
        Assert.Null(g[1]);
    }

    [Fact] // torch.autograd.detect_anomaly: "Function 'SqrtBackward0' returned nan values in its 0th output."
    public void AnomalyModeNamesTheOpProducingNaN()
    {
        var x = V(0, 1).RequiresGrad_();
        using (Autograd.DetectAnomaly())
        {
            var y = x.Sqrt().Mul(V(0, 1)).Sum(); // sqrt'(0) = inf, times 0 = NaN
            var ex = Assert.Throws<InvalidOperationException>(() => y.Backward());
            Assert.Contains("Function 'SqrtBackward' returned nan values in its 0th output", ex.Message);
            Assert.Contains("Traceback of forward call", ex.Message);
        }
    }

    [Fact] // setting requires_grad on a non-leaf or an integer tensor fails like PyTorch
    public void RequiresGradRules()
    {
        var x = V(1).RequiresGrad_();
        Assert.Throws<InvalidOperationException>(() => x.Mul(2).RequiresGrad = false);
        var ex = Assert.Throws<InvalidOperationException>(() => Tensor.Arange(3).RequiresGrad_());
        Assert.Contains("floating point", ex.Message);
    }

    [Fact] // shared gradients never alias between leaves: a + b gives both the same upstream gradient
    public void LeafGradientsDoNotAlias()
    {
        var a = V(1, 2).RequiresGrad_();
        var b = V(3, 4).RequiresGrad_();
        a.Add(b).Sum().Backward();
        a.Grad!.Mul_(10);
        Assert.Equal([1.0, 1], b.Grad!.ToArray<double>());
    }

    [Fact] // gradient of a view of a leaf: x[1:3] * 2
    public void GradientThroughViews()
    {
        var x = Tensor.Arange(0, 6, 1, DType.Float64).Reshape(2, 3).RequiresGrad_();
        x.T.Narrow(0, 1, 2).Mul(2).Sum().Backward();
        Assert.Equal([0.0, 2, 2, 0, 2, 2], x.Grad!.ToArray<double>());
    }

    [Fact] // a path whose backward returns no gradient must not stall nodes shared with other paths
    public void NullGradientPathsDoNotBlockOtherPaths()
    {
        var x = V(1, 2).RequiresGrad_();
        var h = x.Mul(3);                                 // shared node
        var dead = h.Div(V(2, 2), "floor");               // rounded division: gradient is zero (a constant)
        var y = h.Sum().Add(dead.Sum());
        y.Backward();
        Assert.Equal([3.0, 3], x.Grad!.ToArray<double>());
    }
}

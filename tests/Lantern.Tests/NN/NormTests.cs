using Lantern.Kernels;
using Lantern.NN;
using Lantern.Tests.OpTable;
using Xunit;

namespace Lantern.Tests.NN;

public class NormTests
{
    private static Tensor R(params int[] shape) => Ops.R(shape);

    private static void Close(Tensor? expected, Tensor? actual, double tol, string what)
    {
        Assert.True(expected is not null && actual is not null, what + ": missing gradient");
        Assert.Equal(expected!.Shape, actual!.Shape);
        Gradcheck.Compare(actual.ToArray<double>(), expected.ToArray<double>(), tol, tol, what);
    }

    // Batch norm written with primitive differentiable ops: the composite the fused kernel must equal.
    private static Tensor BatchNormComposite(Tensor x, Tensor? w, Tensor? b, bool training, Tensor? rm, Tensor? rv, double eps)
    {
        var shape = Enumerable.Repeat(1, x.Rank).ToArray();
        shape[1] = x.Shape[1];
        int[] dims = [0, .. Enumerable.Range(2, x.Rank - 2)];
        Tensor mean, variance;
        if (training)
        {
            mean = x.Mean(dims, keepDim: true);
            variance = x.Sub(mean).Square().Mean(dims, keepDim: true);
        }
        else { mean = rm!.Reshape(shape); variance = rv!.Reshape(shape); }
        var y = x.Sub(mean).Mul(variance.Add(eps).Rsqrt());
        if (w is not null) y = y.Mul(w.Reshape(shape));
        if (b is not null) y = y.Add(b.Reshape(shape));
        return y;
    }

    private static Tensor GroupNormComposite(Tensor x, int groups, Tensor? w, Tensor? b, double eps)
    {
        int n = x.Shape[0], c = x.Shape[1];
        var xg = x.Reshape(n, groups, -1);
        var xc = xg.Sub(xg.Mean(2, keepDim: true));
        var y = xc.Mul(xc.Square().Mean(2, keepDim: true).Add(eps).Rsqrt()).Reshape(x.Shape.ToArray());
        var shape = Enumerable.Repeat(1, x.Rank).ToArray();
        shape[1] = c;
        if (w is not null) y = y.Mul(w.Reshape(shape));
        if (b is not null) y = y.Add(b.Reshape(shape));
        return y;
    }

    /// <summary>Output, first- and second-order gradients of fused vs composite forms agree (float64).</summary>
    private static void FusedEqualsComposite(Func<Tensor[], Tensor> fused, Func<Tensor[], Tensor> composite, Tensor[] inputs, string what)
    {
        var a = inputs.Select(t => t.Detach().Clone().RequiresGrad_()).ToArray();
        var b = inputs.Select(t => t.Detach().Clone().RequiresGrad_()).ToArray();
        var ya = fused(a);
        var yb = composite(b);
        Close(yb, ya, 1e-10, what + " forward");
        var v = Tensor.Randn(ya.Shape, DType.Float64, generator: new Generator(11));
        var ga = Autograd.Grad([ya], a, [v], createGraph: true);
        var gb = Autograd.Grad([yb], b, [v], createGraph: true);
        for (int i = 0; i < a.Length; i++) Close(gb[i], ga[i], 1e-9, $"{what} gradient {i}");
        // Second order: d/d(inputs) of sum(grad_x * u).
        var u = Tensor.Randn(a[0].Shape, DType.Float64, generator: new Generator(12));
        var gga = Autograd.Grad([ga[0]!.Mul(u).Sum()], a, allowUnused: true);
        var ggb = Autograd.Grad([gb[0]!.Mul(u).Sum()], b, allowUnused: true);
        for (int i = 0; i < a.Length; i++)
            Close(ggb[i] ?? Tensor.ZerosLike(b[i]), gga[i] ?? Tensor.ZerosLike(a[i]), 1e-8, $"{what} second-order gradient {i}");
    }

    [Fact] // fused BN kernel (stats pass + affine pass, hand-written backward) == composite of primitive ops, train and eval
    public void BatchNormFusedEqualsComposite()
    {
        FusedEqualsComposite(t => F.BatchNorm(t[0], null, null, t[1], t[2], training: true),
            t => BatchNormComposite(t[0], t[1], t[2], true, null, null, 1e-5), [R(4, 3, 5).Mul(2).Add(1), R(3), R(3)], "BN train");
        FusedEqualsComposite(t => F.BatchNorm(t[0], null, null, null, null, training: true, eps: 0.1),
            t => BatchNormComposite(t[0], null, null, true, null, null, 0.1), [R(6, 2)], "BN train no affine");
        var rm = R(3);
        var rv = Ops.U(0.5, 2, 3);
        FusedEqualsComposite(t => F.BatchNorm(t[0], rm, rv, t[1], t[2], training: false),
            t => BatchNormComposite(t[0], t[1], t[2], false, rm, rv, 1e-5), [R(2, 3, 2, 2), R(3), R(3)], "BN eval");
    }

    [Fact] // group norm kernel path == composite, first and second order
    public void GroupNormFusedEqualsComposite()
    {
        FusedEqualsComposite(t => F.GroupNorm(t[0], 2, t[1], t[2]), t => GroupNormComposite(t[0], 2, t[1], t[2], 1e-5),
            [R(3, 4, 5).Add(2), R(4), R(4)], "GN");
        FusedEqualsComposite(t => F.GroupNorm(t[0], 3), t => GroupNormComposite(t[0], 3, null, null, 1e-5), [R(2, 6, 2, 2)], "GN no affine");
    }

    [Fact] // a large mean does not cancel: float32 BN of 1e4 + N(0,1) matches float64
    public void BatchNormLargeMeanFloat32()
    {
        var x = R(8, 4, 64).Add(1e4);
        var y64 = F.BatchNorm(x, null, null, training: true);
        var y32 = F.BatchNorm(x.To(DType.Float32), null, null, training: true);
        Gradcheck.Compare(y32.ToArray<double>(), y64.ToArray<double>(), 2e-3, 0, "BN float32 with mean 1e4");
    }

    [Fact] // normalisation kernels give bitwise the same result for 1 and many threads
    public void NormKernelsIndependentOfThreadCount()
    {
        var x = Tensor.Randn([8, 16, 33, 35], generator: new Generator(3)).RequiresGrad_();
        var w = Tensor.Randn([16], generator: new Generator(4)).RequiresGrad_();
        float[] Run(int threads)
        {
            int before = KernelThreads.Threads;
            KernelThreads.Threads = threads;
            try
            {
                var y = F.BatchNorm(x, null, null, w, null, training: true).Add(F.GroupNorm(x, 4, w));
                var g = Autograd.Grad([y], [x, w], [Tensor.OnesLike(y)]);
                return [.. y.ToArray<float>(), .. g[0]!.ToArray<float>(), .. g[1]!.ToArray<float>()];
            }
            finally { KernelThreads.Threads = before; }
        }
        Assert.Equal(Run(1), Run(4));
    }

    [Fact] // running_mean/var after 3 training steps: (1 - m) r + m stat with the unbiased batch variance; eval uses them
    public void BatchNormRunningStatistics()
    {
        var bn = new BatchNorm1d(3, momentum: 0.2);
        var rm = new double[3];
        var rv = new double[] { 1, 1, 1 };
        var xs = Enumerable.Range(0, 3).Select(i => Tensor.Randn([5, 3, 4], generator: new Generator((ulong)(20 + i))).Mul(i + 1).Add(i)).ToArray();
        foreach (var x in xs)
        {
            var y = bn.Forward(x);
            Close(F.BatchNorm(x, null, null, bn.Weight, bn.Bias, training: true), y, 1e-6, "train output uses batch statistics");
            var mean = x.Double().Mean([0, 2]).ToArray<double>();
            var varU = x.Double().Var([0, 2], correction: 1).ToArray<double>();
            for (int c = 0; c < 3; c++) { rm[c] = 0.8 * rm[c] + 0.2 * mean[c]; rv[c] = 0.8 * rv[c] + 0.2 * varU[c]; }
        }
        Gradcheck.Compare(bn.RunningMean!.ToArray<double>(), rm, 1e-6, 1e-5, "running_mean");
        Gradcheck.Compare(bn.RunningVar!.ToArray<double>(), rv, 1e-6, 1e-5, "running_var");
        Assert.Equal(3L, bn.NumBatchesTracked!.Item<long>());
        bn.Eval();
        var xe = R(2, 3, 4).To(DType.Float32);
        Close(BatchNormComposite(xe, bn.Weight, bn.Bias, false, bn.RunningMean, bn.RunningVar, 1e-5), bn.Forward(xe), 1e-6, "eval output");
        Assert.Equal(3L, bn.NumBatchesTracked!.Item<long>());
    }

    [Fact] // momentum=None: the running statistics are the cumulative average of the batch statistics
    public void BatchNormCumulativeAverage()
    {
        var bn = new BatchNorm2d(2, momentum: null);
        var means = new List<double[]>();
        var vars = new List<double[]>();
        for (int i = 0; i < 4; i++)
        {
            var x = Tensor.Randn([3, 2, 2, 3], generator: new Generator((ulong)(40 + i))).Mul(i + 1).Sub(i);
            bn.Forward(x);
            means.Add(x.Double().Mean([0, 2, 3]).ToArray<double>());
            vars.Add(x.Double().Var([0, 2, 3]).ToArray<double>());
        }
        Gradcheck.Compare(bn.RunningMean!.ToArray<double>(), [means.Average(m => m[0]), means.Average(m => m[1])], 1e-6, 1e-5, "cumulative mean");
        Gradcheck.Compare(bn.RunningVar!.ToArray<double>(), [vars.Average(m => m[0]), vars.Average(m => m[1])], 1e-6, 1e-5, "cumulative var");
        Assert.Equal("BatchNorm2d(2, eps=1e-05, momentum=None, affine=True, track_running_stats=True)", bn.ToString());
    }

    [Fact] // SWA's UpdateBn drives the real BatchNorm through IRunningStats: cumulative average over the inputs, momentum restored
    public void UpdateBnRecomputesBatchNormStatistics()
    {
        var bn = new BatchNorm1d(2, momentum: 0.3);
        var model = new Sequential(bn);
        bn.Forward(Tensor.Randn([4, 2]).Add(10));
        model.Eval();
        var xs = Enumerable.Range(0, 3).Select(i => Tensor.Randn([5, 2], generator: new Generator((ulong)(60 + i))).Mul(i + 1)).ToList();
        global::Lantern.Optim.SwaUtils.UpdateBn(xs, model);
        var mean = new double[2];
        var varU = new double[2];
        foreach (var x in xs)
        {
            var m = x.Double().Mean(0).ToArray<double>();
            var v = x.Double().Var([0]).ToArray<double>();
            for (int c = 0; c < 2; c++) { mean[c] += m[c] / 3; varU[c] += v[c] / 3; }
        }
        Gradcheck.Compare(bn.RunningMean!.ToArray<double>(), mean, 1e-6, 1e-5, "UpdateBn running_mean");
        Gradcheck.Compare(bn.RunningVar!.ToArray<double>(), varU, 1e-6, 1e-5, "UpdateBn running_var");
        Assert.Equal(0.3, bn.Momentum);
        Assert.False(bn.Training);
        Assert.Throws<ArgumentException>(() => bn.Momentum = 1.5);
    }

    [Fact] // track_running_stats=False: no buffers, batch statistics in eval too; affine=False: no parameters
    public void BatchNormWithoutRunningStats()
    {
        var bn = new BatchNorm2d(3, affine: false, trackRunningStats: false);
        Assert.Empty(bn.StateDict());
        var x = R(2, 3, 2, 2);
        var train = bn.Forward(x);
        bn.Eval();
        Close(train, bn.Forward(x), 0, "eval == train without running stats");
        Assert.Equal("BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False)", bn.ToString());
    }

    [Fact] // state-dict keys and shapes as PyTorch; repr; reset; layer errors name the layer and the shape
    public void BatchNormStateReprErrors()
    {
        var bn = new BatchNorm2d(64);
        Assert.Equal(["weight", "bias", "running_mean", "running_var", "num_batches_tracked"], bn.StateDict().Keys);
        Assert.Equal(DType.Int64, bn.NumBatchesTracked!.DType);
        Assert.Equal(0, bn.NumBatchesTracked.Rank);
        Assert.Equal("BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)", bn.ToString());
        var e1 = Assert.Throws<ArgumentException>(() => bn.Forward(Tensor.Randn([2, 64, 3])));
        Assert.Contains("BatchNorm2d", e1.Message);
        Assert.Contains("4D", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => bn.Forward(Tensor.Randn([2, 32, 3, 3])));
        Assert.Contains("num_features (64)", e2.Message);
        Assert.Contains("[2, 32, 3, 3]", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => new BatchNorm1d(4).Forward(Tensor.Randn([1, 4])));
        Assert.Contains("more than 1 value per channel", e3.Message);
        Assert.Throws<ArgumentException>(() => new BatchNorm1d(4).Forward(Tensor.Randn([2, 4, 2, 2])));
        var b1 = new BatchNorm1d(2);
        b1.Forward(Tensor.Randn([4, 2]).Add(3));
        b1.ResetRunningStats();
        Assert.Equal([0f, 0f], b1.RunningMean!.ToArray<float>());
        Assert.Equal([1f, 1f], b1.RunningVar!.ToArray<float>());
        Assert.Equal(0L, b1.NumBatchesTracked!.Item<long>());
    }

    [Fact] // InstanceNorm: defaults (no affine, no buffers), unbatched == batched, module == functional, repr
    public void InstanceNormBasics()
    {
        var m = new InstanceNorm2d(3);
        Assert.Empty(m.StateDict());
        Assert.Equal("InstanceNorm2d(3, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False)", m.ToString());
        var x = R(2, 3, 4, 5);
        Close(F.InstanceNorm(x), m.Forward(x), 0, "module == functional");
        Close(m.Forward(x.Select(0, 1)), m.Forward(x).Select(0, 1), 1e-12, "unbatched");
        var affine = new InstanceNorm1d(3, affine: true);
        Assert.Equal(["weight", "bias"], affine.StateDict().Keys);
        var ex = Assert.Throws<ArgumentException>(() => affine.Forward(R(2, 4, 5)));
        Assert.Contains("num_features (3)", ex.Message);
        Assert.Throws<ArgumentException>(() => affine.Forward(R(2, 3, 4, 5)));
    }

    [Fact] // InstanceNorm running stats: batch average of the per-instance statistics (unbiased), used in eval; momentum None freezes
    public void InstanceNormRunningStatistics()
    {
        var m = new InstanceNorm1d(2, momentum: 0.3, trackRunningStats: true);
        Assert.Equal(["running_mean", "running_var", "num_batches_tracked"], m.StateDict().Keys);
        var x = Tensor.Randn([4, 2, 6], generator: new Generator(5)).Mul(2).Add(1);
        m.Forward(x);
        var mean = x.Double().Mean(2).Mean(0).ToArray<double>();
        var varU = x.Double().Var([2]).Mean(0).ToArray<double>();
        Gradcheck.Compare(m.RunningMean!.ToArray<double>(), mean.Select(v => 0.3 * v).ToArray(), 1e-6, 1e-5, "IN running_mean");
        Gradcheck.Compare(m.RunningVar!.ToArray<double>(), varU.Select(v => 0.7 + 0.3 * v).ToArray(), 1e-6, 1e-5, "IN running_var");
        Assert.Equal(0L, m.NumBatchesTracked!.Item<long>());
        m.Eval();
        var xe = R(3, 2, 6).To(DType.Float32);
        Close(BatchNormComposite(xe, null, null, false, m.RunningMean, m.RunningVar, 1e-5), m.Forward(xe), 1e-6, "IN eval");
        var frozen = new InstanceNorm2d(2, momentum: null, trackRunningStats: true);
        frozen.Forward(R(2, 2, 3, 3).To(DType.Float32));
        Assert.Equal([0f, 0f], frozen.RunningMean!.ToArray<float>());
    }

    [Fact] // GroupNorm module: == functional, repr, errors; LocalResponseNorm repr and module == functional
    public void GroupNormAndLrnModules()
    {
        var gn = new GroupNorm(2, 4);
        Assert.Equal(["weight", "bias"], gn.StateDict().Keys);
        Assert.Equal("GroupNorm(2, 4, eps=1e-05, affine=True)", gn.ToString());
        var x = Tensor.Randn([3, 4, 5]);
        Close(F.GroupNorm(x, 2, gn.Weight, gn.Bias), gn.Forward(x), 0, "GroupNorm");
        Assert.Contains("divisible", Assert.Throws<ArgumentException>(() => new GroupNorm(3, 4)).Message);
        Assert.Contains("GroupNorm", Assert.Throws<ArgumentException>(() => gn.Forward(Tensor.Randn([3, 6, 5]))).Message);
        var lrn = new LocalResponseNorm(3);
        Assert.Equal("LocalResponseNorm(3, alpha=0.0001, beta=0.75, k=1.0)", lrn.ToString());
        Close(F.LocalResponseNorm(x, 3), lrn.Forward(x), 0, "LRN");
        // One channel: y = x / (k + alpha/size * x^2)^beta (the window holds only x itself).
        var one = Tensor.FromArray(new double[] { 2 }, [1, 1, 1]);
        Assert.Equal(2 / Math.Pow(1 + 0.5 / 3 * 4, 0.75), F.LocalResponseNorm(one, 3, 0.5).Item<double>(), 12);
    }
}

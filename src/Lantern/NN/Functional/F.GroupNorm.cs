namespace Lantern.NN;

// Group norm on the fused normalisation kernels, and local response norm (a composite).
public static partial class F
{
    /// <summary>
    /// torch.nn.functional.group_norm: x [N, C, *] with its C channels cut into <paramref name="numGroups"/> groups
    /// of C / G consecutive channels; each (sample, group) is normalised over its channels and * (biased
    /// variance), then y = xhat * weight[c] + bias[c] (weight and bias [C], optional).
    /// Backward per (n, g), with dxhat = g w: dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)).
    /// </summary>
    /// <exception cref="ArgumentException">Rank &lt; 2, C not divisible by numGroups, or weight/bias not of shape [C].</exception>
    [Differentiable]
    public static Tensor GroupNorm(Tensor input, int numGroups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        if (input.Rank < 2)
            throw new ArgumentException($"GroupNorm: expected at least 2 dimensions for input tensor but received {input.Rank} (shape {input.Shape}).");
        int n = input.Shape[0], c = input.Shape[1];
        if (numGroups <= 0 || c % numGroups != 0)
            throw new ArgumentException($"GroupNorm: expected number of channels in input to be divisible by num_groups, but got input of shape {input.Shape} and num_groups={numGroups}.");
        CheckPerChannel(weight, c, "weight", "GroupNorm");
        CheckPerChannel(bias, c, "bias", "GroupNorm");
        var x = input.AsFloating();
        int groups = numGroups, cpg = c / groups;
        int l = n * c == 0 ? 0 : x.Numel() / (n * c);
        long count = (long)cpg * l;
        Tensor mean, rstd, y;
        using (Autograd.NoGrad())
        {
            Tensor variance;
            (mean, variance) = Tensor.ChannelMoments(x, 1, n * groups, cpg * l);  // per (n, g)
            rstd = variance.Add(eps).Rsqrt();
            // Per (n, c) row: scale = rstd[n, g] * w[c], shift = b[c], centre = mean[n, g] (index k / cpg).
            var scale = rstd.View(n, groups, 1).Expand(n, groups, cpg);
            if (weight is not null) scale = scale.Mul(weight.Detach().To(x.DType).View(1, groups, cpg));
            var shift = bias is null ? Tensor.Zeros([n * c], x.DType) : bias.Detach().To(x.DType).Repeat(n);
            y = Tensor.ChannelAffine(x, n, c, l, true, mean, cpg, scale.Reshape(n * c), shift);
        }
        var inputs = new List<Tensor> { x };
        if (weight is not null) inputs.Add(weight);
        if (bias is not null) inputs.Add(bias);
        if (!Autograd.NeedsGrad(inputs.ToArray())) return y;
        var shape = x.Shape.ToArray();
        return Autograd.Record(y, "GroupNorm", inputs.ToArray(), g =>
        {
            var (dx, dw, db) = Autograd.IsGradEnabled
                ? GroupNormBackwardComposite(g, x, groups, weight, eps, x.RequiresGrad)
                : GroupNormBackwardFused(g, x, n, c, l, groups, weight, mean, rstd, count, x.RequiresGrad);
            var grads = new List<Tensor?> { dx?.Reshape(shape) };
            if (weight is not null) grads.Add(dw);
            if (bias is not null) grads.Add(db);
            return grads.ToArray();
        }, weight is null ? [x] : [x, weight]);
    }

    private static (Tensor? Dx, Tensor Dw, Tensor Db) GroupNormBackwardFused(Tensor g, Tensor x, int n, int c, int l, int groups, Tensor? weight,
        Tensor mean, Tensor rstd, long count, bool needDx)
    {
        int cpg = c / groups;
        // Per (n, c): sum g and sum g (x - mean[n, g]).
        var (sumG, sumGXc) = Tensor.ChannelGradSums(g, x, n, c, l, true, mean, cpg);
        var rs = rstd.View(n, groups, 1);
        var sg = sumG.View(n, groups, cpg);
        var sgx = sumGXc.View(n, groups, cpg);
        var db = sumG.View(n, c).Sum(0);
        var dw = sgx.Mul(rs).Reshape(n, c).Sum(0);
        if (!needDx) return (null, dw, db);
        var w = weight is null ? Tensor.Ones([1, groups, cpg], x.DType) : weight.Detach().To(x.DType).View(1, groups, cpg);
        var s1 = sg.Mul(w).Sum(2, keepDim: true);          // sum of dxhat over the group        [n, G, 1]
        var s2 = sgx.Mul(w).Sum(2, keepDim: true);         // sum of dxhat (x - mean)             [n, G, 1]
        var a = rs.Mul(w).Expand(n, groups, cpg).Reshape(n * c);
        var b = rs.Mul(rs).Mul(rs).Mul(s2).Div(-(double)count).Expand(n, groups, cpg).Reshape(n * c);
        var k0 = rs.Mul(s1).Div(-(double)count).Expand(n, groups, cpg).Reshape(n * c);
        return (Tensor.ChannelAffineBackward(g, x, n, c, l, true, mean, cpg, a, b, k0), dw, db);
    }

    /// <summary>The same gradients from differentiable ops (double backward).</summary>
    private static (Tensor? Dx, Tensor Dw, Tensor Db) GroupNormBackwardComposite(Tensor g, Tensor x, int groups, Tensor? weight, double eps, bool needDx)
    {
        int n = x.Shape[0], c = x.Shape[1];
        var xg = x.Reshape(n, groups, -1);
        var xc = xg.Sub(xg.Mean(2, keepDim: true));
        var rs = xc.Mul(xc).Mean(2, keepDim: true).Add(eps).Rsqrt();
        var xhat = xc.Mul(rs).Reshape(n, c, -1);
        var g3 = g.Reshape(n, c, -1);
        int[] dims = [0, 2];
        var dw = g3.Mul(xhat).Sum(dims);
        var db = g3.Sum(dims);
        if (!needDx) return (null, dw, db);
        var gw = (weight is null ? g3 : g3.Mul(weight.Reshape(1, c, 1))).Reshape(n, groups, -1);
        var xh = xhat.Reshape(n, groups, -1);
        var dx = rs.Mul(gw.Sub(gw.Mean(2, keepDim: true)).Sub(xh.Mul(gw.Mul(xh).Mean(2, keepDim: true))));
        return (dx, dw, db);
    }

    /// <summary>
    /// torch.nn.functional.local_response_norm: y = x / (k + alpha / size * sum of x^2 over the size channels
    /// c - size/2 .. c + (size-1)/2 (zeros outside))^beta, over dim 1 of x [N, C, *] (PyTorch's avg-pool form,
    /// padding counted).
    /// </summary>
    /// <exception cref="ArgumentException">Rank &lt; 3 or size &lt; 1.</exception>
    public static Tensor LocalResponseNorm(Tensor input, int size, double alpha = 1e-4, double beta = 0.75, double k = 1)
    {
        if (input.Rank < 3)
            throw new ArgumentException($"LocalResponseNorm: expected 3D or higher dimensionality input (got {input.Rank} dimensions, shape {input.Shape}).");
        if (size < 1) throw new ArgumentException($"LocalResponseNorm: size must be positive, got {size}.");
        var x = input.AsFloating();
        if (x.Numel() == 0) return x;
        int c = x.Shape[1];
        var pad = new int[2 * (x.Rank - 1)];
        pad[^2] = size / 2;
        pad[^1] = (size - 1) / 2;
        var padded = x.Mul(x).Pad(pad);                    // [N, C + size - 1, *]
        var sum = padded.Narrow(1, 0, c);
        for (int j = 1; j < size; j++) sum = sum.Add(padded.Narrow(1, j, c));
        var div = sum.Div(size).Mul(alpha).Add(k).Pow(beta);
        return x.Div(div);
    }
}

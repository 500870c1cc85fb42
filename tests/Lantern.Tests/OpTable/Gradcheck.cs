namespace Lantern.Tests.OpTable;

/// <summary>
/// float64 gradient checks by central differences, as torch.autograd.gradcheck: the analytic vector-Jacobian
/// product J^T v for a random v is compared with the numeric gradient of s(x) = sum(v * f(x)).
/// </summary>
public static class Gradcheck
{
    public const double Eps = 1e-6;

    /// <summary>Asserts analytic and numeric gradients agree; returns the largest absolute difference.</summary>
    public static double Check(Func<Tensor[], Tensor> f, Tensor[] inputs, int[] wrt, double atol = 1e-5, double rtol = 1e-3, string what = "")
    {
        var xs = inputs.Select(t => t.Detach().Clone()).ToArray();
        foreach (int i in wrt) xs[i].RequiresGrad_();
        var y = f(xs);
        var v = Tensor.Randn(y.Shape, DType.Float64, generator: new Generator(1234));
        // A result that does not depend on the inputs (e.g. the gradient of a linear op) has zero derivative.
        var analytic = y.RequiresGrad
            ? Autograd.Grad([y], wrt.Select(i => xs[i]).ToArray(), [v], allowUnused: true)
            : new Tensor?[wrt.Length];
        double worst = 0;
        for (int k = 0; k < wrt.Length; k++)
        {
            int i = wrt[k];
            var numeric = Numeric(xs, i, x => { using (Autograd.NoGrad()) return f(x).Mul(v).Sum().Item<double>(); });
            var a = analytic[k]?.ToArray<double>() ?? new double[numeric.Length];
            worst = Math.Max(worst, Compare(a, numeric, atol, rtol, $"{what} gradient of input {i}"));
        }
        return worst;
    }

    /// <summary>Second-order check: the gradient function g(x) = J^T v is itself checked against finite differences.</summary>
    public static double CheckGradGrad(Func<Tensor[], Tensor> f, Tensor[] inputs, int[] wrt, double atol = 1e-5, double rtol = 1e-3, string what = "")
    {
        var v0 = new Generator(4321);
        Tensor? vFixed = null;
        Tensor Grads(Tensor[] xs)
        {
            using var mode = Autograd.EnableGrad();
            var xg = xs.Select((t, i) => wrt.Contains(i) && !t.RequiresGrad ? t.RequiresGrad_() : t).ToArray();
            var y = f(xg);
            vFixed ??= Tensor.Randn(y.Shape, DType.Float64, generator: v0);
            var gs = Autograd.Grad([y], wrt.Select(i => xg[i]).ToArray(), [vFixed], createGraph: true, allowUnused: true);
            var parts = gs.Select((g, k) => (g ?? Tensor.ZerosLike(xg[wrt[k]])).Reshape(-1)).ToArray();
            return Tensor.Cat(parts);
        }
        return Check(Grads, inputs, wrt, atol, rtol, what + " (second order)");
    }

    private static double[] Numeric(Tensor[] xs, int i, Func<Tensor[], double> s)
    {
        var baseData = xs[i].Detach().ToArray<double>();
        var grad = new double[baseData.Length];
        for (int j = 0; j < baseData.Length; j++)
        {
            var plus = (double[])baseData.Clone();
            var minus = (double[])baseData.Clone();
            plus[j] += Eps;
            minus[j] -= Eps;
            var xp = xs.ToArray();
            xp[i] = Tensor.FromArray(plus, xs[i].Shape);
            double fp = s(xp);
            xp[i] = Tensor.FromArray(minus, xs[i].Shape);
            double fm = s(xp);
            grad[j] = (fp - fm) / (2 * Eps);
        }
        return grad;
    }

    public static double Compare(double[] actual, double[] expected, double atol, double rtol, string what)
    {
        if (actual.Length != expected.Length)
            throw new Xunit.Sdk.XunitException($"{what}: length {actual.Length} vs expected {expected.Length}");
        double worst = 0;
        for (int j = 0; j < actual.Length; j++)
        {
            double a = actual[j], e = expected[j];
            if (double.IsNaN(e) && double.IsNaN(a)) continue;
            if (double.IsInfinity(e) && a == e) continue;
            double diff = Math.Abs(a - e);
            worst = Math.Max(worst, diff);
            if (!(diff <= atol + rtol * Math.Abs(e)))
                throw new Xunit.Sdk.XunitException($"{what}: element {j}: got {a:R}, expected {e:R} (|diff| {diff:E3} > atol {atol} + rtol {rtol}*|expected|)");
        }
        return worst;
    }
}

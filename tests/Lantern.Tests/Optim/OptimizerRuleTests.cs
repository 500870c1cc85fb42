using Lantern.Optim;
using Xunit;
using static Lantern.Tests.Optim.OptimTestKit;

namespace Lantern.Tests.Optim;

/// <summary>
/// The fused kernels against PyTorch's single-tensor update rules written line by line with Lantern tensor ops
/// (torch/optim/{sgd,adam,adagrad,rmsprop,adamax,adadelta,nadam,radam}.py, _single_tensor_*): every op rounds
/// to the element type with Python floats converted where PyTorch converts them, so the two agree bit for bit,
/// in float32 and float64, over sizes that exercise both the vector body and the scalar tail.
/// </summary>
public class OptimizerRuleTests
{
    /// <summary>PyTorch's reference step for one parameter; state holds the reference's own tensors.</summary>
    private static void ReferenceStep(Optimizer opt, ParamGroup group, Tensor p, Tensor grad, Dictionary<string, object> st)
    {
        using var _ = Autograd.NoGrad();
        Tensor Zeros() => Tensor.ZerosLike(p);
        Tensor Lerp(Tensor s, Tensor e, double w) =>
            Math.Abs(Cast(p, w)) < 0.5 ? s.Add(e.Sub(s).Mul(w)) : e.Sub(e.Sub(s).Mul(1 - Cast(p, w)));
        Tensor Addcmul(Tensor s, Tensor a, Tensor b, double value) => s.Add(a.Mul(value).Mul(b));
        Tensor Addcdiv(Tensor s, Tensor a, Tensor b, double value) => s.Add(a.Mul(value).Div(b));
        long NextStep() { long t = st.TryGetValue("step", out var o) ? (long)o + 1 : 1; st["step"] = t; return t; }

        var g = group.GetBool("maximize") ? grad.Neg() : grad;
        double lr = group.Lr, wd = group.GetDouble("weight_decay");
        bool decoupled = group.ContainsKey("decoupled_weight_decay") && group.GetBool("decoupled_weight_decay");
        Tensor np = p;
        void Decay() { if (wd != 0) { if (decoupled) np = np.Mul(1 - lr * wd); else g = g.Add(np.Mul(wd)); } }
        switch (opt)
        {
            case SGD s:
            {
                Decay();
                double mom = group.GetDouble("momentum"), damp = group.GetDouble("dampening");
                if (mom != 0)
                {
                    var buf = st.TryGetValue("buf", out var b) ? ((Tensor)b).Mul(mom).Add(g.Mul(1 - damp)) : g.Clone();
                    st["buf"] = buf;
                    g = group.GetBool("nesterov") ? g.Add(buf.Mul(mom)) : buf;
                }
                np = np.Add(g.Mul(-lr));
                break;
            }
            case Adam:
            {
                long t = NextStep();
                Decay();
                var (b1, b2) = group.GetPair("betas");
                var m = Lerp(st.TryGetValue("m", out var mo) ? (Tensor)mo : Zeros(), g, 1 - b1);
                var v = Addcmul((st.TryGetValue("v", out var vo) ? (Tensor)vo : Zeros()).Mul(b2), g, g, 1 - b2);
                st["m"] = m; st["v"] = v;
                double bc1 = 1 - Math.Pow(b1, t), bc2 = 1 - Math.Pow(b2, t);
                if (group.GetBool("amsgrad"))
                    st["vmax"] = v = (st.TryGetValue("vmax", out var x) ? (Tensor)x : Zeros()).Maximum(v);
                var denom = v.Sqrt().Div(Math.Sqrt(bc2)).Add(group.GetDouble("eps"));
                np = Addcdiv(np, m, denom, -(lr / bc1));
                break;
            }
            case Adagrad:
            {
                long t = NextStep();
                Decay();
                double clr = lr / (1 + (t - 1) * group.GetDouble("lr_decay"));
                var sum = Addcmul(st.TryGetValue("sum", out var so) ? (Tensor)so : Tensor.FullLike(p, group.GetDouble("initial_accumulator_value")), g, g, 1);
                st["sum"] = sum;
                np = Addcdiv(np, g, sum.Sqrt().Add(group.GetDouble("eps")), -clr);
                break;
            }
            case RMSprop:
            {
                NextStep();
                Decay();
                double alpha = group.GetDouble("alpha"), mom = group.GetDouble("momentum");
                var sq = Addcmul((st.TryGetValue("sq", out var so) ? (Tensor)so : Zeros()).Mul(alpha), g, g, 1 - alpha);
                st["sq"] = sq;
                Tensor avg;
                if (group.GetBool("centered"))
                {
                    var ga = Lerp(st.TryGetValue("ga", out var go) ? (Tensor)go : Zeros(), g, 1 - alpha);
                    st["ga"] = ga;
                    avg = Addcmul(sq, ga, ga, -1).Sqrt();
                }
                else avg = sq.Sqrt();
                avg = avg.Add(group.GetDouble("eps"));
                if (mom > 0)
                {
                    var buf = Addcdiv((st.TryGetValue("buf", out var bo) ? (Tensor)bo : Zeros()).Mul(mom), g, avg, 1);
                    st["buf"] = buf;
                    np = np.Add(buf.Mul(-lr));
                }
                else np = Addcdiv(np, g, avg, -lr);
                break;
            }
            case Adamax:
            {
                long t = NextStep();
                Decay();
                var (b1, b2) = group.GetPair("betas");
                var m = Lerp(st.TryGetValue("m", out var mo) ? (Tensor)mo : Zeros(), g, 1 - b1);
                var u = (st.TryGetValue("u", out var uo) ? (Tensor)uo : Zeros()).Mul(b2).Maximum(g.Abs().Add(group.GetDouble("eps")));
                st["m"] = m; st["u"] = u;
                np = Addcdiv(np, m, u, -(lr / (1 - Math.Pow(b1, t))));
                break;
            }
            case Adadelta:
            {
                NextStep();
                Decay();
                double rho = group.GetDouble("rho"), eps = group.GetDouble("eps");
                var sq = Addcmul((st.TryGetValue("sq", out var so) ? (Tensor)so : Zeros()).Mul(rho), g, g, 1 - rho);
                var acc = st.TryGetValue("acc", out var ao) ? (Tensor)ao : Zeros();
                var delta = acc.Add(eps).Sqrt().Div(sq.Add(eps).Sqrt()).Mul(g);
                st["sq"] = sq;
                st["acc"] = Addcmul(acc.Mul(rho), delta, delta, 1 - rho);
                np = np.Add(delta.Mul(-lr));
                break;
            }
            case NAdam:
            {
                long t = NextStep();
                var (b1, b2) = group.GetPair("betas");
                double psi = group.GetDouble("momentum_decay"), bc2 = 1 - Math.Pow(b2, t);
                Decay();
                double mu = b1 * (1.0 - 0.5 * Math.Pow(0.96, t * psi)), muNext = b1 * (1.0 - 0.5 * Math.Pow(0.96, (t + 1) * psi));
                var muProduct = (st.TryGetValue("mu", out var mp) ? (Tensor)mp : Tensor.Scalar(1.0, DType.Float32)).Mul(mu);  // float32 tensor
                st["mu"] = muProduct;
                double muP = muProduct.Item<float>();
                var m = Lerp(st.TryGetValue("m", out var mo) ? (Tensor)mo : Zeros(), g, 1 - b1);
                var v = Addcmul((st.TryGetValue("v", out var vo) ? (Tensor)vo : Zeros()).Mul(b2), g, g, 1 - b2);
                st["m"] = m; st["v"] = v;
                var denom = v.Div(bc2).Sqrt().Add(group.GetDouble("eps"));
                np = Addcdiv(np, g, denom, -lr * (1.0 - mu) / (1.0 - muP));
                np = Addcdiv(np, m, denom, -lr * muNext / (1.0 - muP * muNext));
                break;
            }
            case RAdam:
            {
                long t = NextStep();
                Decay();
                var (b1, b2) = group.GetPair("betas");
                var m = Lerp(st.TryGetValue("m", out var mo) ? (Tensor)mo : Zeros(), g, 1 - b1);
                var v = Addcmul((st.TryGetValue("v", out var vo) ? (Tensor)vo : Zeros()).Mul(b2), g, g, 1 - b2);
                st["m"] = m; st["v"] = v;
                double bc1 = 1 - Math.Pow(b1, t), bc2 = 1 - Math.Pow(b2, t);
                var bcm = m.Div(bc1);
                double rhoInf = 2 / (1 - b2) - 1, rhoT = rhoInf - 2 * t * Math.Pow(b2, t) / bc2;
                if (rhoT > 5.0)
                {
                    double rect = Math.Pow((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT), 0.5);
                    var adaptive = v.Sqrt().Add(group.GetDouble("eps")).Reciprocal().Mul(Math.Pow(bc2, 0.5));
                    np = np.Add(bcm.Mul(lr).Mul(adaptive).Mul(rect).Mul(-1.0));
                }
                else np = np.Add(bcm.Mul(lr).Mul(-1.0));
                break;
            }
            default: throw new InvalidOperationException(opt.Name);
        }
        p.Copy_(np);
    }

    /// <summary>The double a Python float becomes when PyTorch converts it to the tensor's dtype.</summary>
    private static double Cast(Tensor like, double v) => like.DType == DType.Float32 ? (float)v : v;

    [Theory]
    [MemberData(nameof(ConfigNames), MemberType = typeof(OptimTestKit))]
    public void FusedStepEqualsPyTorchOpSequenceBitwise(string config)
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var gen = new Generator(11);
            // 37 elements: vector body plus a scalar tail; [5, 203]: several vectors per row.
            var ps = new[] { Tensor.Randn([37], dtype, generator: gen), Tensor.Randn([5, 203], dtype, generator: gen) };
            var refs = ps.Select(p => p.Clone()).ToArray();
            foreach (var p in ps) p.RequiresGrad_();
            var opt = Config(config)(ps);
            var refState = refs.Select(_ => new Dictionary<string, object>()).ToArray();
            for (int step = 0; step < 8; step++)
            {
                for (int i = 0; i < ps.Length; i++)
                {
                    var grad = Tensor.Randn(ps[i].Shape, dtype, generator: gen).Mul(step % 3 == 2 ? 0.01 : 1.0);
                    ps[i].Grad = grad;
                    ReferenceStep(opt, opt.ParamGroups[0], refs[i], grad, refState[i]);
                }
                opt.Step();
                for (int i = 0; i < ps.Length; i++) AssertBitEqual(refs[i], ps[i].Detach(), $"{config} {dtype} step {step} param {i}");
            }
        }
    }
}

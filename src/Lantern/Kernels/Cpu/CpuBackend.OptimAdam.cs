using System.Numerics;
using System.Runtime.CompilerServices;

namespace Lantern.Kernels;

// The Adam family of fused updates (Adam/AdamW, Adamax, NAdam, RAdam); see CpuBackend.Optim.cs for the driver.
public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void Adam(BufferSlice param, BufferSlice grad, BufferSlice expAvg, BufferSlice expAvgSq, BufferSlice? maxExpAvgSq, int length, in AdamArgs args)
    {
        if (args.Amsgrad && maxExpAvgSq is null) throw new ArgumentException("Adam: amsgrad needs a max_exp_avg_sq buffer.");
        var a = args;
        RunRule("Adam", () => new AdamRule<float>(a), () => new AdamRule<double>(a), param, grad, expAvg, expAvgSq, maxExpAvgSq, length);
    }

    internal readonly struct AdamRule<T>(AdamArgs a) : IOptimRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Prep<T> _prep = new(a.Prep);
        private readonly Lerp<T> _lerp = new(1 - a.Beta1);
        private readonly bool _amsgrad = a.Amsgrad;
        private readonly T _beta2 = S<T>(a.Beta2), _oneMinusBeta2 = S<T>(1 - a.Beta2), _eps = S<T>(a.Eps),
            _negStep = S<T>(-a.StepSize), _bc2Sqrt = S<T>(a.BiasCorrection2Sqrt);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply<L>(ref T p, ref T g, ref T s0, ref T s1, ref T s2, nint i) where L : struct, ILane<L, T>
        {
            L pv = L.Load(ref p, i), gv = L.Load(ref g, i);
            _prep.Apply(ref pv, ref gv);
            L m = _lerp.Apply(L.Load(ref s0, i), gv);                                      // exp_avg.lerp_(grad, 1 - beta1)
            L.Store(m, ref s0, i);
            L v = L.Load(ref s1, i) * L.Splat(_beta2) + L.Splat(_oneMinusBeta2) * gv * gv; // mul_(beta2).addcmul_(g, g, value=1-beta2)
            L.Store(v, ref s1, i);
            if (_amsgrad)
            {
                v = L.Max(L.Load(ref s2, i), v);                                          // torch.maximum(max_exp_avg_sq, exp_avg_sq, out=)
                L.Store(v, ref s2, i);
            }
            L denom = L.Sqrt(v) / L.Splat(_bc2Sqrt) + L.Splat(_eps);                      // (v.sqrt() / bc2_sqrt).add_(eps)
            L.Store(pv + L.Splat(_negStep) * m / denom, ref p, i);                        // param.addcdiv_(m, denom, value=-step_size)
        }
    }

    /// <inheritdoc/>
    public void Adamax(BufferSlice param, BufferSlice grad, BufferSlice expAvg, BufferSlice expInf, int length, in AdamaxArgs args)
    {
        var a = args;
        RunRule("Adamax", () => new AdamaxRule<float>(a), () => new AdamaxRule<double>(a), param, grad, expAvg, expInf, null, length);
    }

    internal readonly struct AdamaxRule<T>(AdamaxArgs a) : IOptimRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Prep<T> _prep = new(a.Prep);
        private readonly Lerp<T> _lerp = new(1 - a.Beta1);
        private readonly T _beta2 = S<T>(a.Beta2), _eps = S<T>(a.Eps), _negClr = S<T>(-a.Clr);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply<L>(ref T p, ref T g, ref T s0, ref T s1, ref T s2, nint i) where L : struct, ILane<L, T>
        {
            L pv = L.Load(ref p, i), gv = L.Load(ref g, i);
            _prep.Apply(ref pv, ref gv);
            L m = _lerp.Apply(L.Load(ref s0, i), gv);
            L.Store(m, ref s0, i);
            L u = L.Max(L.Load(ref s1, i) * L.Splat(_beta2), L.Abs(gv) + L.Splat(_eps));   // maximum(exp_inf.mul_(beta2), grad.abs().add_(eps))
            L.Store(u, ref s1, i);
            L.Store(pv + L.Splat(_negClr) * m / u, ref p, i);                              // param.addcdiv_(exp_avg, exp_inf, value=-clr)
        }
    }

    /// <inheritdoc/>
    public void Nadam(BufferSlice param, BufferSlice grad, BufferSlice expAvg, BufferSlice expAvgSq, int length, in NadamArgs args)
    {
        var a = args;
        RunRule("Nadam", () => new NadamRule<float>(a), () => new NadamRule<double>(a), param, grad, expAvg, expAvgSq, null, length);
    }

    internal readonly struct NadamRule<T>(NadamArgs a) : IOptimRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Prep<T> _prep = new(a.Prep);
        private readonly Lerp<T> _lerp = new(1 - a.Beta1);
        private readonly T _beta2 = S<T>(a.Beta2), _oneMinusBeta2 = S<T>(1 - a.Beta2), _eps = S<T>(a.Eps),
            _bc2 = S<T>(a.BiasCorrection2), _gradCoef = S<T>(a.GradCoef), _expAvgCoef = S<T>(a.ExpAvgCoef);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply<L>(ref T p, ref T g, ref T s0, ref T s1, ref T s2, nint i) where L : struct, ILane<L, T>
        {
            L pv = L.Load(ref p, i), gv = L.Load(ref g, i);
            _prep.Apply(ref pv, ref gv);
            L m = _lerp.Apply(L.Load(ref s0, i), gv);
            L.Store(m, ref s0, i);
            L v = L.Load(ref s1, i) * L.Splat(_beta2) + L.Splat(_oneMinusBeta2) * gv * gv;
            L.Store(v, ref s1, i);
            L denom = L.Sqrt(v / L.Splat(_bc2)) + L.Splat(_eps);                  // exp_avg_sq.div(bc2).sqrt().add_(eps)
            pv += L.Splat(_gradCoef) * gv / denom;                               // param.addcdiv_(grad, denom, value=...)
            L.Store(pv + L.Splat(_expAvgCoef) * m / denom, ref p, i);            // param.addcdiv_(exp_avg, denom, value=...)
        }
    }

    /// <inheritdoc/>
    public void Radam(BufferSlice param, BufferSlice grad, BufferSlice expAvg, BufferSlice expAvgSq, int length, in RadamArgs args)
    {
        var a = args;
        RunRule("Radam", () => new RadamRule<float>(a), () => new RadamRule<double>(a), param, grad, expAvg, expAvgSq, null, length);
    }

    internal readonly struct RadamRule<T>(RadamArgs a) : IOptimRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Prep<T> _prep = new(a.Prep);
        private readonly Lerp<T> _lerp = new(1 - a.Beta1);
        private readonly bool _rectify = a.Rectify;
        private readonly T _beta2 = S<T>(a.Beta2), _oneMinusBeta2 = S<T>(1 - a.Beta2), _eps = S<T>(a.Eps), _lr = S<T>(a.Lr),
            _bc1 = S<T>(a.BiasCorrection1), _bc2Sqrt = S<T>(a.BiasCorrection2Sqrt), _rect = S<T>(a.Rect);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply<L>(ref T p, ref T g, ref T s0, ref T s1, ref T s2, nint i) where L : struct, ILane<L, T>
        {
            L pv = L.Load(ref p, i), gv = L.Load(ref g, i);
            _prep.Apply(ref pv, ref gv);
            L m = _lerp.Apply(L.Load(ref s0, i), gv);
            L.Store(m, ref s0, i);
            L v = L.Load(ref s1, i) * L.Splat(_beta2) + L.Splat(_oneMinusBeta2) * gv * gv;
            L.Store(v, ref s1, i);
            L step = m / L.Splat(_bc1) * L.Splat(_lr);                                     // bias_corrected_exp_avg * lr
            if (_rectify)
            {
                // bc2 ** 0.5 / (v.sqrt() + eps) is Tensor.__rtruediv__: reciprocal() * scalar
                L adaptive = L.Splat(T.One) / (L.Sqrt(v) + L.Splat(_eps)) * L.Splat(_bc2Sqrt);
                step = step * adaptive * L.Splat(_rect);
            }
            L.Store(pv - step, ref p, i);                                                  // param.add_(..., alpha=-1.0)
        }
    }
}

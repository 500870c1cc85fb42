using System.Numerics;
using System.Runtime.CompilerServices;

namespace Lantern.Kernels;

// Fused optimiser updates on the CPU: one pass per parameter, Vector<T> over the body and scalar over the tail
// (identical bits), contiguous ranges split across threads (elementwise, so thread count never matters).
// Each rule is PyTorch's single-tensor update (torch/optim/*.py) with its operations in PyTorch's order.
public sealed partial class CpuBackend : IOptimBackend
{
    private const int OptimMinPerChunk = 1 << 15;

    /// <summary>One elementwise update: p, g and up to three state slices at element i (Width elements for vectors).</summary>
    internal interface IOptimRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        void Apply<L>(ref T p, ref T g, ref T s0, ref T s1, ref T s2, nint i) where L : struct, ILane<L, T>;
    }

    /// <summary>maximize / coupled or decoupled weight decay, with the scalars in T.</summary>
    internal readonly struct Prep<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly bool _maximize, _coupled, _decoupled;
        private readonly T _wd, _factor;

        public Prep(GradPrep p)
        {
            _maximize = p.Maximize;
            _decoupled = p.DecoupledFactor is not null;
            _coupled = !_decoupled && p.WeightDecay != 0;
            _wd = T.CreateTruncating(p.WeightDecay);
            _factor = T.CreateTruncating(p.DecoupledFactor ?? 1.0);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply<L>(ref L p, ref L g) where L : struct, ILane<L, T>
        {
            if (_maximize) g = -g;
            if (_decoupled) p *= L.Splat(_factor);
            else if (_coupled) g += L.Splat(_wd) * p;
        }
    }

    /// <summary>ATen's lerp with a scalar weight: small weights use start + w (end - start), others end - (end - start)(1 - w).</summary>
    internal readonly struct Lerp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly bool _small;
        private readonly T _w, _oneMinusW;

        public Lerp(double weight)
        {
            _w = T.CreateTruncating(weight);
            _small = T.Abs(_w) < T.CreateTruncating(0.5);
            _oneMinusW = T.One - _w;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public L Apply<L>(L start, L end) where L : struct, ILane<L, T> =>
            _small ? start + L.Splat(_w) * (end - start) : end - (end - start) * L.Splat(_oneMinusW);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T S<T>(double v) where T : unmanaged, IFloatingPointIeee754<T> => T.CreateTruncating(v);

    private static void CheckSlice(string op, string what, BufferSlice s, DType dtype, int length)
    {
        if (s.Buffer.DType != dtype)
            throw new ArgumentException($"{op}: {what} has dtype {s.Buffer.DType}, expected {dtype}.");
        if (s.Offset < 0 || (long)s.Offset + length > s.Buffer.Length)
            throw new ArgumentException($"{op}: {what} range [{s.Offset}, {(long)s.Offset + length}) is outside its buffer of {s.Buffer.Length} elements.");
    }

    /// <summary>Validates the slices, then runs the rule over [0, length) for Float32 or Float64.</summary>
    private static void RunRule<R32, R64>(string op, Func<R32> rule32, Func<R64> rule64, BufferSlice p, BufferSlice g,
        BufferSlice? s0, BufferSlice? s1, BufferSlice? s2, int length)
        where R32 : struct, IOptimRule<float> where R64 : struct, IOptimRule<double>
    {
        var dtype = p.Buffer.DType;
        CheckSlice(op, "param", p, dtype, length);
        CheckSlice(op, "grad", g, dtype, length);
        if (s0 is { } a) CheckSlice(op, "state 0", a, dtype, length);
        if (s1 is { } b) CheckSlice(op, "state 1", b, dtype, length);
        if (s2 is { } c) CheckSlice(op, "state 2", c, dtype, length);
        if (dtype == DType.Float32) Run<float, R32>(rule32(), p, g, s0, s1, s2, length);
        else if (dtype == DType.Float64) Run<double, R64>(rule64(), p, g, s0, s1, s2, length);
        else throw new ArgumentException($"{op}: parameters must be Float32 or Float64, got {dtype}.");
    }

    private static void Run<T, R>(R rule, BufferSlice p, BufferSlice g, BufferSlice? s0, BufferSlice? s1, BufferSlice? s2, int length)
        where T : unmanaged, IFloatingPointIeee754<T> where R : struct, IOptimRule<T>
    {
        T[] pa = Data<T>(p.Buffer), ga = Data<T>(g.Buffer);
        // Unused state slices point at the parameter; rules never touch them.
        T[] a0 = s0 is { } x0 ? Data<T>(x0.Buffer) : pa, a1 = s1 is { } x1 ? Data<T>(x1.Buffer) : pa, a2 = s2 is { } x2 ? Data<T>(x2.Buffer) : pa;
        int o0 = s0?.Offset ?? p.Offset, o1 = s1?.Offset ?? p.Offset, o2 = s2?.Offset ?? p.Offset;
        KernelThreads.For(length, OptimMinPerChunk, (start, end) =>
        {
            ref T rp = ref At(pa, p.Offset + start);
            ref T rg = ref At(ga, g.Offset + start);
            ref T r0 = ref At(a0, o0 + start);
            ref T r1 = ref At(a1, o1 + start);
            ref T r2 = ref At(a2, o2 + start);
            nint n = end - start, i = 0;
            if (Vector.IsHardwareAccelerated)
                for (int w = Vector<T>.Count; i <= n - w; i += w) rule.Apply<VectorLane<T>>(ref rp, ref rg, ref r0, ref r1, ref r2, i);
            for (; i < n; i++) rule.Apply<ScalarLane<T>>(ref rp, ref rg, ref r0, ref r1, ref r2, i);
        });
    }

    /// <inheritdoc/>
    public void Sgd(BufferSlice param, BufferSlice grad, BufferSlice? momentumBuffer, int length, in SgdArgs args)
    {
        if (args.Momentum != 0 && momentumBuffer is null) throw new ArgumentException("Sgd: momentum != 0 needs a momentum buffer.");
        var a = args;
        RunRule("Sgd", () => new SgdRule<float>(a), () => new SgdRule<double>(a), param, grad, momentumBuffer, null, null, length);
    }

    internal readonly struct SgdRule<T>(SgdArgs a) : IOptimRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Prep<T> _prep = new(a.Prep);
        private readonly bool _momentum = a.Momentum != 0, _nesterov = a.Nesterov, _first = a.FirstStep;
        private readonly T _mom = S<T>(a.Momentum), _damp = S<T>(1 - a.Dampening), _negLr = S<T>(-a.Lr);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply<L>(ref T p, ref T g, ref T s0, ref T s1, ref T s2, nint i) where L : struct, ILane<L, T>
        {
            L pv = L.Load(ref p, i), gv = L.Load(ref g, i);
            _prep.Apply(ref pv, ref gv);
            if (_momentum)
            {
                // buf.mul_(momentum).add_(grad, alpha=1 - dampening), or clone(grad) on the first step
                L buf = _first ? gv : L.Load(ref s0, i) * L.Splat(_mom) + L.Splat(_damp) * gv;
                L.Store(buf, ref s0, i);
                gv = _nesterov ? gv + L.Splat(_mom) * buf : buf;
            }
            L.Store(pv + L.Splat(_negLr) * gv, ref p, i);   // param.add_(grad, alpha=-lr)
        }
    }

    /// <inheritdoc/>
    public void Adagrad(BufferSlice param, BufferSlice grad, BufferSlice sum, int length, in AdagradArgs args)
    {
        var a = args;
        RunRule("Adagrad", () => new AdagradRule<float>(a), () => new AdagradRule<double>(a), param, grad, sum, null, null, length);
    }

    internal readonly struct AdagradRule<T>(AdagradArgs a) : IOptimRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Prep<T> _prep = new(a.Prep);
        private readonly T _negClr = S<T>(-a.Clr), _eps = S<T>(a.Eps);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply<L>(ref T p, ref T g, ref T s0, ref T s1, ref T s2, nint i) where L : struct, ILane<L, T>
        {
            L pv = L.Load(ref p, i), gv = L.Load(ref g, i);
            _prep.Apply(ref pv, ref gv);
            L sum = L.Load(ref s0, i) + gv * gv;                        // state_sum.addcmul_(grad, grad, value=1)
            L.Store(sum, ref s0, i);
            L std = L.Sqrt(sum) + L.Splat(_eps);                        // state_sum.sqrt().add_(eps)
            L.Store(pv + L.Splat(_negClr) * gv / std, ref p, i);        // param.addcdiv_(grad, std, value=-clr)
        }
    }

    /// <inheritdoc/>
    public void Rmsprop(BufferSlice param, BufferSlice grad, BufferSlice squareAvg, BufferSlice? gradAvg, BufferSlice? momentumBuffer, int length, in RmspropArgs args)
    {
        if (args.Centered && gradAvg is null) throw new ArgumentException("Rmsprop: centered needs a grad_avg buffer.");
        if (args.Momentum > 0 && momentumBuffer is null) throw new ArgumentException("Rmsprop: momentum > 0 needs a momentum buffer.");
        var a = args;
        RunRule("Rmsprop", () => new RmspropRule<float>(a), () => new RmspropRule<double>(a), param, grad, squareAvg, gradAvg, momentumBuffer, length);
    }

    internal readonly struct RmspropRule<T>(RmspropArgs a) : IOptimRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Prep<T> _prep = new(a.Prep);
        private readonly Lerp<T> _lerp = new(1 - a.Alpha);
        private readonly bool _centered = a.Centered, _momentum = a.Momentum > 0;
        private readonly T _alpha = S<T>(a.Alpha), _oneMinusAlpha = S<T>(1 - a.Alpha), _eps = S<T>(a.Eps), _mom = S<T>(a.Momentum), _negLr = S<T>(-a.Lr);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply<L>(ref T p, ref T g, ref T s0, ref T s1, ref T s2, nint i) where L : struct, ILane<L, T>
        {
            L pv = L.Load(ref p, i), gv = L.Load(ref g, i);
            _prep.Apply(ref pv, ref gv);
            L sq = L.Load(ref s0, i) * L.Splat(_alpha) + L.Splat(_oneMinusAlpha) * gv * gv;   // mul_(alpha).addcmul_(g, g, value=1-alpha)
            L.Store(sq, ref s0, i);
            L avg;
            if (_centered)
            {
                L ga = _lerp.Apply(L.Load(ref s1, i), gv);                                     // grad_avg.lerp_(grad, 1 - alpha)
                L.Store(ga, ref s1, i);
                avg = L.Sqrt(sq + -ga * ga);                                                  // addcmul(ga, ga, value=-1).sqrt_()
            }
            else avg = L.Sqrt(sq);
            avg += L.Splat(_eps);
            if (_momentum)
            {
                L buf = L.Load(ref s2, i) * L.Splat(_mom) + gv / avg;                         // buf.mul_(m).addcdiv_(grad, avg)
                L.Store(buf, ref s2, i);
                L.Store(pv + L.Splat(_negLr) * buf, ref p, i);                                // param.add_(buf, alpha=-lr)
            }
            else L.Store(pv + L.Splat(_negLr) * gv / avg, ref p, i);                          // param.addcdiv_(grad, avg, value=-lr)
        }
    }

    /// <inheritdoc/>
    public void Adadelta(BufferSlice param, BufferSlice grad, BufferSlice squareAvg, BufferSlice accDelta, int length, in AdadeltaArgs args)
    {
        var a = args;
        RunRule("Adadelta", () => new AdadeltaRule<float>(a), () => new AdadeltaRule<double>(a), param, grad, squareAvg, accDelta, null, length);
    }

    internal readonly struct AdadeltaRule<T>(AdadeltaArgs a) : IOptimRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Prep<T> _prep = new(a.Prep);
        private readonly T _rho = S<T>(a.Rho), _oneMinusRho = S<T>(1 - a.Rho), _eps = S<T>(a.Eps), _negLr = S<T>(-a.Lr);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply<L>(ref T p, ref T g, ref T s0, ref T s1, ref T s2, nint i) where L : struct, ILane<L, T>
        {
            L pv = L.Load(ref p, i), gv = L.Load(ref g, i);
            _prep.Apply(ref pv, ref gv);
            L sq = L.Load(ref s0, i) * L.Splat(_rho) + L.Splat(_oneMinusRho) * gv * gv;
            L.Store(sq, ref s0, i);
            L std = L.Sqrt(sq + L.Splat(_eps));                                   // square_avg.add(eps).sqrt_()
            L acc = L.Load(ref s1, i);
            L delta = L.Sqrt(acc + L.Splat(_eps)) / std * gv;                     // acc_delta.add(eps).sqrt_().div_(std).mul_(grad)
            L.Store(acc * L.Splat(_rho) + L.Splat(_oneMinusRho) * delta * delta, ref s1, i);
            L.Store(pv + L.Splat(_negLr) * delta, ref p, i);                      // param.add_(delta, alpha=-lr)
        }
    }
}

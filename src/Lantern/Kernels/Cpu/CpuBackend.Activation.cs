using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Lantern.Kernels;

// Fused activation kernels: contiguous spans cut into L1-sized blocks; transcendental parts go through
// TensorPrimitives (vectorised) into block temporaries, and a scalar pass combines them.
public sealed partial class CpuBackend : IActivationBackend
{
    private const int ActBlock = 1024;

    private static void CheckActivation(string op, params ReadOnlySpan<Layout> layouts)
    {
        foreach (var l in layouts)
            if (!l.IsContiguous || l.Shape != layouts[0].Shape)
                throw new ArgumentException($"{op} kernel: expected contiguous operands of one shape, got {l.Shape} (contiguous: {l.IsContiguous}) and {layouts[0].Shape}.");
    }

    /// <inheritdoc/>
    public void Activation(ActivationOp op, DeviceBuffer x, Layout lx, DeviceBuffer y, Layout ly, double p0, double p1, double p2)
    {
        CheckActivation("Activation", lx, ly);
        if (x.DType == DType.Float32) ActivationT(op, Data<float>(x), lx.Offset, Data<float>(y), ly.Offset, lx.Numel, (float)p0, (float)p1, (float)p2);
        else if (x.DType == DType.Float64) ActivationT(op, Data<double>(x), lx.Offset, Data<double>(y), ly.Offset, lx.Numel, p0, p1, p2);
        else throw new NotSupportedException($"Activation {op}: not defined for {x.DType}.");
    }

    /// <inheritdoc/>
    public void ActivationBackward(ActivationOp op, DeviceBuffer g, Layout lg, DeviceBuffer x, Layout lx, DeviceBuffer dx, Layout ldx, double p0, double p1, double p2)
    {
        CheckActivation("ActivationBackward", lg, lx, ldx);
        if (x.DType == DType.Float32)
            ActivationBackwardT(op, Data<float>(g), lg.Offset, Data<float>(x), lx.Offset, Data<float>(dx), ldx.Offset, lx.Numel, (float)p0, (float)p1, (float)p2);
        else if (x.DType == DType.Float64)
            ActivationBackwardT(op, Data<double>(g), lg.Offset, Data<double>(x), lx.Offset, Data<double>(dx), ldx.Offset, lx.Numel, p0, p1, p2);
        else throw new NotSupportedException($"ActivationBackward {op}: not defined for {x.DType}.");
    }

    private static void ActivationT<T>(ActivationOp op, T[] x, int xo, T[] y, int yo, int n, T p0, T p1, T p2) where T : unmanaged, IFloatingPointIeee754<T> =>
        KernelThreads.For(n, ElementwiseGrain, (a, b) =>
        {
            for (int s = a; s < b; s += ActBlock)
            {
                int len = Math.Min(ActBlock, b - s);
                ForwardBlock(op, new ReadOnlySpan<T>(x, xo + s, len), new Span<T>(y, yo + s, len), p0, p1, p2);
            }
        });

    private static void ActivationBackwardT<T>(ActivationOp op, T[] g, int go, T[] x, int xo, T[] dx, int dxo, int n, T p0, T p1, T p2)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        KernelThreads.For(n, ElementwiseGrain, (a, b) =>
        {
            for (int s = a; s < b; s += ActBlock)
            {
                int len = Math.Min(ActBlock, b - s);
                BackwardBlock(op, new ReadOnlySpan<T>(g, go + s, len), new ReadOnlySpan<T>(x, xo + s, len), new Span<T>(dx, dxo + s, len), p0, p1, p2);
            }
        });

    private enum Keep { Positive, PositiveOrNaN, InsideOrNaN }

    private static Vector<T> KeepMask<T>(Keep keep, Vector<T> v, Vector<T> lo, Vector<T> hi) where T : unmanaged, IFloatingPointIeee754<T> => keep switch
    {
        Keep.Positive => Vector.GreaterThan(v, Vector<T>.Zero),
        Keep.PositiveOrNaN => Vector.GreaterThan(v, Vector<T>.Zero) | ~Vector.Equals(v, v),
        _ => (Vector.GreaterThan(v, lo) & Vector.LessThan(v, hi)) | ~Vector.Equals(v, v),
    };

    /// <summary>
    /// dst = keep(x) ? a : (a * s when scaleOthers, else 0), vectorised: Positive is x &gt; 0, PositiveOrNaN adds NaN,
    /// InsideOrNaN is lo &lt; x &lt; hi or NaN. The scalar tail uses one-lane vectors of the same masks.
    /// </summary>
    private static void Select<T>(Keep keep, ReadOnlySpan<T> a, ReadOnlySpan<T> x, Span<T> dst, T s, bool scaleOthers, T lo = default, T hi = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0, w = Vector<T>.Count, n = x.Length;
        ref T ra = ref MemoryMarshal.GetReference(a);
        ref T rx = ref MemoryMarshal.GetReference(x);
        ref T rd = ref MemoryMarshal.GetReference(dst);
        Vector<T> vs = new(s), vlo = new(lo), vhi = new(hi);
        for (; i + w <= n; i += w)
        {
            var va = Vector.LoadUnsafe(ref ra, (nuint)i);
            var mask = KeepMask(keep, Vector.LoadUnsafe(ref rx, (nuint)i), vlo, vhi);
            Vector.StoreUnsafe(Vector.ConditionalSelect(mask, va, scaleOthers ? va * vs : Vector<T>.Zero), ref rd, (nuint)i);
        }
        for (; i < n; i++)
        {
            T xv = Unsafe.Add(ref rx, i), av = Unsafe.Add(ref ra, i);
            bool k = keep switch
            {
                Keep.Positive => xv > T.Zero,
                Keep.PositiveOrNaN => xv > T.Zero || T.IsNaN(xv),
                _ => (xv > lo && xv < hi) || T.IsNaN(xv),
            };
            Unsafe.Add(ref rd, i) = k ? av : scaleOthers ? av * s : T.Zero;
        }
    }

    // log1p(e) given e, w = 1 + e and log(w) (Kahan's correction keeps precision when e is tiny); z when w overflows.
    private static T Log1pFrom<T>(T e, T w, T logW, T z) where T : IFloatingPointIeee754<T> =>
        T.IsPositiveInfinity(w) ? z : w == T.One ? e : logW * e / (w - T.One);

    // expm1(z) given u = exp(z) and log(u) (Kahan).
    private static T Expm1From<T>(T z, T u, T logU) where T : IFloatingPointIeee754<T> =>
        u == T.One ? z : u - T.One == -T.One ? -T.One : T.IsPositiveInfinity(u) ? u : (u - T.One) * z / logU;

    [SkipLocalsInit] // the block temporaries are written before they are read
    private static void ForwardBlock<T>(ActivationOp op, ReadOnlySpan<T> x, Span<T> y, T p0, T p1, T p2) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = x.Length;
        Span<T> t1 = stackalloc T[ActBlock], t2 = stackalloc T[ActBlock], t3 = stackalloc T[ActBlock];
        t1 = t1[..n]; t2 = t2[..n]; t3 = t3[..n];
        T three = T.CreateTruncating(3), six = T.CreateTruncating(6);
        switch (op)
        {
            case ActivationOp.Relu:
                UnaryKernels.ApplyFloating(UnaryOp.Relu, x, y, T.Zero, T.Zero, T.Zero);
                break;
            case ActivationOp.Hardtanh:
                TensorPrimitives.Max(x, p0, y);
                TensorPrimitives.Min(y, p1, y);
                break;
            case ActivationOp.LeakyRelu:
                Select(Keep.Positive, x, x, y, p0, scaleOthers: true);
                break;
            case ActivationOp.Softplus:
                TensorPrimitives.Multiply(x, p0, t1);          // beta x
                TensorPrimitives.Exp(t1, t2);                  // e
                TensorPrimitives.Add(t2, T.One, t3);           // w = 1 + e
                TensorPrimitives.Log(t3, y);                   // log w (y as scratch)
                for (int i = 0; i < n; i++)
                    y[i] = t1[i] > p1 ? x[i] : Log1pFrom(t2[i], t3[i], y[i], t1[i]) / p0;
                break;
            case ActivationOp.Elu:
                TensorPrimitives.Multiply(x, p2, t1);          // z = input_scale x
                TensorPrimitives.Exp(t1, t2);                  // u
                TensorPrimitives.Log(t2, t3);                  // log u
                for (int i = 0; i < n; i++)
                    y[i] = x[i] <= T.Zero ? Expm1From(t1[i], t2[i], t3[i]) * (p0 * p1) : x[i] * p1;
                break;
            case ActivationOp.Silu:
                TensorPrimitives.Sigmoid(x, t1);
                TensorPrimitives.Multiply(x, t1, y);
                break;
            case ActivationOp.Mish:
                MishParts(x, t1, t2, t3);                      // t3 = tanh(softplus(x))
                TensorPrimitives.Multiply(x, t3, y);
                break;
            case ActivationOp.Hardswish:
                TensorPrimitives.Add(x, three, t1);
                TensorPrimitives.Max(t1, T.Zero, t1);
                TensorPrimitives.Min(t1, six, t1);
                TensorPrimitives.Multiply(x, t1, t1);
                TensorPrimitives.Divide(t1, six, y);
                break;
            case ActivationOp.Hardsigmoid:
                TensorPrimitives.Add(x, three, t1);
                TensorPrimitives.Max(t1, T.Zero, t1);
                TensorPrimitives.Min(t1, six, t1);
                TensorPrimitives.Divide(t1, six, y);
                break;
            default: throw new NotSupportedException($"Activation: unknown op {op}.");
        }
    }

    // t3 = tanh(log1p(exp(x))) (PyTorch's mish uses the softplus without threshold); t1, t2 are scratch.
    private static void MishParts<T>(ReadOnlySpan<T> x, Span<T> t1, Span<T> t2, Span<T> t3) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Exp(x, t1);              // e
        TensorPrimitives.Add(t1, T.One, t2);      // w
        TensorPrimitives.Log(t2, t3);             // log w
        for (int i = 0; i < x.Length; i++) t3[i] = Log1pFrom(t1[i], t2[i], t3[i], x[i]);
        UnaryKernels.Tanh<T>(t3, t3);
    }

    [SkipLocalsInit]
    private static void BackwardBlock<T>(ActivationOp op, ReadOnlySpan<T> g, ReadOnlySpan<T> x, Span<T> dx, T p0, T p1, T p2) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = x.Length;
        Span<T> t1 = stackalloc T[ActBlock], t2 = stackalloc T[ActBlock], t3 = stackalloc T[ActBlock];
        t1 = t1[..n]; t2 = t2[..n]; t3 = t3[..n];
        T three = T.CreateTruncating(3), six = T.CreateTruncating(6), half = T.CreateTruncating(0.5);
        switch (op)
        {
            case ActivationOp.Relu:
                Select(Keep.PositiveOrNaN, g, x, dx, T.Zero, scaleOthers: false);
                break;
            case ActivationOp.Hardtanh:
                Select(Keep.InsideOrNaN, g, x, dx, T.Zero, scaleOthers: false, p0, p1);
                break;
            case ActivationOp.LeakyRelu:
                Select(Keep.Positive, g, x, dx, p0, scaleOthers: true);
                break;
            case ActivationOp.Softplus:
                TensorPrimitives.Multiply(x, p0, t1);
                TensorPrimitives.Sigmoid(t1, t2);
                for (int i = 0; i < n; i++) dx[i] = t1[i] > p1 ? g[i] : g[i] * t2[i];
                break;
            case ActivationOp.Elu:
                TensorPrimitives.Multiply(x, p2, t1);
                TensorPrimitives.Exp(t1, t2);
                T neg = p2 * p0 * p1;
                for (int i = 0; i < n; i++) dx[i] = x[i] <= T.Zero ? g[i] * neg * t2[i] : g[i] * p1;
                break;
            case ActivationOp.Silu:
                TensorPrimitives.Sigmoid(x, t1);
                for (int i = 0; i < n; i++) { T s = t1[i]; dx[i] = g[i] * s * (T.One + x[i] * (T.One - s)); }
                break;
            case ActivationOp.Mish:
                MishParts(x, t1, t2, t3);
                TensorPrimitives.Sigmoid(x, t1);
                for (int i = 0; i < n; i++) { T t = t3[i]; dx[i] = g[i] * (t + x[i] * t1[i] * (T.One - t * t)); }
                break;
            case ActivationOp.Hardswish:
                for (int i = 0; i < n; i++) { T v = x[i]; dx[i] = v <= -three ? T.Zero : v < three ? g[i] * (v / three + half) : g[i]; }
                break;
            case ActivationOp.Hardsigmoid:
                for (int i = 0; i < n; i++) { T v = x[i]; dx[i] = v > -three && v < three ? g[i] / six : T.Zero; }
                break;
            default: throw new NotSupportedException($"ActivationBackward: unknown op {op}.");
        }
    }
}

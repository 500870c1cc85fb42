using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Lantern.Kernels;

/// <summary>
/// Elementwise unary math on contiguous spans (x and y may be the same span). Floating ops go through
/// TensorPrimitives where it has them (vectorised), the rest through scalar loops. Integer dtypes support
/// the ops listed in <see cref="ApplyInteger{T}"/>.
/// </summary>
public static class UnaryKernels
{
    /// <summary>y = op(x) for float or double; p0..p2 are the op's scalar arguments.</summary>
    public static void ApplyFloating<T>(UnaryOp op, ReadOnlySpan<T> x, Span<T> y, T p0, T p1, T p2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case UnaryOp.Neg: TensorPrimitives.Negate(x, y); break;
            case UnaryOp.Abs: TensorPrimitives.Abs(x, y); break;
            case UnaryOp.Sign:
                for (int i = 0; i < x.Length; i++)
                {
                    // PyTorch: (0 < a) - (a < 0): NaN and -0 give 0.
                    T a = x[i];
                    y[i] = (a > T.Zero ? T.One : T.Zero) - (a < T.Zero ? T.One : T.Zero);
                }
                break;
            case UnaryOp.Reciprocal: TensorPrimitives.Divide(T.One, x, y); break;
            case UnaryOp.Exp: TensorPrimitives.Exp(x, y); break;
            case UnaryOp.Exp2: TensorPrimitives.Exp2(x, y); break;
            case UnaryOp.Expm1: Expm1(x, y); break;
            case UnaryOp.Log: TensorPrimitives.Log(x, y); break;
            case UnaryOp.Log2: TensorPrimitives.Log2(x, y); break;
            case UnaryOp.Log1p: Log1p(x, y); break;
            case UnaryOp.Sqrt: TensorPrimitives.Sqrt(x, y); break;
            case UnaryOp.Rsqrt: TensorPrimitives.Sqrt(x, y); TensorPrimitives.Divide(T.One, y, y); break;
            case UnaryOp.Sin: TensorPrimitives.Sin(x, y); break;
            case UnaryOp.Cos: TensorPrimitives.Cos(x, y); break;
            case UnaryOp.Tan: for (int i = 0; i < x.Length; i++) y[i] = T.Tan(x[i]); break;
            case UnaryOp.Tanh: Tanh(x, y); break;
            case UnaryOp.Sigmoid: TensorPrimitives.Sigmoid(x, y); break;
            case UnaryOp.Erf: Erf(x, y); break;
            case UnaryOp.Floor: TensorPrimitives.Floor(x, y); break;
            case UnaryOp.Ceil: TensorPrimitives.Ceiling(x, y); break;
            case UnaryOp.Round: TensorPrimitives.Round(x, y); break;
            case UnaryOp.Trunc: TensorPrimitives.Truncate(x, y); break;
            case UnaryOp.Square: TensorPrimitives.Multiply(x, x, y); break;
            case UnaryOp.PowScalar: for (int i = 0; i < x.Length; i++) y[i] = T.Pow(x[i], p0); break;
            case UnaryOp.ScalarPow: for (int i = 0; i < x.Length; i++) y[i] = T.Pow(p0, x[i]); break;
            case UnaryOp.Clamp: ClampKernel(x, y, p0, p1); break;
            case UnaryOp.ClampMin: TensorPrimitives.Max(x, p0, y); break;
            case UnaryOp.ClampMax: TensorPrimitives.Min(x, p0, y); break;
            case UnaryOp.NanToNum:
                for (int i = 0; i < x.Length; i++)
                {
                    T a = x[i];
                    y[i] = T.IsNaN(a) ? p0 : T.IsPositiveInfinity(a) ? p1 : T.IsNegativeInfinity(a) ? p2 : a;
                }
                break;
            case UnaryOp.Relu: Relu(x, y); break;
            default: throw new NotSupportedException($"UnaryKernels: {op} is not a floating op.");
        }
    }

    // .NET's ExpM1/LogP1 compute exp(x) - 1 and log(1 + x), which lose all precision near 0. Kahan's
    // corrections recover it: expm1(x) = (u - 1) * x / log(u) and log1p(x) = log(u) * x / (u - 1), u = e^x or 1 + x.
    private static void Expm1<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++)
        {
            T v = x[i];
            T u = T.Exp(v);
            if (u == T.One) y[i] = v;
            else if (u - T.One == -T.One) y[i] = -T.One;
            else if (T.IsInfinity(u)) y[i] = u;
            else y[i] = (u - T.One) * v / T.Log(u);
        }
    }

    private static void Log1p<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++)
        {
            T v = x[i];
            T u = T.One + v;
            y[i] = u == T.One ? v : T.IsInfinity(u) ? u : T.Log(u) * v / (u - T.One);
        }
    }

    /// <summary>max(x, 0) with NaN kept (x &lt;= 0 becomes +0), vectorised.</summary>
    private static void Relu<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0, w = Vector<T>.Count;
        ref T rx = ref MemoryMarshal.GetReference(x);
        ref T ry = ref MemoryMarshal.GetReference(y);
        for (; i + w <= x.Length; i += w)
        {
            var v = Vector.LoadUnsafe(ref rx, (nuint)i);
            Vector.StoreUnsafe(Vector.ConditionalSelect(Vector.LessThanOrEqual(v, Vector<T>.Zero), Vector<T>.Zero, v), ref ry, (nuint)i);
        }
        for (; i < x.Length; i++) { T a = Unsafe.Add(ref rx, i); Unsafe.Add(ref ry, i) = a <= T.Zero ? T.Zero : a; }
    }

    /// <summary>
    /// tanh to within rounding. TensorPrimitives.Tanh for float is off by 1-2 ulp for most inputs (and returns -6e-8
    /// for 0), so float is computed in double and rounded once (PyTorch's Sleef tanhf is correctly rounded almost
    /// everywhere; the gradient 1 - y^2 of a saturated tanh amplifies any ulp). For double, TensorPrimitives'
    /// absolute error near 1e-18 is a large relative error for tiny |x|: there the series
    /// x (1 - x^2/3 + 2x^4/15) is used (exact to rounding for |x| &lt; 1e-3). x and y may be the same span.
    /// </summary>
    [SkipLocalsInit]
    public static void Tanh<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Overlaps(y) && !Unsafe.AreSame(ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y)))
            throw new ArgumentException("Tanh kernel: x and y overlap partially.");
        const int block = 512;
        Span<double> wide = stackalloc double[block];
        Span<double> result = stackalloc double[block];
        bool isFloat = typeof(T) == typeof(float);
        for (int start = 0; start < x.Length; start += block)
        {
            int len = Math.Min(block, x.Length - start);
            var w = wide[..len];
            var r = result[..len];
            if (isFloat) TensorPrimitives.ConvertChecked<float, double>(MemoryMarshal.Cast<T, float>(x).Slice(start, len), w);
            else MemoryMarshal.Cast<T, double>(x).Slice(start, len).CopyTo(w);   // keep x: y may alias it
            TensorPrimitives.Tanh<double>(w, r);
            for (int i = 0; i < len; i++)
            {
                double v = w[i];
                if (Math.Abs(v) < 1e-3)
                {
                    double v2 = v * v;
                    r[i] = v * (1 + v2 * (-1.0 / 3 + v2 * (2.0 / 15)));   // keeps the sign of zero too
                }
            }
            if (isFloat) TensorPrimitives.ConvertTruncating<double, float>(r, MemoryMarshal.Cast<T, float>(y).Slice(start, len));
            else r.CopyTo(MemoryMarshal.Cast<T, double>(y).Slice(start, len));
        }
    }

    private static void ClampKernel<T>(ReadOnlySpan<T> x, Span<T> y, T lo, T hi) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // torch.clamp = min(max(x, lo), hi); NaN propagates.
        TensorPrimitives.Max(x, lo, y);
        TensorPrimitives.Min(y, hi, y);
    }

    private static void Erf<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            var xf = System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(x);
            var yf = System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(y);
            Span<float> e = stackalloc float[256];
            for (int s = 0; s < xf.Length; s += 256)
            {
                int n = Math.Min(256, xf.Length - s);
                var xs = xf.Slice(s, n);
                var es = e[..n];
                TensorPrimitives.Multiply(xs, xs, es);
                TensorPrimitives.Negate(es, es);
                TensorPrimitives.Exp(es, es);
                for (int i = 0; i < n; i++) yf[s + i] = SpecialFunctions.ErfFloat(xs[i], es[i]);
            }
        }
        else
        {
            for (int i = 0; i < x.Length; i++) y[i] = T.CreateTruncating(SpecialFunctions.Erf(double.CreateTruncating(x[i])));
        }
    }

    /// <summary>y = op(x) for Int64 or UInt8: Neg, Abs, Sign, Square, Clamp, ClampMin, ClampMax, Relu.</summary>
    public static void ApplyInteger<T>(UnaryOp op, ReadOnlySpan<T> x, Span<T> y, T p0, T p1)
        where T : unmanaged, IBinaryInteger<T>, IMinMaxValue<T>
    {
        switch (op)
        {
            case UnaryOp.Neg: for (int i = 0; i < x.Length; i++) y[i] = unchecked(T.Zero - x[i]); break;
            case UnaryOp.Abs: for (int i = 0; i < x.Length; i++) y[i] = T.IsNegative(x[i]) ? unchecked(T.Zero - x[i]) : x[i]; break;
            case UnaryOp.Sign:
                for (int i = 0; i < x.Length; i++) y[i] = x[i] > T.Zero ? T.One : x[i] == T.Zero ? T.Zero : unchecked(T.Zero - T.One);
                break;
            case UnaryOp.Square: for (int i = 0; i < x.Length; i++) y[i] = unchecked(x[i] * x[i]); break;
            case UnaryOp.Clamp: for (int i = 0; i < x.Length; i++) y[i] = T.Min(T.Max(x[i], p0), p1); break;
            case UnaryOp.ClampMin: for (int i = 0; i < x.Length; i++) y[i] = T.Max(x[i], p0); break;
            case UnaryOp.ClampMax: for (int i = 0; i < x.Length; i++) y[i] = T.Min(x[i], p0); break;
            case UnaryOp.Relu: for (int i = 0; i < x.Length; i++) y[i] = T.Max(x[i], T.Zero); break;
            case UnaryOp.Floor or UnaryOp.Ceil or UnaryOp.Round or UnaryOp.Trunc: x.CopyTo(y); break;
            default: throw new NotSupportedException($"UnaryKernels: {op} is not defined for integer dtypes.");
        }
    }
}

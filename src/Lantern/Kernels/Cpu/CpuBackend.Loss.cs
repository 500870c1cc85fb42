using System.Numerics;
using System.Numerics.Tensors;

namespace Lantern.Kernels;

// Fused cross-entropy kernels, vectorised with TensorPrimitives. Two shapes of work:
// - inner == 1 (classification [N, C]): one row of C contiguous logits at a time, SIMD along the classes;
// - inner > 1 (dense prediction [N, C, H*W]): a block of up to 256 neighbouring positions at a time, SIMD along the
//   positions (each class is a contiguous run of the block), so nothing is read with a stride.
// The row max m and s = log sum exp(x - m) are kept apart: exp(x - m - s) stays accurate for logits of any size.
public sealed partial class CpuBackend : ILossBackend
{
    private const int CeBlock = 256;

    /// <inheritdoc/>
    public void CrossEntropyForward(DeviceBuffer x, int xOffset, DeviceBuffer target, int targetOffset, DeviceBuffer? weight, int weightOffset,
        int outer, int classes, int inner, long ignoreIndex, double labelSmoothing,
        DeviceBuffer loss, DeviceBuffer rowMax, DeviceBuffer logSum, DeviceBuffer targetWeight)
    {
        if (x.DType == DType.Float32)
            CeForward(Data<float>(x), xOffset, Data<long>(target), targetOffset, weight is null ? null : Data<float>(weight), weightOffset,
                outer, classes, inner, ignoreIndex, labelSmoothing, Data<float>(loss), Data<float>(rowMax), Data<float>(logSum), Data<float>(targetWeight));
        else
            CeForward(Data<double>(x), xOffset, Data<long>(target), targetOffset, weight is null ? null : Data<double>(weight), weightOffset,
                outer, classes, inner, ignoreIndex, labelSmoothing, Data<double>(loss), Data<double>(rowMax), Data<double>(logSum), Data<double>(targetWeight));
    }

    /// <inheritdoc/>
    public void CrossEntropyBackward(DeviceBuffer x, int xOffset, DeviceBuffer rowMax, DeviceBuffer logSum, DeviceBuffer target, int targetOffset,
        DeviceBuffer? weight, int weightOffset, int outer, int classes, int inner, long ignoreIndex, double labelSmoothing,
        double scale, DeviceBuffer? gradOutput, int gradOutputOffset, DeviceBuffer gradInput)
    {
        if (x.DType == DType.Float32)
            CeBackward(Data<float>(x), xOffset, Data<float>(rowMax), Data<float>(logSum), Data<long>(target), targetOffset,
                weight is null ? null : Data<float>(weight), weightOffset, outer, classes, inner, ignoreIndex, labelSmoothing, scale,
                gradOutput is null ? null : Data<float>(gradOutput), gradOutputOffset, Data<float>(gradInput));
        else
            CeBackward(Data<double>(x), xOffset, Data<double>(rowMax), Data<double>(logSum), Data<long>(target), targetOffset,
                weight is null ? null : Data<double>(weight), weightOffset, outer, classes, inner, ignoreIndex, labelSmoothing, scale,
                gradOutput is null ? null : Data<double>(gradOutput), gradOutputOffset, Data<double>(gradInput));
    }

    private static double WeightAt<T>(T[]? w, int wo, long c) where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        w is null ? 1 : double.CreateTruncating(w[wo + (int)c]);

    /// <summary>Units of work: rows (inner == 1) or blocks of up to CeBlock positions of one sample.</summary>
    private static (int Units, int BlocksPerOuter) CeUnits(int outer, int inner) =>
        inner == 1 ? (outer, 1) : (outer * ((inner + CeBlock - 1) / CeBlock), (inner + CeBlock - 1) / CeBlock);

    private static void CeForward<T>(T[] x, int xo, long[] t, int to, T[]? w, int wo, int outer, int classes, int inner, long ignoreIndex, double eps,
        T[] loss, T[] mx, T[] ls, T[] wt) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (classes == 0) return;
        double k = eps / classes;
        double wAll = 0;
        for (int c = 0; c < classes; c++) wAll += WeightAt(w, wo, c);
        var (units, perOuter) = CeUnits(outer, inner);
        int len = inner == 1 ? classes : Math.Min(CeBlock, inner);
        KernelThreads.For(units, Math.Max(1, (1 << 14) / (classes * len)), (start, end) =>
        {
            var tmp = new T[len];
            var sum = inner == 1 ? Array.Empty<T>() : new T[len];
            var sw = inner == 1 ? Array.Empty<T>() : new T[len];
            for (int u = start; u < end; u++)
            {
                if (inner == 1)
                {
                    // One row: m, sum_c w_c (x_c - m) (<= 0, no cancellation), s = log sum exp(x - m).
                    var row = x.AsSpan(xo + u * classes, classes);
                    T m = TensorPrimitives.Max<T>(row);
                    TensorPrimitives.Subtract<T>(row, m, tmp);
                    double swx = eps > 0 ? double.CreateTruncating(w is null ? TensorPrimitives.Sum<T>(tmp) : TensorPrimitives.Dot<T>(w.AsSpan(wo, classes), tmp)) : 0;
                    long cls = t[to + u];
                    double shiftedT = cls == ignoreIndex ? 0 : double.CreateTruncating(tmp[(int)cls]);
                    TensorPrimitives.Exp<T>(tmp, tmp);
                    double s = Math.Log(double.CreateTruncating(TensorPrimitives.Sum<T>(tmp)));
                    mx[u] = m;
                    ls[u] = T.CreateTruncating(s);
                    CeLoss(loss, wt, u, cls, ignoreIndex, w, wo, eps, k, wAll, s, shiftedT, swx);
                    continue;
                }
                // A block of positions [i0, i0 + n) of sample o: vectors run along the positions.
                int o = u / perOuter, i0 = (u - o * perOuter) * CeBlock, n = Math.Min(CeBlock, inner - i0);
                int b = xo + o * classes * inner + i0;
                var m2 = mx.AsSpan(o * inner + i0, n);
                var s2 = sum.AsSpan(0, n);
                var w2 = sw.AsSpan(0, n);
                var t2 = tmp.AsSpan(0, n);
                x.AsSpan(b, n).CopyTo(m2);
                for (int c = 1; c < classes; c++) TensorPrimitives.Max<T>(m2, x.AsSpan(b + c * inner, n), m2);
                s2.Clear();
                w2.Clear();
                for (int c = 0; c < classes; c++)
                {
                    TensorPrimitives.Subtract<T>(x.AsSpan(b + c * inner, n), m2, t2);
                    if (eps > 0)
                    {
                        if (w is null) TensorPrimitives.Add<T>(w2, t2, w2);
                        else TensorPrimitives.MultiplyAdd<T>(t2, w[wo + c], w2, w2);
                    }
                    TensorPrimitives.Exp<T>(t2, t2);
                    TensorPrimitives.Add<T>(s2, t2, s2);
                }
                for (int j = 0; j < n; j++)
                {
                    int p = o * inner + i0 + j;
                    long cls = t[to + p];
                    double s = Math.Log(double.CreateTruncating(s2[j]));
                    double shiftedT = cls == ignoreIndex ? 0 : double.CreateTruncating(x[b + (int)cls * inner + j]) - double.CreateTruncating(m2[j]);
                    ls[p] = T.CreateTruncating(s);
                    CeLoss(loss, wt, p, cls, ignoreIndex, w, wo, eps, k, wAll, s, shiftedT, double.CreateTruncating(w2[j]));
                }
            }
        });
    }

    /// <summary>loss = (1 - eps) w_t (s - (x_t - m)) + k (W s - sum_c w_c (x_c - m)); 0 (and weight 0) when ignored.</summary>
    private static void CeLoss<T>(T[] loss, T[] wt, int p, long cls, long ignoreIndex, T[]? w, int wo, double eps, double k, double wAll,
        double s, double shiftedT, double swx) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (cls == ignoreIndex)
        {
            loss[p] = T.Zero;
            wt[p] = T.Zero;
            return;
        }
        double wT = WeightAt(w, wo, cls);
        double v = (1 - eps) * wT * (s - shiftedT);
        if (eps > 0) v += k * (wAll * s - swx);
        loss[p] = T.CreateTruncating(v);
        wt[p] = T.CreateTruncating(wT);
    }

    private static void CeBackward<T>(T[] x, int xo, T[] mx, T[] ls, long[] t, int to, T[]? w, int wo, int outer, int classes, int inner,
        long ignoreIndex, double eps, double scale, T[]? g, int go, T[] gx) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (classes == 0) return;
        double k = eps / classes;
        double wAll = 0;
        for (int c = 0; c < classes; c++) wAll += WeightAt(w, wo, c);
        var (units, perOuter) = CeUnits(outer, inner);
        int len = inner == 1 ? classes : Math.Min(CeBlock, inner);
        // Per position: gs = g[p] (0 when ignored), A gs, and the smoothing part -k gs (times w_c).
        KernelThreads.For(units, Math.Max(1, (1 << 14) / (classes * len)), (start, end) =>
        {
            var gsA = inner == 1 ? Array.Empty<T>() : new T[len];
            var gsK = inner == 1 ? Array.Empty<T>() : new T[len];
            for (int u = start; u < end; u++)
            {
                if (inner == 1)
                {
                    var grow = gx.AsSpan(u * classes, classes);
                    long cls = t[to + u];
                    if (cls == ignoreIndex) { grow.Clear(); continue; }
                    double gs = g is null ? scale : scale * double.CreateTruncating(g[go + u]);
                    double wT = WeightAt(w, wo, cls);
                    TensorPrimitives.Subtract<T>(x.AsSpan(xo + u * classes, classes), mx[u], grow);
                    TensorPrimitives.Subtract<T>(grow, ls[u], grow);
                    TensorPrimitives.Exp<T>(grow, grow);
                    TensorPrimitives.Multiply<T>(grow, T.CreateTruncating(gs * ((1 - eps) * wT + k * wAll)), grow);
                    if (eps > 0)
                    {
                        if (w is null) TensorPrimitives.Subtract<T>(grow, T.CreateTruncating(gs * k), grow);
                        else TensorPrimitives.MultiplyAdd<T>(w.AsSpan(wo, classes), T.CreateTruncating(-gs * k), grow, grow);
                    }
                    grow[(int)cls] -= T.CreateTruncating(gs * (1 - eps) * wT);
                    continue;
                }
                int o = u / perOuter, i0 = (u - o * perOuter) * CeBlock, n = Math.Min(CeBlock, inner - i0);
                int pb = o * inner + i0, b = o * classes * inner + i0;
                var a2 = gsA.AsSpan(0, n);
                var k2 = gsK.AsSpan(0, n);
                for (int j = 0; j < n; j++)
                {
                    long cls = t[to + pb + j];
                    // Ignored positions get factor 0; exp(x - m - s) <= 1 there too (m, s exist for every position), so no inf * 0.
                    double gs = cls == ignoreIndex ? 0 : g is null ? scale : scale * double.CreateTruncating(g[go + pb + j]);
                    a2[j] = T.CreateTruncating(cls == ignoreIndex ? 0 : gs * ((1 - eps) * WeightAt(w, wo, cls) + k * wAll));
                    k2[j] = T.CreateTruncating(-gs * k);
                }
                var m2 = mx.AsSpan(pb, n);
                var s2 = ls.AsSpan(pb, n);
                for (int c = 0; c < classes; c++)
                {
                    var gc = gx.AsSpan(b + c * inner, n);
                    TensorPrimitives.Subtract<T>(x.AsSpan(xo + b + c * inner, n), m2, gc);
                    TensorPrimitives.Subtract<T>(gc, s2, gc);
                    TensorPrimitives.Exp<T>(gc, gc);
                    TensorPrimitives.Multiply<T>(gc, a2, gc);
                    if (eps > 0)
                    {
                        if (w is null) TensorPrimitives.Add<T>(gc, k2, gc);
                        else TensorPrimitives.MultiplyAdd<T>(k2, w[wo + c], gc, gc);
                    }
                }
                for (int j = 0; j < n; j++)
                {
                    long cls = t[to + pb + j];
                    if (cls == ignoreIndex) continue;
                    double gs = g is null ? scale : scale * double.CreateTruncating(g[go + pb + j]);
                    gx[b + (int)cls * inner + j] -= T.CreateTruncating(gs * (1 - eps) * WeightAt(w, wo, cls));
                }
            }
        });
    }
}

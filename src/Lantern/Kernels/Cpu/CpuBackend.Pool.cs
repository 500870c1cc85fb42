using System.Numerics;
using System.Numerics.Tensors;

namespace Lantern.Kernels;

// Pooling and resampling kernels on the CPU: separable resample (average pooling, adaptive average pooling,
// nearest / linear / cubic interpolation and all their gradients), separable max pooling with argmax, and the
// per-plane gather/scatter used by max-pool gradients and max-unpooling.
//
// A plane is cut into blocks of output rows; blocks of all planes are the parallel work items (fixed partition,
// so every output element is computed by the same arithmetic whatever the thread count). Within a block the
// 1-D passes run one after the other through a small scratch buffer: a W pass (taps gathered along a row, scalar)
// and an H pass (whole rows combined, vectorised with TensorPrimitives / Vector<T>).
public sealed partial class CpuBackend : IPoolBackend
{
    private const int PoolGrain = 1 << 14; // output + input elements per work item, roughly

    private static void CheckPlanes(Layout ls, ResampleTaps h, ResampleTaps w, string op)
    {
        if (ls.Rank != 3 || ls.Shape[1] != h.InSize || ls.Shape[2] != w.InSize)
            throw new ArgumentException($"{op}: expected planes [P, {h.InSize}, {w.InSize}], got {ls}.");
    }

    /// <summary>Splits P planes of <paramref name="outRows"/> rows into work items of whole row blocks.</summary>
    private static (int Blocks, int Items) RowBlocks(int planes, int outRows, long workPerPlane)
    {
        int threads = KernelThreads.Threads;
        int blocks = 1;
        if (planes < 2 * threads && outRows > 1 && workPerPlane * planes >= 2L * PoolGrain)
            blocks = Math.Min(outRows, (2 * threads + planes - 1) / planes);
        return (blocks, planes * blocks);
    }

    /// <summary>Runs body(plane, oh0, oh1, scratch) over all (plane, row block) items in parallel.</summary>
    private static void ForPlaneBlocks(int planes, int outRows, long workPerPlane, Action<int, int, int, Scratch> body)
    {
        var (blocks, items) = RowBlocks(planes, outRows, workPerPlane);
        long perItem = Math.Max(1, workPerPlane / blocks);
        int minItems = (int)Math.Max(1, PoolGrain / perItem);
        KernelThreads.For(items, minItems, (a, b) =>
        {
            var scratch = new Scratch();
            for (int it = a; it < b; it++)
            {
                int p = it / blocks, k = it % blocks;
                int oh0 = (int)((long)outRows * k / blocks), oh1 = (int)((long)outRows * (k + 1) / blocks);
                if (oh0 < oh1) body(p, oh0, oh1, scratch);
            }
        });
    }

    /// <summary>Scratch arrays of one work chunk, reused (and grown) from item to item: one array per slot.</summary>
    private sealed class Scratch
    {
        private readonly Array?[] _slots = new Array?[4];

        public T[] Get<T>(int slot, int length)
        {
            if (_slots[slot] is T[] a && a.Length >= length) return a;
            var n = GC.AllocateUninitializedArray<T>(Math.Max(length, 1));
            _slots[slot] = n;
            return n;
        }
    }

    private static T[] Weights<T>(ResampleTaps t) where T : IFloatingPointIeee754<T>
    {
        var w = new T[t.Weight.Length];
        for (int i = 0; i < w.Length; i++) w[i] = T.CreateTruncating(t.Weight[i]);
        return w;
    }

    /// <summary>First and last input row read by output rows [oh0, oh1) (lo &gt; hi when none).</summary>
    private static (int Lo, int Hi) RowSpan(ResampleTaps h, int oh0, int oh1)
    {
        int lo = int.MaxValue, hi = -1;
        for (int j = h.Start[oh0]; j < h.Start[oh1]; j++) { lo = Math.Min(lo, h.Index[j]); hi = Math.Max(hi, h.Index[j]); }
        return (lo, hi);
    }

    // ---- Separable resample ----

    /// <inheritdoc/>
    public void Resample(DeviceBuffer src, Layout ls, ResampleTaps h, ResampleTaps w, DeviceBuffer dst)
    {
        CheckPlanes(ls, h, w, "Resample");
        switch (src.DType)
        {
            case DType.Float32: ResampleT(Data<float>(src), ls, h, w, Data<float>(dst)); break;
            case DType.Float64: ResampleT(Data<double>(src), ls, h, w, Data<double>(dst)); break;
            default: throw new NotSupportedException($"Resample: {src.DType} is not supported (Float32, Float64).");
        }
    }

    private static void ResampleT<T>(T[] s, Layout ls, ResampleTaps th, ResampleTaps tw, T[] d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int planes = ls.Shape[0], inW = tw.InSize, outH = th.OutSize, outW = tw.OutSize;
        if (planes == 0 || outH == 0 || outW == 0) return;
        int sp = ls.Strides[0], sh = ls.Strides[1], sw = ls.Strides[2], off = ls.Offset;
        var wh = Weights<T>(th);
        var ww = Weights<T>(tw);
        bool hId = th.IsIdentity, wId = tw.IsIdentity;
        // Pass order: the scalar W pass costs more per tap than the vectorised H pass.
        long wFirst = (wId ? 0 : 4L * th.InSize * tw.Index.Length) + (hId ? 0 : (long)th.Index.Length * outW);
        long hFirst = (hId ? 0 : (long)th.Index.Length * inW) + (wId ? 0 : 4L * outH * tw.Index.Length);
        bool widthFirst = wFirst <= hFirst;
        if (PlaneReduceOrBroadcast(s, ls, th, tw, wh, ww, d)) return;
        ForPlaneBlocks(planes, outH, (long)th.InSize * inW + (long)outH * outW, (p, oh0, oh1, scratch) =>
        {
            int pBase = off + p * sp;
            int dBase = (p * outH + oh0) * outW;
            int rows = oh1 - oh0;
            if (hId && wId) { CopyRows(s, pBase + oh0 * sh, sh, sw, inW, rows, d, dBase); return; }
            if (widthFirst)
            {
                if (hId) { WidthPass(s, pBase + oh0 * sh, sh, sw, rows, tw, ww, d, dBase); return; }
                if (wId) { HeightPass(s, pBase, sh, sw, inW, th, wh, oh0, oh1, d, dBase); return; }
                var (lo, hi) = RowSpan(th, oh0, oh1);
                int n = Math.Max(0, hi - lo + 1);
                var tmp = scratch.Get<T>(0, n * outW);
                WidthPass(s, pBase + lo * sh, sh, sw, n, tw, ww, tmp, 0);
                // tmp row r holds input row lo + r: shift the H taps by lo through the base.
                HeightPass(tmp, -lo * outW, outW, 1, outW, th, wh, oh0, oh1, d, dBase);
            }
            else
            {
                var tmp = scratch.Get<T>(0, rows * inW);
                HeightPass(s, pBase, sh, sw, inW, th, wh, oh0, oh1, tmp, 0);
                WidthPass(tmp, 0, inW, 1, rows, tw, ww, d, dBase);
            }
        });
    }

    /// <summary>
    /// The two degenerate separable cases that dominate global pooling: every plane reduced to one value with one
    /// weight (out = sum(plane) * w, a vector sum per plane), and one value broadcast over the plane (its gradient,
    /// out[i, j] = x * sum of the weights of i * sum of the weights of j). False when neither applies.
    /// </summary>
    private static bool PlaneReduceOrBroadcast<T>(T[] s, Layout ls, ResampleTaps th, ResampleTaps tw, T[] wh, T[] ww, T[] d)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int planes = ls.Shape[0], inH = th.InSize, inW = tw.InSize, outH = th.OutSize, outW = tw.OutSize;
        int sp = ls.Strides[0], sh = ls.Strides[1], sw = ls.Strides[2], off = ls.Offset;
        bool Full(ResampleTaps t) => t.OutSize == 1 && t.Regular.Count == 1 && t.Regular.Kernel == t.InSize && t.Regular.Offset == 0;
        if (Full(th) && Full(tw) && sw == 1 && (sh == inW || inH == 1))
        {
            T scale = wh[0] * ww[0];
            int n = inH * inW;
            KernelThreads.For(planes, Math.Max(1, PoolGrain / Math.Max(1, n)), (a, b) =>
            {
                for (int p = a; p < b; p++) d[p] = TensorPrimitives.Sum<T>(s.AsSpan(off + p * sp, n)) * scale;
            });
            return true;
        }
        if (inH == 1 && inW == 1)
        {
            var rowW = new T[outH];
            var colW = new T[outW];
            for (int i = 0; i < outH; i++) for (int j = th.Start[i]; j < th.Start[i + 1]; j++) rowW[i] += wh[j];
            for (int i = 0; i < outW; i++) for (int j = tw.Start[i]; j < tw.Start[i + 1]; j++) colW[i] += ww[j];
            int n = outH * outW;
            KernelThreads.For(planes, Math.Max(1, PoolGrain / Math.Max(1, n)), (a, b) =>
            {
                for (int p = a; p < b; p++)
                {
                    T v = s[off + p * sp];
                    for (int i = 0; i < outH; i++)
                    {
                        T r = v * rowW[i];
                        int o = p * n + i * outW;
                        if (outW >= 16) TensorPrimitives.Multiply<T>(colW, r, d.AsSpan(o, outW));
                        else for (int j = 0; j < outW; j++) d[o + j] = colW[j] * r;
                    }
                }
            });
            return true;
        }
        return false;
    }

    private static void CopyRows<T>(T[] s, int sBase, int sh, int sw, int len, int rows, T[] d, int dBase)
    {
        for (int r = 0; r < rows; r++)
        {
            int a = sBase + r * sh, o = dBase + r * len;
            if (sw == 1) Array.Copy(s, a, d, o, len);
            else for (int j = 0; j < len; j++) d[o + j] = s[a + j * sw];
        }
    }

    /// <summary>out row (oh - oh0) = sum_a w_a in row idx_a, for oh in [oh0, oh1); in row i starts at sBase + i*sh, element stride sw.</summary>
    private static void HeightPass<T>(T[] s, int sBase, int sh, int sw, int len, ResampleTaps t, T[] w, int oh0, int oh1, T[] d, int dBase)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool vector = sw == 1 && len >= 16;
        for (int oh = oh0; oh < oh1; oh++)
        {
            var dst = d.AsSpan(dBase + (oh - oh0) * len, len);
            int j0 = t.Start[oh], j1 = t.Start[oh + 1];
            if (j0 == j1) { dst.Clear(); continue; }
            if (j1 == j0 + 1 && w[j0] == T.One)
            {
                CopyRows(s, sBase + t.Index[j0] * sh, sh, sw, len, 1, d, dBase + (oh - oh0) * len);
                continue;
            }
            for (int j = j0; j < j1; j++)
            {
                int a = sBase + t.Index[j] * sh;
                T wj = w[j];
                if (vector)
                {
                    var row = s.AsSpan(a, len);
                    if (j == j0) TensorPrimitives.Multiply(row, wj, dst);
                    else TensorPrimitives.MultiplyAdd(row, wj, dst, dst);
                }
                else if (j == j0) for (int x = 0; x < len; x++) dst[x] = wj * s[a + x * sw];
                else for (int x = 0; x < len; x++) dst[x] += wj * s[a + x * sw];
            }
        }
    }

    // ---- Separable max pooling ----

    /// <inheritdoc/>
    public void MaxPool(DeviceBuffer src, Layout ls, ResampleTaps h, ResampleTaps w, DeviceBuffer values, DeviceBuffer? indices)
    {
        CheckPlanes(ls, h, w, "MaxPool");
        var idx = indices is null ? null : Data<long>(indices);
        switch (src.DType)
        {
            case DType.Float32: MaxPoolT(Data<float>(src), ls, h, w, Data<float>(values), idx); break;
            case DType.Float64: MaxPoolT(Data<double>(src), ls, h, w, Data<double>(values), idx); break;
            default: throw new NotSupportedException($"MaxPool: {src.DType} is not supported (Float32, Float64).");
        }
    }

    // Row-major scan order is kept by doing the W pass first: the first maximum of a window is the first maximum
    // of the first row (in scan order) whose row maximum is the window maximum; the last NaN is the last NaN of
    // the last row holding one. So max over rows of (max over columns) with the same replace rule is exact.
    private static void MaxPoolT<T>(T[] s, Layout ls, ResampleTaps th, ResampleTaps tw, T[] dv, long[]? di) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int planes = ls.Shape[0], inW = tw.InSize, outH = th.OutSize, outW = tw.OutSize;
        if (planes == 0 || outH == 0 || outW == 0) return;
        int sp = ls.Strides[0], sh = ls.Strides[1], sw = ls.Strides[2], off = ls.Offset;
        if (IsPairs(th) && IsPairs(tw))
        {
            MaxPool2x2(s, ls, outH, outW, dv, di);
            return;
        }
        ForPlaneBlocks(planes, outH, (long)th.InSize * inW + (long)outH * outW, (p, oh0, oh1, scratch) =>
        {
            var (lo, hi) = RowSpan(th, oh0, oh1);
            int n = hi - lo + 1;
            var tv = scratch.Get<T>(0, n * outW);
            var ti = scratch.Get<int>(1, n * outW);
            MaxWidthPass(s, off + p * sp + lo * sh, sh, sw, n, tw, tv, ti);
            var ov = scratch.Get<T>(2, outW);
            var oi = scratch.Get<int>(3, outW);
            for (int oh = oh0; oh < oh1; oh++)
            {
                int j0 = th.Start[oh], j1 = th.Start[oh + 1];
                int r = th.Index[j0] - lo;
                Array.Copy(tv, r * outW, ov, 0, outW);
                int rowOff = th.Index[j0] * inW;
                for (int x = 0; x < outW; x++) oi[x] = rowOff + ti[r * outW + x];
                for (int j = j0 + 1; j < j1; j++)
                    MaxRowCombine(tv.AsSpan((th.Index[j] - lo) * outW, outW), ti.AsSpan((th.Index[j] - lo) * outW, outW), th.Index[j] * inW, ov, oi, outW);
                int o = (p * outH + oh) * outW;
                Array.Copy(ov, 0, dv, o, outW);
                if (di is not null) for (int x = 0; x < outW; x++) di[o + x] = oi[x];
            }
        });
    }

    /// <summary>(ov, oi) = candidate row (cv, ci + rowOff) where it is greater or NaN; vectorised for float32.</summary>
    private static void MaxRowCombine<T>(ReadOnlySpan<T> cv, ReadOnlySpan<int> ci, int rowOff, T[] ov, int[] oi, int len) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int x = 0;
        if (typeof(T) == typeof(float) && Vector.IsHardwareAccelerated && len >= Vector<float>.Count)
        {
            var cf = System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(cv);
            var of = System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(ov.AsSpan(0, len));
            var off = new Vector<int>(rowOff);
            for (; x <= len - Vector<float>.Count; x += Vector<float>.Count)
            {
                var c = new Vector<float>(cf[x..]);
                var m = new Vector<float>(of[x..]);
                var take = Vector.GreaterThan(c, m) | ~Vector.Equals(c, c);
                Vector.ConditionalSelect(take, c, m).CopyTo(of[x..]);
                Vector.ConditionalSelect(take, new Vector<int>(ci[x..]) + off, new Vector<int>(oi.AsSpan(x))).CopyTo(oi.AsSpan(x));
            }
        }
        for (; x < len; x++)
        {
            T c = cv[x];
            if (c > ov[x] || T.IsNaN(c)) { ov[x] = c; oi[x] = rowOff + ci[x]; }
        }
    }

    // ---- Per-plane gather / scatter ----

    /// <inheritdoc/>
    public void PlaneGather(DeviceBuffer src, Layout ls, DeviceBuffer index, Layout li, DeviceBuffer dst)
    {
        switch (src.DType)
        {
            case DType.Float32: PlaneGatherT(Data<float>(src), ls, Data<long>(index), li, Data<float>(dst)); break;
            case DType.Float64: PlaneGatherT(Data<double>(src), ls, Data<long>(index), li, Data<double>(dst)); break;
            case DType.Int64: PlaneGatherT(Data<long>(src), ls, Data<long>(index), li, Data<long>(dst)); break;
            default: throw new NotSupportedException($"PlaneGather: {src.DType} is not supported.");
        }
    }

    private static void PlaneGatherT<T>(T[] s, Layout ls, long[] idx, Layout li, T[] d)
    {
        int planes = li.Shape[0], len = li.Shape[1];
        int sp = ls.Strides[0], sm = ls.Strides[1], ip = li.Strides[0], il = li.Strides[1];
        KernelThreads.For(planes, Math.Max(1, PoolGrain / Math.Max(1, len)), (a, b) =>
        {
            for (int p = a; p < b; p++)
            {
                int sBase = ls.Offset + p * sp, iBase = li.Offset + p * ip, o = p * len;
                for (int l = 0; l < len; l++) d[o + l] = s[sBase + (int)idx[iBase + l * il] * sm];
            }
        });
    }

    /// <inheritdoc/>
    public void PlaneScatter(DeviceBuffer src, Layout ls, DeviceBuffer index, Layout li, DeviceBuffer dst, bool accumulate)
    {
        switch (src.DType)
        {
            case DType.Float32: PlaneScatterT(Data<float>(src), ls, Data<long>(index), li, Data<float>(dst), dst.Length, accumulate); break;
            case DType.Float64: PlaneScatterT(Data<double>(src), ls, Data<long>(index), li, Data<double>(dst), dst.Length, accumulate); break;
            case DType.Int64: PlaneScatterT(Data<long>(src), ls, Data<long>(index), li, Data<long>(dst), dst.Length, accumulate); break;
            default: throw new NotSupportedException($"PlaneScatter: {src.DType} is not supported.");
        }
    }

    private static void PlaneScatterT<T>(T[] s, Layout ls, long[] idx, Layout li, T[] d, int dstLength, bool accumulate) where T : INumber<T>
    {
        int planes = li.Shape[0], len = li.Shape[1];
        if (planes == 0) return;
        int m = dstLength / planes;
        int sp = ls.Strides[0], sl = ls.Strides[1], ip = li.Strides[0], il = li.Strides[1];
        KernelThreads.For(planes, Math.Max(1, PoolGrain / Math.Max(1, len)), (a, b) =>
        {
            for (int p = a; p < b; p++)
            {
                int sBase = ls.Offset + p * sp, iBase = li.Offset + p * ip, o = p * m;
                for (int l = 0; l < len; l++)
                {
                    ref T t = ref d[o + (int)idx[iBase + l * il]];
                    T v = s[sBase + l * sl];
                    t = accumulate ? t + v : v;
                }
            }
        });
    }
}

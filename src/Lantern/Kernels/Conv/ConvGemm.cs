using System.Numerics;
using System.Numerics.Tensors;

namespace Lantern.Kernels;

/// <summary>
/// 2-D convolution as im2col + GEMM on contiguous buffers (x [N, C, H, W], w [O, Cg, KH, KW], y [N, O, OH, OW]).
/// Per sample n and group g, with X_col the [Cg*KH*KW, OH*OW] column matrix of that group's input channels:
/// <code>
/// forward         Y[n, g]  = W[g] · X_col                       (+ bias per output channel)
/// backward input  dX[n, g] = col2im(W[g]^T · dY[n, g])
/// backward weight dW[g]    = sum over n of dY[n, g] · X_col^T
/// </code>
/// Columns are built one tile of output pixels at a time (a tile of the column matrix stays in L2), 1x1 / stride 1
/// / unpadded convolutions use the input as the column matrix directly, depthwise convolutions (one input
/// channel per group) take <see cref="DepthwiseConv{T}"/>'s direct loops, and 3x3 stride-1 convolutions with
/// at least 16 channels per group take <see cref="Winograd{T}"/> F(2x2, 3x3) for the forward and both gradients. Work is spread over
/// <see cref="KernelThreads"/> by (sample, group, tile); the weight gradient sums fixed batch chunks in a fixed
/// order, so no result depends on the thread count.
/// </summary>
internal static unsafe class ConvGemm<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Target size (elements) of one column tile (a tile of the column matrix stays in L2).</summary>
    internal static int TileElements = 144 * 1024;

    /// <summary>Tests and benchmarks: output pixels per tile for calls made from this thread (0: automatic).</summary>
    [ThreadStatic] internal static int TilePixelsOverride;

    /// <summary>Output pixels per column tile for a column matrix of <paramref name="rows"/> rows (at least 128, so GEMMs stay efficient).</summary>
    internal static int TileLength(int rows, int l)
    {
        if (TilePixelsOverride > 0) return Math.Min(TilePixelsOverride, l);
        int t = Math.Max(128, TileElements / Math.Max(rows, 1));
        t = (t + 15) / 16 * 16;
        return Math.Min(t, l);
    }

    private static bool UseDirect(in ConvGeometry g) => g.IsDepthwise && g.Groups > 1;

    /// <summary>y = conv(x, w) + bias (bias may be null).</summary>
    public static void Forward(T* x, T* w, T* bias, T* y, ConvGeometry g)
    {
        if (g.N == 0) return;
        if (UseDirect(g)) { DepthwiseConv<T>.Forward(x, w, bias, y, g); return; }
        if (Winograd<T>.Applies(g)) { Winograd<T>.Forward(x, w, bias, y, g); return; }
        int k = g.ColRows, l = g.L, hw = g.H * g.W;
        bool pointwise = g.IsPointwise;
        int tile = pointwise && TilePixelsOverride == 0 ? Math.Min(l, 1024) : TileLength(k, l);
        int tiles = (l + tile - 1) / tile, items = g.N * g.Groups * tiles;
        nint px = (nint)x, pw = (nint)w, pb = (nint)bias, py = (nint)y;
        ForItems(items, items, (item, threads) =>
        {
            int t = item % tiles, ng = item / tiles, grp = ng % g.Groups, n = ng / g.Groups;
            int l0 = t * tile, l1 = Math.Min(l, l0 + tile), cnt = l1 - l0;
            T* xg = (T*)px + ((long)n * g.C + (long)grp * g.Cg) * hw;
            T* wg = (T*)pw + (long)grp * g.Og * k;
            T* yg = (T*)py + ((long)n * g.O + (long)grp * g.Og) * l + l0;
            T* b;
            nint rsB;
            if (pointwise) { b = xg + l0; rsB = l; }
            else
            {
                b = ConvScratch<T>.Get(0, (long)k * cnt);
                Im2Col<T>.Pack(xg, g, g.Cg, l0, l1, b);
                rsB = cnt;
            }
            T beta = T.Zero;
            if (pb != 0)
            {
                for (int o = 0; o < g.Og; o++) new Span<T>(yg + (long)o * l, cnt).Fill(((T*)pb)[grp * g.Og + o]);
                beta = T.One;
            }
            GemmCore<T>.Run(g.Og, cnt, k, T.One, wg, k, 1, b, rsB, 1, beta, yg, l, 1, threads);
        });
    }

    /// <summary>dx = the gradient of sum(dy * conv(x, w)) with respect to x (a transposed convolution of dy).</summary>
    public static void BackwardInput(T* dy, T* w, T* dx, ConvGeometry g)
    {
        if (g.N == 0) return;
        if (UseDirect(g)) { DepthwiseConv<T>.BackwardInput(dy, w, dx, g); return; }
        if (g.PadH <= 2 && g.PadW <= 2 && Winograd<T>.Applies(Winograd<T>.BackwardGeometry(g))) { Winograd<T>.BackwardInput(dy, w, dx, g); return; }
        int k = g.ColRows, l = g.L, hw = g.H * g.W;
        bool pointwise = g.IsPointwise;
        int tile = TileLength(k, l), tiles = (l + tile - 1) / tile;
        nint pdy = (nint)dy, pw = (nint)w, pdx = (nint)dx;
        ForItems(g.N * g.Groups, g.N * g.Groups, (item, threads) =>
        {
            int grp = item % g.Groups, n = item / g.Groups;
            T* dxg = (T*)pdx + ((long)n * g.C + (long)grp * g.Cg) * hw;
            T* wg = (T*)pw + (long)grp * g.Og * k;            // W[g] [Og, K]; W[g]^T read with strides (1, K)
            T* dyg = (T*)pdy + ((long)n * g.O + (long)grp * g.Og) * l;
            if (pointwise)
            {
                GemmCore<T>.Run(g.Cg, l, g.Og, T.One, wg, 1, k, dyg, l, 1, T.Zero, dxg, l, 1, threads);
                return;
            }
            new Span<T>(dxg, g.Cg * hw).Clear();
            T* cols = ConvScratch<T>.Get(0, (long)k * Math.Min(tile, l));
            for (int t = 0; t < tiles; t++)
            {
                int l0 = t * tile, l1 = Math.Min(l, l0 + tile), cnt = l1 - l0;
                GemmCore<T>.Run(k, cnt, g.Og, T.One, wg, 1, k, dyg + l0, l, 1, T.Zero, cols, cnt, 1, threads);
                Im2Col<T>.Unpack(cols, g, g.Cg, l0, l1, dxg);
            }
        });
    }

    /// <summary>Number of batch chunks whose weight gradients are summed separately (depends on shapes only).</summary>
    internal static int WeightParts(int n, long weightElements) =>
        (int)Math.Max(1, Math.Min(Math.Min(n, 8), (16L << 20) / Math.Max(1, weightElements)));

    /// <summary>dw = the gradient of sum(dy * conv(x, w)) with respect to w (overwritten).</summary>
    public static void BackwardWeight(T* x, T* dy, T* dw, ConvGeometry g)
    {
        long wn = (long)g.O * g.ColRows;
        if (g.N == 0) { new Span<T>(dw, (int)wn).Clear(); return; }
        if (UseDirect(g)) { DepthwiseConv<T>.BackwardWeight(x, dy, dw, g); return; }
        if (Winograd<T>.Applies(g)) { Winograd<T>.BackwardWeight(x, dy, dw, g); return; }
        int k = g.ColRows, l = g.L, hw = g.H * g.W;
        bool pointwise = g.IsPointwise;
        int tile = TileLength(k, l), tiles = (l + tile - 1) / tile;
        int parts = WeightParts(g.N, wn);
        var partials = new T[parts > 1 ? (parts - 1) * wn : 0];
        fixed (T* pp = partials)
        {
            nint px = (nint)x, pdy = (nint)dy, pdw = (nint)dw, ppart = (nint)pp;
            ForItems(parts, parts, (part, threads) =>
            {
                T* acc = part == 0 ? (T*)pdw : (T*)ppart + (part - 1) * wn;
                int n0 = (int)((long)g.N * part / parts), n1 = (int)((long)g.N * (part + 1) / parts);
                T* cols = pointwise ? null : ConvScratch<T>.Get(0, (long)k * Math.Min(tile, l));
                for (int n = n0; n < n1; n++)
                    for (int grp = 0; grp < g.Groups; grp++)
                    {
                        T* xg = (T*)px + ((long)n * g.C + (long)grp * g.Cg) * hw;
                        T* dyg = (T*)pdy + ((long)n * g.O + (long)grp * g.Og) * l;
                        T* dwg = acc + (long)grp * g.Og * k;
                        for (int t = 0; t < tiles; t++)
                        {
                            int l0 = t * tile, l1 = Math.Min(l, l0 + tile), cnt = l1 - l0;
                            T beta = n == n0 && t == 0 ? T.Zero : T.One;
                            // dW[g] [Og, K] += dY [Og, cnt] · cols^T [cnt, K]; cols^T is cols read with strides (1, rowLength).
                            if (pointwise)
                                GemmCore<T>.Run(g.Og, k, cnt, T.One, dyg + l0, l, 1, xg + l0, 1, l, beta, dwg, k, 1, threads);
                            else
                            {
                                Im2Col<T>.Pack(xg, g, g.Cg, l0, l1, cols);
                                GemmCore<T>.Run(g.Og, k, cnt, T.One, dyg + l0, l, 1, cols, 1, cnt, beta, dwg, k, 1, threads);
                            }
                        }
                    }
            });
            var total = new Span<T>(dw, (int)wn);
            for (int p = 1; p < parts; p++) TensorPrimitives.Add(total, new ReadOnlySpan<T>(pp + (p - 1) * wn, (int)wn), total);
        }
    }

    /// <summary>db[o] = sum over n of the sum of plane dy[n, o] (planes summed by TensorPrimitives, the batch in double, in order).</summary>
    public static void BackwardBias(T* dy, T* db, ConvGeometry g)
    {
        nint pdy = (nint)dy, pdb = (nint)db;
        int l = g.L;
        KernelThreads.For(g.O, 1, (s, e) =>
        {
            for (int o = s; o < e; o++)
            {
                double acc = 0;
                for (int n = 0; n < g.N; n++)
                    acc += double.CreateTruncating(TensorPrimitives.Sum(new ReadOnlySpan<T>((T*)pdy + ((long)n * g.O + o) * l, l)));
                ((T*)pdb)[o] = T.CreateTruncating(acc);
            }
        });
    }

    /// <summary>
    /// Runs body(item, gemmThreads) for every item. With enough independent items for every thread they run in
    /// parallel, one GEMM thread each; otherwise they run in order and each GEMM uses every thread.
    /// <paramref name="independent"/> is how many of the items could run at once.
    /// </summary>
    internal static void ForItems(int items, int independent, Action<int, int> body)
    {
        int threads = KernelThreads.InsideParallelRegion ? 1 : KernelThreads.Threads;
        if (threads > 1 && independent >= threads)
        {
            KernelThreads.ForChunks(items, i => body(i, 1));
            return;
        }
        for (int i = 0; i < items; i++) body(i, threads);
    }
}

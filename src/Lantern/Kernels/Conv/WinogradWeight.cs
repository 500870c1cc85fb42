using System.Numerics;
using System.Numerics.Tensors;

namespace Lantern.Kernels;

// Winograd F(2x2, 3x3) weight gradient: the adjoint of the forward transform.
internal static unsafe partial class Winograd<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// dw = the weight gradient of sum(dy * conv(x, w)), as the adjoint of the forward transform:
    /// dW = G^T [ sum over tiles of (A dY A^T) ⊙ (B^T d B) ] G, the tile sum being 16 GEMMs per band. Batch chunks
    /// accumulate separately and are summed in order (thread-count independent).
    /// </summary>
    public static void BackwardWeight(T* x, T* dy, T* dw, ConvGeometry g)
    {
        int th = (g.OH + 1) / 2, tw = (g.OW + 1) / 2;
        int target = ConvGemm<T>.TilePixelsOverride > 0 ? ConvGemm<T>.TilePixelsOverride : WeightBandTiles;
        int band = Math.Max(1, (target + tw - 1) / tw), bands = (th + band - 1) / band;
        long un = 16L * g.O * g.Cg;
        int parts = ConvGemm<T>.WeightParts(g.N, un);
        var acc = new T[parts * un];
        fixed (T* pacc = acc)
        {
            nint px = (nint)x, pdy = (nint)dy, pa = (nint)pacc;
            ConvGemm<T>.ForItems(parts, parts, (part, threads) =>
            {
                T* a = (T*)pa + part * un;
                int n0 = (int)((long)g.N * part / parts), n1 = (int)((long)g.N * (part + 1) / parts);
                int maxTc = band * tw;
                T* v = ConvScratch<T>.Get(1, 16L * g.Cg * maxTc);
                T* d = ConvScratch<T>.Get(2, 16L * g.Og * maxTc);
                T* rows = ConvScratch<T>.Get(3, 2L * (2 * band + 2) * (tw + 1) + 16);
                for (int n = n0; n < n1; n++)
                    for (int grp = 0; grp < g.Groups; grp++)
                        for (int b = 0; b < bands; b++)
                        {
                            int i0 = b * band, i1 = Math.Min(th, i0 + band), tc = (i1 - i0) * tw;
                            T* xg = (T*)px + ((long)n * g.C + (long)grp * g.Cg) * g.H * g.W;
                            for (int c = 0; c < g.Cg; c++)
                                InputBand(xg + (long)c * g.H * g.W, g, i0, i1, tw, rows, v + (long)c * tc, (long)g.Cg * tc);
                            T* dyg = (T*)pdy + ((long)n * g.O + (long)grp * g.Og) * g.OH * g.OW;
                            for (int o = 0; o < g.Og; o++)
                                for (int i = i0; i < i1; i++)
                                    GradTiles(dyg + (long)o * g.OH * g.OW, g, i, tw, rows, d + (long)o * tc + (i - i0) * tw, (long)g.Og * tc);
                            T* ag = a + (long)grp * 16 * g.Og * g.Cg;
                            // Ŵ[ξ] [Og, Cg] += D[ξ] [Og, tc] · V[ξ]^T [tc, Cg].
                            for (int xi = 0; xi < 16; xi++)
                                GemmCore<T>.Run(g.Og, g.Cg, tc, T.One, d + (long)xi * g.Og * tc, tc, 1, v + (long)xi * g.Cg * tc, 1, tc,
                                    T.One, ag + (long)xi * g.Og * g.Cg, g.Cg, 1, threads);
                        }
            });
            var total = new Span<T>(pacc, (int)un);
            for (int p = 1; p < parts; p++) TensorPrimitives.Add(total, new ReadOnlySpan<T>(pacc + p * un, (int)un), total);
            WeightGradTransform(pacc, g, dw);
        }
    }

    // D[ξ] = A dY A^T for the tw tiles of tile row i of one dy plane (values past the output are zero).
    private static void GradTiles(T* plane, in ConvGeometry g, int i, int tw, T* rows, T* d, long xs)
    {
        T* e0 = rows, o0 = rows + tw, e1 = rows + 2 * tw, o1 = rows + 3 * tw;
        for (int h = 0; h < 2; h++)
        {
            T* e = h == 0 ? e0 : e1, od = h == 0 ? o0 : o1;
            int oh = 2 * i + h;
            if (oh >= g.OH)
            {
                new Span<T>(e, tw).Clear();
                new Span<T>(od, tw).Clear();
                continue;
            }
            T* src = plane + (long)oh * g.OW;
            int full = g.OW / 2;
            for (int j = 0; j < full; j++)
            {
                e[j] = src[2 * j];
                od[j] = src[2 * j + 1];
            }
            if (full < tw)
            {
                e[full] = src[2 * full];
                od[full] = T.Zero;
            }
        }
        // Rows of A: t0 = y0, t1 = y0 + y1, t2 = y0 - y1, t3 = -y1; columns the same: D[r0] = t, D[r1] = te + to, D[r2] = te - to, D[r3] = -to.
        int j0 = 0;
        if (Vector.IsHardwareAccelerated)
            for (; j0 <= tw - Vector<T>.Count; j0 += Vector<T>.Count)
            {
                var ve0 = Vector.Load(e0 + j0); var vo0 = Vector.Load(o0 + j0);
                var ve1 = Vector.Load(e1 + j0); var vo1 = Vector.Load(o1 + j0);
                StoreGradRow(d + j0, 0, xs, ve0, vo0);
                StoreGradRow(d + j0, 1, xs, ve0 + ve1, vo0 + vo1);
                StoreGradRow(d + j0, 2, xs, ve0 - ve1, vo0 - vo1);
                StoreGradRow(d + j0, 3, xs, -ve1, -vo1);
            }
        for (; j0 < tw; j0++)
        {
            T a = e0[j0], b = o0[j0], c = e1[j0], f = o1[j0];
            GradRowScalar(d + j0, 0, xs, a, b);
            GradRowScalar(d + j0, 1, xs, a + c, b + f);
            GradRowScalar(d + j0, 2, xs, a - c, b - f);
            GradRowScalar(d + j0, 3, xs, -c, -f);
        }
    }

    private static void StoreGradRow(T* d, int r, long xs, Vector<T> te, Vector<T> to)
    {
        T* p = d + 4 * r * xs;
        Vector.Store(te, p);
        Vector.Store(te + to, p + xs);
        Vector.Store(te - to, p + 2 * xs);
        Vector.Store(-to, p + 3 * xs);
    }

    private static void GradRowScalar(T* d, int r, long xs, T te, T to)
    {
        T* p = d + 4 * r * xs;
        p[0] = te;
        p[xs] = te + to;
        p[2 * xs] = te - to;
        p[3 * xs] = -to;
    }

    // dW[o, c] = G^T Ŵ[o, c] G (3x3) from Ŵ[grp][ξ][o][c].
    private static void WeightGradTransform(T* a, in ConvGeometry g, T* dw)
    {
        T half = T.CreateTruncating(0.5);
        Span<T> t = stackalloc T[12];
        long step = (long)g.Og * g.Cg;
        for (int grp = 0; grp < g.Groups; grp++)
            for (int o = 0; o < g.Og; o++)
                for (int c = 0; c < g.Cg; c++)
                {
                    T* src = a + (long)grp * 16 * step + (long)o * g.Cg + c;
                    for (int r = 0; r < 4; r++) // t = Ŵ G (4x3)
                    {
                        T w0 = src[(4 * r) * step], w1 = src[(4 * r + 1) * step], w2 = src[(4 * r + 2) * step], w3 = src[(4 * r + 3) * step];
                        t[3 * r] = w0 + half * (w1 + w2);
                        t[3 * r + 1] = half * (w1 - w2);
                        t[3 * r + 2] = half * (w1 + w2) + w3;
                    }
                    T* dst = dw + ((long)(grp * g.Og + o) * g.Cg + c) * 9;
                    for (int j = 0; j < 3; j++) // G^T t
                    {
                        dst[j] = t[j] + half * (t[3 + j] + t[6 + j]);
                        dst[3 + j] = half * (t[3 + j] - t[6 + j]);
                        dst[6 + j] = half * (t[3 + j] + t[6 + j]) + t[9 + j];
                    }
                }
    }
}

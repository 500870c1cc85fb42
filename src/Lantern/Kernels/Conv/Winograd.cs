using System.Numerics;
using System.Numerics.Tensors;

namespace Lantern.Kernels;

/// <summary>
/// Winograd F(2x2, 3x3) for 3x3, stride-1, undilated convolutions (Lavin and Gray, 2015): each 2x2 output tile is
/// A^T [ (G g G^T) ⊙ (B^T d B) ] A over a 4x4 input patch d, so the channel sums become 16 GEMMs
/// (M[ξ] = U[ξ] · V[ξ], one per point ξ of the 4x4 transformed tile) with 2.25 times fewer multiply-adds than
/// im2col. Transforms run on vectors of horizontally adjacent tiles (input rows split once into even and odd columns).
/// The input gradient of such a convolution is the same kind of convolution of dy by the rotated,
/// channel-swapped weights with padding 2 - p, so it takes this path too; the weight gradient is the adjoint of
/// the forward transform, G^T [ sum over tiles of (A dY A^T) ⊙ (B^T d B) ] G.
/// <code>
/// B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]   G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1]   A^T = [1 1 1 0; 0 1 -1 -1]
/// </code>
/// Work items are (sample, group, band of tile rows) with disjoint outputs, so results do not depend on the thread count.
/// </summary>
internal static unsafe partial class Winograd<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Tiles per band in the weight gradient (the k-dimension of its GEMMs).</summary>
    internal static int WeightBandTiles = 128;

    /// <summary>Benchmarks: false routes every convolution to im2col + GEMM.</summary>
    internal static bool Enabled = true;

    /// <summary>
    /// Whether the forward convolution takes this path: enough channels per group for the 16 GEMMs to pay and rows of
    /// at least 8 tiles for the vector transforms (smaller layers are faster through im2col).
    /// </summary>
    public static bool Applies(in ConvGeometry g) =>
        Enabled && g.KH == 3 && g.KW == 3 && g.StrideH == 1 && g.StrideW == 1 && g.DilationH == 1 && g.DilationW == 1
        && g.PadH <= 2 && g.PadW <= 2 && g.Cg >= 16 && g.Og >= 16 && g.OW >= 16;

    /// <summary>The geometry of the convolution that computes the input gradient of <paramref name="g"/>.</summary>
    public static ConvGeometry BackwardGeometry(in ConvGeometry g) => g with
    {
        C = g.O, O = g.C, H = g.OH, W = g.OW, OH = g.H, OW = g.W, PadH = 2 - g.PadH, PadW = 2 - g.PadW,
    };

    /// <summary>y = conv(x, w) + bias.</summary>
    public static void Forward(T* x, T* w, T* bias, T* y, ConvGeometry g)
    {
        var u = new T[16 * g.O * g.Cg];
        fixed (T* pu = u)
        {
            TransformWeights(w, g, pu, rotated: false);
            Run(x, pu, bias, y, g);
        }
    }

    /// <summary>dx = the input gradient of sum(dy * conv(x, w)) for a geometry where <see cref="Applies"/> holds for <see cref="BackwardGeometry"/>.</summary>
    public static void BackwardInput(T* dy, T* w, T* dx, ConvGeometry g)
    {
        var gb = BackwardGeometry(g);
        var u = new T[16 * gb.O * gb.Cg];
        fixed (T* pu = u)
        {
            TransformWeights(w, g, pu, rotated: true);
            Run(dy, pu, null, dx, gb);
        }
    }

    // U[grp][ξ][o][c] = (G g G^T)[ξ] for the group's [Og, Cg] weight block. rotated: the weights of the input-gradient
    // convolution, w'[c, o] = w[o, c] turned by 180 degrees (output and input channels swap within each group).
    private static void TransformWeights(T* w, in ConvGeometry g, T* u, bool rotated)
    {
        T half = T.CreateTruncating(0.5);
        int og = rotated ? g.Cg : g.Og, cg = rotated ? g.Og : g.Cg;
        Span<T> k = stackalloc T[9];
        Span<T> t = stackalloc T[12];
        for (int grp = 0; grp < g.Groups; grp++)
            for (int o = 0; o < og; o++)
                for (int c = 0; c < cg; c++)
                {
                    T* src = rotated ? w + ((long)(grp * g.Og + c) * g.Cg + o) * 9 : w + ((long)(grp * g.Og + o) * g.Cg + c) * 9;
                    for (int i = 0; i < 9; i++) k[i] = rotated ? src[8 - i] : src[i];
                    for (int j = 0; j < 3; j++) // t = G k (4x3)
                    {
                        T a = k[j], b = k[3 + j], d = k[6 + j];
                        t[j] = a;
                        t[3 + j] = half * (a + b + d);
                        t[6 + j] = half * (a - b + d);
                        t[9 + j] = d;
                    }
                    T* dst = u + ((long)grp * 16 * og + o) * cg + c;
                    long step = (long)og * cg;
                    for (int r = 0; r < 4; r++) // (G k) G^T
                    {
                        T a = t[3 * r], b = t[3 * r + 1], d = t[3 * r + 2];
                        dst[(4 * r + 0) * step] = a;
                        dst[(4 * r + 1) * step] = half * (a + b + d);
                        dst[(4 * r + 2) * step] = half * (a - b + d);
                        dst[(4 * r + 3) * step] = d;
                    }
                }
    }

    private static void Run(T* x, T* u, T* bias, T* y, ConvGeometry g)
    {
        if (g.N == 0) return;
        int th = (g.OH + 1) / 2, tw = (g.OW + 1) / 2;
        int target = ConvGemm<T>.TilePixelsOverride > 0 ? ConvGemm<T>.TilePixelsOverride : 128;
        int band = Math.Max(1, (target + tw - 1) / tw), bands = (th + band - 1) / band;
        int items = g.N * g.Groups * bands;
        nint px = (nint)x, pu = (nint)u, pb = (nint)bias, py = (nint)y;
        ConvGemm<T>.ForItems(items, items, (item, threads) =>
        {
            int b = item % bands, ng = item / bands, grp = ng % g.Groups, n = ng / g.Groups;
            int i0 = b * band, i1 = Math.Min(th, i0 + band), tc = (i1 - i0) * tw;
            T* v = ConvScratch<T>.Get(1, 16L * g.Cg * tc);
            T* m = ConvScratch<T>.Get(2, 16L * g.Og * tc);
            T* rows = ConvScratch<T>.Get(3, 2L * (2 * (i1 - i0) + 2) * (tw + 1) + 16);
            T* xg = (T*)px + ((long)n * g.C + (long)grp * g.Cg) * g.H * g.W;
            for (int c = 0; c < g.Cg; c++)
                InputBand(xg + (long)c * g.H * g.W, g, i0, i1, tw, rows, v + (long)c * tc, (long)g.Cg * tc);
            T* ug = (T*)pu + (long)grp * 16 * g.Og * g.Cg;
            for (int xi = 0; xi < 16; xi++)
                GemmCore<T>.Run(g.Og, tc, g.Cg, T.One, ug + (long)xi * g.Og * g.Cg, g.Cg, 1, v + (long)xi * g.Cg * tc, tc, 1,
                    T.Zero, m + (long)xi * g.Og * tc, tc, 1, threads);
            T* yg = (T*)py + ((long)n * g.O + (long)grp * g.Og) * g.OH * g.OW;
            for (int o = 0; o < g.Og; o++)
            {
                T bo = pb == 0 ? T.Zero : ((T*)pb)[grp * g.Og + o];
                for (int i = i0; i < i1; i++)
                    OutputTiles(m + (long)o * tc + (i - i0) * tw, (long)g.Og * tc, g, i, tw, bo, rows, yg + (long)o * g.OH * g.OW);
            }
        });
    }

    // V[ξ] for the tiles of tile rows [i0, i1) of one input plane. The band's input rows are split once into even and
    // odd columns of the padded row (e[r][j] = s[2j], o[r][j] = s[2j + 1]), so tile j's columns are e[j], o[j],
    // e[j + 1], o[j + 1]; B^T d B then runs on vectors of tiles.
    private static void InputBand(T* plane, in ConvGeometry g, int i0, int i1, int tw, T* rows, T* v, long xiStride)
    {
        int len = tw + 1, nrows = 2 * (i1 - i0) + 2;
        for (int r = 0; r < nrows; r++)
        {
            T* e = rows + (long)r * 2 * len, od = e + len;
            int ih = 2 * i0 - g.PadH + r;
            if ((uint)ih >= (uint)g.H)
            {
                new Span<T>(e, 2 * len).Clear();
                continue;
            }
            T* src = plane + (long)ih * g.W;
            for (int j = 0; j < len; j++)
            {
                int c0 = 2 * j - g.PadW, c1 = c0 + 1;
                e[j] = (uint)c0 < (uint)g.W ? src[c0] : T.Zero;
                od[j] = (uint)c1 < (uint)g.W ? src[c1] : T.Zero;
            }
        }
        for (int i = i0; i < i1; i++)
        {
            T* b0 = rows + (long)(2 * (i - i0)) * 2 * len;
            T* vt = v + (long)(i - i0) * tw;
            int j = 0;
            if (Vector.IsHardwareAccelerated)
                for (; j <= tw - Vector<T>.Count; j += Vector<T>.Count) InputVector(b0, len, j, vt, xiStride);
            for (; j < tw; j++) InputScalar(b0, len, j, vt, xiStride);
        }
    }

    private static void InputVector(T* b0, int len, int j, T* v, long xs)
    {
        // Columns per row r (B over columns): u0 = c0 - c2, u1 = c1 + c2, u2 = c2 - c1, u3 = c1 - c3.
        Vector<T> u00, u01, u02, u03, u10, u11, u12, u13, u20, u21, u22, u23, u30, u31, u32, u33;
        Cols(b0, len, j, out u00, out u01, out u02, out u03);
        Cols(b0 + 2 * len, len, j, out u10, out u11, out u12, out u13);
        Cols(b0 + 4 * len, len, j, out u20, out u21, out u22, out u23);
        Cols(b0 + 6 * len, len, j, out u30, out u31, out u32, out u33);
        // Rows (B^T): V[0k] = u0k - u2k, V[1k] = u1k + u2k, V[2k] = u2k - u1k, V[3k] = u1k - u3k.
        T* d = v + j;
        Vector.Store(u00 - u20, d); Vector.Store(u01 - u21, d + xs); Vector.Store(u02 - u22, d + 2 * xs); Vector.Store(u03 - u23, d + 3 * xs);
        d += 4 * xs;
        Vector.Store(u10 + u20, d); Vector.Store(u11 + u21, d + xs); Vector.Store(u12 + u22, d + 2 * xs); Vector.Store(u13 + u23, d + 3 * xs);
        d += 4 * xs;
        Vector.Store(u20 - u10, d); Vector.Store(u21 - u11, d + xs); Vector.Store(u22 - u12, d + 2 * xs); Vector.Store(u23 - u13, d + 3 * xs);
        d += 4 * xs;
        Vector.Store(u10 - u30, d); Vector.Store(u11 - u31, d + xs); Vector.Store(u12 - u32, d + 2 * xs); Vector.Store(u13 - u33, d + 3 * xs);
    }

    private static void Cols(T* row, int len, int j, out Vector<T> u0, out Vector<T> u1, out Vector<T> u2, out Vector<T> u3)
    {
        var c0 = Vector.Load(row + j);
        var c1 = Vector.Load(row + len + j);
        var c2 = Vector.Load(row + j + 1);
        var c3 = Vector.Load(row + len + j + 1);
        u0 = c0 - c2;
        u1 = c1 + c2;
        u2 = c2 - c1;
        u3 = c1 - c3;
    }

    private static void InputScalar(T* b0, int len, int j, T* v, long xs)
    {
        Span<T> u = stackalloc T[16];
        for (int r = 0; r < 4; r++)
        {
            T* row = b0 + (long)r * 2 * len;
            T c0 = row[j], c1 = row[len + j], c2 = row[j + 1], c3 = row[len + j + 1];
            u[4 * r] = c0 - c2;
            u[4 * r + 1] = c1 + c2;
            u[4 * r + 2] = c2 - c1;
            u[4 * r + 3] = c1 - c3;
        }
        for (int k = 0; k < 4; k++)
        {
            v[j + k * xs] = u[k] - u[8 + k];
            v[j + (4 + k) * xs] = u[4 + k] + u[8 + k];
            v[j + (8 + k) * xs] = u[8 + k] - u[4 + k];
            v[j + (12 + k) * xs] = u[4 + k] - u[12 + k];
        }
    }

    // Y = A^T M A + bias for the tw tiles of tile row i of one output plane (m[ξ] rows of tw values, ξ stride xiStride);
    // rows = scratch of 4 * tw values for the four output vectors before they are interleaved into the plane.
    private static void OutputTiles(T* m, long xs, in ConvGeometry g, int i, int tw, T bias, T* rows, T* plane)
    {
        T* y00 = rows, y01 = rows + tw, y10 = rows + 2 * tw, y11 = rows + 3 * tw;
        int j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vb = new Vector<T>(bias);
            for (; j <= tw - Vector<T>.Count; j += Vector<T>.Count)
            {
                // Rows of A^T: r0k = m0k + m1k + m2k, r1k = m1k - m2k - m3k; then the same over columns.
                T* p = m + j;
                var m1 = Vector.Load(p + 4 * xs); var m2 = Vector.Load(p + 8 * xs);
                var r00 = Vector.Load(p) + m1 + m2; var r10 = m1 - m2 - Vector.Load(p + 12 * xs);
                m1 = Vector.Load(p + 5 * xs); m2 = Vector.Load(p + 9 * xs);
                var r01 = Vector.Load(p + xs) + m1 + m2; var r11 = m1 - m2 - Vector.Load(p + 13 * xs);
                m1 = Vector.Load(p + 6 * xs); m2 = Vector.Load(p + 10 * xs);
                var r02 = Vector.Load(p + 2 * xs) + m1 + m2; var r12 = m1 - m2 - Vector.Load(p + 14 * xs);
                m1 = Vector.Load(p + 7 * xs); m2 = Vector.Load(p + 11 * xs);
                var r03 = Vector.Load(p + 3 * xs) + m1 + m2; var r13 = m1 - m2 - Vector.Load(p + 15 * xs);
                Vector.Store(r00 + r01 + r02 + vb, y00 + j);
                Vector.Store(r01 - r02 - r03 + vb, y01 + j);
                Vector.Store(r10 + r11 + r12 + vb, y10 + j);
                Vector.Store(r11 - r12 - r13 + vb, y11 + j);
            }
        }
        Span<T> r = stackalloc T[8];
        for (; j < tw; j++)
        {
            for (int k = 0; k < 4; k++)
            {
                T a = m[j + k * xs], b = m[j + (4 + k) * xs], c = m[j + (8 + k) * xs], d = m[j + (12 + k) * xs];
                r[k] = a + b + c;
                r[4 + k] = b - c - d;
            }
            y00[j] = r[0] + r[1] + r[2] + bias;
            y01[j] = r[1] - r[2] - r[3] + bias;
            y10[j] = r[4] + r[5] + r[6] + bias;
            y11[j] = r[5] - r[6] - r[7] + bias;
        }
        int full = g.OW / 2;
        for (int h = 0; h < 2; h++)
        {
            int oh = 2 * i + h;
            if (oh >= g.OH) break;
            T* a = h == 0 ? y00 : y10, b = h == 0 ? y01 : y11;
            T* dst = plane + (long)oh * g.OW;
            for (int jj = 0; jj < full; jj++)
            {
                dst[2 * jj] = a[jj];
                dst[2 * jj + 1] = b[jj];
            }
            if (full < tw) dst[2 * full] = a[full];
        }
    }
}

using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Lantern.Kernels;

// Fused recurrent scans on the CPU. The hidden (and cell) state lives in the h_n (c_n) part of the result: step t
// updates rows [0, BatchSizes[t]) in place, so rows of sequences that already ended keep their final state
// (forward direction) and rows of sequences that have not started yet still hold h0 (reverse direction); no
// per-step bookkeeping is needed. The backward keeps the gradient of the state in dH0 (dC0) the same way.
// Per step: one GEMM with W_hh, the row math of RecurrentRows (rows split across threads), and for the
// backward one GEMM back through W_hh; the weight gradients are one GEMM each over all steps at the end.
public sealed partial class CpuBackend : IRecurrentBackend
{
    /// <inheritdoc/>
    public void RecurrentForward(RecurrentScanGeometry g, Strip gx, Strip? bx, Strip h0, Strip? c0, Strip whh, Strip? bhh, Strip? whr, Strip result, Strip saved)
    {
        switch (gx.Buffer.DType)
        {
            case DType.Float32: ScanForward<float>(g, gx, bx, h0, c0, whh, bhh, whr, result, saved); break;
            case DType.Float64: ScanForward<double>(g, gx, bx, h0, c0, whh, bhh, whr, result, saved); break;
            default: throw new NotSupportedException($"RecurrentScan: floating dtypes only, got {gx.Buffer.DType}.");
        }
    }

    /// <inheritdoc/>
    public void RecurrentBackward(RecurrentScanGeometry g, Strip whh, Strip? whr, Strip result, Strip saved, Strip grad,
        Strip dGx, Strip? dBx, Strip dH0, Strip? dC0, Strip dWhh, Strip? dBhh, Strip? dWhr)
    {
        switch (whh.Buffer.DType)
        {
            case DType.Float32: ScanBackward<float>(g, whh, whr, result, saved, grad, dGx, dBx, dH0, dC0, dWhh, dBhh, dWhr); break;
            case DType.Float64: ScanBackward<double>(g, whh, whr, result, saved, grad, dGx, dBx, dH0, dC0, dWhh, dBhh, dWhr); break;
            default: throw new NotSupportedException($"RecurrentScan: floating dtypes only, got {whh.Buffer.DType}.");
        }
    }

    // C = A B + beta C on arrays with offsets (row/column strides as Gemm.Sgemm; C rows contiguous).
    private static void Mm<T>(int m, int n, int k, T[] a, int ao, int ars, int acs, T[] b, int bo, int brs, int bcs, T beta, T[] c, int co, int crs)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            Gemm.Sgemm(m, n, k, 1f, MemoryMarshal.Cast<T, float>(a.AsSpan(ao)), ars, acs, MemoryMarshal.Cast<T, float>(b.AsSpan(bo)), brs, bcs,
                float.CreateTruncating(beta), MemoryMarshal.Cast<T, float>(c.AsSpan(co)), crs, 1);
        else
            Gemm.Dgemm(m, n, k, 1.0, MemoryMarshal.Cast<T, double>(a.AsSpan(ao)), ars, acs, MemoryMarshal.Cast<T, double>(b.AsSpan(bo)), brs, bcs,
                double.CreateTruncating(beta), MemoryMarshal.Cast<T, double>(c.AsSpan(co)), crs, 1);
    }

    // Rows [0, rows) of independent per-row work, split across threads when large enough.
    private static void ScanRows(int rows, int width, Action<int, int> body)
    {
        int chunks = (long)rows * width >= 16384 ? Math.Min(rows, KernelThreads.Threads * 2) : 1;
        if (chunks <= 1) { body(0, rows); return; }
        KernelThreads.ForChunks(chunks, c => body((int)((long)rows * c / chunks), (int)((long)rows * (c + 1) / chunks)));
    }

    // Column sums of a [rows, width] block into dst (overwritten).
    private static void ColumnSums<T>(T[] src, int so, int rows, int width, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        dst.Clear();
        for (int r = 0; r < rows; r++) TensorPrimitives.Add<T>(dst, src.AsSpan(so + r * width, width), dst);
    }

    private static void ScanForward<T>(RecurrentScanGeometry g, Strip gxS, Strip? bxS, Strip h0S, Strip? c0S, Strip whhS, Strip? bhhS, Strip? whrS,
        Strip resS, Strip savS)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int hid = g.Hidden, ho = g.HOut, gh = g.Gates * hid, n = g.Batch, rows = g.Rows, steps = g.BatchSizes.Length;
        T[] gx = Data<T>(gxS.Buffer), whh = Data<T>(whhS.Buffer), res = Data<T>(resS.Buffer), sav = Data<T>(savS.Buffer);
        T[] bx = bxS is { } bs1 ? Data<T>(bs1.Buffer) : [], bhh = bhhS is { } bs2 ? Data<T>(bs2.Buffer) : [];
        T[]? whr = whrS is { } ws ? Data<T>(ws.Buffer) : null;
        int gxO = gxS.Offset, bxO = bxS?.Offset ?? 0, bxL = bxS is null ? 0 : gh, bhhO = bhhS?.Offset ?? 0, bhhL = bhhS is null ? 0 : gh;
        int whhO = whhS.Offset, whrO = whrS?.Offset ?? 0;
        int outO = resS.Offset, hnO = outO + rows * ho, cnO = hnO + n * ho;
        int hpO = savS.Offset, actO = hpO + rows * ho, cpO = actO + rows * gh, thO = cpO + rows * hid, rO = thO + rows * hid, ghnO = actO + rows * gh;
        Array.Copy(Data<T>(h0S.Buffer), h0S.Offset, res, hnO, n * ho);
        if (g.Kind == RecurrentKind.Lstm) Array.Copy(Data<T>(c0S!.Value.Buffer), c0S.Value.Offset, res, cnO, n * hid);
        T[]? scratch = g.Kind == RecurrentKind.Gru ? ArrayPool<T>.Shared.Rent(n * gh) : null;
        for (int p = 0; p < steps; p++)
        {
            int t = g.Reverse ? steps - 1 - p : p, b = g.BatchSizes[t], o = g.Offsets[t], hp = hpO + o * ho;
            Array.Copy(res, hnO, sav, hp, b * ho);   // h entering the step, the GEMM operand
            switch (g.Kind)
            {
                case RecurrentKind.Lstm:
                {
                    int a0 = actO + o * gh;
                    Array.Copy(gx, gxO + o * gh, sav, a0, b * gh);
                    Mm(b, gh, ho, sav, hp, ho, 1, whh, whhO, 1, ho, T.One, sav, a0, gh);    // gates += h W_hh^T
                    bool proj = whr is not null;
                    ScanRows(b, gh, (r0, r1) =>
                    {
                        for (int r = r0; r < r1; r++)
                            RecurrentRows.LstmForward(sav.AsSpan(a0 + r * gh, gh), bx.AsSpan(bxO, bxL), res.AsSpan(cnO + r * hid, hid),
                                sav.AsSpan(cpO + (o + r) * hid, hid), sav.AsSpan(thO + (o + r) * hid, hid),
                                proj ? sav.AsSpan(rO + (o + r) * hid, hid) : res.AsSpan(outO + (o + r) * ho, ho), hid);
                    });
                    if (proj) Mm(b, ho, hid, sav, rO + o * hid, hid, 1, whr!, whrO, 1, hid, T.Zero, res, outO + o * ho, ho);   // h = r W_hr^T
                    break;
                }
                case RecurrentKind.Gru:
                    Mm(b, gh, ho, sav, hp, ho, 1, whh, whhO, 1, ho, T.Zero, scratch!, 0, gh);   // W_hh h
                    ScanRows(b, gh, (r0, r1) =>
                    {
                        for (int r = r0; r < r1; r++)
                            RecurrentRows.GruForward(gx.AsSpan(gxO + (o + r) * gh, gh), bx.AsSpan(bxO, bxL), scratch.AsSpan(r * gh, gh),
                                bhh.AsSpan(bhhO, bhhL), sav.AsSpan(actO + (o + r) * gh, gh), sav.AsSpan(ghnO + (o + r) * hid, hid),
                                sav.AsSpan(hp + r * ho, ho), res.AsSpan(outO + (o + r) * ho, ho), hid);
                    });
                    break;
                default:
                {
                    int y0 = outO + o * ho;
                    Array.Copy(gx, gxO + o * gh, res, y0, b * ho);
                    Mm(b, ho, ho, sav, hp, ho, 1, whh, whhO, 1, ho, T.One, res, y0, ho);
                    for (int r = 0; r < b && bxL > 0; r++) TensorPrimitives.Add<T>(res.AsSpan(y0 + r * ho, ho), bx.AsSpan(bxO, bxL), res.AsSpan(y0 + r * ho, ho));
                    var y = res.AsSpan(y0, b * ho);
                    if (g.Kind == RecurrentKind.RnnTanh) TensorPrimitives.Tanh<T>(y, y);
                    else for (int j = 0; j < y.Length; j++) if (!(y[j] > T.Zero) && !T.IsNaN(y[j])) y[j] = T.Zero;
                    break;
                }
            }
            Array.Copy(res, outO + o * ho, res, hnO, b * ho);   // the state rows become h_t
        }
        if (scratch is not null) ArrayPool<T>.Shared.Return(scratch);
    }

    private static void ScanBackward<T>(RecurrentScanGeometry g, Strip whhS, Strip? whrS, Strip resS, Strip savS, Strip gradS,
        Strip dGxS, Strip? dBxS, Strip dH0S, Strip? dC0S, Strip dWhhS, Strip? dBhhS, Strip? dWhrS)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int hid = g.Hidden, ho = g.HOut, gh = g.Gates * hid, n = g.Batch, rows = g.Rows, steps = g.BatchSizes.Length;
        T[] whh = Data<T>(whhS.Buffer), res = Data<T>(resS.Buffer), sav = Data<T>(savS.Buffer), grad = Data<T>(gradS.Buffer);
        T[] dGx = Data<T>(dGxS.Buffer), dH = Data<T>(dH0S.Buffer);
        T[]? whr = whrS is { } ws ? Data<T>(ws.Buffer) : null;
        T[] dC = dC0S is { } dcs ? Data<T>(dcs.Buffer) : [];
        int whhO = whhS.Offset, whrO = whrS?.Offset ?? 0, outO = resS.Offset, dGxO = dGxS.Offset, dHO = dH0S.Offset, dCO = dC0S?.Offset ?? 0;
        int dYO = gradS.Offset, dHnO = dYO + rows * ho, dCnO = dHnO + n * ho;
        int hpO = savS.Offset, actO = hpO + rows * ho, cpO = actO + rows * gh, thO = cpO + rows * hid, rO = thO + rows * hid, ghnO = actO + rows * gh;
        bool lstm = g.Kind == RecurrentKind.Lstm, gru = g.Kind == RecurrentKind.Gru, proj = whr is not null;
        Array.Copy(grad, dHnO, dH, dHO, n * ho);
        if (lstm) Array.Copy(grad, dCnO, dC, dCO, n * hid);
        // dOut: gradient of each step's h (kept for all steps with a projection, for dW_hr); dr = dOut W_hr;
        // dGh: GRU's gradient of W_hh h + b_hh.
        T[] dOut = ArrayPool<T>.Shared.Rent(proj ? rows * ho : n * ho);
        T[] dr = proj ? ArrayPool<T>.Shared.Rent(n * hid) : dOut;
        T[]? dGh = gru ? ArrayPool<T>.Shared.Rent(rows * gh) : null;
        for (int p = steps - 1; p >= 0; p--)
        {
            int t = g.Reverse ? steps - 1 - p : p, b = g.BatchSizes[t], o = g.Offsets[t], d0 = proj ? o * ho : 0;
            TensorPrimitives.Add<T>(dH.AsSpan(dHO, b * ho), grad.AsSpan(dYO + o * ho, b * ho), dOut.AsSpan(d0, b * ho));
            switch (g.Kind)
            {
                case RecurrentKind.Lstm:
                    if (proj) Mm(b, hid, ho, dOut, d0, ho, 1, whr!, whrO, hid, 1, T.Zero, dr, 0, hid);   // dr = dOut W_hr
                    ScanRows(b, gh, (r0, r1) =>
                    {
                        for (int r = r0; r < r1; r++)
                            RecurrentRows.LstmBackward<T>(sav.AsSpan(actO + (o + r) * gh, gh), sav.AsSpan(thO + (o + r) * hid, hid),
                                sav.AsSpan(cpO + (o + r) * hid, hid), dr.AsSpan(r * hid, hid), dC.AsSpan(dCO + r * hid, hid),
                                dGx.AsSpan(dGxO + (o + r) * gh, gh), hid);
                    });
                    Mm(b, ho, gh, dGx, dGxO + o * gh, gh, 1, whh, whhO, ho, 1, T.Zero, dH, dHO, ho);   // dh = dA W_hh
                    break;
                case RecurrentKind.Gru:
                    ScanRows(b, gh, (r0, r1) =>
                    {
                        for (int r = r0; r < r1; r++)
                            RecurrentRows.GruBackward<T>(sav.AsSpan(actO + (o + r) * gh, gh), sav.AsSpan(ghnO + (o + r) * hid, hid),
                                sav.AsSpan(hpO + (o + r) * ho, ho), dOut.AsSpan(r * ho, ho), dGx.AsSpan(dGxO + (o + r) * gh, gh),
                                dGh.AsSpan((o + r) * gh, gh), dH.AsSpan(dHO + r * ho, ho), hid);
                    });
                    Mm(b, ho, gh, dGh!, o * gh, gh, 1, whh, whhO, ho, 1, T.One, dH, dHO, ho);   // dh += dGh W_hh
                    break;
                default:
                    RecurrentRows.RnnBackward<T>(g.Kind == RecurrentKind.RnnTanh, res.AsSpan(outO + o * ho, b * ho), dOut.AsSpan(0, b * ho),
                        dGx.AsSpan(dGxO + o * gh, b * gh));
                    Mm(b, ho, gh, dGx, dGxO + o * gh, gh, 1, whh, whhO, ho, 1, T.Zero, dH, dHO, ho);
                    break;
            }
        }
        // Weight and bias gradients: one GEMM (or column sum) over all steps each.
        T[] dRec = gru ? dGh! : dGx;
        int dRecO = gru ? 0 : dGxO;
        Mm(gh, ho, rows, dRec, dRecO, 1, gh, sav, hpO, ho, 1, T.Zero, Data<T>(dWhhS.Buffer), dWhhS.Offset, ho);   // dW_hh = dRec^T HP
        if (dBhhS is { } db) ColumnSums(dGh!, 0, rows, gh, Data<T>(db.Buffer).AsSpan(db.Offset, gh));
        if (dBxS is { } dbx) ColumnSums(dGx, dGxO, rows, gh, Data<T>(dbx.Buffer).AsSpan(dbx.Offset, gh));
        if (proj && dWhrS is { } dw)
            Mm(ho, hid, rows, dOut, 0, 1, ho, sav, rO, hid, 1, T.Zero, Data<T>(dw.Buffer), dw.Offset, hid);   // dW_hr = dOut^T R
        ArrayPool<T>.Shared.Return(dOut);
        if (proj) ArrayPool<T>.Shared.Return(dr);
        if (dGh is not null) ArrayPool<T>.Shared.Return(dGh);
    }
}

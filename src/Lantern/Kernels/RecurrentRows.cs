using System.Numerics;
using System.Numerics.Tensors;

namespace Lantern.Kernels;

/// <summary>
/// The gate math of one row (one sequence at one step) of the recurrent scans, forward and backward, on spans
/// (vectorised: TensorPrimitives for the transcendental parts, <see cref="Vector{T}"/> loops with scalar tails for
/// the products of the backward). H = hidden size; gate blocks are laid out as PyTorch's weights: LSTM i, f, g, o;
/// GRU r, z, n.
/// </summary>
internal static class RecurrentRows
{
    /// <summary>
    /// LSTM forward: act [4H] holds pre-activations (bias bx added when not empty) and is replaced by
    /// sigmoid(i), sigmoid(f), tanh(g), sigmoid(o); c [H] is the state (in: c_(t-1), saved to cp; out: c_t);
    /// th = tanh(c_t); h = o * th.
    /// </summary>
    public static void LstmForward<T>(Span<T> act, ReadOnlySpan<T> bx, Span<T> c, Span<T> cp, Span<T> th, Span<T> h, int hid)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!bx.IsEmpty) TensorPrimitives.Add<T>(act, bx, act);
        var ifg = act[..(2 * hid)];
        TensorPrimitives.Sigmoid<T>(ifg, ifg);
        var g = act.Slice(2 * hid, hid);
        TensorPrimitives.Tanh<T>(g, g);
        var o = act[(3 * hid)..];
        TensorPrimitives.Sigmoid<T>(o, o);
        c.CopyTo(cp);
        TensorPrimitives.Multiply<T>(act.Slice(hid, hid), cp, c);        // f * c_(t-1)
        TensorPrimitives.MultiplyAdd<T>(act[..hid], g, c, c);              // + i * g
        TensorPrimitives.Tanh<T>(c, th);
        TensorPrimitives.Multiply<T>(o, th, h);
    }

    /// <summary>
    /// LSTM backward: dr = gradient of o * tanh(c_t) [H]; dc [H] in: gradient of c_t from later steps, out: of
    /// c_(t-1); da [4H] out: gradients of the pre-activations i, f, g, o.
    /// </summary>
    public static void LstmBackward<T>(ReadOnlySpan<T> act, ReadOnlySpan<T> th, ReadOnlySpan<T> cp, ReadOnlySpan<T> dr, Span<T> dc, Span<T> da, int hid)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var one = Vector<T>.One;
            for (; j <= hid - Vector<T>.Count; j += Vector<T>.Count)
            {
                Vector<T> i = new(act[j..]), f = new(act[(hid + j)..]), g = new(act[(2 * hid + j)..]), o = new(act[(3 * hid + j)..]);
                Vector<T> t = new(th[j..]), d = new(dr[j..]), dct = new Vector<T>(dc[j..]) + d * o * (one - t * t);
                (dct * g * i * (one - i)).CopyTo(da[j..]);
                (dct * new Vector<T>(cp[j..]) * f * (one - f)).CopyTo(da[(hid + j)..]);
                (dct * i * (one - g * g)).CopyTo(da[(2 * hid + j)..]);
                (d * t * o * (one - o)).CopyTo(da[(3 * hid + j)..]);
                (dct * f).CopyTo(dc[j..]);
            }
        }
        for (; j < hid; j++)
        {
            T i = act[j], f = act[hid + j], g = act[2 * hid + j], o = act[3 * hid + j], t = th[j];
            T dct = dc[j] + dr[j] * o * (T.One - t * t);
            da[j] = dct * g * i * (T.One - i);
            da[hid + j] = dct * cp[j] * f * (T.One - f);
            da[2 * hid + j] = dct * i * (T.One - g * g);
            da[3 * hid + j] = dr[j] * t * o * (T.One - o);
            dc[j] = dct * f;
        }
    }

    /// <summary>
    /// GRU forward: x [3H] input projection, bx [3H] its bias (or empty), s [3H] = W_hh h, bhh [3H] (or empty);
    /// act [3H] out: r, z, n; ghn [H] out: W_hn h + b_hn; h = (1 - z) n + z hprev.
    /// </summary>
    public static void GruForward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> bx, ReadOnlySpan<T> s, ReadOnlySpan<T> bhh, Span<T> act, Span<T> ghn,
        ReadOnlySpan<T> hprev, Span<T> h, int hid)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rz = act[..(2 * hid)];
        var n = act[(2 * hid)..];
        TensorPrimitives.Add<T>(x, s, act);                    // the n part is overwritten below
        if (!bx.IsEmpty) TensorPrimitives.Add<T>(act, bx, act);
        if (!bhh.IsEmpty)
        {
            TensorPrimitives.Add<T>(rz, bhh[..(2 * hid)], rz);
            TensorPrimitives.Add<T>(s[(2 * hid)..], bhh[(2 * hid)..], ghn);
        }
        else s[(2 * hid)..].CopyTo(ghn);
        TensorPrimitives.Sigmoid<T>(rz, rz);
        if (!bx.IsEmpty) TensorPrimitives.Add<T>(x[(2 * hid)..], bx[(2 * hid)..], n);
        else x[(2 * hid)..].CopyTo(n);
        TensorPrimitives.MultiplyAdd<T>(rz[..hid], ghn, n, n);   // + r * (W_hn h + b_hn)
        TensorPrimitives.Tanh<T>(n, n);
        TensorPrimitives.Subtract<T>(hprev, n, h);
        TensorPrimitives.MultiplyAdd<T>(rz[hid..], h, n, h);     // n + z (hprev - n)
    }

    /// <summary>
    /// GRU backward: d [H] gradient of h; dx [3H] out: gradient of x (r, z, n pre-activation parts), dgh [3H] out:
    /// gradient of W_hh h + b_hh; dhp [H] out: the direct part z * d of the gradient of hprev.
    /// </summary>
    public static void GruBackward<T>(ReadOnlySpan<T> act, ReadOnlySpan<T> ghn, ReadOnlySpan<T> hprev, ReadOnlySpan<T> d, Span<T> dx, Span<T> dgh,
        Span<T> dhp, int hid)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var one = Vector<T>.One;
            for (; j <= hid - Vector<T>.Count; j += Vector<T>.Count)
            {
                Vector<T> r = new(act[j..]), z = new(act[(hid + j)..]), n = new(act[(2 * hid + j)..]), dv = new(d[j..]);
                var dn = dv * (one - z) * (one - n * n);
                var dr = dn * new Vector<T>(ghn[j..]) * r * (one - r);
                var dz = dv * (new Vector<T>(hprev[j..]) - n) * z * (one - z);
                dr.CopyTo(dx[j..]);
                dr.CopyTo(dgh[j..]);
                dz.CopyTo(dx[(hid + j)..]);
                dz.CopyTo(dgh[(hid + j)..]);
                dn.CopyTo(dx[(2 * hid + j)..]);
                (dn * r).CopyTo(dgh[(2 * hid + j)..]);
                (dv * z).CopyTo(dhp[j..]);
            }
        }
        for (; j < hid; j++)
        {
            T r = act[j], z = act[hid + j], n = act[2 * hid + j];
            T dn = d[j] * (T.One - z) * (T.One - n * n);
            T dr = dn * ghn[j] * r * (T.One - r);
            T dz = d[j] * (hprev[j] - n) * z * (T.One - z);
            dx[j] = dgh[j] = dr;
            dx[hid + j] = dgh[hid + j] = dz;
            dx[2 * hid + j] = dn;
            dgh[2 * hid + j] = dn * r;
            dhp[j] = d[j] * z;
        }
    }

    /// <summary>Elman RNN backward: da = d * (1 - y^2) for tanh, d where y &gt; 0 else 0 for relu (y = the step's output).</summary>
    public static void RnnBackward<T>(bool tanh, ReadOnlySpan<T> y, ReadOnlySpan<T> d, Span<T> da)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (tanh)
        {
            TensorPrimitives.Multiply<T>(y, y, da);
            TensorPrimitives.Subtract<T>(T.One, da, da);
            TensorPrimitives.Multiply<T>(da, d, da);
        }
        else
            for (int j = 0; j < y.Length; j++) da[j] = y[j] > T.Zero ? d[j] : T.Zero;
    }
}

using Lantern.Kernels;

namespace Lantern.NN;

// The three convolution primitives and their derivatives. With y = conv(x, w) (bilinear in x and w):
//   ConvInputGrad(dy, w)  = d<dy, conv(x, w)>/dx   (the transposed convolution)
//   ConvWeightGrad(x, dy) = d<dy, conv(x, w)>/dw
// and, because <gx, ConvInputGrad(dy, w)> = <conv(gx, w), dy> and <gw, ConvWeightGrad(x, dy)> = <dy, conv(x, gw)>,
// the derivatives of each primitive are again primitives, so every order of differentiation works.
public static partial class F
{
    private static IConvBackend ConvBackend => CpuBackend.Instance;

    private static Shape InputShape(in ConvGeometry g) => new(g.N, g.C, g.H, g.W);

    private static Shape OutputShape(in ConvGeometry g) => new(g.N, g.O, g.OH, g.OW);

    private static Shape WeightShape(in ConvGeometry g) => new(g.O, g.Cg, g.KH, g.KW);

    /// <summary>y = conv(x, w) + b for a checked geometry; x [N, C, H, W], w [O, C / groups, KH, KW], b [O] or null.</summary>
    internal static Tensor ConvOp(Tensor x, Tensor w, Tensor? b, ConvGeometry g, string name)
    {
        x = x.Contiguous();
        w = w.Contiguous();
        b = b?.Contiguous();
        var y = Tensor.Uninitialized(OutputShape(g), x.DType);
        ConvBackend.ConvForward(x.Buffer, x.Layout, w.Buffer, w.Layout, b?.Buffer, b?.Layout ?? default, y.Buffer, y.Layout, g);
        bool needX = x.RequiresGrad, needW = w.RequiresGrad, needB = b?.RequiresGrad ?? false;
        Tensor[] inputs = b is null ? [x, w] : [x, w, b];
        return Autograd.Record(y, name, inputs, gy =>
        {
            var gx = needX ? ConvInputGrad(gy, w, g, name + "BackwardInput") : null;
            var gw = needW ? ConvWeightGrad(x, gy, g, name + "BackwardWeight") : null;
            if (b is null) return [gx, gw];
            return [gx, gw, needB ? ChannelSum(gy, name + "BackwardBias") : null];
        }, x, w);
    }

    /// <summary>dx [N, C, H, W] = the transposed convolution of dy [N, O, OH, OW] by w [O, C / groups, KH, KW].</summary>
    internal static Tensor ConvInputGrad(Tensor dy, Tensor w, ConvGeometry g, string name)
    {
        dy = dy.Contiguous();
        w = w.Contiguous();
        var dx = Tensor.Uninitialized(InputShape(g), dy.DType);
        ConvBackend.ConvBackwardInput(dy.Buffer, dy.Layout, w.Buffer, w.Layout, dx.Buffer, dx.Layout, g);
        bool needDy = dy.RequiresGrad, needW = w.RequiresGrad;
        return Autograd.Record(dx, name, [dy, w], gx =>
        [
            needDy ? ConvOp(gx, w, null, g, name + "Backward") : null,
            needW ? ConvWeightGrad(gx, dy, g, name + "Backward") : null,
        ], dy, w);
    }

    /// <summary>dw [O, C / groups, KH, KW] = the correlation of x [N, C, H, W] with dy [N, O, OH, OW].</summary>
    internal static Tensor ConvWeightGrad(Tensor x, Tensor dy, ConvGeometry g, string name)
    {
        x = x.Contiguous();
        dy = dy.Contiguous();
        var dw = Tensor.Uninitialized(WeightShape(g), x.DType);
        ConvBackend.ConvBackwardWeight(x.Buffer, x.Layout, dy.Buffer, dy.Layout, dw.Buffer, dw.Layout, g);
        bool needX = x.RequiresGrad, needDy = dy.RequiresGrad;
        return Autograd.Record(dw, name, [x, dy], gw =>
        [
            needX ? ConvInputGrad(dy, gw, g, name + "Backward") : null,
            needDy ? ConvOp(x, gw, null, g, name + "Backward") : null,
        ], x, dy);
    }

    /// <summary>db [C] = the sum of t [N, C, H, W] over N, H and W (a bias gradient), with its own kernel and backward.</summary>
    internal static Tensor ChannelSum(Tensor t, string name)
    {
        t = t.Contiguous();
        var shape = t.Shape;
        var g = new ConvGeometry { N = shape[0], C = shape[1], H = shape[2], W = shape[3], O = shape[1], KH = 1, KW = 1, OH = shape[2], OW = shape[3] };
        var db = Tensor.Uninitialized(new Shape(shape[1]), t.DType);
        ConvBackend.ConvBackwardBias(t.Buffer, t.Layout, db.Buffer, db.Layout, g);
        return Autograd.Record(db, name, [t], gb => [gb.View(1, -1, 1, 1).Expand(shape.ToArray())]);
    }

    /// <summary>y + b per channel (y [N, C, H, W], b [C]); the bias gradient is <see cref="ChannelSum"/>.</summary>
    internal static Tensor AddChannelBias(Tensor y, Tensor b, string name)
    {
        Tensor r;
        using (Autograd.NoGrad()) r = y.Add(b.View(1, -1, 1, 1));
        return Autograd.Record(r, name, [y, b], g => [g, ChannelSum(g, name + "Backward")]);
    }
}

using System.Numerics;

namespace Lantern.Kernels;

// Convolution kernels on the CPU: dtype dispatch, contiguity checks, pinning; the work is in Kernels/Conv.
public sealed unsafe partial class CpuBackend : IConvBackend
{
    // Pins a contiguous buffer and returns its pointer at the layout's offset (null buffer: null pointer).
    private readonly ref struct Pin<T> where T : unmanaged
    {
        private readonly System.Runtime.InteropServices.GCHandle _h;
        public readonly T* P;

        public Pin(DeviceBuffer? b, Layout l, string op)
        {
            if (b is null) return;
            if (!l.IsContiguous) throw new ArgumentException($"{op} kernel: expected a contiguous layout, got shape {l.Shape} strides [{string.Join(", ", l.Strides.ToArray())}].");
            var a = Data<T>(b);
            _h = System.Runtime.InteropServices.GCHandle.Alloc(a, System.Runtime.InteropServices.GCHandleType.Pinned);
            P = (T*)_h.AddrOfPinnedObject() + l.Offset;
        }

        public void Dispose()
        {
            if (_h.IsAllocated) _h.Free();
        }
    }

    private static void CheckConvDType(DeviceBuffer b, string op)
    {
        if (b.DType != DType.Float32 && b.DType != DType.Float64)
            throw new NotSupportedException($"{op}: floating dtypes only (Float32, Float64), got {b.DType}.");
    }

    /// <inheritdoc/>
    public void ConvForward(DeviceBuffer x, Layout lx, DeviceBuffer w, Layout lw, DeviceBuffer? bias, Layout lb, DeviceBuffer y, Layout ly, in ConvGeometry g)
    {
        CheckConvDType(x, "ConvForward");
        if (x.DType == DType.Float32) Run<float>(x, lx, w, lw, bias, lb, y, ly, g);
        else Run<double>(x, lx, w, lw, bias, lb, y, ly, g);

        static void Run<T>(DeviceBuffer x, Layout lx, DeviceBuffer w, Layout lw, DeviceBuffer? bias, Layout lb, DeviceBuffer y, Layout ly, ConvGeometry g)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            using var px = new Pin<T>(x, lx, "ConvForward");
            using var pw = new Pin<T>(w, lw, "ConvForward");
            using var pb = new Pin<T>(bias, lb, "ConvForward");
            using var py = new Pin<T>(y, ly, "ConvForward");
            ConvGemm<T>.Forward(px.P, pw.P, pb.P, py.P, g);
        }
    }

    /// <inheritdoc/>
    public void ConvBackwardInput(DeviceBuffer dy, Layout ldy, DeviceBuffer w, Layout lw, DeviceBuffer dx, Layout ldx, in ConvGeometry g)
    {
        CheckConvDType(dy, "ConvBackwardInput");
        if (dy.DType == DType.Float32) Run<float>(dy, ldy, w, lw, dx, ldx, g);
        else Run<double>(dy, ldy, w, lw, dx, ldx, g);

        static void Run<T>(DeviceBuffer dy, Layout ldy, DeviceBuffer w, Layout lw, DeviceBuffer dx, Layout ldx, ConvGeometry g)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            using var pdy = new Pin<T>(dy, ldy, "ConvBackwardInput");
            using var pw = new Pin<T>(w, lw, "ConvBackwardInput");
            using var pdx = new Pin<T>(dx, ldx, "ConvBackwardInput");
            ConvGemm<T>.BackwardInput(pdy.P, pw.P, pdx.P, g);
        }
    }

    /// <inheritdoc/>
    public void ConvBackwardWeight(DeviceBuffer x, Layout lx, DeviceBuffer dy, Layout ldy, DeviceBuffer dw, Layout ldw, in ConvGeometry g)
    {
        CheckConvDType(x, "ConvBackwardWeight");
        if (x.DType == DType.Float32) Run<float>(x, lx, dy, ldy, dw, ldw, g);
        else Run<double>(x, lx, dy, ldy, dw, ldw, g);

        static void Run<T>(DeviceBuffer x, Layout lx, DeviceBuffer dy, Layout ldy, DeviceBuffer dw, Layout ldw, ConvGeometry g)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            using var px = new Pin<T>(x, lx, "ConvBackwardWeight");
            using var pdy = new Pin<T>(dy, ldy, "ConvBackwardWeight");
            using var pdw = new Pin<T>(dw, ldw, "ConvBackwardWeight");
            ConvGemm<T>.BackwardWeight(px.P, pdy.P, pdw.P, g);
        }
    }

    /// <inheritdoc/>
    public void ConvBackwardBias(DeviceBuffer dy, Layout ldy, DeviceBuffer db, Layout ldb, in ConvGeometry g)
    {
        CheckConvDType(dy, "ConvBackwardBias");
        if (dy.DType == DType.Float32) Run<float>(dy, ldy, db, ldb, g);
        else Run<double>(dy, ldy, db, ldb, g);

        static void Run<T>(DeviceBuffer dy, Layout ldy, DeviceBuffer db, Layout ldb, ConvGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
        {
            using var pdy = new Pin<T>(dy, ldy, "ConvBackwardBias");
            using var pdb = new Pin<T>(db, ldb, "ConvBackwardBias");
            ConvGemm<T>.BackwardBias(pdy.P, pdb.P, g);
        }
    }

    /// <inheritdoc/>
    public void Im2Col(DeviceBuffer x, Layout lx, DeviceBuffer cols, Layout lc, in ConvGeometry g)
    {
        CheckConvDType(x, "Im2Col");
        if (x.DType == DType.Float32) Run<float>(x, lx, cols, lc, g, false);
        else Run<double>(x, lx, cols, lc, g, false);
    }

    /// <inheritdoc/>
    public void Col2Im(DeviceBuffer cols, Layout lc, DeviceBuffer x, Layout lx, in ConvGeometry g)
    {
        CheckConvDType(x, "Col2Im");
        if (x.DType == DType.Float32) Run<float>(x, lx, cols, lc, g, true);
        else Run<double>(x, lx, cols, lc, g, true);
    }

    // Unfold / fold over the whole batch, one sample per work item.
    private static void Run<T>(DeviceBuffer x, Layout lx, DeviceBuffer cols, Layout lc, ConvGeometry g, bool fold)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var px = new Pin<T>(x, lx, fold ? "Col2Im" : "Im2Col");
        using var pc = new Pin<T>(cols, lc, fold ? "Col2Im" : "Im2Col");
        nint ix = (nint)px.P, ic = (nint)pc.P;
        long xs = (long)g.C * g.H * g.W, cs = (long)g.C * g.KH * g.KW * g.L;
        KernelThreads.For(g.N, 1, (s, e) =>
        {
            for (int n = s; n < e; n++)
            {
                T* xn = (T*)ix + n * xs, cn = (T*)ic + n * cs;
                if (fold)
                {
                    new Span<T>(xn, (int)xs).Clear();
                    Im2Col<T>.Unpack(cn, g, g.C, 0, g.L, xn);
                }
                else Im2Col<T>.Pack(xn, g, g.C, 0, g.L, cn);
            }
        });
    }

    /// <inheritdoc/>
    public void DeformConvForward(DeviceBuffer x, Layout lx, DeviceBuffer offset, Layout lo, DeviceBuffer? mask, Layout lm,
        DeviceBuffer w, Layout lw, DeviceBuffer? bias, Layout lb, DeviceBuffer y, Layout ly, in ConvGeometry g, int offsetGroups)
    {
        CheckConvDType(x, "DeformConvForward");
        if (x.DType == DType.Float32) Run<float>(x, lx, offset, lo, mask, lm, w, lw, bias, lb, y, ly, g, offsetGroups);
        else Run<double>(x, lx, offset, lo, mask, lm, w, lw, bias, lb, y, ly, g, offsetGroups);

        static void Run<T>(DeviceBuffer x, Layout lx, DeviceBuffer offset, Layout lo, DeviceBuffer? mask, Layout lm,
            DeviceBuffer w, Layout lw, DeviceBuffer? bias, Layout lb, DeviceBuffer y, Layout ly, ConvGeometry g, int offsetGroups)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            using var px = new Pin<T>(x, lx, "DeformConvForward");
            using var po = new Pin<T>(offset, lo, "DeformConvForward");
            using var pm = new Pin<T>(mask, lm, "DeformConvForward");
            using var pw = new Pin<T>(w, lw, "DeformConvForward");
            using var pb = new Pin<T>(bias, lb, "DeformConvForward");
            using var py = new Pin<T>(y, ly, "DeformConvForward");
            DeformConv<T>.Forward(px.P, po.P, pm.P, pw.P, pb.P, py.P, g, offsetGroups);
        }
    }

    /// <inheritdoc/>
    public void DeformConvBackward(DeviceBuffer x, Layout lx, DeviceBuffer offset, Layout lo, DeviceBuffer? mask, Layout lm,
        DeviceBuffer w, Layout lw, DeviceBuffer dy, Layout ldy, DeviceBuffer dx, DeviceBuffer dOffset, DeviceBuffer? dMask,
        DeviceBuffer dw, in ConvGeometry g, int offsetGroups)
    {
        CheckConvDType(x, "DeformConvBackward");
        if (x.DType == DType.Float32) Run<float>(x, lx, offset, lo, mask, lm, w, lw, dy, ldy, dx, dOffset, dMask, dw, g, offsetGroups);
        else Run<double>(x, lx, offset, lo, mask, lm, w, lw, dy, ldy, dx, dOffset, dMask, dw, g, offsetGroups);

        static void Run<T>(DeviceBuffer x, Layout lx, DeviceBuffer offset, Layout lo, DeviceBuffer? mask, Layout lm,
            DeviceBuffer w, Layout lw, DeviceBuffer dy, Layout ldy, DeviceBuffer dx, DeviceBuffer dOffset, DeviceBuffer? dMask,
            DeviceBuffer dw, ConvGeometry g, int offsetGroups) where T : unmanaged, IFloatingPointIeee754<T>
        {
            using var px = new Pin<T>(x, lx, "DeformConvBackward");
            using var po = new Pin<T>(offset, lo, "DeformConvBackward");
            using var pm = new Pin<T>(mask, lm, "DeformConvBackward");
            using var pw = new Pin<T>(w, lw, "DeformConvBackward");
            using var pdy = new Pin<T>(dy, ldy, "DeformConvBackward");
            using var pdx = new Pin<T>(dx, Layout.Contiguous(lx.Shape), "DeformConvBackward");
            using var pdo = new Pin<T>(dOffset, Layout.Contiguous(lo.Shape), "DeformConvBackward");
            using var pdm = new Pin<T>(dMask, Layout.Contiguous(lm.Shape), "DeformConvBackward");
            using var pdw = new Pin<T>(dw, Layout.Contiguous(lw.Shape), "DeformConvBackward");
            DeformConv<T>.Backward(px.P, po.P, pm.P, pw.P, pdy.P, pdx.P, pdo.P, pdm.P, pdw.P, g, offsetGroups);
        }
    }
}

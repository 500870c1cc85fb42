using Lantern.Kernels;

namespace Lantern;

// Plane primitives behind the pooling, interpolation and sampling family (F.MaxPool2d, F.AvgPool2d,
// F.Interpolate, F.GridSample, ...). Each records its own backward on IPoolBackend kernels, and each backward
// is itself a recorded primitive, so double backward works: the gradient of a resample is the resample by the
// transposed taps; the gradient of a per-plane gather is a scatter-add and vice versa.
public sealed partial class Tensor
{
    private static IPoolBackend PoolBackend => CpuBackend.Instance;

    /// <summary>
    /// Separable resample of planes [P, H, W] by taps along H and W: [P, h.OutSize, w.OutSize].
    /// Backward: the resample by the transposed taps.
    /// </summary>
    internal static Tensor ResamplePlanes(Tensor x, ResampleTaps h, ResampleTaps w, string name)
    {
        var y = Uninitialized([x.Shape[0], h.OutSize, w.OutSize], x.DType);
        PoolBackend.Resample(x.Buffer, x._layout, h, w, y.Buffer);
        string back = name.EndsWith("Backward", StringComparison.Ordinal) ? name[..^"Backward".Length] : name + "Backward";
        return Autograd.Record(y, name, [x], g => [ResamplePlanes(g, h.Transposed, w.Transposed, back)]);
    }

    /// <summary>
    /// Max of planes [P, H, W] over the windows given by taps along H and W: values [P, OH, OW] and, when
    /// requested or needed for backward, Int64 indices i*W + j of the winners. Backward: scatter-add to the winners.
    /// </summary>
    internal static (Tensor Values, Tensor? Indices) MaxPoolPlanes(Tensor x, ResampleTaps h, ResampleTaps w, bool wantIndices, string name)
    {
        int planes = x.Shape[0], inH = h.InSize, inW = w.InSize;
        var values = Uninitialized([planes, h.OutSize, w.OutSize], x.DType);
        bool needGrad = Autograd.NeedsGrad(x);
        var indices = wantIndices || needGrad ? Uninitialized([planes, h.OutSize, w.OutSize], DType.Int64) : null;
        PoolBackend.MaxPool(x.Buffer, x._layout, h, w, values.Buffer, indices?.Buffer);
        if (needGrad)
        {
            var idx = indices!;
            int outLen = h.OutSize * w.OutSize;
            values = Autograd.Record(values, name, [x], g =>
                [ScatterPlanes(g.Reshape(planes, outLen), idx.Reshape(planes, outLen), inH * inW, true, name + "Backward").Reshape(planes, inH, inW)]);
        }
        return (values, indices);
    }

    /// <summary>
    /// y[p, l] = x[p, index[p, l]] for x [P, M] and Int64 index [P, L] (values in [0, M), checked by the caller).
    /// Backward: scatter-add into [P, M].
    /// </summary>
    internal static Tensor GatherPlanes(Tensor x, Tensor index, string name)
    {
        int planes = index.Shape[0], len = index.Shape[1], m = x.Shape[1];
        var y = Uninitialized([planes, len], x.DType);
        PoolBackend.PlaneGather(x.Buffer, x._layout, index.Buffer, index._layout, y.Buffer);
        return Autograd.Record(y, name, [x], g => [ScatterPlanes(g, index, m, true, name + "Backward")]);
    }

    /// <summary>
    /// y = zeros [P, M]; y[p, index[p, l]] (+)= x[p, l] for x and Int64 index [P, L] (values in [0, M), checked by the
    /// caller); accumulating or assigning (the last write wins). Backward: the gather at index (for assignment too, as
    /// PyTorch's max_unpool backward).
    /// </summary>
    internal static Tensor ScatterPlanes(Tensor x, Tensor index, int m, bool accumulate, string name)
    {
        int planes = index.Shape[0];
        var y = Allocate([planes, m], x.DType);
        PoolBackend.PlaneScatter(x.Buffer, x._layout, index.Buffer, index._layout, y.Buffer, accumulate);
        return Autograd.Record(y, name, [x], g => [GatherPlanes(g, index, name + "Backward")]);
    }

    /// <summary>
    /// grid_sample (2-D) of input [N, C, H, W] at grid [N, OH, OW, 2]: [N, C, OH, OW]. Backward gives input and grid
    /// gradients from one kernel; those gradients are not differentiable again (as in PyTorch): a second backward
    /// through them raises.
    /// </summary>
    internal static Tensor GridSamplePlanes(Tensor input, Tensor grid, GridSampleMode mode, GridPadding padding, bool alignCorners)
    {
        var y = Uninitialized([input.Shape[0], input.Shape[1], grid.Shape[1], grid.Shape[2]], input.DType);
        PoolBackend.GridSample(input.Buffer, input._layout, grid.Buffer, grid._layout, mode, padding, alignCorners, y.Buffer);
        return Autograd.Record(y, "GridSample", [input, grid], g =>
        {
            var go = g.Contiguous();
            bool wantIn = input.RequiresGrad, wantGrid = grid.RequiresGrad;
            var gi = wantIn ? Allocate(input.Shape, input.DType) : null;
            var gg = wantGrid ? Uninitialized(grid.Shape, grid.DType) : null;
            PoolBackend.GridSampleBackward(go.Buffer, input.Buffer, input._layout, grid.Buffer, grid._layout, mode, padding, alignCorners, gi?.Buffer, gg?.Buffer);
            var grads = new Tensor?[] { gi, gg };
            for (int i = 0; i < 2; i++)
                if (grads[i] is { } t)
                    grads[i] = Autograd.Record(t, "GridSampleBackward", [g, input, grid],
                        _ => throw new NotSupportedException("GridSample: the gradient of grid_sample's gradient (double backward) is not supported, as in PyTorch."));
            return grads;
        }, input, grid);
    }
}

using System.Numerics;

namespace Lantern.Kernels;

// grid_sample (2-D) on the CPU, with PyTorch's coordinate arithmetic (aten/src/ATen/native/GridSampler.h):
// unnormalise, then clip (border) or reflect + clip (reflection), each with its derivative multiplier.
public sealed partial class CpuBackend
{
    /// <summary>Grid coordinates of one output pixel mapped to input pixel space, with d(pixel)/d(grid).</summary>
    private static T SourceIndex<T>(T coord, int size, GridPadding padding, bool align, out T grad) where T : IFloatingPointIeee754<T>
    {
        T one = T.One, two = one + one;
        T sizeT = T.CreateTruncating(size);
        T c;
        if (align) { c = (coord + one) / two * (sizeT - one); grad = (sizeT - one) / two; }
        else { c = ((coord + one) * sizeT - one) / two; grad = sizeT / two; }
        if (padding == GridPadding.Border) c = Clip(c, size, ref grad);
        else if (padding == GridPadding.Reflection)
        {
            c = align ? Reflect(c, 0, 2 * (size - 1), ref grad) : Reflect(c, -1, 2 * size - 1, ref grad);
            c = Clip(c, size, ref grad);
        }
        // safe_downgrade_to_int_range: non-finite or huge coordinates read nothing.
        if (!T.IsFinite(c) || T.Abs(c) > T.CreateTruncating(int.MaxValue)) c = T.CreateTruncating(-100);
        return c;
    }

    /// <summary>clip_coordinates_set_grad: min(size - 1, max(c, 0)); borders count as outside for the gradient.</summary>
    private static T Clip<T>(T c, int size, ref T grad) where T : IFloatingPointIeee754<T>
    {
        if (c <= T.Zero) { grad = T.Zero; return T.Zero; }
        T max = T.CreateTruncating(size - 1);
        if (c >= max) { grad = T.Zero; return max; }
        return c;
    }

    /// <summary>reflect_coordinates_set_grad: reflects c into [twiceLow/2, twiceHigh/2].</summary>
    private static T Reflect<T>(T c, int twiceLow, int twiceHigh, ref T grad) where T : IFloatingPointIeee754<T>
    {
        if (twiceLow == twiceHigh) { grad = T.Zero; return T.Zero; }
        T two = T.One + T.One;
        T min = T.CreateTruncating(twiceLow) / two;
        T span = T.CreateTruncating(twiceHigh - twiceLow) / two;
        c -= min;
        T mult = T.One;
        if (c < T.Zero) { mult = -T.One; c = -c; }
        T extra = c % span;
        T flips = T.Floor(c / span);
        if (T.IsEvenInteger(flips)) { grad *= mult; return extra + min; }
        grad *= -mult;
        return span - extra + min;
    }

    /// <inheritdoc/>
    public void GridSample(DeviceBuffer input, Layout li, DeviceBuffer grid, Layout lg, GridSampleMode mode, GridPadding padding, bool alignCorners, DeviceBuffer dst)
    {
        switch (input.DType)
        {
            case DType.Float32: GridSampleT(Data<float>(input), li, Data<float>(grid), lg, mode, padding, alignCorners, Data<float>(dst)); break;
            case DType.Float64: GridSampleT(Data<double>(input), li, Data<double>(grid), lg, mode, padding, alignCorners, Data<double>(dst)); break;
            default: throw new NotSupportedException($"GridSample: {input.DType} is not supported (Float32, Float64).");
        }
    }

    /// <summary>The sampling position of output pixel (n, i, j): corner (x0, y0) and fractional weights, or the nearest pixel.</summary>
    private readonly struct Tap<T> where T : IFloatingPointIeee754<T>
    {
        public readonly int X0, Y0;          // bilinear: north-west corner; nearest: the pixel
        public readonly T Ix, Iy, Gx, Gy;     // source position and d(position)/d(grid)

        public Tap(T[] grid, Layout lg, int n, int i, int j, int h, int w, GridSampleMode mode, GridPadding padding, bool align)
        {
            int g = lg.Offset + n * lg.Strides[0] + i * lg.Strides[1] + j * lg.Strides[2];
            Ix = SourceIndex(grid[g], w, padding, align, out Gx);
            Iy = SourceIndex(grid[g + lg.Strides[3]], h, padding, align, out Gy);
            if (mode == GridSampleMode.Nearest)
            {
                X0 = (int)Math.Clamp(double.CreateTruncating(T.Round(Ix, MidpointRounding.ToEven)), int.MinValue / 2, int.MaxValue / 2);
                Y0 = (int)Math.Clamp(double.CreateTruncating(T.Round(Iy, MidpointRounding.ToEven)), int.MinValue / 2, int.MaxValue / 2);
            }
            else
            {
                X0 = (int)Math.Clamp(double.CreateTruncating(T.Floor(Ix)), int.MinValue / 2, int.MaxValue / 2);
                Y0 = (int)Math.Clamp(double.CreateTruncating(T.Floor(Iy)), int.MinValue / 2, int.MaxValue / 2);
            }
        }
    }

    private static bool Inside(int y, int x, int h, int w) => (uint)y < (uint)h && (uint)x < (uint)w;

    private static void GridSampleT<T>(T[] inp, Layout li, T[] grid, Layout lg, GridSampleMode mode, GridPadding padding, bool align, T[] d)
        where T : IFloatingPointIeee754<T>
    {
        int n = li.Shape[0], c = li.Shape[1], h = li.Shape[2], w = li.Shape[3], oh = lg.Shape[1], ow = lg.Shape[2];
        int sn = li.Strides[0], sc = li.Strides[1], sh = li.Strides[2], sw = li.Strides[3];
        int plane = oh * ow;
        KernelThreads.For(n * oh, Math.Max(1, PoolGrain / Math.Max(1, ow * Math.Max(c, 1))), (a, b) =>
        {
            for (int r = a; r < b; r++)
            {
                int bn = r / oh, i = r % oh;
                for (int j = 0; j < ow; j++)
                {
                    var t = new Tap<T>(grid, lg, bn, i, j, h, w, mode, padding, align);
                    int o = bn * c * plane + i * ow + j;
                    int ib = li.Offset + bn * sn;
                    if (mode == GridSampleMode.Nearest)
                    {
                        bool inside = Inside(t.Y0, t.X0, h, w);
                        int at = ib + t.Y0 * sh + t.X0 * sw;
                        for (int ch = 0; ch < c; ch++) d[o + ch * plane] = inside ? inp[at + ch * sc] : T.Zero;
                        continue;
                    }
                    int x0 = t.X0, y0 = t.Y0, x1 = x0 + 1, y1 = y0 + 1;
                    T fx1 = T.CreateTruncating(x1) - t.Ix, fx0 = t.Ix - T.CreateTruncating(x0);
                    T fy1 = T.CreateTruncating(y1) - t.Iy, fy0 = t.Iy - T.CreateTruncating(y0);
                    T nw = fx1 * fy1, ne = fx0 * fy1, swt = fx1 * fy0, se = fx0 * fy0;
                    bool inNw = Inside(y0, x0, h, w), inNe = Inside(y0, x1, h, w), inSw = Inside(y1, x0, h, w), inSe = Inside(y1, x1, h, w);
                    for (int ch = 0; ch < c; ch++)
                    {
                        int cb = ib + ch * sc;
                        T acc = T.Zero;
                        if (inNw) acc += inp[cb + y0 * sh + x0 * sw] * nw;
                        if (inNe) acc += inp[cb + y0 * sh + x1 * sw] * ne;
                        if (inSw) acc += inp[cb + y1 * sh + x0 * sw] * swt;
                        if (inSe) acc += inp[cb + y1 * sh + x1 * sw] * se;
                        d[o + ch * plane] = acc;
                    }
                }
            }
        });
    }

    /// <inheritdoc/>
    public void GridSampleBackward(DeviceBuffer gradOut, DeviceBuffer input, Layout li, DeviceBuffer grid, Layout lg,
        GridSampleMode mode, GridPadding padding, bool alignCorners, DeviceBuffer? gradInput, DeviceBuffer? gradGrid)
    {
        switch (input.DType)
        {
            case DType.Float32:
                GridSampleBackwardT(Data<float>(gradOut), Data<float>(input), li, Data<float>(grid), lg, mode, padding, alignCorners,
                    gradInput is null ? null : Data<float>(gradInput), gradGrid is null ? null : Data<float>(gradGrid));
                break;
            case DType.Float64:
                GridSampleBackwardT(Data<double>(gradOut), Data<double>(input), li, Data<double>(grid), lg, mode, padding, alignCorners,
                    gradInput is null ? null : Data<double>(gradInput), gradGrid is null ? null : Data<double>(gradGrid));
                break;
            default: throw new NotSupportedException($"GridSampleBackward: {input.DType} is not supported (Float32, Float64).");
        }
    }

    private static void GridSampleBackwardT<T>(T[] go, T[] inp, Layout li, T[] grid, Layout lg, GridSampleMode mode, GridPadding padding, bool align,
        T[]? gi, T[]? gg) where T : IFloatingPointIeee754<T>
    {
        int n = li.Shape[0], c = li.Shape[1], h = li.Shape[2], w = li.Shape[3], oh = lg.Shape[1], ow = lg.Shape[2];
        int sn = li.Strides[0], sc = li.Strides[1], sh = li.Strides[2], sw = li.Strides[3];
        int plane = oh * ow;
        if (gi is not null && c > 0)
        {
            // Input gradient: a scatter. Items are (image, channel block); each gradient element accumulates its
            // contributions in pixel order, whatever the partition.
            int blocks = Math.Min(c, Math.Max(1, (2 * KernelThreads.Threads + n - 1) / Math.Max(n, 1)));
            KernelThreads.For(n * blocks, 1, (a, b) =>
            {
                for (int it = a; it < b; it++)
                {
                    int bn = it / blocks, k = it % blocks;
                    int c0 = c * k / blocks, c1 = c * (k + 1) / blocks;
                    for (int i = 0; i < oh; i++)
                        for (int j = 0; j < ow; j++)
                        {
                            var t = new Tap<T>(grid, lg, bn, i, j, h, w, mode, padding, align);
                            int o = bn * c * plane + i * ow + j;
                            int gb = bn * c * h * w;
                            if (mode == GridSampleMode.Nearest)
                            {
                                if (!Inside(t.Y0, t.X0, h, w)) continue;
                                for (int ch = c0; ch < c1; ch++) gi[gb + ch * h * w + t.Y0 * w + t.X0] += go[o + ch * plane];
                                continue;
                            }
                            int x0 = t.X0, y0 = t.Y0, x1 = x0 + 1, y1 = y0 + 1;
                            T fx1 = T.CreateTruncating(x1) - t.Ix, fx0 = t.Ix - T.CreateTruncating(x0);
                            T fy1 = T.CreateTruncating(y1) - t.Iy, fy0 = t.Iy - T.CreateTruncating(y0);
                            T nw = fx1 * fy1, ne = fx0 * fy1, swt = fx1 * fy0, se = fx0 * fy0;
                            bool inNw = Inside(y0, x0, h, w), inNe = Inside(y0, x1, h, w), inSw = Inside(y1, x0, h, w), inSe = Inside(y1, x1, h, w);
                            for (int ch = c0; ch < c1; ch++)
                            {
                                T g = go[o + ch * plane];
                                int cb = gb + ch * h * w;
                                if (inNw) gi[cb + y0 * w + x0] += nw * g;
                                if (inNe) gi[cb + y0 * w + x1] += ne * g;
                                if (inSw) gi[cb + y1 * w + x0] += swt * g;
                                if (inSe) gi[cb + y1 * w + x1] += se * g;
                            }
                        }
                }
            });
        }
        if (gg is null) return;
        KernelThreads.For(n * oh, Math.Max(1, PoolGrain / Math.Max(1, ow * Math.Max(c, 1))), (a, b) =>
        {
            for (int r = a; r < b; r++)
            {
                int bn = r / oh, i = r % oh;
                for (int j = 0; j < ow; j++)
                {
                    int gOut = (r * ow + j) * 2;
                    if (mode == GridSampleMode.Nearest) { gg[gOut] = T.Zero; gg[gOut + 1] = T.Zero; continue; }
                    var t = new Tap<T>(grid, lg, bn, i, j, h, w, mode, padding, align);
                    int x0 = t.X0, y0 = t.Y0, x1 = x0 + 1, y1 = y0 + 1;
                    T fx1 = T.CreateTruncating(x1) - t.Ix, fx0 = t.Ix - T.CreateTruncating(x0);
                    T fy1 = T.CreateTruncating(y1) - t.Iy, fy0 = t.Iy - T.CreateTruncating(y0);
                    bool inNw = Inside(y0, x0, h, w), inNe = Inside(y0, x1, h, w), inSw = Inside(y1, x0, h, w), inSe = Inside(y1, x1, h, w);
                    T gx = T.Zero, gy = T.Zero;
                    int o = bn * c * plane + i * ow + j;
                    int ib = li.Offset + bn * sn;
                    for (int ch = 0; ch < c; ch++)
                    {
                        T g = go[o + ch * plane];
                        int cb = ib + ch * sc;
                        if (inNw) { T v = inp[cb + y0 * sh + x0 * sw] * g; gx -= v * fy1; gy -= v * fx1; }
                        if (inNe) { T v = inp[cb + y0 * sh + x1 * sw] * g; gx += v * fy1; gy -= v * fx0; }
                        if (inSw) { T v = inp[cb + y1 * sh + x0 * sw] * g; gx -= v * fy0; gy += v * fx1; }
                        if (inSe) { T v = inp[cb + y1 * sh + x1 * sw] * g; gx += v * fy0; gy += v * fx0; }
                    }
                    gg[gOut] = gx * t.Gx;
                    gg[gOut + 1] = gy * t.Gy;
                }
            }
        });
    }
}

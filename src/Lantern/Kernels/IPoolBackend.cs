namespace Lantern.Kernels;

/// <summary>How <see cref="IPoolBackend.GridSample"/> reads the input at a sampling position.</summary>
public enum GridSampleMode
{
    /// <summary>Weighted mean of the 4 surrounding pixels.</summary>
    Bilinear,
    /// <summary>The pixel nearest to the position (ties round half to even, as nearbyint).</summary>
    Nearest,
}

/// <summary>What <see cref="IPoolBackend.GridSample"/> reads outside the input.</summary>
public enum GridPadding
{
    /// <summary>Zero outside the input.</summary>
    Zeros,
    /// <summary>Positions clipped to the border.</summary>
    Border,
    /// <summary>Positions reflected at the border (then clipped).</summary>
    Reflection,
}

/// <summary>
/// Pooling, resampling and sampling kernels of a backend (the seam beside <see cref="IBackend"/>). Inputs are
/// planes: a 3-D layout [P, H, W] with any strides (P = N*C; a 1-D signal is a plane with H = 1). Outputs are
/// contiguous. Work is split over planes (and rows) with a fixed partition, so results never depend on the
/// thread count. Float32 and Float64.
/// </summary>
public interface IPoolBackend
{
    /// <summary>
    /// Separable resample: dst[p, oh, ow] = sum_a sum_b h.W[a] w.W[b] src[p, h.I[a], w.I[b]] over the taps of oh and ow.
    /// dst is contiguous [P, h.OutSize, w.OutSize]; src's H and W equal h.InSize and w.InSize.
    /// </summary>
    void Resample(DeviceBuffer src, Layout ls, ResampleTaps h, ResampleTaps w, DeviceBuffer dst);

    /// <summary>
    /// Max over windows: values[p, oh, ow] = max of src[p, i, j] over i in taps h(oh), j in taps w(ow), scanned row
    /// by row; a strictly greater value or a NaN replaces the running maximum (so the first maximum wins ties and
    /// the last NaN wins, as PyTorch's CPU kernel). indices (Int64, optional) hold i * W + j of the winner.
    /// Every window must be non-empty.
    /// </summary>
    void MaxPool(DeviceBuffer src, Layout ls, ResampleTaps h, ResampleTaps w, DeviceBuffer values, DeviceBuffer? indices);

    /// <summary>
    /// dst[p, l] = src[p, index[p, l]]: src is [P, M] (any strides), index an Int64 [P, L] layout with values in
    /// [0, M) (checked by the caller), dst contiguous [P, L].
    /// </summary>
    void PlaneGather(DeviceBuffer src, Layout ls, DeviceBuffer index, Layout li, DeviceBuffer dst);

    /// <summary>
    /// dst[p, index[p, l]] (+)= src[p, l] in increasing l: src [P, L] (any strides), index Int64 [P, L] with values
    /// in [0, M), dst contiguous [P, M] and already filled. Accumulates when <paramref name="accumulate"/>, else
    /// assigns (the last write wins).
    /// </summary>
    void PlaneScatter(DeviceBuffer src, Layout ls, DeviceBuffer index, Layout li, DeviceBuffer dst, bool accumulate);

    /// <summary>
    /// torch.nn.functional.grid_sample (2-D): dst[n, c, i, j] = input[n, c] sampled at grid[n, i, j] = (x, y) in
    /// [-1, 1] normalised coordinates (x along W). input [N, C, H, W] and grid [N, OH, OW, 2] have any strides;
    /// dst is contiguous [N, C, OH, OW].
    /// </summary>
    void GridSample(DeviceBuffer input, Layout li, DeviceBuffer grid, Layout lg, GridSampleMode mode, GridPadding padding,
        bool alignCorners, DeviceBuffer dst);

    /// <summary>
    /// Gradients of <see cref="GridSample"/> for the output gradient gradOut (contiguous [N, C, OH, OW]):
    /// gradInput (contiguous [N, C, H, W], zero-filled by the caller) and gradGrid (contiguous [N, OH, OW, 2]);
    /// either may be null when not needed. The grid gradient is zero for nearest sampling.
    /// </summary>
    void GridSampleBackward(DeviceBuffer gradOut, DeviceBuffer input, Layout li, DeviceBuffer grid, Layout lg,
        GridSampleMode mode, GridPadding padding, bool alignCorners, DeviceBuffer? gradInput, DeviceBuffer? gradGrid);
}

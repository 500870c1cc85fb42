using Lantern.Kernels;

namespace Lantern.NN;

// Spatial transformer sampling: affine_grid builds sampling positions, grid_sample reads the input there.
public static partial class F
{
    /// <summary>PyTorch's linspace_from_neg_one: linspace(-1, 1, n), scaled by (n-1)/n without align_corners; [0] when n = 1.</summary>
    private static double[] NormalisedPositions(int n, bool alignCorners)
    {
        var r = new double[n];
        if (n <= 1) return r;
        for (int i = 0; i < n; i++)
        {
            double v = -1 + 2.0 * i / (n - 1);
            r[i] = alignCorners ? v : v * (n - 1) / n;
        }
        return r;
    }

    /// <summary>
    /// torch.nn.functional.affine_grid (2-D): grid[n, i, j] = theta[n] · (x_j, y_i, 1), where x_j and y_i are the
    /// normalised pixel positions in [-1, 1] (pixel centres without <paramref name="alignCorners"/>: x_j =
    /// (2j + 1)/W - 1; corner pixels' centres at ±1 with it). theta is [N, 2, 3], size is [N, C, H, W]; the grid is
    /// [N, H, W, 2] with (x, y) last, ready for <see cref="GridSample"/>. Differentiable in theta (a batched matmul).
    /// </summary>
    /// <exception cref="ArgumentException">theta not floating [N, 2, 3], size not 4 positive entries, or batch sizes differ.</exception>
    public static Tensor AffineGrid(Tensor theta, int[] size, bool alignCorners = false)
    {
        const string op = "AffineGrid";
        if (!theta.DType.IsFloatingPoint()) throw new ArgumentException($"{op}: expected theta to have floating point type, but got {theta.DType}.");
        if (size.Length != 4)
            throw new ArgumentException($"{op}: only 2-D affine grids are supported: size must be [N, C, H, W], got [{string.Join(", ", size)}].");
        if (size.Min() <= 0) throw new ArgumentException($"{op}: expected non-zero, positive output size, got [{string.Join(", ", size)}].");
        if (theta.Rank != 3 || theta.Shape[1] != 2 || theta.Shape[2] != 3)
            throw new ArgumentException($"{op}: expected a batch of 2D affine matrices of shape Nx2x3 for size [{string.Join(", ", size)}], got theta of shape {theta.Shape}.");
        if (theta.Shape[0] != size[0])
            throw new ArgumentException($"{op}: theta batch size {theta.Shape[0]} differs from size[0] = {size[0]}.");
        int n = size[0], h = size[2], w = size[3];
        var xs = NormalisedPositions(w, alignCorners);
        var ys = NormalisedPositions(h, alignCorners);
        var base_ = new double[h * w * 3];
        for (int i = 0; i < h; i++)
            for (int j = 0; j < w; j++)
            {
                int o = (i * w + j) * 3;
                base_[o] = xs[j];
                base_[o + 1] = ys[i];
                base_[o + 2] = 1;
            }
        var grid = Tensor.FromArray(base_, [1, h * w, 3]).To(theta.DType).Expand(n, h * w, 3);
        return grid.Bmm(theta.Transpose(1, 2)).Reshape(n, h, w, 2);
    }

    /// <summary>
    /// torch.nn.functional.grid_sample (2-D): output[n, c, i, j] = input[n, c] read at grid[n, i, j] = (x, y), x along
    /// W and y along H in [-1, 1]. The position maps to pixels by ((x + 1) W - 1) / 2 (pixel centres), or
    /// (x + 1)(W - 1) / 2 with <paramref name="alignCorners"/>. "bilinear" weighs the 4 neighbours, "nearest" reads the
    /// nearest pixel (ties to even). paddingMode "zeros" reads 0 outside, "border" clips positions to the edge,
    /// "reflection" reflects them at the edge (PyTorch's reflect_coordinates), then clips. input [N, C, H, W] and grid
    /// [N, OH, OW, 2] give [N, C, OH, OW]. Gradients w.r.t. input and grid (zero grid gradient for nearest, and where a
    /// clip is active); they are not differentiable a second time, as in PyTorch.
    /// </summary>
    /// <exception cref="ArgumentException">Ranks or batch sizes differ from the above, grid's last dim is not 2, dtypes differ or are
    /// not floating, empty spatial dims, or an unknown mode / paddingMode.</exception>
    [Differentiable]
    public static Tensor GridSample(Tensor input, Tensor grid, string mode = "bilinear", string paddingMode = "zeros", bool alignCorners = false)
    {
        const string op = "GridSample";
        var m = mode switch
        {
            "bilinear" => GridSampleMode.Bilinear,
            "nearest" => GridSampleMode.Nearest,
            _ => throw new ArgumentException($"{op}: mode must be 'bilinear' or 'nearest', got '{mode}' (bicubic is not supported)."),
        };
        var p = paddingMode switch
        {
            "zeros" => GridPadding.Zeros,
            "border" => GridPadding.Border,
            "reflection" => GridPadding.Reflection,
            _ => throw new ArgumentException($"{op}: padding_mode must be 'zeros', 'border' or 'reflection', got '{paddingMode}'."),
        };
        if (input.Rank != 4 || grid.Rank != 4)
            throw new ArgumentException($"{op}: expected a 4-D input [N, C, H, W] and a 4-D grid [N, OH, OW, 2], got input {input.Shape} and grid {grid.Shape}.");
        if (grid.Shape[3] != 2) throw new ArgumentException($"{op}: expected grid to have size 2 in its last dimension, got grid {grid.Shape}.");
        if (input.Shape[0] != grid.Shape[0])
            throw new ArgumentException($"{op}: expected grid and input to have the same batch size, got input {input.Shape} and grid {grid.Shape}.");
        if (input.DType != grid.DType || !input.DType.IsFloatingPoint())
            throw new ArgumentException($"{op}: expected floating input and grid of the same dtype, got {input.DType} and {grid.DType}.");
        if (input.Shape[2] == 0 || input.Shape[3] == 0)
            throw new ArgumentException($"{op}: expected input to have non-empty spatial dimensions, got {input.Shape}.");
        return Tensor.GridSamplePlanes(input, grid, m, p, alignCorners);
    }
}

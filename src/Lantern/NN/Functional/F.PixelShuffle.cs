namespace Lantern.NN;

// Sub-pixel rearrangements (ESPCN): channels <-> spatial blocks, pure reshape / permute / reshape.
public static partial class F
{
    /// <summary>
    /// torch.nn.functional.pixel_shuffle: [*, C r², H, W] -> [*, C, H r, W r] with
    /// y[..., c, h r + i, w r + j] = x[..., c r² + i r + j, h, w] (a reshape, permute and reshape; differentiable).
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than 3 dims, upscaleFactor &lt;= 0, or channels not divisible by its square.</exception>
    public static Tensor PixelShuffle(Tensor input, int upscaleFactor)
    {
        const string op = "PixelShuffle";
        if (input.Rank < 3) throw new ArgumentException($"{op}: expected an input of at least 3 dims [*, C, H, W], got {input.Shape}.");
        if (upscaleFactor <= 0) throw new ArgumentException($"{op}: upscale_factor must be greater than 0, got {upscaleFactor}.");
        int r = upscaleFactor, c = input.Shape[-3], h = input.Shape[-2], w = input.Shape[-1];
        if (c % (r * r) != 0)
            throw new ArgumentException($"{op}: expected the channel dimension to be divisible by the square of upscale_factor, but input.size(-3)={c} is not divisible by {r * r} (input {input.Shape}).");
        var lead = input.Shape.ToArray()[..^3];
        int b = lead.Aggregate(1, (a, v) => a * v), oc = c / (r * r);
        return input.Reshape(b, oc, r, r, h, w).Permute(0, 1, 4, 2, 5, 3).Reshape([.. lead, oc, h * r, w * r]);
    }

    /// <summary>
    /// torch.nn.functional.pixel_unshuffle, the inverse of <see cref="PixelShuffle"/>: [*, C, H r, W r] -> [*, C r², H, W].
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than 3 dims, downscaleFactor &lt;= 0, or H or W not divisible by it.</exception>
    public static Tensor PixelUnshuffle(Tensor input, int downscaleFactor)
    {
        const string op = "PixelUnshuffle";
        if (input.Rank < 3) throw new ArgumentException($"{op}: expected an input of at least 3 dims [*, C, H, W], got {input.Shape}.");
        if (downscaleFactor <= 0) throw new ArgumentException($"{op}: downscale_factor must be greater than 0, got {downscaleFactor}.");
        int r = downscaleFactor, c = input.Shape[-3], h = input.Shape[-2], w = input.Shape[-1];
        if (h % r != 0 || w % r != 0)
            throw new ArgumentException($"{op}: expected height {h} and width {w} to be divisible by downscale_factor {r} (input {input.Shape}).");
        var lead = input.Shape.ToArray()[..^3];
        int b = lead.Aggregate(1, (a, v) => a * v);
        return input.Reshape(b, c, h / r, r, w / r, r).Permute(0, 1, 3, 5, 2, 4).Reshape([.. lead, c * r * r, h / r, w / r]);
    }
}

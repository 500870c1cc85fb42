using Lantern.NN;

namespace Lantern.Vision.Transforms;

/// <summary>How <see cref="TF.Pad"/> fills the border (torchvision's padding_mode).</summary>
public enum PaddingMode
{
    /// <summary>A constant fill value.</summary>
    Constant,
    /// <summary>Repeat the last pixel ([1,2,3] by 2: 1 1 1 2 3 3 3).</summary>
    Edge,
    /// <summary>Mirror without repeating the edge ([1,2,3] by 2: 3 2 1 2 3 2 1).</summary>
    Reflect,
    /// <summary>Mirror repeating the edge ([1,2,3] by 2: 2 1 1 2 3 3 2).</summary>
    Symmetric,
}

/// <summary>
/// Functional image transforms on tensors [..., C, H, W] (torchvision.transforms.v2.functional): each takes its
/// parameters explicitly; the random transforms draw parameters and call these.
/// </summary>
public static partial class TF
{
    /// <summary>Reverses the width dim (torchvision's horizontal_flip).</summary>
    public static Tensor HorizontalFlip(Tensor image)
    {
        Transform.CheckImage(image, "HorizontalFlip");
        return image.Flip([-1]);
    }

    /// <summary>Reverses the height dim (torchvision's vertical_flip).</summary>
    public static Tensor VerticalFlip(Tensor image)
    {
        Transform.CheckImage(image, "VerticalFlip");
        return image.Flip([-2]);
    }

    /// <summary>
    /// The window rows [top, top + height), cols [left, left + width) (torchvision v2's crop): parts of the window
    /// outside the image are zeros.
    /// </summary>
    /// <exception cref="ArgumentException">Rank below 3, or a non-positive height / width.</exception>
    public static Tensor Crop(Tensor image, int top, int left, int height, int width)
    {
        Transform.CheckImage(image, "Crop");
        if (height <= 0 || width <= 0) throw new ArgumentException($"Crop: height and width must be positive, got {height}x{width}.");
        int h = image.Shape[-2], w = image.Shape[-1], right = left + width, bottom = top + height;
        int r = image.Rank;
        if (left < 0 || top < 0 || right > w || bottom > h)
        {
            var inside = image.Slice(r - 2, Math.Max(top, 0), Math.Max(bottom, 0)).Slice(r - 1, Math.Max(left, 0), Math.Max(right, 0));
            int[] pad = [Math.Max(Math.Min(right, 0) - left, 0), Math.Max(right - Math.Max(w, left), 0), Math.Max(Math.Min(bottom, 0) - top, 0), Math.Max(bottom - Math.Max(h, top), 0)];
            return inside.Pad(pad, PadMode.Constant, 0);
        }
        return image.Slice(r - 2, top, bottom).Slice(r - 1, left, right);
    }

    /// <summary>
    /// Pads the border (torchvision's pad). <paramref name="padding"/>: one value (all sides), two (left/right, top/bottom)
    /// or four (left, top, right, bottom). Reflect needs each pad below the size of its dim, symmetric at most the size.
    /// </summary>
    /// <exception cref="ArgumentException">Another padding length, a negative pad, or a reflect/symmetric pad too large.</exception>
    public static Tensor Pad(Tensor image, int[] padding, double fill = 0, PaddingMode mode = PaddingMode.Constant)
    {
        Transform.CheckImage(image, "Pad");
        var (l, t, r, b) = PadSides(padding, "Pad");
        if (l == 0 && t == 0 && r == 0 && b == 0) return image;
        if (mode == PaddingMode.Constant) return image.Pad([l, r, t, b], PadMode.Constant, fill);
        int h = image.Shape[-2], w = image.Shape[-1];
        var rows = PadIndex(h, t, b, mode);
        var cols = PadIndex(w, l, r, mode);
        return image.IndexSelect(image.Rank - 2, rows).IndexSelect(image.Rank - 1, cols);
    }

    internal static (int L, int T, int R, int B) PadSides(int[] padding, string op)
    {
        if (padding.Any(p => p < 0)) throw new ArgumentException($"{op}: padding must be non-negative, got [{string.Join(", ", padding)}].");
        return padding.Length switch
        {
            1 => (padding[0], padding[0], padding[0], padding[0]),
            2 => (padding[0], padding[1], padding[0], padding[1]),
            4 => (padding[0], padding[1], padding[2], padding[3]),
            _ => throw new ArgumentException($"{op}: padding must have 1, 2 or 4 elements, got {padding.Length}."),
        };
    }

    private static Tensor PadIndex(int n, int before, int after, PaddingMode mode)
    {
        int limit = mode == PaddingMode.Reflect ? n - 1 : n;
        if (mode != PaddingMode.Edge && (before > limit || after > limit))
            throw new ArgumentException($"Pad: {mode} padding of ({before}, {after}) is too large for a dim of size {n} (at most {limit}).");
        var idx = new long[before + n + after];
        for (int k = 0; k < idx.Length; k++)
        {
            int i = k - before;
            idx[k] = mode switch
            {
                PaddingMode.Edge => Math.Clamp(i, 0, n - 1),
                PaddingMode.Reflect => i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i,
                _ => i < 0 ? -i - 1 : i >= n ? 2 * n - 1 - i : i,
            };
        }
        return Tensor.FromArray(idx);
    }

    /// <summary>
    /// The central height x width window (torchvision's center_crop): a window larger than the image is zero padded
    /// first ((crop - size) // 2 before, the rest after); the offset is round((size - crop) / 2), ties to even as Python.
    /// </summary>
    public static Tensor CenterCrop(Tensor image, int height, int width)
    {
        Transform.CheckImage(image, "CenterCrop");
        if (height <= 0 || width <= 0) throw new ArgumentException($"CenterCrop: size must be positive, got {height}x{width}.");
        int h = image.Shape[-2], w = image.Shape[-1];
        if (height > h || width > w)
        {
            int[] pad = [width > w ? (width - w) / 2 : 0, height > h ? (height - h) / 2 : 0, width > w ? (width - w + 1) / 2 : 0, height > h ? (height - h + 1) / 2 : 0];
            image = Pad(image, pad);
            h = image.Shape[-2];
            w = image.Shape[-1];
            if (height == h && width == w) return image;
        }
        int top = (int)Math.Round((h - height) / 2.0, MidpointRounding.ToEven), left = (int)Math.Round((w - width) / 2.0, MidpointRounding.ToEven);
        return Crop(image, top, left, height, width);
    }

    /// <summary>
    /// torchvision's output size of resize: one size s makes the smaller edge s and the other int(s * long / short)
    /// (then, with maxSize, caps the longer edge at maxSize scaling the shorter by int(maxSize * short / long)); two
    /// sizes are (height, width).
    /// </summary>
    /// <exception cref="ArgumentException">Not 1 or 2 sizes, a non-positive size, maxSize with two sizes, or maxSize &lt;= size.</exception>
    public static (int Height, int Width) ResizedOutputSize(int height, int width, int[] size, int? maxSize = null)
    {
        if (size.Length is not (1 or 2) || size.Any(s => s <= 0))
            throw new ArgumentException($"Resize: size must be one or two positive values, got [{string.Join(", ", size)}].");
        if (size.Length == 2)
        {
            if (maxSize != null) throw new ArgumentException("Resize: maxSize should only be passed if size specifies the length of the smaller edge, i.e. size has one value.");
            return (size[0], size[1]);
        }
        int shortSide = Math.Min(height, width), longSide = Math.Max(height, width);
        int newShort = size[0], newLong = (int)(newShort * (double)longSide / shortSide);
        if (maxSize is { } max)
        {
            if (max <= size[0]) throw new ArgumentException($"Resize: maxSize = {max} must be strictly greater than the requested size for the smaller edge = {size[0]}.");
            if (newLong > max) (newShort, newLong) = ((int)(max * (double)newShort / newLong), max);
        }
        return width <= height ? (newLong, newShort) : (newShort, newLong);
    }

    /// <summary>
    /// Resizes to <see cref="ResizedOutputSize"/> with <see cref="F.Interpolate"/> (antialias off: torchvision's
    /// antialias=False; with downscaling by more than 2 torchvision's default antialias=True would differ). UInt8
    /// images are interpolated in float32 and rounded back (torchvision's generic path; its native uint8 bilinear CPU
    /// kernel can differ by 1). The same size returns the input.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="ResizedOutputSize"/>, or rank below 3.</exception>
    public static Tensor Resize(Tensor image, int[] size, InterpolationMode interpolation = InterpolationMode.Bilinear, int? maxSize = null)
    {
        Transform.CheckImage(image, "Resize");
        int h = image.Shape[-2], w = image.Shape[-1];
        var (oh, ow) = ResizedOutputSize(h, w, size, maxSize);
        if (oh == h && ow == w) return image;
        return Planes(image, x => interpolation == InterpolationMode.Nearest
            ? F.Interpolate(x, size: [oh, ow], mode: "nearest")
            : F.Interpolate(x, size: [oh, ow], mode: "bilinear", alignCorners: false));
    }

    /// <summary>Crop then resize (torchvision's resized_crop).</summary>
    public static Tensor ResizedCrop(Tensor image, int top, int left, int height, int width, int[] size, InterpolationMode interpolation = InterpolationMode.Bilinear) =>
        Resize(Crop(image, top, left, height, width), size, interpolation);

    /// <summary>
    /// Runs <paramref name="op"/> on the image as [N, C, H, W] in float (UInt8 is converted to Float32 and rounded
    /// back, half to even) and restores the leading dims.
    /// </summary>
    internal static Tensor Planes(Tensor image, Func<Tensor, Tensor> op)
    {
        var dims = image.Shape.ToArray();
        int c = dims[^3], h = dims[^2], w = dims[^1];
        var x = image.Reshape(-1, c, h, w);
        bool cast = !image.DType.IsFloatingPoint();
        var y = op(cast ? x.To(DType.Float32) : x);
        if (cast) y = (image.DType == DType.UInt8 ? y.Round().Clamp(0, 255) : y.Round()).To(image.DType);
        var outDims = dims[..^3].Concat(y.Shape.ToArray()[1..]).ToArray();
        return y.Reshape(outDims);
    }
}

using Lantern.NN;

namespace Lantern.Vision.Transforms;

// Dtype conversion, normalisation and colour adjustments as torchvision.transforms.v2.functional, on [..., C, H, W].
public static partial class TF
{
    /// <summary>
    /// torchvision's to_dtype for images. Without <paramref name="scale"/> a plain cast. With it: UInt8 -> float is
    /// x * (1 / 255); float -> UInt8 is (x * (255 + 1 - 1e-3)) truncated; float -> float and UInt8 -> UInt8 are casts.
    /// </summary>
    /// <exception cref="ArgumentException">A dtype other than UInt8, Float32 or Float64 with scale.</exception>
    public static Tensor ToDtype(Tensor image, DType dtype, bool scale = false)
    {
        if (image.DType == dtype) return image;
        if (!scale) return image.To(dtype);
        bool fromFloat = image.DType.IsFloatingPoint(), toFloat = dtype.IsFloatingPoint();
        if ((!fromFloat && image.DType != DType.UInt8) || (!toFloat && dtype != DType.UInt8))
            throw new ArgumentException($"ToDtype: scaling supports UInt8, Float32 and Float64 images, got {image.DType} -> {dtype}.");
        if (fromFloat && toFloat) return image.To(dtype);
        if (!fromFloat) return image.To(dtype).Mul(1.0 / 255);
        return image.Mul(255 + 1.0 - 1e-3).To(dtype);
    }

    /// <summary>torchvision's to_tensor arithmetic on a UInt8 [..., C, H, W] tensor: Float32 x / 255 (other dtypes pass through).</summary>
    public static Tensor ToTensor(Tensor image) => image.DType == DType.UInt8 ? image.To(DType.Float32).Div(255) : image;

    /// <summary>(x - mean[c]) / std[c] per channel (torchvision's normalize); mean and std have 1 or C values.</summary>
    /// <exception cref="ArgumentException">A non-floating image, lengths other than 1 or C, or a zero std.</exception>
    public static Tensor Normalize(Tensor image, double[] mean, double[] std)
    {
        Transform.CheckImage(image, "Normalize");
        if (!image.DType.IsFloatingPoint())
            throw new ArgumentException($"Normalize: input tensor should be a float tensor, got {image.DType} (convert with ToDtype(Float32, scale: true) first).");
        int c = image.Shape[-3];
        if (mean.Length is not 1 && mean.Length != c || std.Length is not 1 && std.Length != c)
            throw new ArgumentException($"Normalize: mean ({mean.Length} values) and std ({std.Length} values) need 1 or {c} (channel count) values for an image of shape {image.Shape}.");
        if (std.Any(s => (image.DType == DType.Float32 ? (float)s : s) == 0))
            throw new ArgumentException($"Normalize: std evaluated to zero after conversion to {image.DType}, leading to division by zero (std = [{string.Join(", ", std)}]).");
        var m = Tensor.FromArray(mean, [mean.Length, 1, 1]).To(image.DType);
        var s = Tensor.FromArray(std, [std.Length, 1, 1]).To(image.DType);
        return image.Sub(m).Div(s);
    }

    /// <summary>
    /// ITU-R 601-2 luma L = 0.2989 R + 0.587 G + 0.114 B (torchvision's rgb_to_grayscale), repeated to
    /// <paramref name="numOutputChannels"/> (1 or 3). A UInt8 image gives a UInt8 result (truncated, as torchvision's
    /// cast); a 1-channel image is copied.
    /// </summary>
    /// <exception cref="ArgumentException">numOutputChannels not 1 or 3, or an image with neither 1 nor 3 channels.</exception>
    public static Tensor RgbToGrayscale(Tensor image, int numOutputChannels = 1)
    {
        Transform.CheckImage(image, "Grayscale");
        if (numOutputChannels is not (1 or 3)) throw new ArgumentException($"Grayscale: numOutputChannels must be 1 or 3, got {numOutputChannels}.");
        int c = image.Shape[-3];
        if (c is not (1 or 3)) throw new ArgumentException($"Grayscale: input image must have 1 or 3 channels, got {c} (shape {image.Shape}).");
        var gray = c == 1 ? image.Clone() : Luma(image).To(image.DType);
        if (numOutputChannels == 3) gray = gray.Expand([.. image.Shape.ToArray()[..^3], 3, image.Shape[-2], image.Shape[-1]]).Contiguous();
        return gray;
    }

    // 0.2989 R + 0.587 G + 0.114 B as [..., 1, H, W] in float (Float32 for UInt8 input), evaluated as torchvision:
    // r.mul(0.2989).add_(g, alpha=0.587).add_(b, alpha=0.114).
    private static Tensor Luma(Tensor image)
    {
        var x = image.DType.IsFloatingPoint() ? image : image.To(DType.Float32);
        int r = image.Rank - 3;
        var l = x.Select(r, 0).Mul(0.2989).Add(x.Select(r, 1), 0.587).Add(x.Select(r, 2), 0.114);
        return l.Unsqueeze(r);
    }

    private static double Bound(Tensor image) => image.DType.IsFloatingPoint() ? 1.0 : 255.0;

    // torchvision's _blend: (ratio * a + (1 - ratio) * b).clamp(0, bound), cast back for integer images.
    private static Tensor Blend(Tensor a, Tensor b, double ratio)
    {
        var fa = a.DType.IsFloatingPoint() ? a : a.To(DType.Float32);
        var y = fa.Mul(ratio).Add(b.To(fa.DType), 1.0 - ratio).Clamp(0, Bound(a));
        return a.DType.IsFloatingPoint() ? y : y.To(a.DType);
    }

    /// <summary>x * factor, clamped to [0, 1] (float) or [0, 255] (UInt8) (torchvision's adjust_brightness).</summary>
    /// <exception cref="ArgumentException">A negative factor.</exception>
    public static Tensor AdjustBrightness(Tensor image, double factor)
    {
        Transform.CheckImage(image, "AdjustBrightness");
        if (factor < 0) throw new ArgumentException($"AdjustBrightness: brightness factor ({factor}) is not non-negative.");
        return Blend(image, Tensor.Zeros([1], image.DType.IsFloatingPoint() ? image.DType : DType.Float32), factor);
    }

    /// <summary>
    /// Blend with the mean of the grayscale image (floored for UInt8), per image over C, H, W
    /// (torchvision's adjust_contrast); 1-channel images use themselves as grayscale.
    /// </summary>
    public static Tensor AdjustContrast(Tensor image, double factor)
    {
        Transform.CheckImage(image, "AdjustContrast");
        if (factor < 0) throw new ArgumentException($"AdjustContrast: contrast factor ({factor}) is not non-negative.");
        int c = image.Shape[-3];
        if (c is not (1 or 3)) throw new ArgumentException($"AdjustContrast: input image must have 1 or 3 channels, got {c}.");
        var gray = c == 3 ? Luma(image) : image.DType.IsFloatingPoint() ? image : image.To(DType.Float32);
        if (!image.DType.IsFloatingPoint()) gray = gray.Floor();
        int r = image.Rank;
        var mean = gray.Mean([r - 3, r - 2, r - 1], keepDim: true);
        return Blend(image, mean, factor);
    }

    /// <summary>Blend with the grayscale image (floored for UInt8) (torchvision's adjust_saturation); 1-channel images are returned as is.</summary>
    public static Tensor AdjustSaturation(Tensor image, double factor)
    {
        Transform.CheckImage(image, "AdjustSaturation");
        if (factor < 0) throw new ArgumentException($"AdjustSaturation: saturation factor ({factor}) is not non-negative.");
        int c = image.Shape[-3];
        if (c == 1) return image;
        if (c != 3) throw new ArgumentException($"AdjustSaturation: input image must have 1 or 3 channels, got {c}.");
        var gray = Luma(image);
        if (!image.DType.IsFloatingPoint()) gray = gray.Floor();
        return Blend(image, gray, factor);
    }

    /// <summary>
    /// Shifts the hue by <paramref name="factor"/> in [-0.5, 0.5] turns (torchvision's adjust_hue): RGB -> HSV
    /// (Pillow's formulas, as torchvision's _rgb_to_hsv), h = (h + factor) mod 1, HSV -> RGB; UInt8 images go through
    /// float x / 255 and back (ToDtype with scale). 1-channel images are returned as is.
    /// </summary>
    /// <exception cref="ArgumentException">factor outside [-0.5, 0.5], or not 1 or 3 channels.</exception>
    public static Tensor AdjustHue(Tensor image, double factor)
    {
        Transform.CheckImage(image, "AdjustHue");
        if (factor is < -0.5 or > 0.5) throw new ArgumentException($"AdjustHue: hue factor ({factor}) is not in [-0.5, 0.5].");
        int c = image.Shape[-3];
        if (c == 1) return image;
        if (c != 3) throw new ArgumentException($"AdjustHue: input image must have 1 or 3 channels, got {c}.");
        var x = ToDtype(image, DType.Float32, scale: true).Contiguous();
        var data = x.ToArray<float>();
        int plane = image.Shape[-2] * image.Shape[-1], n = data.Length / (3 * plane);
        var outp = new float[data.Length];
        float hf = (float)factor;
        for (int b = 0; b < n; b++)
            for (int p = 0; p < plane; p++)
            {
                int o = b * 3 * plane + p;
                var (h, s, v) = RgbToHsv(data[o], data[o + plane], data[o + 2 * plane]);
                h += hf;
                h -= MathF.Floor(h);   // torch.remainder(h, 1.0)
                var (r, g, bl) = HsvToRgb(h, s, v);
                outp[o] = r; outp[o + plane] = g; outp[o + 2 * plane] = bl;
            }
        var y = Tensor.FromArray(outp, x.Shape);
        return image.DType == DType.Float32 ? y : ToDtype(y, image.DType, scale: true);
    }

    internal static (float H, float S, float V) RgbToHsv(float r, float g, float b)
    {
        float maxc = MathF.Max(r, MathF.Max(g, b)), minc = MathF.Min(r, MathF.Min(g, b));
        bool eqc = maxc == minc;
        float range = maxc - minc;
        float s = range / (eqc ? 1f : maxc);
        float div = eqc ? 1f : range;
        float rc = (maxc - r) / div, gc = (maxc - g) / div, bc = (maxc - b) / div;
        bool neqR = maxc != r, eqG = maxc == g;
        float hr = !neqR ? bc - gc : 0f;
        float hg = eqG && neqR ? 2f + rc - bc : 0f;
        float hb = neqR && !eqG ? 4f + gc - rc : 0f;
        float h = hr + hg + hb;
        h = h * (1f / 6f) + 1f;
        h = h % 1f;   // fmod
        return (h, s, maxc);
    }

    internal static (float R, float G, float B) HsvToRgb(float h, float s, float v)
    {
        float h6 = h * 6f, fi = MathF.Floor(h6), f = h6 - fi;
        int i = ((int)fi % 6 + 6) % 6;
        float sxf = s * f, oneMinusS = 1f - s;
        float q = Math.Clamp((1f - sxf) * v, 0f, 1f), t = Math.Clamp((sxf + oneMinusS) * v, 0f, 1f), p = Math.Clamp(oneMinusS * v, 0f, 1f);
        return i switch
        {
            0 => (v, t, p),
            1 => (q, v, p),
            2 => (p, v, t),
            3 => (p, q, v),
            4 => (t, p, v),
            _ => (v, p, q),
        };
    }

    /// <summary>
    /// torchvision's Gaussian kernel: k_i = exp(-x_i^2 / (2 sigma^2)) / sum, x_i = i - (size - 1) / 2, i = 0..size-1.
    /// </summary>
    public static double[] GaussianKernel1d(int size, double sigma)
    {
        double half = (size - 1) * 0.5;
        var k = new double[size];
        for (int i = 0; i < size; i++) k[i] = Math.Exp(-0.5 * Math.Pow((i - half) / sigma, 2));
        double sum = k.Sum();
        for (int i = 0; i < size; i++) k[i] /= sum;
        return k;
    }

    /// <summary>
    /// Gaussian blur (torchvision's gaussian_blur): reflect padding by kernel // 2, then the separable kernel
    /// <see cref="GaussianKernel1d"/> (x and y sizes/sigmas) as a depthwise convolution; UInt8 images are blurred in
    /// float32 and rounded back.
    /// </summary>
    /// <exception cref="ArgumentException">Even or non-positive kernel sizes, non-positive sigmas, or a pad not below the image size.</exception>
    public static Tensor GaussianBlur(Tensor image, (int X, int Y) kernelSize, (double X, double Y) sigma)
    {
        Transform.CheckImage(image, "GaussianBlur");
        if (kernelSize.X <= 0 || kernelSize.Y <= 0 || kernelSize.X % 2 == 0 || kernelSize.Y % 2 == 0)
            throw new ArgumentException($"GaussianBlur: kernel size should be odd and positive, got ({kernelSize.X}, {kernelSize.Y}).");
        if (!(sigma.X > 0) || !(sigma.Y > 0)) throw new ArgumentException($"GaussianBlur: sigma should have positive values, got ({sigma.X}, {sigma.Y}).");
        int c = image.Shape[-3];
        var kx = GaussianKernel1d(kernelSize.X, sigma.X);
        var ky = GaussianKernel1d(kernelSize.Y, sigma.Y);
        var k2 = new double[kernelSize.Y * kernelSize.X];
        for (int i = 0; i < kernelSize.Y; i++) for (int j = 0; j < kernelSize.X; j++) k2[i * kernelSize.X + j] = ky[i] * kx[j];
        int px = kernelSize.X / 2, py = kernelSize.Y / 2;
        return Planes(image, x =>
        {
            var w = Tensor.FromArray(k2, [1, 1, kernelSize.Y, kernelSize.X]).To(x.DType).Expand(c, 1, kernelSize.Y, kernelSize.X).Contiguous();
            var padded = Pad(x, [px, py, px, py], mode: PaddingMode.Reflect);
            return F.Conv2d(padded, w, groups: c);
        });
    }

    /// <summary>
    /// Replaces rows [top, top + height) and cols [left, left + width) of every channel by <paramref name="value"/>
    /// (broadcast to [C, height, width]) (torchvision's erase; not in place).
    /// </summary>
    public static Tensor Erase(Tensor image, int top, int left, int height, int width, Tensor value)
    {
        Transform.CheckImage(image, "Erase");
        var y = image.Clone();
        int r = image.Rank;
        var window = y.Narrow(r - 2, top, height).Narrow(r - 1, left, width);
        window.Copy_(value.To(image.DType).Expand(window.Shape.ToArray()));
        return y;
    }
}

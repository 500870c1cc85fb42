using Lantern.Kernels;

namespace Lantern.Vision;

public sealed partial class Image
{
    /// <summary>
    /// The pixels as a [C, H, W] tensor that shares this image's buffer (no copy, for any image including ROIs):
    /// strides [1, RowStride, C], dtype UInt8 or Float32. The view is channels-last in memory, hence not contiguous;
    /// <c>.Contiguous()</c> makes the planar copy a model may want. Values are not rescaled (see <see cref="ToFloatTensor"/>).
    /// </summary>
    public Tensor ToTensor() => _root.AsStrided([Channels, Height, Width], [1, RowStride, Channels], Offset);

    /// <summary>The pixels as an [H, W, C] tensor view sharing this image's buffer (strides [RowStride, C, 1]; no copy).</summary>
    public Tensor ToTensorHwc() => _root.AsStrided([Height, Width, Channels], [RowStride, Channels, 1], Offset);

    /// <summary>
    /// A new contiguous Float32 [C, H, W] tensor, UInt8 values multiplied by <paramref name="scale"/> (default 1/255, as
    /// torchvision's ToTensor). A copy is unavoidable: the element type changes.
    /// </summary>
    public Tensor ToFloatTensor(double scale = 1.0 / 255.0)
    {
        var t = ToTensor().To(DType.Float32);
        return scale == 1.0 ? t.Contiguous() : t.Mul(scale).Contiguous();
    }

    /// <summary>
    /// An image over a [C, H, W] tensor (or [H, W] for one channel), UInt8 or Float32. When the tensor is channels-last
    /// in memory (strides [1, s, C] with s &gt;= W * C, as produced by <see cref="ToTensor"/> or by permuting an HWC tensor)
    /// the image shares the tensor's storage; otherwise the pixels are copied (a planar CHW tensor cannot be viewed as HWC).
    /// </summary>
    /// <param name="chw">[C, H, W] with C in {1, 3, 4}, or [H, W].</param>
    /// <param name="order">Channel order; default Gray / Rgb / Rgba.</param>
    /// <exception cref="ArgumentException">Wrong rank, channel count or dtype, or an empty tensor.</exception>
    public static Image FromTensor(Tensor chw, ChannelOrder? order = null)
    {
        if (chw.Rank == 2) chw = chw.Unsqueeze(0);
        if (chw.Rank != 3)
            throw new ArgumentException($"Image.FromTensor: expected a [C, H, W] or [H, W] tensor, got shape {chw.Shape}.");
        return FromHwcView(chw.Permute(1, 2, 0), order, "Image.FromTensor");
    }

    /// <summary>
    /// An image over an [H, W, C] tensor (or [H, W]); shares the storage when strides are [s, C, 1] with s &gt;= W * C,
    /// otherwise copies. Same rules as <see cref="FromTensor"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Wrong rank, channel count or dtype, or an empty tensor.</exception>
    public static Image FromTensorHwc(Tensor hwc, ChannelOrder? order = null)
    {
        if (hwc.Rank == 2) hwc = hwc.Unsqueeze(2);
        if (hwc.Rank != 3)
            throw new ArgumentException($"Image.FromTensorHwc: expected an [H, W, C] or [H, W] tensor, got shape {hwc.Shape}.");
        return FromHwcView(hwc, order, "Image.FromTensorHwc");
    }

    private static Image FromHwcView(Tensor hwc, ChannelOrder? order, string op)
    {
        int h = hwc.Size(0), w = hwc.Size(1), c = hwc.Size(2);
        if (h < 1 || w < 1 || c is not (1 or 3 or 4))
            throw new ArgumentException($"{op}: shape (as HWC) [{h}, {w}, {c}] needs H, W >= 1 and C in {{1, 3, 4}}.");
        if (hwc.DType is not (DType.UInt8 or DType.Float32))
            throw new ArgumentException($"{op}: dtype {hwc.DType}; an image is UInt8 or Float32.");
        var depth = hwc.DType == DType.UInt8 ? PixelDepth.UInt8 : PixelDepth.Float32;
        var o = ResolveOrder(op, c, order);
        hwc = hwc.Detach();
        int sh = hwc.Stride(0), sw = hwc.Stride(1), sc = hwc.Stride(2);
        bool channelsLast = (c == 1 || sc == 1) && (w == 1 || sw == c) && (h == 1 || sh >= w * c);
        if (channelsLast && hwc.Storage.Buffer is CpuBuffer<byte> or CpuBuffer<float>)
        {
            var storage = hwc.Storage;
            var root = hwc.AsStrided([storage.Length], [1], 0);
            Array data = depth == PixelDepth.UInt8 ? ((CpuBuffer<byte>)storage.Buffer).Data : ((CpuBuffer<float>)storage.Buffer).Data;
            int rowStride = h == 1 ? w * c : sh;
            return new Image(root, data, hwc.StorageOffset, rowStride, w, h, c, depth, o);
        }
        var img = new Image(w, h, c, depth, o);
        img.ToTensorHwc().Copy_(hwc);
        return img;
    }

    /// <summary>
    /// Stacks same-sized images into a new contiguous [N, C, H, W] tensor (planar, what models take). One copy,
    /// unavoidable: the images live in separate buffers.
    /// </summary>
    /// <exception cref="ArgumentException">No images, or images that differ in size, channels or depth.</exception>
    public static Tensor ToBatch(IReadOnlyList<Image> images)
    {
        if (images.Count == 0) throw new ArgumentException("Image.ToBatch: no images.");
        var f = images[0];
        var ts = new Tensor[images.Count];
        for (int i = 0; i < ts.Length; i++)
        {
            var im = images[i];
            if (im.Width != f.Width || im.Height != f.Height || im.Channels != f.Channels || im.Depth != f.Depth)
                throw new ArgumentException($"Image.ToBatch: image {i} is {im.Describe()} but image 0 is {f.Describe()}.");
            ts[i] = im.ToTensor();
        }
        return Tensor.Stack(ts, 0);
    }

    /// <summary>
    /// Splits an [N, C, H, W] tensor into N images (each through <see cref="FromTensor"/>: shared storage when the batch is
    /// channels-last in memory, copies otherwise).
    /// </summary>
    /// <exception cref="ArgumentException">Not rank 4, or an image shape <see cref="FromTensor"/> rejects.</exception>
    public static Image[] FromBatch(Tensor nchw, ChannelOrder? order = null)
    {
        if (nchw.Rank != 4) throw new ArgumentException($"Image.FromBatch: expected an [N, C, H, W] tensor, got shape {nchw.Shape}.");
        var r = new Image[nchw.Size(0)];
        for (int i = 0; i < r.Length; i++) r[i] = FromTensor(nchw.Select(0, i), order);
        return r;
    }

    /// <summary>A new continuous image holding a copy of <paramref name="hwc"/> (row-major, interleaved channels).</summary>
    /// <exception cref="ArgumentException">Array length differs from width * height * channels, or bad geometry.</exception>
    public static Image FromPixels<T>(T[] hwc, int width, int height, int channels, ChannelOrder? order = null) where T : unmanaged
    {
        CheckGeometry("Image.FromPixels", width, height, channels);
        var depth = typeof(T) == typeof(byte) ? PixelDepth.UInt8 : typeof(T) == typeof(float) ? PixelDepth.Float32
            : throw new ArgumentException($"Image.FromPixels: element type {typeof(T).Name}; an image holds byte or float.");
        if (hwc.Length != (long)width * height * channels)
            throw new ArgumentException($"Image.FromPixels: {hwc.Length} elements for a {width}x{height}x{channels} image (needs {(long)width * height * channels}).");
        var img = new Image(width, height, channels, depth, order);
        System.Array.Copy(hwc, img._data, hwc.Length);
        return img;
    }

    /// <summary>The pixels as a new row-major HWC array (no gaps; a copy).</summary>
    /// <exception cref="ArgumentException">T does not match the depth.</exception>
    public T[] ToPixels<T>() where T : unmanaged
    {
        var src = Buffer<T>("Image.ToPixels");
        var r = new T[ElementCount];
        int n = Width * Channels;
        for (int y = 0; y < Height; y++) System.Array.Copy(src, Offset + y * RowStride, r, y * n, n);
        return r;
    }
}

using Lantern.Kernels;

namespace Lantern.Vision;

/// <summary>Element type of an <see cref="Image"/> (OpenCV's CV_8U and CV_32F).</summary>
public enum PixelDepth
{
    /// <summary>Unsigned 8-bit, 0..255 (CV_8U).</summary>
    UInt8,
    /// <summary>32-bit float (CV_32F); colour conversions treat 0..1 as the full range, as OpenCV does.</summary>
    Float32,
}

/// <summary>What the channels of an <see cref="Image"/> hold, in memory order. Lantern's default is RGB; OpenCV's is BGR.</summary>
public enum ChannelOrder
{
    /// <summary>One channel, luma or any single-plane data.</summary>
    Gray,
    /// <summary>Red, green, blue (Lantern's default for 3 channels; what decoders return).</summary>
    Rgb,
    /// <summary>Blue, green, red (OpenCV's default for 3 channels).</summary>
    Bgr,
    /// <summary>Red, green, blue, alpha.</summary>
    Rgba,
    /// <summary>Blue, green, red, alpha (OpenCV's 4-channel order).</summary>
    Bgra,
    /// <summary>Hue, saturation, value (output of <see cref="Cv.CvtColor"/> *ToHsv*).</summary>
    Hsv,
    /// <summary>Luma, red difference, blue difference (JPEG's YCbCr with Cr before Cb, as OpenCV).</summary>
    YCrCb,
    /// <summary>CIE L*a*b*.</summary>
    Lab,
}

/// <summary>
/// An image: <see cref="Height"/> rows of <see cref="Width"/> pixels of <see cref="Channels"/> interleaved channels (HWC),
/// UInt8 or Float32, 1, 3 or 4 channels, in a flat buffer with a row stride (in elements) so that a region of interest
/// (<see cref="Roi"/>) is a view sharing the pixels, as an OpenCV <c>Mat</c> ROI. The buffer is the storage of a
/// Lantern tensor, so <see cref="ToTensor"/> is a view (no copy) of any image, ROI included.
/// Element (x, y, c) lives at <c>Offset + y * RowStride + x * Channels + c</c>.
/// </summary>
/// <remarks>Writes through an image do not bump the tensor version counter; do not write into an image whose tensor view
/// autograd has saved.</remarks>
public sealed partial class Image
{
    private readonly Tensor _root;   // 1-D view over the whole storage (keeps the buffer alive, source of tensor views)
    private readonly Array _data;    // byte[] or float[]: the storage's array

    /// <summary>A new zero-filled continuous image.</summary>
    /// <param name="width">Columns, &gt;= 1.</param>
    /// <param name="height">Rows, &gt;= 1.</param>
    /// <param name="channels">1, 3 or 4.</param>
    /// <param name="depth">Element type.</param>
    /// <param name="order">Channel order; default Gray / Rgb / Rgba for 1 / 3 / 4 channels.</param>
    /// <exception cref="ArgumentException">Non-positive size, unsupported channel count, or an order that does not fit the channel count.</exception>
    public Image(int width, int height, int channels = 3, PixelDepth depth = PixelDepth.UInt8, ChannelOrder? order = null)
    {
        CheckGeometry("Image", width, height, channels);
        Order = ResolveOrder("Image", channels, order);
        long n = (long)width * height * channels;
        if (n > Array.MaxLength) throw new ArgumentException($"Image: {width}x{height}x{channels} = {n} elements exceeds the largest array.");
        _root = Tensor.Zeros([(int)n], depth == PixelDepth.UInt8 ? DType.UInt8 : DType.Float32);
        _data = depth == PixelDepth.UInt8 ? ((CpuBuffer<byte>)_root.Storage.Buffer).Data : ((CpuBuffer<float>)_root.Storage.Buffer).Data;
        Width = width; Height = height; Channels = channels; Depth = depth; Offset = 0; RowStride = width * channels;
    }

    // A view over an existing storage (root is a 1-D view of all of it).
    private Image(Tensor root, Array data, int offset, int rowStride, int width, int height, int channels, PixelDepth depth, ChannelOrder order)
    {
        _root = root; _data = data; Offset = offset; RowStride = rowStride;
        Width = width; Height = height; Channels = channels; Depth = depth; Order = order;
    }

    /// <summary>Columns.</summary>
    public int Width { get; }

    /// <summary>Rows.</summary>
    public int Height { get; }

    /// <summary>Channels per pixel: 1, 3 or 4.</summary>
    public int Channels { get; }

    /// <summary>Element type.</summary>
    public PixelDepth Depth { get; }

    /// <summary>Channel order (explicit; set at creation, changed only by a conversion or <see cref="WithOrder"/>).</summary>
    public ChannelOrder Order { get; }

    /// <summary>Index of element (0, 0, 0) in the buffer.</summary>
    public int Offset { get; }

    /// <summary>Elements (not bytes) from one row to the next; &gt;= Width * Channels.</summary>
    public int RowStride { get; }

    /// <summary>True when rows follow each other with no gap (RowStride == Width * Channels), as OpenCV's isContinuous.</summary>
    public bool IsContinuous => RowStride == Width * Channels;

    /// <summary>True when another image (a ROI, a tensor round trip) shares this image's buffer.</summary>
    public bool SharesMemoryWith(Image other) => ReferenceEquals(_data, other._data);

    /// <summary>Width * Height * Channels.</summary>
    public int ElementCount => Width * Height * Channels;

    /// <summary>Row <paramref name="y"/> as Width * Channels interleaved elements (a span into the shared buffer).</summary>
    /// <typeparam name="T">byte for UInt8, float for Float32.</typeparam>
    /// <exception cref="ArgumentException">T does not match <see cref="Depth"/>, or y is outside [0, Height).</exception>
    public Span<T> Row<T>(int y) where T : unmanaged
    {
        if ((uint)y >= (uint)Height) throw new ArgumentException($"Image.Row: y = {y} is outside [0, {Height}).");
        return new Span<T>(Buffer<T>("Image.Row"), Offset + y * RowStride, Width * Channels);
    }

    /// <summary>
    /// All rows and the gaps between them as one span (first element = pixel (0, 0)); length (Height - 1) * RowStride + Width * Channels.
    /// </summary>
    /// <exception cref="ArgumentException">T does not match <see cref="Depth"/>.</exception>
    public Span<T> Span<T>() where T : unmanaged =>
        new(Buffer<T>("Image.Span"), Offset, (Height - 1) * RowStride + Width * Channels);

    /// <summary>The underlying array (shared by ROIs and tensor views); element (x, y, c) is at Offset + y * RowStride + x * Channels + c.</summary>
    /// <exception cref="ArgumentException">T does not match <see cref="Depth"/>.</exception>
    public T[] Buffer<T>(string op = "Image.Buffer") where T : unmanaged =>
        _data as T[] ?? throw new ArgumentException($"{op}: the image is {Depth} but {typeof(T).Name} elements were requested.");

    /// <summary>Element (x, y, c) as a double.</summary>
    /// <exception cref="ArgumentException">Coordinates outside the image.</exception>
    public double this[int x, int y, int c = 0]
    {
        get
        {
            int i = Index("Image[]", x, y, c);
            return Depth == PixelDepth.UInt8 ? ((byte[])_data)[i] : ((float[])_data)[i];
        }
        set
        {
            int i = Index("Image[]", x, y, c);
            if (Depth == PixelDepth.UInt8) ((byte[])_data)[i] = Saturate.ToByte(value);
            else ((float[])_data)[i] = (float)value;
        }
    }

    private int Index(string op, int x, int y, int c)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height || (uint)c >= (uint)Channels)
            throw new ArgumentException($"{op}: (x={x}, y={y}, c={c}) is outside the {Width}x{Height}x{Channels} image.");
        return Offset + y * RowStride + x * Channels + c;
    }

    /// <summary>
    /// A view of the rectangle [x, x + width) x [y, y + height): shares this image's pixels (writes show through), no copy.
    /// </summary>
    /// <exception cref="ArgumentException">The rectangle is empty or not inside the image.</exception>
    public Image Roi(int x, int y, int width, int height)
    {
        if (width < 1 || height < 1 || x < 0 || y < 0 || x + (long)width > Width || y + (long)height > Height)
            throw new ArgumentException($"Image.Roi: rectangle (x={x}, y={y}, width={width}, height={height}) is not a non-empty part of the {Width}x{Height} image.");
        return new Image(_root, _data, Offset + y * RowStride + x * Channels, RowStride, width, height, Channels, Depth, Order);
    }

    /// <summary>The same pixels with a different channel-order label (no copy, no channel swap).</summary>
    /// <exception cref="ArgumentException">The order does not fit the channel count.</exception>
    public Image WithOrder(ChannelOrder order) =>
        new(_root, _data, Offset, RowStride, Width, Height, Channels, Depth, ResolveOrder("Image.WithOrder", Channels, order));

    /// <summary>A continuous deep copy (same size, depth and order).</summary>
    public Image Clone()
    {
        var dst = new Image(Width, Height, Channels, Depth, Order);
        CopyTo(dst);
        return dst;
    }

    /// <summary>Copies the pixels into <paramref name="dst"/> (same size, channels and depth; the order label is not checked).</summary>
    /// <exception cref="ArgumentException">Size, channel count or depth differ.</exception>
    public void CopyTo(Image dst)
    {
        if (dst.Width != Width || dst.Height != Height || dst.Channels != Channels || dst.Depth != Depth)
            throw new ArgumentException($"Image.CopyTo: source {Describe()} and destination {dst.Describe()} differ in size, channels or depth.");
        int n = Width * Channels;
        for (int y = 0; y < Height; y++)
            System.Array.Copy(_data, Offset + y * RowStride, dst._data, dst.Offset + y * dst.RowStride, n);
    }

    /// <summary>A new image of the same size with the given depth / channels / order (zero-filled).</summary>
    public Image NewLike(PixelDepth? depth = null, int? channels = null, ChannelOrder? order = null)
    {
        int c = channels ?? Channels;
        return new Image(Width, Height, c, depth ?? Depth, order ?? (c == Channels ? Order : null));
    }

    /// <summary>"WxHxC Depth Order", for messages.</summary>
    public string Describe() => $"{Width}x{Height}x{Channels} {Depth} {Order}";

    /// <inheritdoc/>
    public override string ToString() => $"Image({Describe()}{(IsContinuous ? "" : $", row stride {RowStride}")})";

    internal static void CheckGeometry(string op, int width, int height, int channels)
    {
        if (width < 1 || height < 1)
            throw new ArgumentException($"{op}: width {width} and height {height} must both be >= 1.");
        if (channels is not (1 or 3 or 4))
            throw new ArgumentException($"{op}: {channels} channels; an image has 1, 3 or 4.");
    }

    internal static ChannelOrder ResolveOrder(string op, int channels, ChannelOrder? order)
    {
        var o = order ?? (channels == 1 ? ChannelOrder.Gray : channels == 3 ? ChannelOrder.Rgb : ChannelOrder.Rgba);
        int need = o switch { ChannelOrder.Gray => 1, ChannelOrder.Rgba or ChannelOrder.Bgra => 4, _ => 3 };
        if (need != channels)
            throw new ArgumentException($"{op}: channel order {o} needs {need} channel(s) but the image has {channels}.");
        return o;
    }
}

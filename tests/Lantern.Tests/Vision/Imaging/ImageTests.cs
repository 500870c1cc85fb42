using Lantern.Vision;
using Xunit;

namespace Lantern.Tests.VisionImaging;

/// <summary>Image: layout, ROI views, tensor views and copies, batches, conversions, errors.</summary>
public class ImageTests
{
    internal static Image Ramp(int w, int h, int c, int seed = 0)
    {
        var img = new Image(w, h, c);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) for (int k = 0; k < c; k++) img[x, y, k] = (seed + 7 * x + 31 * y + 101 * k) % 256;
        return img;
    }

    [Fact]
    public void LayoutAndIndexing()
    {
        var img = Ramp(5, 4, 3);
        Assert.Equal((5, 4, 3, 15, 0, true), (img.Width, img.Height, img.Channels, img.RowStride, img.Offset, img.IsContinuous));
        Assert.Equal(ChannelOrder.Rgb, img.Order);
        Assert.Equal((7 * 2 + 31 * 3 + 101) % 256, img[2, 3, 1]);
        Assert.Equal((byte)img[2, 3, 1], img.Buffer<byte>()[3 * 15 + 2 * 3 + 1]);
        Assert.Equal(ChannelOrder.Gray, new Image(2, 2, 1).Order);
        Assert.Equal(ChannelOrder.Rgba, new Image(2, 2, 4, PixelDepth.Float32).Order);
    }

    [Fact]
    public void RoiSharesPixels()
    {
        var img = Ramp(8, 6, 3);
        var roi = img.Roi(2, 1, 4, 3);
        Assert.Equal((4, 3, 24, 1 * 24 + 2 * 3, false), (roi.Width, roi.Height, roi.RowStride, roi.Offset, roi.IsContinuous));
        Assert.True(roi.SharesMemoryWith(img));
        for (int y = 0; y < 3; y++) for (int x = 0; x < 4; x++) Assert.Equal(img[x + 2, y + 1, 2], roi[x, y, 2]);
        roi[0, 0, 0] = 200;
        Assert.Equal(200, img[2, 1, 0]);
        var nested = roi.Roi(1, 1, 2, 2);
        Assert.Equal(img[4, 3, 1], nested[1, 1, 1]);
        var clone = roi.Clone();
        Assert.True(clone.IsContinuous);
        Assert.False(clone.SharesMemoryWith(img));
        Assert.Equal(roi.ToPixels<byte>(), clone.ToPixels<byte>());
        clone[0, 0, 0] = 1;
        Assert.Equal(200, img[2, 1, 0]);
    }

    [Fact]
    public void TensorViewsAreZeroCopy()
    {
        var img = Ramp(7, 5, 3);
        var roi = img.Roi(1, 2, 4, 3);
        var t = roi.ToTensor();
        Assert.Equal(new Shape(3, 3, 4), t.Shape);
        Assert.Equal([1, 21, 3], t.Stride());
        Assert.Same(img.ToTensor().Storage, t.Storage);
        for (int c = 0; c < 3; c++) for (int y = 0; y < 3; y++) for (int x = 0; x < 4; x++)
            Assert.Equal(roi[x, y, c], t[c, y, x].Item<double>());
        var hwc = roi.ToTensorHwc();
        Assert.Equal([21, 3, 1], hwc.Stride());
        Assert.Equal(roi[3, 2, 1], hwc[2, 3, 1].Item<double>());

        // Back from a channels-last view: shares; from a planar (contiguous CHW) tensor: copies.
        var back = Image.FromTensor(t);
        Assert.True(back.SharesMemoryWith(img));
        Assert.Equal((4, 3, 21), (back.Width, back.Height, back.RowStride));
        Assert.Equal(roi.ToPixels<byte>(), back.ToPixels<byte>());
        var planar = Image.FromTensor(t.Contiguous());
        Assert.False(planar.SharesMemoryWith(img));
        Assert.Equal(roi.ToPixels<byte>(), planar.ToPixels<byte>());
        var gray = Image.FromTensor(Tensor.Arange(6, DType.Float32).Reshape(2, 3));
        Assert.Equal((3, 2, 1, PixelDepth.Float32, 5.0), (gray.Width, gray.Height, gray.Channels, gray.Depth, gray[2, 1]));
    }

    [Fact]
    public void FloatTensorAndBatches()
    {
        var a = Ramp(4, 3, 3, 1); var b = Ramp(4, 3, 3, 2);
        var f = a.ToFloatTensor();
        Assert.True(f.IsContiguous);
        Assert.Equal(a[3, 2, 1] / 255.0, f[1, 2, 3].Item<double>(), 6);
        var batch = Image.ToBatch([a, b]);
        Assert.Equal(new Shape(2, 3, 3, 4), batch.Shape);
        Assert.True(batch.IsContiguous);
        Assert.Equal(b[1, 2, 0], batch[1, 0, 2, 1].Item<double>());
        var imgs = Image.FromBatch(batch);
        Assert.Equal(b.ToPixels<byte>(), imgs[1].ToPixels<byte>());
        // A channels-last batch (NHWC memory viewed as NCHW) gives images that share it.
        var nhwc = Tensor.Zeros([2, 3, 4, 3], DType.UInt8);
        var views = Image.FromBatch(nhwc.Permute(0, 3, 1, 2));
        Assert.Equal(12 * 3, views[1].Offset);
        Assert.Same(nhwc.Storage, views[1].ToTensor().Storage);
        Assert.Contains("image 1 is 5x3x3", Assert.Throws<ArgumentException>(() => Image.ToBatch([a, Ramp(5, 3, 3)])).Message);
    }

    [Fact]
    public void ChannelOrderAndConvertTo()
    {
        var img = Ramp(3, 2, 3);
        var bgr = img.ToBgr();
        Assert.Equal(ChannelOrder.Bgr, bgr.Order);
        Assert.Equal(img[2, 1, 0], bgr[2, 1, 2]);
        Assert.Same(bgr, bgr.ToBgr());
        Assert.Equal(img.ToPixels<byte>(), bgr.ToRgb().ToPixels<byte>());
        var px = Image.FromPixels(new byte[] { 1, 3, 5, 7, 250, 0 }, 3, 2, 1);
        var half = px.ConvertTo(PixelDepth.UInt8, 0.5, 0);   // 0.5, 1.5, 2.5, 3.5 -> ties to even: 0, 2, 2, 4
        Assert.Equal(new byte[] { 0, 2, 2, 4, 125, 0 }, half.ToPixels<byte>());
        Assert.Equal(new byte[] { 0, 0, 0, 4, 255, 0 }, px.ConvertTo(PixelDepth.UInt8, 2, -10).ToPixels<byte>());
        var f = px.ConvertTo(PixelDepth.Float32, 1 / 255.0);
        Assert.Equal(7 / 255f, f.ToPixels<float>()[3], 6);
        Assert.Equal(new byte[] { 0, 2, 2, 4, 125, 0 }, px.ConvertTo(PixelDepth.Float32, 0.5).ConvertTo(PixelDepth.UInt8).ToPixels<byte>());
    }

    [Fact]
    public void BadInputNamesOpAndValues()
    {
        Assert.Contains("2 channels", Assert.Throws<ArgumentException>(() => new Image(3, 3, 2)).Message);
        Assert.Contains("width 0", Assert.Throws<ArgumentException>(() => new Image(0, 3)).Message);
        Assert.Contains("Bgra needs 4", Assert.Throws<ArgumentException>(() => new Image(3, 3, 3, order: ChannelOrder.Bgra)).Message);
        var img = new Image(4, 4);
        Assert.Contains("Image.Roi: rectangle (x=2, y=0, width=3", Assert.Throws<ArgumentException>(() => img.Roi(2, 0, 3, 1)).Message);
        Assert.Contains("(x=4, y=0, c=0)", Assert.Throws<ArgumentException>(() => img[4, 0]).Message);
        Assert.Contains("UInt8 but Single", Assert.Throws<ArgumentException>(() => img.Row<float>(0)).Message);
        Assert.Contains("dtype Int64", Assert.Throws<ArgumentException>(() => Image.FromTensor(Tensor.Zeros([3, 2, 2], DType.Int64))).Message);
        Assert.Contains("[2, 2, 2]", Assert.Throws<ArgumentException>(() => Image.FromTensor(Tensor.Zeros([2, 2, 2], DType.UInt8))).Message);
        Assert.Contains("needs 12", Assert.Throws<ArgumentException>(() => Image.FromPixels(new byte[5], 2, 2, 3)).Message);
    }
}

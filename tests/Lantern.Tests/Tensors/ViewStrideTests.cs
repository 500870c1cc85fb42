using Xunit;

namespace Lantern.Tests.Tensors;

/// <summary>
/// Sizes, strides, offsets and contiguity of views equal PyTorch's for the same calls. Each case gives the
/// PyTorch expression and what PyTorch 2.x returns for it.
/// </summary>
public class ViewStrideTests
{
    private static Tensor X => Tensor.Arange(24).Reshape(2, 3, 4); // torch.arange(24).reshape(2, 3, 4)

    private static void Check(Tensor t, int[] shape, int[] stride, int offset, bool contiguous)
    {
        Assert.Equal(shape, t.Shape.ToArray());
        Assert.Equal(stride, t.Stride());
        Assert.Equal(offset, t.StorageOffset);
        Assert.Equal(contiguous, t.IsContiguous);
    }

    [Fact] // torch.zeros(2, 3, 4).stride() == (12, 4, 1)
    public void ContiguousStrides() => Check(Tensor.Zeros([2, 3, 4]), [2, 3, 4], [12, 4, 1], 0, true);

    [Fact] // torch.zeros(2, 0, 3).stride() == (3, 3, 1); empty tensors are contiguous
    public void EmptyTensorStrides() => Check(Tensor.Zeros([2, 0, 3]), [2, 0, 3], [3, 3, 1], 0, true);

    [Fact] // x.transpose(0, 2): size (4, 3, 2), stride (1, 4, 12), not contiguous
    public void Transpose()
    {
        var x = X;
        var t = x.Transpose(0, 2);
        Check(t, [4, 3, 2], [1, 4, 12], 0, false);
        Assert.True(t.SharesStorageWith(x));
        Assert.Equal(13L, t.Select(0, 1).Select(0, 0).Select(0, 1).Item<long>()); // x.transpose(0, 2)[1, 0, 1] == x[1, 0, 1] == 13
    }

    [Fact] // x.permute(1, 2, 0): size (3, 4, 2), stride (4, 1, 12)
    public void Permute() => Check(X.Permute(1, 2, 0), [3, 4, 2], [4, 1, 12], 0, false);

    [Fact] // x[1]: size (3, 4), stride (4, 1), storage_offset 12, contiguous
    public void SelectFirstDim() => Check(X.Select(0, 1), [3, 4], [4, 1], 12, true);

    [Fact] // x[:, -1]: size (2, 4), stride (12, 1), offset 8
    public void SelectNegativeIndex() => Check(X.Select(1, -1), [2, 4], [12, 1], 8, false);

    [Fact] // x[:, 1:3]: size (2, 2, 4), stride (12, 4, 1), offset 4
    public void NarrowMiddle() => Check(X.Narrow(1, 1, 2), [2, 2, 4], [12, 4, 1], 4, false);

    [Fact] // x[..., ::2]: size (2, 3, 2), stride (12, 4, 2), offset 0
    public void SliceWithStep() => Check(X.Slice(2, 0, 4, 2), [2, 3, 2], [12, 4, 2], 0, false);

    [Fact] // x[..., 1::2]: size (2, 3, 2), stride (12, 4, 2), offset 1; x[..., 1:100] clamps to size 3
    public void SliceClampsLikePython()
    {
        Check(X.Slice(2, 1, 4, 2), [2, 3, 2], [12, 4, 2], 1, false);
        Check(X.Slice(2, 1, 100), [2, 3, 3], [12, 4, 1], 1, false);
        Check(X.Slice(2, -2, int.MaxValue), [2, 3, 2], [12, 4, 1], 2, false); // x[..., -2:]
        Check(X.Slice(2, 3, 1), [2, 3, 0], [12, 4, 1], 3, true);               // x[..., 3:1] is empty
    }

    [Fact] // x.unsqueeze(1): size (2, 1, 3, 4), stride (12, 12, 4, 1); x.unsqueeze(3): stride (12, 4, 1, 1)
    public void Unsqueeze()
    {
        Check(X.Unsqueeze(1), [2, 1, 3, 4], [12, 12, 4, 1], 0, true);
        Check(X.Unsqueeze(3), [2, 3, 4, 1], [12, 4, 1, 1], 0, true);
        Check(X.Unsqueeze(-1), [2, 3, 4, 1], [12, 4, 1, 1], 0, true);
        Check(X.Unsqueeze(0), [1, 2, 3, 4], [24, 12, 4, 1], 0, true);
    }

    [Fact] // torch.zeros(2, 1, 3, 1).squeeze(): size (2, 3), stride (3, 1); squeeze(0) is a no-op
    public void Squeeze()
    {
        var z = Tensor.Zeros([2, 1, 3, 1]);
        Check(z.Squeeze(), [2, 3], [3, 1], 0, true);
        Check(z.Squeeze(1), [2, 3, 1], [3, 1, 1], 0, true);
        Check(z.Squeeze(0), [2, 1, 3, 1], [3, 3, 1, 1], 0, true);
    }

    [Fact] // torch.zeros(3, 1).expand(2, 3, 4): stride (0, 1, 0); torch.zeros(3).expand(1, 3): stride (3, 1)
    public void Expand()
    {
        Check(Tensor.Zeros([3, 1]).Expand(2, 3, 4), [2, 3, 4], [0, 1, 0], 0, false);
        Check(Tensor.Zeros([3]).Expand(1, 3), [1, 3], [3, 1], 0, true);
        Check(Tensor.Zeros([3]).Expand(2, -1), [2, 3], [0, 1], 0, false);
    }

    [Fact] // torch.arange(12).view(3, 4).t(): stride (1, 3); .contiguous(): stride (3, 1) and a new storage
    public void TransposeThenContiguous()
    {
        var a = Tensor.Arange(12).View(3, 4);
        var t = a.T;
        Check(t, [4, 3], [1, 4], 0, false);
        var c = t.Contiguous();
        Check(c, [4, 3], [3, 1], 0, true);
        Assert.False(c.SharesStorageWith(a));
        Assert.Equal([0L, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11], c.ToArray<long>());
        Assert.Same(a, a.Contiguous());
    }

    [Fact] // x[:, :, :2].view(6, 2) works (stride (4, 1)); x.transpose(0, 1).view(3, 8) raises; reshape copies
    public void ViewOnNonContiguous()
    {
        var n = X.Narrow(2, 0, 2).View(6, 2);
        Check(n, [6, 2], [4, 1], 0, false);
        var t = X.Transpose(0, 1);
        var ex = Assert.Throws<ArgumentException>(() => t.View(3, 8));
        Assert.Contains("Reshape", ex.Message);
        var r = t.Reshape(3, 8);
        Assert.False(r.SharesStorageWith(t));
        Check(r, [3, 8], [8, 1], 0, true);
        var x = X;
        Assert.True(x.Reshape(6, 4).SharesStorageWith(x)); // reshape of contiguous data is a view
    }

    [Fact] // x.view(-1, 4) infers 6; x.view(5, -1) raises "shape '[5, -1]' is invalid for input of size 24"
    public void ViewInference()
    {
        Check(X.View(-1, 4), [6, 4], [4, 1], 0, true);
        var ex = Assert.Throws<ArgumentException>(() => X.View(5, -1));
        Assert.Contains("shape '[5, -1]' is invalid for input of size 24", ex.Message);
    }

    [Fact] // x.unfold(2, 2, 1): size (2, 3, 3, 2), stride (12, 4, 1, 1); x.unfold(2, 2, 2): size (2, 3, 2, 2), stride (12, 4, 2, 1)
    public void Unfold()
    {
        Check(X.Unfold(2, 2, 1), [2, 3, 3, 2], [12, 4, 1, 1], 0, false);
        Check(X.Unfold(2, 2, 2), [2, 3, 2, 2], [12, 4, 2, 1], 0, true); // non-overlapping windows are contiguous
    }

    [Fact] // a = torch.arange(12).view(3, 4): a.diagonal() stride (5,), a.diagonal(1) offset 1, a.diagonal(-1) size 2 offset 4
    public void Diagonal()
    {
        var a = Tensor.Arange(12).View(3, 4);
        Check(a.Diagonal(), [3], [5], 0, false);
        Check(a.Diagonal(1), [3], [5], 1, false);
        Check(a.Diagonal(-1), [2], [5], 4, false);
        Assert.Equal([4L, 9], a.Diagonal(-1).ToArray<long>());
    }

    [Fact] // torch.arange(10).split(4): sizes 4, 4, 2 at offsets 0, 4, 8; torch.arange(5).chunk(3): sizes 2, 2, 1
    public void SplitAndChunk()
    {
        var parts = Tensor.Arange(10).Split(4);
        Assert.Equal([4, 4, 2], parts.Select(p => p.Shape[0]).ToArray());
        Assert.Equal([0, 4, 8], parts.Select(p => p.StorageOffset).ToArray());
        Assert.Equal([2, 2, 1], Tensor.Arange(5).Chunk(3).Select(p => p.Shape[0]).ToArray());
        Assert.Equal([2, 2, 2], Tensor.Arange(6).Chunk(3).Select(p => p.Shape[0]).ToArray());
        var u = X.Unbind(1);
        Assert.Equal(3, u.Length);
        Check(u[2], [2, 4], [12, 1], 8, false);
        Assert.Throws<ArgumentException>(() => Tensor.Arange(10).Split([3, 3]));
    }

    [Fact] // x.flatten(1): (2, 12) stride (12, 1), a view; x.transpose(1, 2).flatten(1) copies
    public void FlattenUnflatten()
    {
        var x = X;
        var f = x.Flatten(1);
        Check(f, [2, 12], [12, 1], 0, true);
        Assert.True(f.SharesStorageWith(x));
        Assert.False(x.Transpose(1, 2).Flatten(1).SharesStorageWith(x));
        Check(X.Unflatten(2, 2, -1), [2, 3, 2, 2], [12, 4, 2, 1], 0, true);
        Assert.Equal([24], X.Flatten().Shape.ToArray());
    }

    [Fact] // x.as_strided((2, 2), (1, 2), 1): values [[1, 3], [2, 4]] of arange(24)
    public void AsStrided()
    {
        var a = X.AsStrided([2, 2], [1, 2], 1);
        Check(a, [2, 2], [1, 2], 1, false);
        Assert.Equal([1L, 3, 2, 4], a.ToArray<long>());
    }

    [Fact] // size-1 dims are ignored by is_contiguous: torch.empty(4, 1, 3).as_strided((4, 1, 3), (3, 100, 1)).is_contiguous() is True
    public void ContiguityIgnoresSizeOneDims()
    {
        var t = Tensor.Zeros([400]).AsStrided([4, 1, 3], [3, 100, 1]);
        Assert.True(t.IsContiguous);
    }

    [Fact] // torch.zeros(4, 4)[1::2, ::3]: size (2, 2), stride (8, 3), offset 4
    public void TwoDimSlicing() => Check(Tensor.Zeros([4, 4]).Slice(0, 1, 4, 2).Slice(1, 0, 4, 3), [2, 2], [8, 3], 4, false);

    [Fact] // views share the version counter: x.add_(1) on a view bumps the base's version
    public void ViewsShareVersionCounter()
    {
        var x = Tensor.Zeros([3, 4]);
        var v = x.Select(0, 1);
        int before = x.Storage.Version;
        v.Add_(1);
        Assert.Equal(before + 1, x.Storage.Version);
        Assert.Equal([0f, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0], x.ToArray<float>());
    }
}

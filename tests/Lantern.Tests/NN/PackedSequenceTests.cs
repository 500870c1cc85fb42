using Lantern.NN;
using Xunit;

namespace Lantern.Tests.NN;

public class PackedSequenceTests
{
    private static Tensor L(params long[] v) => Tensor.FromArray(v);

    [Fact] // the example of torch.nn.utils.rnn.pad_packed_sequence's docstring
    public void PackPaddedUnsortedAndBack()
    {
        var seq = Tensor.FromArray(new long[,] { { 1, 2, 0 }, { 3, 0, 0 }, { 4, 5, 6 } });
        var packed = RnnUtils.PackPaddedSequence(seq, [2, 1, 3], batchFirst: true, enforceSorted: false);
        Assert.Equal([4L, 1, 3, 5, 2, 6], packed.Data.ToArray<long>());
        Assert.Equal([3L, 2, 1], packed.BatchSizes.ToArray<long>());
        Assert.Equal([2L, 0, 1], packed.SortedIndices!.ToArray<long>());
        Assert.Equal([1L, 2, 0], packed.UnsortedIndices!.ToArray<long>());
        Assert.Equal("PackedSequence(data=tensor([4, 1, 3, 5, 2, 6]), batch_sizes=tensor([3, 2, 1]), sorted_indices=tensor([2, 0, 1]), unsorted_indices=tensor([1, 2, 0]))",
            packed.ToString());
        var (padded, lengths) = RnnUtils.PadPackedSequence(packed, batchFirst: true);
        Assert.Equal(seq.ToArray<long>(), padded.ToArray<long>());
        Assert.Equal([2L, 1, 3], lengths.ToArray<long>());
        var (longer, _) = RnnUtils.PadPackedSequence(packed, paddingValue: 9, totalLength: 4);
        Assert.Equal([4, 3], longer.Shape.ToArray());
        Assert.Equal([1L, 3, 4, 2, 9, 5, 9, 9, 6, 9, 9, 9], longer.ToArray<long>());
    }

    [Fact] // the example of pack_sequence's docstring; unpack_sequence restores the list
    public void PackSequenceAndUnpack()
    {
        var packed = RnnUtils.PackSequence([L(1, 2, 3), L(4, 5), L(6)]);
        Assert.Equal([1L, 4, 6, 2, 5, 3], packed.Data.ToArray<long>());
        Assert.Equal([3L, 2, 1], packed.BatchSizes.ToArray<long>());
        Assert.Null(packed.SortedIndices);
        Assert.Null(packed.UnsortedIndices);
        var back = RnnUtils.UnpackSequence(RnnUtils.PackSequence([L(4, 5), L(1, 2, 3), L(6)], enforceSorted: false));
        Assert.Equal([4L, 5], back[0].ToArray<long>());
        Assert.Equal([1L, 2, 3], back[1].ToArray<long>());
        Assert.Equal([6L], back[2].ToArray<long>());
    }

    [Fact]
    public void PadSequenceRightAndLeft()
    {
        var a = Tensor.Ones([3, 2]);
        var b = Tensor.Full([1, 2], 2.0);
        var right = RnnUtils.PadSequence([a, b], paddingValue: -1);
        Assert.Equal([3, 2, 2], right.Shape.ToArray());
        Assert.Equal([1f, 1, 2, 2, 1, 1, -1, -1, 1, 1, -1, -1], right.ToArray<float>());
        var left = RnnUtils.PadSequence([a, b], batchFirst: true, paddingSide: "left");
        Assert.Equal([1f, 1, 1, 1, 1, 1, 0, 0, 0, 0, 2, 2], left.ToArray<float>());
        var unpadded = RnnUtils.UnpadSequence(right, L(3, 1));
        Assert.Equal(a.ToArray<float>(), unpadded[0].ToArray<float>());
        Assert.Equal(b.ToArray<float>(), unpadded[1].ToArray<float>());
    }

    [Fact] // gradients flow from the packed rows back to the padded batch (zero at padding)
    public void PackingIsDifferentiable()
    {
        var x = Tensor.Randn([3, 2, 2], generator: new Generator(1)).RequiresGrad_();
        var packed = RnnUtils.PackPaddedSequence(x, [1, 3], enforceSorted: false);
        packed.Data.Sum().Backward();
        Assert.Equal([1f, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1], x.Grad!.ToArray<float>());
        var y = Tensor.Randn([4, 2], generator: new Generator(2)).RequiresGrad_();
        var (padded, _) = RnnUtils.PadPackedSequence(new PackedSequence(y, L(2, 1, 1)), paddingValue: 5);
        padded.Mul(padded).Sum().Backward();
        Assert.Equal(y.Mul(2).ToArray<float>(), y.Grad!.ToArray<float>());
    }

    [Fact]
    public void BadInputsRaise()
    {
        var x = Tensor.Zeros([3, 2, 1]);
        Assert.Contains("must be sorted in decreasing order", Assert.Throws<ArgumentException>(() => RnnUtils.PackPaddedSequence(x, [1, 2])).Message);
        Assert.Contains("greater than 0", Assert.Throws<ArgumentException>(() => RnnUtils.PackPaddedSequence(x, [2, 0])).Message);
        Assert.Contains("exceeds the padded sequence length 3", Assert.Throws<ArgumentException>(() => RnnUtils.PackPaddedSequence(x, [4, 2])).Message);
        Assert.Contains("Expected `len(lengths)` to be equal to batch_size", Assert.Throws<ArgumentException>(() => RnnUtils.PackPaddedSequence(x, [3])).Message);
        var packed = RnnUtils.PackPaddedSequence(x, [3, 2]);
        Assert.Contains("total_length=2 and max sequence length being 3",
            Assert.Throws<ArgumentException>(() => RnnUtils.PadPackedSequence(packed, totalLength: 2)).Message);
        Assert.Contains("non-increasing", Assert.Throws<ArgumentException>(() => new PackedSequence(Tensor.Zeros([3, 1]), L(1, 2))).Message);
        Assert.Contains("sum to 3, but data has 4 rows", Assert.Throws<ArgumentException>(() => new PackedSequence(Tensor.Zeros([4, 1]), L(2, 1))).Message);
        Assert.Contains("does not match sequence 0",
            Assert.Throws<ArgumentException>(() => RnnUtils.PadSequence([Tensor.Zeros([2, 3]), Tensor.Zeros([2, 4])])).Message);
        Assert.Contains("padding_side", Assert.Throws<ArgumentException>(() => RnnUtils.PadSequence([Tensor.Zeros([2])], paddingSide: "up")).Message);
    }
}

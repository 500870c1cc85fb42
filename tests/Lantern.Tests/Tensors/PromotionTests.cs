using Xunit;

namespace Lantern.Tests.Tensors;

/// <summary>torch.result_type rules: the dtypes PyTorch gives for the same expressions (in comments).</summary>
public class PromotionTests
{
    private static Tensor L(params long[] v) => Tensor.FromArray(v);
    private static Tensor F(params float[] v) => Tensor.FromArray(v);
    private static Tensor D(params double[] v) => Tensor.FromArray(v);
    private static Tensor B(params byte[] v) => Tensor.FromArray(v);
    private static Tensor Bo(params bool[] v) => Tensor.FromArray(v);

    [Fact] // (torch.tensor([1, 2]) + 2.5).dtype == torch.float32 (a Python float is the default dtype)
    public void IntTensorPlusFloatNumberIsFloat32()
    {
        var r = L(1, 2).Add(2.5);
        Assert.Equal(DType.Float32, r.DType);
        Assert.Equal([3.5f, 4.5f], r.ToArray<float>());
    }

    [Fact] // (torch.tensor([1, 2]) + torch.tensor(1.5, dtype=torch.float64)).dtype == torch.float64 (0-dim of a higher category)
    public void ZeroDimOfHigherCategoryPromotes() => Assert.Equal(DType.Float64, L(1, 2).Add(Tensor.Scalar(1.5, DType.Float64)).DType);

    [Fact] // (torch.tensor([1.], dtype=torch.float32) + torch.tensor(1.5, dtype=torch.float64)).dtype == torch.float32
    public void ZeroDimOfSameCategoryDoesNotWiden() => Assert.Equal(DType.Float32, F(1).Add(Tensor.Scalar(1.5, DType.Float64)).DType);

    [Fact] // (torch.tensor([1, 2], dtype=torch.uint8) + 300).dtype == torch.uint8 and wraps: [45, 46]
    public void UInt8PlusIntNumberStaysUInt8()
    {
        var r = B(1, 2).Add(300);
        Assert.Equal(DType.UInt8, r.DType);
        Assert.Equal([(byte)45, (byte)46], r.ToArray<byte>());
    }

    [Fact] // uint8 tensor + int64 tensor (both dimensioned) -> int64; float32 + float64 -> float64
    public void DimensionedTensorsPromote()
    {
        Assert.Equal(DType.Int64, B(1).Add(L(1)).DType);
        Assert.Equal(DType.Float64, F(1).Add(D(1)).DType);
        Assert.Equal(DType.Float32, L(1).Add(F(1)).DType);
    }

    [Fact] // torch.tensor([True]) + torch.tensor([True]) == tensor([True]); bool + 1 -> int64 2
    public void BoolArithmetic()
    {
        var r = Bo(true, false).Add(Bo(true, false));
        Assert.Equal(DType.Bool, r.DType);
        Assert.Equal([true, false], r.ToArray<bool>());
        var i = Bo(true).Add(1);
        Assert.Equal(DType.Int64, i.DType);
        Assert.Equal(2L, i.Item<long>());
        var ex = Assert.Throws<InvalidOperationException>(() => Bo(true).Sub(Bo(true)));
        Assert.Contains("Sub", ex.Message);
        Assert.Throws<InvalidOperationException>(() => Bo(true).Neg());
    }

    [Fact] // torch.tensor([3]) / torch.tensor([2]) == tensor([1.5]) (true division gives float32); // with 'floor' keeps int64
    public void IntegerDivision()
    {
        var r = L(3, -3).Div(L(2, 2));
        Assert.Equal(DType.Float32, r.DType);
        Assert.Equal([1.5f, -1.5f], r.ToArray<float>());
        var f = L(3, -3).Div(L(2, 2), "floor");
        Assert.Equal(DType.Int64, f.DType);
        Assert.Equal([1L, -2], f.ToArray<long>());
        Assert.Equal([1L, -1], L(3, -3).Div(L(2, 2), "trunc").ToArray<long>());
        Assert.Throws<DivideByZeroException>(() => L(1).Div(L(0), "floor"));
    }

    [Fact] // torch.exp(torch.tensor([0, 1])).dtype == torch.float32; torch.abs keeps int64
    public void FloatingOpsOnIntegersGiveFloat32()
    {
        Assert.Equal(DType.Float32, L(0, 1).Exp().DType);
        Assert.Equal(DType.Float32, L(4).Sqrt().DType);
        Assert.Equal(DType.Int64, L(-4).Abs().DType);
        Assert.Equal(4L, L(-4).Abs().Item<long>());
    }

    [Fact] // torch.tensor([1, 2]) == 1.5 -> [False, False] (compared in float); comparisons return bool
    public void ComparisonsPromoteThenCompare()
    {
        var r = L(1, 2).Eq(1.5);
        Assert.Equal(DType.Bool, r.DType);
        Assert.Equal([false, false], r.ToArray<bool>());
        Assert.Equal([false, true], L(1, 2).Gt(1.5).ToArray<bool>());
    }

    [Fact] // x = torch.tensor([1, 2]); x.add_(1.5) raises "result type Float can't be cast to the desired output type Long"
    public void InPlaceCannotDowncast()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => L(1, 2).Add_(1.5));
        Assert.Contains("can't be cast", ex.Message);
        var f = F(1, 2);
        f.Add_(L(1, 1)); // float32 += int64 is fine
        Assert.Equal([2f, 3], f.ToArray<float>());
    }

    [Fact] // torch.tensor([1.7, -1.7, 300.]).to(torch.uint8): truncation toward zero -> [1, 255, 44]; to(bool): nonzero
    public void CastsFollowCSemantics()
    {
        Assert.Equal([1L, -1], D(1.7, -1.7).To(DType.Int64).ToArray<long>());
        Assert.Equal([true, false, true], D(0.1, 0, double.NaN).To(DType.Bool).ToArray<bool>());
        Assert.Equal([(byte)1, (byte)255], D(1.7, -1.7).To(DType.UInt8).ToArray<byte>());
    }

    [Fact] // torch.result_type(torch.tensor([1], dtype=torch.uint8), torch.tensor(1)) == uint8 (0-dim int64 does not widen)
    public void ResultTypeTable()
    {
        Assert.Equal(DType.UInt8, Tensor.ResultType(B(1), Tensor.Scalar(1L)));
        Assert.Equal(DType.Int64, Tensor.ResultType(Bo(true), Tensor.Scalar(1L)));
        Assert.Equal(DType.Float32, Tensor.ResultType(Tensor.Scalar(1L), Tensor.Scalar(1.0f)));
        Assert.Equal(DType.Float64, Tensor.ResultType(Tensor.Scalar(1L), Tensor.Scalar(1.0, DType.Float64)));
    }

    [Fact] // torch.tensor([True, False]).max() == True, .min() == False, .sum() == 1 (int64)
    public void BoolReductions()
    {
        var t = Bo(true, false);
        Assert.True(t.Max().Item<bool>());
        Assert.False(t.Min().Item<bool>());
        Assert.Equal(DType.Int64, t.Sum().DType);
        Assert.Equal(1L, t.Sum().Item<long>());
        Assert.Equal(DType.Int64, B(200, 100).Sum().DType);
        Assert.Equal(300L, B(200, 100).Sum().Item<long>()); // uint8 sums in int64, no wrap
    }
}

namespace Lantern.Tests.OpTable;

// Rows for matrix products and einsum; every public product lowers onto MatMulCore.
public static partial class Ops
{
    /// <summary>Naive numpy.matmul on Nd: 1-D promotion and batch broadcasting.</summary>
    public static Nd MatMulRef(Nd a, Nd b)
    {
        bool aVec = a.Rank == 1, bVec = b.Rank == 1;
        var a2 = aVec ? new Nd([1, a.Shape[0]], a.Data) : a;
        var b2 = bVec ? new Nd([b.Shape[0], 1], b.Data) : b;
        int m = a2.Shape[^2], k = a2.Shape[^1], n = b2.Shape[^1];
        var batch = Nd.BroadcastShape(a2.Shape[..^2], b2.Shape[..^2]);
        var r = new Nd([.. batch, m, n]);
        var batchNd = new Nd(batch);
        for (int bi = 0; bi < Math.Max(1, batchNd.Data.Length); bi++)
        {
            var bidx = batch.Length == 0 ? [] : batchNd.Unravel(bi);
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double s = 0;
                    for (int p = 0; p < k; p++)
                        s += At(a2, bidx, i, p) * At(b2, bidx, p, j);
                    r[[.. bidx, i, j]] = s;
                }
        }
        var shape = r.Shape.ToList();
        if (bVec) shape.RemoveAt(shape.Count - 1);
        if (aVec) shape.RemoveAt(shape.Count - 2 + (bVec ? 1 : 0));
        return new Nd(shape.ToArray(), r.Data);

        static double At(Nd x, int[] bidx, int i, int j)
        {
            var idx = new int[x.Rank];
            int off = bidx.Length - (x.Rank - 2);
            for (int d = 0; d < x.Rank - 2; d++) idx[d] = x.Shape[d] == 1 ? 0 : bidx[d + off];
            idx[^2] = i;
            idx[^1] = j;
            return x[idx];
        }
    }

    private static OpInfo MatRow(string variant, Func<Tensor[], Tensor> f, Func<Nd[], Nd> reference, Func<Sample[]> samples, Func<ErrorInput[]>? errors = null) => new()
    {
        Name = "MatMulCore",
        Variant = variant,
        Op = f,
        Samples = samples,
        Reference = reference,
        Errors = errors,
        Atol32 = 1e-4,
        Rtol32 = 1e-4,
    };

    [OpFamily]
    private static IEnumerable<OpInfo> LinAlg()
    {
        yield return MatRow("MatMul 2-D", x => x[0].MatMul(x[1]), x => MatMulRef(x[0], x[1]),
            () => [S("[3,4]x[4,5]", R(3, 4), R(4, 5)), S("[1,1]x[1,1]", R(1, 1), R(1, 1)), S("[17,33]x[33,9] (tails)", R(17, 33), R(33, 9))],
            () => [new ErrorInput(() => R(3, 4).MatMul(R(5, 6)), "3x4 and 5x6", "inner sizes differ"),
                   new ErrorInput(() => R(3, 4).MatMul(R(4, 2).To(DType.Float32)), "dtype", "dtypes differ"),
                   new ErrorInput(() => R().MatMul(R(3)), "MatMul", "0-dim operand")]);
        yield return MatRow("MatMul 1-D cases", x => x[0].MatMul(x[1]).Add(x[2].MatMul(x[0])), x => Nd.Zip(MatMulRef(x[0], x[1]), MatMulRef(x[2], x[0]), (p, q) => p + q),
            () => [S("vec x mat + mat x vec", R(4), R(4, 4), R(4, 4))]);
        yield return MatRow("MatMul batched broadcast", x => x[0].MatMul(x[1]), x => MatMulRef(x[0], x[1]),
            () => [S("[2,1,3,4]x[3,4,2]", R(2, 1, 3, 4), R(3, 4, 2)), S("[2,3,4]x[4]", R(2, 3, 4), R(4)), S("[4]x[2,4,3]", R(4), R(2, 4, 3)), S("[2,3,4]x[4,5]", R(2, 3, 4), R(4, 5))]);
        yield return MatRow("MatMul transposed operands", x => x[0].T.MatMul(x[1].T), x => MatMulRef(Permuted(x[0], [1, 0]), Permuted(x[1], [1, 0])),
            () => [S("A^T B^T", R(4, 3), R(5, 4))]);
        yield return MatRow("Mm", x => x[0].Mm(x[1]), x => MatMulRef(x[0], x[1]), () => [S("[3,4]x[4,2]", R(3, 4), R(4, 2))],
            () => [new ErrorInput(() => R(3).Mm(R(3, 3)), "Mm", "not 2-D")]);
        yield return MatRow("Bmm", x => x[0].Bmm(x[1]), x => MatMulRef(x[0], x[1]), () => [S("[2,3,4]x[2,4,5]", R(2, 3, 4), R(2, 4, 5))],
            () => [new ErrorInput(() => R(2, 3, 4).Bmm(R(3, 4, 5)), "Bmm", "batch mismatch")]);
        yield return MatRow("Mv", x => x[0].Mv(x[1]), x => MatMulRef(x[0], x[1]), () => [S("[3,4]x[4]", R(3, 4), R(4))]);
        yield return MatRow("Dot", x => x[0].Dot(x[1]), x => MatMulRef(x[0], x[1]), () => [S("[5].[5]", R(5), R(5))],
            () => [new ErrorInput(() => R(5).Dot(R(4)), "Dot", "length mismatch")]);
        yield return MatRow("Addmm", x => x[0].Addmm(x[1], x[2], beta: 0.5, alpha: 2),
            x => Nd.Zip(x[0], MatMulRef(x[1], x[2]), (i, p) => 0.5 * i + 2 * p), () => [S("bias [4] + [3,2]x[2,4]", R(4), R(3, 2), R(2, 4))]);
        yield return MatRow("Baddbmm", x => x[0].Baddbmm(x[1], x[2], beta: 1, alpha: -1),
            x => Nd.Zip(x[0], MatMulRef(x[1], x[2]), (i, p) => i - p), () => [S("[2,3,4] + [2,3,2]x[2,2,4]", R(2, 3, 4), R(2, 3, 2), R(2, 2, 4))]);
        yield return new OpInfo
        {
            Name = "Mul",
            Variant = "Outer composite",
            Op = x => x[0].Outer(x[1]),
            Samples = () => [S("[3] outer [4]", R(3), R(4))],
            Reference = x => MatMulRef(new Nd([3, 1], x[0].Data), new Nd([1, 4], x[1].Data)),
        };
        yield return MatRow("Einsum ij,jk->ik", x => Tensor.Einsum("ij,jk->ik", x[0], x[1]), x => MatMulRef(x[0], x[1]), () => [S("", R(3, 4), R(4, 2))],
            () => [new ErrorInput(() => Tensor.Einsum("ij,jk->ik", R(3, 4), R(5, 2)), "Einsum", "size mismatch")]);
        yield return MatRow("Einsum bij,bkj->bik", x => Tensor.Einsum("bij,bkj->bik", x[0], x[1]), x => MatMulRef(x[0], Permuted(x[1], [0, 2, 1])), () => [S("", R(2, 3, 4), R(2, 5, 4))]);
        yield return MatRow("Einsum i,i->", x => Tensor.Einsum("i,i->", x[0], x[1]), x => MatMulRef(x[0], x[1]), () => [S("", R(5), R(5))]);
        yield return MatRow("Einsum ij->ji and ii->i", x => Tensor.Einsum("ij->ji", x[0]).Diagonal().Add(Tensor.Einsum("ii->i", x[0])),
            x => Gathered(x[0], [x[0].Shape[0]], i => [i[0], i[0]]).Map(v => 2 * v), () => [S("", R(4, 4))]);
        yield return MatRow("Einsum ...ij,...jk implicit output", x => Tensor.Einsum("...ij,...jk", x[0], x[1]), x => MatMulRef(x[0], x[1]), () => [S("", R(2, 3, 4), R(2, 4, 2))]);
        yield return MatRow("Einsum bi,bj->bij (outer per batch)", x => Tensor.Einsum("bi,bj->bij", x[0], x[1]),
            x => new Nd([2, 3, 4], Enumerable.Range(0, 24).Select(k => x[0][k / 12, k / 4 % 3] * x[1][k / 12, k % 4]).ToArray()), () => [S("", R(2, 3), R(2, 4))]);
    }
}

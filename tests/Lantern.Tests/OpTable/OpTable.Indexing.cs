namespace Lantern.Tests.OpTable;

// Rows for index-based ops, joining and padding.
public static partial class Ops
{
    private static Tensor Idx(params long[] v) => Tensor.FromArray(v);

    [OpFamily]
    private static IEnumerable<OpInfo> Indexing()
    {
        yield return new OpInfo
        {
            Name = "IndexSelect",
            Op = x => x[0].IndexSelect(1, x[1]),
            Samples = () => [S("repeats and reorders", R(3, 4), Idx(3, 0, 3, 1)), S("3-D", R(2, 4, 2), Idx(2, 2))],
            Reference = x => Gathered(x[0], [x[0].Shape[0], x[1].Data.Length, .. x[0].Shape[2..]], i => [i[0], (int)x[1].Data[i[1]], .. i[2..]]),
            Errors = () => [new ErrorInput(() => R(3, 4).IndexSelect(1, Idx(4)), "IndexSelect", "index out of range"),
                            new ErrorInput(() => R(3, 4).IndexSelect(1, Idx(1).To(DType.Float64)), "Int64", "float index")],
        };
        yield return new OpInfo
        {
            Name = "IndexAdd",
            Op = x => x[0].IndexAdd(0, x[2], x[1], alpha: 1.5),
            Samples = () => [S("duplicates accumulate", R(4, 3), R(3, 3), Idx(1, 3, 1))],
            Reference = x =>
            {
                var r = new Nd(x[0].Shape, (double[])x[0].Data.Clone());
                for (int j = 0; j < x[2].Data.Length; j++)
                    for (int c = 0; c < r.Shape[1]; c++) r[(int)x[2].Data[j], c] += 1.5 * x[1][j, c];
                return r;
            },
            InPlace = x => x[0].IndexAdd_(0, x[2], x[1], alpha: 1.5),
            Errors = () => [new ErrorInput(() => R(4, 3).IndexAdd(0, Idx(1, 2), R(3, 3)), "IndexAdd", "index length differs from source")],
        };
        yield return new OpInfo
        {
            Name = "Gather",
            Op = x => x[0].Gather(1, x[1]),
            Samples = () => [S("[3,4] by [3,2]", R(3, 4), Tensor.FromArray(new long[] { 0, 3, 1, 1, 2, 0 }, [3, 2]))],
            Reference = x => Gathered(x[0], x[1].Shape, i => [i[0], (int)x[1][i]]),
            Errors = () => [new ErrorInput(() => R(3, 4).Gather(1, Tensor.FromArray(new long[] { 4 }, [1, 1])), "Gather", "index out of range"),
                            new ErrorInput(() => R(3, 4).Gather(1, Idx(1)), "Gather", "rank mismatch")],
        };
        yield return new OpInfo
        {
            Name = "Scatter",
            Op = x => x[0].Scatter(1, x[2], x[1]),
            Samples = () => [S("distinct targets", R(3, 4), R(3, 3), Tensor.FromArray(new long[] { 0, 2, 3, 1, 0, 2, 3, 2, 1 }, [3, 3]))],
            Reference = x =>
            {
                var r = new Nd(x[0].Shape, (double[])x[0].Data.Clone());
                for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) r[i, (int)x[2][i, j]] = x[1][i, j];
                return r;
            },
            InPlace = x => x[0].Scatter_(1, x[2], x[1]),
        };
        yield return new OpInfo
        {
            Name = "ScatterAdd",
            Op = x => x[0].ScatterAdd(0, x[2], x[1]),
            Samples = () => [S("duplicates accumulate, source larger than index", R(3, 2), R(4, 2), Tensor.FromArray(new long[] { 0, 2, 0, 0, 1, 2 }, [3, 2]))],
            Reference = x =>
            {
                var r = new Nd(x[0].Shape, (double[])x[0].Data.Clone());
                for (int i = 0; i < 3; i++) for (int j = 0; j < 2; j++) r[(int)x[2][i, j], j] += x[1][i, j];
                return r;
            },
            InPlace = x => x[0].ScatterAdd_(0, x[2], x[1]),
        };
        yield return new OpInfo
        {
            Name = "Flip",
            Op = x => x[0].Flip([0, -1]),
            Samples = () => [S("[3,4]", R(3, 4)), S("[2,3,5]", R(2, 3, 5))],
            Reference = x => Gathered(x[0], x[0].Shape, i => { var j = (int[])i.Clone(); j[0] = x[0].Shape[0] - 1 - i[0]; j[^1] = x[0].Shape[^1] - 1 - i[^1]; return j; }),
            Errors = () => [new ErrorInput(() => R(3, 4).Flip([0, 0]), "Flip", "repeated dim")],
        };
        yield return new OpInfo
        {
            Name = "Cat",
            Op = x => Tensor.Cat([x[0], x[1], x[2]], 1),
            Samples = () => [S("three parts along dim 1", R(2, 3), R(2, 1), R(2, 2))],
            Reference = x => CatRef(x, 1),
            Errors = () => [new ErrorInput(() => Tensor.Cat([R(2, 3), R(3, 3)], 1), "Cat", "size mismatch off the cat dim"),
                            new ErrorInput(() => Tensor.Cat([R(2, 3), R(3, 3)], 1), "[3, 3]", "message names the shape")],
        };
        yield return new OpInfo
        {
            Name = "Cat",
            Variant = "Stack composite",
            Op = x => Tensor.Stack([x[0], x[1]], 1),
            Samples = () => [S("two [3,2]", R(3, 2), R(3, 2))],
            Reference = x => Gathered(x[0], [3, 2, 2], i => [i[0], i[2]]) is var a ? new Nd([3, 2, 2], Enumerable.Range(0, 12).Select(k => { var i = a.Unravel(k); return x[i[1]][i[0], i[2]]; }).ToArray()) : x[0],
            Errors = () => [new ErrorInput(() => Tensor.Stack([R(2, 3), R(3, 2)]), "Stack", "shape mismatch")],
        };
    }

    private static Nd CatRef(Nd[] parts, int dim)
    {
        var shape = (int[])parts[0].Shape.Clone();
        shape[dim] = parts.Sum(p => p.Shape[dim]);
        var r = new Nd(shape);
        for (int i = 0; i < r.Data.Length; i++)
        {
            var idx = r.Unravel(i);
            int k = idx[dim], p = 0;
            while (k >= parts[p].Shape[dim]) { k -= parts[p].Shape[dim]; p++; }
            var j = (int[])idx.Clone();
            j[dim] = k;
            r.Data[i] = parts[p][j];
        }
        return r;
    }
}

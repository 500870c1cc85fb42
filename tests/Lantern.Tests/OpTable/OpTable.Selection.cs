namespace Lantern.Tests.OpTable;

// Rows for selection by data (ScatterReduce, Index, IndexPut, MaskedSelect, Take) and for repeating/rearranging
// copies (Roll, Repeat, Tile, RepeatInterleave, Tril, Triu, Diag). References loop over Nd positions.
public static partial class Ops
{
    private static Tensor Mask(bool[] v, params int[] shape) => Tensor.FromArray(v, shape);

    private static Tensor L(int[] shape, params long[] v) => Tensor.FromArray(v, shape);

    /// <summary>torch.scatter_reduce by definition: each target collects its contributions, then reduces them.</summary>
    internal static Nd ScatterReduceRef(Nd self, Nd index, Nd src, int dim, string reduce, bool includeSelf)
    {
        var groups = self.Data.Select(_ => new List<double>()).ToArray();
        for (int i = 0; i < index.Data.Length; i++)
        {
            var p = index.Unravel(i);
            var t = (int[])p.Clone();
            t[dim] = (int)index.Data[i];
            groups[self.Ravel(t)].Add(src[p]);
        }
        var r = new Nd(self.Shape, (double[])self.Data.Clone());
        for (int i = 0; i < r.Data.Length; i++)
        {
            if (groups[i].Count == 0) continue;
            var v = includeSelf ? groups[i].Prepend(self.Data[i]).ToList() : groups[i];
            r.Data[i] = reduce switch
            {
                "sum" => v.Sum(),
                "prod" => v.Aggregate(1.0, (a, b) => a * b),
                "mean" => v.Average(),
                "amax" => v.Max(),
                _ => v.Min(),
            };
        }
        return r;
    }

    /// <summary>x[i0, i1, ...] for Int64 index arrays broadcast together (negative values wrap).</summary>
    internal static Nd AdvancedIndexRef(Nd x, Nd[] idx)
    {
        var b = idx.Select(i => i.Shape).Aggregate(Nd.BroadcastShape);
        int k = idx.Length;
        var rest = x.Shape[k..];
        var r = new Nd([.. b, .. rest]);
        for (int i = 0; i < r.Data.Length; i++)
        {
            var p = r.Unravel(i);
            var bi = p[..b.Length];
            var src = new int[x.Rank];
            for (int j = 0; j < k; j++)
            {
                int v = (int)idx[j].AtBroadcast(bi);
                src[j] = v < 0 ? v + x.Shape[j] : v;
            }
            for (int j = 0; j < rest.Length; j++) src[k + j] = p[b.Length + j];
            r.Data[i] = x[src];
        }
        return r;
    }

    /// <summary>x[mask] for a mask over the leading dims: [count, rest...].</summary>
    internal static Nd MaskIndexRef(Nd x, Nd mask)
    {
        int lead = mask.Data.Length, restN = x.Data.Length / Math.Max(lead, 1);
        var picked = Enumerable.Range(0, lead).Where(i => mask.Data[i] != 0).ToList();
        var data = picked.SelectMany(i => x.Data.Skip(i * restN).Take(restN)).ToArray();
        return new Nd([picked.Count, .. x.Shape[mask.Rank..]], data);
    }

    private static Nd IndexPutRef(Nd x, Nd[] idx, Nd values, bool accumulate)
    {
        var r = new Nd(x.Shape, (double[])x.Data.Clone());
        var positions = AdvancedIndexRef(new Nd(x.Shape, Enumerable.Range(0, x.Data.Length).Select(i => (double)i).ToArray()), idx);
        for (int i = 0; i < positions.Data.Length; i++)
        {
            double v = values.AtBroadcast(positions.Unravel(i));
            int at = (int)positions.Data[i];
            r.Data[at] = accumulate ? r.Data[at] + v : v;
        }
        return r;
    }

    private static OpInfo ScatterReduceRow(string reduce, bool includeSelf, Func<int[], Tensor> gen, bool gradGrad = true, string? extra = null) => new()
    {
        Name = "ScatterReduce",
        Variant = $"{reduce} includeSelf={includeSelf}{extra}",
        Op = x => x[0].ScatterReduce(1, x[2], x[1], reduce, includeSelf),
        Samples = () =>
        [
            // Target (i, 2) gets three values, (i, 3) none; src [3,4] is larger than index [3,3].
            S("duplicates, untouched targets, src larger than index", gen([3, 5]), gen([3, 4]), L([3, 3], 2, 0, 2, 1, 2, 2, 2, 4, 0)),
            S("dim 1 of [2,3] by [2,2]", gen([2, 3]), gen([2, 2]), L([2, 2], 0, 0, 2, 1)),
        ],
        Reference = x => ScatterReduceRef(x[0], x[2], x[1], 1, reduce, includeSelf),
        InPlace = x => x[0].ScatterReduce_(1, x[2], x[1], reduce, includeSelf),
        GradInputs = [0, 1],
        SupportsGradGrad = gradGrad,
        Errors = () =>
        [
            new ErrorInput(() => R(3, 4).ScatterReduce(1, L([1, 1], 0), R(1, 1), "median"), "ScatterReduce", "unknown reduce"),
            new ErrorInput(() => R(3, 4).ScatterReduce(1, L([1, 1], 4), R(1, 1), reduce), "out of bounds", "index out of range"),
            new ErrorInput(() => R(3, 4).ScatterReduce(1, L([1, 1], 0), R(1, 1).To(DType.Float32), reduce), "dtype", "dtype mismatch"),
        ],
    };

    private static Tensor WithZeros(int[] s)
    {
        // Values in [0.5, 1.5) with exact zeros sprinkled in (prod's special cases).
        var u = U(0.5, 1.5, s);
        return u.MaskedFill(U(0, 1, s).Lt(0.3), 0);
    }

    [OpFamily]
    private static IEnumerable<OpInfo> Selection()
    {
        foreach (bool inc in new[] { true, false })
        {
            yield return ScatterReduceRow("sum", inc, s => R(s));
            yield return ScatterReduceRow("mean", inc, s => R(s));
            yield return ScatterReduceRow("prod", inc, s => U(0.5, 1.5, s));
            yield return ScatterReduceRow("amax", inc, Distinct);
            yield return ScatterReduceRow("amin", inc, Distinct);
        }
        yield return ScatterReduceRow("prod", true, WithZeros, gradGrad: false, extra: " with zeros");

        yield return new OpInfo
        {
            Name = "Index",
            Variant = "Bool mask over leading dims",
            Op = x => x[0].Index(x[1]),
            Samples = () =>
            [
                S("[3,4,2] by [3,4] mask", R(3, 4, 2), U(0, 1, 3, 4).Gt(0.5)),
                S("[5] by [5] mask", R(5), Mask([true, false, true, true, false], 5)),
            ],
            Reference = x => MaskIndexRef(x[0], x[1]),
            Errors = () => [new ErrorInput(() => R(3, 4).Index(Mask([true, false], 2)), "does not match", "mask shape differs")],
        };
        yield return new OpInfo
        {
            Name = "Index",
            Variant = "Int64 broadcast pair, negative and repeated",
            Op = x => x[0].Index(x[1], x[2]),
            Samples = () =>
            [
                S("[3,4,2] by [2,1] and [3]", R(3, 4, 2), L([2, 1], 0, -1), L([3], 3, 1, 1)),
                S("[4,5] by [2] and [2]", R(4, 5), L([2], 1, 1), L([2], -5, 4)),
            ],
            Reference = x => AdvancedIndexRef(x[0], [x[1], x[2]]),
            Errors = () =>
            [
                new ErrorInput(() => R(3, 4).Index(L([1], 3)), "out of bounds for dimension 0 with size 3", "index out of range"),
                new ErrorInput(() => R(3, 4).Index(L([2], 0, 1), L([3], 0, 1, 2)), "broadcast", "indices do not broadcast"),
                new ErrorInput(() => R(3, 4).Index(R(2)), "Int64 or Bool", "float index"),
                new ErrorInput(() => R(3).Index(L([1], 0), L([1], 0)), "too many indices", "more indices than dims"),
            ],
        };
        yield return new OpInfo
        {
            Name = "IndexPut",
            Variant = "Bool mask, broadcast row value",
            Op = x => x[0].IndexPut([x[2]], x[1]),
            Samples = () => [S("[3,4,2] mask [3,4] value [2]", R(3, 4, 2), R(2), U(0, 1, 3, 4).Gt(0.4))],
            Reference = x => IndexPutRef(x[0], [.. CoordsOf(x[2])], x[1], false),
            InPlace = x => x[0].IndexPut_([x[2]], x[1]),
            Errors = () => [new ErrorInput(() => R(3, 4).IndexPut([L([2], 0, 1)], R(3)), "cannot be broadcast", "value shape mismatch")],
        };
        yield return new OpInfo
        {
            Name = "IndexPut",
            Variant = "Int64 pair, distinct targets",
            Op = x => x[0].IndexPut([x[2], x[3]], x[1]),
            Samples = () => [S("[4,5] at (0,1),(3,-1),(2,0)", R(4, 5), R(3), L([3], 0, 3, 2), L([3], 1, -1, 0))],
            Reference = x => IndexPutRef(x[0], [x[2], x[3]], x[1], false),
            InPlace = x => x[0].IndexPut_([x[2], x[3]], x[1]),
        };
        yield return new OpInfo
        {
            Name = "IndexPut",
            Variant = "accumulate with duplicates",
            Op = x => x[0].IndexPut([x[2]], x[1], accumulate: true),
            Samples = () => [S("[4,3] rows 1,3,1,1", R(4, 3), R(4, 3), L([4], 1, 3, 1, -3)), S("[5] scalar value", R(5), R(), L([3], 0, 0, 4))],
            Reference = x => IndexPutRef(x[0], [x[2]], x[1], true),
            InPlace = x => x[0].IndexPut_([x[2]], x[1], accumulate: true),
        };
        yield return new OpInfo
        {
            Name = "MaskedSelect",
            Op = x => x[0].MaskedSelect(x[1]),
            Samples = () =>
            [
                S("[3,4] mask [3,4]", R(3, 4), U(0, 1, 3, 4).Gt(0.5)),
                S("[3,4] mask [4] broadcast", R(3, 4), Mask([true, false, false, true], 4)),
                S("[4] mask [3,1] broadcasts the input", R(4), Mask([true, false, true], 3, 1)),
            ],
            Reference = x =>
            {
                var shape = Nd.BroadcastShape(x[0].Shape, x[1].Shape);
                var probe = new Nd(shape);
                var picked = Enumerable.Range(0, probe.Data.Length).Where(i => x[1].AtBroadcast(probe.Unravel(i)) != 0).Select(i => x[0].AtBroadcast(probe.Unravel(i))).ToArray();
                return new Nd([picked.Length], picked);
            },
            Errors = () => [new ErrorInput(() => R(3, 4).MaskedSelect(R(3, 4)), "MaskedSelect", "non-Bool mask"),
                            new ErrorInput(() => R(3, 4).MaskedSelect(Mask([true, false, true], 3)), "MaskedSelect", "mask does not broadcast")],
        };
        yield return new OpInfo
        {
            Name = "Take",
            Op = x => x[0].Take(x[1]),
            Samples = () => [S("[3,4] by [2,3] with negatives and repeats", R(3, 4), L([2, 3], 0, 11, -1, 5, 5, -12)), S("0-dim index", R(2, 2), L([], 3))],
            Reference = x => new Nd(x[1].Shape, x[1].Data.Select(i => x[0].Data[i < 0 ? (int)i + x[0].Data.Length : (int)i]).ToArray()),
            Errors = () => [new ErrorInput(() => R(3, 4).Take(L([1], 12)), "out of range: tried to access index 12 on a tensor of 12 elements", "index too large"),
                            new ErrorInput(() => R(3, 4).Take(L([1], -13)), "Take", "index too small")],
        };
        foreach (var row in Rearranging()) yield return row;
    }

    /// <summary>Coordinates of the nonzero entries of a mask, one Nd per dim (for the IndexPut reference).</summary>
    private static IEnumerable<Nd> CoordsOf(Nd mask)
    {
        var picked = Enumerable.Range(0, mask.Data.Length).Where(i => mask.Data[i] != 0).Select(mask.Unravel).ToList();
        for (int d = 0; d < mask.Rank; d++) yield return new Nd([picked.Count], picked.Select(p => (double)p[d]).ToArray());
    }

    private static IEnumerable<OpInfo> Rearranging()
    {
        yield return ViewRow("Roll", "shift 1 along dim 1", x => x.Roll([1], [1]), x => Gathered(x, x.Shape, i => [i[0], (i[1] - 1 + x.Shape[1]) % x.Shape[1], .. i[2..]]), [[3, 4], [2, 3, 4]],
            () => [new ErrorInput(() => R(3, 4).Roll([1, 2], [0]), "Roll", "shifts and dims differ in length")]);
        yield return ViewRow("Roll", "two dims, negative and large shifts", x => x.Roll([-1, 7], [0, -1]), x => Gathered(x, x.Shape, i => [(i[0] + 1) % x.Shape[0], .. i[1..^1], ((i[^1] - 7) % x.Shape[^1] + x.Shape[^1]) % x.Shape[^1]]), [[3, 4], [2, 3, 5]]);
        yield return ViewRow("Roll", "flattened", x => x.Roll(2), x => new Nd(x.Shape, Enumerable.Range(0, x.Data.Length).Select(i => x.Data[(i - 2 + x.Data.Length) % x.Data.Length]).ToArray()), [[3, 4], [5]]);
        yield return ViewRow("Repeat", "extra leading dim", x => x.Repeat(2, 1, 3), x => Gathered(x, [2, x.Shape[0], 3 * x.Shape[1]], i => [i[1], i[2] % x.Shape[1]]), [[3, 4], [1, 2]],
            () => [new ErrorInput(() => R(2, 3).Repeat(2), "Repeat", "fewer repeats than dims")]);
        yield return ViewRow("Tile", "fewer reps than dims", x => x.Tile(2), x => Gathered(x, [.. x.Shape[..^1], 2 * x.Shape[^1]], i => [.. i[..^1], i[^1] % x.Shape[^1]]), [[3, 4], [5]]);
        yield return ViewRow("RepeatInterleave", "int, dim 0", x => x.RepeatInterleave(2, 0), x => Gathered(x, [2 * x.Shape[0], .. x.Shape[1..]], i => [i[0] / 2, .. i[1..]]), [[3, 4], [5]],
            () => [new ErrorInput(() => R(3).RepeatInterleave(-1), "RepeatInterleave", "negative repeats")]);
        yield return ViewRow("RepeatInterleave", "int, flattened", x => x.RepeatInterleave(3), x => new Nd([3 * x.Data.Length], Enumerable.Range(0, 3 * x.Data.Length).Select(i => x.Data[i / 3]).ToArray()), [[2, 3]]);
        yield return new OpInfo
        {
            Name = "RepeatInterleave",
            Variant = "counts tensor, dim 1",
            Op = x => x[0].RepeatInterleave(x[1], 1),
            Samples = () => [S("[2,3] counts [2,0,3]", R(2, 3), L([3], 2, 0, 3)), S("[2,1] count [4]", R(2, 1), L([1], 4))],
            Reference = x =>
            {
                var counts = x[1].Data.Length == 1 ? Enumerable.Repeat((int)x[1].Data[0], x[0].Shape[1]).ToArray() : x[1].Data.Select(c => (int)c).ToArray();
                var cols = counts.SelectMany((c, j) => Enumerable.Repeat(j, c)).ToArray();
                return Gathered(x[0], [x[0].Shape[0], cols.Length], i => [i[0], cols[i[1]]]);
            },
            Errors = () => [new ErrorInput(() => R(2, 3).RepeatInterleave(L([2], 1, 1), 1), "input.size(1) = 3", "wrong count length"),
                            new ErrorInput(() => R(2, 3).RepeatInterleave(L([3], 1, -1, 1), 1), "negative", "negative count")],
        };
        foreach (int k in new[] { 0, -1, 2 })
        {
            yield return new OpInfo
            {
                Name = "Tril",
                Variant = $"diagonal {k}",
                Op = x => x[0].Tril(k),
                Samples = () => [S("[3,4]", R(3, 4)), S("[2,4,3]", R(2, 4, 3))],
                Reference = x => new Nd(x[0].Shape, x[0].Data.Select((v, i) => { var p = x[0].Unravel(i); return p[^1] - p[^2] <= k ? v : 0; }).ToArray()),
                InPlace = x => x[0].Tril_(k),
                Errors = () => [new ErrorInput(() => R(3).Tril(), "at least 2 dimensions", "1-D input")],
            };
            yield return new OpInfo
            {
                Name = "Triu",
                Variant = $"diagonal {k}",
                Op = x => x[0].Triu(k),
                Samples = () => [S("[3,4]", R(3, 4)), S("[2,4,3]", R(2, 4, 3))],
                Reference = x => new Nd(x[0].Shape, x[0].Data.Select((v, i) => { var p = x[0].Unravel(i); return p[^1] - p[^2] >= k ? v : 0; }).ToArray()),
                InPlace = x => x[0].Triu_(k),
                Errors = () => [new ErrorInput(() => R(3).Triu(), "Triu", "1-D input")],
            };
        }
        foreach (int k in new[] { 0, 1, -2 })
        {
            yield return ViewRow("Diag", $"vector to matrix, diagonal {k}", x => x.Diag(k),
                x => { int m = x.Shape[0] + Math.Abs(k); var r = new Nd([m, m]); for (int i = 0; i < x.Shape[0]; i++) r[k >= 0 ? i : i - k, k >= 0 ? i + k : i] = x[i]; return r; },
                [[3], [1]], () => [new ErrorInput(() => R(2, 2, 2).Diag(), "matrix or a vector expected", "3-D input")]);
            yield return ViewRow("Diag", $"matrix to vector, diagonal {k}", x => Tensor.Diag(x, k),
                x => { var r = new List<double>(); for (int i = 0; i < x.Shape[0]; i++) { int j = i + k; if (j >= 0 && j < x.Shape[1]) r.Add(x[i, j]); } return new Nd([r.Count], r.ToArray()); },
                [[3, 4], [4, 3]]);
        }
    }
}

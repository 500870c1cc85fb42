namespace Lantern.Tests.OpTable;

// Rows for view ops. The reference permutes/selects Nd data by index arithmetic.
public static partial class Ops
{
    private static Nd Permuted(Nd x, int[] perm)
    {
        var shape = perm.Select(p => x.Shape[p]).ToArray();
        var r = new Nd(shape);
        for (int i = 0; i < r.Data.Length; i++)
        {
            var idx = r.Unravel(i);
            var src = new int[x.Rank];
            for (int k = 0; k < perm.Length; k++) src[perm[k]] = idx[k];
            r.Data[i] = x[src];
        }
        return r;
    }

    /// <summary>Reference slicing: out[idx] = x[map(idx)].</summary>
    private static Nd Gathered(Nd x, int[] outShape, Func<int[], int[]> map)
    {
        var r = new Nd(outShape);
        for (int i = 0; i < r.Data.Length; i++) r.Data[i] = x[map(r.Unravel(i))];
        return r;
    }

    private static OpInfo ViewRow(string name, string? variant, Func<Tensor, Tensor> f, Func<Nd, Nd> reference, int[][] shapes, Func<ErrorInput[]>? errors = null,
        bool storageGeometry = false) => new()
    {
        TestNonContiguous = !storageGeometry,
        TestExpanded = !storageGeometry && name != "View",
        Name = name,
        Variant = variant,
        Op = x => f(x[0]),
        Samples = () => shapes.Select(s => S($"[{string.Join(",", s)}]", R(s))).ToArray(),
        Reference = x => reference(x[0]),
        Errors = errors,
    };

    [OpFamily]
    private static IEnumerable<OpInfo> Views()
    {
        yield return ViewRow("View", null, x => x.View(-1), x => new Nd([x.Data.Length], x.Data), [[3, 4], [2, 3, 4]],
            () => [new ErrorInput(() => R(3, 4).View(5, -1), "View", "size mismatch"),
                   new ErrorInput(() => R(3, 4).T.View(12), "Reshape", "non-viewable strides suggest Reshape")]);
        yield return ViewRow("Reshape", null, x => x.Reshape(2, -1), x => new Nd([2, x.Data.Length / 2], x.Data), [[3, 4], [2, 3, 4]],
            () => [new ErrorInput(() => R(3, 4).Reshape(5, 3), "Reshape", "size mismatch")]);
        yield return ViewRow("Reshape", "of a transpose (copy)", x => x.T.Reshape(-1), x => { var p = Permuted(x, [1, 0]); return new Nd([p.Data.Length], p.Data); }, [[3, 4]]);
        yield return ViewRow("Transpose", null, x => x.Transpose(0, -1), x => Permuted(x, x.Rank == 2 ? [1, 0] : [2, 1, 0]), [[3, 4], [2, 3, 4]],
            () => [new ErrorInput(() => R(3, 4).Transpose(0, 2), "Transpose", "dim out of range")]);
        yield return ViewRow("Permute", null, x => x.Permute(2, 0, 1), x => Permuted(x, [2, 0, 1]), [[2, 3, 4]],
            () => [new ErrorInput(() => R(2, 3, 4).Permute(0, 0, 1), "Permute", "repeated dim"),
                   new ErrorInput(() => R(2, 3, 4).Permute(0, 1), "Permute", "wrong count")]);
        yield return ViewRow("Squeeze", null, x => x.Squeeze(), x => new Nd(x.Shape.Where(s => s != 1).ToArray(), x.Data), [[3, 1, 4], [1, 1]]);
        yield return ViewRow("Unsqueeze", null, x => x.Unsqueeze(1), x => new Nd([.. x.Shape[..1], 1, .. x.Shape[1..]], x.Data), [[3, 4], [2, 3, 4]],
            () => [new ErrorInput(() => R(3, 4).Unsqueeze(4), "Unsqueeze", "dim out of range")]);
        yield return ViewRow("Expand", null, x => x.Expand(2, -1, 4), x => Gathered(x, [2, x.Shape[0], 4], i => [i[1], 0]), [[3, 1]],
            () => [new ErrorInput(() => R(3, 2).Expand(3, 4), "Expand", "non-singleton mismatch"),
                   new ErrorInput(() => R(3, 2).Expand(3, 4), "[3, 2]", "message names the tensor shape")]);
        yield return ViewRow("Narrow", null, x => x.Narrow(1, 1, 2), x => Gathered(x, [x.Shape[0], 2, .. x.Shape[2..]], i => [i[0], i[1] + 1, .. i[2..]]), [[3, 4], [2, 3, 4]],
            () => [new ErrorInput(() => R(3, 4).Narrow(1, 3, 2), "Narrow", "start + length beyond size")]);
        yield return ViewRow("Select", null, x => x.Select(1, -1), x => Gathered(x, [x.Shape[0], .. x.Shape[2..]], i => [i[0], x.Shape[1] - 1, .. i[1..]]), [[3, 4], [2, 3, 4]],
            () => [new ErrorInput(() => R(3, 4).Select(0, 3), "Select", "index out of range")]);
        yield return ViewRow("Slice", "step 2", x => x.Slice(-1, 1, 10, 2), x => Gathered(x, [.. x.Shape[..^1], (x.Shape[^1] - 1 + 1) / 2], i => [.. i[..^1], 1 + 2 * i[^1]]), [[3, 4], [2, 3, 5]],
            () => [new ErrorInput(() => R(3, 4).Slice(0, 0, 2, 0), "Slice", "step 0")]);
        yield return ViewRow("Unfold", "overlapping windows", x => x.Unfold(-1, 3, 1), x => Gathered(x, [.. x.Shape[..^1], x.Shape[^1] - 2, 3], i => [.. i[..^2], i[^2] + i[^1]]), [[3, 4], [2, 5]],
            () => [new ErrorInput(() => R(3, 4).Unfold(1, 5, 1), "Unfold", "size too large")]);
        yield return ViewRow("Unfold", "step 2", x => x.Unfold(0, 2, 2), x => Gathered(x, [x.Shape[0] / 2, .. x.Shape[1..], 2], i => [2 * i[0] + i[^1], .. i[1..^1]]), [[4, 3], [5, 2]]);
        yield return ViewRow("Diagonal", null, x => x.Diagonal(1), x => Gathered(x, [Math.Min(x.Shape[0], x.Shape[1] - 1)], i => [i[0], i[0] + 1]), [[3, 4], [4, 3]]);
        yield return ViewRow("AsStrided", "overlapping", x => x.AsStrided([3, 2], [1, 2]), x => Gathered(x, [3, 2], i => x.Unravel(i[0] + 2 * i[1])), [[3, 4], [2, 5]],
            () => [new ErrorInput(() => R(2, 2).AsStrided([3, 3], [3, 1]), "AsStrided", "beyond storage")], storageGeometry: true);
        yield return ViewRow("ScatterToShape", "via Narrow backward", x => x.Narrow(0, 1, 1).Mul(1).Sum(), x => Gathered(x, [1, .. x.Shape[1..]], i => [1, .. i[1..]]).Reduce(null, false, v => v.Sum()), [[3, 4]]);
    }
}

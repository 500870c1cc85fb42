namespace Lantern.Tests.OpTable;

// Rows for Sort and TopK. The reference sorts each slice with LINQ's stable OrderBy and a NaN-largest comparer.
public static partial class Ops
{
    private static readonly Comparer<double> s_nanLargest = Comparer<double>.Create((a, b) =>
        double.IsNaN(a) ? (double.IsNaN(b) ? 0 : 1) : double.IsNaN(b) ? -1 : a.CompareTo(b));

    /// <summary>Stable sort of every slice along dim: (values, indices), taking the first k of each.</summary>
    internal static (Nd Values, Nd Indices) SortRef(Nd x, int dim, bool descending, int? k = null)
    {
        int d = dim < 0 ? dim + x.Rank : dim;
        int n = x.Shape[d], kk = k ?? n;
        var outShape = (int[])x.Shape.Clone();
        outShape[d] = kk;
        var values = new Nd(outShape);
        var indices = new Nd(outShape);
        for (int i = 0; i < x.Data.Length; i++)
        {
            var idx = x.Unravel(i);
            if (idx[d] != 0) continue;
            var row = Enumerable.Range(0, n).Select(j => { var p = (int[])idx.Clone(); p[d] = j; return (v: x[p], j); }).ToList();
            var sorted = (descending ? row.OrderByDescending(e => e.v, s_nanLargest) : row.OrderBy(e => e.v, s_nanLargest)).Take(kk).ToList();
            for (int j = 0; j < kk; j++)
            {
                var p = (int[])idx.Clone();
                p[d] = j;
                values[p] = sorted[j].v;
                indices[p] = sorted[j].j;
            }
        }
        return (values, indices);
    }

    private static Tensor WithTies(int[] s)
    {
        // Few distinct values (many ties) and a NaN: checks stability and NaN placement.
        var r = U(0, 3, s).Floor();
        return r.MaskedFill(Tensor.Arange(r.Numel()).Eq(1).Reshape(s), double.NaN);
    }

    [OpFamily]
    private static IEnumerable<OpInfo> Sorting()
    {
        int[][] shapes = [[7], [3, 5], [2, 3, 4]];
        yield return new OpInfo
        {
            Name = "Sort",
            Variant = "ascending dim -1",
            Op = x => x[0].Sort().Values,
            Samples = () => shapes.Select(s => S($"[{string.Join(",", s)}]", Distinct(s))).ToArray(),
            Reference = x => SortRef(x[0], -1, false).Values,
            Errors = () => [new ErrorInput(() => R(3, 4).Sort(2), "Sort", "dim out of range")],
        };
        yield return new OpInfo
        {
            Name = "Sort",
            Variant = "descending dim 0",
            Op = x => x[0].Sort(0, descending: true).Values,
            Samples = () => shapes.Select(s => S($"[{string.Join(",", s)}]", Distinct(s))).ToArray(),
            Reference = x => SortRef(x[0], 0, true).Values,
        };
        yield return new OpInfo
        {
            Name = "Sort",
            Variant = "ties and NaN: indices are stable",
            Op = x => x[0].Sort(-1).Indices,
            Samples = () => [S("[4,9] few values and a NaN", WithTies([4, 9])), S("[20]", WithTies([20]))],
            Reference = x => SortRef(x[0], -1, false).Indices,
            SupportsGrad = false,
            CheckFloat32 = false,
        };
        yield return new OpInfo
        {
            Name = "Sort",
            Variant = "ties and NaN descending: values",
            Op = x => x[0].Sort(1, descending: true).Values,
            Samples = () => [S("[4,9] few values and a NaN", WithTies([4, 9]))],
            Reference = x => SortRef(x[0], 1, true).Values,
            SupportsGrad = false, // ties make sort non-differentiable
        };
        yield return new OpInfo
        {
            Name = "TopK",
            Variant = "largest k=2 dim -1",
            Op = x => x[0].TopK(2).Values,
            Samples = () => [S("[7]", Distinct([7])), S("[3,5]", Distinct([3, 5])), S("[2,3,40] (heap path)", Distinct([2, 3, 40]))],
            Reference = x => SortRef(x[0], -1, true, 2).Values,
            Errors = () => [new ErrorInput(() => R(3, 4).TopK(5), "TopK", "k larger than the dim"),
                            new ErrorInput(() => R(3, 4).TopK(5), "size 4", "message names the dim size")],
        };
        yield return new OpInfo
        {
            Name = "TopK",
            Variant = "smallest k=3 dim 0",
            Op = x => x[0].TopK(3, 0, largest: false).Values,
            Samples = () => [S("[5,3]", Distinct([5, 3])), S("[30,2] (heap path)", Distinct([30, 2]))],
            Reference = x => SortRef(x[0], 0, false, 3).Values,
        };
        yield return new OpInfo
        {
            Name = "TopK",
            Variant = "ties and NaN: indices",
            Op = x => x[0].TopK(4, -1).Indices,
            Samples = () => [S("[4,9]", WithTies([4, 9])), S("[40]", WithTies([40]))],
            Reference = x => SortRef(x[0], -1, true, 4).Indices,
            SupportsGrad = false,
            CheckFloat32 = false,
        };
    }
}

using Lantern.NN;

namespace Lantern.Tests.OpTable;

// Rows for embeddings and the channel/alpha dropouts. Gradients of padding rows and of scaleGradByFreq are
// deliberately not the true derivative (PyTorch's semantics), so those variants skip gradcheck; NN tests
// assert their gradients exactly.
public static partial class Ops
{
    private static Nd LookupRef(Nd idx, Nd w)
    {
        int dim = w.Shape[1];
        var r = new Nd([.. idx.Shape, dim]);
        for (int i = 0; i < idx.Data.Length; i++)
            for (int j = 0; j < dim; j++) r.Data[i * dim + j] = w[(int)idx.Data[i], j];
        return r;
    }

    // Bags [start, end) over the flat index list; padding entries skipped; empty bags 0.
    private static Nd BagRef(Nd idx, Nd w, long[] starts, string mode, Nd? psw = null, long? pad = null)
    {
        int dim = w.Shape[1], n = idx.Data.Length;
        var r = new Nd([starts.Length, dim]);
        for (int b = 0; b < starts.Length; b++)
        {
            long end = b + 1 < starts.Length ? starts[b + 1] : n;
            for (int j = 0; j < dim; j++)
            {
                double acc = mode == "max" ? double.NegativeInfinity : 0;
                int count = 0;
                for (long i = starts[b]; i < end; i++)
                {
                    int row = (int)idx.Data[i];
                    if (pad == row) continue;
                    double v = w[row, j] * (psw?.Data[i] ?? 1);
                    acc = mode == "max" ? Math.Max(acc, v) : acc + v;
                    count++;
                }
                r[b, j] = count == 0 ? 0 : mode == "mean" ? acc / count : acc;
            }
        }
        return r;
    }

    [OpFamily]
    private static IEnumerable<OpInfo> Embedding()
    {
        yield return new OpInfo
        {
            Name = "F.Embedding",
            Op = x => F.Embedding(x[0], x[1]),
            Samples = () => [S("[2,3] idx into [5,4]", Tensor.FromArray(new long[] { 0, 4, 2, 2, 1, 4 }, [2, 3]), R(5, 4)), S("0-dim idx", Tensor.Scalar(3L), R(5, 2))],
            Reference = x => LookupRef(x[0], x[1]),
            Errors = () => [new ErrorInput(() => F.Embedding(Idx(0, 5), R(5, 3)), "out of range", "index 5 of 5"),
                            new ErrorInput(() => F.Embedding(Idx(-1), R(5, 3)), "Embedding", "negative index"),
                            new ErrorInput(() => F.Embedding(R(2), R(5, 3)), "Embedding", "float index"),
                            new ErrorInput(() => F.Embedding(Idx(0), R(5, 3), paddingIdx: 5), "padding_idx", "padding out of range"),
                            new ErrorInput(() => F.Embedding(Idx(0), R(5)), "Embedding", "1-D weight")],
        };
        yield return new OpInfo
        {
            Name = "F.Embedding",
            Variant = "padding_idx, scale_grad_by_freq",
            Op = x => F.Embedding(x[0], x[1], paddingIdx: -1, scaleGradByFreq: true),
            Samples = () => [S("[5] idx", Idx(0, 4, 2, 2, 1), R(5, 4))],
            Reference = x => LookupRef(x[0], x[1]),
            SupportsGrad = false,
        };
        Tensor offsets = Idx(0, 2, 2, 5);
        yield return new OpInfo
        {
            Name = "F.EmbeddingBag",
            Op = x => F.EmbeddingBag(x[0], x[1], offsets, mode: "sum", perSampleWeights: x[2]),
            Samples = () => [S("7 idx, 4 bags (one empty), weights", Idx(1, 3, 0, 3, 5, 2, 2), R(6, 3), R(7))],
            Reference = x => BagRef(x[0], x[1], [0, 2, 2, 5], "sum", x[2]),
            Errors = () => [new ErrorInput(() => F.EmbeddingBag(Idx(1, 2), R(6, 3), Idx(1)), "offsets[0] has to be 0", "offset not 0"),
                            new ErrorInput(() => F.EmbeddingBag(Idx(1, 2), R(6, 3)), "EmbeddingBag", "1-D without offsets"),
                            new ErrorInput(() => F.EmbeddingBag(Idx(1, 2).View(1, 2), R(6, 3), Idx(0)), "EmbeddingBag", "2-D with offsets"),
                            new ErrorInput(() => F.EmbeddingBag(Idx(1, 2), R(6, 3), Idx(0), perSampleWeights: R(2)), "per_sample_weights", "weights with mean"),
                            new ErrorInput(() => F.EmbeddingBag(Idx(1, 2), R(6, 3), Idx(0), mode: "median"), "EmbeddingBag", "bad mode"),
                            new ErrorInput(() => F.EmbeddingBag(Idx(1, 9), R(6, 3), Idx(0)), "out of range", "index out of range")],
        };
        yield return new OpInfo
        {
            Name = "F.EmbeddingBag",
            Variant = "mean 2-D, padding",
            Op = x => F.EmbeddingBag(x[0], x[1], paddingIdx: 3),
            Samples = () => [S("[3,3] idx", Tensor.FromArray(new long[] { 1, 3, 0, 3, 3, 3, 5, 2, 2 }, [3, 3]), R(6, 3))],
            Reference = x => BagRef(x[0], x[1], [0, 3, 6], "mean", pad: 3),
            SupportsGrad = false,
        };
        yield return new OpInfo
        {
            Name = "F.EmbeddingBag",
            Variant = "mean 2-D",
            Op = x => F.EmbeddingBag(x[0], x[1]),
            Samples = () => [S("[3,2] idx", Tensor.FromArray(new long[] { 1, 4, 0, 0, 5, 2 }, [3, 2]), R(6, 3))],
            Reference = x => BagRef(x[0], x[1], [0, 2, 4], "mean"),
        };
        yield return new OpInfo
        {
            Name = "F.EmbeddingBag",
            Variant = "max, include_last_offset",
            Op = x => F.EmbeddingBag(x[0], x[1], Idx(0, 3, 3, 6), mode: "max", includeLastOffset: true),
            Samples = () => [S("6 idx, 3 bags (one empty)", Idx(1, 4, 0, 5, 2, 3), R(6, 3))],
            Reference = x => BagRef(x[0], x[1], [0, 3, 3], "max"),
        };
        yield return new OpInfo
        {
            Name = "F.Dropout2d",
            Op = x => F.Dropout2d(x[0], 0.4, training: true, generator: new Generator(7)),
            Samples = () => [S("[3,4,2,2]", R(3, 4, 2, 2)), S("[5,2,3] unbatched", R(5, 2, 3))],
            // One draw per channel, kept iff U >= 0.4, scaled by 1 / 0.6, broadcast over the plane.
            Reference = x =>
            {
                int planes = x[0].Rank == 4 ? x[0].Shape[0] * x[0].Shape[1] : x[0].Shape[0];
                int area = x[0].Data.Length / planes;
                var u = Tensor.Rand([planes], DType.Float64, generator: new Generator(7)).ToArray<double>();
                return new Nd(x[0].Shape, x[0].Data.Select((v, i) => u[i / area] >= 0.4 ? v / 0.6 : 0).ToArray());
            },
            CheckFloat32 = false,
            Errors = () => [new ErrorInput(() => F.Dropout2d(R(2, 3), 0.5), "Dropout2d", "2-D input"), new ErrorInput(() => F.Dropout2d(R(2, 3, 4), -0.1), "Dropout2d", "p < 0")],
        };
        yield return new OpInfo
        {
            Name = "F.AlphaDropout",
            Op = x => F.AlphaDropout(x[0], 0.3, training: true, generator: new Generator(8)),
            Samples = () => [S("[4,5]", R(4, 5))],
            // PyTorch's formula: a = 1 / sqrt((alpha'^2 p + 1)(1 - p)); kept a x + alpha' a p, dropped alpha' a (p - 1).
            Reference = x =>
            {
                const double alpha = 1.7580993408473766, p = 0.3;
                double a = 1 / Math.Sqrt((alpha * alpha * p + 1) * (1 - p));
                var u = Tensor.Rand([x[0].Data.Length], DType.Float64, generator: new Generator(8)).ToArray<double>();
                return new Nd(x[0].Shape, x[0].Data.Select((v, i) => u[i] >= p ? a * v + alpha * a * p : alpha * a * (p - 1)).ToArray());
            },
            CheckFloat32 = false,
            Errors = () => [new ErrorInput(() => F.AlphaDropout(R(2), 2, true), "AlphaDropout", "p > 1")],
        };
    }
}

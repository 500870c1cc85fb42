using Lantern.NN;

namespace Lantern.Tests.OpTable;

// Rows for the core functional activations, softmax family, dropout and layer norm.
public static partial class Ops
{
    private static Nd SoftmaxRef(Nd x, int dim, bool log)
    {
        if (x.Rank == 0) return new Nd([], [log ? 0 : 1]);
        int d = dim < 0 ? dim + x.Rank : dim;
        var r = new Nd(x.Shape);
        for (int i = 0; i < x.Data.Length; i++)
        {
            var idx = x.Unravel(i);
            var j = (int[])idx.Clone();
            double max = double.NegativeInfinity;
            for (int k = 0; k < x.Shape[d]; k++) { j[d] = k; max = Math.Max(max, x[j]); }
            double sum = 0;
            for (int k = 0; k < x.Shape[d]; k++) { j[d] = k; sum += Math.Exp(x[j] - max); }
            r.Data[i] = log ? x.Data[i] - max - Math.Log(sum) : Math.Exp(x.Data[i] - max) / sum;
        }
        return r;
    }

    [OpFamily]
    private static IEnumerable<OpInfo> NNCore()
    {
        Sample[] shapes() => [S("[3,5]", R(3, 5)), S("[2,3,4]", R(2, 3, 4)), S("large logits +-100", R(2, 6).Mul(100)), S("0-dim", R())];
        yield return new OpInfo { Name = "F.Softmax", Op = x => F.Softmax(x[0], -1), Samples = shapes, Reference = x => SoftmaxRef(x[0], -1, false),
            Errors = () => [new ErrorInput(() => F.Softmax(R(3, 4), 2), "Softmax", "dim out of range")] };
        yield return new OpInfo { Name = "F.Softmax", Variant = "dim 0", Op = x => F.Softmax(x[0], 0), Samples = shapes, Reference = x => SoftmaxRef(x[0], 0, false) };
        yield return new OpInfo { Name = "F.LogSoftmax", Op = x => F.LogSoftmax(x[0], -1), Samples = shapes, Reference = x => SoftmaxRef(x[0], -1, true) };
        yield return new OpInfo { Name = "F.Softmin", Op = x => F.Softmin(x[0], 1 % Math.Max(x[0].Rank, 1)), Samples = () => [S("[3,5]", R(3, 5))],
            Reference = x => SoftmaxRef(x[0].Map(v => -v), 1, false) };
        yield return new OpInfo { Name = "F.Relu", Op = x => F.Relu(x[0]), Samples = () => [S("[3,4]", NonZero(3, 4))], Reference = x => x[0].Map(v => Math.Max(v, 0)) };
        yield return new OpInfo { Name = "F.Gelu", Op = x => F.Gelu(x[0]), Samples = () => [S("[3,4]", R(3, 4).Mul(2)), S("[40]", R(40))],
            Reference = x => x[0].Map(v => 0.5 * v * (1 + ErfRef(v / Math.Sqrt(2)))), Atol32 = 2e-6, Rtol32 = 2e-6,
            Errors = () => [new ErrorInput(() => F.Gelu(R(2), "erf"), "Gelu", "bad approximate")] };
        yield return new OpInfo { Name = "F.Gelu", Variant = "tanh", Op = x => F.Gelu(x[0], "tanh"), Samples = () => [S("[3,4]", R(3, 4).Mul(2))],
            Reference = x => x[0].Map(v => 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)))) };
        yield return new OpInfo
        {
            Name = "F.Dropout",
            Op = x => F.Dropout(x[0], 0.3, training: true, generator: new Generator(5)),
            Samples = () => [S("[4,6]", R(4, 6))],
            // The mask is the generator's: element kept iff U >= 0.3, scaled by 1/0.7.
            Reference = x =>
            {
                var u = Tensor.Rand([4, 6], DType.Float64, generator: new Generator(5)).ToArray<double>();
                return new Nd(x[0].Shape, x[0].Data.Select((v, i) => u[i] >= 0.3 ? v / 0.7 : 0).ToArray());
            },
            CheckFloat32 = false,
            Errors = () => [new ErrorInput(() => F.Dropout(R(2), 1.5), "Dropout", "p > 1")],
        };
        yield return new OpInfo
        {
            Name = "F.LayerNorm",
            Op = x => F.LayerNorm(x[0], [4], x[1], x[2]),
            Samples = () => [S("[3,4] affine", R(3, 4), R(4), R(4)), S("[2,3,4] affine", R(2, 3, 4), R(4), R(4))],
            Reference = x =>
            {
                var r = new Nd(x[0].Shape);
                int n = 4, rows = x[0].Data.Length / n;
                for (int i = 0; i < rows; i++)
                {
                    var row = x[0].Data.Skip(i * n).Take(n).ToArray();
                    double m = row.Average(), v = row.Sum(a => (a - m) * (a - m)) / n;
                    for (int j = 0; j < n; j++) r.Data[i * n + j] = (row[j] - m) / Math.Sqrt(v + 1e-5) * x[1].Data[j] + x[2].Data[j];
                }
                return r;
            },
            Errors = () => [new ErrorInput(() => F.LayerNorm(R(3, 5), [4]), "LayerNorm", "trailing shape mismatch")],
        };
    }
}

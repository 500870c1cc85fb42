using Lantern.NN;

namespace Lantern.Tests.OpTable;

// Rows for the functional linear family.
public static partial class Ops
{
    [OpFamily]
    private static IEnumerable<OpInfo> NNLinear()
    {
        yield return new OpInfo
        {
            Name = "F.Linear",
            Op = x => F.Linear(x[0], x[1], x[2]),
            Samples = () => [S("[4,3] x W[5,3] + b[5]", R(4, 3), R(5, 3), R(5)), S("[2,3,3] batched", R(2, 3, 3), R(5, 3), R(5))],
            Reference = x => Nd.Zip(MatMulRef(x[0], Permuted(x[1], [1, 0])), x[2], (a, b) => a + b),
            Errors = () => [new ErrorInput(() => F.Linear(R(4, 2), R(5, 3)), "Linear", "in_features mismatch"),
                            new ErrorInput(() => F.Linear(R(4, 3), R(5, 3), R(4)), "Linear", "bias shape")],
        };
        yield return new OpInfo
        {
            Name = "F.Bilinear",
            Op = x => F.Bilinear(x[0], x[1], x[2], x[3]),
            Samples = () => [S("[3,2] [3,4] W[5,2,4] b[5]", R(3, 2), R(3, 4), R(5, 2, 4), R(5))],
            Reference = x =>
            {
                var r = new Nd([3, 5]);
                for (int n = 0; n < 3; n++)
                    for (int o = 0; o < 5; o++)
                    {
                        double s = x[3][o];
                        for (int i = 0; i < 2; i++) for (int j = 0; j < 4; j++) s += x[0][n, i] * x[2][o, i, j] * x[1][n, j];
                        r[n, o] = s;
                    }
                return r;
            },
            Errors = () => [new ErrorInput(() => F.Bilinear(R(3, 2), R(3, 3), R(5, 2, 4)), "Bilinear", "in2 mismatch")],
        };
    }
}

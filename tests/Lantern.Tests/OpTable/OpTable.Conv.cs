using Lantern.NN;
using CR = Lantern.Tests.OpTable.ConvReference;

namespace Lantern.Tests.OpTable;

// Rows for the convolution family: conv1d/2d, transposed, unfold/fold, deformable. References in ConvReference.cs.
public static partial class Ops
{
    [OpFamily]
    private static IEnumerable<OpInfo> Conv()
    {
        // ---- Conv2d ----
        yield return new OpInfo
        {
            Name = "F.Conv2d", Variant = "bias",
            Op = x => F.Conv2d(x[0], x[1], x[2]),
            Samples = () => [S("[2,3,5,5] * [4,3,3,3]", R(2, 3, 5, 5), R(4, 3, 3, 3), R(4)), S("[1,2,4,6] * [3,2,2,3]", R(1, 2, 4, 6), R(3, 2, 2, 3), R(3))],
            Reference = x => CR.Conv2d(x[0], x[1], x[2], (1, 1), (0, 0), (1, 1)),
            Atol32 = 1e-4, Rtol32 = 1e-4,
            Errors = () =>
            [
                new ErrorInput(() => F.Conv2d(R(1, 4, 5, 5), R(2, 3, 3, 3)), "expected input[1, 4, 5, 5] to have 3 channels, but got 4 channels", "channel mismatch"),
                new ErrorInput(() => F.Conv2d(R(1, 3, 2, 2), R(2, 3, 3, 3)), "Kernel size can't be greater than actual input size", "kernel larger than input"),
                new ErrorInput(() => F.Conv2d(R(3, 5, 5), R(2, 3, 3)), "Conv2d: weight must be 4-D", "weight rank"),
                new ErrorInput(() => F.Conv2d(R(5, 5), R(2, 3, 3, 3)), "Conv2d: Expected 3D (unbatched) or 4D (batched) input", "input rank"),
                new ErrorInput(() => F.Conv2d(R(1, 4, 5, 5), R(3, 2, 3, 3), groups: 2), "expected weight to be divisible by 2", "groups not dividing out channels"),
                new ErrorInput(() => F.Conv2d(R(1, 3, 5, 5), R(2, 3, 3, 3), R(3)), "expected bias to be 1-dimensional with 2 elements", "bias size"),
                new ErrorInput(() => F.Conv2d(R(1, 3, 5, 5), R(2, 3, 3, 3), stride: 2, padding: "same"), "padding='same' is not supported for strided convolutions", "same with stride"),
                new ErrorInput(() => F.Conv2d(R(1, 3, 5, 5), R(2, 3, 3, 3), padding: "full"), "Invalid padding string 'full'", "bad padding string"),
                new ErrorInput(() => F.Conv2d(R(1, 3, 5, 5), R(2, 3, 3, 3), stride: 0), "Conv2d: non-positive stride", "zero stride"),
                new ErrorInput(() => F.Conv2d(R(1, 3, 5, 5), R(2, 3, 3, 3), padding: -1), "Conv2d: negative padding", "negative padding"),
                new ErrorInput(() => F.Conv2d(R(1, 3, 5, 5), R(2, 3, 3, 3).To(DType.Float32)), "Conv2d: Input type (Float64) and weight type (Float32)", "mixed dtypes"),
            ],
        };
        yield return new OpInfo
        {
            Name = "F.Conv2d", Variant = "no bias, stride 2, padding 1",
            Op = x => F.Conv2d(x[0], x[1], stride: 2, padding: 1),
            Samples = () => [S("[2,3,6,5] * [4,3,3,3]", R(2, 3, 6, 5), R(4, 3, 3, 3))],
            Reference = x => CR.Conv2d(x[0], x[1], null, (2, 2), (1, 1), (1, 1)),
            Atol32 = 1e-4, Rtol32 = 1e-4,
        };
        yield return new OpInfo
        {
            Name = "F.Conv2d", Variant = "dilation (2,1), padding (2,1), stride (1,2)",
            Op = x => F.Conv2d(x[0], x[1], x[2], stride: (1, 2), padding: (2, 1), dilation: (2, 1)),
            Samples = () => [S("[1,2,7,6] * [3,2,3,2]", R(1, 2, 7, 6), R(3, 2, 3, 2), R(3))],
            Reference = x => CR.Conv2d(x[0], x[1], x[2], (1, 2), (2, 1), (2, 1)),
            Atol32 = 1e-4, Rtol32 = 1e-4,
        };
        yield return new OpInfo
        {
            Name = "F.Conv2d", Variant = "groups 2",
            Op = x => F.Conv2d(x[0], x[1], x[2], padding: 1, groups: 2),
            Samples = () => [S("[2,4,4,5] * [6,2,3,3]", R(2, 4, 4, 5), R(6, 2, 3, 3), R(6))],
            Reference = x => CR.Conv2d(x[0], x[1], x[2], (1, 1), (1, 1), (1, 1), 2),
            Atol32 = 1e-4, Rtol32 = 1e-4,
        };
        yield return new OpInfo
        {
            Name = "F.Conv2d", Variant = "depthwise x2 (direct path)",
            Op = x => F.Conv2d(x[0], x[1], x[2], padding: 1, groups: 3),
            Samples = () => [S("[2,3,5,6] * [6,1,3,3]", R(2, 3, 5, 6), R(6, 1, 3, 3), R(6))],
            Reference = x => CR.Conv2d(x[0], x[1], x[2], (1, 1), (1, 1), (1, 1), 3),
            Atol32 = 1e-4, Rtol32 = 1e-4,
        };
        yield return new OpInfo
        {
            Name = "F.Conv2d", Variant = "depthwise, stride 2, dilation 2",
            Op = x => F.Conv2d(x[0], x[1], null, stride: 2, padding: (2, 1), dilation: 2, groups: 2),
            Samples = () => [S("[2,2,7,8] * [2,1,3,2]", R(2, 2, 7, 8), R(2, 1, 3, 2))],
            Reference = x => CR.Conv2d(x[0], x[1], null, (2, 2), (2, 1), (2, 2), 2),
            Atol32 = 1e-4, Rtol32 = 1e-4,
        };
        yield return new OpInfo
        {
            Name = "F.Conv2d", Variant = "pointwise 1x1 (GEMM only)",
            Op = x => F.Conv2d(x[0], x[1], x[2]),
            Samples = () => [S("[2,4,3,5] * [5,4,1,1]", R(2, 4, 3, 5), R(5, 4, 1, 1), R(5))],
            Reference = x => CR.Conv2d(x[0], x[1], x[2], (1, 1), (0, 0), (1, 1)),
            Atol32 = 1e-4, Rtol32 = 1e-4,
        };
        yield return new OpInfo
        {
            Name = "F.Conv2d", Variant = "same, even kernel (extra zero after)",
            Op = x => F.Conv2d(x[0], x[1], x[2], padding: "same", dilation: (1, 3)),
            Samples = () => [S("[1,2,5,6] * [3,2,4,2]", R(1, 2, 5, 6), R(3, 2, 4, 2), R(3))],
            Reference = x => CR.Conv2dSame(x[0], x[1], x[2], (1, 3)),
            Atol32 = 1e-4, Rtol32 = 1e-4,
        };
        yield return new OpInfo
        {
            Name = "F.Conv2d", Variant = "valid, unbatched",
            Op = x => F.Conv2d(x[0], x[1], x[2], padding: "valid"),
            Samples = () => [S("[3,5,4] * [2,3,3,3]", R(3, 5, 4), R(2, 3, 3, 3), R(2))],
            Reference = x => CR.Reshape(CR.Conv2d(CR.Reshape(x[0], 1, 3, 5, 4), x[1], x[2], (1, 1), (0, 0), (1, 1)), 2, 3, 2),
            Atol32 = 1e-4, Rtol32 = 1e-4,
        };

        // ---- Conv1d ----
        yield return new OpInfo
        {
            Name = "F.Conv1d",
            Op = x => F.Conv1d(x[0], x[1], x[2], stride: 2, padding: 2, dilation: 2, groups: 2),
            Samples = () => [S("[2,4,9] * [6,2,3]", R(2, 4, 9), R(6, 2, 3), R(6))],
            Reference = x => CR.Reshape(CR.Conv2d(CR.Reshape(x[0], 2, 4, 1, 9), CR.Reshape(x[1], 6, 2, 1, 3), x[2], (1, 2), (0, 2), (1, 2), 2), 2, 6, 5),
            Atol32 = 1e-4, Rtol32 = 1e-4,
            Errors = () =>
            [
                new ErrorInput(() => F.Conv1d(R(2, 4, 9, 1), R(6, 4, 3)), "Conv1d: Expected 2D (unbatched) or 3D (batched) input", "input rank"),
                new ErrorInput(() => F.Conv1d(R(2, 4, 9), R(6, 3, 3)), "expected input[2, 4, 9] to have 3 channels", "channel mismatch"),
                new ErrorInput(() => F.Conv1d(R(2, 4, 9), R(6, 4, 3), padding: (1, 1)), "Conv1d: padding must be one int", "pair padding"),
            ],
        };
        yield return new OpInfo
        {
            Name = "F.Conv1d", Variant = "same, unbatched",
            Op = x => F.Conv1d(x[0], x[1], null, padding: "same"),
            Samples = () => [S("[3,7] * [2,3,4]", R(3, 7), R(2, 3, 4))],
            Reference = x => CR.Reshape(CR.Conv2dSame(CR.Reshape(x[0], 1, 3, 1, 7), CR.Reshape(x[1], 2, 3, 1, 4), null, (1, 1)), 2, 7),
            Atol32 = 1e-4, Rtol32 = 1e-4,
        };

        // ---- ConvTranspose ----
        yield return new OpInfo
        {
            Name = "F.ConvTranspose2d",
            Op = x => F.ConvTranspose2d(x[0], x[1], x[2], stride: 2, padding: 1, outputPadding: 1),
            Samples = () => [S("[2,3,3,4] * [3,2,3,3]", R(2, 3, 3, 4), R(3, 2, 3, 3), R(2))],
            Reference = x => CR.ConvTranspose2d(x[0], x[1], x[2], (2, 2), (1, 1), (1, 1), (1, 1)),
            Atol32 = 1e-4, Rtol32 = 1e-4,
            Errors = () =>
            [
                new ErrorInput(() => F.ConvTranspose2d(R(1, 4, 3, 3), R(3, 2, 3, 3)), "expected input[1, 4, 3, 3] to have 3 channels", "channel mismatch"),
                new ErrorInput(() => F.ConvTranspose2d(R(1, 3, 3, 3), R(3, 2, 3, 3), outputPadding: 1), "output padding must be smaller than either stride or dilation", "output padding too big"),
                new ErrorInput(() => F.ConvTranspose2d(R(1, 3, 3, 3), R(3, 2, 3, 3), groups: 2), "ConvTranspose2d: Given groups=2, expected weight to be divisible by 2", "groups"),
                new ErrorInput(() => F.ConvTranspose2d(R(1, 3, 1, 1), R(3, 2, 1, 1), padding: 1), "Output size is too small", "empty output"),
                new ErrorInput(() => F.ConvTranspose2d(R(1, 3, 3, 3), R(3, 2, 3, 3), R(3)), "expected bias to be 1-dimensional with 2 elements", "bias"),
            ],
        };
        yield return new OpInfo
        {
            Name = "F.ConvTranspose2d", Variant = "groups 2, dilation 2, stride (1,3), output padding (0,2)",
            Op = x => F.ConvTranspose2d(x[0], x[1], null, stride: (1, 3), padding: (1, 0), outputPadding: (0, 2), groups: 2, dilation: 2),
            Samples = () => [S("[1,4,3,3] * [4,3,2,3]", R(1, 4, 3, 3), R(4, 3, 2, 3))],
            Reference = x => CR.ConvTranspose2d(x[0], x[1], null, (1, 3), (1, 0), (0, 2), (2, 2), 2),
            Atol32 = 1e-4, Rtol32 = 1e-4,
        };
        yield return new OpInfo
        {
            Name = "F.ConvTranspose2d", Variant = "depthwise (direct path), unbatched",
            Op = x => F.ConvTranspose2d(x[0], x[1], x[2], stride: 2, groups: 3),
            Samples = () => [S("[6,3,4] * [6,1,3,3]", R(6, 3, 4), R(6, 1, 3, 3), R(3))],
            Reference = x => { var y = CR.ConvTranspose2d(CR.Reshape(x[0], 1, 6, 3, 4), x[1], x[2], (2, 2), (0, 0), (0, 0), (1, 1), 3); return CR.Reshape(y, y.Shape[1..]); },
            Atol32 = 1e-4, Rtol32 = 1e-4,
        };
        yield return new OpInfo
        {
            Name = "F.ConvTranspose1d",
            Op = x => F.ConvTranspose1d(x[0], x[1], x[2], stride: 3, padding: 1, outputPadding: 2, groups: 2),
            Samples = () => [S("[2,4,5] * [4,1,4]", R(2, 4, 5), R(4, 1, 4), R(2))],
            Reference = x => { var y = CR.ConvTranspose2d(CR.Reshape(x[0], 2, 4, 1, 5), CR.Reshape(x[1], 4, 1, 1, 4), x[2], (1, 3), (0, 1), (0, 2), (1, 1), 2); return CR.Reshape(y, 2, 2, y.Shape[3]); },
            Atol32 = 1e-4, Rtol32 = 1e-4,
            Errors = () => [new ErrorInput(() => F.ConvTranspose1d(R(2, 4, 5, 1), R(4, 1, 4)), "ConvTranspose1d: Expected 2D (unbatched) or 3D (batched) input", "rank")],
        };

        // ---- Unfold / Fold ----
        yield return new OpInfo
        {
            Name = "F.Unfold",
            Op = x => F.Unfold(x[0], (2, 3), dilation: (1, 2), padding: 1, stride: (2, 1)),
            Samples = () => [S("[2,3,5,6]", R(2, 3, 5, 6))],
            Reference = x => CR.Unfold(x[0], (2, 3), (1, 2), (1, 1), (2, 1)),
            Errors = () =>
            [
                new ErrorInput(() => F.Unfold(R(3, 5), 2), "Unfold: Input Error: Only 3D or 4D input Tensors are supported", "rank"),
                new ErrorInput(() => F.Unfold(R(1, 2, 3, 3), 5), "calculated shape of the array of sliding blocks as (-1, -1)", "kernel too large"),
            ],
        };
        yield return new OpInfo
        {
            Name = "F.Unfold", Variant = "unbatched",
            Op = x => F.Unfold(x[0], 2),
            Samples = () => [S("[2,3,4]", R(2, 3, 4))],
            Reference = x => { var y = CR.Unfold(CR.Reshape(x[0], 1, 2, 3, 4), (2, 2), (1, 1), (0, 0), (1, 1)); return CR.Reshape(y, y.Shape[1..]); },
        };
        yield return new OpInfo
        {
            Name = "F.Fold",
            Op = x => F.Fold(x[0], (5, 6), (2, 3), dilation: (1, 2), padding: 1, stride: (2, 1)),
            Samples = () => [S("[2,18,12]", R(2, 18, 12))],
            Reference = x => CR.Fold(x[0], (5, 6), (2, 3), (1, 2), (1, 1), (2, 1)),
            Errors = () =>
            [
                new ErrorInput(() => F.Fold(R(2, 18, 11), (5, 6), (2, 3), dilation: (1, 2), padding: 1, stride: (2, 1)), "expected size of input's dimension 2 to match the calculated number of sliding blocks 3 * 4 = 12, but got input.size(2)=11", "block count"),
                new ErrorInput(() => F.Fold(R(2, 17, 12), (5, 6), (2, 3)), "Expected size of input's dimension 1 to be divisible by the product of kernel_size", "channels"),
                new ErrorInput(() => F.Fold(R(2, 2, 18, 12), (5, 6), (2, 3)), "Fold: Expected 2D (unbatched) or 3D (batched) input", "rank"),
            ],
        };
        yield return new OpInfo
        {
            Name = "F.Fold", Variant = "unbatched, overlapping",
            Op = x => F.Fold(x[0], 4, 2),
            Samples = () => [S("[8,9]", R(8, 9))],
            Reference = x => { var y = CR.Fold(CR.Reshape(x[0], 1, 8, 9), (4, 4), (2, 2), (1, 1), (0, 0), (1, 1)); return CR.Reshape(y, y.Shape[1..]); },
        };

        // ---- DeformConv2d ----
        // Offsets are fractional (never integer, where interpolation has kinks) and some push samples past the border.
        yield return new OpInfo
        {
            Name = "F.DeformConv2d", Variant = "mask (DCNv2), bias, padding 1",
            Op = x => F.DeformConv2d(x[0], x[1], x[2], x[4], padding: 1, mask: x[3]),
            Samples = () => [S("[1,2,4,4], 1 offset group", R(1, 2, 4, 4), U(-1.7, 1.7, 1, 18, 4, 4), R(3, 2, 3, 3), U(0.2, 1, 1, 9, 4, 4), R(3))],
            Reference = x => CR.DeformConv2d(x[0], x[1], x[2], x[4], (1, 1), (1, 1), (1, 1), x[3]),
            SupportsGradGrad = false,
            Atol32 = 1e-4, Rtol32 = 1e-4,
            Errors = () =>
            [
                new ErrorInput(() => F.DeformConv2d(R(1, 2, 4, 4), R(1, 17, 2, 2), R(3, 2, 3, 3)), "DeformConv2d: the shape of the offset tensor at dimension 1 is not valid", "offset channels"),
                new ErrorInput(() => F.DeformConv2d(R(1, 2, 4, 4), R(1, 18, 3, 3), R(3, 2, 3, 3)), "DeformConv2d: offset must have shape [1, 18, 2, 2]", "offset size"),
                new ErrorInput(() => F.DeformConv2d(R(1, 2, 4, 4), R(1, 18, 2, 2), R(3, 2, 3, 3), mask: R(1, 8, 2, 2)), "DeformConv2d: mask must have shape [1, 9, 2, 2]", "mask size"),
                new ErrorInput(() => F.DeformConv2d(R(1, 3, 4, 4), R(1, 18, 2, 2), R(3, 2, 3, 3)), "DeformConv2d: input channels 3 must be a multiple of weight.size(1) = 2", "weight channels"),
            ],
        };
        yield return new OpInfo
        {
            Name = "F.DeformConv2d", Variant = "no mask, 2 offset groups, weight groups 2, stride 2, dilation (1,2)",
            Op = x => F.DeformConv2d(x[0], x[1], x[2], stride: 2, padding: (1, 2), dilation: (1, 2)),
            Samples = () => [S("[2,4,5,5]", R(2, 4, 5, 5), U(-1.3, 1.3, 2, 16, 3, 4), R(2, 2, 2, 2))],
            Reference = x => CR.DeformConv2d(x[0], x[1], x[2], null, (2, 2), (1, 2), (1, 2), null),
            SupportsGradGrad = false,
            Atol32 = 1e-4, Rtol32 = 1e-4,
        };
    }
}

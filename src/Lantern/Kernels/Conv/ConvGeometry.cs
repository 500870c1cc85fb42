namespace Lantern.Kernels;

/// <summary>
/// The shape of one 2-D convolution, as the kernels see it (1-D convolutions use H = KH = OH = 1):
/// input x [N, C, H, W], weight [O, C / Groups, KH, KW], output y [N, O, OH, OW], with
/// <code>
/// y[n, o, oh, ow] = sum over c in o's group, kh, kw of
///     w[o, c - g * Cg, kh, kw] * x[n, c, oh * StrideH - PadH + kh * DilationH, ow * StrideW - PadW + kw * DilationW]
/// </code>
/// where reads outside the input are zero. PadH / PadW are the padding before the first row / column; the
/// padding after is implied by OH / OW, so asymmetric padding (PyTorch's "same" with an even kernel) needs no
/// copy. All buffers the kernels receive are contiguous in this layout.
/// </summary>
public readonly record struct ConvGeometry
{
    /// <summary>A geometry with unit strides and dilations, no padding and one group; sizes must be set.</summary>
    public ConvGeometry() { }

    /// <summary>Batch size.</summary>
    public required int N { get; init; }

    /// <summary>Input channels.</summary>
    public required int C { get; init; }

    /// <summary>Input height.</summary>
    public required int H { get; init; }

    /// <summary>Input width.</summary>
    public required int W { get; init; }

    /// <summary>Output channels.</summary>
    public required int O { get; init; }

    /// <summary>Kernel height.</summary>
    public required int KH { get; init; }

    /// <summary>Kernel width.</summary>
    public required int KW { get; init; }

    /// <summary>Output height.</summary>
    public required int OH { get; init; }

    /// <summary>Output width.</summary>
    public required int OW { get; init; }

    /// <summary>Vertical stride (&gt;= 1).</summary>
    public int StrideH { get; init; } = 1;

    /// <summary>Horizontal stride (&gt;= 1).</summary>
    public int StrideW { get; init; } = 1;

    /// <summary>Zero rows before the input (&gt;= 0).</summary>
    public int PadH { get; init; }

    /// <summary>Zero columns before the input (&gt;= 0).</summary>
    public int PadW { get; init; }

    /// <summary>Vertical dilation (&gt;= 1).</summary>
    public int DilationH { get; init; } = 1;

    /// <summary>Horizontal dilation (&gt;= 1).</summary>
    public int DilationW { get; init; } = 1;

    /// <summary>Groups (divides C and O).</summary>
    public int Groups { get; init; } = 1;

    /// <summary>Input channels per group.</summary>
    public int Cg => C / Groups;

    /// <summary>Output channels per group.</summary>
    public int Og => O / Groups;

    /// <summary>Rows of one group's column matrix: Cg * KH * KW.</summary>
    public int ColRows => Cg * KH * KW;

    /// <summary>Output pixels per channel: OH * OW.</summary>
    public int L => OH * OW;

    /// <summary>Output size along one axis for a total padding: floor((in + padTotal - dilation * (k - 1) - 1) / stride) + 1.</summary>
    public static int OutputSize(int input, int kernel, int stride, int padTotal, int dilation) =>
        (input + padTotal - dilation * (kernel - 1) - 1) / stride + 1;

    /// <summary>True when the column matrix is the input itself: 1x1 kernel, stride 1, no padding.</summary>
    public bool IsPointwise => KH == 1 && KW == 1 && StrideH == 1 && StrideW == 1 && PadH == 0 && PadW == 0 && OH == H && OW == W;

    /// <summary>True when every group reads one input channel (depthwise, any channel multiplier).</summary>
    public bool IsDepthwise => Cg == 1;

    /// <summary>Checks that every size is in range and consistent.</summary>
    /// <exception cref="ArgumentException">A non-positive size, stride or dilation, a negative padding, or groups not dividing the channels.</exception>
    public void Validate(string op)
    {
        if (N < 0 || C <= 0 || H <= 0 || W <= 0 || O <= 0 || KH <= 0 || KW <= 0 || OH <= 0 || OW <= 0)
            throw new ArgumentException($"{op}: invalid geometry {this}.");
        if (StrideH <= 0 || StrideW <= 0 || DilationH <= 0 || DilationW <= 0 || PadH < 0 || PadW < 0)
            throw new ArgumentException($"{op}: invalid stride, dilation or padding in {this}.");
        if (Groups <= 0 || C % Groups != 0 || O % Groups != 0)
            throw new ArgumentException($"{op}: groups {Groups} must divide input channels {C} and output channels {O}.");
    }
}

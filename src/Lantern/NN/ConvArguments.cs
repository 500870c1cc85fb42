using System.Globalization;

namespace Lantern.NN;

/// <summary>
/// A (height, width) pair of ints, as PyTorch's <c>_size_2_t</c>: written as one int (both dims, e.g.
/// <c>kernelSize: 3</c>) or as a tuple (<c>kernelSize: (3, 5)</c>). <see cref="IsScalar"/> remembers which, for
/// reprs that print the argument as given (nn.Unfold / nn.Fold).
/// </summary>
public readonly struct IntPair : IEquatable<IntPair>
{
    /// <summary>A pair (h, w).</summary>
    public IntPair(int h, int w)
    {
        H = h;
        W = w;
    }

    private IntPair(int v, bool scalar)
    {
        H = W = v;
        IsScalar = scalar;
    }

    /// <summary>The first (height) value.</summary>
    public int H { get; }

    /// <summary>The second (width) value.</summary>
    public int W { get; }

    /// <summary>True when written as a single int.</summary>
    public bool IsScalar { get; }

    /// <summary>The pair as an array [H, W].</summary>
    public int[] ToArray() => [H, W];

    /// <summary>One int for both dims.</summary>
    public static implicit operator IntPair(int value) => new(value, true);

    /// <summary>A tuple (h, w).</summary>
    public static implicit operator IntPair((int H, int W) value) => new(value.H, value.W);

    /// <summary>Python literal as written: "3" for a scalar, "(3, 5)" for a tuple.</summary>
    public override string ToString() => IsScalar ? H.ToString(CultureInfo.InvariantCulture) : $"({H}, {W})";

    /// <inheritdoc/>
    public bool Equals(IntPair other) => H == other.H && W == other.W;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is IntPair p && Equals(p);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(H, W);

    /// <summary>Equal values (however written).</summary>
    public static bool operator ==(IntPair a, IntPair b) => a.Equals(b);

    /// <summary>Different values.</summary>
    public static bool operator !=(IntPair a, IntPair b) => !a.Equals(b);
}

/// <summary>
/// A convolution's padding, as PyTorch accepts it: an int or (h, w) tuple of zeros added on both sides, or the
/// strings "valid" (no padding) and "same" (output size equals input size; stride 1 only; when the total
/// dilation * (kernel - 1) is odd the extra zero goes after, as PyTorch).
/// </summary>
public readonly struct ConvPadding
{
    private ConvPadding(IntPair size, string? mode)
    {
        Size = size;
        Mode = mode;
    }

    /// <summary>The explicit amounts (when <see cref="Mode"/> is null).</summary>
    public IntPair Size { get; }

    /// <summary>"same", "valid" (or any other string, rejected by the ops), or null for explicit amounts.</summary>
    public string? Mode { get; }

    /// <summary>Padding "same".</summary>
    public static ConvPadding Same => new(0, "same");

    /// <summary>Padding "valid" (none).</summary>
    public static ConvPadding Valid => new(0, "valid");

    /// <summary>The same amount on every side.</summary>
    public static implicit operator ConvPadding(int value) => new(value, null);

    /// <summary>Amounts (h, w).</summary>
    public static implicit operator ConvPadding((int H, int W) value) => new(value, null);

    /// <summary>Amounts as a pair.</summary>
    public static implicit operator ConvPadding(IntPair value) => new(value, null);

    /// <summary>"same" or "valid".</summary>
    public static implicit operator ConvPadding(string mode) => new(0, mode);

    /// <summary>The Python literal: 'same' / 'valid' unquoted as PyTorch's reprs print it, else the amounts.</summary>
    public override string ToString() => Mode ?? Size.ToString();
}

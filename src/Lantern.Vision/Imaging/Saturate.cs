using System.Runtime.CompilerServices;

namespace Lantern.Vision;

/// <summary>
/// OpenCV's <c>saturate_cast</c>: round to nearest with ties to even (cvRound, the SSE2 conversion under the default
/// rounding mode), then clamp to the target range; NaN becomes 0.
/// </summary>
internal static class Saturate
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte ToByte(double v)
    {
        if (!(v > 0)) return 0;            // negatives and NaN
        if (v >= 255) return 255;
        return (byte)Math.Round(v, MidpointRounding.ToEven);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte ToByte(float v)
    {
        if (!(v > 0)) return 0;
        if (v >= 255f) return 255;
        return (byte)MathF.Round(v, MidpointRounding.ToEven);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte ToByte(int v) => (byte)Math.Clamp(v, 0, 255);

    /// <summary>cvRound for doubles: nearest, ties to even (int range assumed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Round(double v) => (int)Math.Round(v, MidpointRounding.ToEven);

    /// <summary>cvRound for floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Round(float v) => (int)MathF.Round(v, MidpointRounding.ToEven);
}

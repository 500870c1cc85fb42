namespace Lantern.Kernels;

/// <summary>Scalar special functions .NET does not provide, accurate to double precision.</summary>
public static class SpecialFunctions
{
    private const double TwoOverSqrtPi = 1.1283791670955126;
    private const double OneOverSqrtPi = 0.5641895835477563;

    /// <summary>
    /// erf(x) to about 1e-16 relative: for |x| &lt; 3 the all-positive series
    /// erf(x) = 2x/sqrt(pi) e^(-x^2) sum_n (2x^2)^n / (1*3*...*(2n+1)); beyond, 1 - erfc(x) with erfc from its
    /// continued fraction. erf(+-inf) = +-1, erf(NaN) = NaN, erf(-0) = -0.
    /// </summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return x;
        double ax = Math.Abs(x);
        if (ax < 3.0)
        {
            double x2 = x * x, term = 1.0, sum = 1.0;
            for (int n = 1; n < 200; n++)
            {
                term *= 2.0 * x2 / (2 * n + 1);
                sum += term;
                if (term < sum * 1e-17) break;
            }
            return TwoOverSqrtPi * x * Math.Exp(-x2) * sum;
        }
        double r = 1.0 - ErfcLarge(ax);
        return x < 0 ? -r : r;
    }

    /// <summary>erfc(x) for x &gt;= 3 from the continued fraction, evaluated backwards over 80 terms.</summary>
    private static double ErfcLarge(double x)
    {
        if (x > 27) return 0.0;
        // erfc(x) = e^(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
        double f = x;
        for (int k = 80; k >= 1; k--) f = x + (k * 0.5) / f;
        return Math.Exp(-x * x) * OneOverSqrtPi / f;
    }

    /// <summary>
    /// erf(x) for float: Taylor series for |x| &lt; 1 (error below 1e-9), Abramowitz-Stegun 7.1.26 beyond
    /// (absolute error below 1.5e-7). <paramref name="expNegX2"/> must hold exp(-x^2).
    /// </summary>
    public static float ErfFloat(float x, float expNegX2)
    {
        float ax = MathF.Abs(x);
        if (ax < 1f)
        {
            float z = x * x;
            // 2/sqrt(pi) * (x - x^3/3 + x^5/10 - x^7/42 + x^9/216 - x^11/1320 + x^13/9360 - x^15/75600 + x^17/685440)
            float p = 1f / 685440f;
            p = p * z - 1f / 75600f;
            p = p * z + 1f / 9360f;
            p = p * z - 1f / 1320f;
            p = p * z + 1f / 216f;
            p = p * z - 1f / 42f;
            p = p * z + 1f / 10f;
            p = p * z - 1f / 3f;
            p = p * z + 1f;
            return (float)TwoOverSqrtPi * x * p;
        }
        if (float.IsNaN(x)) return x;
        float t = 1f / (1f + 0.3275911f * ax);
        float poly = t * (0.254829592f + t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))));
        float r = 1f - poly * expNegX2;
        return x < 0 ? -r : r;
    }
}

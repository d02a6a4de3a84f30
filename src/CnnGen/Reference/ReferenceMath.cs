using System;

namespace CnnGen.Reference;

/// <summary>
/// The special functions the reference engine needs, in double precision, written here from their
/// textbook definitions so that the yardstick shares nothing with the generated code (or with a
/// runtime's float approximations): erf and erfc, log(1 + x) and exp(x) - 1 without cancellation.
/// </summary>
internal static class ReferenceMath
{
    // Below this |x| erf comes from its power series, above it erfc from its continued fraction:
    // the series needs more terms the larger x is, the fraction fewer (both reach double precision
    // on either side of 2; the fraction still does from x = 1 at the depth below).
    private const double SeriesLimit = 2.0;

    // Levels of the continued fraction, evaluated from the bottom up: 100 suffice from x = 1.5.
    private const int FractionDepth = 400;

    private const double TwoOverSqrtPi = 1.1283791670955125738961589031215; // 2 / sqrt(pi)
    private const double OneOverSqrtPi = 0.56418958354775628694807945156077; // 1 / sqrt(pi)

    /// <summary>The error function, erf(x) = 2/sqrt(pi) * integral from 0 to x of exp(-t^2) dt; accurate to about 1e-15.</summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        double magnitude = Math.Abs(x);
        double value = magnitude < SeriesLimit ? ErfSeries(magnitude) : 1.0 - ErfcContinuedFraction(magnitude);
        return x < 0 ? -value : value;
    }

    /// <summary>
    /// The complementary error function, erfc(x) = 1 - erf(x), without the cancellation of
    /// subtracting from 1 where erf(x) is close to 1 (large x): erfc(10) is about 2e-45, not 0.
    /// </summary>
    public static double Erfc(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        if (x >= SeriesLimit) return ErfcContinuedFraction(x);
        if (x <= -SeriesLimit) return 2.0 - ErfcContinuedFraction(-x);
        return 1.0 - Erf(x);
    }

    /// <summary>
    /// erf(x) = 2/sqrt(pi) * exp(-x^2) * sum over n of 2^n x^(2n+1) / (1 * 3 * ... * (2n+1))
    /// (Abramowitz and Stegun 7.1.6), for x at least 0. Every term is positive, so nothing cancels,
    /// unlike the alternating Taylor series.
    /// </summary>
    private static double ErfSeries(double x)
    {
        double term = x; // n = 0
        double sum = term;
        for (int n = 1; n < 1000; n++)
        {
            term *= 2.0 * x * x / (2 * n + 1);
            sum += term;
            if (term <= sum * 1e-17) break; // also ends at once for x = 0
        }
        return TwoOverSqrtPi * Math.Exp(-x * x) * sum;
    }

    /// <summary>
    /// erfc(x) = exp(-x^2) / sqrt(pi) * 1 / (x + (1/2) / (x + 1 / (x + (3/2) / (x + 2 / (x + ...)))))
    /// (Abramowitz and Stegun 7.1.14), for x at least 2, evaluated backwards from a fixed depth.
    /// </summary>
    private static double ErfcContinuedFraction(double x)
    {
        if (double.IsPositiveInfinity(x)) return 0.0;
        double tail = x;
        for (int k = FractionDepth; k >= 1; k--) tail = x + k / 2.0 / tail;
        return Math.Exp(-x * x) * OneOverSqrtPi / tail;
    }

    /// <summary>
    /// log(1 + x), accurate for small x where 1 + x rounds (Goldberg's trick: the rounding of
    /// u = 1 + x is undone by the ratio x / (u - 1)).
    /// </summary>
    public static double Log1P(double x)
    {
        double u = 1.0 + x;
        if (u == 1.0) return x;
        if (double.IsPositiveInfinity(u)) return u;
        return Math.Log(u) * x / (u - 1.0);
    }

    /// <summary>exp(x) - 1, accurate near zero where exp(x) rounds to about 1 (Kahan's trick).</summary>
    public static double ExpM1(double x)
    {
        double u = Math.Exp(x);
        if (u == 1.0) return x;
        double um1 = u - 1.0;
        if (um1 == -1.0) return -1.0;
        if (double.IsPositiveInfinity(u)) return u;
        return um1 * x / Math.Log(u);
    }
}

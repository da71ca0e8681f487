#!/usr/bin/python3
"""Prints the Chebyshev coefficients of Autograd/Ops/Elementwise/NormalDistribution.cs (C# source).

    /usr/bin/python3 Autograd.Tests/Fixtures/make_erfc_coefficients.py

.NET has no erf/erfc, so the exact GELU evaluates the standard normal CDF through the scaled complementary
error function F(z) = exp(z^2) erfc(z), z >= 0, which is smooth and slowly varying (1 at 0, ~1/(z sqrt(pi))
for large z). With t = 4 / (4 + z), F(z) = t * G(t) where G is smooth on t in (0, 1] (z in [0, inf); G tends
to 1/(4 sqrt(pi)) as z grows), so one Chebyshev series in u = 2t - 1 covers the whole range: no branches,
which is what lets the C# evaluate it with Vector<double>. G is interpolated at the Chebyshev nodes (never
t = 0) with mpmath at 50 digits; beyond degree 23 the rounding of t, not the interpolant, bounds the error.
The script then evaluates F in double exactly as the C# does (t, u, Clenshaw's recurrence) on a dense grid
and prints the worst relative error in units of 2^-53.
"""

import mpmath as mp

mp.mp.dps = 50

K = 4
DEGREE = 24


def scaled_erfc(z):
    return mp.exp(z * z) * mp.erfc(z)


def g_of_t(t):
    return scaled_erfc(K / t - K) / t


def chebyshev(f, a, b, degree):
    n = degree + 1
    nodes = [mp.cos(mp.pi * (k + mp.mpf(1) / 2) / n) for k in range(n)]
    values = [f((b - a) / 2 * u + (a + b) / 2) for u in nodes]
    c = [2 * mp.fsum(values[k] * mp.cos(mp.pi * j * (k + mp.mpf(1) / 2) / n) for k in range(n)) / n
         for j in range(n)]
    c[0] /= 2
    return [float(v) for v in c]


def scaled_erfc_in_double(c, z):
    # The same operations, in the same order, as NormalDistribution.cs.
    t = 4.0 / (4.0 + z)
    u = 2 * t - 1
    two_u = 2 * u
    b1 = b2 = 0.0
    for cj in reversed(c[1:]):
        b1, b2 = two_u * b1 - b2 + cj, b1
    return t * (u * b1 - b2 + c[0])


def main():
    c = chebyshev(g_of_t, mp.mpf(0), mp.mpf(1), DEGREE)
    worst = 0
    for i in range(20001):
        z = 30.0 * i / 20000
        worst = max(worst, abs(scaled_erfc_in_double(c, z) / scaled_erfc(mp.mpf(z)) - 1))
    print(f"    // G(t), t = 4/(4 + z), degree {DEGREE}: F in double within {float(worst) / 2**-53:.2f} x 2^-53"
          " (relative) on z in [0, 30]")
    print("    private static readonly double[] _scaledErfc =")
    print("    [")
    for v in c:
        print(f"        {v!r},")
    print("    ];")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Prints the Chebyshev coefficients of Autograd/Ops/Elementwise/NormalDistribution.cs (C# source).

    /usr/bin/python3 Autograd.Tests/Fixtures/make_erfc_coefficients.py

.NET has no erf/erfc, so the exact GELU evaluates the standard normal CDF through the scaled complementary
error function F(z) = exp(z^2) erfc(z), z >= 0, which is smooth and slowly varying (1 at 0, ~1/(z sqrt(pi))
for large z). It is interpolated at Chebyshev nodes, with mpmath at 50 digits, on
  [0, 1], [1, 2], [2, 4]  as a function of z, and
  [1/32, 1/4]             as G(t) = F(1/t) / t, a function of t = 1/z (z in [4, 32]; beyond 27.3, exp(-z^2)
                          underflows double anyway).
The degrees are the smallest for which the interpolant's relative error is below 2^-60; the script checks
the double-precision Clenshaw evaluation against mpmath on a dense grid and prints the worst error in ulps.
"""

import mpmath as mp

mp.mp.dps = 50


def scaled_erfc(z):
    return mp.exp(z * z) * mp.erfc(z)


def scaled_erfc_of_reciprocal(t):
    return scaled_erfc(1 / t) / t


PIECES = [
    ("_scaledErfc0To1", scaled_erfc, mp.mpf(0), mp.mpf(1), 18),
    ("_scaledErfc1To2", scaled_erfc, mp.mpf(1), mp.mpf(2), 16),
    ("_scaledErfc2To4", scaled_erfc, mp.mpf(2), mp.mpf(4), 19),
    ("_scaledErfcReciprocal", scaled_erfc_of_reciprocal, mp.mpf(1) / 32, mp.mpf(1) / 4, 18),
]


def chebyshev(f, a, b, degree):
    n = degree + 1
    nodes = [mp.cos(mp.pi * (k + mp.mpf(1) / 2) / n) for k in range(n)]
    values = [f((b - a) / 2 * u + (a + b) / 2) for u in nodes]
    c = [2 * mp.fsum(values[k] * mp.cos(mp.pi * j * (k + mp.mpf(1) / 2) / n) for k in range(n)) / n
         for j in range(n)]
    c[0] /= 2
    return [float(v) for v in c]


def clenshaw(c, u):
    b1 = b2 = 0.0
    for cj in reversed(c[1:]):
        b1, b2 = 2 * u * b1 - b2 + cj, b1
    return u * b1 - b2 + c[0]


def main():
    for index, (name, f, a, b, degree) in enumerate(PIECES):
        c = chebyshev(f, a, b, degree)
        lo, hi = float(a), float(b)
        worst = 0
        for i in range(4001):
            x = lo + (hi - lo) * i / 4000
            u = (2 * x - (lo + hi)) / (hi - lo)
            worst = max(worst, abs(clenshaw(c, u) / f(mp.mpf(x)) - 1))
        print(f"    // [{lo!r}, {hi!r}], degree {degree}: worst relative error {float(worst) / 2**-53:.2f} ulp")
        print(f"    private static readonly double[] {name} =")
        print("    [")
        for v in c:
            print(f"        {v!r},")
        print("    ];")
        if index < len(PIECES) - 1:
            print()


if __name__ == "__main__":
    main()

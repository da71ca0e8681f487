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

Float32 inputs only need |x| <= 15 (beyond, every result rounds to 0 or 1 in float), i.e. t in [t_c, 1] with
t_c = 4 / (4 + 15 / sqrt(2)). There a degree-17 series is as accurate as the degree-24 one is on the whole range;
it is printed as an ordinary polynomial in u = alpha t + beta (in [-1, 1]; its coefficients stay below 0.36, so
Horner's rule with fused multiply-adds loses nothing to cancellation), checked the same way.
"""

import mpmath as mp

mp.mp.dps = 50

K = 4
DEGREE = 24
SINGLE_DEGREE = 17
SINGLE_LIMIT = 15


def scaled_erfc(z):
    return mp.exp(z * z) * mp.erfc(z)


def g_of_t(t):
    return scaled_erfc(K / t - K) / t


def chebyshev_on(f, a, b, degree):
    n = degree + 1
    nodes = [mp.cos(mp.pi * (k + mp.mpf(1) / 2) / n) for k in range(n)]
    values = [f((b - a) / 2 * u + (a + b) / 2) for u in nodes]
    c = [2 * mp.fsum(values[k] * mp.cos(mp.pi * j * (k + mp.mpf(1) / 2) / n) for k in range(n)) / n
         for j in range(n)]
    c[0] /= 2
    return c


def chebyshev(f, a, b, degree):
    return [float(v) for v in chebyshev_on(f, a, b, degree)]


def to_monomial(c):
    """sum c_j T_j(u) as sum m_k u^k, in mpmath."""
    n = len(c)
    t = [[mp.mpf(1)], [mp.mpf(0), mp.mpf(1)]]
    for j in range(2, n):
        row = [mp.mpf(0)] * (j + 1)
        for k, v in enumerate(t[j - 1]):
            row[k + 1] += 2 * v
        for k, v in enumerate(t[j - 2]):
            row[k] -= v
        t.append(row)
    m = [mp.mpf(0)] * n
    for j in range(n):
        for k, v in enumerate(t[j]):
            m[k] += c[j] * v
    return m


def fma(a, b, c):
    # Exact product and sum (50 digits suffice for doubles this size), rounded once to double.
    return float(mp.mpf(a) * mp.mpf(b) + mp.mpf(c))


def scaled_erfc_single_in_double(m, alpha, beta, t_min, z):
    # The same operations, in the same order, as NormalDistribution.cs's SingleQuantity.
    t = max(4.0 / (4.0 + z), t_min)
    u = fma(t, alpha, beta)
    p = m[-1]
    for mk in reversed(m[:-1]):
        p = fma(p, u, mk)
    return t * p


def print_single():
    t_c = mp.mpf(K) / (K + SINGLE_LIMIT / mp.sqrt(2))
    c = chebyshev_on(g_of_t, t_c, mp.mpf(1), SINGLE_DEGREE)
    m = [float(v) for v in to_monomial(c)]
    alpha, beta, t_min = float(2 / (1 - t_c)), float(-(1 + t_c) / (1 - t_c)), float(t_c)
    worst = 0
    for i in range(20001):
        z = SINGLE_LIMIT * 0.7071067811865476 * i / 20000
        worst = max(worst, abs(scaled_erfc_single_in_double(m, alpha, beta, t_min, z) / scaled_erfc(mp.mpf(z)) - 1))
    print(f"    // G(t) for float32 inputs, t in [t_c, 1], t_c = 4/(4 + {SINGLE_LIMIT}/√2), degree {SINGLE_DEGREE} in"
          f" u = αt + β:")
    print(f"    // F in double within {float(worst) / 2**-53:.2f} x 2^-53 (relative) on z in [0, {SINGLE_LIMIT}/√2]")
    print(f"    private const double SingleMinimumT = {t_min!r};")
    print(f"    private const double SingleAlpha = {alpha!r};")
    print(f"    private const double SingleBeta = {beta!r};")
    print("    private static readonly double[] _scaledErfcSingle =")
    print("    [")
    for v in m:
        print(f"        {v!r},")
    print("    ];")


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
    print()
    print_single()


if __name__ == "__main__":
    main()

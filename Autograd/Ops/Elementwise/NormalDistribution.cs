namespace Autograd.Ops;

/// <summary>
/// The standard normal distribution's CDF Φ and density φ, for the exact GELU. .NET has no erf, so Φ goes through
/// the scaled complementary error function F(z) = e^{z²}·erfc(z), z ≥ 0, a smooth function that Chebyshev
/// interpolants of degree 16–19 give to 2 ulp (coefficients from <c>Autograd.Tests/Fixtures/make_erfc_coefficients.py</c>,
/// mpmath at 50 digits). Φ(x) = ½·e^{−x²/2}·F(|x|/√2) for x &lt; 0 and 1 − that for x ≥ 0: the lower tail keeps its
/// full relative precision (Φ(−30) ≈ 4.9e−198), where 1 + erf(x/√2) would round to 0 below x ≈ −8.
/// </summary>
internal static class NormalDistribution
{
    private const double InverseSqrt2 = 0.70710678118654752440;
    private const double InverseSqrt2Pi = 0.39894228040143267794;

    // Beyond |x| = 40, e^{−x²/2} underflows double (it does from 38.6): Φ is exactly 0 or 1 and φ is 0.
    private const double Saturation = 40;

    /// <summary>Φ(x) = P(N(0,1) ≤ x).</summary>
    public static double Cdf(double x) => Cdf(x, out _);

    /// <summary>Φ(x), and φ(x) = e^{−x²/2}/√(2π) from the same exponential.</summary>
    public static double Cdf(double x, out double density)
    {
        if (double.IsNaN(x))
        {
            density = x;
            return x;
        }

        double a = Math.Abs(x);
        if (a > Saturation)
        {
            density = 0;
            return x < 0 ? 0 : 1;
        }

        double exponential = ExpMinusHalfSquare(a);
        density = InverseSqrt2Pi * exponential;
        double lowerTail = 0.5 * exponential * ScaledErfc(a * InverseSqrt2);
        return x < 0 ? lowerTail : 1 - lowerTail;
    }

    /// <summary>φ(x) = e^{−x²/2}/√(2π).</summary>
    public static double Pdf(double x) =>
        double.IsNaN(x) ? x : Math.Abs(x) > Saturation ? 0 : InverseSqrt2Pi * ExpMinusHalfSquare(Math.Abs(x));

    /// <summary>
    /// e^{−a²/2} for 0 ≤ a ≤ 40 without the rounding error of a²: rounding a² costs a relative error of a²·2⁻⁵³ in
    /// the result (1e−13 at a = 38). a = h + l with h the top 26 bits of a, so h² is exact, and
    /// a² = h² + l·(a + h), the small remainder's rounding being negligible.
    /// </summary>
    private static double ExpMinusHalfSquare(double a)
    {
        double high = BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(a) & unchecked((long)0xFFFF_FFFF_F800_0000));
        double rest = (a - high) * (a + high);
        return Math.Exp(-0.5 * high * high) * Math.Exp(-0.5 * rest);
    }

    /// <summary>F(z) = e^{z²}·erfc(z) for 0 ≤ z ≤ 32: 1 at 0, decreasing like 1/(z√π).</summary>
    private static double ScaledErfc(double z)
    {
        if (z < 1)
        {
            return Clenshaw(_scaledErfc0To1, (2 * z) - 1);
        }

        if (z < 2)
        {
            return Clenshaw(_scaledErfc1To2, (2 * z) - 3);
        }

        if (z < 4)
        {
            return Clenshaw(_scaledErfc2To4, z - 3);
        }

        // G(t) = F(1/t)/t on t = 1/z in [1/32, 1/4], mapped to [−1, 1].
        double t = 1 / z;
        return Clenshaw(_scaledErfcReciprocal, ((64 * t) - 9) / 7) * t;
    }

    /// <summary>Σ c[j]·T_j(u), the Chebyshev series at u in [−1, 1] (Clenshaw's recurrence).</summary>
    private static double Clenshaw(double[] c, double u)
    {
        double twoU = 2 * u;
        double b1 = 0, b2 = 0;
        for (int j = c.Length - 1; j >= 1; j--)
        {
            double b0 = (twoU * b1) - b2 + c[j];
            b2 = b1;
            b1 = b0;
        }

        return (u * b1) - b2 + c[0];
    }

    // [0.0, 1.0], degree 18: worst relative error 1.66 ulp
    private static readonly double[] _scaledErfc0To1 =
    [
        0.6636754548049562,
        -0.27846906527659765,
        0.04903417939717065,
        -0.007599751020383188,
        0.0010654107427530049,
        -0.00013750347856587034,
        1.654054543985497e-05,
        -1.8714831220745124e-06,
        2.005707523747154e-07,
        -2.047435473714216e-08,
        1.999753198444048e-09,
        -1.8758264773418728e-10,
        1.6952320375586177e-11,
        -1.479980396756519e-12,
        1.2510771291307499e-13,
        -1.026114615192653e-14,
        8.180279413146936e-16,
        -6.34860053331883e-17,
        4.7781151226709295e-18,
    ];

    // [1.0, 2.0], degree 16: worst relative error 2.25 ulp
    private static readonly double[] _scaledErfc1To2 =
    [
        0.331427281639452,
        -0.0850021377067432,
        0.009951127341466115,
        -0.0010810888102208325,
        0.0001102324363119495,
        -1.0636830518218601e-05,
        9.775012680479055e-07,
        -8.597922867888315e-08,
        7.2677084117248425e-09,
        -5.923543840592542e-10,
        4.6683928572294154e-11,
        -3.5661277015677288e-12,
        2.645877951906767e-13,
        -1.9101658667347927e-14,
        1.3439764866689656e-15,
        -9.22862586358592e-17,
        6.166538925305747e-18,
    ];

    // [2.0, 4.0], degree 19: worst relative error 1.57 ulp
    private static readonly double[] _scaledErfc2To4 =
    [
        0.1874295690262241,
        -0.05794652883669097,
        0.008595247387396534,
        -0.0012284613640242594,
        0.00016974366686180488,
        -2.2738329337044562e-05,
        2.959844378804878e-06,
        -3.7513575581379714e-07,
        4.6372828761738244e-08,
        -5.599455392564088e-09,
        6.613160896679916e-10,
        -7.648271522199816e-11,
        8.670904325876594e-12,
        -9.645456274382024e-13,
        1.0536827959351312e-13,
        -1.1312630905748733e-14,
        1.1945180560527113e-15,
        -1.241309600232272e-16,
        1.270125629361294e-17,
        -1.2682476193385773e-18,
    ];

    // [0.03125, 0.25], degree 18: worst relative error 1.59 ulp
    private static readonly double[] _scaledErfcReciprocal =
    [
        0.5573591127304925,
        -0.008017317087245847,
        -0.001406351716401117,
        5.9431948814242215e-05,
        3.4034557683904646e-06,
        -4.54226589038775e-07,
        2.4647052503816934e-09,
        3.172438783420388e-09,
        -2.324794129211967e-10,
        -1.2471491025352205e-11,
        3.3885765091564492e-12,
        -1.5300713524917984e-13,
        -2.6809630348315627e-14,
        4.608975150576631e-15,
        -1.0840021020446516e-16,
        -5.535503772812819e-17,
        7.978722468932676e-18,
        -5.757661432102442e-20,
        -1.2728737724889409e-19,
    ];
}

using static Autograd.Ops.NormalDistribution;

namespace Autograd.Tests.Ops.Elementwise;

/// <summary>
/// NormalDistribution's float32 path (one pass, a shorter series) against the float64 path rounded once to float, which
/// is what float32 inputs got before it: Φ, φ, GELU and its derivative over every 2⁻¹⁰ step of [−20, 20] and the
/// special values; the lower tail; and the same bits whatever the length of the span and an element's place in it.
/// </summary>
public class NormalDistributionSingleTests
{
    // Quantity by name (the enum is internal, test methods are public).
    private static readonly string[] _quantities = [.. Enum.GetNames<Quantity>()];

    private static float[] Sweep()
    {
        var values = new List<float>();
        for (int k = -20 * 1024; k <= 20 * 1024; k++)
        {
            values.Add(k / 1024f);
        }

        values.AddRange(
        [
            0f, -0f, float.Epsilon, -float.Epsilon, 1e-40f, -1e-40f, float.MinValue, float.MaxValue, float.PositiveInfinity,
            float.NegativeInfinity, float.NaN, 1e-30f, -1e-30f, 13.5f, -13.5f, -14.5f, -15f, -15.000001f, 15.000001f, -38.6f,
            -38.7f, -39.9f, -40f, -40.000004f, -50f, 50f, 1e20f, -1e20f,
        ]);
        var random = new Random(7);
        for (int k = 0; k < 20000; k++)
        {
            values.Add((float)((random.NextDouble() * 32) - 16));
        }

        return [.. values];
    }

    // Distance in representable floats, −0 and +0 counted as one value.
    private static long Ulps(float a, float b)
    {
        static long Ordered(float v)
        {
            int bits = BitConverter.SingleToInt32Bits(v);
            return bits < 0 ? -(long)(bits & int.MaxValue) : bits;
        }

        return Math.Abs(Ordered(a) - Ordered(b));
    }

    private static float[] Single(Quantity quantity, float[] x, float[]? g = null)
    {
        var y = new float[x.Length];
        Apply<float>(quantity, x, g ?? [], y);
        return y;
    }

    private static float[] DoubleRounded(Quantity quantity, float[] x)
    {
        double[] wide = [.. x.Select(v => (double)v)];
        var y = new double[x.Length];
        Apply<double>(quantity, wide, [], y);
        return [.. y.Select(v => (float)v)];
    }

    [TestCaseSource(nameof(_quantities))]
    public void Single_IsWithinOneUlpOfTheDoublePathRounded(string name)
    {
        var quantity = Enum.Parse<Quantity>(name);
        float[] x = Sweep();
        float[] actual = Single(quantity, x), expected = DoubleRounded(quantity, x);
        long worst = 0;
        int differing = 0;
        for (int i = 0; i < x.Length; i++)
        {
            if (float.IsNaN(expected[i]) || float.IsNaN(actual[i]))
            {
                Assert.That(float.IsNaN(actual[i]) && float.IsNaN(expected[i]), $"{quantity}({x[i]:R}): {actual[i]:R} vs {expected[i]:R}");
                continue;
            }

            long ulps = Ulps(actual[i], expected[i]);
            worst = Math.Max(worst, ulps);
            differing += BitConverter.SingleToInt32Bits(actual[i]) != BitConverter.SingleToInt32Bits(expected[i]) ? 1 : 0;
            Assert.That(ulps, Is.LessThanOrEqualTo(1), $"{quantity}({x[i]:R}): {actual[i]:R} vs {expected[i]:R}");
        }

        TestContext.Out.WriteLine($"{quantity}: {x.Length} inputs, {differing} differ in any bit, max {worst} ulp");
    }

    [Test]
    public void Single_GradientIsTheRoundedDerivativeTimesG()
    {
        float[] x = Sweep();
        float[] g = [.. x.Select((_, i) => (float)Math.Sin(i))];
        float[] derivative = Single(Quantity.GeluDerivative, x), actual = Single(Quantity.GeluDerivative, x, g);
        Assert.That(actual, Is.EqualTo(derivative.Select((d, i) => d * g[i]).ToArray()));

        // In place: destination may be g.
        Apply<float>(Quantity.GeluDerivative, x, g, g);
        Assert.That(g, Is.EqualTo(actual));
    }

    [Test]
    public void Single_LowerTail_StaysFiniteAndAccurate()
    {
        // Φ(−10) = 7.6198530241605260659733432515993e−24 (mpmath).
        float[] x = [-10f, -13f, -20f, -1000f];
        float[] cdf = Single(Quantity.Cdf, x), gelu = Single(Quantity.Gelu, x);
        Assert.That(cdf[0], Is.EqualTo((float)7.6198530241605260659733432515993e-24));
        Assert.That(gelu[0], Is.EqualTo((float)-7.6198530241605260659733432515993e-23));
        Assert.That(cdf[1], Is.EqualTo((float)6.11716439954988e-39));   // Φ(−13), subnormal in float
        Assert.That(cdf[2], Is.EqualTo(0f));
        Assert.That(gelu[2], Is.EqualTo(0f));
        Assert.That(float.IsNegative(gelu[3]) && gelu[3] == 0, $"Gelu(-1000) = {gelu[3]:R}");
    }

    [TestCaseSource(nameof(_quantities))]
    public void Single_BitsDoNotDependOnLengthOrPosition(string name)
    {
        var quantity = Enum.Parse<Quantity>(name);
        var random = new Random(11);
        float[] x = [.. Enumerable.Range(0, 70).Select(_ => (float)((random.NextDouble() * 30) - 15))];
        float[] g = [.. Enumerable.Range(0, 70).Select(_ => (float)random.NextDouble())];
        float[] whole = Single(quantity, x), wholeTimesG = Single(quantity, x, g);
        for (int start = 0; start < 3; start++)
        {
            for (int length = 1; start + length <= x.Length; length++)
            {
                float[] part = x[start..(start + length)];
                Assert.That(Single(quantity, part), Is.EqualTo(whole[start..(start + length)]), $"[{start}, +{length})");
                Assert.That(Single(quantity, part, g[start..(start + length)]), Is.EqualTo(wholeTimesG[start..(start + length)]),
                    $"[{start}, +{length}) times g");
            }
        }
    }
}

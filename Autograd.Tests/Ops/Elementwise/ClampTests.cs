using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Elementwise;

/// <summary>Clamp: values, the gradient at and beyond the bounds (PyTorch's inclusive mask), gradient checks.</summary>
public class ClampTests
{
    private static readonly int[][] _shapes = [[], [5], [3, 4], [1, 37, 1]];

    private static IEnumerable<TestCaseData> Shapes() =>
        from shape in _shapes select new TestCaseData(shape).SetName($"Clamp_[{string.Join("x", shape)}]");

    [TestCaseSource(nameof(Shapes))]
    public void GradCheck_AwayFromTheBounds(int[] shape) =>
        GradAssert.GradCheck(v => v[0].Clamp(-0.5, 0.8), [AwayFrom(31, shape, -0.5, 0.8)]);

    [TestCaseSource(nameof(Shapes))]
    public void Float32MatchesFloat64(int[] shape) =>
        GradAssert.Float32MatchesFloat64(v => v[0].Clamp(-0.5, 0.8), [AwayFrom(32, shape, -0.5, 0.8)]);

    [Test]
    public void Values_AndGradient_BoundsIncluded_AsPyTorch()
    {
        Tensor x = Inputs.Of([-2, -1, -0.5, 0, 1, 1.5, double.NaN], 7);
        Tensor y = x.Clamp(-1, 1);
        double[] values = y.ToArray<double>();
        Assert.That(values[..6], Is.EqualTo(new[] { -1.0, -1, -0.5, 0, 1, 1 }));
        Assert.That(values[6], Is.NaN, "NaN passes through, as PyTorch");
        y.Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 0.0, 1, 1, 1, 1, 0, 0 }));
    }

    [Test]
    public void MinAboveMax_EveryElementIsMax_AndNoGradient_AsPyTorch()
    {
        Tensor x = Inputs.Of([-2, 0, 0.5, 3], 4);
        Tensor y = x.Clamp(1, 0);
        Assert.That(y.ToArray<double>(), Is.EqualTo(new[] { 0.0, 0, 0, 0 }));
        y.Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 0.0, 0, 0, 0 }));
    }

    [Test]
    public void InfiniteBounds_ClampOneSideOnly()
    {
        Tensor x = Inputs.Of([-5, 0, 5], 3);
        Assert.That(x.Clamp(double.NegativeInfinity, 1).ToArray<double>(), Is.EqualTo(new[] { -5.0, 0, 1 }));
        Assert.That(x.Clamp(-1, double.PositiveInfinity).ToArray<double>(), Is.EqualTo(new[] { -1.0, 0, 5 }));
    }

    [Test]
    public void SecondDerivative_IsZero_AndTheGraphPathMatches()
    {
        // Piecewise linear: g · mask with a constant mask, so the gradient's own derivative is 0 (nothing to record).
        Tensor x = Inputs.Of([-2, -1, 0.3, 1, 2], 5);
        Tensor w = Tensor.FromArray(new[] { 1.0, 2, 3, 4, 5 }, 5);
        Tensor gradient = Tape.Grad((x.Clamp(-1, 1) * w).Sum(), [x], createGraph: true)[0]!;
        Assert.That(gradient.ToArray<double>(), Is.EqualTo(new[] { 0.0, 2, 3, 4, 0 }));
        Assert.That(gradient.RequiresGrad, Is.False, "its derivative with respect to x is 0");
    }

    [Test]
    public void Float32_LongInput_VectorBodyAndTailAgree()
    {
        // 37 elements: Vector<float> bodies and a scalar tail; bounds placed in both.
        float[] values = Enumerable.Range(0, 37).Select(i => (i % 5) - 2f).ToArray();
        Tensor x = Tensor.FromArray(values, 37);
        x.RequiresGrad = true;
        x.Clamp(-1, 1).Sum().Backward();
        float[] expected = values.Select(v => v >= -1 && v <= 1 ? 1f : 0f).ToArray();
        Assert.That(x.Grad!.ToArray<float>(), Is.EqualTo(expected));
    }

    /// <summary>Normal samples, moved at least 0.05 away from each bound (so differences never straddle a kink).</summary>
    private static Tensor AwayFrom(int seed, int[] shape, double low, double high)
    {
        double[] values = Tensor.Randn(shape, seed, DType.Float64).ToArray<double>();
        for (int i = 0; i < values.Length; i++)
        {
            foreach (double bound in new[] { low, high })
            {
                if (Math.Abs(values[i] - bound) < 0.05)
                {
                    values[i] = bound + Math.CopySign(0.05, values[i] - bound);
                }
            }
        }

        return Inputs.Of(values, shape);
    }
}

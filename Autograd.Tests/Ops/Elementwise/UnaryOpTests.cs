using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Elementwise;

/// <summary>Every elementwise function of MathFunctions.cs and Activations.cs: values, GradCheck, float32 against float64.</summary>
public class UnaryOpTests
{
    public enum Domain
    {
        /// <summary>Standard normal.</summary>
        Any,

        /// <summary>[0.3, 3): for Log, Sqrt and fractional powers.</summary>
        Positive,

        /// <summary>|x| ≥ 0.2: for the kinks of Abs, Relu, LeakyRelu.</summary>
        AwayFromZero,
    }

    private static readonly (string Name, Func<Tensor, Tensor> Op, Domain Domain)[] _ops =
    [
        ("Negate", x => -x, Domain.Any),
        ("Exp", x => x.Exp(), Domain.Any),
        ("Log", x => x.Log(), Domain.Positive),
        ("Sqrt", x => x.Sqrt(), Domain.Positive),
        ("Pow2", x => x.Pow(2), Domain.Any),
        ("Pow3", x => x.Pow(3), Domain.Any),
        ("PowHalf", x => x.Pow(0.5), Domain.Positive),
        ("PowMinus1.5", x => x.Pow(-1.5), Domain.Positive),
        ("Pow0", x => x.Pow(0), Domain.Positive),
        ("Pow1", x => x.Pow(1), Domain.Any),
        ("Abs", x => x.Abs(), Domain.AwayFromZero),
        ("Relu", x => x.Relu(), Domain.AwayFromZero),
        ("LeakyReluDefault", x => x.LeakyRelu(), Domain.AwayFromZero),
        ("LeakyRelu0.2", x => x.LeakyRelu(0.2), Domain.AwayFromZero),
        ("Sigmoid", x => x.Sigmoid(), Domain.Any),
        ("Tanh", x => x.Tanh(), Domain.Any),
        ("Clone", x => x.Clone(), Domain.Any),
    ];

    // Shapes long enough to exercise the Vector<T> bodies and the scalar tails of the fused kernels.
    private static readonly int[][] _shapes = [[], [5], [3, 4], [2, 3, 5], [1, 37, 1]];

    private static IEnumerable<TestCaseData> Cases() =>
        from op in _ops
        from shape in _shapes
        select new TestCaseData(op.Op, op.Domain, shape).SetName($"{op.Name}_[{string.Join("x", shape)}]");

    [TestCaseSource(nameof(Cases))]
    public void GradCheck_Float64(Func<Tensor, Tensor> op, Domain domain, int[] shape) =>
        GradAssert.GradCheck(v => op(v[0]), [Sample(domain, 11, shape)]);

    [TestCaseSource(nameof(Cases))]
    public void Float32MatchesFloat64(Func<Tensor, Tensor> op, Domain domain, int[] shape) =>
        GradAssert.Float32MatchesFloat64(v => op(v[0]), [Sample(domain, 12, shape)]);

    [Test]
    public void Values_AgainstHandComputedNumbers()
    {
        Tensor x = Tensor.FromArray(new[] { -2.0, -0.5, 0.0, 1.0, 4.0 }, 5);
        GradAssert.Values(x.Exp(), [Math.Exp(-2), Math.Exp(-0.5), 1, Math.E, Math.Exp(4)], 1e-12);
        GradAssert.Values(x.Abs(), [2, 0.5, 0, 1, 4]);
        GradAssert.Values(x.Relu(), [0, 0, 0, 1, 4]);
        GradAssert.Values(x.LeakyRelu(), [-0.02, -0.005, 0, 1, 4], 1e-15);
        GradAssert.Values(x.LeakyRelu(0.5), [-1, -0.25, 0, 1, 4]);
        GradAssert.Values(x.Sigmoid(), [0.11920292202211755, 0.3775406687981454, 0.5, 0.7310585786300049, 0.9820137900379085], 1e-15);
        GradAssert.Values(x.Tanh(), [-0.9640275800758169, -0.46211715726000974, 0, 0.7615941559557649, 0.999329299739067], 1e-15);
        GradAssert.Values(x.Pow(2), [4, 0.25, 0, 1, 16]);
        GradAssert.Values(x.Pow(3), [-8, -0.125, 0, 1, 64], 1e-12);

        Tensor positive = Tensor.FromArray(new[] { 0.25, 1.0, 4.0, Math.E }, 4);
        GradAssert.Values(positive.Log(), [-Math.Log(4), 0, Math.Log(4), 1], 1e-15);
        GradAssert.Values(positive.Sqrt(), [0.5, 1, 2, Math.Sqrt(Math.E)], 1e-15);
        GradAssert.Values(positive.Pow(-1), [4, 1, 0.25, 1 / Math.E], 1e-12);
    }

    [Test]
    public void Gradients_AtTheKinks_FollowPyTorch()
    {
        // Relu′(0) = 0, |x|′(0) = 0, LeakyRelu′(0) = slope (x > 0 is false at 0).
        Tensor x = Inputs.Of([-1, 0, 2], 3);
        x.Relu().Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 0.0, 0, 1 }));
        x.ZeroGrad();
        x.Abs().Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { -1.0, 0, 1 }));
        x.ZeroGrad();
        x.LeakyRelu(0.1).Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 0.1, 0.1, 1 }));
    }

    [Test]
    public void Pow_Gradient_Values()
    {
        // d x^p = p x^(p−1): p = 3 at 2 → 12; p = 0.5 at 4 → 0.25; p = 0 → 0.
        Tensor x = Inputs.Of([2], 1);
        x.Pow(3).Sum().Backward();
        Assert.That(GradAssert.GradOf(x)[0], Is.EqualTo(12).Within(1e-12));
        Tensor y = Inputs.Of([4], 1);
        y.Pow(0.5).Sum().Backward();
        Assert.That(GradAssert.GradOf(y)[0], Is.EqualTo(0.25).Within(1e-15));
        Tensor z = Inputs.Of([0], 1);
        z.Pow(0).Sum().Backward();
        Assert.That(GradAssert.GradOf(z)[0], Is.EqualTo(0));
    }

    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    public void Sigmoid_Saturated_IsFiniteWithFiniteGradient(DType dtype)
    {
        Tensor x = Tensor.FromArray(new[] { -100.0, 100.0, -1000.0, 1000.0 }, 4).To(dtype);
        x.RequiresGrad = true;
        Tensor y = x.Sigmoid();
        double[] values = y.ToArray<double>();
        Assert.That(values[0], Is.EqualTo(0).Within(1e-40));
        Assert.That(values[1], Is.EqualTo(1));
        Assert.That(values[2], Is.EqualTo(0));
        Assert.That(values[3], Is.EqualTo(1));
        y.Sum().Backward();
        double[] grad = GradAssert.GradOf(x);
        Assert.That(grad, Has.All.Matches<double>(double.IsFinite));
        Assert.That(grad, Has.All.InRange(0.0, 1e-40));
    }

    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    public void Tanh_Saturated_HasZeroGradient(DType dtype)
    {
        Tensor x = Tensor.FromArray(new[] { -50.0, 50.0 }, 2).To(dtype);
        x.RequiresGrad = true;
        Tensor y = x.Tanh();
        GradAssert.Values(y, [-1, 1]);
        y.Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 0.0, 0.0 }));
    }

    [Test]
    public void Log_EdgeValues_FollowIeee()
    {
        // log 0 = −∞ with gradient +∞ (1/0), log of a negative number is NaN, as in PyTorch.
        Tensor x = Inputs.Of([0, -1, 1e-300, double.PositiveInfinity], 4);
        Tensor y = x.Log();
        double[] values = y.ToArray<double>();
        Assert.That(values[0], Is.EqualTo(double.NegativeInfinity));
        Assert.That(values[1], Is.NaN);
        Assert.That(values[2], Is.EqualTo(-690.77552789821368).Within(1e-9));
        Assert.That(values[3], Is.EqualTo(double.PositiveInfinity));
        y.Sum().Backward();
        double[] grad = GradAssert.GradOf(x);
        Assert.That(grad[0], Is.EqualTo(double.PositiveInfinity));
        Assert.That(grad[1], Is.EqualTo(-1));
        Assert.That(grad[2], Is.EqualTo(1e300).Within(1e285));
        Assert.That(grad[3], Is.EqualTo(0));
    }

    [TestCase(DType.Float32, 89.0)]
    [TestCase(DType.Float64, 710.0)]
    public void Exp_EdgeValues_UnderflowToZeroAndOverflowToInfinity(DType dtype, double overflowing)
    {
        Tensor x = Tensor.FromArray(new[] { -1000.0, double.NegativeInfinity, overflowing, 0.0 }, 4).To(dtype);
        x.RequiresGrad = true;
        Tensor y = x.Exp();
        // TensorPrimitives' vectorised float32 exp is within an ulp, not exact: e^0 may come out as 1 + 2^−23.
        double[] values = y.ToArray<double>();
        Assert.That(values[..3], Is.EqualTo(new[] { 0.0, 0.0, double.PositiveInfinity }));
        Assert.That(values[3], Is.EqualTo(1.0).Within(2.5e-7));
        y.Sum().Backward();
        double[] grad = GradAssert.GradOf(x);
        Assert.That(grad[..3], Is.EqualTo(new[] { 0.0, 0.0, double.PositiveInfinity }));
        Assert.That(grad[3], Is.EqualTo(values[3]), "the gradient of exp is its output");
    }

    [Test]
    public void Sqrt_OfZero_HasInfiniteGradient_AsPyTorch()
    {
        Tensor x = Inputs.Of([0, 4], 2);
        Tensor y = x.Sqrt();
        GradAssert.Values(y, [0, 2]);
        y.Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { double.PositiveInfinity, 0.25 }));
    }

    private static Tensor Sample(Domain domain, int seed, int[] shape) => domain switch
    {
        Domain.Positive => Inputs.Uniform(seed, 0.3, 3, shape),
        Domain.AwayFromZero => Inputs.AwayFromZero(seed, shape),
        _ => Inputs.Normal(seed, shape),
    };
}

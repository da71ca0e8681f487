using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Elementwise;

/// <summary>Pow with a tensor exponent: broadcasting, gradients in base and exponent, PyTorch's conventions at x = 0.</summary>
public class PowTensorTests
{
    private static readonly (int[] X, int[] E)[] _shapePairs =
    [
        ([3, 4], [3, 4]),
        ([4], [3, 4]),
        ([3, 4], [4]),
        ([3, 1], [1, 4]),
        ([], [3, 4]),
        ([3, 4], []),
        ([1, 3, 1], [2, 1, 5]),
    ];

    private static IEnumerable<TestCaseData> Cases() =>
        from pair in _shapePairs
        select new TestCaseData(pair.X, pair.E).SetName($"Pow_{Format(pair.X)}_{Format(pair.E)}");

    [TestCaseSource(nameof(Cases))]
    public void GradCheck_BaseAndExponent(int[] xShape, int[] eShape) =>
        GradAssert.GradCheck(v => v[0].Pow(v[1]), [Inputs.Uniform(51, 0.3, 2.5, xShape), Inputs.Uniform(52, -1.5, 2.5, eShape)]);

    [TestCaseSource(nameof(Cases))]
    public void Float32MatchesFloat64(int[] xShape, int[] eShape) =>
        GradAssert.Float32MatchesFloat64(v => v[0].Pow(v[1]), [Inputs.Uniform(53, 0.3, 2.5, xShape), Inputs.Uniform(54, -1.5, 2.5, eShape)]);

    [Test]
    public void NegativeBase_IntegerExponents_GradCheckOfTheBase()
    {
        // A constant exponent tensor of integers (polynomial features): negative bases are fine.
        Tensor x = Inputs.Normal(55, 4, 1);
        Tensor e = Tensor.FromArray(new[] { 0.0, 1, 2, 3 }, 4);
        GradAssert.GradCheck(v => v[0].Pow(v[1]), [x, e]);
        double[] expected = x.ToArray<double>().SelectMany(v => new[] { 1, v, v * v, v * v * v }).ToArray();
        GradAssert.AssertClose(x.Pow(e).ToArray<double>(), expected, rtol: 1e-15, atol: 0, "x^[0,1,2,3]");
    }

    [Test]
    public void ThirdDerivatives_GradCheckOfTheGradient()
    {
        Tensor x = Inputs.Uniform(56, 0.5, 2, 2, 3);
        Tensor e = Inputs.Uniform(57, -1, 2, 3);
        GradAssert.GradCheck(v =>
        {
            Tensor?[] g = Tape.Grad(v[0].Pow(v[1]).Sum(), [v[0], v[1]], createGraph: true);
            return g[0]!.Sum() + (g[1]!.Sum() * 0.5);
        }, [x, e]);
    }

    [Test]
    public void Gradients_Values()
    {
        // d x^e/dx = e x^(e−1): 3 · 2² = 12; d x^e/de = x^e ln x: 8 ln 2.
        Tensor x = Inputs.Of([2], 1);
        Tensor e = Inputs.Of([3], 1);
        Tensor y = x.Pow(e);
        Assert.That(y.Item(), Is.EqualTo(8));
        y.Backward(Tensor.Ones([1], DType.Float64));
        Assert.That(GradAssert.GradOf(x)[0], Is.EqualTo(12).Within(1e-14));
        Assert.That(GradAssert.GradOf(e)[0], Is.EqualTo(8 * Math.Log(2)).Within(1e-14));
    }

    [Test]
    public void AtZeroBase_FollowsPyTorch()
    {
        // x = 0: e = 2 → (0, 0); e = 0 → y = 1, (0, 0); e = 0.5 → dx = ∞, de = 0; e = −1 → y = ∞, dx = −∞, de = −∞.
        Tensor x = Inputs.Of([0, 0, 0, 0], 4);
        Tensor e = Inputs.Of([2, 0, 0.5, -1], 4);
        Tensor y = x.Pow(e);
        Assert.That(y.ToArray<double>(), Is.EqualTo(new[] { 0, 1, 0, double.PositiveInfinity }));
        y.Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 0, 0, double.PositiveInfinity, double.NegativeInfinity }));
        Assert.That(GradAssert.GradOf(e), Is.EqualTo(new[] { 0, 0, 0, double.NegativeInfinity }));
    }

    [Test]
    public void AtZeroBase_SecondDerivatives_AreFinite_WhereTheFirstAreZero()
    {
        // The createGraph path replaces x by 1 where a piece is dropped, so 0 · ∞ never appears in the graph.
        Tensor x = Inputs.Of([0, 0, 1.5], 3);
        Tensor e = Inputs.Of([0, 2, 0], 3);
        Tensor?[] g = Tape.Grad(x.Pow(e).Sum(), [x, e], createGraph: true);
        Assert.That(g[0]!.ToArray<double>(), Is.EqualTo(new[] { 0, 0, 0 }));
        Assert.That(g[1]!.ToArray<double>(), Is.EqualTo(new[] { 0, 0, Math.Log(1.5) }).Within(1e-15));
        Tensor?[] h = Tape.Grad(g[0]!.Sum() + g[1]!.Sum(), [x, e]);
        Assert.That(h[0]!.ToArray<double>(), Has.All.Matches<double>(double.IsFinite));
        Assert.That(h[1]!.ToArray<double>(), Has.All.Matches<double>(double.IsFinite));
        // At x = 1.5, e = 0: d²/dx² = e(e−1)x^(e−2) = 0 plus d²/dxde = x^(e−1)(1 + e ln x) = 1/1.5 from both gradients.
        Assert.That(h[0]!.ToArray<double>()[2], Is.EqualTo(1 / 1.5).Within(1e-15));
    }

    [Test]
    public void ExponentWithoutGradient_BaseGradientOnly()
    {
        Tensor x = Inputs.Uniform(58, 0.5, 2, 3, 2);
        Tensor e = Tensor.FromArray(new[] { 2.0, -0.5 }, 2);
        x.Pow(e).Sum().Backward();
        double[] xs = x.ToArray<double>();
        double[] expected = xs.Select((v, i) => i % 2 == 0 ? 2 * v : -0.5 * Math.Pow(v, -1.5)).ToArray();
        GradAssert.AssertClose(GradAssert.GradOf(x), expected, rtol: 1e-14, atol: 0, "dx");
        Assert.That(e.Grad, Is.Null);
    }

    [TestCase(0, 3)]
    [TestCase(3, 0)]
    public void ZeroSize_Broadcast_GivesEmptyOutputAndZeroGradients(int rows, int columns)
    {
        Tensor x = Tensor.Ones([rows, columns], DType.Float64);
        Tensor e = Tensor.Ones([columns], DType.Float64);
        x.RequiresGrad = e.RequiresGrad = true;
        Tensor y = x.Pow(e);
        Assert.That(y.Shape, Is.EqualTo(new[] { rows, columns }));
        y.Sum().Backward();
        Assert.That(x.Grad!.Shape, Is.EqualTo(new[] { rows, columns }));
        Assert.That(e.Grad!.ToArray<double>(), Is.All.EqualTo(0.0));
    }

    [Test]
    public void Errors_NameTheOpAndTheShapesOrDTypes()
    {
        Tensor x = Tensor.Ones([2, 3]);
        Assert.That(() => x.Pow(Tensor.Ones([2])),
            Throws.ArgumentException.With.Message.Contains("Pow").And.Message.Contains("[2,3]").And.Message.Contains("[2]"));
        Assert.That(() => x.Pow(Tensor.Ones([3], DType.Float64)),
            Throws.ArgumentException.With.Message.Contains("Pow").And.Message.Contains("Float64"));
    }

    [Test]
    public void PowOfAConstant_StillResolvesToTheScalarOverload()
    {
        Tensor x = Inputs.Of([2, 3], 2);
        Tensor y = x.Pow(2);
        Assert.That(y.ToArray<double>(), Is.EqualTo(new[] { 4.0, 9 }));
    }

    private static string Format(int[] shape) => "[" + string.Join("x", shape) + "]";
}

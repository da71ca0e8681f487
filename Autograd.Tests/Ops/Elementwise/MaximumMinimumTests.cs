using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Elementwise;

/// <summary>Maximum and Minimum of two tensors: broadcasting, ties split g/2 each (as PyTorch), NaN, errors.</summary>
public class MaximumMinimumTests
{
    private static readonly (string Name, Func<Tensor, Tensor, Tensor> Op)[] _ops =
    [
        ("Maximum", (a, b) => a.Maximum(b)),
        ("Minimum", (a, b) => a.Minimum(b)),
    ];

    private static readonly (int[] X, int[] Y)[] _shapePairs =
    [
        ([3, 4], [3, 4]),
        ([4], [3, 4]),
        ([3, 4], [4]),
        ([3, 1], [3, 4]),
        ([], [3, 4]),
        ([3, 4], []),
        ([1, 3, 1], [2, 1, 5]),
        ([40], [40]),
    ];

    private static IEnumerable<TestCaseData> Cases() =>
        from op in _ops
        from pair in _shapePairs
        select new TestCaseData(op.Op, pair.X, pair.Y).SetName($"{op.Name}_{Format(pair.X)}_{Format(pair.Y)}");

    [TestCaseSource(nameof(Cases))]
    public void GradCheck(Func<Tensor, Tensor, Tensor> op, int[] xShape, int[] yShape) =>
        GradAssert.GradCheck(v => op(v[0], v[1]), [Inputs.Normal(41, xShape), Inputs.Normal(42, yShape)]);

    [TestCaseSource(nameof(Cases))]
    public void Float32MatchesFloat64(Func<Tensor, Tensor, Tensor> op, int[] xShape, int[] yShape) =>
        GradAssert.Float32MatchesFloat64(v => op(v[0], v[1]), [Inputs.Normal(43, xShape), Inputs.Normal(44, yShape)]);

    [TestCaseSource(nameof(Cases))]
    public void OnlyOneOperandRequiresGrad(Func<Tensor, Tensor, Tensor> op, int[] xShape, int[] yShape)
    {
        Tensor x = Inputs.Normal(45, xShape);
        Tensor y = Inputs.Normal(46, yShape);
        y.RequiresGrad = false;
        GradAssert.GradCheck(v => op(v[0], v[1]), [x, y]);
        op(x, y).Sum().Backward();
        Assert.That(x.Grad, Is.Not.Null);
        Assert.That(y.Grad, Is.Null);
    }

    [Test]
    public void Maximum_Values_AndTies_SplitTheGradient()
    {
        Tensor a = Inputs.Of([1, 5, 3, -2], 4);
        Tensor b = Inputs.Of([2, 5, 1, -2], 4);
        Tensor y = a.Maximum(b);
        Assert.That(y.ToArray<double>(), Is.EqualTo(new[] { 2.0, 5, 3, -2 }));
        y.Backward(Tensor.FromArray(new[] { 1.0, 2, 3, 4 }, 4));
        Assert.That(GradAssert.GradOf(a), Is.EqualTo(new[] { 0.0, 1, 3, 2 }));
        Assert.That(GradAssert.GradOf(b), Is.EqualTo(new[] { 1.0, 1, 0, 2 }));
    }

    [Test]
    public void Minimum_Values_AndTies_SplitTheGradient()
    {
        Tensor a = Inputs.Of([1, 5, 3, -2], 4);
        Tensor b = Inputs.Of([2, 5, 1, -2], 4);
        Tensor y = a.Minimum(b);
        Assert.That(y.ToArray<double>(), Is.EqualTo(new[] { 1.0, 5, 1, -2 }));
        y.Backward(Tensor.FromArray(new[] { 1.0, 2, 3, 4 }, 4));
        Assert.That(GradAssert.GradOf(a), Is.EqualTo(new[] { 1.0, 1, 0, 2 }));
        Assert.That(GradAssert.GradOf(b), Is.EqualTo(new[] { 0.0, 1, 3, 2 }));
    }

    [Test]
    public void Maximum_WithItself_GivesTheWholeGradient()
    {
        // Every element ties: each operand slot gets g/2, and both are x.
        Tensor x = Inputs.Of([1, -3], 2);
        x.Maximum(x).Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 1.0, 1 }));
    }

    [Test]
    public void BroadcastTies_AreSummedIntoTheSmallerOperand()
    {
        // [2,2] against a scalar 2: two ties give the scalar 2 · ½ · g, the larger 3 gives it nothing.
        Tensor a = Inputs.Of([2, -1, 2, 3], 2, 2);
        Tensor b = Inputs.Of([2], []);
        a.Maximum(b).Sum().Backward();
        Assert.That(GradAssert.GradOf(a), Is.EqualTo(new[] { 0.5, 0, 0.5, 1 }));
        Assert.That(GradAssert.GradOf(b), Is.EqualTo(new[] { 2.0 }));
    }

    [Test]
    public void NaN_Propagates_AndBothOperandsGetTheGradient_AsPyTorch()
    {
        Tensor a = Inputs.Of([double.NaN, 1], 2);
        Tensor b = Inputs.Of([1, double.NaN], 2);
        Tensor y = a.Minimum(b);
        Assert.That(y.ToArray<double>(), Has.All.NaN);
        y.Sum().Backward();
        Assert.That(GradAssert.GradOf(a), Is.EqualTo(new[] { 1.0, 1 }));
        Assert.That(GradAssert.GradOf(b), Is.EqualTo(new[] { 1.0, 1 }));
    }

    [Test]
    public void SecondDerivative_IsZero()
    {
        Tensor a = Inputs.Of([1, 2], 2);
        Tensor b = Inputs.Of([3, 0], 2);
        Tensor?[] g = Tape.Grad(a.Maximum(b).Sum(), [a, b], createGraph: true);
        Assert.That(g[0]!.ToArray<double>(), Is.EqualTo(new[] { 0.0, 1 }));
        Assert.That(g[1]!.ToArray<double>(), Is.EqualTo(new[] { 1.0, 0 }));
        Assert.That(g[0]!.RequiresGrad || g[1]!.RequiresGrad, Is.False, "the shares are constants");
    }

    [TestCase(0, 3)]
    [TestCase(3, 0)]
    public void ZeroSize_Broadcast_GivesEmptyOutputAndZeroGradients(int rows, int columns)
    {
        Tensor a = Tensor.Zeros([rows, columns], DType.Float64);
        Tensor b = Tensor.Ones([1, columns], DType.Float64);
        a.RequiresGrad = b.RequiresGrad = true;
        Tensor y = a.Maximum(b);
        Assert.That(y.Shape, Is.EqualTo(new[] { rows, columns }));
        y.Sum().Backward();
        Assert.That(a.Grad!.Shape, Is.EqualTo(new[] { rows, columns }));
        Assert.That(b.Grad!.ToArray<double>(), Is.All.EqualTo(0.0));
    }

    [Test]
    public void Errors_NameTheOpAndTheShapesOrDTypes()
    {
        Tensor a = Tensor.Zeros([2, 3]);
        Assert.That(() => a.Maximum(Tensor.Zeros([4])),
            Throws.ArgumentException.With.Message.Contains("Maximum").And.Message.Contains("[2,3]").And.Message.Contains("[4]"));
        Assert.That(() => a.Minimum(Tensor.Zeros([2, 3], DType.Float64)),
            Throws.ArgumentException.With.Message.Contains("Minimum").And.Message.Contains("Float64"));
        Assert.That(() => a.Maximum(null!), Throws.ArgumentNullException.With.Message.Contains("Maximum"));
    }

    private static string Format(int[] shape) => "[" + string.Join("x", shape) + "]";
}

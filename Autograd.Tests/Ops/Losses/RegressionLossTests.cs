using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Losses;

/// <summary>
/// Loss.L1 and Loss.Huber, and the Reduction of Mse, BinaryCrossEntropy and BinaryCrossEntropyWithLogits: gradient
/// checks, the gradients at the kinks (PyTorch's conventions), the reductions' identities and the errors (values:
/// <see cref="LossFixtureTests"/>).
/// </summary>
public class RegressionLossTests
{
    private static readonly Reduction[] _reductions = [Reduction.Mean, Reduction.Sum, Reduction.None];
    private static readonly int[][] _shapes = [[1], [5], [3, 4], [2, 3, 2], [0, 3]];

    private static IEnumerable<TestCaseData> ShapesAndReductions() =>
        from shape in _shapes
        from reduction in _reductions
        where !(shape.Contains(0) && reduction == Reduction.Mean)   // the mean of nothing is NaN (EmptyMean_IsNaN)
        select new TestCaseData(shape, reduction).SetName($"{{m}}([{string.Join(",", shape)}], {reduction})");

    [TestCaseSource(nameof(ShapesAndReductions))]
    public void L1_GradCheck(int[] shape, Reduction reduction) =>
        // Differences away from 0, where |d| has its kink.
        GradAssert.Float32MatchesFloat64(v => Loss.L1(v[0], v[1], reduction), [Inputs.AwayFromZero(31, shape), Tensor.Zeros(shape, DType.Float64)]);

    [TestCaseSource(nameof(ShapesAndReductions))]
    public void Huber_GradCheck(int[] shape, Reduction reduction)
    {
        // Differences on both sides of ±δ (δ = 0.8), but not within the finite-difference step of it.
        double[] target = Tensor.Randn(shape, 33, DType.Float64).ToArray<double>();
        double[] difference = Inputs.AwayFromZero(32, shape).ToArray<double>()
            .Select(d => Math.Abs(Math.Abs(d) - 0.8) < 0.05 ? d * 1.2 : d).ToArray();
        double[] prediction = target.Zip(difference, (t, d) => t + d).ToArray();
        GradAssert.Float32MatchesFloat64(v => Loss.Huber(v[0], v[1], 0.8, reduction), [Inputs.Of(prediction, shape), Inputs.Of(target, shape)]);
    }

    [TestCaseSource(nameof(ShapesAndReductions))]
    public void Mse_GradCheck(int[] shape, Reduction reduction) =>
        GradAssert.Float32MatchesFloat64(v => Loss.Mse(v[0], v[1], reduction), [Inputs.Normal(34, shape), Inputs.Normal(35, shape)]);

    [TestCaseSource(nameof(ShapesAndReductions))]
    public void BinaryCrossEntropy_GradCheck(int[] shape, Reduction reduction) =>
        GradAssert.Float32MatchesFloat64(v => Loss.BinaryCrossEntropy(v[0], v[1], reduction),
            [Inputs.Uniform(36, 0.05, 0.95, shape), Inputs.Uniform(37, 0, 1, shape)]);

    [TestCaseSource(nameof(ShapesAndReductions))]
    public void BinaryCrossEntropyWithLogits_GradCheck(int[] shape, Reduction reduction) =>
        GradAssert.Float32MatchesFloat64(v => Loss.BinaryCrossEntropyWithLogits(v[0], v[1], reduction),
            [Inputs.Normal(38, shape), Inputs.Uniform(39, 0, 1, shape)]);

    [Test]
    public void Reductions_AreTheSumAndTheMeanOfNone()
    {
        Tensor a = Tensor.Rand([3, 4], 40, 0.05, 0.95, DType.Float64), b = Tensor.Rand([3, 4], 41, dtype: DType.Float64);
        var losses = new (string Name, Func<Reduction, Tensor> Loss)[]
        {
            ("Mse", r => Loss.Mse(a, b, r)),
            ("L1", r => Loss.L1(a, b, r)),
            ("Huber", r => Loss.Huber(a * 4, b, 0.5, r)),
            ("BinaryCrossEntropy", r => Loss.BinaryCrossEntropy(a, b, r)),
            ("BinaryCrossEntropyWithLogits", r => Loss.BinaryCrossEntropyWithLogits(a * 5 - 2, b, r)),
        };
        foreach (var (name, loss) in losses)
        {
            Tensor each = loss(Reduction.None);
            Assert.That(each.Shape, Is.EqualTo(new[] { 3, 4 }), name);
            double sum = each.ToArray<double>().Sum();
            Assert.That(loss(Reduction.Sum).Item(), Is.EqualTo(sum).Within(1e-13), name);
            Assert.That(loss(Reduction.Mean).Item(), Is.EqualTo(sum / 12).Within(1e-14), name);
        }
    }

    [Test]
    public void EmptyMean_IsNaN_AsPyTorch()
    {
        Tensor empty = Tensor.Zeros([0, 2]);
        Assert.That(Loss.L1(empty, empty).Item(), Is.NaN);
        Assert.That(Loss.Huber(empty, empty).Item(), Is.NaN);
        Assert.That(Loss.Mse(empty, empty).Item(), Is.NaN);
        Assert.That(Loss.BinaryCrossEntropy(empty, empty, Reduction.Sum).Item(), Is.Zero);
        Assert.That(Loss.BinaryCrossEntropyWithLogits(empty, empty, Reduction.None).Shape, Is.EqualTo(new[] { 0, 2 }));
    }

    [Test]
    public void L1_AtEqualValues_HasAZeroGradient_AsPyTorch()
    {
        Tensor p = Inputs.Of([1, 2, 3], 3);
        Tensor t = Inputs.Of([1, 0, 5], 3);
        Loss.L1(p, t, Reduction.Sum).Backward();
        GradAssert.Values(p.Grad!, [0, 1, -1], 0);
        GradAssert.Values(t.Grad!, [0, -1, 1], 0);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Huber_AtTheKinks_FollowsPyTorch(bool createGraph)
    {
        // d = −δ, δ, 0, 2δ, −δ/2 with δ = 1.5: dL/dd = clamp(d, −δ, δ); d²L/dd² = 1 only where |d| < δ strictly.
        Tensor p = Inputs.Of([-1.5, 1.5, 0, 3, -0.75], 5);
        Tensor loss = Loss.Huber(p, Tensor.Zeros([5], DType.Float64), 1.5, Reduction.Sum);
        Assert.That(loss.Item(), Is.EqualTo(1.125 + 1.125 + 0 + (1.5 * 2.25) + 0.28125).Within(1e-15));
        Tensor grad = Tape.Grad(loss, [p], createGraph: true)[0]!;
        GradAssert.Values(grad, [-1.5, 1.5, 0, 1.5, -0.75], 0);
        Tensor second = Tape.Grad(grad.Sum(), [p], createGraph: createGraph)[0]!;
        GradAssert.Values(second, [0, 0, 1, 0, 1], 0);
    }

    [Test]
    public void Huber_WithADeltaOf1_IsSmoothL1()
    {
        Tensor p = Tensor.Randn([8], 42, DType.Float64) * 2, t = Tensor.Randn([8], 43, DType.Float64);
        double[] d = (p - t).ToArray<double>();
        double expected = d.Select(x => Math.Abs(x) < 1 ? 0.5 * x * x : Math.Abs(x) - 0.5).Average();
        Assert.That(Loss.Huber(p, t).Item(), Is.EqualTo(expected).Within(1e-15));
    }

    [Test]
    public void Errors_NameTheOpAndTheShapes()
    {
        Tensor a = Tensor.Zeros([2, 3]), b = Tensor.Zeros([3, 2]);
        Assert.That(() => Loss.L1(a, b), Throws.InstanceOf<ArgumentException>().With.Message.Contains("L1: prediction [2,3] and target [3,2]"));
        Assert.That(() => Loss.Huber(a, b), Throws.InstanceOf<ArgumentException>().With.Message.Contains("Huber: prediction [2,3] and target [3,2]"));
        Assert.That(() => Loss.Huber(a, a, 0), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Huber: delta must be positive"));
        Assert.That(() => Loss.Huber(a, a, double.NaN), Throws.InstanceOf<ArgumentOutOfRangeException>());
        foreach (Func<Tensor> bad in new Func<Tensor>[]
        {
            () => Loss.Mse(a, a, (Reduction)3), () => Loss.L1(a, a, (Reduction)3), () => Loss.Huber(a, a, 1, (Reduction)3),
            () => Loss.BinaryCrossEntropy(a, a, (Reduction)3), () => Loss.BinaryCrossEntropyWithLogits(a, a, (Reduction)3),
        })
        {
            Assert.That(() => bad(), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("reduction must be"));
        }
    }
}

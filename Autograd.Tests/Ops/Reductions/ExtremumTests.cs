using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Reductions;

/// <summary>
/// Max() and Min() over every element (the gradient shared evenly among ties, as PyTorch's max()), and Min(axis), which
/// is Max(axis) with the order reversed (the gradient to the first arg-min).
/// </summary>
public class ExtremumTests
{
    private static IEnumerable<TestCaseData> AllShapes()
    {
        int[][] shapes = [[], [1], [6], [3, 4], [2, 3, 2]];
        foreach (int[] shape in shapes)
        {
            foreach (bool minimum in new[] { false, true })
            {
                yield return new TestCaseData(shape, minimum).SetName($"{(minimum ? "Min" : "Max")}All_[{string.Join("x", shape)}]");
            }
        }
    }

    private static IEnumerable<TestCaseData> AxisCases()
    {
        int[][] shapes = [[6], [3, 4], [2, 3, 4], [4, 1], [1, 5]];
        foreach (int[] shape in shapes)
        {
            for (int axis = -shape.Length; axis < shape.Length; axis++)
            {
                foreach (bool keepDim in new[] { false, true })
                {
                    yield return new TestCaseData(shape, axis, keepDim)
                        .SetName($"Min_[{string.Join("x", shape)}]_axis{axis}_keepDim{keepDim}");
                }
            }
        }
    }

    // Normal samples are distinct with probability 1 and far apart compared with eps = 1e-6.
    [TestCaseSource(nameof(AllShapes))]
    public void All_GradCheck(int[] shape, bool minimum) =>
        GradAssert.Float32MatchesFloat64(v => minimum ? v[0].Min() : v[0].Max(), [Inputs.Normal(81, shape)]);

    [TestCaseSource(nameof(AxisCases))]
    public void MinAxis_GradCheck(int[] shape, int axis, bool keepDim) =>
        GradAssert.Float32MatchesFloat64(v => v[0].Min(axis, keepDim), [Inputs.Normal(82, shape)]);

    [Test]
    public void All_Values()
    {
        Tensor x = Inputs.Of([3, -1, 7, 2, -5, 4], 2, 3);
        Assert.That(x.Max().Shape, Is.Empty);
        Assert.That(x.Max().Item(), Is.EqualTo(7));
        Assert.That(x.Min().Item(), Is.EqualTo(-5));
        Assert.That(Tensor.Scalar(2.5, DType.Float64).Max().Item(), Is.EqualTo(2.5));
        Assert.That(Inputs.Of([double.NegativeInfinity, double.NegativeInfinity], 2).Max().Item(), Is.EqualTo(double.NegativeInfinity));
    }

    [Test]
    public void All_DistinctValues_GradientGoesToTheOneExtremum()
    {
        Tensor x = Inputs.Of([3, -1, 7, 2, -5, 4], 2, 3);
        x.Max().Backward(Tensor.Scalar(2, DType.Float64));
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 0.0, 0, 2, 0, 0, 0 }));
        x.ZeroGrad();
        x.Min().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 0.0, 0, 0, 0, 1, 0 }));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void All_Ties_ShareTheGradientEvenly(bool createGraph)
    {
        // Three maxima of 3 and two minima of 0: as torch.max() / torch.min() (evenly_distribute_backward).
        Tensor x = Inputs.Of([1, 3, 3, 0, 0, 3], 2, 3);
        Tensor g = Tensor.Scalar(6, DType.Float64);
        g.RequiresGrad = createGraph;
        Tensor dMax = Tape.Grad(x.Max(), [x], g, createGraph: createGraph)[0]!;
        Assert.That(dMax.ToArray<double>(), Is.EqualTo(new[] { 0.0, 2, 2, 0, 0, 2 }));
        Tensor dMin = Tape.Grad(x.Min(), [x], g, createGraph: createGraph)[0]!;
        Assert.That(dMin.ToArray<double>(), Is.EqualTo(new[] { 0.0, 0, 0, 3, 3, 0 }));
        Assert.That(dMin.RequiresGrad, Is.EqualTo(createGraph));
    }

    [Test]
    public void All_Ties_SecondOrder_GradientIsLinearInTheUpstreamGradient()
    {
        // d/dg of the VJP is the tie mask / count; its derivative with respect to x is zero.
        Tensor x = Inputs.Of([1, 3, 3], 3);
        Tensor g = Tensor.Scalar(1, DType.Float64);
        g.RequiresGrad = true;
        Tensor dx = Tape.Grad(x.Max(), [x], g, createGraph: true)[0]!;
        Tensor?[] second = Tape.Grad((dx * Tensor.FromArray(new[] { 10.0, 20, 40 }, 3)).Sum(), [x, g], allowUnused: true);
        Assert.That(second[1]!.Item(), Is.EqualTo(30).Within(1e-12), "(20 + 40) / 2");
        Assert.That(second[0] is null || second[0]!.ToArray<double>().All(v => v == 0), Is.True);
    }

    [Test]
    public void All_NaN_IsTheExtremum_AndTheNaNsShareTheGradient()
    {
        Tensor x = Inputs.Of([1, double.NaN, 5, double.NaN], 4);
        Assert.That(x.Max().Item(), Is.NaN);
        Assert.That(x.Min().Item(), Is.NaN);
        x.Max().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 0.0, 0.5, 0, 0.5 }));
    }

    [Test]
    public void All_FanOut_And_Float32() =>
        GradAssert.Float32MatchesFloat64(v => (v[0].Max() * v[0].Min()) + v[0].Max(), [Inputs.Normal(83, 3, 3)]);

    [TestCase(new[] { 0 })]
    [TestCase(new[] { 2, 0 })]
    public void All_Empty_Throws_NamingTheOpAndTheShape(int[] shape)
    {
        Tensor x = Tensor.Zeros(shape, DType.Float64);
        var ex = Assert.Throws<ArgumentException>(() => x.Max());
        Assert.That(ex!.Message, Does.Contain($"Max: [{string.Join(",", shape)}] has no elements"));
        ex = Assert.Throws<ArgumentException>(() => x.Min());
        Assert.That(ex!.Message, Does.Contain("Min: [").And.Contain("has no elements"));
    }

    [Test]
    public void MinAxis_Values_AndGradientGoesToTheArgMin()
    {
        Tensor x = Inputs.Of([1, 5, 3, 9, 2, 4], 2, 3);
        Tensor rows = x.Min(1);
        GradAssert.Values(rows, [1, 2]);
        rows.Backward(Tensor.FromArray(new[] { 10.0, 20.0 }, 2));
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 10.0, 0, 0, 0, 20, 0 }));

        x.ZeroGrad();
        Tensor columns = x.Min(-2, keepDim: true);
        Assert.That(columns.Shape, Is.EqualTo(new[] { 1, 3 }));
        GradAssert.Values(columns, [1, 2, 3]);
        columns.Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 1.0, 0, 1, 0, 1, 0 }));
    }

    [Test]
    public void MinAxis_Ties_GoToTheFirstIndex_AsArgMin()
    {
        Tensor x = Inputs.Of([2, 1, 1, 7, 7, 7], 2, 3);
        x.Min(1).Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 0.0, 1, 0, 1, 0, 0 }));
        Assert.That(x.ArgMin(1).ToArray<long>(), Is.EqualTo(new long[] { 1, 0 }));
    }

    [Test]
    public void MinAxis_StridedAxis_NaNWinsAtItsFirstOccurrence()
    {
        // Columns: {4, NaN, NaN}, {1, 0, 0}.
        Tensor x = Tensor.FromArray(new float[] { 4, 1, float.NaN, 0, float.NaN, 0 }, 3, 2);
        Tensor min = x.Min(0);
        Assert.That(min.ToArray<float>()[0], Is.NaN);
        Assert.That(min.ToArray<float>()[1], Is.EqualTo(0f));
        Assert.That(x.ArgMin(0).ToArray<long>(), Is.EqualTo(new long[] { 1, 1 }));
    }

    [Test]
    public void MinAxis_SecondOrder_OfAComposite() =>
        GradAssert.GradCheck(v => (v[0].Min(1) * v[0].Max(1)).Sum() + v[0].Min(0).Exp().Sum(), [Inputs.Normal(84, 3, 4)]);

    [Test]
    public void MinAxis_ZeroSizeOtherAxis_GivesAnEmptyOutput()
    {
        Tensor x = Tensor.Zeros([0, 3], DType.Float64);
        x.RequiresGrad = true;
        Tensor y = x.Min(1);
        Assert.That(y.Shape, Is.EqualTo(new[] { 0 }));
        y.Sum().Backward();
        Assert.That(x.Grad!.Shape, Is.EqualTo(new[] { 0, 3 }));
    }

    [Test]
    public void MinAxis_EmptyAxis_Throws_NamingTheAxis()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros([2, 0], DType.Float64).Min(1));
        Assert.That(ex!.Message, Does.Contain("Min: axis 1 of [2,0] is empty; a minimum needs one element"));
        ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros([2, 0], DType.Float64).Max(-1));
        Assert.That(ex!.Message, Does.Contain("Max: axis -1 of [2,0] is empty; a maximum needs one element"));
    }

    [Test]
    public void MinAxis_BadAxis_Throws_NamingTheAxisAndTheRank()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Inputs.Normal(85, 2, 3).Min(2));
        Assert.That(ex!.Message, Does.Contain("Min: axis 2 is out of range for a tensor of rank 2"));
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => Inputs.Normal(85, 2, 3).Min(-3, keepDim: true));
        Assert.That(ex!.Message, Does.Contain("Min: axis -3 is out of range for a tensor of rank 2"));
    }

    [Test]
    public void DataOnlyTensors_Throw_NamingTheOpAndTheDType()
    {
        Tensor labels = Tensor.FromArray(new long[] { 1, 2 }, 2);
        Assert.That(Assert.Throws<ArgumentException>(() => labels.Max())!.Message, Does.Contain("Max").And.Contain("Int64"));
        Assert.That(Assert.Throws<ArgumentException>(() => labels.Min(0))!.Message, Does.Contain("Min").And.Contain("Int64"));
    }

    [Test]
    public void InPlaceChangeOfTheInput_BeforeBackward_Throws()
    {
        Tensor x = Inputs.Normal(86, 4);
        Tensor h = x * 1.0;
        Tensor y = h.Max();
        using (Tape.NoGrad())
        {
            h.Fill(0);
        }

        var ex = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.That(ex!.Message, Does.Contain("Max"));
    }
}

using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Reductions;

/// <summary>ArgMax and ArgMin: Int64 indices, the first one on ties, NaN as the extremum, no tape entry ever.</summary>
public class ArgMaxTests
{
    private static IEnumerable<TestCaseData> Layouts()
    {
        int[][] shapes = [[7], [3, 4], [2, 3, 4], [4, 1], [1, 5], [2, 5, 3]];
        foreach (int[] shape in shapes)
        {
            for (int axis = -shape.Length; axis < shape.Length; axis++)
            {
                foreach (bool keepDim in new[] { false, true })
                {
                    yield return new TestCaseData(shape, axis, keepDim)
                        .SetName($"ArgMaxArgMin_[{string.Join("x", shape)}]_axis{axis}_keepDim{keepDim}");
                }
            }
        }
    }

    [TestCaseSource(nameof(Layouts))]
    public void MatchesANaiveLoop_WithTies(int[] shape, int axis, bool keepDim)
    {
        // Rounded to one decimal so that ties actually occur.
        double[] values = Tensor.Randn(shape, 91, DType.Float64).ToArray<double>().Select(v => Math.Round(v, 1)).ToArray();
        foreach (DType dtype in new[] { DType.Float32, DType.Float64 })
        {
            Tensor x = Tensor.FromArray(values, shape).To(dtype);
            foreach (bool minimum in new[] { false, true })
            {
                Tensor found = minimum ? x.ArgMin(axis, keepDim) : x.ArgMax(axis, keepDim);
                Assert.That(found.DType, Is.EqualTo(DType.Int64));
                int resolved = axis < 0 ? axis + shape.Length : axis;
                int[] expectedShape = keepDim
                    ? shape.Select((d, i) => i == resolved ? 1 : d).ToArray()
                    : shape.Where((_, i) => i != resolved).ToArray();
                Assert.That(found.Shape, Is.EqualTo(expectedShape));
                Assert.That(found.ToArray<long>(), Is.EqualTo(Naive(values, shape, resolved, minimum)), $"{dtype}, minimum {minimum}");
            }
        }
    }

    [Test]
    public void Ties_GiveTheFirstIndex()
    {
        Tensor x = Tensor.FromArray(new[] { 1.0, 3, 3, 0, 0, 2 }, 2, 3);
        Assert.That(x.ArgMax(1).ToArray<long>(), Is.EqualTo(new long[] { 1, 2 }));
        Assert.That(x.ArgMin(1).ToArray<long>(), Is.EqualTo(new long[] { 0, 0 }));
        Assert.That(Tensor.FromArray(new[] { 5.0, 5, 5 }, 3).ArgMax(0).ToArray<long>(), Is.EqualTo(new long[] { 0 }));
    }

    [Test]
    public void NaN_CountsAsTheExtremum_AtItsFirstOccurrence()
    {
        Tensor x = Tensor.FromArray(new[] { 1.0, double.NaN, 3, double.NaN, double.PositiveInfinity, double.NegativeInfinity }, 6);
        Assert.That(x.ArgMax(0).Item(), Is.EqualTo(1));
        Assert.That(x.ArgMin(0).Item(), Is.EqualTo(1));
        Tensor infinities = Tensor.FromArray(new[] { 1.0, double.PositiveInfinity, double.NegativeInfinity }, 3);
        Assert.That(infinities.ArgMax(0).Item(), Is.EqualTo(1));
        Assert.That(infinities.ArgMin(0).Item(), Is.EqualTo(2));
    }

    [Test]
    public void SignedZeros_AreEqual_SoTheFirstWins()
    {
        Tensor x = Tensor.FromArray(new[] { -0.0, 0.0 }, 2);
        Assert.That(x.ArgMax(0).Item(), Is.EqualTo(0));
        Assert.That(x.ArgMin(0).Item(), Is.EqualTo(0));
    }

    [Test]
    public void Int64Input_IsAccepted()
    {
        Tensor labels = Tensor.FromArray(new long[] { 4, 9, 9, -2, 7, -2 }, 2, 3);
        Assert.That(labels.ArgMax(1).ToArray<long>(), Is.EqualTo(new long[] { 1, 1 }));
        Assert.That(labels.ArgMin(1).ToArray<long>(), Is.EqualTo(new long[] { 0, 0 }));
        Assert.That(labels.ArgMin(0, keepDim: true).ToArray<long>(), Is.EqualTo(new long[] { 1, 1, 1 }));
        Assert.That(labels.ArgMax(0).ToArray<long>(), Is.EqualTo(new long[] { 0, 0, 0 }));
    }

    [Test]
    public void BoolInput_Throws_NamingTheOpAndTheDType()
    {
        Tensor mask = Tensor.FromArray(new[] { true, false }, 2);
        var ex = Assert.Throws<ArgumentException>(() => mask.ArgMax(0));
        Assert.That(ex!.Message, Does.Contain("ArgMax").And.Contain("Bool"));
        ex = Assert.Throws<ArgumentException>(() => mask.ArgMin(0));
        Assert.That(ex!.Message, Does.Contain("ArgMin").And.Contain("Bool"));
    }

    [Test]
    public void NeverRecords_EvenWhenTheInputRequiresAGradient()
    {
        Tensor x = Inputs.Normal(92, 3, 4);
        Tensor found = x.ArgMax(1);
        Assert.That(found.RequiresGrad, Is.False);
        Assert.That(found.IsLeaf, Is.True);
        Assert.That(x.ArgMin(0, keepDim: true).IsLeaf, Is.True);
    }

    [Test]
    public void AgreesWithWhereMaxAndMinSendTheirGradient()
    {
        Tensor x = Inputs.Of([1, 4, 4, 2, 8, 0, 0, 3, 5, 5, 1, 9], 3, 4);
        x.Max(1).Sum().Backward();
        double[] maxGrad = GradAssert.GradOf(x);
        long[] argMax = x.ArgMax(1).ToArray<long>();
        x.ZeroGrad();
        x.Min(1).Sum().Backward();
        double[] minGrad = GradAssert.GradOf(x);
        long[] argMin = x.ArgMin(1).ToArray<long>();
        for (int row = 0; row < 3; row++)
        {
            for (int j = 0; j < 4; j++)
            {
                Assert.That(maxGrad[(row * 4) + j], Is.EqualTo(j == argMax[row] ? 1 : 0), $"max [{row},{j}]");
                Assert.That(minGrad[(row * 4) + j], Is.EqualTo(j == argMin[row] ? 1 : 0), $"min [{row},{j}]");
            }
        }
    }

    [Test]
    public void ZeroSizeOtherAxis_GivesAnEmptyInt64Tensor()
    {
        Tensor found = Tensor.Zeros([0, 3], DType.Float32).ArgMax(1, keepDim: true);
        Assert.That(found.Shape, Is.EqualTo(new[] { 0, 1 }));
        Assert.That(found.DType, Is.EqualTo(DType.Int64));
    }

    [Test]
    public void EmptyAxis_Throws_NamingTheAxis()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros([3, 0], DType.Float32).ArgMax(1));
        Assert.That(ex!.Message, Does.Contain("ArgMax: axis 1 of [3,0] is empty"));
        ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros([0, 2], DType.Float32).ArgMin(-2));
        Assert.That(ex!.Message, Does.Contain("ArgMin: axis -2 of [0,2] is empty"));
    }

    [Test]
    public void BadAxis_Throws_NamingTheAxisAndTheRank()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros([2, 3], DType.Float32).ArgMax(2));
        Assert.That(ex!.Message, Does.Contain("ArgMax: axis 2 is out of range for a tensor of rank 2"));
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros([2, 3], DType.Float32).ArgMin(-3));
        Assert.That(ex!.Message, Does.Contain("ArgMin: axis -3 is out of range for a tensor of rank 2"));
    }

    private static long[] Naive(double[] x, int[] shape, int axis, bool minimum)
    {
        int outer = shape.Take(axis).Aggregate(1, (a, b) => a * b);
        int length = shape[axis];
        int inner = shape.Skip(axis + 1).Aggregate(1, (a, b) => a * b);
        long[] result = new long[outer * inner];
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int best = 0;
                for (int j = 1; j < length; j++)
                {
                    double value = x[(((o * length) + j) * inner) + i];
                    double current = x[(((o * length) + best) * inner) + i];
                    if (minimum ? value < current : value > current)
                    {
                        best = j;
                    }
                }

                result[(o * inner) + i] = best;
            }
        }

        return result;
    }
}

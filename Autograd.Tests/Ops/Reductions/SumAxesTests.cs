using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Reductions;

/// <summary>Sum(int[] axes) and Mean(int[] axes): several axes, negative axes, keepDim, an empty list, zero sizes, errors.</summary>
public class SumAxesTests
{
    private static IEnumerable<TestCaseData> AxesCases()
    {
        (int[] Shape, int[][] AxesSets)[] cases =
        [
            ([2, 3, 4], [[0, 2], [-1, 0], [1, 2], [0, 1], [0, 1, 2], [], [1], [-3, -1]]),
            ([3, 1, 2], [[0, 1], [1, 2], [-1, -3]]),
            ([2, 3, 2, 2], [[0, 2], [1, 3], [0, 1, 3], [3, 1]]),
            ([5], [[0], [-1], []]),
        ];
        foreach (var (shape, axesSets) in cases)
        {
            foreach (int[] axes in axesSets)
            {
                foreach (bool keepDim in new[] { false, true })
                {
                    foreach (bool mean in new[] { false, true })
                    {
                        yield return new TestCaseData(shape, axes, keepDim, mean)
                            .SetName($"{(mean ? "Mean" : "Sum")}_[{string.Join("x", shape)}]_axes[{string.Join(",", axes)}]_keepDim{keepDim}");
                    }
                }
            }
        }
    }

    [TestCaseSource(nameof(AxesCases))]
    public void GradCheck(int[] shape, int[] axes, bool keepDim, bool mean) =>
        GradAssert.Float32MatchesFloat64(
            v => mean ? v[0].Mean(axes, keepDim) : v[0].Sum(axes, keepDim), [Inputs.Normal(71, shape)]);

    [TestCaseSource(nameof(AxesCases))]
    public void Values_MatchNaiveLoops(int[] shape, int[] axes, bool keepDim, bool mean)
    {
        Tensor x = Inputs.Normal(72, shape);
        Tensor y = mean ? x.Mean(axes, keepDim) : x.Sum(axes, keepDim);
        (double[] expected, int[] expectedShape) = Naive(x.ToArray<double>(), shape, axes, keepDim, mean);
        Assert.That(y.Shape, Is.EqualTo(expectedShape));
        GradAssert.Values(y, expected, tolerance: 1e-12);
    }

    [Test]
    public void Values_Rank3_TwoOuterAxes()
    {
        // x[i,j,k] = 100i + 10j + k over [2,3,2]: summing i and k gives Σ = 2·(2·10j) + 2·100 + 2·1 = 40j + 202.
        double[] data = new double[12];
        for (int i = 0; i < 2; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                for (int k = 0; k < 2; k++)
                {
                    data[(i * 6) + (j * 2) + k] = (100 * i) + (10 * j) + k;
                }
            }
        }

        Tensor x = Tensor.FromArray(data, 2, 3, 2);
        Tensor sum = x.Sum([0, 2]);
        Assert.That(sum.Shape, Is.EqualTo(new[] { 3 }));
        GradAssert.Values(sum, [202, 242, 282]);
        Tensor mean = x.Mean([-1, 0], keepDim: true);
        Assert.That(mean.Shape, Is.EqualTo(new[] { 1, 3, 1 }));
        GradAssert.Values(mean, [50.5, 60.5, 70.5]);
    }

    [Test]
    public void EmptyAxes_ReduceEverything_AsPyTorch113()
    {
        Tensor x = Inputs.Normal(73, 2, 3);
        Assert.That(x.Sum([]).Shape, Is.Empty);
        Assert.That(x.Sum([]).Item(), Is.EqualTo(x.Sum().Item()));
        Assert.That(x.Mean([]).Item(), Is.EqualTo(x.Mean().Item()));
        Tensor kept = x.Sum([], keepDim: true);
        Assert.That(kept.Shape, Is.EqualTo(new[] { 1, 1 }));
        Assert.That(kept.Item(), Is.EqualTo(x.Sum().Item()));
    }

    [Test]
    public void OneAxis_GivesTheSameBitsAsSumOfThatAxis()
    {
        Tensor x = Inputs.Normal(74, 3, 5, 4);
        Assert.That(x.Sum([1]).ToArray<double>(), Is.EqualTo(x.Sum(1).ToArray<double>()));
        Assert.That(x.Mean([-1], keepDim: true).ToArray<double>(), Is.EqualTo(x.Mean(-1, keepDim: true).ToArray<double>()));
    }

    [Test]
    public void Gradient_IsOneOverTheReducedCount_ForMean()
    {
        Tensor x = Inputs.Normal(75, 2, 3, 4);
        x.Mean([0, 2]).Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Has.All.EqualTo(1.0 / 8));
    }

    [Test]
    public void OutputIsNewStorage_WhenTheReducedAxesHaveSizeOne()
    {
        Tensor x = Tensor.FromArray(new[] { 1.0, 2, 3 }, 1, 3, 1);
        Tensor y = x.Sum([0, 2]);
        GradAssert.Values(y, [1, 2, 3]);
        y.Fill(0);
        GradAssert.Values(x, [1, 2, 3]);
    }

    [Test]
    public void FanOut_TwoReductionsOfOneInput() =>
        GradAssert.GradCheck(v => (v[0].Sum([0, 2]) * v[0].Mean([0, 2])).Sum() + v[0].Sum([1, 2]).Sum(), [Inputs.Normal(76, 2, 3, 2)]);

    [TestCase(new[] { 0, 3 }, new[] { 0 }, new[] { 3 }, 0.0)]
    [TestCase(new[] { 2, 0, 3 }, new[] { 0, 2 }, new[] { 0 }, 0.0)]
    [TestCase(new[] { 2, 0, 3 }, new[] { 1 }, new[] { 2, 3 }, 0.0)]
    [TestCase(new[] { 2, 0, 3 }, new[] { 0, 1 }, new[] { 3 }, 0.0)]
    [TestCase(new[] { 0, 3 }, new int[0], new int[0], 0.0)]
    public void ZeroSize_SumIsZero_MeanIsNaN(int[] shape, int[] axes, int[] expectedShape, double sumValue)
    {
        foreach (DType dtype in new[] { DType.Float32, DType.Float64 })
        {
            Tensor x = Tensor.Zeros(shape, dtype);
            x.RequiresGrad = true;
            Tensor sum = x.Sum(axes);
            Tensor mean = x.Mean(axes);
            Assert.That(sum.Shape, Is.EqualTo(expectedShape));
            Assert.That(mean.Shape, Is.EqualTo(expectedShape));
            Assert.That(sum.ToArray<double>(), Has.All.EqualTo(sumValue));
            bool meanOfNothing = axes.Length == 0 || axes.Any(a => shape[a] == 0);
            Assert.That(mean.ToArray<double>(), meanOfNothing ? Has.All.NaN : Has.None.NaN);
            (sum.Sum() + mean.Sum()).Backward();
            Assert.That(x.Grad!.Shape, Is.EqualTo(shape));
        }
    }

    [Test]
    public void ZeroSize_GradCheck() =>
        GradAssert.GradCheck(v => v[0].Sum([0, 2], keepDim: true), [Tensor.Zeros([2, 0, 3], DType.Float64)]);

    [Test]
    public void DuplicateAxis_Throws_NamingTheAxisAndTheRank()
    {
        Tensor x = Inputs.Normal(77, 2, 3, 4);
        var ex = Assert.Throws<ArgumentException>(() => x.Sum([0, 0]));
        Assert.That(ex!.Message, Does.Contain("Sum: axis 0 appears more than once in axes [0,0]").And.Contain("rank 3"));
        ex = Assert.Throws<ArgumentException>(() => x.Mean([2, -1], keepDim: true));
        Assert.That(ex!.Message, Does.Contain("Mean: axis 2 appears more than once in axes [2,-1]").And.Contain("[2,3,4]"));
    }

    [Test]
    public void AxisOutOfRange_Throws_NamingTheAxisAndTheRank()
    {
        Tensor x = Inputs.Normal(78, 2, 3);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => x.Sum([0, 2]));
        Assert.That(ex!.Message, Does.Contain("Sum: axis 2 is out of range for a tensor of rank 2"));
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => x.Mean([-3]));
        Assert.That(ex!.Message, Does.Contain("Mean: axis -3 is out of range for a tensor of rank 2"));
    }

    [Test]
    public void NullAxesOrDataOnlyTensor_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => Inputs.Normal(79, 2).Sum((int[])null!));
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros([2, 2], DType.Int64).Sum([0, 1]));
        Assert.That(ex!.Message, Does.Contain("Sum").And.Contain("Int64"));
    }

    /// <summary>Sums by visiting every element and adding it to the output element it reduces into.</summary>
    private static (double[] Values, int[] Shape) Naive(double[] x, int[] shape, int[] axes, bool keepDim, bool mean)
    {
        int rank = shape.Length;
        bool[] reduced = new bool[rank];
        foreach (int a in axes)
        {
            reduced[a < 0 ? a + rank : a] = true;
        }

        if (axes.Length == 0)
        {
            Array.Fill(reduced, true);
        }

        int[] kept = shape.Select((d, i) => reduced[i] ? 1 : d).ToArray();
        double[] output = new double[kept.Aggregate(1, (a, b) => a * b)];
        int[] index = new int[rank];
        for (int flat = 0; flat < x.Length; flat++)
        {
            int rest = flat;
            for (int d = rank - 1; d >= 0; d--)
            {
                index[d] = rest % shape[d];
                rest /= shape[d];
            }

            int target = 0;
            for (int d = 0; d < rank; d++)
            {
                target = (target * kept[d]) + (reduced[d] ? 0 : index[d]);
            }

            output[target] += x[flat];
        }

        int count = shape.Where((_, i) => reduced[i]).Aggregate(1, (a, b) => a * b);
        if (mean)
        {
            output = output.Select(v => v / count).ToArray();
        }

        return (output, keepDim ? kept : shape.Where((_, i) => !reduced[i]).ToArray());
    }
}

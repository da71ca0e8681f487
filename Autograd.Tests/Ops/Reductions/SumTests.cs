using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Reductions;

/// <summary>Sum and Mean: over everything, or over one axis (negative axes, keepDim).</summary>
public class SumTests
{
    private static IEnumerable<TestCaseData> AxisCases()
    {
        int[][] shapes = [[5], [3, 4], [2, 3, 4], [3, 1, 2]];
        foreach (int[] shape in shapes)
        {
            for (int axis = -shape.Length; axis < shape.Length; axis++)
            {
                foreach (bool keepDim in new[] { false, true })
                {
                    foreach (bool mean in new[] { false, true })
                    {
                        yield return new TestCaseData(shape, axis, keepDim, mean)
                            .SetName($"{(mean ? "Mean" : "Sum")}_[{string.Join("x", shape)}]_axis{axis}_keepDim{keepDim}");
                    }
                }
            }
        }
    }

    [TestCaseSource(nameof(AxisCases))]
    public void Axis_GradCheck(int[] shape, int axis, bool keepDim, bool mean) =>
        GradAssert.Float32MatchesFloat64(
            v => mean ? v[0].Mean(axis, keepDim) : v[0].Sum(axis, keepDim), [Inputs.Normal(51, shape)]);

    [TestCase(new int[0])]
    [TestCase(new[] { 7 })]
    [TestCase(new[] { 3, 4 })]
    [TestCase(new[] { 2, 1, 3 })]
    public void All_GradCheck(int[] shape)
    {
        GradAssert.Float32MatchesFloat64(v => v[0].Sum(), [Inputs.Normal(52, shape)]);
        GradAssert.Float32MatchesFloat64(v => v[0].Mean(), [Inputs.Normal(53, shape)]);
    }

    [Test]
    public void Values_AndShapes()
    {
        Tensor x = Tensor.FromArray(new[] { 1.0, 2, 3, 4, 5, 6 }, 2, 3);
        Assert.That(x.Sum().Shape, Is.Empty);
        Assert.That(x.Sum().Item(), Is.EqualTo(21));
        Assert.That(x.Mean().Item(), Is.EqualTo(3.5));

        Tensor rows = x.Sum(1);
        Assert.That(rows.Shape, Is.EqualTo(new[] { 2 }));
        GradAssert.Values(rows, [6, 15]);

        Tensor columnsKept = x.Sum(0, keepDim: true);
        Assert.That(columnsKept.Shape, Is.EqualTo(new[] { 1, 3 }));
        GradAssert.Values(columnsKept, [5, 7, 9]);

        Tensor lastAxis = x.Mean(-1, keepDim: true);
        Assert.That(lastAxis.Shape, Is.EqualTo(new[] { 2, 1 }));
        GradAssert.Values(lastAxis, [2, 5]);
        GradAssert.Values(x.Mean(-2), [2.5, 3.5, 4.5]);
    }

    [Test]
    public void Rank3_MiddleAxis_Values()
    {
        // x[i,j,k] = 100i + 10j + k over [2,3,2]: summing j gives 300i + 30 + 3k.
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

        Tensor sum = Tensor.FromArray(data, 2, 3, 2).Sum(1);
        Assert.That(sum.Shape, Is.EqualTo(new[] { 2, 2 }));
        GradAssert.Values(sum, [30, 33, 330, 333]);
    }

    [Test]
    public void Mean_Gradient_IsOneOverN()
    {
        Tensor x = Inputs.Normal(54, 2, 4);
        x.Mean(1).Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Has.All.EqualTo(0.25));
        x.ZeroGrad();
        x.Mean().Backward();
        Assert.That(GradAssert.GradOf(x), Has.All.EqualTo(0.125));
    }
}

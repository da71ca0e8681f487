using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Reductions;

public class MaxTests
{
    private static IEnumerable<TestCaseData> AxisCases()
    {
        int[][] shapes = [[6], [3, 4], [2, 3, 4], [4, 1]];
        foreach (int[] shape in shapes)
        {
            for (int axis = -shape.Length; axis < shape.Length; axis++)
            {
                foreach (bool keepDim in new[] { false, true })
                {
                    yield return new TestCaseData(shape, axis, keepDim)
                        .SetName($"Max_[{string.Join("x", shape)}]_axis{axis}_keepDim{keepDim}");
                }
            }
        }
    }

    // Normal samples are distinct with probability 1 and far apart compared with eps = 1e-6.
    [TestCaseSource(nameof(AxisCases))]
    public void GradCheck(int[] shape, int axis, bool keepDim) =>
        GradAssert.Float32MatchesFloat64(v => v[0].Max(axis, keepDim), [Inputs.Normal(61, shape)]);

    [Test]
    public void Values_AndGradientGoesToTheArgMax()
    {
        Tensor x = Inputs.Of([1, 5, 3, 9, 2, 4], 2, 3);
        Tensor rows = x.Max(1);
        GradAssert.Values(rows, [5, 9]);
        rows.Backward(Tensor.FromArray(new[] { 10.0, 20.0 }, 2));
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 0.0, 10, 0, 20, 0, 0 }));

        x.ZeroGrad();
        Tensor columns = x.Max(0, keepDim: true);
        Assert.That(columns.Shape, Is.EqualTo(new[] { 1, 3 }));
        GradAssert.Values(columns, [9, 5, 4]);
        columns.Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 0.0, 1, 0, 1, 0, 1 }));
    }

    [Test]
    public void Ties_SendTheWholeGradientToOneElement()
    {
        Tensor x = Inputs.Of([2, 7, 7, 1], 4);
        x.Max(0).Backward();
        double[] grad = GradAssert.GradOf(x);
        Assert.That(grad.Sum(), Is.EqualTo(1));
        Assert.That(grad[1] + grad[2], Is.EqualTo(1));
    }
}

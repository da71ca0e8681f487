using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Reductions;

/// <summary>LogSumExp along an axis: stable values, PyTorch's infinities, softmax as its gradient, second derivatives.</summary>
public class LogSumExpTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        int[][] shapes = [[6], [3, 4], [2, 3, 4], [4, 1], [1, 3]];
        foreach (int[] shape in shapes)
        {
            for (int axis = -shape.Length; axis < shape.Length; axis++)
            {
                foreach (bool keepDim in new[] { false, true })
                {
                    yield return new TestCaseData(shape, axis, keepDim)
                        .SetName($"LogSumExp_[{string.Join("x", shape)}]_axis{axis}_keepDim{keepDim}");
                }
            }
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void GradCheck(int[] shape, int axis, bool keepDim) =>
        GradAssert.Float32MatchesFloat64(v => v[0].LogSumExp(axis, keepDim), [Inputs.Normal(111, shape)]);

    [TestCaseSource(nameof(Cases))]
    public void Values_MatchTheDefinition_AndTheGradientIsTheSoftmax(int[] shape, int axis, bool keepDim)
    {
        Tensor x = Inputs.Normal(112, shape);
        Tensor y = x.LogSumExp(axis, keepDim);
        Tensor expected = x.Exp().Sum(axis, keepDim).Log();
        Assert.That(y.Shape, Is.EqualTo(expected.Shape));
        GradAssert.Values(y, expected.ToArray<double>(), 1e-12);

        y.Sum().Backward();
        GradAssert.Values(x.Grad!, x.Softmax(axis).ToArray<double>(), 1e-12, "gradient");
    }

    [Test]
    public void LargeInputs_StayFinite()
    {
        Tensor x = Inputs.Of([1000, 1000, -1000, -1000, 1000, -1000], 3, 2);
        GradAssert.Values(x.LogSumExp(1), [1000 + Math.Log(2), -1000 + Math.Log(2), 1000], 1e-12);
        x.LogSumExp(1).Sum().Backward();
        GradAssert.Values(x.Grad!, [0.5, 0.5, 0.5, 0.5, 1, 0], 1e-12, "gradient");

        Tensor single = Tensor.FromArray(new float[] { 1000, 999, -1000 }, 3);
        Assert.That(single.LogSumExp(0).Item(), Is.EqualTo(1000 + Math.Log(1 + Math.Exp(-1))).Within(1e-3));
    }

    [Test]
    public void Infinities_AsPyTorch()
    {
        double inf = double.PositiveInfinity;
        Tensor x = Inputs.Of([-inf, -inf, -inf, 0, inf, 1], 2, 3);
        Tensor rows = x.LogSumExp(1);
        Assert.That(rows.ToArray<double>(), Is.EqualTo(new[] { double.NegativeInfinity, inf }));
        rows.Sum().Backward();
        // PyTorch: exp(x − result) is exp(NaN) where both are the same infinity.
        double[] grad = GradAssert.GradOf(x);
        Assert.That(grad.Take(3), Has.All.NaN);
        Assert.That(grad.Skip(3), Is.EqualTo(new[] { 0.0, double.NaN, 0 }));

        GradAssert.Values(Inputs.Of([-inf, 2, 5, -inf], 2, 2).LogSumExp(0), [5, 2]);
    }

    [Test]
    public void EmptyAxis_IsMinusInfinity_AsPyTorch()
    {
        Tensor x = Tensor.Zeros([2, 0], DType.Float32);
        x.RequiresGrad = true;
        Tensor y = x.LogSumExp(1);
        Assert.That(y.ToArray<float>(), Is.EqualTo(new[] { float.NegativeInfinity, float.NegativeInfinity }));
        y.Sum().Backward();
        Assert.That(x.Grad!.Shape, Is.EqualTo(new[] { 2, 0 }));
        Assert.That(Tensor.Zeros([0, 4], DType.Float64).LogSumExp(1, keepDim: true).Shape, Is.EqualTo(new[] { 0, 1 }));
    }

    [Test]
    public void Hessian_IsDiagPMinusPPTransposed()
    {
        Tensor x = Inputs.Normal(113, 4);
        double[] p = x.Softmax(0).ToArray<double>();
        double[] hessian = Tape.Hessian(v => v.LogSumExp(0), x).ToArray<double>();
        for (int i = 0; i < 4; i++)
        {
            for (int j = 0; j < 4; j++)
            {
                double expected = (i == j ? p[i] : 0) - (p[i] * p[j]);
                Assert.That(hessian[(i * 4) + j], Is.EqualTo(expected).Within(1e-14), $"H[{i},{j}]");
            }
        }
    }

    [Test]
    public void SecondOrder_AtLargeInputs_AndFanOut()
    {
        double[] large = Tensor.Randn([3, 4], 114, DType.Float64).ToArray<double>().Select(v => 1000 * Math.Sign(v) + v).ToArray();
        GradAssert.GradCheck(v => v[0].LogSumExp(1), [Inputs.Of(large, 3, 4)]);
        GradAssert.GradCheck(v => v[0].LogSumExp(0) * v[0].LogSumExp(0, keepDim: true).Exp().Sum(), [Inputs.Normal(115, 3, 2)]);
    }

    [Test]
    public void Errors_NameTheOpTheAxisAndTheRank()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Inputs.Normal(116, 2, 3).LogSumExp(2));
        Assert.That(ex!.Message, Does.Contain("LogSumExp: axis 2 is out of range for a tensor of rank 2"));
        var dtype = Assert.Throws<ArgumentException>(() => Tensor.Zeros([3], DType.Bool).LogSumExp(0));
        Assert.That(dtype!.Message, Does.Contain("LogSumExp").And.Contain("Bool"));
    }
}

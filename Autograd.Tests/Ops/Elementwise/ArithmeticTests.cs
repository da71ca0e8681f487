using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Elementwise;

public class ArithmeticTests
{
    private static readonly (string Name, Func<Tensor, Tensor, Tensor> Op)[] _binaryOps =
    [
        ("Add", (x, y) => x + y),
        ("Subtract", (x, y) => x - y),
        ("Multiply", (x, y) => x * y),
        ("Divide", (x, y) => x / y),
    ];

    // Same shape, [n] vs [m,n] both ways, [m,1] vs [m,n], scalar vs [m,n] both ways, size-1 dims on both sides, rank 3.
    private static readonly (int[] X, int[] Y)[] _shapePairs =
    [
        ([3, 4], [3, 4]),
        ([4], [3, 4]),
        ([3, 4], [4]),
        ([3, 1], [3, 4]),
        ([3, 4], [3, 1]),
        ([], [3, 4]),
        ([3, 4], []),
        ([1, 4], [3, 1]),
        ([2, 1, 4], [3, 1]),
        ([2, 3, 4], [2, 3, 4]),
        ([1, 3, 1], [2, 1, 5]),
    ];

    private static IEnumerable<TestCaseData> BinaryCases() =>
        from op in _binaryOps
        from pair in _shapePairs
        select new TestCaseData(op.Op, pair.X, pair.Y)
            .SetName($"{op.Name}_{Format(pair.X)}_{Format(pair.Y)}");

    private static readonly (string Name, Func<Tensor, Tensor> Op)[] _scalarOps =
    [
        ("TensorPlusScalar", x => x + 2.5),
        ("ScalarPlusTensor", x => 2.5 + x),
        ("TensorMinusScalar", x => x - 2.5),
        ("ScalarMinusTensor", x => 2.5 - x),
        ("TensorTimesScalar", x => x * 2.5),
        ("ScalarTimesTensor", x => 2.5 * x),
        ("TensorOverScalar", x => x / 2.5),
        ("ScalarOverTensor", x => 2.5 / x),
        ("Negate", x => -x),
    ];

    private static IEnumerable<TestCaseData> ScalarCases() =>
        from op in _scalarOps
        from shape in new[] { new[] { 3, 4 }, [], [2, 1, 3] }
        select new TestCaseData(op.Op, shape).SetName($"{op.Name}_{Format(shape)}");

    [TestCaseSource(nameof(BinaryCases))]
    public void Binary_GradCheck(Func<Tensor, Tensor, Tensor> op, int[] xShape, int[] yShape)
    {
        // y stays in [0.5, 2) so that Divide is well away from its pole.
        Tensor[] inputs = [Inputs.Normal(1, xShape), Inputs.Uniform(2, 0.5, 2, yShape)];
        GradAssert.GradCheck(v => op(v[0], v[1]), inputs);
    }

    [TestCaseSource(nameof(BinaryCases))]
    public void Binary_Float32MatchesFloat64(Func<Tensor, Tensor, Tensor> op, int[] xShape, int[] yShape)
    {
        Tensor[] inputs = [Inputs.Normal(3, xShape), Inputs.Uniform(4, 0.5, 2, yShape)];
        GradAssert.Float32MatchesFloat64(v => op(v[0], v[1]), inputs);
    }

    [TestCaseSource(nameof(BinaryCases))]
    public void Binary_OnlyOneOperandRequiresGrad_TheOtherGetsNone(Func<Tensor, Tensor, Tensor> op, int[] xShape, int[] yShape)
    {
        Tensor x = Inputs.Normal(5, xShape);
        Tensor y = Inputs.Uniform(6, 0.5, 2, yShape);
        y.RequiresGrad = false;
        GradAssert.GradCheck(v => op(v[0], v[1]), [x, y]);
        op(x, y).Sum().Backward();
        Assert.That(x.Grad, Is.Not.Null);
        Assert.That(y.Grad, Is.Null);
    }

    [TestCaseSource(nameof(ScalarCases))]
    public void WithScalar_GradCheck(Func<Tensor, Tensor> op, int[] shape)
    {
        GradAssert.Float32MatchesFloat64(v => op(v[0]), [Inputs.Uniform(7, 0.5, 2, shape)]);
    }

    [Test]
    public void Add_BroadcastsRowAndColumn_Values()
    {
        Tensor x = Tensor.FromArray(new[] { 1.0, 2.0, 3.0 }, 3);
        Tensor y = Tensor.FromArray(new[] { 10.0, 20.0 }, 2, 1);
        Tensor z = x + y;
        Assert.That(z.Shape, Is.EqualTo(new[] { 2, 3 }));
        GradAssert.Values(z, [11, 12, 13, 21, 22, 23]);
    }

    [Test]
    public void Subtract_Multiply_Divide_Values()
    {
        Tensor x = Tensor.FromArray(new[] { 1.0, -2.0, 3.0, 4.0 }, 2, 2);
        Tensor y = Tensor.FromArray(new[] { 2.0, 4.0 }, 2);
        GradAssert.Values(x - y, [-1, -6, 1, 0]);
        GradAssert.Values(x * y, [2, -8, 6, 16]);
        GradAssert.Values(x / y, [0.5, -0.5, 1.5, 1]);
        GradAssert.Values(10 - x, [9, 12, 7, 6]);
        GradAssert.Values(12 / x, [12, -6, 4, 3]);
        GradAssert.Values(-x, [-1, 2, -3, -4]);
        GradAssert.Values(x + 0.5, [1.5, -1.5, 3.5, 4.5]);
        GradAssert.Values(3 * x, [3, -6, 9, 12]);
    }

    [Test]
    public void Multiply_BroadcastRow_GradientIsSummedOverRows()
    {
        // z = x[2,3] * w[3]: dw_j = Σ_i x_ij, dx_ij = w_j.
        Tensor x = Inputs.Of([1, 2, 3, 4, 5, 6], 2, 3);
        Tensor w = Inputs.Of([10, 20, 30], 3);
        (x * w).Sum().Backward();
        Assert.That(GradAssert.GradOf(w), Is.EqualTo(new[] { 5.0, 7, 9 }));
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 10.0, 20, 30, 10, 20, 30 }));
    }

    [Test]
    public void Divide_Gradients_Values()
    {
        // d(x/y)/dx = 1/y, d(x/y)/dy = −x/y².
        Tensor x = Inputs.Of([3], 1);
        Tensor y = Inputs.Of([2], 1);
        (x / y).Sum().Backward();
        Assert.That(GradAssert.GradOf(x)[0], Is.EqualTo(0.5));
        Assert.That(GradAssert.GradOf(y)[0], Is.EqualTo(-0.75));
    }

    [Test]
    public void ScalarOperand_KeepsTheTensorsDType()
    {
        Tensor x = Tensor.FromArray(new[] { 1f, 2f }, 2);
        Assert.That((x * 2.0).DType, Is.EqualTo(DType.Float32));
        Assert.That((1.0 - Tensor.FromArray(new[] { 1.0 }, 1)).DType, Is.EqualTo(DType.Float64));
    }

    private static string Format(int[] shape) => "[" + string.Join("x", shape) + "]";
}

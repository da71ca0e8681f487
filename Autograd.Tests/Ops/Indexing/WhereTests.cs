using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Indexing;

public class WhereTests
{
    /// <summary>A seeded Bool tensor with both values (about half each).</summary>
    internal static Tensor RandomMask(int seed, params int[] shape) => Tensor.Randn(shape, seed, DType.Float64).Gt(0);

    // Expected values from torch 1.13.
    [Test]
    public void Values_WithThreeWayBroadcasting_MatchPyTorch()
    {
        Tensor x = Tensor.FromArray(new[] { 0.0, 1, 2, 3, 4, 5 }, 2, 3);
        Tensor y = Tensor.FromArray(new[] { 10.0, 20, 30 }, 3);
        Tensor rows = Tensor.Where(Tensor.FromArray(new[] { true, false }, 2, 1), x, y);
        Assert.That(rows.Shape, Is.EqualTo(new[] { 2, 3 }));
        GradAssert.Values(rows, [0, 1, 2, 10, 20, 30]);

        Tensor all = Tensor.Where(Tensor.FromArray(new[] { true, false, true }, 3),
            Tensor.FromArray(new[] { 1.0, 2 }, 2, 1), Tensor.Scalar(-1, DType.Float64));
        Assert.That(all.Shape, Is.EqualTo(new[] { 2, 3 }));
        GradAssert.Values(all, [1, -1, 1, 2, -1, 2]);
    }

    [Test]
    public void Values_ScalarsAndZeroSizes()
    {
        Tensor picked = Tensor.Where(Tensor.FromArray(new[] { false }), Tensor.Scalar(1), Tensor.Scalar(2));
        Assert.That(picked.Shape, Is.Empty);
        Assert.That(picked.Item(), Is.EqualTo(2));
        Tensor empty = Tensor.Where(Tensor.Zeros([0, 1], DType.Bool), Tensor.Zeros([3]), Tensor.Zeros([1, 3]));
        Assert.That(empty.Shape, Is.EqualTo(new[] { 0, 3 }));
    }

    [Test]
    public void Int64AndBoolOperands_AreSelectedToo_WithoutAGradient()
    {
        Tensor c = Tensor.FromArray(new[] { true, false }, 2);
        Tensor labels = Tensor.Where(c, Tensor.FromArray(new long[] { 1, 2 }, 2), Tensor.FromArray(new long[] { 5 }, 1));
        Assert.That(labels.DType, Is.EqualTo(DType.Int64));
        Assert.That(labels.ToArray<long>(), Is.EqualTo(new long[] { 1, 5 }));
        Assert.That(labels.RequiresGrad, Is.False);
        Tensor flags = Tensor.Where(c, Tensor.FromArray(new[] { false, false }, 2), Tensor.FromArray(new[] { true, true }, 2));
        Assert.That(flags.ToArray<bool>(), Is.EqualTo(new[] { false, true }));
    }

    [Test]
    public void Gradient_GoesToXWhereTheConditionHolds_AndToYElsewhere_SummedToEachShape()
    {
        Tensor x = Inputs.Of([1, 2, 3, 4, 5, 6], 2, 3);
        Tensor y = Inputs.Of([7], 1);
        Tensor c = Tensor.FromArray(new[] { true, false, false }, 3);
        Tensor.Where(c, x, y).Backward(Tensor.FromArray(new[] { 1.0, 2, 3, 4, 5, 6 }, 2, 3));
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 1.0, 0, 0, 4, 0, 0 }));
        Assert.That(GradAssert.GradOf(y), Is.EqualTo(new[] { 2.0 + 3 + 5 + 6 }));
    }

    [Test]
    public void Gradient_WhenOnlyOneOperandRequiresIt()
    {
        Tensor x = Inputs.Of([1, 2, 3], 3);
        Tensor y = Tensor.FromArray(new[] { 0.0, 0, 0 }, 3);
        Tensor c = Tensor.FromArray(new[] { true, false, true }, 3);
        (Tensor.Where(c, x, y) * 2).Backward(Tensor.FromArray(new[] { 1.0, 1, 1 }, 3));
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 2.0, 0, 2 }));
        Assert.That(y.Grad, Is.Null);

        Tensor z = Inputs.Of([1, 2, 3], 3);
        Tensor.Where(c, y, z).Sum().Backward();
        Assert.That(GradAssert.GradOf(z), Is.EqualTo(new[] { 0.0, 1, 0 }));
    }

    private static IEnumerable<TestCaseData> ShapeCases()
    {
        (int[] C, int[] X, int[] Y)[] cases =
        [
            ([3, 4], [3, 4], [3, 4]),
            ([3, 1], [3, 4], [4]),
            ([4], [3, 1], [1, 4]),
            ([], [3, 4], []),
            ([3, 4], [], [3, 1]),
            ([2, 1, 4], [3, 1], [2, 3, 4]),
            ([1, 3, 1], [2, 1, 5], [5]),
            ([0, 3], [3], [0, 1]),
        ];
        foreach (var (c, x, y) in cases)
        {
            yield return new TestCaseData(c, x, y).SetName($"Where_[{string.Join("x", c)}]_[{string.Join("x", x)}]_[{string.Join("x", y)}]");
        }
    }

    [TestCaseSource(nameof(ShapeCases))]
    public void Values_MatchAnElementByElementReference(int[] cShape, int[] xShape, int[] yShape)
    {
        Tensor c = RandomMask(10, cShape), x = Tensor.Randn(xShape, 11, DType.Float64), y = Tensor.Randn(yShape, 12, DType.Float64);
        Tensor result = Tensor.Where(c, x, y);
        int rank = new[] { cShape.Length, xShape.Length, yShape.Length }.Max();
        // Each dimension is the operands' size there that is not 1 (or 1).
        int[] shape = Enumerable.Range(0, rank).Select(d => new[] { cShape, xShape, yShape }
            .Select(s => d < rank - s.Length ? 1 : s[d - (rank - s.Length)]).Aggregate(1, (a, b) => b == 1 ? a : b)).ToArray();
        Assert.That(result.Shape, Is.EqualTo(shape));
        bool[] cv = c.ToArray<bool>();
        double[] xv = x.ToArray<double>(), yv = y.ToArray<double>(), actual = result.ToArray<double>();
        for (int p = 0; p < actual.Length; p++)
        {
            int[] index = new int[rank];
            for (int d = rank - 1, rest = p; d >= 0; d--)
            {
                index[d] = rest % shape[d];
                rest /= shape[d];
            }

            double expected = cv[At(cShape, index)] ? xv[At(xShape, index)] : yv[At(yShape, index)];
            Assert.That(actual[p], Is.EqualTo(expected), $"element {p}");
        }

        // The flat offset in an operand of the output coordinates (broadcast dimensions read element 0).
        static int At(int[] operand, int[] index)
        {
            int offset = 0;
            for (int d = 0; d < operand.Length; d++)
            {
                int i = index[index.Length - operand.Length + d];
                offset = (offset * operand[d]) + (operand[d] == 1 ? 0 : i);
            }

            return offset;
        }
    }

    [TestCaseSource(nameof(ShapeCases))]
    public void GradCheck(int[] cShape, int[] xShape, int[] yShape)
    {
        Tensor c = RandomMask(1, cShape);
        GradAssert.Float32MatchesFloat64(v => Tensor.Where(c, v[0], v[1]), [Inputs.Normal(2, xShape), Inputs.Normal(3, yShape)]);
    }

    [TestCaseSource(nameof(ShapeCases))]
    public void GradCheck_NonlinearAndFanOut(int[] cShape, int[] xShape, int[] yShape)
    {
        // x feeds both branches and the output directly; y is squared, so the second derivatives are not zero.
        Tensor c = RandomMask(4, cShape);
        GradAssert.GradCheck(v =>
        {
            Tensor chosen = Tensor.Where(c, v[0].Tanh() * v[0], v[1] * v[1] + v[0]);
            return (chosen * chosen).Sum() + v[0].Sum();
        }, [Inputs.Normal(5, xShape), Inputs.Normal(6, yShape)]);
    }

    [Test]
    public void ThirdDerivative()
    {
        Tensor c = RandomMask(7, 3, 4);
        GradAssert.GradCheck(v =>
        {
            Tensor sum = Tensor.Where(c, v[0].Pow(3), v[1] * v[0]).Sum();
            return Tape.Grad(sum, [v[0]], createGraph: true)[0]!;
        }, [Inputs.Normal(8, 3, 4), Inputs.Normal(9, 4)]);
    }

    [Test]
    public void AConditionThatIsNotBool_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Where(Tensor.Ones([2]), Tensor.Ones([2]), Tensor.Ones([2])));
        Assert.That(ex!.Message, Does.Contain("Where: condition must be a Bool tensor, got [2] Float32"));
        ex = Assert.Throws<ArgumentException>(() =>
            Tensor.Where(Tensor.Ones([2], DType.Int64), Tensor.Ones([2]), Tensor.Ones([2])));
        Assert.That(ex!.Message, Does.Contain("got [2] Int64"));
    }

    [Test]
    public void OperandsOfDifferentDTypes_Throw()
    {
        Tensor c = Tensor.Ones([2], DType.Bool);
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Where(c, Tensor.Ones([2]), Tensor.Ones([2], DType.Float64)));
        Assert.That(ex!.Message, Does.Contain("Where: dtypes differ ([2] Float32 and [2] Float64)"));
        Assert.Throws<ArgumentException>(() => Tensor.Where(c, Tensor.Ones([2], DType.Int64), Tensor.Ones([2])));
    }

    [Test]
    public void ShapesThatDoNotBroadcast_ThrowNamingAllThree()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Tensor.Where(Tensor.Ones([2, 3], DType.Bool), Tensor.Ones([4]), Tensor.Ones([])));
        Assert.That(ex!.Message, Does.StartWith("Where: condition [2,3], x [4] and y [] do not broadcast"));
        ex = Assert.Throws<ArgumentException>(() =>
            Tensor.Where(Tensor.Ones([3], DType.Bool), Tensor.Ones([2, 3]), Tensor.Ones([5, 1, 2])));
        Assert.That(ex!.Message, Does.Contain("condition [3], x [2,3] and y [5,1,2] do not broadcast"));
    }
}

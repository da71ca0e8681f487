using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Indexing;

public class MaskedFillTests
{
    // Expected values from torch 1.13.
    [Test]
    public void Values_WithABroadcastMask_MatchPyTorch()
    {
        Tensor x = Tensor.FromArray(new[] { 0.0, 1, 2, 3, 4, 5 }, 2, 3);
        GradAssert.Values(x.MaskedFill(Tensor.FromArray(new[] { true, false, true }, 3), -1), [-1, 1, -1, -1, 4, -1]);
        Tensor rows = x.MaskedFill(Tensor.FromArray(new[] { false, true }, 2, 1), double.NegativeInfinity);
        Assert.That(rows.ToArray<double>(), Is.EqualTo(new[] { 0, 1, 2, double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity }));
        Assert.That(x.MaskedFill(Tensor.FromArray(new[] { true }), 7).ToArray<double>(), Is.All.EqualTo(7.0));
        Assert.That(x.MaskedFill(Tensor.Zeros([2, 3], DType.Bool), 7).ToArray<double>(), Is.EqualTo(x.ToArray<double>()));
        Assert.That(x.ToArray<double>(), Is.EqualTo(new[] { 0.0, 1, 2, 3, 4, 5 }), "out of place");
    }

    [Test]
    public void Values_Float32_ScalarsAndZeroSizes()
    {
        Tensor f = Tensor.FromArray(new[] { 1f, 2f }, 2).MaskedFill(Tensor.FromArray(new[] { false, true }, 2), 0.1);
        Assert.That(f.ToArray<float>(), Is.EqualTo(new[] { 1f, 0.1f }));
        Assert.That(Tensor.Scalar(3).MaskedFill(Tensor.FromArray(new[] { true }, 1).Reshape(), 9).Item(), Is.EqualTo(9));
        Assert.That(Tensor.Zeros([0, 2]).MaskedFill(Tensor.Ones([2], DType.Bool), 1).Shape, Is.EqualTo(new[] { 0, 2 }));
    }

    [Test]
    public void Int64AndBoolTensors_AreFilledToo_WithTheValueConverted()
    {
        Tensor mask = Tensor.FromArray(new[] { true, false }, 2);
        Tensor labels = Tensor.FromArray(new long[] { 1, 2 }, 2).MaskedFill(mask, -100);
        Assert.That(labels.ToArray<long>(), Is.EqualTo(new long[] { -100, 2 }));
        Assert.That(labels.RequiresGrad, Is.False);
        Assert.That(Tensor.FromArray(new long[] { 1, 2 }, 2).MaskedFill(mask, 1.9).ToArray<long>(), Is.EqualTo(new long[] { 1, 2 }),
            "truncated, as To(DType.Int64)");
        Assert.That(Tensor.FromArray(new[] { false, false }, 2).MaskedFill(mask, 1).ToArray<bool>(), Is.EqualTo(new[] { true, false }));
    }

    [Test]
    public void Gradient_IsZeroWhereFilled()
    {
        Tensor x = Inputs.Of([1, 2, 3, 4, 5, 6], 2, 3);
        x.MaskedFill(Tensor.FromArray(new[] { false, true, false }, 3), 0).Backward(Tensor.FromArray(new[] { 1.0, 2, 3, 4, 5, 6 }, 2, 3));
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 1.0, 0, 3, 4, 0, 6 }));
    }

    private static IEnumerable<TestCaseData> ShapeCases()
    {
        (int[] X, int[] Mask)[] cases = [([3, 4], [3, 4]), ([3, 4], [4]), ([3, 4], [3, 1]), ([3, 4], []), ([2, 3, 4], [3, 1]),
            ([2, 3, 4], [2, 1, 4]), ([5], [1]), ([], []), ([0, 3], [3])];
        foreach (var (x, mask) in cases)
        {
            yield return new TestCaseData(x, mask).SetName($"MaskedFill_[{string.Join("x", x)}]_mask[{string.Join("x", mask)}]");
        }
    }

    [TestCaseSource(nameof(ShapeCases))]
    public void GradCheck(int[] xShape, int[] maskShape)
    {
        Tensor mask = WhereTests.RandomMask(1, maskShape);
        GradAssert.Float32MatchesFloat64(v => v[0].MaskedFill(mask, 2.5), [Inputs.Normal(2, xShape)]);
    }

    [TestCaseSource(nameof(ShapeCases))]
    public void GradCheck_NonlinearAndFanOut(int[] xShape, int[] maskShape)
    {
        Tensor mask = WhereTests.RandomMask(3, maskShape);
        GradAssert.GradCheck(v =>
        {
            Tensor filled = (v[0] * v[0].Sigmoid()).MaskedFill(mask, -1);
            return (filled * filled).Sum() + (filled * v[0]).Sum();
        }, [Inputs.Normal(4, xShape)]);
    }

    [Test]
    public void AMaskThatIsNotBool_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Ones([2, 3]).MaskedFill(Tensor.Ones([3]), 0));
        Assert.That(ex!.Message, Does.Contain("MaskedFill: mask must be a Bool tensor, got [3] Float32"));
        Assert.Throws<ArgumentNullException>(() => Tensor.Ones([2, 3]).MaskedFill(null!, 0));
    }

    [Test]
    public void AMaskThatDoesNotBroadcastIntoTheTensor_ThrowsNamingBothShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Ones([2, 3]).MaskedFill(Tensor.Ones([4, 2, 3], DType.Bool), 0));
        Assert.That(ex!.Message, Does.StartWith("MaskedFill: mask [4,2,3] does not broadcast to the tensor's shape [2,3]"));
        ex = Assert.Throws<ArgumentException>(() => Tensor.Ones([2, 3]).MaskedFill(Tensor.Ones([2], DType.Bool), 0));
        Assert.That(ex!.Message, Does.Contain("mask [2]").And.Contain("[2,3]"));
    }
}

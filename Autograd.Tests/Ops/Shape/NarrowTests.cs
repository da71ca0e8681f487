using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Shape;

/// <summary>Narrow.cs: values against the reference, gradients to third order, views, errors.</summary>
public class NarrowTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        // shape, axis, start, length
        yield return new TestCaseData(new[] { 7 }, 0, 2, 3).SetName("Narrow_[7]_axis0_2+3");
        yield return new TestCaseData(new[] { 3, 5 }, 1, 1, 3).SetName("Narrow_[3x5]_axis1_1+3");
        yield return new TestCaseData(new[] { 3, 5 }, 0, 0, 2).SetName("Narrow_[3x5]_axis0_0+2");
        yield return new TestCaseData(new[] { 2, 3, 4 }, -1, 3, 1).SetName("Narrow_[2x3x4]_axis-1_3+1");
        yield return new TestCaseData(new[] { 2, 3, 4 }, 1, -2, 2).SetName("Narrow_[2x3x4]_axis1_start-2+2");
        yield return new TestCaseData(new[] { 2, 3, 4 }, -3, 1, 1).SetName("Narrow_[2x3x4]_axis-3_1+1");
        yield return new TestCaseData(new[] { 2, 20, 3 }, 1, 5, 11).SetName("Narrow_[2x20x3]_axis1_5+11");
        yield return new TestCaseData(new[] { 2, 3, 4 }, 2, 0, 4).SetName("Narrow_[2x3x4]_whole_axis");
    }

    [TestCaseSource(nameof(Cases))]
    public void Values_MatchTheReference(int[] shape, int axis, int start, int length)
    {
        Tensor x = Inputs.Normal(1, shape);
        Tensor y = x.Narrow(axis, start, length);
        int resolved = axis < 0 ? axis + shape.Length : axis;
        int first = start < 0 ? start + shape[resolved] : start;
        int[] expectedShape = (int[])shape.Clone();
        expectedShape[resolved] = length;
        Assert.That(y.Shape, Is.EqualTo(expectedShape));
        Assert.That(y.ToArray<double>(), Is.EqualTo(ShapeReference.Narrow(x.ToArray<double>(), shape, resolved, first, length)));
    }

    [TestCaseSource(nameof(Cases))]
    public void GradCheck(int[] shape, int axis, int start, int length)
    {
        int[] outShape = Inputs.Normal(2, shape).Narrow(axis, start, length).Shape;
        // Times a second input, so that second derivatives are not all zero and a misplaced gradient shows.
        GradAssert.Float32MatchesFloat64(v => v[0].Narrow(axis, start, length) * v[1], [Inputs.Normal(3, shape), Inputs.Normal(4, outShape)]);
    }

    [Test]
    public void TheBackwardPad_IsDifferentiableAgain()
    {
        // f(x, v) = d(Narrow(x)·v)/dx = Pad(v): its gradient check covers the pad's VJP (a slice), and its second
        // derivative check the slice's recorded VJP again: third order through Narrow.
        GradAssert.GradCheck(v =>
        {
            Tensor y = v[0].Narrow(1, 1, 2) * v[0].Narrow(1, 0, 2);
            return Tape.Grad(y, [v[0]], v[1], createGraph: true)[0]!;
        }, [Inputs.Normal(5, 2, 4), Inputs.Normal(6, 2, 2)]);
    }

    [Test]
    public void Gradient_IsZeroOutsideTheSlice()
    {
        Tensor x = Inputs.Of([1, 2, 3, 4, 5, 6], 2, 3);
        x.Narrow(1, 1, 1).Backward(Tensor.FromArray(new[] { 10.0, 20.0 }, 2, 1));
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 0.0, 10, 0, 0, 20, 0 }));
    }

    [Test]
    public void Gradient_IsZeroOutsideTheSlice_EvenInARecycledBuffer()
    {
        // The pad's output comes from the buffer pool, which hands out dead buffers as they are: every element
        // outside the slice must be written with zero.
        var dirty = new double[64 * 32];
        Array.Fill(dirty, double.NaN);
        BufferPool.Return(dirty);
        Tensor x = Inputs.Normal(10, 64, 32);
        x.Narrow(1, 4, 8).Sum().Backward();
        double[] grad = GradAssert.GradOf(x);
        Assert.That(grad.Where((_, i) => i % 32 >= 4 && i % 32 < 12), Is.All.EqualTo(1.0));
        Assert.That(grad.Where((_, i) => i % 32 < 4 || i % 32 >= 12), Is.All.EqualTo(0.0));
    }

    [Test]
    public void EmptySlices_AndZeroSizeTensors()
    {
        Tensor x = Inputs.Normal(7, 2, 3);
        Tensor atEnd = x.Narrow(1, 3, 0);   // start == size is allowed for an empty slice
        Assert.That(atEnd.Shape, Is.EqualTo(new[] { 2, 0 }));
        (atEnd.Sum() + x.Narrow(0, 1, 0).Sum()).Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new double[6]));

        Tensor empty = Inputs.Normal(8, 0, 4);
        Tensor y = empty.Narrow(1, 1, 2);
        Assert.That(y.Shape, Is.EqualTo(new[] { 0, 2 }));
        y.Sum().Backward();
        Assert.That(empty.Grad!.Shape, Is.EqualTo(new[] { 0, 4 }));
    }

    [Test]
    public void WholeAxis_IsAView_AndAPart_IsACopy()
    {
        Tensor x = Tensor.Randn([3, 4], 9);
        Assert.That(x.Narrow(0, 0, 3).SharesStorageWith(x), Is.True);
        Assert.That(x.Narrow(0, 1, 2).SharesStorageWith(x), Is.False);
    }

    [Test]
    public void Float32_Values()
    {
        Tensor x = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6, 7, 8 }, 2, 4);
        Assert.That(x.Narrow(-1, 1, 2).ToArray<float>(), Is.EqualTo(new float[] { 2, 3, 6, 7 }));
    }

    [Test]
    public void Errors_NameTheOpTheShapeAndTheArgument()
    {
        Tensor x = Tensor.Zeros([2, 3]);
        Assert.That(() => Tensor.Scalar(1).Narrow(0, 0, 1),
            Throws.ArgumentException.With.Message.Contains("Narrow").And.Message.Contains("scalar"));
        Assert.That(() => x.Narrow(2, 0, 1),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Narrow: axis 2 is out of range").And.Message.Contains("rank 2"));
        Assert.That(() => x.Narrow(1, 0, -1),
            Throws.ArgumentException.With.Message.Contains("Narrow: length -1 is negative").And.Message.Contains("[2,3]"));
        Assert.That(() => x.Narrow(1, 4, 0),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Narrow: start 4 is out of range").And.Message.Contains("size 3"));
        Assert.That(() => x.Narrow(1, -4, 1),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("start -4"));
        Assert.That(() => x.Narrow(1, 2, 2),
            Throws.ArgumentException.With.Message.Contains("Narrow: start 2 + length 2 exceeds the size 3 of axis 1 of [2,3]"));
    }
}

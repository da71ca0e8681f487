using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Shape;

/// <summary>Cat.cs and Stack.cs: one tape entry for many inputs.</summary>
public class CatStackTests
{
    private static IEnumerable<TestCaseData> CatCases()
    {
        yield return new TestCaseData(new[] { new[] { 2 }, new[] { 3 } }, 0).SetName("Cat_[2]+[3]_axis0");
        yield return new TestCaseData(new[] { new[] { 2, 3 }, new[] { 1, 3 }, new[] { 4, 3 } }, 0).SetName("Cat_3_tensors_axis0");
        yield return new TestCaseData(new[] { new[] { 2, 3 }, new[] { 2, 1 }, new[] { 2, 2 } }, 1).SetName("Cat_3_tensors_axis1");
        yield return new TestCaseData(new[] { new[] { 2, 3, 2 }, new[] { 2, 1, 2 } }, -2).SetName("Cat_[2x3x2]+[2x1x2]_axis-2");
        yield return new TestCaseData(new[] { new[] { 2, 2 }, new[] { 2, 0 }, new[] { 2, 1 } }, -1).SetName("Cat_with_an_empty_part");
        yield return new TestCaseData(new[] { new[] { 3, 2 } }, 1).SetName("Cat_one_tensor");
    }

    [TestCaseSource(nameof(CatCases))]
    public void Cat_Values_MatchTheReference(int[][] shapes, int axis)
    {
        Tensor[] parts = shapes.Select((s, i) => Inputs.Normal(40 + i, s)).ToArray();
        int resolved = axis < 0 ? axis + shapes[0].Length : axis;
        Tensor y = Tensor.Cat(parts, axis);
        Assert.That(y.ToArray<double>(),
            Is.EqualTo(ShapeReference.Cat(parts.Select(p => (p.ToArray<double>(), p.Shape)).ToArray(), resolved)));
    }

    [TestCaseSource(nameof(CatCases))]
    public void Cat_GradCheck(int[][] shapes, int axis)
    {
        Tensor[] parts = shapes.Select((s, i) => Inputs.Normal(50 + i, s)).ToArray();
        int[] outShape = Tensor.Cat(parts, axis).Shape;
        // The last input weighs the result, so that second derivatives are not all zero.
        GradAssert.Float32MatchesFloat64(v => Tensor.Cat(v[..^1], axis) * v[^1], [.. parts, Inputs.Normal(59, outShape)]);
    }

    [Test]
    public void Cat_GivesGradientsOnlyToInputsThatNeedThem_AndHandlesFanOut()
    {
        Tensor a = Inputs.Of([1, 2], 2);
        Tensor constant = Tensor.FromArray(new[] { 7.0 }, 1);
        Tensor y = Tensor.Cat([a, constant, a], 0);
        Assert.That(y.ToArray<double>(), Is.EqualTo(new[] { 1.0, 2, 7, 1, 2 }));
        y.Backward(Tensor.FromArray(new[] { 1.0, 2, 3, 4, 5 }, 5));
        Assert.That(GradAssert.GradOf(a), Is.EqualTo(new[] { 5.0, 7 }), "the two uses of a are summed");
        Assert.That(constant.Grad, Is.Null);
    }

    [Test]
    public void InsideDetectAnomaly_TheShapeOpsRecordAndBackwardRuns()
    {
        Tensor a = Inputs.Normal(45, 2, 3), b = Inputs.Normal(46, 2, 3);
        using (Tape.DetectAnomaly())
        {
            Tensor y = Tensor.Stack(Tensor.Cat([a, b], 1).Narrow(1, 1, 4).Permute(1, 0).Chunk(2), 0);
            Assert.That(y.Shape, Is.EqualTo(new[] { 2, 2, 2 }));
            y.Sum().Backward();
        }

        Assert.That(GradAssert.GradOf(a), Is.EqualTo(new[] { 0.0, 1, 1, 0, 1, 1 }));
        Assert.That(GradAssert.GradOf(b), Is.EqualTo(new[] { 1.0, 1, 0, 1, 1, 0 }));
    }

    [Test]
    public void Cat_Float32()
    {
        Tensor y = Tensor.Cat([Tensor.FromArray(new float[] { 1, 2, 3, 4 }, 2, 2), Tensor.FromArray(new float[] { 5, 6 }, 2, 1)], 1);
        Assert.That(y.Shape, Is.EqualTo(new[] { 2, 3 }));
        Assert.That(y.ToArray<float>(), Is.EqualTo(new float[] { 1, 2, 5, 3, 4, 6 }));
    }

    [Test]
    public void Cat_Errors_NameTheOpTheShapesAndTheAxis()
    {
        Tensor a = Tensor.Zeros([2, 3]);
        Assert.That(() => Tensor.Cat([], 0), Throws.ArgumentException.With.Message.Contains("Cat: expected a non-empty list"));
        Assert.That(() => Tensor.Cat([a, Tensor.Zeros([3, 4])], 0),
            Throws.ArgumentException.With.Message.Contains("Cat: tensor 0 [2,3] and tensor 1 [3,4] differ in dimension 1; only the joining axis 0 may differ"));
        Assert.That(() => Tensor.Cat([a, Tensor.Zeros([2, 3, 1])], 0),
            Throws.ArgumentException.With.Message.Contains("Cat: tensor 0 [2,3] and tensor 1 [2,3,1] have different ranks"));
        Assert.That(() => Tensor.Cat([a, Tensor.Zeros([2, 3], DType.Float64)], 0),
            Throws.ArgumentException.With.Message.Contains("Cat: tensor 0 [2,3] is Float32 but tensor 1 [2,3] is Float64"));
        Assert.That(() => Tensor.Cat([Tensor.Scalar(1), Tensor.Scalar(2)], 0),
            Throws.ArgumentException.With.Message.Contains("Cat: tensor 0 is a scalar"));
        Assert.That(() => Tensor.Cat([a, a], 2),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Cat: axis 2 is out of range").And.Message.Contains("rank 2"));
        Assert.That(() => Tensor.Cat([a, null!], 0), Throws.ArgumentNullException.With.Message.Contains("Cat: tensor 1 is null"));
    }

    private static IEnumerable<TestCaseData> StackCases()
    {
        yield return new TestCaseData(new[] { 3 }, 2, 0).SetName("Stack_2x[3]_axis0");
        yield return new TestCaseData(new[] { 3 }, 2, 1).SetName("Stack_2x[3]_axis1");
        yield return new TestCaseData(new[] { 2, 3 }, 3, 1).SetName("Stack_3x[2x3]_axis1");
        yield return new TestCaseData(new[] { 2, 3 }, 3, -1).SetName("Stack_3x[2x3]_axis-1");
        yield return new TestCaseData(new[] { 2, 3 }, 1, -3).SetName("Stack_1x[2x3]_axis-3");
        yield return new TestCaseData(Array.Empty<int>(), 4, 0).SetName("Stack_4_scalars");
        yield return new TestCaseData(new[] { 0, 2 }, 2, 1).SetName("Stack_2x[0x2]_axis1");
    }

    [TestCaseSource(nameof(StackCases))]
    public void Stack_IsCatOfUnsqueezed_AndGradChecks(int[] shape, int count, int axis)
    {
        Tensor[] parts = Enumerable.Range(0, count).Select(i => Inputs.Normal(60 + i, shape)).ToArray();
        Tensor y = Tensor.Stack(parts, axis);
        Tensor expected = Tensor.Cat(parts.Select(p => p.Unsqueeze(axis)).ToArray(), axis);
        Assert.That(y.Shape, Is.EqualTo(expected.Shape));
        Assert.That(y.ToArray<double>(), Is.EqualTo(expected.ToArray<double>()));
        GradAssert.Float32MatchesFloat64(v => Tensor.Stack(v[..^1], axis) * v[^1], [.. parts, Inputs.Normal(69, y.Shape)]);
    }

    [Test]
    public void Stack_Values()
    {
        Tensor a = Tensor.FromArray(new[] { 1.0, 2 }, 2), b = Tensor.FromArray(new[] { 3.0, 4 }, 2);
        Assert.That(Tensor.Stack([a, b], 1).ToArray<double>(), Is.EqualTo(new[] { 1.0, 3, 2, 4 }));
        Assert.That(Tensor.Stack([a, b], 0).ToArray<double>(), Is.EqualTo(new[] { 1.0, 2, 3, 4 }));
    }

    [Test]
    public void Stack_Errors_NameTheOpAndTheShapes()
    {
        Tensor a = Tensor.Zeros([2, 3]);
        Assert.That(() => Tensor.Stack([], 0), Throws.ArgumentException.With.Message.Contains("Stack: expected a non-empty list"));
        Assert.That(() => Tensor.Stack([a, Tensor.Zeros([2, 4])], 0),
            Throws.ArgumentException.With.Message.Contains("Stack: every tensor must have the same shape, but tensor 0 is [2,3] and tensor 1 is [2,4]"));
        Assert.That(() => Tensor.Stack([a, Tensor.Zeros([2, 3], DType.Float64)], 0),
            Throws.ArgumentException.With.Message.Contains("Stack: tensor 0 [2,3] is Float32 but tensor 1 [2,3] is Float64"));
        Assert.That(() => Tensor.Stack([a, a], 3),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Stack: axis 3 is out of range").And.Message.Contains("rank 3"));
    }
}

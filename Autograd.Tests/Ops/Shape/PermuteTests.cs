using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Shape;

/// <summary>Permute.cs (Permute and Transpose(axis0, axis1)) and its kernel, PermuteKernel.cs.</summary>
public class PermuteTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData(new[] { 3, 4 }, new[] { 1, 0 }).SetName("Permute_[3x4]_(1,0)");
        yield return new TestCaseData(new[] { 2, 3, 4 }, new[] { 2, 0, 1 }).SetName("Permute_[2x3x4]_(2,0,1)");
        yield return new TestCaseData(new[] { 2, 3, 4 }, new[] { 0, 2, 1 }).SetName("Permute_[2x3x4]_(0,2,1)");
        yield return new TestCaseData(new[] { 2, 3, 4 }, new[] { 1, 0, 2 }).SetName("Permute_[2x3x4]_(1,0,2)");
        yield return new TestCaseData(new[] { 2, 3, 4 }, new[] { -1, -2, -3 }).SetName("Permute_[2x3x4]_(-1,-2,-3)");
        yield return new TestCaseData(new[] { 2, 1, 3, 2 }, new[] { 3, 1, 0, 2 }).SetName("Permute_[2x1x3x2]_(3,1,0,2)");
        yield return new TestCaseData(new[] { 3, 1, 2 }, new[] { 1, 0, 2 }).SetName("Permute_[3x1x2]_(1,0,2)_keeps_order");
        yield return new TestCaseData(new[] { 2, 3 }, new[] { 0, 1 }).SetName("Permute_[2x3]_identity");
        yield return new TestCaseData(new[] { 0, 3, 2 }, new[] { 2, 0, 1 }).SetName("Permute_[0x3x2]_(2,0,1)");
    }

    [TestCaseSource(nameof(Cases))]
    public void Values_MatchTheReference(int[] shape, int[] axes)
    {
        Tensor x = Inputs.Normal(11, shape);
        int[] resolved = axes.Select(a => a < 0 ? a + shape.Length : a).ToArray();
        Tensor y = x.Permute(axes);
        Assert.That(y.Shape, Is.EqualTo(resolved.Select(a => shape[a]).ToArray()));
        Assert.That(y.ToArray<double>(), Is.EqualTo(ShapeReference.Permute(x.ToArray<double>(), shape, resolved)));
    }

    [TestCaseSource(nameof(Cases))]
    public void GradCheck(int[] shape, int[] axes)
    {
        int[] outShape = Tensor.Zeros(shape).Permute(axes).Shape;
        GradAssert.Float32MatchesFloat64(v => v[0].Permute(axes) * v[1], [Inputs.Normal(12, shape), Inputs.Normal(13, outShape)]);
    }

    // Random shapes (sizes 1 to 5, so size-1 axes are dropped and neighbours merged in every combination) and random
    // permutations, against the reference; larger shapes cross the 32x32 tile edges.
    [Test]
    public void Kernel_MatchesTheReference_OnRandomLayouts()
    {
        var random = new Random(17);
        for (int trial = 0; trial < 400; trial++)
        {
            int rank = random.Next(1, 6);
            int[] shape = Enumerable.Range(0, rank).Select(_ => random.Next(1, 6)).ToArray();
            int[] axes = Enumerable.Range(0, rank).OrderBy(_ => random.Next()).ToArray();
            CheckAgainstReference(shape, axes);
        }

        CheckAgainstReference([3, 40, 70], [0, 2, 1]);
        CheckAgainstReference([33, 5, 37], [2, 1, 0]);
        CheckAgainstReference([65, 2, 33], [2, 0, 1]);
        CheckAgainstReference([2, 3, 33, 34], [3, 1, 0, 2]);
    }

    private static void CheckAgainstReference(int[] shape, int[] axes)
    {
        float[] data = Enumerable.Range(0, ShapeReference.Count(shape)).Select(i => (float)i).ToArray();
        Tensor y = Tensor.FromArray(data, shape).Permute(axes);
        Assert.That(y.ToArray<float>(), Is.EqualTo(ShapeReference.Permute(data, shape, axes)),
            $"[{string.Join(",", shape)}] permuted by ({string.Join(",", axes)})");
    }

    [Test]
    public void OrderKeepingPermutations_AreViews_OthersCopies()
    {
        Tensor x = Tensor.Randn([3, 1, 2], 14);
        Assert.That(x.Permute(1, 0, 2).SharesStorageWith(x), Is.True, "moving a size-1 axis keeps the order");
        Assert.That(x.Permute(0, 1, 2).SharesStorageWith(x), Is.True);
        Assert.That(x.Permute(2, 1, 0).SharesStorageWith(x), Is.False);
    }

    private static IEnumerable<TestCaseData> TransposeCases()
    {
        yield return new TestCaseData(new[] { 3, 4 }, 0, 1).SetName("Transpose_[3x4]_(0,1)");
        yield return new TestCaseData(new[] { 2, 3, 4 }, -1, -2).SetName("Transpose_[2x3x4]_(-1,-2)");
        yield return new TestCaseData(new[] { 2, 3, 4 }, 0, 2).SetName("Transpose_[2x3x4]_(0,2)");
        yield return new TestCaseData(new[] { 2, 3, 4, 2 }, 1, 2).SetName("Transpose_[2x3x4x2]_(1,2)");
        yield return new TestCaseData(new[] { 2, 3 }, 1, 1).SetName("Transpose_[2x3]_(1,1)");
    }

    [TestCaseSource(nameof(TransposeCases))]
    public void Transpose_SwapsTwoAxes(int[] shape, int axis0, int axis1)
    {
        Tensor x = Inputs.Normal(15, shape);
        int a = axis0 < 0 ? axis0 + shape.Length : axis0, b = axis1 < 0 ? axis1 + shape.Length : axis1;
        int[] axes = Enumerable.Range(0, shape.Length).ToArray();
        (axes[a], axes[b]) = (b, a);
        Tensor y = x.Transpose(axis0, axis1);
        Assert.That(y.Shape, Is.EqualTo(axes.Select(i => shape[i]).ToArray()));
        Assert.That(y.ToArray<double>(), Is.EqualTo(ShapeReference.Permute(x.ToArray<double>(), shape, axes)));
        GradAssert.Float32MatchesFloat64(v => v[0].Transpose(axis0, axis1) * v[1], [x, Inputs.Normal(16, y.Shape)]);
    }

    [Test]
    public void Transpose_OfTwoAxes_AgreesWithTheMatrixTranspose()
    {
        Tensor x = Tensor.Randn([5, 7], 18);
        Assert.That(x.Transpose(0, 1).ToArray<float>(), Is.EqualTo(x.Transpose().ToArray<float>()));
    }

    [Test]
    public void Scalars_PermuteAndTransposeToThemselves()
    {
        Tensor s = Inputs.Of([2.5], []);
        Assert.That(s.Permute().Item(), Is.EqualTo(2.5));
        Assert.That(s.Transpose(0, -1).Item(), Is.EqualTo(2.5));
        (s.Permute() * s.Transpose(0, 0)).Backward();
        Assert.That(GradAssert.GradOf(s), Is.EqualTo(new[] { 5.0 }));
    }

    [Test]
    public void Errors_NameTheOpTheShapeAndTheAxes()
    {
        Tensor x = Tensor.Zeros([2, 3, 4]);
        Assert.That(() => x.Permute(0, 1),
            Throws.ArgumentException.With.Message.Contains("Permute: [2,3,4] has 3 axes but the order [0,1] names 2"));
        Assert.That(() => x.Permute(0, 1, 1),
            Throws.ArgumentException.With.Message.Contains("Permute: axis 1 appears twice in [0,1,1]"));
        Assert.That(() => x.Permute(0, 1, -1 - 3),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Permute: axis -4 is out of range").And.Message.Contains("rank 3"));
        Assert.That(() => x.Transpose(0, 3),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Transpose: axis 3 is out of range"));
    }
}

using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Shape;

/// <summary>Expand.cs and its kernel, ExpandKernel.cs.</summary>
public class ExpandTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData(new[] { 3, 1 }, new[] { 3, 4 }, new[] { 3, 4 }).SetName("Expand_[3x1]_to_[3x4]");
        yield return new TestCaseData(new[] { 1, 4 }, new[] { 3, -1 }, new[] { 3, 4 }).SetName("Expand_[1x4]_to_[3x-1]");
        yield return new TestCaseData(new[] { 3 }, new[] { 2, 3 }, new[] { 2, 3 }).SetName("Expand_[3]_to_[2x3]_new_leading");
        yield return new TestCaseData(new[] { 2, 1, 3 }, new[] { 4, 2, 5, -1 }, new[] { 4, 2, 5, 3 }).SetName("Expand_[2x1x3]_to_[4x2x5x-1]");
        yield return new TestCaseData(new[] { 1, 1 }, new[] { 2, 3 }, new[] { 2, 3 }).SetName("Expand_[1x1]_to_[2x3]");
        yield return new TestCaseData(Array.Empty<int>(), new[] { 2, 2 }, new[] { 2, 2 }).SetName("Expand_scalar_to_[2x2]");
        yield return new TestCaseData(new[] { 2, 3 }, new[] { -1, 3 }, new[] { 2, 3 }).SetName("Expand_[2x3]_unchanged");
        yield return new TestCaseData(new[] { 2, 1 }, new[] { 2, 0 }, new[] { 2, 0 }).SetName("Expand_[2x1]_to_[2x0]");
    }

    [TestCaseSource(nameof(Cases))]
    public void Values_MatchTheReference(int[] shape, int[] target, int[] expected)
    {
        Tensor x = Inputs.Normal(31, shape);
        Tensor y = x.Expand(target);
        Assert.That(y.Shape, Is.EqualTo(expected));
        Assert.That(y.ToArray<double>(), Is.EqualTo(ShapeReference.Expand(x.ToArray<double>(), shape, expected)));
    }

    [TestCaseSource(nameof(Cases))]
    public void GradCheck(int[] shape, int[] target, int[] expected) =>
        GradAssert.Float32MatchesFloat64(v => v[0].Expand(target) * v[1], [Inputs.Normal(32, shape), Inputs.Normal(33, expected)]);

    [Test]
    public void Kernel_MatchesTheReference_OnRandomLayouts()
    {
        var random = new Random(23);
        for (int trial = 0; trial < 300; trial++)
        {
            int rank = random.Next(0, 5);
            int lead = random.Next(0, 3);
            int[] target = Enumerable.Range(0, rank + lead).Select(_ => random.Next(1, 5)).ToArray();
            // Each source axis is the target's size or 1.
            int[] shape = target[lead..].Select(d => random.Next(2) == 0 ? 1 : d).ToArray();
            float[] data = Enumerable.Range(0, ShapeReference.Count(shape)).Select(i => (float)i).ToArray();
            Tensor y = Tensor.FromArray(data, shape).Expand(target);
            Assert.That(y.ToArray<float>(), Is.EqualTo(ShapeReference.Expand(data, shape, target)),
                $"[{string.Join(",", shape)}] expanded to [{string.Join(",", target)}]");
        }
    }

    [Test]
    public void SameShape_IsAView_OtherwiseACopy()
    {
        Tensor x = Tensor.Randn([2, 1], 34);
        Assert.That(x.Expand(2, 1).SharesStorageWith(x), Is.True);
        Assert.That(x.Expand(-1, 1).SharesStorageWith(x), Is.True);
        Assert.That(x.Expand(2, 3).SharesStorageWith(x), Is.False);
    }

    [Test]
    public void Gradient_SumsOverTheRepeats()
    {
        Tensor x = Inputs.Of([1, 2], 2, 1);
        x.Expand(3, 2, 4).Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 12.0, 12.0 }));
    }

    [Test]
    public void Errors_AreThoseOfPyTorch()
    {
        Tensor x = Tensor.Zeros([2, 3]);
        Assert.That(() => x.Expand(3),
            Throws.ArgumentException.With.Message.Contains("Expand: [2,3] to [3]: 1 sizes given for a tensor of 2 dimensions"));
        Assert.That(() => x.Expand(2, 4),
            Throws.ArgumentException.With.Message.Contains("Expand: [2,3] to [2,4]: the expanded size 4 must match the existing size 3 at non-singleton dimension 1"));
        Assert.That(() => x.Expand(-1, 2, 3),
            Throws.ArgumentException.With.Message.Contains("Expand: [2,3] to [-1,2,3]: -1 is not allowed at the new leading dimension 0"));
        Assert.That(() => x.Expand(2, -2),
            Throws.ArgumentException.With.Message.Contains("size -2 at dimension 1 is negative"));
    }
}

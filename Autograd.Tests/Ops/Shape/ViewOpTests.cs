using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Shape;

/// <summary>ViewOps.cs: Squeeze, Unsqueeze and Flatten (views of the same storage).</summary>
public class ViewOpTests
{
    private static IEnumerable<TestCaseData> Squeezes()
    {
        yield return new TestCaseData(new[] { 2, 1, 3 }, 1, new[] { 2, 3 }).SetName("Squeeze_[2x1x3]_axis1");
        yield return new TestCaseData(new[] { 2, 1, 3 }, -2, new[] { 2, 3 }).SetName("Squeeze_[2x1x3]_axis-2");
        yield return new TestCaseData(new[] { 2, 1, 3 }, 0, new[] { 2, 1, 3 }).SetName("Squeeze_[2x1x3]_axis0_not_1_is_a_no-op");
        yield return new TestCaseData(new[] { 1 }, 0, Array.Empty<int>()).SetName("Squeeze_[1]_to_scalar");
        yield return new TestCaseData(new[] { 0, 1 }, 1, new[] { 0 }).SetName("Squeeze_[0x1]_axis1");
    }

    [TestCaseSource(nameof(Squeezes))]
    public void Squeeze(int[] shape, int axis, int[] expected)
    {
        Tensor x = Inputs.Normal(21, shape);
        Tensor y = x.Squeeze(axis);
        Assert.That(y.Shape, Is.EqualTo(expected));
        Assert.That(y.SharesStorageWith(x), Is.True);
        Assert.That(y.ToArray<double>(), Is.EqualTo(x.ToArray<double>()));
        GradAssert.Float32MatchesFloat64(v => v[0].Squeeze(axis) * v[1], [x, Inputs.Normal(22, expected)]);
    }

    private static IEnumerable<TestCaseData> Unsqueezes()
    {
        yield return new TestCaseData(new[] { 2, 3 }, 0, new[] { 1, 2, 3 }).SetName("Unsqueeze_[2x3]_axis0");
        yield return new TestCaseData(new[] { 2, 3 }, 2, new[] { 2, 3, 1 }).SetName("Unsqueeze_[2x3]_axis2");
        yield return new TestCaseData(new[] { 2, 3 }, -1, new[] { 2, 3, 1 }).SetName("Unsqueeze_[2x3]_axis-1");
        yield return new TestCaseData(new[] { 2, 3 }, -3, new[] { 1, 2, 3 }).SetName("Unsqueeze_[2x3]_axis-3");
        yield return new TestCaseData(Array.Empty<int>(), 0, new[] { 1 }).SetName("Unsqueeze_scalar");
        yield return new TestCaseData(new[] { 2, 0 }, 1, new[] { 2, 1, 0 }).SetName("Unsqueeze_[2x0]_axis1");
    }

    [TestCaseSource(nameof(Unsqueezes))]
    public void Unsqueeze(int[] shape, int axis, int[] expected)
    {
        Tensor x = Inputs.Normal(23, shape);
        Tensor y = x.Unsqueeze(axis);
        Assert.That(y.Shape, Is.EqualTo(expected));
        Assert.That(y.SharesStorageWith(x), Is.True);
        GradAssert.Float32MatchesFloat64(v => v[0].Unsqueeze(axis) * v[1], [x, Inputs.Normal(24, expected)]);
    }

    [Test]
    public void Unsqueeze_Broadcasts_AsAColumn()
    {
        // The usual use: a [n] vector as a [n,1] column against a [n,m] matrix; the gradient sums the broadcast back.
        Tensor v = Inputs.Normal(25, 3);
        GradAssert.GradCheck(t => t[0].Unsqueeze(1) * t[1], [v, Inputs.Normal(26, 3, 4)]);
    }

    private static IEnumerable<TestCaseData> Flattens()
    {
        yield return new TestCaseData(new[] { 2, 3, 4 }, 0, -1, new[] { 24 }).SetName("Flatten_[2x3x4]_all");
        yield return new TestCaseData(new[] { 2, 3, 4 }, 1, 2, new[] { 2, 12 }).SetName("Flatten_[2x3x4]_1..2");
        yield return new TestCaseData(new[] { 2, 3, 4, 5 }, 1, -2, new[] { 2, 12, 5 }).SetName("Flatten_[2x3x4x5]_1..-2");
        yield return new TestCaseData(new[] { 2, 3, 4 }, -2, -2, new[] { 2, 3, 4 }).SetName("Flatten_[2x3x4]_one_axis");
        yield return new TestCaseData(Array.Empty<int>(), 0, -1, new[] { 1 }).SetName("Flatten_scalar");
        yield return new TestCaseData(new[] { 2, 0, 3 }, 0, 1, new[] { 0, 3 }).SetName("Flatten_[2x0x3]_0..1");
    }

    [TestCaseSource(nameof(Flattens))]
    public void Flatten(int[] shape, int start, int end, int[] expected)
    {
        Tensor x = Inputs.Normal(27, shape);
        Tensor y = x.Flatten(start, end);
        Assert.That(y.Shape, Is.EqualTo(expected));
        Assert.That(y.SharesStorageWith(x), Is.True);
        Assert.That(y.ToArray<double>(), Is.EqualTo(x.ToArray<double>()));
        GradAssert.Float32MatchesFloat64(v => v[0].Flatten(start, end) * v[1], [x, Inputs.Normal(28, expected)]);
    }

    [Test]
    public void Views_ShareTheVersion_SoAnInPlaceChangeIsCaught()
    {
        Tensor x = Inputs.Normal(29, 2, 1);
        Tensor y = x.Exp();
        Tensor squeezed = y.Squeeze(1);
        Tensor loss = (squeezed * squeezed).Sum();   // Mul saves the view
        using (Tape.NoGrad())
        {
            y.MulInPlace(2);
        }

        Assert.That(() => loss.Backward(), Throws.InvalidOperationException.With.Message.Contains("modified in place"));
    }

    [Test]
    public void Errors_NameTheOpAndTheRank()
    {
        Tensor x = Tensor.Zeros([2, 3]);
        Assert.That(() => x.Squeeze(2),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Squeeze: axis 2 is out of range").And.Message.Contains("rank 2"));
        Assert.That(() => x.Unsqueeze(3),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Unsqueeze: axis 3 is out of range"));
        Assert.That(() => x.Unsqueeze(-4),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Unsqueeze: axis -4"));
        Assert.That(() => x.Flatten(1, 0),
            Throws.ArgumentException.With.Message.Contains("Flatten: start axis 1 comes after end axis 0 for [2,3]"));
        Assert.That(() => x.Flatten(0, 2),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Flatten: axis 2 is out of range"));
        Assert.That(() => Tensor.Scalar(1).Squeeze(1),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Squeeze: axis 1"));
    }
}

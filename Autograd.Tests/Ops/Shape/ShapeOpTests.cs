using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Shape;

/// <summary>Reshape.cs and Transpose.cs.</summary>
public class ShapeOpTests
{
    private static IEnumerable<TestCaseData> Reshapes()
    {
        yield return new TestCaseData(new[] { 2, 3, 4 }, new[] { 6, -1 }, new[] { 6, 4 }).SetName("Reshape_[2x3x4]_to_[6x-1]");
        yield return new TestCaseData(new[] { 2, 3, 4 }, new[] { -1 }, new[] { 24 }).SetName("Reshape_[2x3x4]_to_[-1]");
        yield return new TestCaseData(new[] { 2, 3, 4 }, new[] { 4, 1, -1 }, new[] { 4, 1, 6 }).SetName("Reshape_[2x3x4]_to_[4x1x-1]");
        yield return new TestCaseData(new[] { 3, 4 }, new[] { 4, 3 }, new[] { 4, 3 }).SetName("Reshape_[3x4]_to_[4x3]");
        yield return new TestCaseData(new[] { 1, 1 }, Array.Empty<int>(), Array.Empty<int>()).SetName("Reshape_[1x1]_to_scalar");
        yield return new TestCaseData(Array.Empty<int>(), new[] { -1, 1 }, new[] { 1, 1 }).SetName("Reshape_scalar_to_[-1x1]");
    }

    [TestCaseSource(nameof(Reshapes))]
    public void Reshape_ResolvesShape_AndGradChecks(int[] from, int[] to, int[] expected)
    {
        Tensor x = Inputs.Normal(41, from);
        Tensor y = x.Reshape(to);
        Assert.That(y.Shape, Is.EqualTo(expected));
        Assert.That(y.ToArray<double>(), Is.EqualTo(x.ToArray<double>()), "row-major order is kept");
        // Multiply by a weight so each element's gradient differs and a wrong order would show.
        GradAssert.Float32MatchesFloat64(v => v[0].Reshape(to) * v[1], [x, Inputs.Normal(42, expected)]);
    }

    [TestCase(3, 4)]
    [TestCase(1, 5)]
    [TestCase(5, 1)]
    [TestCase(7, 9)]
    public void Transpose_GradCheck(int rows, int columns) =>
        GradAssert.Float32MatchesFloat64(v => v[0].Transpose() * v[1], [Inputs.Normal(43, rows, columns), Inputs.Normal(44, columns, rows)]);

    [Test]
    public void Transpose_Values()
    {
        Tensor x = Tensor.FromArray(new[] { 1.0, 2, 3, 4, 5, 6 }, 2, 3);
        Tensor y = x.Transpose();
        Assert.That(y.Shape, Is.EqualTo(new[] { 3, 2 }));
        GradAssert.Values(y, [1, 4, 2, 5, 3, 6]);
    }
}

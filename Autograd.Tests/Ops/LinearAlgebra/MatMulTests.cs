using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.LinearAlgebra;

public class MatMulTests
{
    private static IEnumerable<TestCaseData> Shapes()
    {
        yield return new TestCaseData(new[] { 2, 3 }, new[] { 3, 4 }).SetName("MatMul_[2x3]_[3x4]");
        yield return new TestCaseData(new[] { 1, 5 }, new[] { 5, 1 }).SetName("MatMul_[1x5]_[5x1]");
        yield return new TestCaseData(new[] { 4, 1 }, new[] { 1, 3 }).SetName("MatMul_[4x1]_[1x3]");
        yield return new TestCaseData(new[] { 5, 7 }, new[] { 7, 6 }).SetName("MatMul_[5x7]_[7x6]");
        yield return new TestCaseData(new[] { 2, 3, 4 }, new[] { 2, 4, 5 }).SetName("MatMul_[2x3x4]_[2x4x5]");
        yield return new TestCaseData(new[] { 1, 2, 2 }, new[] { 1, 2, 3 }).SetName("MatMul_[1x2x2]_[1x2x3]");
        yield return new TestCaseData(new[] { 3, 1, 4 }, new[] { 3, 4, 1 }).SetName("MatMul_[3x1x4]_[3x4x1]");
    }

    [TestCaseSource(nameof(Shapes))]
    public void GradCheck_Float64(int[] a, int[] b) =>
        GradAssert.GradCheck(v => v[0].MatMul(v[1]), [Inputs.Normal(21, a), Inputs.Normal(22, b)]);

    [TestCaseSource(nameof(Shapes))]
    public void Float32MatchesFloat64(int[] a, int[] b) =>
        GradAssert.Float32MatchesFloat64(v => v[0].MatMul(v[1]), [Inputs.Normal(23, a), Inputs.Normal(24, b)]);

    [TestCase(false, false)]
    [TestCase(true, false)]
    [TestCase(false, true)]
    [TestCase(true, true)]
    public void TransposeFlags_GradCheck(bool transA, bool transB)
    {
        // op(A) is [3,4] and op(B) is [4,2]; the flags pick which stored layout is read.
        int[] a = transA ? [4, 3] : [3, 4];
        int[] b = transB ? [2, 4] : [4, 2];
        GradAssert.Float32MatchesFloat64(
            v => Autograd.Ops.MatMul.Forward(v[0], v[1], transA, transB), [Inputs.Normal(25, a), Inputs.Normal(26, b)]);
    }

    [TestCase(false, false)]
    [TestCase(true, false)]
    [TestCase(false, true)]
    [TestCase(true, true)]
    public void TransposeFlags_Batched_GradCheck(bool transA, bool transB)
    {
        int[] a = transA ? [2, 4, 3] : [2, 3, 4];
        int[] b = transB ? [2, 2, 4] : [2, 4, 2];
        GradAssert.GradCheck(v => Autograd.Ops.MatMul.Forward(v[0], v[1], transA, transB), [Inputs.Normal(27, a), Inputs.Normal(28, b)]);
    }

    [Test]
    public void TransposeFlags_EqualExplicitTranspose()
    {
        Tensor a = Tensor.Randn([4, 3], 1, DType.Float64);
        Tensor b = Tensor.Randn([2, 4], 2, DType.Float64);
        Tensor flagged = Autograd.Ops.MatMul.Forward(a, b, transA: true, transB: true);
        Tensor explicitly = a.Transpose().MatMul(b.Transpose());
        GradAssert.Values(flagged, explicitly.ToArray<double>(), 1e-14);
    }

    [Test]
    public void Values_AndGradients_AgainstHandComputedNumbers()
    {
        // [[1,2],[3,4]]·[[5,6],[7,8]] = [[19,22],[43,50]]; with G = ones: dA = G·Bᵀ, dB = Aᵀ·G.
        Tensor a = Inputs.Of([1, 2, 3, 4], 2, 2);
        Tensor b = Inputs.Of([5, 6, 7, 8], 2, 2);
        Tensor c = a.MatMul(b);
        GradAssert.Values(c, [19, 22, 43, 50]);
        c.Sum().Backward();
        Assert.That(GradAssert.GradOf(a), Is.EqualTo(new[] { 11.0, 15, 11, 15 }));
        Assert.That(GradAssert.GradOf(b), Is.EqualTo(new[] { 4.0, 4, 6, 6 }));
    }

    [Test]
    public void Batched_Values_AreOneProductPerSlice()
    {
        Tensor a = Tensor.FromArray(new[] { 1.0, 2, 3, 4, 1, 0, 0, 1 }, 2, 2, 2);
        Tensor b = Tensor.FromArray(new[] { 5.0, 6, 7, 8, 9, 10, 11, 12 }, 2, 2, 2);
        Tensor c = a.MatMul(b);
        Assert.That(c.Shape, Is.EqualTo(new[] { 2, 2, 2 }));
        GradAssert.Values(c, [19, 22, 43, 50, 9, 10, 11, 12]);
    }
}

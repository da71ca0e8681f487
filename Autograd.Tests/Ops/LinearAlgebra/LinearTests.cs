using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.LinearAlgebra;

public class LinearTests
{
    [Test]
    public void Batch_WithBias_GradCheck() =>
        GradAssert.Float32MatchesFloat64(
            v => Functional.Linear(v[0], v[1], v[2]), [Inputs.Normal(31, 4, 3), Inputs.Normal(32, 2, 3), Inputs.Normal(33, 2)]);

    [Test]
    public void Batch_WithoutBias_GradCheck() =>
        GradAssert.Float32MatchesFloat64(v => Functional.Linear(v[0], v[1]), [Inputs.Normal(34, 5, 3), Inputs.Normal(35, 4, 3)]);

    [Test]
    public void SingleSample_GradCheck()
    {
        Tensor[] inputs = [Inputs.Normal(36, 3), Inputs.Normal(37, 2, 3), Inputs.Normal(38, 2)];
        Assert.That(Functional.Linear(inputs[0], inputs[1], inputs[2]).Shape, Is.EqualTo(new[] { 2 }));
        GradAssert.Float32MatchesFloat64(v => Functional.Linear(v[0], v[1], v[2]), inputs);
    }

    [Test]
    public void Values_AreXTimesWTransposedPlusB()
    {
        // x = [[1,2]], W = [[1,0],[0,1],[1,1]], b = [10,20,30] → [11, 22, 33].
        Tensor x = Tensor.FromArray(new[] { 1.0, 2 }, 1, 2);
        Tensor w = Tensor.FromArray(new[] { 1.0, 0, 0, 1, 1, 1 }, 3, 2);
        Tensor b = Tensor.FromArray(new[] { 10.0, 20, 30 }, 3);
        GradAssert.Values(Functional.Linear(x, w, b), [11, 22, 33]);
    }
}

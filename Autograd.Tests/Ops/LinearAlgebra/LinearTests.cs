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

    [TestCase(true, true, true)]
    [TestCase(false, true, true)]
    [TestCase(true, false, true)]
    [TestCase(true, true, false)]
    [TestCase(false, false, true)]
    public void WithBias_OneEntry_BitIdenticalToMatMulThenAdd(bool xGrad, bool wGrad, bool bGrad)
    {
        // Linear with a bias is one fused op; its values and gradients must be those of the composition it replaced.
        var random = new Random(7);
        Tensor Make(int[] shape, bool requiresGrad)
        {
            int count = shape.Aggregate(1, (a, b) => a * b);
            Tensor t = Tensor.FromArray(Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray(), shape);
            t.RequiresGrad = requiresGrad;
            return t;
        }

        Tensor x = Make([2, 5, 7], xGrad), w = Make([3, 7], wGrad), b = Make([3], bGrad);
        Tensor fused = Functional.Linear(x, w, b);
        Tensor composed = (x.Reshape(10, 7).MatMul(w.Transpose(0, 1)) + b).Reshape(2, 5, 3);
        Assert.That(fused.ToArray<float>(), Is.EqualTo(composed.ToArray<float>()));
        Assert.That(fused.GradFn!.Name, Is.EqualTo("Reshape"));
        Assert.That(Functional.Linear(x.Reshape(10, 7), w, b).GradFn!.Name, Is.EqualTo("Linear"));

        Tensor upstream = Make([2, 5, 3], false);
        Tensor[] targets = new[] { (x, xGrad), (w, wGrad), (b, bGrad) }.Where(t => t.Item2).Select(t => t.Item1).ToArray();
        Tensor?[] expected = Tape.Grad(composed, targets, upstream);
        Tensor?[] actual = Tape.Grad(fused, targets, upstream);
        for (int i = 0; i < targets.Length; i++)
        {
            Assert.That(actual[i]!.ToArray<float>(), Is.EqualTo(expected[i]!.ToArray<float>()), $"target {i}");
        }
    }

    [Test]
    public void WithBias_SecondOrder_GradGradCheck() =>
        GradAssert.Float32MatchesFloat64(
            v => (Functional.Linear(v[0], v[1], v[2]).Tanh() * v[1].Sum()).Sum(), [Inputs.Normal(41, 4, 3), Inputs.Normal(42, 2, 3), Inputs.Normal(43, 2)]);
}

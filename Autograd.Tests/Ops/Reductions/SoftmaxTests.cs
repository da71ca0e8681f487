using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Reductions;

/// <summary>Softmax and LogSoftmax along any axis, including non-last ones, and at logits of ±1000.</summary>
public class SoftmaxTests
{
    private static IEnumerable<TestCaseData> AxisCases()
    {
        int[][] shapes = [[5], [3, 4], [2, 3, 4], [2, 1, 3]];
        foreach (int[] shape in shapes)
        {
            for (int axis = -shape.Length; axis < shape.Length; axis++)
            {
                foreach (bool log in new[] { false, true })
                {
                    yield return new TestCaseData(shape, axis, log)
                        .SetName($"{(log ? "LogSoftmax" : "Softmax")}_[{string.Join("x", shape)}]_axis{axis}");
                }
            }
        }
    }

    // The full Jacobian is checked (the output is not reduced), so every cross term of the VJP is exercised.
    [TestCaseSource(nameof(AxisCases))]
    public void GradCheck(int[] shape, int axis, bool log) =>
        GradAssert.Float32MatchesFloat64(v => log ? v[0].LogSoftmax(axis) : v[0].Softmax(axis), [Inputs.Normal(71, shape)]);

    [Test]
    public void Values_AgainstHandComputedNumbers()
    {
        // softmax([1,2,3]) = e^i / (e + e² + e³).
        Tensor x = Tensor.FromArray(new[] { 1.0, 2, 3 }, 3);
        double z = Math.E + Math.Exp(2) + Math.Exp(3);
        GradAssert.Values(x.Softmax(0), [Math.E / z, Math.Exp(2) / z, Math.Exp(3) / z], 1e-15);
        GradAssert.Values(x.LogSoftmax(-1), [1 - Math.Log(z), 2 - Math.Log(z), 3 - Math.Log(z)], 1e-14);
    }

    [Test]
    public void NonLastAxis_NormalisesColumns()
    {
        // Softmax over axis 0 of [[0, ln 3], [0, 0]]: columns [½, ½] and [¾, ¼].
        Tensor x = Tensor.FromArray(new[] { 0.0, Math.Log(3), 0, 0 }, 2, 2);
        GradAssert.Values(x.Softmax(0), [0.5, 0.75, 0.5, 0.25], 1e-15);
        Tensor rank3 = Tensor.Randn([2, 3, 4], 5, DType.Float64).Softmax(1);
        double[] p = rank3.ToArray<double>();
        for (int i = 0; i < 2; i++)
        {
            for (int k = 0; k < 4; k++)
            {
                double sum = p[(i * 12) + k] + p[(i * 12) + 4 + k] + p[(i * 12) + 8 + k];
                Assert.That(sum, Is.EqualTo(1).Within(1e-15));
            }
        }
    }

    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    public void HugeLogits_AreStable(DType dtype)
    {
        Tensor x = Tensor.FromArray(new[] { 1000.0, 0, -1000, 1000, 1000, -1000 }, 2, 3).To(dtype);
        x.RequiresGrad = true;
        Tensor p = x.Softmax(1);
        GradAssert.Values(p, [1, 0, 0, 0.5, 0.5, 0], 1e-7);
        Tensor logP = x.LogSoftmax(1);
        GradAssert.Values(logP, [0, -1000, -2000, -Math.Log(2), -Math.Log(2), -2000 - Math.Log(2)], 1e-3);   // float32 steps are 1.2e-4 at 2000

        // d/dx Σ w·softmax(x) with w = [1,2,3] per row: p ⊙ (w − p·w).
        p.Backward(Tensor.FromArray(new[] { 1.0, 2, 3, 1, 2, 3 }, 2, 3).To(dtype));
        GradAssert.Values(x.Grad!, [0, 0, 0, -0.25, 0.25, 0], 1e-7);

        // d/dx Σ logsoftmax(x)[0] (one-hot upstream) = onehot − p.
        x.ZeroGrad();
        logP.Backward(Tensor.FromArray(new[] { 0.0, 1, 0, 1, 0, 0 }, 2, 3).To(dtype));
        GradAssert.Values(x.Grad!, [-1, 1, 0, 0.5, -0.5, 0], 1e-7);
    }
}

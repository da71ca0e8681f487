using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Attention;

/// <summary>Functional.ScaledDotProductAttention: values against a naive loop, masks, causality, gradients to second order.</summary>
public class ScaledDotProductAttentionTests
{
    /// <summary>softmax(q·kᵀ/√E + mask)·v for one [L,E] × [S,E] × [S,Ev] item, in doubles, the slow way.</summary>
    private static double[] Naive(double[] q, double[] k, double[] v, int l, int s, int e, int ev, Func<int, int, double> mask)
    {
        var output = new double[l * ev];
        for (int i = 0; i < l; i++)
        {
            var scores = new double[s];
            for (int j = 0; j < s; j++)
            {
                double dot = 0;
                for (int t = 0; t < e; t++)
                {
                    dot += q[(i * e) + t] * k[(j * e) + t];
                }

                scores[j] = (dot / Math.Sqrt(e)) + mask(i, j);
            }

            double max = scores.Max();
            double[] weights = scores.Select(x => Math.Exp(x - max)).ToArray();
            double sum = weights.Sum();
            for (int j = 0; j < s; j++)
            {
                for (int t = 0; t < ev; t++)
                {
                    output[(i * ev) + t] += weights[j] / sum * v[(j * ev) + t];
                }
            }
        }

        return output;
    }

    [Test]
    public void Values_MatchTheNaiveFormula_WithBatchDimensions()
    {
        Tensor q = Inputs.Normal(1, 2, 3, 4), k = Inputs.Normal(2, 2, 5, 4), v = Inputs.Normal(3, 2, 5, 6);
        double[] actual = Functional.ScaledDotProductAttention(q, k, v).ToArray<double>();
        Assert.That(Functional.ScaledDotProductAttention(q, k, v).Shape, Is.EqualTo(new[] { 2, 3, 6 }));
        for (int b = 0; b < 2; b++)
        {
            double[] expected = Naive(q.ToArray<double>()[(b * 12)..((b + 1) * 12)], k.ToArray<double>()[(b * 20)..((b + 1) * 20)],
                v.ToArray<double>()[(b * 30)..((b + 1) * 30)], 3, 5, 4, 6, (_, _) => 0);
            GradAssert.AssertClose(actual[(b * 18)..((b + 1) * 18)], expected, 1e-12, 1e-12, $"batch item {b}");
        }
    }

    [Test]
    public void Causal_KeepsKeysUpToTheQuery_AndEqualsTheBoolMaskOfALowerTriangle()
    {
        Tensor q = Inputs.Normal(4, 4, 3), k = Inputs.Normal(5, 4, 3), v = Inputs.Normal(6, 4, 2);
        double[] causal = Functional.ScaledDotProductAttention(q, k, v, isCausal: true).ToArray<double>();
        double[] expected = Naive(q.ToArray<double>(), k.ToArray<double>(), v.ToArray<double>(), 4, 4, 3, 2,
            (i, j) => j <= i ? 0 : double.NegativeInfinity);
        GradAssert.AssertClose(causal, expected, 1e-12, 1e-12, "causal");

        var lower = Enumerable.Range(0, 16).Select(n => n % 4 <= n / 4).ToArray();
        double[] masked = Functional.ScaledDotProductAttention(q, k, v, Tensor.FromArray(lower, 4, 4)).ToArray<double>();
        Assert.That(masked, Is.EqualTo(causal));

        // The first query sees only the first key: its output is the first value row exactly.
        Assert.That(causal[..2], Is.EqualTo(v.ToArray<double>()[..2]));
    }

    [Test]
    public void AdditiveMask_IsAddedToTheScores_AndBroadcastsOverTheBatch()
    {
        Tensor q = Inputs.Normal(7, 2, 3, 2), k = Inputs.Normal(8, 2, 4, 2), v = Inputs.Normal(9, 2, 4, 2);
        Tensor mask = Inputs.Normal(10, 3, 4);
        double[] actual = Functional.ScaledDotProductAttention(q, k, v, mask).ToArray<double>();
        double[] m = mask.ToArray<double>();
        double[] expected = Naive(q.ToArray<double>()[..6], k.ToArray<double>()[..8], v.ToArray<double>()[..8], 3, 4, 2, 2,
            (i, j) => m[(i * 4) + j]);
        GradAssert.AssertClose(actual[..6], expected, 1e-12, 1e-12, "additive mask");
    }

    [Test]
    public void Gradients_FirstAndSecondOrder_PlainCausalAndMasked()
    {
        Tensor q = Inputs.Normal(11, 2, 3, 2), k = Inputs.Normal(12, 2, 3, 2), v = Inputs.Normal(13, 2, 3, 2);
        GradAssert.GradCheck(t => Functional.ScaledDotProductAttention(t[0], t[1], t[2]), [q, k, v]);
        GradAssert.GradCheck(t => Functional.ScaledDotProductAttention(t[0], t[1], t[2], isCausal: true), [q, k, v]);
        Tensor mask = Tensor.FromArray(new[] { true, false, true, true, true, false, false, true, true }, 3, 3);
        GradAssert.GradCheck(t => Functional.ScaledDotProductAttention(t[0], t[1], t[2], mask), [q, k, v]);
        Tensor additive = Inputs.Normal(14, 3, 3);
        GradAssert.GradCheck(t => Functional.ScaledDotProductAttention(t[0], t[1], t[2], t[3]), [q, k, v, additive]);
    }

    [Test]
    public void BadShapesAndMasks_GiveClearErrors()
    {
        Tensor q = Tensor.Zeros([2, 3, 4]), k = Tensor.Zeros([2, 5, 4]), v = Tensor.Zeros([2, 5, 6]);
        var ex = Assert.Throws<ArgumentException>(() => Functional.ScaledDotProductAttention(q, Tensor.Zeros([2, 5, 3]), v));
        Assert.That(ex!.Message, Does.Contain("ScaledDotProductAttention").And.Contain("[2,3,4]").And.Contain("[2,5,3]"));
        ex = Assert.Throws<ArgumentException>(() => Functional.ScaledDotProductAttention(q, k, Tensor.Zeros([2, 4, 6])));
        Assert.That(ex!.Message, Does.Contain("same").And.Contain("[2,4,6]"));
        ex = Assert.Throws<ArgumentException>(() => Functional.ScaledDotProductAttention(Tensor.Zeros([4]), k, v));
        Assert.That(ex!.Message, Does.Contain("at least 2-D"));
        ex = Assert.Throws<ArgumentException>(() =>
            Functional.ScaledDotProductAttention(q, k, v, Tensor.Zeros([3, 5], DType.Bool), isCausal: true));
        Assert.That(ex!.Message, Does.Contain("not both"));
        ex = Assert.Throws<ArgumentException>(() => Functional.ScaledDotProductAttention(q, k, v, Tensor.Zeros([3, 5], DType.Int64)));
        Assert.That(ex!.Message, Does.Contain("attnMask must be Bool"));
    }
}

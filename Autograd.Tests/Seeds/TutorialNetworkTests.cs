using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Seeds;

/// <summary>
/// The networks of shared/seeds/001_99c68d54839f4e9b.txt (binary classifier) and 002_e18d81f6fabee860.txt (softmax
/// classifier) on seeded random data, with gradients computed by the tutorials' formulas in plain double arrays
/// and compared with Backward().
/// </summary>
[TestFixture(DType.Float64, 1e-12)]
[TestFixture(DType.Float32, 2e-5)]
public class TutorialNetworkTests(DType dtype, double tolerance)
{
    private readonly DType _dtype = dtype;
    private readonly double _tolerance = tolerance;

    /// <summary>001: f(x) = σ(max(0, x·w1)·w2 + b), mean BCE; x [N,2], w1 [2,3], w2 [3,1], b [1].</summary>
    [TestCase(8, 1)]
    [TestCase(5, 2)]
    [TestCase(2, 5)]
    public void BinaryClassifier_GradientsMatchTheTutorialsFormulas(int n, int seed)
    {
        Tensor x = Data([n, 2], seed);
        double[] labels = Enumerable.Range(0, n).Select(i => (double)((i + seed) % 2)).ToArray();
        Tensor y = Tensor.FromArray(labels, n, 1).To(_dtype);
        Tensor w1 = Parameter([2, 3], seed + 10);
        Tensor w2 = Parameter([3, 1], seed + 20);
        Tensor b = Parameter([1], seed + 30);

        Tensor pre = x.MatMul(w1);
        Tensor h = pre.Relu();
        Tensor p = (h.MatMul(w2) + b).Sigmoid();
        Tensor loss = Loss.BinaryCrossEntropy(p, y);
        loss.Backward();

        // By hand: dℓ/dp = −(y/p − (1 − y)/(1 − p))/N, dp/dz = p(1 − p), dz/dw2 = hᵀ, dz/db = 1ᵀ,
        // dz/dh = w2ᵀ, dh/d(xw1) = [xw1 > 0], d(xw1)/dw1 = xᵀ.
        double[] xs = x.ToArray<double>(), ps = p.ToArray<double>(), hs = h.ToArray<double>(), pres = pre.ToArray<double>();
        double[] dp = Dense.Zip(ps, labels, (pi, yi) => -((yi / pi) - ((1 - yi) / (1 - pi))) / n);
        double[] dz = Dense.Zip(dp, ps, (g, pi) => g * pi * (1 - pi));
        double[] dw2 = Dense.MatMul(hs, dz, 3, n, 1, transA: true);
        double[] db = [dz.Sum()];
        double[] dh = Dense.MatMul(dz, w2.ToArray<double>(), n, 1, 3, transB: true);
        double[] dpre = Dense.Zip(dh, pres, (g, v) => v > 0 ? g : 0);
        double[] dw1 = Dense.MatMul(xs, dpre, 2, n, 3, transA: true);

        double expectedLoss = -labels.Select((yi, i) => (yi * Math.Log(ps[i])) + ((1 - yi) * Math.Log(1 - ps[i]))).Average();
        Assert.That(loss.Item(), Is.EqualTo(expectedLoss).Within(_tolerance));
        GradAssert.AssertClose(w1.Grad!.ToArray<double>(), dw1, _tolerance, _tolerance, "dw1");
        GradAssert.AssertClose(w2.Grad!.ToArray<double>(), dw2, _tolerance, _tolerance, "dw2");
        GradAssert.AssertClose(b.Grad!.ToArray<double>(), db, _tolerance, _tolerance, "db");
        Assert.That(dpre.Count(v => v == 0), Is.LessThan(dpre.Length), "some units are active");
    }

    /// <summary>001 again, with the sigmoid folded into the loss: the same gradients.</summary>
    [Test]
    public void BinaryClassifier_WithLogitsLoss_GivesTheSameGradients()
    {
        Tensor x = Data([6, 2], 4);
        Tensor y = Tensor.FromArray(new[] { 0.0, 1, 1, 0, 1, 0 }, 6, 1).To(_dtype);
        Tensor w1 = Parameter([2, 3], 14), w2 = Parameter([3, 1], 24), b = Parameter([1], 34);
        Tensor Logits() => x.MatMul(w1).Relu().MatMul(w2) + b;

        Loss.BinaryCrossEntropy(Logits().Sigmoid(), y).Backward();
        double[][] viaProbabilities = [w1.Grad!.ToArray<double>(), w2.Grad!.ToArray<double>(), b.Grad!.ToArray<double>()];
        foreach (Tensor parameter in new[] { w1, w2, b })
        {
            parameter.ZeroGrad();
        }

        Loss.BinaryCrossEntropyWithLogits(Logits(), y).Backward();
        GradAssert.AssertClose(w1.Grad!.ToArray<double>(), viaProbabilities[0], _tolerance, _tolerance, "dw1");
        GradAssert.AssertClose(w2.Grad!.ToArray<double>(), viaProbabilities[1], _tolerance, _tolerance, "dw2");
        GradAssert.AssertClose(b.Grad!.ToArray<double>(), viaProbabilities[2], _tolerance, _tolerance, "db");
    }

    /// <summary>
    /// 002: y1 = X·W1 + b1, h1 = max(0, y1), y2 = h1·W2 + b2, softmax cross-entropy. The tutorial's backward:
    /// dy2 = (probs − onehot)/N, dW2 = h1ᵀ·dy2, db2 = Σ dy2, dh1 = dy2·W2ᵀ, dy1 = dh1 ⊙ [y1 &gt; 0],
    /// dW1 = Xᵀ·dy1, db1 = Σ dy1. (It writes the mask as y1 ≥ 0; random data never hits exactly 0.)
    /// </summary>
    [TestCase(6, 4, 5, 3, 1)]
    [TestCase(10, 3, 8, 4, 2)]
    [TestCase(1, 2, 3, 2, 3)]
    public void SoftmaxNetwork_GradientsMatchTheTutorialsFormulas(int n, int d, int hidden, int classes, int seed)
    {
        Tensor x = Data([n, d], seed);
        int[] labels = Enumerable.Range(0, n).Select(i => (i * 7 + seed) % classes).ToArray();
        Tensor w1 = Parameter([d, hidden], seed + 10), b1 = Parameter([hidden], seed + 20);
        Tensor w2 = Parameter([hidden, classes], seed + 30), b2 = Parameter([classes], seed + 40);

        Tensor y1 = x.MatMul(w1) + b1;
        Tensor h1 = y1.Relu();
        Tensor y2 = h1.MatMul(w2) + b2;
        Tensor loss = Loss.CrossEntropy(y2, labels);
        loss.Backward();

        double[] xs = x.ToArray<double>(), y1s = y1.ToArray<double>(), h1s = h1.ToArray<double>(), y2s = y2.ToArray<double>();
        double[] probs = new double[n * classes];
        double expectedLoss = 0;
        for (int i = 0; i < n; i++)
        {
            double[] row = y2s[(i * classes)..((i + 1) * classes)];
            double max = row.Max();
            double sum = row.Sum(v => Math.Exp(v - max));
            for (int c = 0; c < classes; c++)
            {
                probs[(i * classes) + c] = Math.Exp(row[c] - max) / sum;
            }

            expectedLoss -= Math.Log(probs[(i * classes) + labels[i]]) / n;
        }

        double[] dy2 = (double[])probs.Clone();
        for (int i = 0; i < n; i++)
        {
            dy2[(i * classes) + labels[i]] -= 1;
        }

        dy2 = Dense.Map(dy2, v => v / n);
        double[] dw2 = Dense.MatMul(h1s, dy2, hidden, n, classes, transA: true);
        double[] db2 = Dense.SumRows(dy2, classes);
        double[] dh1 = Dense.MatMul(dy2, w2.ToArray<double>(), n, classes, hidden, transB: true);
        double[] dy1 = Dense.Zip(dh1, y1s, (g, v) => v > 0 ? g : 0);
        double[] dw1 = Dense.MatMul(xs, dy1, d, n, hidden, transA: true);
        double[] db1 = Dense.SumRows(dy1, hidden);

        Assert.That(loss.Item(), Is.EqualTo(expectedLoss).Within(_tolerance));
        GradAssert.AssertClose(w2.Grad!.ToArray<double>(), dw2, _tolerance, _tolerance, "dW2");
        GradAssert.AssertClose(b2.Grad!.ToArray<double>(), db2, _tolerance, _tolerance, "db2");
        GradAssert.AssertClose(w1.Grad!.ToArray<double>(), dw1, _tolerance, _tolerance, "dW1");
        GradAssert.AssertClose(b1.Grad!.ToArray<double>(), db1, _tolerance, _tolerance, "db1");
    }

    private Tensor Data(int[] shape, int seed) => Tensor.Randn(shape, seed, _dtype);

    private Tensor Parameter(int[] shape, int seed)
    {
        Tensor p = Tensor.Randn(shape, seed, _dtype);
        p.RequiresGrad = true;
        return p;
    }
}

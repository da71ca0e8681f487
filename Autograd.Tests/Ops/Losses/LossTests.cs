using System.Reflection;
using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Losses;

/// <summary>Loss.Mse, BinaryCrossEntropy, BinaryCrossEntropyWithLogits and CrossEntropy.</summary>
public class LossTests
{
    private static readonly int[][] _shapes = [[1], [5], [3, 4], [2, 3, 2]];

    [TestCaseSource(nameof(_shapes))]
    public void Mse_GradCheck(int[] shape) =>
        GradAssert.Float32MatchesFloat64(v => Loss.Mse(v[0], v[1]), [Inputs.Normal(91, shape), Inputs.Normal(92, shape)]);

    [TestCaseSource(nameof(_shapes))]
    public void BinaryCrossEntropy_GradCheck(int[] shape) =>
        // Soft targets in [0, 1] so that the target's gradient is exercised too.
        GradAssert.Float32MatchesFloat64(
            v => Loss.BinaryCrossEntropy(v[0], v[1]), [Inputs.Uniform(93, 0.05, 0.95, shape), Inputs.Uniform(94, 0, 1, shape)]);

    [TestCaseSource(nameof(_shapes))]
    public void BinaryCrossEntropyWithLogits_GradCheck(int[] shape)
    {
        Tensor logits = Inputs.Normal(95, shape) * 3;
        Tensor leaf = Inputs.Of(logits.ToArray<double>(), shape);
        GradAssert.Float32MatchesFloat64(v => Loss.BinaryCrossEntropyWithLogits(v[0], v[1]), [leaf, Inputs.Uniform(96, 0, 1, shape)]);
    }

    [Test]
    public void BinaryCrossEntropyWithLogits_EqualsBinaryCrossEntropyOfSigmoid()
    {
        Tensor z = Tensor.Randn([7], 97, DType.Float64);
        Tensor t = Tensor.Rand([7], 98, dtype: DType.Float64);
        Assert.That(Loss.BinaryCrossEntropyWithLogits(z, t).Item(),
            Is.EqualTo(Loss.BinaryCrossEntropy(z.Sigmoid(), t).Item()).Within(1e-14));
    }

    [TestCase(new[] { 4, 5 }, new[] { 0, 3, 4, 1 })]
    [TestCase(new[] { 1, 3 }, new[] { 2 })]
    [TestCase(new[] { 6, 2 }, new[] { 1, 0, 0, 1, 1, 1 })]
    [TestCase(new[] { 3, 1 }, new[] { 0, 0, 0 })]
    public void CrossEntropy_GradCheck(int[] shape, int[] labels) =>
        GradAssert.Float32MatchesFloat64(v => Loss.CrossEntropy(v[0], labels), [Inputs.Normal(99, shape)]);

    [Test]
    public void Mse_Values()
    {
        Tensor p = Inputs.Of([1, 2, 3], 3);
        Tensor t = Inputs.Of([1, 1, 1], 3);
        Tensor loss = Loss.Mse(p, t);
        Assert.That(loss.Shape, Is.Empty);
        Assert.That(loss.Item(), Is.EqualTo(5.0 / 3).Within(1e-15));
        loss.Backward();
        // d/dp mean((p − t)²) = 2(p − t)/N.
        GradAssert.Values(p.Grad!, [0, 2.0 / 3, 4.0 / 3], 1e-15);
        GradAssert.Values(t.Grad!, [0, -2.0 / 3, -4.0 / 3], 1e-15);
    }

    [Test]
    public void BinaryCrossEntropy_Values()
    {
        Tensor p = Inputs.Of([0.5, 0.9], 2);
        Tensor t = Inputs.Of([1, 0], 2);
        Tensor loss = Loss.BinaryCrossEntropy(p, t);
        Assert.That(loss.Item(), Is.EqualTo(-(Math.Log(0.5) + Math.Log(0.1)) / 2).Within(1e-15));
        loss.Backward();
        // dp = (p − t) / (p(1 − p)) / N; dt = (log(1 − p) − log p) / N.
        GradAssert.Values(p.Grad!, [-1, 5], 1e-12);
        GradAssert.Values(t.Grad!, [0, (Math.Log(0.1) - Math.Log(0.9)) / 2], 1e-15);
    }

    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    public void BinaryCrossEntropy_AtZeroAndOne_ClampsLogAtMinus100(DType dtype)
    {
        // Wrong with certainty: each term is −log(0) clamped to 100. Right with certainty: 0.
        Tensor p = Tensor.FromArray(new[] { 0.0, 1, 0, 1 }, 4).To(dtype);
        Tensor t = Tensor.FromArray(new[] { 1.0, 0, 0, 1 }, 4).To(dtype);
        p.RequiresGrad = true;
        Tensor loss = Loss.BinaryCrossEntropy(p, t);
        Assert.That(loss.Item(), Is.EqualTo(50));
        loss.Backward();
        // PyTorch: (p − t) / max(p(1 − p), 1e−12) / N.
        double[] grad = GradAssert.GradOf(p);
        GradAssert.AssertClose(grad, [-0.25e12, 0.25e12, 0, 0], 1e-6, 0, "dp");
    }

    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    public void BinaryCrossEntropyWithLogits_AtHugeLogits_IsFiniteAndCorrect(DType dtype)
    {
        Tensor z = Tensor.FromArray(new[] { 200.0, 200, -200, -200 }, 4).To(dtype);
        Tensor t = Tensor.FromArray(new[] { 1.0, 0, 0, 1 }, 4).To(dtype);
        z.RequiresGrad = true;
        Tensor loss = Loss.BinaryCrossEntropyWithLogits(z, t);
        // Terms: ~0, 200, ~0, 200 (log(1 + e^−200) ≈ 1.4e−87).
        Assert.That(loss.Item(), Is.EqualTo(100).Within(1e-10));
        loss.Backward();
        GradAssert.Values(z.Grad!, [0, 0.25, 0, -0.25], 1e-12);
    }

    [Test]
    public void BinaryCrossEntropyWithLogits_Values()
    {
        // z = 0, t = 1: log 2; z = 2, t = 0: 2 + log(1 + e^−2).
        Tensor z = Inputs.Of([0, 2], 2);
        Tensor t = Inputs.Of([1, 0], 2);
        Tensor loss = Loss.BinaryCrossEntropyWithLogits(z, t);
        Assert.That(loss.Item(), Is.EqualTo((Math.Log(2) + 2 + Math.Log(1 + Math.Exp(-2))) / 2).Within(1e-15));
        loss.Backward();
        GradAssert.Values(z.Grad!, [(0.5 - 1) / 2, (1 / (1 + Math.Exp(-2))) / 2], 1e-15);
        GradAssert.Values(t.Grad!, [0, -1], 1e-15);
    }

    [Test]
    public void CrossEntropy_Values()
    {
        // −log softmax([1,2,3])[2] = log(1 + e^−1 + e^−2); row 2: uniform over 2 classes → log 2.
        Tensor logits = Inputs.Of([1, 2, 3, 5, 5, 5], 2, 3);
        Tensor loss = Loss.CrossEntropy(logits, [2, 0]);
        double first = Math.Log(1 + Math.Exp(-1) + Math.Exp(-2));
        Assert.That(loss.Item(), Is.EqualTo((first + Math.Log(3)) / 2).Within(1e-15));
        loss.Backward();
        double z = Math.E + Math.Exp(2) + Math.Exp(3);
        GradAssert.Values(logits.Grad!,
            [Math.E / z / 2, Math.Exp(2) / z / 2, ((Math.Exp(3) / z) - 1) / 2, (1.0 / 3 - 1) / 2, 1.0 / 6, 1.0 / 6], 1e-15);
    }

    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    public void CrossEntropy_HugeLogits_AreStable(DType dtype)
    {
        Tensor logits = Tensor.FromArray(new[] { 1000.0, -1000, 1000, -1000, -1000, 1000 }, 3, 2).To(dtype);
        logits.RequiresGrad = true;
        Tensor loss = Loss.CrossEntropy(logits, [1, 0, 1]);
        // Row 0 is wrong by 2000, rows 1 and 2 are right: mean 2000/3.
        Assert.That(loss.Item(), Is.EqualTo(2000.0 / 3).Within(1e-3));
        loss.Backward();
        GradAssert.Values(logits.Grad!, [1.0 / 3, -1.0 / 3, 0, 0, 0, 0], 1e-7);
    }

    [Test]
    public void CrossEntropy_EqualsNegativeMeanOfPickedLogSoftmax()
    {
        Tensor logits = Tensor.Randn([4, 3], 100, DType.Float64);
        int[] labels = [2, 0, 1, 1];
        double[] logP = logits.LogSoftmax(1).ToArray<double>();
        double expected = -labels.Select((label, i) => logP[(i * 3) + label]).Average();
        Assert.That(Loss.CrossEntropy(logits, labels).Item(), Is.EqualTo(expected).Within(1e-14));
    }

    [Test]
    public void CrossEntropy_IntLabels_CopiedForTheEntry_AndTheCopyGoesBackToThePoolOnRelease()
    {
        // 300 labels: a pooled length. The entry keeps a copy (the caller may change the array before Backward).
        int[] labels = Enumerable.Range(0, 300).Select(i => i % 3).ToArray();
        Tensor logits = Tensor.Randn([300, 3], 5);
        logits.RequiresGrad = true;
        Tensor expected = Tape.Grad(Loss.CrossEntropy(logits, labels), [logits])[0]!;

        Tensor loss = Loss.CrossEntropy(logits, labels);
        int[] copy = EntryLabels(loss)!;
        Assert.That(copy, Is.Not.SameAs(labels));
        Array.Fill(labels, 0);   // changed after the forward pass: the gradient still uses the labels it saw
        loss.Backward();
        Assert.That(logits.Grad!.ToArray<float>(), Is.EqualTo(expected.ToArray<float>()));
        Assert.That(EntryLabels(loss, released: true), Is.Null, "released with the entry");
        Assert.That(BufferPool.RentScratch<int>(300), Is.SameAs(copy), "the copy went back to the pool");
    }

    private static int[]? EntryLabels(Tensor loss, bool released = false)
    {
        TapeEntry entry = loss.GradFn!;
        object? layout = entry.GetType().GetField("_layout", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(entry);
        Assert.That(layout is null, Is.EqualTo(released));
        return (int[]?)layout?.GetType().GetProperty("Labels")!.GetValue(layout);
    }
}

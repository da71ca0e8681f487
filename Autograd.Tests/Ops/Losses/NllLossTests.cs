using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Losses;

/// <summary>Loss.NllLoss: gradient checks over its options, its tie to CrossEntropy, and its errors (values: <see cref="LossFixtureTests"/>).</summary>
public class NllLossTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        var cases = new (string Name, int[] Shape, long[] Labels, double[]? Weight, int Ignore)[]
        {
            ("plain", [4, 3], [0, 2, 1, 1], null, -100),
            ("weight+ignored", [4, 3], [0, -100, 2, 1], [2, 0.5, 1], -100),
            ("ignoreIndex is a class", [4, 3], [0, 2, 2, 1], [2, 0.5, 1], 2),
            ("[N,C,d]", [2, 4, 3], [3, 0, -100, 1, 1, 2], [1, 2, 3, 4], -100),
            ("[C]", [4], [1], [1, 2, 3, 4], -100),
        };
        foreach (var c in cases)
        {
            foreach (Reduction reduction in new[] { Reduction.Mean, Reduction.Sum, Reduction.None })
            {
                yield return new TestCaseData(c.Shape, c.Labels, c.Weight, c.Ignore, reduction).SetName($"{{m}}({c.Name}, {reduction})");
            }
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void GradCheck(int[] shape, long[] labels, double[]? weight, int ignoreIndex, Reduction reduction)
    {
        Tensor target = Tensor.FromArray(labels, shape.Length == 1 ? [] : [shape[0], .. shape[2..]]);
        GradAssert.Float32MatchesFloat64(
            v => Loss.NllLoss(v[0], target, weight is null ? null : Tensor.FromArray(weight, weight.Length).To(v[0].DType), ignoreIndex, reduction),
            [Inputs.Normal(21, shape)]);
    }

    [TestCaseSource(nameof(Cases))]
    public void OfLogSoftmax_IsCrossEntropy(int[] shape, long[] labels, double[]? weight, int ignoreIndex, Reduction reduction)
    {
        Tensor logits = Inputs.Normal(22, shape);
        Tensor target = Tensor.FromArray(labels, shape.Length == 1 ? [] : [shape[0], .. shape[2..]]);
        Tensor? w = weight is null ? null : Tensor.FromArray(weight, weight.Length);
        Tensor nll = Loss.NllLoss(logits.LogSoftmax(shape.Length == 1 ? 0 : 1), target, w, ignoreIndex, reduction);
        Tensor crossEntropy = Loss.CrossEntropy(logits, target, w, ignoreIndex, reduction: reduction);
        GradAssert.AssertClose(nll.ToArray<double>(), crossEntropy.ToArray<double>(), 1e-14, 1e-14, "loss");
        Tensor g = Tensor.Randn(nll.Shape, 23, DType.Float64);
        double[] viaNll = Tape.Grad(nll, [logits], g)[0]!.ToArray<double>();
        double[] viaCrossEntropy = Tape.Grad(crossEntropy, [logits], g)[0]!.ToArray<double>();
        GradAssert.AssertClose(viaNll, viaCrossEntropy, 1e-13, 1e-14, "gradient");
    }

    [Test]
    public void Values()
    {
        // −(w_y · x[y]) over the targets not ignored, divided by their total weight.
        Tensor x = Inputs.Of([-1, -2, -3, -4, -5, -6], 2, 3);
        Tensor loss = Loss.NllLoss(x, Tensor.FromArray(new long[] { 2, 0 }, 2), Tensor.FromArray(new[] { 0.5, 1, 2 }, 3));
        Assert.That(loss.Item(), Is.EqualTo(((2 * 3) + (0.5 * 4)) / 2.5).Within(1e-15));
        loss.Backward();
        GradAssert.Values(x.Grad!, [0, 0, -2 / 2.5, -0.5 / 2.5, 0, 0], 1e-15);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void AllIgnored_Mean_IsNaN_WithAZeroGradient(bool createGraph)
    {
        Tensor x = Inputs.Normal(24, 2, 3);
        Tensor loss = Loss.NllLoss(x, Tensor.FromArray(new long[] { -100, -100 }, 2));
        Assert.That(loss.Item(), Is.NaN);
        Assert.That(Tape.Grad(loss, [x], createGraph: createGraph)[0]!.ToArray<double>(), Is.All.EqualTo(0.0));
    }

    [Test]
    public void Errors_NameTheOp()
    {
        Tensor x = Tensor.Zeros([3, 4]);
        Assert.That(() => Loss.NllLoss(x, Tensor.FromArray(new long[] { 0, 4, 1 }, 3)),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("NllLoss: target[1] = 4 is out of range for 4 classes"));
        Assert.That(() => Loss.NllLoss(x, Tensor.Zeros([3, 4])),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("NllLoss: target [3,4] is Float32; expected Int64 class indices of shape [3]"));
        Assert.That(() => Loss.NllLoss(x, Tensor.Zeros([4], DType.Int64)),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("NllLoss: logProbabilities [3,4] and target [4]"));
        Assert.That(() => Loss.NllLoss(x, Tensor.Zeros([3], DType.Int64), Tensor.Ones([3])),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("NllLoss: weight [3] must have one element per class: [4]"));
        Assert.That(() => Loss.NllLoss(x, Tensor.Zeros([3], DType.Int64), reduction: (Reduction)(-1)),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("NllLoss: reduction"));
        Assert.That(() => Loss.NllLoss(Tensor.Zeros([3], DType.Int64), Tensor.Zeros([], DType.Int64)),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("NllLoss: not defined for Int64"));
    }
}

using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Losses;

/// <summary>
/// Loss.CrossEntropy with PyTorch's options: Int64 class indices or class probabilities, weight, ignoreIndex, label
/// smoothing, each Reduction, [N,C], [N,C,d...] and [C] logits. Values against PyTorch are in
/// <see cref="LossFixtureTests"/>; here: gradient checks (first and second order, so both backward paths), stability,
/// the identities that tie the options together, and the errors.
/// </summary>
public class CrossEntropyOptionsTests
{
    private static readonly Reduction[] _reductions = [Reduction.Mean, Reduction.Sum, Reduction.None];

    // (logits shape, labels, weight, ignoreIndex, smoothing): every option alone and together.
    private static IEnumerable<TestCaseData> IndexCases()
    {
        double[] w5 = [0.5, 1, 2, 0.25, 1.5], w3 = [2, 0.5, 1], w4 = [1, 0.3, 2, 0.7];
        var cases = new (string Name, int[] Shape, long[] Labels, double[]? Weight, int Ignore, double Smoothing)[]
        {
            ("plain", [4, 5], [0, 3, 4, 1], null, -100, 0),
            ("weight", [4, 5], [0, 3, 4, 1], w5, -100, 0),
            ("ignored", [4, 5], [0, -100, 4, -100], null, -100, 0),
            ("weight+ignored", [4, 5], [2, -100, 4, 1], w5, -100, 0),
            ("ignoreIndex is a class", [4, 5], [2, 1, 4, 1], w5, 1, 0),
            ("smoothing", [4, 5], [0, 3, 4, 1], null, -100, 0.2),
            ("smoothing+weight+ignored", [4, 5], [2, -100, 4, 1], w5, -100, 0.3),
            ("[N,C,d]", [2, 3, 4], [0, 2, 1, -100, 2, 2, 0, 1], w3, -100, 0.1),
            ("[N,C,d1,d2]", [2, 4, 2, 2], [3, 0, -100, 1, 2, 2, 0, 3], w4, -100, 0.25),
            ("[C]", [5], [3], w5, -100, 0.1),
            ("[C] ignored", [3], [-100], null, -100, 0.1),
            ("one class", [3, 1], [0, 0, 0], null, -100, 0.5),
        };
        foreach (var c in cases)
        {
            foreach (Reduction reduction in _reductions)
            {
                if (reduction == Reduction.Mean && c.Labels.All(y => y == c.Ignore))
                {
                    continue;   // NaN, as PyTorch (AllIgnored_Mean_IsNaN_...)
                }

                yield return new TestCaseData(c.Shape, c.Labels, c.Weight, c.Ignore, c.Smoothing, reduction)
                    .SetName($"{{m}}({c.Name}, {reduction})");
            }
        }
    }

    [TestCaseSource(nameof(IndexCases))]
    public void ClassIndices_GradCheck(int[] shape, long[] labels, double[]? weight, int ignoreIndex, double smoothing, Reduction reduction)
    {
        Tensor target = Tensor.FromArray(labels, TargetShape(shape));
        GradAssert.Float32MatchesFloat64(
            v => Loss.CrossEntropy(v[0], target, WeightLike(weight, v[0]), ignoreIndex, smoothing, reduction),
            [Inputs.Normal(7, shape)]);
    }

    [TestCaseSource(nameof(ProbabilityCases))]
    public void ClassProbabilities_GradCheck_ForLogitsAndTarget(int[] shape, double[]? weight, double smoothing, Reduction reduction)
    {
        // Targets need not sum to 1 for the gradient check; both inputs get a gradient.
        GradAssert.Float32MatchesFloat64(
            v => Loss.CrossEntropy(v[0], v[1], WeightLike(weight, v[0]), labelSmoothing: smoothing, reduction: reduction),
            [Inputs.Normal(8, shape), Inputs.Uniform(9, 0, 1, shape)]);
    }

    private static IEnumerable<TestCaseData> ProbabilityCases()
    {
        foreach (Reduction reduction in _reductions)
        {
            yield return new TestCaseData(new[] { 3, 4 }, null, 0.0, reduction).SetName($"{{m}}([3,4], {reduction})");
            yield return new TestCaseData(new[] { 3, 4 }, new[] { 0.5, 2, 1, 0.25 }, 0.2, reduction)
                .SetName($"{{m}}([3,4]+weight+smoothing, {reduction})");
            yield return new TestCaseData(new[] { 2, 3, 2 }, new[] { 1.5, 0.5, 1 }, 0.1, reduction)
                .SetName($"{{m}}([2,3,2]+weight+smoothing, {reduction})");
            yield return new TestCaseData(new[] { 4 }, null, 0.3, reduction).SetName($"{{m}}([4]+smoothing, {reduction})");
        }
    }

    [Test]
    public void FanOut_TheSameLogitsInTwoLosses_GradCheck()
    {
        Tensor target = Tensor.FromArray(new long[] { 1, 0, 2 }, 3);
        Tensor other = Tensor.FromArray(new long[] { 2, -100, 0 }, 3);
        GradAssert.GradCheck(
            v => Loss.CrossEntropy(v[0], target, labelSmoothing: 0.1) + Loss.CrossEntropy(v[0] * 2, other, reduction: Reduction.Sum),
            [Inputs.Normal(10, 3, 3)]);
    }

    [Test]
    public void IntArrayOverload_IsTheInt64OverloadExactly()
    {
        Tensor a = Tensor.Randn([6, 4], 11);
        Tensor b = Tensor.FromArray(a.ToArray<float>(), 6, 4);
        a.RequiresGrad = b.RequiresGrad = true;
        Tensor first = Loss.CrossEntropy(a, [3, 0, 1, 1, 2, 0]);
        Tensor second = Loss.CrossEntropy(b, Tensor.FromArray(new long[] { 3, 0, 1, 1, 2, 0 }, 6));
        Assert.That(first.Item(), Is.EqualTo(second.Item()));
        first.Backward();
        second.Backward();
        Assert.That(a.Grad!.ToArray<float>(), Is.EqualTo(b.Grad!.ToArray<float>()));
    }

    [Test]
    public void IntArrayOverload_KeepsItsOwnCopyOfTheLabels()
    {
        Tensor logits = Inputs.Normal(12, 2, 3);
        int[] labels = [2, 0];
        Tensor loss = Loss.CrossEntropy(logits, labels);
        labels[0] = 1;
        loss.Backward();
        double[] softmax = logits.Detach().Softmax(1).ToArray<double>();
        Assert.That(GradAssert.GradOf(logits)[2], Is.EqualTo((softmax[2] - 1) / 2).Within(1e-15));
    }

    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    public void LogitsOf1000_AreFinite_WithEveryOption(DType dtype)
    {
        double[] values = [1000, -1000, 0, -1000, 1000, 500, 1000, 1000, -1000, -1000, 0, 1000];
        Tensor weight = Tensor.FromArray(new[] { 0.5, 1, 2 }, 3).To(dtype);
        foreach (Reduction reduction in _reductions)
        {
            foreach (double smoothing in new[] { 0.0, 0.1 })
            {
                Tensor logits = Tensor.FromArray(values, 4, 3).To(dtype);
                logits.RequiresGrad = true;
                Tensor loss = Loss.CrossEntropy(logits, Tensor.FromArray(new long[] { 1, 1, 2, 0 }, 4), weight,
                    labelSmoothing: smoothing, reduction: reduction);
                Assert.That(loss.ToArray<double>(), Has.All.Matches<double>(double.IsFinite), $"{reduction}, ε = {smoothing}");
                loss.Backward(Tensor.Ones(loss.Shape, dtype));
                Assert.That(GradAssert.GradOf(logits), Has.All.Matches<double>(double.IsFinite), $"{reduction}, ε = {smoothing}");
            }
        }
    }

    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    public void LogitsOf1000_Values(DType dtype)
    {
        // Row 0 is wrong by 2000 (label 1, logit −1000 against 1000), row 1 right: the mean is 1000, and the
        // gradient of row 0 is (softmax − onehot)/2 with softmax (1, 0, 0) to the last bit: (½, −½, 0).
        Tensor logits = Tensor.FromArray(new[] { 1000.0, -1000, -1000, -1000, 1000, -1000 }, 2, 3).To(dtype);
        logits.RequiresGrad = true;
        Tensor loss = Loss.CrossEntropy(logits, Tensor.FromArray(new long[] { 1, 1 }, 2));
        Assert.That(loss.Item(), Is.EqualTo(1000).Within(dtype == DType.Float32 ? 1e-4 : 1e-12));
        loss.Backward();
        GradAssert.Values(logits.Grad!, [0.5, -0.5, 0, 0, 0, 0], dtype == DType.Float32 ? 1e-7 : 1e-15);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void AllIgnored_Mean_IsNaN_WithAZeroGradient_AsPyTorch(bool createGraph)
    {
        Tensor logits = Inputs.Normal(13, 3, 4);
        foreach (Tensor? weight in new[] { null, Tensor.FromArray(new[] { 1.0, 2, 3, 4 }, 4) })
        {
            Tensor loss = Loss.CrossEntropy(logits, Tensor.FromArray(new long[] { -100, -100, -100 }, 3), weight, labelSmoothing: 0.1);
            Assert.That(loss.Item(), Is.NaN);
            Tensor grad = Tape.Grad(loss, [logits], createGraph: createGraph)[0]!;
            Assert.That(grad.ToArray<double>(), Is.All.EqualTo(0.0));
        }
    }

    [Test]
    public void Mean_DividesByTheTotalWeightOfTheTargetsNotIgnored()
    {
        Tensor logits = Tensor.Randn([4, 3], 14, DType.Float64);
        Tensor target = Tensor.FromArray(new long[] { 0, 2, -100, 2 }, 4);
        Tensor weight = Tensor.FromArray(new[] { 3.0, 1, 0.5 }, 3);
        double sum = Loss.CrossEntropy(logits, target, weight, reduction: Reduction.Sum).Item();
        double[] each = Loss.CrossEntropy(logits, target, weight, reduction: Reduction.None).ToArray<double>();
        Assert.That(each[2], Is.Zero, "an ignored position contributes nothing");
        Assert.That(each.Sum(), Is.EqualTo(sum).Within(1e-14));
        Assert.That(Loss.CrossEntropy(logits, target, weight).Item(), Is.EqualTo(sum / (3 + 0.5 + 0.5)).Within(1e-14));
    }

    [Test]
    public void LabelSmoothing_IsTheProbabilityTargetItMixes()
    {
        // Without weights or ignored targets, smoothing ε of labels y is the probability target (1−ε)·onehot + ε/C
        // (with weights PyTorch's two formulas differ in the mean's denominator, as the fixtures record).
        Tensor logits = Tensor.Randn([3, 4], 15, DType.Float64);
        long[] labels = [3, 0, 1];
        double[] mixed = new double[12];
        for (int i = 0; i < 3; i++)
        {
            mixed[(i * 4) + (int)labels[i]] = 1;
        }

        Tensor probabilities = Tensor.FromArray(mixed.Select(p => (p * 0.8) + (0.2 / 4)).ToArray(), 3, 4);
        foreach (Reduction reduction in _reductions)
        {
            GradAssert.AssertClose(
                Loss.CrossEntropy(logits, Tensor.FromArray(labels, 3), labelSmoothing: 0.2, reduction: reduction).ToArray<double>(),
                Loss.CrossEntropy(logits, probabilities, reduction: reduction).ToArray<double>(), 1e-14, 1e-14, reduction.ToString());
        }
    }

    [Test]
    public void ReductionNone_HasTheTargetsShape()
    {
        Assert.That(Loss.CrossEntropy(Tensor.Zeros([2, 3, 4, 5]), Tensor.Zeros([2, 4, 5], DType.Int64), reduction: Reduction.None).Shape,
            Is.EqualTo(new[] { 2, 4, 5 }));
        Assert.That(Loss.CrossEntropy(Tensor.Zeros([3]), Tensor.Zeros([], DType.Int64), reduction: Reduction.None).Shape, Is.Empty);
        Assert.That(Loss.CrossEntropy(Tensor.Zeros([2, 3]), Tensor.Ones([2, 3]), reduction: Reduction.None).Shape, Is.EqualTo(new[] { 2 }));
    }

    [Test]
    public void OneSample_OfCLogits_IsTheRowOfABatchOfOne()
    {
        Tensor logits = Tensor.Randn([5], 16, DType.Float64);
        Tensor weight = Tensor.FromArray(new[] { 1.0, 2, 0.5, 1, 3 }, 5);
        double single = Loss.CrossEntropy(logits, Tensor.FromArray(new long[] { 4 }, []), weight, labelSmoothing: 0.1).Item();
        double batch = Loss.CrossEntropy(logits.Reshape(1, 5), Tensor.FromArray(new long[] { 4 }, 1), weight, labelSmoothing: 0.1).Item();
        Assert.That(single, Is.EqualTo(batch));
    }

    [Test]
    public void EmptyBatch_Mean_IsNaN_SumIsZero_NoneIsEmpty_AndBackwardRuns()
    {
        Tensor logits = Inputs.Normal(17, 0, 4);
        Tensor target = Tensor.Zeros([0], DType.Int64);
        Assert.That(Loss.CrossEntropy(logits, target).Item(), Is.NaN);
        Tensor sum = Loss.CrossEntropy(logits, target, reduction: Reduction.Sum);
        Assert.That(sum.Item(), Is.Zero);
        sum.Backward();
        Assert.That(logits.Grad!.Shape, Is.EqualTo(new[] { 0, 4 }));
        Assert.That(Loss.CrossEntropy(logits, target, reduction: Reduction.None).Shape, Is.EqualTo(new[] { 0 }));
    }

    [Test]
    public void SavedLogits_ModifiedInPlace_MakeBackwardThrow()
    {
        Tensor z = Inputs.Normal(19, 2, 3) * 1.0;
        Tensor loss = Loss.CrossEntropy(z, Tensor.FromArray(new long[] { 0, 1 }, 2), labelSmoothing: 0.1);
        z.MulInPlace(2);
        Assert.That(() => loss.Backward(), Throws.InvalidOperationException.With.Message.Contains("CrossEntropy saved a tensor"));
    }

    [Test]
    public void BadLabel_NamesItsIndexItsValueAndTheClassCount()
    {
        Tensor logits = Tensor.Zeros([5, 5]);
        Assert.That(() => Loss.CrossEntropy(logits, Tensor.FromArray(new long[] { 0, 1, 2, 7, 4 }, 5)),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("CrossEntropy: target[3] = 7 is out of range for 5 classes"));
        Assert.That(() => Loss.CrossEntropy(logits, Tensor.FromArray(new long[] { 0, -1, 2, 3, 4 }, 5)),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("target[1] = -1 is out of range for 5 classes"));
        Assert.That(() => Loss.CrossEntropy(Tensor.Zeros([2, 3, 2]), Tensor.FromArray(new long[] { 0, 1, 2, 3 }, 2, 2)),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("target[1,1] = 3 is out of range for 3 classes"));
        Assert.That(() => Loss.CrossEntropy(Tensor.Zeros([3]), Tensor.FromArray(new long[] { 3 }, [])),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("target = 3 is out of range for 3 classes"));
    }

    [Test]
    public void IgnoreIndex_IsNotRangeChecked_ButOtherNegativeLabelsAre()
    {
        Assert.That(Loss.CrossEntropy(Tensor.Zeros([2, 3]), Tensor.FromArray(new long[] { -7, 1 }, 2), ignoreIndex: -7).Item(),
            Is.EqualTo(Math.Log(3)).Within(1e-6));
        Assert.That(() => Loss.CrossEntropy(Tensor.Zeros([2, 3]), Tensor.FromArray(new long[] { -100, 1 }, 2), ignoreIndex: -7),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("target[0] = -100"));
    }

    [Test]
    public void WrongTargetDType_NamesTheOpAndWhatItExpects()
    {
        Assert.That(() => Loss.CrossEntropy(Tensor.Zeros([2, 3]), Tensor.FromArray(new[] { true, false }, 2)),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("CrossEntropy").And.Message.Contains("Bool")
                .And.Message.Contains("Int64 class indices"));
        Assert.That(() => Loss.CrossEntropy(Tensor.Zeros([2, 3]), Tensor.Zeros([2, 3], DType.Float64)),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("CrossEntropy").And.Message.Contains("Float64")
                .And.Message.Contains("Float32"));
    }

    [Test]
    public void MismatchedShapes_NameBoth()
    {
        Assert.That(() => Loss.CrossEntropy(Tensor.Zeros([4, 5]), Tensor.Zeros([3], DType.Int64)),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("CrossEntropy: logits [4,5] and target [3]")
                .And.Message.Contains("[4]"));
        Assert.That(() => Loss.CrossEntropy(Tensor.Zeros([2, 3, 4]), Tensor.Zeros([2, 3], DType.Int64)),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("logits [2,3,4] and target [2,3]").And.Message.Contains("[2,4]"));
        Assert.That(() => Loss.CrossEntropy(Tensor.Zeros([2, 3]), Tensor.Zeros([2, 4])),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("logits [2,3] and target [2,4]")
                .And.Message.Contains("class probabilities"));
        Assert.That(() => Loss.CrossEntropy(Tensor.Zeros([]), Tensor.Zeros([], DType.Int64)),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("CrossEntropy: logits must be [N,C]"));
    }

    [Test]
    public void BadWeight_Throws()
    {
        Tensor logits = Tensor.Zeros([2, 5]);
        Tensor target = Tensor.FromArray(new long[] { 0, 1 }, 2);
        Assert.That(() => Loss.CrossEntropy(logits, target, Tensor.Ones([4])),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("CrossEntropy: weight [4] must have one element per class: [5]"));
        Assert.That(() => Loss.CrossEntropy(logits, target, Tensor.Ones([1, 5])),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("weight [1,5]"));
        Assert.That(() => Loss.CrossEntropy(logits, target, Tensor.Ones([5], DType.Float64)),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("CrossEntropy: dtypes differ"));
        Tensor learned = Tensor.Ones([5]);
        learned.RequiresGrad = true;
        Assert.That(() => Loss.CrossEntropy(logits, target, learned),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("weight requires a gradient"));
    }

    [Test]
    public void BadOptions_Throw()
    {
        Tensor logits = Tensor.Zeros([2, 3]);
        Tensor target = Tensor.FromArray(new long[] { 0, 1 }, 2);
        Assert.That(() => Loss.CrossEntropy(logits, target, labelSmoothing: 1.5),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("labelSmoothing must be in [0, 1]"));
        Assert.That(() => Loss.CrossEntropy(logits, target, labelSmoothing: -0.1), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => Loss.CrossEntropy(logits, target, labelSmoothing: double.NaN), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => Loss.CrossEntropy(logits, target, reduction: (Reduction)7),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("CrossEntropy: reduction"));
        Assert.That(() => Loss.CrossEntropy(logits, Tensor.Zeros([2, 3]), ignoreIndex: 0),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("ignoreIndex (0) applies to class indices only"));
        Assert.That(() => Loss.CrossEntropy(logits, (Tensor)null!), Throws.InstanceOf<ArgumentNullException>().With.Message.Contains("target"));
    }

    private static int[] TargetShape(int[] logitsShape) =>
        logitsShape.Length == 1 ? [] : [logitsShape[0], .. logitsShape[2..]];

    private static Tensor? WeightLike(double[]? weight, Tensor like) =>
        weight is null ? null : Tensor.FromArray(weight, weight.Length).To(like.DType);
}

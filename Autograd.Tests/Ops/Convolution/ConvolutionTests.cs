using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Convolution;

public class ConvolutionTests
{
    /// <summary>Every combination of stride, padding, dilation, groups and batch, in 1-D and 2-D, plus the odd shapes.</summary>
    private static IEnumerable<ConvCase> ValueCases()
    {
        foreach (bool oneD in new[] { false, true })
        {
            foreach (int stride in new[] { 1, 2 })
            {
                foreach (int padding in new[] { 0, 1, 2 })
                {
                    foreach (int dilation in new[] { 1, 2 })
                    {
                        foreach (int groups in new[] { 1, 2, 4 })
                        {
                            foreach (int batch in new[] { 1, 3 })
                            {
                                // groups 4 with C = 4 is depthwise (one input channel per group, two outputs each).
                                bool bias = (stride + padding + dilation + groups + batch) % 2 == 0;
                                yield return new ConvCase(oneD, batch, 4, 6, 7, 8, 3, 3, stride, padding, dilation, groups, bias).Normalized();
                            }
                        }
                    }
                }
            }
        }

        foreach (ConvCase special in SpecialCases())
        {
            yield return special;
        }
    }

    private static IEnumerable<ConvCase> SpecialCases() =>
    [
        new(false, 2, 3, 5, 6, 4, 1, 1, 1, 0, 1, 1, true),    // pointwise: the input is its own column matrix
        new(false, 2, 3, 5, 6, 4, 1, 1, 2, 0, 1, 1, false),   // 1×1 with a stride
        new(false, 1, 2, 3, 3, 2, 1, 1, 1, 1, 1, 1, true),    // padding beyond a 1×1 kernel: border outputs are the bias
        new(false, 2, 2, 4, 7, 3, 2, 3, 3, 1, 1, 1, true),    // non-square kernel and input, stride 3
        new(false, 1, 2, 3, 3, 2, 5, 5, 1, 1, 1, 1, false),   // kernel as large as the padded input: a 1×1 output
        new(false, 1, 3, 9, 9, 3, 3, 3, 2, 3, 3, 3, true),    // depthwise, dilated, heavily padded
        new(false, 3, 6, 5, 5, 4, 3, 3, 1, 1, 1, 2, true),    // groups with 3 input and 2 output channels each
        new(true, 2, 3, 1, 9, 4, 1, 1, 1, 0, 1, 1, true),     // pointwise 1-D
        new(true, 2, 2, 1, 10, 4, 1, 4, 3, 2, 2, 2, true),    // even kernel, stride 3, dilation 2, groups
    ];

    /// <summary>Small shapes for the float64 first- and second-derivative checks (each combination, both ranks).</summary>
    private static IEnumerable<ConvCase> GradCases()
    {
        foreach (bool oneD in new[] { false, true })
        {
            foreach (var (stride, padding, dilation) in new[] { (1, 0, 1), (2, 1, 1), (1, 2, 2), (2, 0, 2) })
            {
                foreach (int groups in new[] { 1, 2 })
                {
                    int batch = stride == 1 ? 1 : 2;
                    yield return new ConvCase(oneD, batch, 2, 5, 5, 2 * groups, 3, 3, stride, padding, dilation, groups, Bias: padding != 2).Normalized();
                }
            }

            yield return new ConvCase(oneD, 2, 2, 4, 4, 4, 3, 3, 1, 1, 1, 2, true).Normalized();   // depthwise, 2 outputs per channel
        }

        yield return new ConvCase(false, 2, 2, 3, 4, 3, 1, 1, 1, 0, 1, 1, true);      // pointwise
        yield return new ConvCase(false, 1, 2, 4, 5, 2, 2, 3, 2, 1, 1, 1, true);      // non-square
    }

    [TestCaseSource(nameof(ValueCases))]
    public void Values_MatchTheDirectDefinition(ConvCase c)
    {
        Tensor x = Tensor.Randn(c.InputShape, seed: 1, DType.Float64);
        Tensor w = Tensor.Randn(c.WeightShape, seed: 2, DType.Float64);
        Tensor? b = c.Bias ? Tensor.Randn([c.O], seed: 3, DType.Float64) : null;
        double[] expected = c.Reference(x.ToArray<double>(), w.ToArray<double>(), b?.ToArray<double>());

        Tensor y = c.Apply(x, w, b);
        Assert.That(y.Shape, Is.EqualTo(c.OutputShape));
        GradAssert.Values(y, expected, 1e-12);

        Tensor y32 = c.Apply(x.To(DType.Float32), w.To(DType.Float32), b?.To(DType.Float32));
        Assert.That(y32.DType, Is.EqualTo(DType.Float32));
        GradAssert.AssertClose(y32.ToArray<double>(), expected, rtol: 1e-5, atol: 1e-5, "float32 output");
    }

    [TestCaseSource(nameof(GradCases))]
    public void GradCheck_FirstAndSecondOrder(ConvCase c)
    {
        Tensor[] inputs = c.Bias
            ? [Inputs.Normal(11, c.InputShape), Inputs.Normal(12, c.WeightShape), Inputs.Normal(13, c.O)]
            : [Inputs.Normal(11, c.InputShape), Inputs.Normal(12, c.WeightShape)];
        GradAssert.GradCheck(v => c.Apply(v[0], v[1], c.Bias ? v[2] : null), inputs);
    }

    [Test]
    public void Float32_MatchesFloat64()
    {
        var c = new ConvCase(false, 2, 4, 6, 5, 4, 3, 3, 2, 1, 1, 2, true);
        GradAssert.Float32MatchesFloat64(v => c.Apply(v[0], v[1], v[2]),
            [Inputs.Normal(21, c.InputShape), Inputs.Normal(22, c.WeightShape), Inputs.Normal(23, c.O)]);
    }

    [Test]
    public void ThirdOrder_ThroughTheGradientOps()
    {
        // f(x, w) = ∂/∂x Σ conv(x, w)² is itself made of Conv, ConvInputGrad and ConvWeightGrad; its second derivatives
        // are the convolution's fourth.
        var c = new ConvCase(false, 1, 2, 4, 4, 2, 3, 3, 1, 1, 1, 1, false);
        GradAssert.GradCheck(v =>
        {
            Tensor y = c.Apply(v[0], v[1], null);
            return Tape.Grad((y * y).Sum(), [v[0]], createGraph: true)[0]!;
        }, [Inputs.Normal(31, c.InputShape), Inputs.Normal(32, c.WeightShape)]);
    }

    [Test]
    public void OnlyOneInputRequiringAGradient_GetsTheSameGradientAsWithAll()
    {
        var c = new ConvCase(false, 2, 2, 5, 5, 4, 3, 3, 2, 1, 1, 2, true);
        double[] x = Tensor.Randn(c.InputShape, 41, DType.Float64).ToArray<double>();
        double[] w = Tensor.Randn(c.WeightShape, 42, DType.Float64).ToArray<double>();
        double[] b = Tensor.Randn([c.O], 43, DType.Float64).ToArray<double>();
        Tensor upstream = Tensor.Randn(c.OutputShape, 44, DType.Float64);

        double[][] Run(bool[] requires)
        {
            Tensor[] leaves = [Tensor.FromArray(x, c.InputShape), Tensor.FromArray(w, c.WeightShape), Tensor.FromArray(b, c.O)];
            for (int i = 0; i < 3; i++)
            {
                leaves[i].RequiresGrad = requires[i];
            }

            c.Apply(leaves[0], leaves[1], leaves[2]).Backward(upstream);
            return leaves.Select(l => l.Grad?.ToArray<double>() ?? []).ToArray();
        }

        double[][] all = Run([true, true, true]);
        for (int i = 0; i < 3; i++)
        {
            bool[] requires = new bool[3];
            requires[i] = true;
            double[][] one = Run(requires);
            Assert.That(one[i], Is.EqualTo(all[i]), $"gradient of input {i} alone");
            for (int j = 0; j < 3; j++)
            {
                Assert.That(j == i || one[j].Length == 0, $"input {j} must get no gradient");
            }
        }
    }

    [Test]
    public void BiasGradient_IsTheSumOfTheOutputGradient()
    {
        var c = new ConvCase(false, 3, 2, 4, 4, 3, 3, 3, 1, 1, 1, 1, true);
        Tensor b = Inputs.Normal(51, c.O);
        Tensor upstream = Tensor.Randn(c.OutputShape, 52, DType.Float64);
        c.Apply(Tensor.Randn(c.InputShape, 53, DType.Float64), Tensor.Randn(c.WeightShape, 54, DType.Float64), b).Backward(upstream);
        double[] g = upstream.ToArray<double>();
        int positions = c.OH * c.OW;
        double[] expected = Enumerable.Range(0, c.O)
            .Select(o => Enumerable.Range(0, c.N).Sum(n => g.Skip(((n * c.O) + o) * positions).Take(positions).Sum()))
            .ToArray();
        GradAssert.AssertClose(GradAssert.GradOf(b), expected, rtol: 1e-12, atol: 1e-12, "bias gradient");
    }

    [Test]
    public void ZeroSizes_Work()
    {
        // An empty batch: empty output and gradients, zero weight and bias gradients.
        Tensor x = Inputs.Normal(61, 0, 2, 5, 5);
        Tensor w = Inputs.Normal(62, 3, 2, 3, 3);
        Tensor b = Inputs.Normal(63, 3);
        Tensor y = Functional.Conv2d(x, w, b, padding: 1);
        Assert.That(y.Shape, Is.EqualTo(new[] { 0, 3, 5, 5 }));
        y.Sum().Backward();
        Assert.That(x.Grad!.Shape, Is.EqualTo(new[] { 0, 2, 5, 5 }));
        Assert.That(GradAssert.GradOf(w), Is.All.EqualTo(0));
        Assert.That(GradAssert.GradOf(b), Is.All.EqualTo(0));

        // No output channels.
        Tensor none = Functional.Conv1d(Inputs.Normal(64, 2, 3, 6), Inputs.Normal(65, 0, 3, 2));
        Assert.That(none.Shape, Is.EqualTo(new[] { 2, 0, 5 }));
    }

    [Test]
    public void SecondDerivative_OfASquaredConvolution_MatchesTheClosedForm()
    {
        // L = ½ Σ conv(x, w)² has ∂L/∂w = ConvWeightGrad(x, conv(x, w)), linear in w, so its Hessian times v is
        // ConvWeightGrad(x, conv(x, v)): the first-order weight gradient of Σ conv(x, v)·c with c = conv(x, v) held constant.
        var c = new ConvCase(false, 2, 2, 5, 5, 3, 3, 3, 2, 1, 1, 1, false);
        Tensor x = Tensor.Randn(c.InputShape, 71, DType.Float64);
        Tensor w = Inputs.Normal(72, c.WeightShape);
        Tensor v = Tensor.Randn(c.WeightShape, 73, DType.Float64);
        Tensor y = c.Apply(x, w, null);
        Tensor gw = Tape.Grad((y * y).Sum() * 0.5, [w], createGraph: true)[0]!;
        Tensor hv = Tape.Grad((gw * v).Sum(), [w])[0]!;

        Tensor vLeaf = Inputs.Of(v.ToArray<double>(), c.WeightShape);
        Tensor yv = c.Apply(x, vLeaf, null);
        Tensor expected = Tape.Grad((yv * yv.Detach()).Sum(), [vLeaf])[0]!;
        GradAssert.AssertClose(hv.ToArray<double>(), expected.ToArray<double>(), rtol: 1e-10, atol: 1e-10, "Hessian-vector product");
    }

    [TestCase(false, new[] { 3, 28, 28 }, new[] { 8, 3, 3, 3 }, 1, "Conv2d: input must be [N,C,H,W]; got [3,28,28].")]
    [TestCase(true, new[] { 3, 28 }, new[] { 8, 3, 3 }, 1, "Conv1d: input must be [N,C,L]; got [3,28].")]
    [TestCase(false, new[] { 1, 3, 28, 28 }, new[] { 8, 3, 3 }, 1, "Conv2d: weight must be [O,C/groups,kh,kw]; got [8,3,3].")]
    [TestCase(false, new[] { 1, 3, 28, 28 }, new[] { 8, 2, 3, 3 }, 1,
        "Conv2d: input has 3 channels but weight [8,2,3,3] with groups 1 expects 2; input [1,3,28,28] is [N,C,H,W], weight is [O,C/groups,kh,kw].")]
    [TestCase(false, new[] { 1, 4, 8, 8 }, new[] { 8, 1, 3, 3 }, 2,
        "Conv2d: input has 4 channels but weight [8,1,3,3] with groups 2 expects 2; input [1,4,8,8] is [N,C,H,W], weight is [O,C/groups,kh,kw].")]
    [TestCase(false, new[] { 1, 3, 8, 8 }, new[] { 8, 1, 3, 3 }, 2,
        "Conv2d: groups 2 must divide both the input channels (3) and the output channels (8); input [1,3,8,8], weight [8,1,3,3] (weight [O,C/groups,kh,kw]).")]
    [TestCase(false, new[] { 1, 4, 8, 8 }, new[] { 6, 1, 3, 3 }, 4,
        "Conv2d: groups 4 must divide both the input channels (4) and the output channels (6); input [1,4,8,8], weight [6,1,3,3] (weight [O,C/groups,kh,kw]).")]
    [TestCase(false, new[] { 1, 1, 4, 4 }, new[] { 1, 1, 5, 3 }, 1,
        "Conv2d: the kernel (5x3 with dilation 1) is larger than the padded input (4x4 with padding 0); input [1,1,4,4], weight [1,1,5,3].")]
    [TestCase(true, new[] { 1, 1, 4 }, new[] { 1, 1, 5 }, 1,
        "Conv1d: the kernel (5 with dilation 1) is larger than the padded input (4 with padding 0); input [1,1,4], weight [1,1,5].")]
    public void BadShapes_ThrowNamingTheLayoutAndShapes(bool oneD, int[] input, int[] weight, int groups, string message)
    {
        Tensor x = Tensor.Zeros(input), w = Tensor.Zeros(weight);
        var e = Assert.Throws<ArgumentException>(() =>
            _ = oneD ? Functional.Conv1d(x, w, groups: groups) : Functional.Conv2d(x, w, groups: groups));
        Assert.That(e!.Message, Is.EqualTo(message));
    }

    [Test]
    public void DilatedKernelLargerThanThePaddedInput_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            Functional.Conv2d(Tensor.Zeros([1, 1, 6, 6]), Tensor.Zeros([1, 1, 3, 3]), padding: 1, dilation: 4));
        Assert.That(e!.Message, Does.StartWith("Conv2d: the kernel (9x9 with dilation 4) is larger than the padded input (8x8 with padding 1)"));
    }

    [TestCase(0, 0, 1, 1, "Conv2d: stride must be at least 1; got 0.")]
    [TestCase(1, -1, 1, 1, "Conv2d: padding must be non-negative; got -1.")]
    [TestCase(1, 0, 0, 1, "Conv2d: dilation must be at least 1; got 0.")]
    [TestCase(1, 0, 1, 0, "Conv2d: groups must be at least 1; got 0.")]
    public void BadArguments_Throw(int stride, int padding, int dilation, int groups, string message)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Functional.Conv2d(Tensor.Zeros([1, 2, 5, 5]), Tensor.Zeros([2, 2, 3, 3]), null, stride, padding, dilation, groups));
        Assert.That(e!.Message, Does.StartWith(message));
    }

    [Test]
    public void BadBiasAndDTypes_Throw()
    {
        Tensor x = Tensor.Zeros([1, 2, 5, 5]), w = Tensor.Zeros([4, 2, 3, 3]);
        var e = Assert.Throws<ArgumentException>(() => Functional.Conv2d(x, w, Tensor.Zeros([3])));
        Assert.That(e!.Message, Is.EqualTo("Conv2d: bias [3] must be [4] for weight [4,2,3,3]."));
        e = Assert.Throws<ArgumentException>(() => Functional.Conv2d(x, w.To(DType.Float64)));
        Assert.That(e!.Message, Does.StartWith("Conv2d: dtypes differ ([1,2,5,5] Float32 and [4,2,3,3] Float64)"));
        e = Assert.Throws<ArgumentException>(() => Functional.Conv2d(x.To(DType.Int64), w.To(DType.Int64)));
        Assert.That(e!.Message, Does.StartWith("Conv2d: not defined for Int64 tensors"));
    }
}

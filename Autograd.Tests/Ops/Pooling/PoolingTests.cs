using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Pooling;

public class PoolingTests
{
    private static IEnumerable<TestCaseData> Configurations()
    {
        // (shape, kernel, stride, padding): default stride, overlapping windows, padding, windows that skip rows.
        yield return new TestCaseData(new[] { 1, 1, 4, 4 }, 2, null, 0).SetName("{m}_k2");
        yield return new TestCaseData(new[] { 2, 3, 5, 6 }, 3, 1, 1).SetName("{m}_k3s1p1_overlapping");
        yield return new TestCaseData(new[] { 2, 2, 7, 5 }, 3, 2, 1).SetName("{m}_k3s2p1");
        yield return new TestCaseData(new[] { 1, 2, 6, 7 }, 2, 3, 1).SetName("{m}_k2s3p1_gaps");
        yield return new TestCaseData(new[] { 3, 1, 5, 5 }, 4, 2, 2).SetName("{m}_k4s2p2");
        yield return new TestCaseData(new[] { 1, 2, 3, 3 }, 1, 2, 0).SetName("{m}_k1s2");
    }

    [TestCaseSource(nameof(Configurations))]
    public void MaxPool_MatchesTheDirectDefinition(int[] shape, int kernel, int? stride, int padding)
    {
        Tensor x = Inputs.Normal(5, shape);
        var (expected, indices) = NaiveMax(x.ToArray<double>(), shape, kernel, stride ?? kernel, padding);
        Tensor y = Functional.MaxPool2d(x, kernel, stride, padding);
        GradAssert.Values(y, expected, 0);
        GradAssert.Values(Functional.MaxPool2d(x.To(DType.Float32), kernel, stride, padding), expected, 1e-6);

        // The gradient: each window's g added at its maximum (overlapping windows add up).
        Tensor upstream = Tensor.Randn(y.Shape, seed: 55, DType.Float64);
        y.Backward(upstream);
        double[] g = upstream.ToArray<double>();
        double[] dx = new double[x.Count];
        int plane = shape[2] * shape[3], outputs = g.Length / (shape[0] * shape[1]);
        for (int o = 0; o < g.Length; o++)
        {
            dx[(o / outputs * plane) + indices[o]] += g[o];
        }

        GradAssert.AssertClose(GradAssert.GradOf(x), dx, rtol: 0, atol: 1e-15, "gradient");
    }

    [TestCaseSource(nameof(Configurations))]
    public void AvgPool_MatchesTheDirectDefinition(int[] shape, int kernel, int? stride, int padding)
    {
        Tensor x = Tensor.Randn(shape, seed: 6, DType.Float64);
        double[] expected = NaiveAvg(x.ToArray<double>(), shape, kernel, stride ?? kernel, padding);
        GradAssert.Values(Functional.AvgPool2d(x, kernel, stride, padding), expected, 1e-14);
        GradAssert.Values(Functional.AvgPool2d(x.To(DType.Float32), kernel, stride, padding), expected, 1e-6);
    }

    // Normal samples are distinct with probability 1 and far apart compared with eps = 1e-6, so the arg-max of every
    // window stays put under the finite differences.
    [TestCaseSource(nameof(Configurations))]
    public void MaxPool_GradCheck(int[] shape, int kernel, int? stride, int padding) =>
        GradAssert.GradCheck(v => Functional.MaxPool2d(v[0], kernel, stride, padding), [Inputs.Normal(7, shape)]);

    [TestCaseSource(nameof(Configurations))]
    public void AvgPool_GradCheck(int[] shape, int kernel, int? stride, int padding) =>
        GradAssert.GradCheck(v => Functional.AvgPool2d(v[0], kernel, stride, padding), [Inputs.Normal(8, shape)]);

    [Test]
    public void Pools_Float32MatchesFloat64()
    {
        GradAssert.Float32MatchesFloat64(v => Functional.MaxPool2d(v[0], 3, 2, 1), [Inputs.Normal(9, 2, 2, 7, 6)]);
        GradAssert.Float32MatchesFloat64(v => Functional.AvgPool2d(v[0], 3, 2, 1), [Inputs.Normal(10, 2, 2, 7, 6)]);
    }

    [Test]
    public void MaxPool_Ties_SendTheGradientToTheFirstMaximumOfEachWindow()
    {
        // One plane [[1, 3, 3], [3, 2, 0], [1, 3, 3]], 2×2 windows at stride 1: every window's maximum 3 is tied.
        Tensor x = Inputs.Of([1, 3, 3, 3, 2, 0, 1, 3, 3], 1, 1, 3, 3);
        Tensor y = Functional.MaxPool2d(x, 2, stride: 1);
        GradAssert.Values(y, [3, 3, 3, 3]);
        y.Backward(Tensor.FromArray(new[] { 1.0, 10, 100, 1000 }, 1, 1, 2, 2));

        // Windows (scanning rows first): (0,0) → x[0,1]; (0,1) → x[0,1]; (1,0) → x[1,0]; (1,1) → x[2,1].
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new double[] { 0, 11, 0, 100, 0, 0, 0, 1000, 0 }));
    }

    [Test]
    public void MaxPool_PaddingIsMinusInfinity_AndNeverReceivesAGradient()
    {
        // All inputs negative: zero padding would win every border window; −∞ padding never does.
        Tensor x = Inputs.Of([-5, -4, -3, -2], 1, 1, 2, 2);
        Tensor y = Functional.MaxPool2d(x, 2, stride: 1, padding: 1);
        GradAssert.Values(y, [-5, -4, -4, -3, -2, -2, -3, -2, -2]);
        y.Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new double[] { 1, 2, 2, 4 }));
    }

    [Test]
    public void MaxPool_NaN_IsTheMaximum_AndTheLastNaNTakesTheGradient()
    {
        // As PyTorch's loop (if (v > max || isnan(v))): every NaN replaces the maximum, so the last one stays.
        Tensor x = Inputs.Of([1.0, double.NaN, 5, double.NaN], 1, 1, 2, 2);
        Tensor y = Functional.MaxPool2d(x, 2);
        Assert.That(double.IsNaN(y.ToArray<double>()[0]));
        y.Backward(Tensor.Ones([1, 1, 1, 1], DType.Float64));
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new double[] { 0, 0, 0, 1 }));
    }

    [Test]
    public void MaxPool_ZerosOfBothSigns_KeepTheFirstOne()
    {
        // −0 and +0 compare equal: the first is the maximum, sign included (as PyTorch).
        Tensor y = Functional.MaxPool2d(Tensor.FromArray(new[] { -0.0, 0.0, -1, -2, 0.0, -0.0, -3, -4 }, 2, 1, 2, 2), 2);
        double[] values = y.ToArray<double>();
        Assert.That(double.IsNegative(values[0]), Is.True);
        Assert.That(double.IsNegative(values[1]), Is.False);
    }

    [Test]
    public void AvgPool_CountsPaddingInTheDivisor()
    {
        // count_include_pad: the corner window of a padded 2×2 input holds one value and three zeros, divided by 4.
        Tensor x = Inputs.Of([4, 8, 12, 16], 1, 1, 2, 2);
        Tensor y = Functional.AvgPool2d(x, 2, stride: 1, padding: 1);
        GradAssert.Values(y, [1, 3, 2, 4, 10, 6, 3, 7, 4]);
        y.Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new double[] { 1, 1, 1, 1 }));
    }

    [Test]
    public void Pools_ThirdOrder()
    {
        // The gradient of Σ pool(x)³ is made of the pool's gradient ops; checking its second derivatives exercises
        // the scatter/gather pair and the AvgPool2d/AvgPool2dBackward pair twice over.
        foreach (Func<Tensor, Tensor> pool in new Func<Tensor, Tensor>[]
                 {
                     x => Functional.MaxPool2d(x, 2, 1),
                     x => Functional.AvgPool2d(x, 3, 2, 1),
                 })
        {
            GradAssert.GradCheck(v =>
            {
                Tensor y = pool(v[0]);
                return Tape.Grad((y * y * y).Sum(), [v[0]], createGraph: true)[0]!;
            }, [Inputs.Normal(11, 1, 2, 4, 4)]);
        }
    }

    [Test]
    public void ZeroSizedBatch_Works()
    {
        Tensor x = Inputs.Normal(12, 0, 3, 4, 4);
        Tensor y = Functional.MaxPool2d(x, 2) + Functional.AvgPool2d(x, 2);
        Assert.That(y.Shape, Is.EqualTo(new[] { 0, 3, 2, 2 }));
        y.Sum().Backward();
        Assert.That(x.Grad!.Shape, Is.EqualTo(new[] { 0, 3, 4, 4 }));
    }

    [Test]
    public void Errors_NameTheLayoutAndTheShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Functional.MaxPool2d(Tensor.Zeros([3, 28, 28]), 2));
        Assert.That(e!.Message, Is.EqualTo("MaxPool2d: input must be [N,C,H,W]; got [3,28,28]."));
        e = Assert.Throws<ArgumentException>(() => Functional.AvgPool2d(Tensor.Zeros([1, 1, 2, 3]), 3));
        Assert.That(e!.Message, Is.EqualTo(
            "AvgPool2d: the kernel (3x3) is larger than the padded input (2x3 with padding 0); input [1,1,2,3]."));
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => Functional.MaxPool2d(Tensor.Zeros([1, 1, 4, 4]), 3, padding: 2));
        Assert.That(range!.Message, Does.StartWith("MaxPool2d: padding must be between 0 and half the kernel size (1 for kernel 3); got 2."));
        range = Assert.Throws<ArgumentOutOfRangeException>(() => Functional.AvgPool2d(Tensor.Zeros([1, 1, 4, 4]), 2, stride: 0));
        Assert.That(range!.Message, Does.StartWith("AvgPool2d: stride must be at least 1; got 0."));
        range = Assert.Throws<ArgumentOutOfRangeException>(() => Functional.AvgPool2d(Tensor.Zeros([1, 1, 4, 4]), 0));
        Assert.That(range!.Message, Does.StartWith("AvgPool2d: kernelSize must be at least 1; got 0."));
    }

    private static (double[] Values, int[] Indices) NaiveMax(double[] x, int[] shape, int k, int s, int p)
    {
        var (planes, h, w) = (shape[0] * shape[1], shape[2], shape[3]);
        int oh = ((h + (2 * p) - k) / s) + 1, ow = ((w + (2 * p) - k) / s) + 1;
        var values = new double[planes * oh * ow];
        var indices = new int[values.Length];
        for (int plane = 0, o = 0; plane < planes; plane++)
        {
            for (int i = 0; i < oh; i++)
            {
                for (int j = 0; j < ow; j++, o++)
                {
                    double best = double.NegativeInfinity;
                    for (int a = 0; a < k; a++)
                    {
                        for (int b = 0; b < k; b++)
                        {
                            int r = (i * s) - p + a, c = (j * s) - p + b;
                            if (r >= 0 && r < h && c >= 0 && c < w && x[(plane * h * w) + (r * w) + c] > best)
                            {
                                best = x[(plane * h * w) + (r * w) + c];
                                indices[o] = (r * w) + c;
                            }
                        }
                    }

                    values[o] = best;
                }
            }
        }

        return (values, indices);
    }

    private static double[] NaiveAvg(double[] x, int[] shape, int k, int s, int p)
    {
        var (planes, h, w) = (shape[0] * shape[1], shape[2], shape[3]);
        int oh = ((h + (2 * p) - k) / s) + 1, ow = ((w + (2 * p) - k) / s) + 1;
        var values = new double[planes * oh * ow];
        for (int plane = 0, o = 0; plane < planes; plane++)
        {
            for (int i = 0; i < oh; i++)
            {
                for (int j = 0; j < ow; j++, o++)
                {
                    double sum = 0;
                    for (int a = 0; a < k; a++)
                    {
                        for (int b = 0; b < k; b++)
                        {
                            int r = (i * s) - p + a, c = (j * s) - p + b;
                            if (r >= 0 && r < h && c >= 0 && c < w)
                            {
                                sum += x[(plane * h * w) + (r * w) + c];
                            }
                        }
                    }

                    values[o] = sum / (k * k);
                }
            }
        }

        return values;
    }
    [Test]
    public void MaxPool2x2_WithManyTies_PicksTheFirstMaximumOfEachWindow()
    {
        // Values from {0, 1, 2}: most windows hold tied maxima; the common unpadded 2x2 stride-2 pooling is
        // checked against the definition, window by window.
        var random = new Random(5);
        double[] values = Enumerable.Range(0, 2 * 3 * 6 * 8).Select(_ => (double)random.Next(3)).ToArray();
        Tensor x = Inputs.Of(values, 2, 3, 6, 8);
        Tensor y = Functional.MaxPool2d(x, 2);
        y.Sum().Backward();
        double[] dx = GradAssert.GradOf(x);
        for (int p = 0; p < 6; p++)
        {
            for (int oh = 0; oh < 3; oh++)
            {
                for (int ow = 0; ow < 4; ow++)
                {
                    int first = -1;
                    double max = double.NegativeInfinity;
                    foreach (int at in new[] { 0, 1, 8, 9 }.Select(d => (p * 48) + (2 * oh * 8) + (2 * ow) + d))
                    {
                        if (values[at] > max)
                        {
                            (max, first) = (values[at], at);
                        }
                    }

                    Assert.That(y.ToArray<double>()[(p * 12) + (oh * 4) + ow], Is.EqualTo(max));
                    foreach (int at in new[] { 0, 1, 8, 9 }.Select(d => (p * 48) + (2 * oh * 8) + (2 * ow) + d))
                    {
                        Assert.That(dx[at], Is.EqualTo(at == first ? 1.0 : 0.0), $"plane {p}, window ({oh},{ow}), offset {at}");
                    }
                }
            }
        }
    }
}

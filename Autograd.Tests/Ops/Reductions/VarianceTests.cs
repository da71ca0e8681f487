using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Reductions;

/// <summary>Var and Std along an axis: values, stability, PyTorch's edge cases, first and second derivatives.</summary>
public class VarianceTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        int[][] shapes = [[5], [3, 4], [2, 3, 4], [4, 2]];
        foreach (int[] shape in shapes)
        {
            for (int axis = -shape.Length; axis < shape.Length; axis++)
            {
                foreach (bool unbiased in new[] { true, false })
                {
                    foreach (bool keepDim in new[] { false, true })
                    {
                        foreach (bool std in new[] { false, true })
                        {
                            yield return new TestCaseData(shape, axis, unbiased, keepDim, std)
                                .SetName($"{(std ? "Std" : "Var")}_[{string.Join("x", shape)}]_axis{axis}_unbiased{unbiased}_keepDim{keepDim}");
                        }
                    }
                }
            }
        }
    }

    private static Tensor Apply(Tensor x, int axis, bool unbiased, bool keepDim, bool std) =>
        std ? x.Std(axis, unbiased, keepDim) : x.Var(axis, unbiased, keepDim);

    [TestCaseSource(nameof(Cases))]
    public void GradCheck(int[] shape, int axis, bool unbiased, bool keepDim, bool std) =>
        GradAssert.Float32MatchesFloat64(v => Apply(v[0], axis, unbiased, keepDim, std), [Inputs.Normal(101, shape)]);

    [TestCaseSource(nameof(Cases))]
    public void Values_MatchTheDefinition(int[] shape, int axis, bool unbiased, bool keepDim, bool std)
    {
        Tensor x = Inputs.Normal(102, shape);
        Tensor y = Apply(x, axis, unbiased, keepDim, std);
        GradAssert.Values(y, Naive(x.ToArray<double>(), shape, axis < 0 ? axis + shape.Length : axis, unbiased, std), 1e-12);
    }

    [Test]
    public void Values_Small()
    {
        Tensor x = Tensor.FromArray(new[] { 1.0, 2, 3, 4, 2, 4, 6, 8 }, 2, 4);
        GradAssert.Values(x.Var(1), [5.0 / 3, 20.0 / 3]);
        GradAssert.Values(x.Var(1, unbiased: false), [1.25, 5]);
        GradAssert.Values(x.Std(-1, unbiased: false, keepDim: true), [Math.Sqrt(1.25), Math.Sqrt(5)]);
        Assert.That(x.Std(1, keepDim: true).Shape, Is.EqualTo(new[] { 2, 1 }));
        GradAssert.Values(x.Var(0, unbiased: false), [0.25, 1, 2.25, 4]);
    }

    [Test]
    public void LargeOffset_IsStable_InFloat32()
    {
        // 10⁴ + {0, 1, 2, 3}: the naive E[x²] − E[x]² loses every digit in float32 (x² ≈ 10⁸ > 2²⁴).
        Tensor x = Tensor.FromArray(new float[] { 10000, 10001, 10002, 10003 }, 1, 4);
        Assert.That(x.Var(1).ToArray<float>()[0], Is.EqualTo(5f / 3).Within(1e-6));
        Assert.That(x.Var(1, unbiased: false).ToArray<float>()[0], Is.EqualTo(1.25f));
        // A strided axis (inner 2): columns {10⁶, 10⁶ + 2, 10⁶ + 4} and {5, 6, 7}.
        Tensor columns = Tensor.FromArray(new float[] { 1e6f, 5, 1e6f + 2, 6, 1e6f + 4, 7 }, 3, 2);
        Assert.That(columns.Std(0).ToArray<float>(), Is.EqualTo(new[] { 2f, 1f }));
    }

    [Test]
    public void LargeOffset_IsStable_InFloat64()
    {
        double[] values = [1e9 + 0.1, 1e9 + 0.2, 1e9 + 0.3, 1e9 + 0.4];
        double[] centered = values.Select(v => v - 1e9).ToArray();   // exact: the offset is representable
        double mean = centered.Average();
        double expected = centered.Sum(v => (v - mean) * (v - mean)) / 3;
        Assert.That(Tensor.FromArray(values, 4).Var(0).Item(), Is.EqualTo(expected).Within(1e-15));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void ConstantLine_HasZeroVarianceExactly_AndStdGradientZero_AsPyTorch(bool createGraph)
    {
        // 0.1 is not a binary fraction: a plain Σx/n could round away from it and leave a tiny non-zero variance.
        Tensor x = Inputs.Of([0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 1, 2, 3, 4, 5, 6, 9], 2, 7);
        Tensor std = x.Std(1);
        Assert.That(std.ToArray<double>()[0], Is.EqualTo(0));
        Assert.That(x.Var(1, unbiased: false).ToArray<double>()[0], Is.EqualTo(0));
        Tensor g = Tensor.FromArray(new[] { 1.0, 1.0 }, 2);
        g.RequiresGrad = createGraph;
        double[] dx = Tape.Grad(std, [x], g, createGraph: createGraph)[0]!.ToArray<double>();
        Assert.That(dx.Take(7), Has.All.EqualTo(0), "std' at zero variance is 0, as PyTorch's std_backward");
        Assert.That(dx.Skip(7), Has.None.EqualTo(0).And.None.NaN);
    }

    [Test]
    public void ConstantLine_StdSecondDerivative_IsFinite() =>
        Assert.That(Tape.Hessian(v => v.Std(0), Inputs.Of([2, 2, 2], 3)).ToArray<double>(), Has.None.NaN);

    [TestCase(false)]
    [TestCase(true)]
    public void OneElement_Unbiased_IsNaN_Biased_IsZero_AsPyTorch(bool std)
    {
        Tensor x = Inputs.Of([2, -3], 2, 1);
        Tensor unbiased = std ? x.Std(1) : x.Var(1);
        Assert.That(unbiased.ToArray<double>(), Has.All.NaN);
        unbiased.Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Has.All.NaN);

        x.ZeroGrad();
        Tensor biased = std ? x.Std(1, unbiased: false) : x.Var(1, unbiased: false);
        Assert.That(biased.ToArray<double>(), Has.All.EqualTo(0));
        biased.Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Has.All.EqualTo(0));
    }

    [Test]
    public void ZeroSize_EmptyAxisGivesNaN_EmptyOtherAxisGivesEmpty()
    {
        Tensor x = Tensor.Zeros([0, 3], DType.Float64);
        x.RequiresGrad = true;
        Assert.That(x.Var(0).Shape, Is.EqualTo(new[] { 3 }));
        Assert.That(x.Var(0).ToArray<double>(), Has.All.NaN);
        Assert.That(x.Std(0, unbiased: false).ToArray<double>(), Has.All.NaN);
        Tensor rows = x.Std(1, keepDim: true);
        Assert.That(rows.Shape, Is.EqualTo(new[] { 0, 1 }));
        (x.Var(0).Sum() + rows.Sum()).Backward();
        Assert.That(x.Grad!.Shape, Is.EqualTo(new[] { 0, 3 }));
    }

    [Test]
    public void ZeroSize_GradCheck() =>
        GradAssert.GradCheck(v => v[0].Var(1), [Tensor.Zeros([0, 3], DType.Float64)]);

    [TestCase(true)]
    [TestCase(false)]
    public void Hessian_OfTheVariance_Is2Over_nMinusCorrection_TimesTheCenteringMatrix(bool unbiased)
    {
        // Var = Σ(x − m)² / d with d = n − correction: its Hessian is (2/d)·(I − 11ᵀ/n), whatever x.
        const int n = 4;
        double d = unbiased ? n - 1 : n;
        double[] hessian = Tape.Hessian(v => v.Var(0, unbiased), Inputs.Normal(103, n)).ToArray<double>();
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double expected = 2 / d * ((i == j ? 1 : 0) - (1.0 / n));
                Assert.That(hessian[(i * n) + j], Is.EqualTo(expected).Within(1e-12), $"H[{i},{j}]");
            }
        }
    }

    [Test]
    public void SecondOrder_OfComposites_AndFanOut()
    {
        GradAssert.GradCheck(v => (v[0].Std(1) * v[0].Var(1, unbiased: false)).Sum() + v[0].Std(0, keepDim: true).Exp().Sum(),
            [Inputs.Normal(104, 3, 4)]);
        GradAssert.GradCheck(v => v[0].Std(-1).Std(0), [Inputs.Normal(105, 4, 5)]);
    }

    [Test]
    public void InPlaceChangeOfTheInput_BeforeBackward_Throws()
    {
        Tensor h = Inputs.Normal(106, 3, 4) * 1.0;
        Tensor y = h.Std(1).Sum();
        using (Tape.NoGrad())
        {
            h.Fill(1);
        }

        var ex = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.That(ex!.Message, Does.Contain("Std"));
    }

    [Test]
    public void Errors_NameTheOpTheAxisAndTheRank()
    {
        Tensor x = Inputs.Normal(107, 2, 3);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => x.Var(2));
        Assert.That(ex!.Message, Does.Contain("Var: axis 2 is out of range for a tensor of rank 2"));
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => x.Std(-3, unbiased: false));
        Assert.That(ex!.Message, Does.Contain("Std: axis -3 is out of range for a tensor of rank 2"));
        var dtype = Assert.Throws<ArgumentException>(() => Tensor.Zeros([3], DType.Int64).Var(0));
        Assert.That(dtype!.Message, Does.Contain("Var").And.Contain("Int64"));
    }

    private static double[] Naive(double[] x, int[] shape, int axis, bool unbiased, bool std)
    {
        int outer = shape.Take(axis).Aggregate(1, (a, b) => a * b);
        int length = shape[axis];
        int inner = shape.Skip(axis + 1).Aggregate(1, (a, b) => a * b);
        double[] result = new double[outer * inner];
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                double[] line = Enumerable.Range(0, length).Select(j => x[(((o * length) + j) * inner) + i]).ToArray();
                double mean = line.Average();
                double variance = line.Sum(v => (v - mean) * (v - mean)) / (length - (unbiased ? 1 : 0));
                result[(o * inner) + i] = std ? Math.Sqrt(variance) : variance;
            }
        }

        return result;
    }
}

using Autograd.Kernels;
using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Normalization;

/// <summary>Functional.LayerNorm: values against a naive reference, first and second derivatives, errors, threads.</summary>
public class LayerNormTests
{
    /// <summary>y = (x − mean)/√(var + eps)·w + b per row of D trailing values, in plain double loops.</summary>
    internal static double[] Reference(double[] x, int d, double[]? w, double[]? b, double eps = 1e-5)
    {
        double[] y = new double[x.Length];
        for (int r = 0; r < x.Length / d; r++)
        {
            double mean = 0, variance = 0;
            for (int j = 0; j < d; j++)
            {
                mean += x[(r * d) + j];
            }

            mean /= d;
            for (int j = 0; j < d; j++)
            {
                variance += (x[(r * d) + j] - mean) * (x[(r * d) + j] - mean);
            }

            double rstd = 1 / Math.Sqrt((variance / d) + eps);
            for (int j = 0; j < d; j++)
            {
                y[(r * d) + j] = ((x[(r * d) + j] - mean) * rstd * (w?[j] ?? 1)) + (b?[j] ?? 0);
            }
        }

        return y;
    }

    private static IEnumerable<TestCaseData> Cases()
    {
        (int[] Shape, int[] Normalized)[] layouts =
        [
            ([4], [4]), ([3, 5], [5]), ([2, 3, 4], [4]), ([2, 3, 4], [3, 4]), ([2, 1, 3], [1, 3]), ([2, 2, 2, 3], [2, 3]),
            ([3, 19], [19]),
        ];
        foreach (var (shape, normalized) in layouts)
        {
            foreach (var (weight, bias) in new[] { (true, true), (true, false), (false, true), (false, false) })
            {
                yield return new TestCaseData(shape, normalized, weight, bias)
                    .SetName($"LayerNorm_[{string.Join("x", shape)}]_over[{string.Join("x", normalized)}]_w{weight}_b{bias}");
            }
        }
    }

    private static Tensor[] Operands(int[] shape, int[] normalized, bool weight, bool bias, int seed)
    {
        var operands = new List<Tensor> { Inputs.Normal(seed, shape) };
        if (weight)
        {
            operands.Add(Inputs.Normal(seed + 1, normalized));
        }

        if (bias)
        {
            operands.Add(Inputs.Normal(seed + 2, normalized));
        }

        return [.. operands];
    }

    private static Func<Tensor[], Tensor> Apply(int[] normalized, bool weight, bool bias) =>
        v => Functional.LayerNorm(v[0], normalized, weight ? v[1] : null, bias ? v[weight ? 2 : 1] : null);

    [TestCaseSource(nameof(Cases))]
    public void Values_MatchTheNaiveReference(int[] shape, int[] normalized, bool weight, bool bias)
    {
        Tensor[] operands = Operands(shape, normalized, weight, bias, 11);
        int d = normalized.Aggregate(1, (a, n) => a * n);
        double[] expected = Reference(operands[0].ToArray<double>(), d, weight ? operands[1].ToArray<double>() : null,
            bias ? operands[^1].ToArray<double>() : null);
        Tensor y = Apply(normalized, weight, bias)(operands);
        Assert.That(y.Shape, Is.EqualTo(shape));
        GradAssert.Values(y, expected, 1e-12);

        Tensor y32 = Apply(normalized, weight, bias)(operands.Select(t => Inputs.CopyAs(t, DType.Float32)).ToArray());
        Assert.That(y32.DType, Is.EqualTo(DType.Float32));
        GradAssert.Values(y32, expected, 2e-5);
    }

    // GradCheck also runs CheckGradGrad: the createGraph path, which recomputes x̂ from x with recorded ops.
    [TestCaseSource(nameof(Cases))]
    public void GradCheck(int[] shape, int[] normalized, bool weight, bool bias) =>
        GradAssert.GradCheck(Apply(normalized, weight, bias), Operands(shape, normalized, weight, bias, 23));

    [Test]
    public void Float32_MatchesFloat64() =>
        GradAssert.Float32MatchesFloat64(Apply([6], true, true), Operands([4, 6], [6], true, true, 5));

    [Test]
    public void GradCheck_FanOut_AndOnlySomeInputsNeedingGradients()
    {
        // x feeds both the normalisation and the residual sum; the bias needs no gradient.
        Tensor x = Inputs.Normal(3, 3, 4), w = Inputs.Normal(4, 4);
        Tensor b = Tensor.Randn([4], 5, DType.Float64);
        GradAssert.GradCheck(v => Functional.LayerNorm(v[0], [4], v[1], b) * v[0], [x, w]);
    }

    [Test]
    public void ConstantRows_GiveTheBiasAndFiniteGradients()
    {
        // var = 0: rstd = 1/√eps, x̂ = 0, y = b.
        Tensor x = Inputs.Of([2, 2, 2, -1, -1, -1], 2, 3);
        Tensor b = Inputs.Of([0.5, -0.5, 1], 3);
        Tensor y = Functional.LayerNorm(x, [3], bias: b);
        GradAssert.Values(y, [0.5, -0.5, 1, 0.5, -0.5, 1], 1e-15);
        y.Backward(Tensor.FromArray(new[] { 1.0, 2, 3, 4, 5, 6 }, 2, 3));
        Assert.That(x.Grad!.ToArray<double>().All(double.IsFinite), Is.True);
        GradAssert.Values(b.Grad!, [5, 7, 9], 1e-15);
    }

    [Test]
    public void ZeroRows_GiveAnEmptyOutputAndZeroParameterGradients()
    {
        Tensor x = Inputs.Normal(1, 0, 3), w = Inputs.Normal(2, 3), b = Inputs.Normal(3, 3);
        Tensor y = Functional.LayerNorm(x, [3], w, b);
        Assert.That(y.Shape, Is.EqualTo(new[] { 0, 3 }));
        y.Sum().Backward();
        Assert.That(x.Grad!.Shape, Is.EqualTo(new[] { 0, 3 }));
        GradAssert.Values(w.Grad!, [0, 0, 0], 0);
        GradAssert.Values(b.Grad!, [0, 0, 0], 0);
    }

    [Test]
    public void Backward_AfterTheInputChangedInPlace_Throws()
    {
        Tensor leaf = Inputs.Normal(1, 2, 3);
        Tensor x = leaf * 1.0;
        Tensor y = Functional.LayerNorm(x, [3]);
        x.MulInPlace(2.0);
        var error = Assert.Throws<InvalidOperationException>(() => y.Sum().Backward());
        Assert.That(error!.Message, Does.Contain("LayerNorm"));
    }

    [Test]
    public void Errors_NameTheShapes()
    {
        Tensor x = Tensor.Zeros([2, 5, 7]);
        var error = Assert.Throws<ArgumentException>(() => Functional.LayerNorm(x, [6]));
        Assert.That(error!.Message, Is.EqualTo("LayerNorm: input [2,5,7] does not end with normalizedShape [6]."));
        error = Assert.Throws<ArgumentException>(() => Functional.LayerNorm(x, [1, 2, 5, 7]));
        Assert.That(error!.Message, Does.Contain("input [2,5,7] does not end with normalizedShape [1,2,5,7]"));
        error = Assert.Throws<ArgumentException>(() => Functional.LayerNorm(x, [7], Tensor.Ones([6])));
        Assert.That(error!.Message, Is.EqualTo("LayerNorm: weight [6] must be [7] (normalizedShape)."));
        error = Assert.Throws<ArgumentException>(() => Functional.LayerNorm(x, [5, 7], bias: Tensor.Zeros([7])));
        Assert.That(error!.Message, Is.EqualTo("LayerNorm: bias [7] must be [5,7] (normalizedShape)."));
        error = Assert.Throws<ArgumentException>(() => Functional.LayerNorm(x, [7], Tensor.Ones([7], DType.Float64)));
        Assert.That(error!.Message, Does.Contain("LayerNorm: dtypes differ"));
        error = Assert.Throws<ArgumentException>(() => Functional.LayerNorm(x, []));
        Assert.That(error!.Message, Does.StartWith("LayerNorm: normalizedShape must have at least one dimension"));
        error = Assert.Throws<ArgumentException>(() => Functional.LayerNorm(Tensor.Zeros([2, 3], DType.Int64), [3]));
        Assert.That(error!.Message, Does.StartWith("LayerNorm: not defined for Int64 tensors"));
    }

    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    public void LargeInput_IsBitIdenticalWhateverTheSplitOverThreads(DType dtype)
    {
        // 96 rows of 768: large enough for the threaded path; the weight and bias gradients are split by columns.
        var results = new List<double[][]>();
        foreach (int parts in new[] { 1, 2, 3, 7 })
        {
            Tensor x = Tensor.Randn([96, 768], 1, dtype), w = Tensor.Randn([768], 2, dtype), b = Tensor.Randn([768], 3, dtype);
            foreach (Tensor t in new[] { x, w, b })
            {
                t.RequiresGrad = true;
            }

            RangeParallel.ExactParts = parts;
            try
            {
                Tensor y = Functional.LayerNorm(x, [768], w, b);
                y.Backward(Tensor.Randn([96, 768], 4, dtype));
                results.Add([y.ToArray<double>(), x.Grad!.ToArray<double>(), w.Grad!.ToArray<double>(), b.Grad!.ToArray<double>()]);
            }
            finally
            {
                RangeParallel.ExactParts = null;
            }
        }

        for (int i = 1; i < results.Count; i++)
        {
            for (int k = 0; k < 4; k++)
            {
                Assert.That(results[i][k], Is.EqualTo(results[0][k]), $"split {i}, result {k}");
            }
        }
    }
}

using Autograd.Kernels;
using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Normalization;

/// <summary>
/// Functional.BatchNorm on [N,C], [N,C,L] and [N,C,H,W]: values and running-statistic updates against a naive
/// reference, first and second derivatives in training and evaluation mode, errors, threads.
/// </summary>
public class BatchNormTests
{
    /// <summary>Per channel over N and the spatial positions: the mean and the biased variance, in plain double loops.</summary>
    internal static (double[] Mean, double[] Variance) Statistics(double[] x, int[] shape)
    {
        int n = shape[0], c = shape[1], s = x.Length / Math.Max(1, n * c);
        double[] mean = new double[c], variance = new double[c];
        for (int ch = 0; ch < c; ch++)
        {
            for (int i = 0; i < n; i++)
            {
                for (int k = 0; k < s; k++)
                {
                    mean[ch] += x[(((i * c) + ch) * s) + k];
                }
            }

            mean[ch] /= n * s;
            for (int i = 0; i < n; i++)
            {
                for (int k = 0; k < s; k++)
                {
                    double centred = x[(((i * c) + ch) * s) + k] - mean[ch];
                    variance[ch] += centred * centred;
                }
            }

            variance[ch] /= n * s;
        }

        return (mean, variance);
    }

    /// <summary>y = (x − mean[c])/√(var[c] + eps)·w[c] + b[c].</summary>
    internal static double[] Normalise(double[] x, int[] shape, double[] mean, double[] variance, double[]? w, double[]? b,
        double eps = 1e-5)
    {
        int n = shape[0], c = shape[1], s = x.Length / Math.Max(1, n * c);
        double[] y = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            int ch = i / s % c;
            y[i] = ((x[i] - mean[ch]) / Math.Sqrt(variance[ch] + eps) * (w?[ch] ?? 1)) + (b?[ch] ?? 0);
        }

        return y;
    }

    private static int[][] Layouts() => [[5, 3], [3, 2, 4], [2, 3, 2, 3], [2, 2, 1, 2, 2]];

    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (int[] shape in Layouts())
        {
            foreach (bool training in new[] { true, false })
            {
                foreach (var (weight, bias) in new[] { (true, true), (true, false), (false, true), (false, false) })
                {
                    yield return new TestCaseData(shape, training, weight, bias)
                        .SetName($"BatchNorm_[{string.Join("x", shape)}]_{(training ? "train" : "eval")}_w{weight}_b{bias}");
                }
            }
        }
    }

    private static Tensor[] Operands(int c, bool weight, bool bias, int seed, Tensor x)
    {
        var operands = new List<Tensor> { x };
        if (weight)
        {
            operands.Add(Inputs.Normal(seed + 1, c));
        }

        if (bias)
        {
            operands.Add(Inputs.Normal(seed + 2, c));
        }

        return [.. operands];
    }

    /// <summary>Running statistics that are not the batch's: a mean near 0.3 and a variance in [0.5, 2).</summary>
    private static (Tensor Mean, Tensor Var) Running(int c, DType dtype = DType.Float64) =>
        (Tensor.Rand([c], 41, -0.2, 0.8, dtype), Tensor.Rand([c], 42, 0.5, 2, dtype));

    private static Func<Tensor[], Tensor> Apply(bool training, bool weight, bool bias, Tensor? runningMean, Tensor? runningVar) =>
        v => Functional.BatchNorm(v[0], runningMean, runningVar, weight ? v[1] : null, bias ? v[weight ? 2 : 1] : null, training);

    [TestCaseSource(nameof(Cases))]
    public void Values_MatchTheNaiveReference(int[] shape, bool training, bool weight, bool bias)
    {
        int c = shape[1];
        Tensor[] operands = Operands(c, weight, bias, 7, Inputs.Normal(7, shape));
        var (runningMean, runningVar) = Running(c);
        double[] x = operands[0].ToArray<double>();
        var (mean, variance) = training ? Statistics(x, shape) : (runningMean.ToArray<double>(), runningVar.ToArray<double>());
        double[] expected = Normalise(x, shape, mean, variance, weight ? operands[1].ToArray<double>() : null,
            bias ? operands[^1].ToArray<double>() : null);

        Tensor y = Apply(training, weight, bias, runningMean.To(DType.Float64), runningVar.To(DType.Float64))(operands);
        Assert.That(y.Shape, Is.EqualTo(shape));
        GradAssert.Values(y, expected, 1e-12);

        Tensor[] operands32 = operands.Select(t => Inputs.CopyAs(t, DType.Float32)).ToArray();
        Tensor y32 = Apply(training, weight, bias, runningMean.To(DType.Float32), runningVar.To(DType.Float32))(operands32);
        GradAssert.Values(y32, expected, 2e-5);
    }

    // GradCheck also runs CheckGradGrad: in training the createGraph path recomputes the batch statistics from x.
    [TestCaseSource(nameof(Cases))]
    public void GradCheck(int[] shape, bool training, bool weight, bool bias)
    {
        var (runningMean, runningVar) = Running(shape[1]);
        GradAssert.GradCheck(Apply(training, weight, bias, runningMean, runningVar),
            Operands(shape[1], weight, bias, 19, Inputs.Normal(19, shape)));
    }

    [Test]
    public void GradCheck_TrainingWithoutRunningStatistics() =>
        GradAssert.GradCheck(Apply(true, true, true, null, null), Operands(3, true, true, 3, Inputs.Normal(3, 4, 3, 2)));

    [TestCase(true)]
    [TestCase(false)]
    public void Float32_MatchesFloat64(bool training)
    {
        var (runningMean, runningVar) = Running(3);
        GradAssert.Float32MatchesFloat64(
            v => Functional.BatchNorm(v[0], runningMean.To(v[0].DType), runningVar.To(v[0].DType), v[1], v[2], training),
            Operands(3, true, true, 9, Inputs.Normal(9, 4, 3, 5)));
    }

    [Test]
    public void GradCheck_FanOut_AndAWeightThatNeedsNoGradient()
    {
        Tensor x = Inputs.Normal(5, 6, 2);
        Tensor w = Tensor.Randn([2], 6, DType.Float64);
        GradAssert.GradCheck(v => Functional.BatchNorm(v[0], null, null, w, v[1], training: true) * v[0], [x, Inputs.Normal(8, 2)]);
    }

    [TestCaseSource(nameof(Layouts))]
    public void Training_UpdatesTheRunningStatistics_WithTheUnbiasedVariance(int[] shape)
    {
        int c = shape[1];
        var (runningMean, runningVar) = Running(c);
        double[] mean0 = runningMean.ToArray<double>(), var0 = runningVar.ToArray<double>();
        int meanVersion = runningMean.Version, varVersion = runningVar.Version;
        Tensor x = Tensor.Randn(shape, 3, DType.Float64);
        Functional.BatchNorm(x, runningMean, runningVar, training: true, momentum: 0.3);

        var (mean, variance) = Statistics(x.ToArray<double>(), shape);
        double m = x.Count / c;
        GradAssert.Values(runningMean, mean0.Select((r, i) => (0.7 * r) + (0.3 * mean[i])).ToArray(), 1e-15);
        GradAssert.Values(runningVar, var0.Select((r, i) => (0.7 * r) + (0.3 * variance[i] * m / (m - 1))).ToArray(), 1e-15);
        Assert.That(runningMean.Version, Is.GreaterThan(meanVersion), "the update bumps the version");
        Assert.That(runningVar.Version, Is.GreaterThan(varVersion));
    }

    [Test]
    public void Evaluation_LeavesTheRunningStatisticsAlone()
    {
        var (runningMean, runningVar) = Running(3);
        double[] mean0 = runningMean.ToArray<double>(), var0 = runningVar.ToArray<double>();
        Functional.BatchNorm(Tensor.Randn([4, 3], 1, DType.Float64), runningMean, runningVar);
        Assert.That(runningMean.ToArray<double>(), Is.EqualTo(mean0));
        Assert.That(runningVar.ToArray<double>(), Is.EqualTo(var0));
    }

    [Test]
    public void RunningStatisticsUpdate_MakesABackwardThatSavedThemThrow()
    {
        // The update is an in-place write: a graph that saved the old running mean must refuse to use the new one.
        var (runningMean, runningVar) = Running(3);
        Tensor x = Inputs.Normal(1, 4, 3);
        Tensor product = x * runningMean;
        Functional.BatchNorm(Tensor.Randn([4, 3], 2, DType.Float64), runningMean, runningVar, training: true);
        var error = Assert.Throws<InvalidOperationException>(() => product.Sum().Backward());
        Assert.That(error!.Message, Does.Contain("modified in place"));
    }

    [Test]
    public void EmptyBatch_GivesAnEmptyOutput_AndLeavesTheRunningStatisticsAlone()
    {
        var (runningMean, runningVar) = Running(3);
        double[] mean0 = runningMean.ToArray<double>();
        Tensor x = Inputs.Normal(1, 0, 3, 4);
        Tensor w = Inputs.Normal(2, 3);
        Tensor y = Functional.BatchNorm(x, runningMean, runningVar, w, training: true);
        Assert.That(y.Shape, Is.EqualTo(new[] { 0, 3, 4 }));
        Assert.That(runningMean.ToArray<double>(), Is.EqualTo(mean0));
        y.Sum().Backward();
        GradAssert.Values(w.Grad!, [0, 0, 0], 0);
    }

    [Test]
    public void Errors_NameTheShapesAndTheRule()
    {
        Tensor x = Tensor.Zeros([2, 4, 5, 5]);
        var error = Assert.Throws<ArgumentException>(() => Functional.BatchNorm(Tensor.Zeros([5]), null, null, training: true));
        Assert.That(error!.Message, Does.StartWith("BatchNorm: input must be [N,C], [N,C,L] or [N,C,H,W]").And.EndWith("got [5]."));
        error = Assert.Throws<ArgumentException>(() => Functional.BatchNorm(x, Tensor.Zeros([3]), Tensor.Ones([4])));
        Assert.That(error!.Message, Is.EqualTo("BatchNorm: runningMean [3] must be [4] (one value per channel of input [2,4,5,5])."));
        error = Assert.Throws<ArgumentException>(() => Functional.BatchNorm(x, null, null, Tensor.Ones([4, 1]), training: true));
        Assert.That(error!.Message, Does.StartWith("BatchNorm: weight [4,1] must be [4]"));
        error = Assert.Throws<ArgumentException>(() => Functional.BatchNorm(x, null, null, bias: Tensor.Ones([4], DType.Float64), training: true));
        Assert.That(error!.Message, Does.StartWith("BatchNorm: dtypes differ"));
        error = Assert.Throws<ArgumentException>(() => Functional.BatchNorm(x, null, null));
        Assert.That(error!.Message, Does.StartWith("BatchNorm: runningMean and runningVar are required in evaluation mode"));
        error = Assert.Throws<ArgumentException>(() => Functional.BatchNorm(Tensor.Zeros([1, 3]), null, null, training: true));
        Assert.That(error!.Message, Is.EqualTo("BatchNorm: expected more than 1 value per channel when training; got input [1,3]."));
        error = Assert.Throws<ArgumentException>(() => Functional.BatchNorm(Tensor.Zeros([1, 3, 1, 1]), null, null, training: true));
        Assert.That(error!.Message, Does.Contain("expected more than 1 value per channel when training"));
        Tensor trained = Tensor.Zeros([4]);
        trained.RequiresGrad = true;
        error = Assert.Throws<ArgumentException>(() => Functional.BatchNorm(x, trained, Tensor.Ones([4])));
        Assert.That(error!.Message, Does.StartWith("BatchNorm: runningMean requires a gradient"));

        // Evaluation with a single value per channel is fine (the running statistics are used).
        Assert.That(Functional.BatchNorm(Tensor.Ones([1, 3]), Tensor.Zeros([3]), Tensor.Ones([3])).Shape, Is.EqualTo(new[] { 1, 3 }));
    }

    private static IEnumerable<TestCaseData> ThreadCases()
    {
        foreach (bool training in new[] { true, false })
        {
            foreach (DType dtype in new[] { DType.Float32, DType.Float64 })
            {
                yield return new TestCaseData(new[] { 8, 16, 24, 24 }, training, dtype).SetName($"Spatial_{(training ? "train" : "eval")}_{dtype}");
                yield return new TestCaseData(new[] { 1024, 48 }, training, dtype).SetName($"Rows_{(training ? "train" : "eval")}_{dtype}");
            }
        }
    }

    [TestCaseSource(nameof(ThreadCases))]
    public void LargeInput_IsBitIdenticalWhateverTheSplitOverThreads(int[] shape, bool training, DType dtype)
    {
        int c = shape[1];
        var results = new List<double[][]>();
        foreach (int parts in new[] { 1, 2, 3, 7 })
        {
            Tensor x = Tensor.Randn(shape, 1, dtype), w = Tensor.Randn([c], 2, dtype), b = Tensor.Randn([c], 3, dtype);
            foreach (Tensor t in new[] { x, w, b })
            {
                t.RequiresGrad = true;
            }

            var (runningMean, runningVar) = Running(c, dtype);
            RangeParallel.ExactParts = parts;
            try
            {
                Tensor y = Functional.BatchNorm(x, runningMean, runningVar, w, b, training);
                y.Backward(Tensor.Randn(shape, 4, dtype));
                results.Add([y.ToArray<double>(), x.Grad!.ToArray<double>(), w.Grad!.ToArray<double>(), b.Grad!.ToArray<double>(),
                    runningMean.ToArray<double>(), runningVar.ToArray<double>()]);
            }
            finally
            {
                RangeParallel.ExactParts = null;
            }
        }

        for (int i = 1; i < results.Count; i++)
        {
            for (int k = 0; k < results[0].Length; k++)
            {
                Assert.That(results[i][k], Is.EqualTo(results[0][k]), $"split {i}, result {k}");
            }
        }
    }
}

using Autograd.Kernels;

namespace Autograd.Tests.Kernels;

/// <summary>
/// AxisKernels against naive triple loops on [outer, length, inner] layouts, including inner &gt; 1 (a strided
/// axis), plus Max's NaN and tie rules (as PyTorch: NaN wins, ties go to the first index).
/// </summary>
public class AxisKernelsTests
{
    private static IEnumerable<TestCaseData> Layouts()
    {
        int[][] layouts =
        [
            [1, 1, 1], [1, 7, 1], [3, 5, 1], [1, 4, 3], [2, 3, 5], [4, 1, 6], [3, 17, 2], [2, 33, 1], [1, 2, 40],
        ];
        int seed = 100;
        foreach (int[] l in layouts)
        {
            yield return new TestCaseData(l[0], l[1], l[2], seed++).SetArgDisplayNames($"outer{l[0]}_length{l[1]}_inner{l[2]}");
        }
    }

    private static double[] Random(int count, int seed) => Tensor.Randn([count], seed, DType.Float64).ToArray<double>();

    private static int At(int o, int j, int i, int length, int inner) => (((o * length) + j) * inner) + i;

    [TestCaseSource(nameof(Layouts))]
    public void Sum_MatchesNaiveLoop(int outer, int length, int inner, int seed)
    {
        double[] x = Random(outer * length * inner, seed);
        double[] actual = new double[outer * inner];
        actual.AsSpan().Fill(double.NaN);   // the kernel must overwrite, not accumulate into garbage
        AxisKernels.Sum<double>(x, outer, length, inner, actual);
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                double expected = 0;
                for (int j = 0; j < length; j++)
                {
                    expected += x[At(o, j, i, length, inner)];
                }

                Assert.That(actual[(o * inner) + i], Is.EqualTo(expected).Within(1e-12), $"[{o},{i}]");
            }
        }
    }

    [TestCaseSource(nameof(Layouts))]
    public void Sum_Float32_MatchesNaiveLoop(int outer, int length, int inner, int seed)
    {
        float[] x = Tensor.Randn([outer * length * inner], seed).ToArray<float>();
        float[] actual = new float[outer * inner];
        AxisKernels.Sum<float>(x, outer, length, inner, actual);
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                double expected = 0;
                for (int j = 0; j < length; j++)
                {
                    expected += x[At(o, j, i, length, inner)];
                }

                Assert.That(actual[(o * inner) + i], Is.EqualTo(expected).Within(1e-5), $"[{o},{i}]");
            }
        }
    }

    [TestCaseSource(nameof(Layouts))]
    public void Expand_CopiesEachOutputAlongTheAxis(int outer, int length, int inner, int seed)
    {
        double[] g = Random(outer * inner, seed);
        double[] actual = new double[outer * length * inner];
        AxisKernels.Expand<double>(g, outer, length, inner, actual);
        for (int o = 0; o < outer; o++)
        {
            for (int j = 0; j < length; j++)
            {
                for (int i = 0; i < inner; i++)
                {
                    Assert.That(actual[At(o, j, i, length, inner)], Is.EqualTo(g[(o * inner) + i]));
                }
            }
        }
    }

    [TestCaseSource(nameof(Layouts))]
    public void Max_MatchesNaiveLoop_ValuesAndFirstArgMax(int outer, int length, int inner, int seed)
    {
        // Rounded to one decimal so that ties actually occur.
        double[] x = Random(outer * length * inner, seed).Select(v => Math.Round(v, 1)).ToArray();
        double[] values = new double[outer * inner];
        int[] indices = new int[outer * inner];
        AxisKernels.Max<double>(x, outer, length, inner, values, indices);
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int best = 0;
                for (int j = 1; j < length; j++)
                {
                    if (x[At(o, j, i, length, inner)] > x[At(o, best, i, length, inner)])
                    {
                        best = j;
                    }
                }

                Assert.That(indices[(o * inner) + i], Is.EqualTo(best), $"arg-max at [{o},{i}]");
                Assert.That(values[(o * inner) + i], Is.EqualTo(x[At(o, best, i, length, inner)]), $"max at [{o},{i}]");
            }
        }
    }

    [TestCaseSource(nameof(Layouts))]
    public void MaxBackward_RoutesEachGradientToItsArgMaxOnly(int outer, int length, int inner, int seed)
    {
        double[] x = Random(outer * length * inner, seed);
        double[] values = new double[outer * inner];
        int[] indices = new int[outer * inner];
        AxisKernels.Max<double>(x, outer, length, inner, values, indices);
        double[] g = Random(outer * inner, seed + 1000);
        double[] dx = new double[x.Length];
        dx.AsSpan().Fill(double.NaN);
        AxisKernels.MaxBackward<double>(g, indices, outer, length, inner, dx);
        for (int o = 0; o < outer; o++)
        {
            for (int j = 0; j < length; j++)
            {
                for (int i = 0; i < inner; i++)
                {
                    double expected = j == indices[(o * inner) + i] ? g[(o * inner) + i] : 0;
                    Assert.That(dx[At(o, j, i, length, inner)], Is.EqualTo(expected), $"[{o},{j},{i}]");
                }
            }
        }
    }

    [TestCase(new[] { 1.0, double.NaN, 3 }, 1)]
    [TestCase(new[] { double.NaN, 5.0, 3 }, 0)]
    [TestCase(new[] { 1.0, 2, double.NaN }, 2)]
    [TestCase(new[] { 1.0, double.NaN, double.NaN }, 1)]
    [TestCase(new[] { double.PositiveInfinity, double.NaN }, 1)]
    public void Max_NaNWins_AtTheFirstNaN(double[] x, int expectedIndex)
    {
        double[] values = new double[1];
        int[] indices = new int[1];
        AxisKernels.Max<double>(x, 1, x.Length, 1, values, indices);
        Assert.That(values[0], Is.NaN);
        Assert.That(indices[0], Is.EqualTo(expectedIndex));
    }

    [Test]
    public void Max_NaNWins_AlongAStridedAxis_Float32()
    {
        // [length 3, inner 2]: column 0 = {1, NaN, 9}, column 1 = {4, 8, 8}.
        float[] x = [1, 4, float.NaN, 8, 9, 8];
        float[] values = new float[2];
        int[] indices = new int[2];
        AxisKernels.Max<float>(x, 1, 3, 2, values, indices);
        Assert.That(values[0], Is.NaN);
        Assert.That(indices[0], Is.EqualTo(1));
        Assert.That(values[1], Is.EqualTo(8f));
        Assert.That(indices[1], Is.EqualTo(1), "ties go to the first index");
    }

    [TestCase(new[] { 7.0, 2, 7 }, 0)]
    [TestCase(new[] { 2.0, 7, 7 }, 1)]
    [TestCase(new[] { 3.0, 3, 3, 3 }, 0)]
    [TestCase(new[] { double.NegativeInfinity, double.NegativeInfinity }, 0)]
    [TestCase(new[] { -0.0, 0.0 }, 0)]
    public void Max_Ties_GoToTheFirstIndex(double[] x, int expectedIndex)
    {
        double[] values = new double[1];
        int[] indices = new int[1];
        AxisKernels.Max<double>(x, 1, x.Length, 1, values, indices);
        Assert.That(indices[0], Is.EqualTo(expectedIndex));
        Assert.That(values[0], Is.EqualTo(x[expectedIndex]));
    }

    [TestCaseSource(nameof(Layouts))]
    public void Softmax_And_LogSoftmax_MatchNaiveLoop(int outer, int length, int inner, int seed)
    {
        double[] x = Random(outer * length * inner, seed).Select(v => 5 * v).ToArray();
        double[] softmax = new double[x.Length];
        double[] logSoftmax = new double[x.Length];
        AxisKernels.Softmax<double>(x, outer, length, inner, softmax, log: false);
        AxisKernels.Softmax<double>(x, outer, length, inner, logSoftmax, log: true);
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                double total = 0;
                for (int j = 0; j < length; j++)
                {
                    total += Math.Exp(x[At(o, j, i, length, inner)]);
                }

                for (int j = 0; j < length; j++)
                {
                    int at = At(o, j, i, length, inner);
                    Assert.That(softmax[at], Is.EqualTo(Math.Exp(x[at]) / total).Within(1e-14), $"softmax [{o},{j},{i}]");
                    Assert.That(logSoftmax[at], Is.EqualTo(x[at] - Math.Log(total)).Within(1e-12), $"log-softmax [{o},{j},{i}]");
                }
            }
        }
    }

    [Test]
    public void Softmax_StridedAxis_HugeLogits_StayFiniteAndNormalised()
    {
        // [length 3, inner 2]: column 0 = {1000, -1000, 999}, column 1 = {-1000, -1000, -1000}.
        double[] x = [1000, -1000, -1000, -1000, 999, -1000];
        double[] y = new double[6];
        double[] logY = new double[6];
        AxisKernels.Softmax<double>(x, 1, 3, 2, y, log: false);
        AxisKernels.Softmax<double>(x, 1, 3, 2, logY, log: true);
        double e = Math.Exp(-1);
        Assert.That(y, Is.EqualTo(new[] { 1 / (1 + e), 1.0 / 3, 0, 1.0 / 3, e / (1 + e), 1.0 / 3 }).Within(1e-15));
        Assert.That(logY[0], Is.EqualTo(-Math.Log(1 + e)).Within(1e-14));
        Assert.That(logY[2], Is.EqualTo(-2000 - Math.Log(1 + e)).Within(1e-10), "log-softmax stays finite where softmax underflows");
        Assert.That(logY[1], Is.EqualTo(-Math.Log(3)).Within(1e-14));
    }

    [TestCaseSource(nameof(Layouts))]
    public void SoftmaxBackward_MatchesTheNaiveJacobianProduct(int outer, int length, int inner, int seed)
    {
        double[] x = Random(outer * length * inner, seed);
        double[] g = Random(x.Length, seed + 500);
        foreach (bool log in new[] { false, true })
        {
            double[] y = new double[x.Length];
            AxisKernels.Softmax<double>(x, outer, length, inner, y, log);
            double[] dx = new double[x.Length];
            AxisKernels.SoftmaxBackward<double>(y, g, outer, length, inner, dx, log);
            for (int o = 0; o < outer; o++)
            {
                for (int i = 0; i < inner; i++)
                {
                    // p = softmax; softmax: J[j,k] = p_j(δ_jk − p_k); log-softmax: J[j,k] = δ_jk − p_k. dx_k = Σ_j g_j J[j,k].
                    double[] p = new double[length];
                    double total = 0;
                    for (int j = 0; j < length; j++)
                    {
                        total += Math.Exp(x[At(o, j, i, length, inner)]);
                    }

                    for (int j = 0; j < length; j++)
                    {
                        p[j] = Math.Exp(x[At(o, j, i, length, inner)]) / total;
                    }

                    for (int k = 0; k < length; k++)
                    {
                        double expected = 0;
                        for (int j = 0; j < length; j++)
                        {
                            double jacobian = log ? (j == k ? 1 : 0) - p[k] : p[j] * ((j == k ? 1 : 0) - p[k]);
                            expected += g[At(o, j, i, length, inner)] * jacobian;
                        }

                        Assert.That(dx[At(o, k, i, length, inner)], Is.EqualTo(expected).Within(1e-12),
                            $"{(log ? "log-softmax" : "softmax")} [{o},{k},{i}]");
                    }
                }
            }
        }
    }
}

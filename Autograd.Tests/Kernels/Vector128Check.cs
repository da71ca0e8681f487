using System.Numerics;
using System.Runtime.Intrinsics;
using Autograd.Kernels;

namespace Autograd.Tests.Kernels;

/// <summary>
/// Run in a child process started with <c>DOTNET_EnableAVX=0</c> (<see cref="Vector128Tests"/>): checks that the
/// process really has 128-bit vectors only, then runs the kernels with explicit vector paths on lengths that leave
/// every remainder, against scalar references. Prints one line per failure and exits 1 on any.
/// </summary>
internal static class Vector128Check
{
    private static int _checks;
    private static int _failures;

    public static int Run()
    {
        Console.WriteLine($"Vector256 accelerated: {Vector256.IsHardwareAccelerated}, Vector128 accelerated: "
            + $"{Vector128.IsHardwareAccelerated}, Vector<float>.Count = {Vector<float>.Count}");
        if (Vector256.IsHardwareAccelerated || !Vector128.IsHardwareAccelerated)
        {
            Console.WriteLine("not a 128-bit-only process");
            return 3;
        }

        Comparisons<float>(x => (float)x);
        Comparisons<double>(x => x);
        Comparisons<long>(x => (long)x);
        Elementwise();
        Extrema();
        LayerNorm();
        Transcendentals();
        Large();
        Console.WriteLine($"{_checks} checks, {_failures} failures");
        return _failures == 0 ? 0 : 1;
    }

    private static void Check(bool ok, string what)
    {
        _checks++;
        if (!ok)
        {
            _failures++;
            Console.WriteLine($"FAIL {what}");
        }
    }

    private static void Comparisons<T>(Func<double, T> of)
        where T : unmanaged, INumber<T>
    {
        var random = new Random(1);
        for (int n = 1; n <= 37; n++)
        {
            // Small integers, so that equal pairs are common; a NaN in the floating-point cases.
            T[] x = [.. Enumerable.Range(0, n).Select(_ => of(random.Next(-2, 3)))];
            T[] y = [.. Enumerable.Range(0, n).Select(_ => of(random.Next(-2, 3)))];
            if (n > 3 && T.IsNaN(T.CreateSaturating(double.NaN)))
            {
                x[n - 2] = T.CreateSaturating(double.NaN);
            }

            Compare<EqualTest, T>(x, y, (a, b) => a == b, "==");
            Compare<NotEqualTest, T>(x, y, (a, b) => a != b, "!=");
            Compare<LessTest, T>(x, y, (a, b) => a < b, "<");
            Compare<LessOrEqualTest, T>(x, y, (a, b) => a <= b, "<=");
            Compare<GreaterTest, T>(x, y, (a, b) => a > b, ">");
            Compare<GreaterOrEqualTest, T>(x, y, (a, b) => a >= b, ">=");
        }
    }

    private static void Compare<TTest, T>(T[] x, T[] y, Func<T, T, bool> test, string name)
        where TTest : IComparison
        where T : unmanaged, INumber<T>
    {
        int n = x.Length;
        bool[] actual = new bool[n];
        ComparisonKernels.Apply<TTest, T>(x, [n], y, [n], actual, [n]);
        Check(actual.SequenceEqual(x.Select((v, i) => test(v, y[i]))), $"{typeof(T).Name} {name} n={n}");
        ComparisonKernels.Apply<TTest, T>(x, y[0], actual);
        Check(actual.SequenceEqual(x.Select(v => test(v, y[0]))), $"{typeof(T).Name} {name} constant n={n}");

        // [n, 1] against [1, n]: rows with a repeated x and a row of y.
        bool[] grid = new bool[n * n];
        ComparisonKernels.Apply<TTest, T>(x, [n, 1], y, [1, n], grid, [n, n]);
        Check(grid.Select((v, k) => v == test(x[k / n], y[k % n])).All(v => v), $"{typeof(T).Name} {name} broadcast n={n}");
    }

    private static void Elementwise()
    {
        for (int n = 1; n <= 37; n++)
        {
            float[] x = Tensor.Randn([n], n).ToArray<float>();
            float[] g = Tensor.Randn([n], n + 100).ToArray<float>();
            x[0] = 0;
            float[] actual = new float[n];
            ElementwiseKernels.ReluBackward<float>(x, g, actual);
            Check(actual.SequenceEqual(x.Select((v, i) => v > 0 ? g[i] : 0)), $"ReluBackward n={n}");
            ElementwiseKernels.LeakyRelu<float>(x, 0.1f, actual);
            Check(actual.SequenceEqual(x.Select(v => v > 0 ? v : 0.1f * v)), $"LeakyRelu n={n}");
            ElementwiseKernels.AbsBackward<float>(x, g, actual);
            Check(actual.SequenceEqual(x.Select((v, i) => v > 0 ? g[i] : v < 0 ? -g[i] : 0)), $"AbsBackward n={n}");
            ElementwiseKernels.TanhBackward<float>(x, g, actual);
            Check(actual.SequenceEqual(x.Select((v, i) => g[i] * (1 - (v * v)))), $"TanhBackward n={n}");
        }
    }

    private static void Extrema()
    {
        for (int n = 1; n <= 100; n++)
        {
            double[] x = [.. Enumerable.Range(0, n).Select(i => (double)((i * 37) % 11))];
            if (n % 3 == 0)
            {
                x[n / 2] = double.NaN;
            }

            var (value, index) = BlockedReductions.ArgExtremum<double, Greatest>(x, 1);
            int expected = 0;
            for (int j = 1; j < n && !double.IsNaN(x[expected]); j++)
            {
                expected = x[j] > x[expected] || double.IsNaN(x[j]) ? j : expected;
            }

            Check(index == expected && value.Equals(x[expected]), $"ArgExtremum n={n}: {index} for {expected}");
        }
    }

    private static void Transcendentals()
    {
        // x64 without AVX: TensorPrimitives' 128-bit exp, log, ... are replaced by loops of the scalar functions.
        Check(MathKernels.ScalarLoops, "MathKernels.ScalarLoops on x64 without AVX");
        float[] x = Tensor.Rand([37], 11, 0.1, 3).ToArray<float>();
        float[] y = new float[37];
        MathKernels.Exp<float>(x, y);
        Check(y.SequenceEqual(x.Select(v => MathF.Exp(v))), "Exp");
        MathKernels.Log<float>(x, y);
        Check(y.SequenceEqual(x.Select(v => MathF.Log(v))), "Log");
        MathKernels.Tanh<float>(x, y);
        Check(y.SequenceEqual(x.Select(v => MathF.Tanh(v))), "Tanh");
        MathKernels.Sigmoid<float>(x, y);
        Check(y.SequenceEqual(x.Select(v => 1 / (1 + MathF.Exp(-v)))), "Sigmoid");
        MathKernels.Sin<float>(x, y);
        Check(y.SequenceEqual(x.Select(v => MathF.Sin(v))), "Sin");
        MathKernels.Cos<float>(x, y);
        Check(y.SequenceEqual(x.Select(v => MathF.Cos(v))), "Cos");
        MathKernels.Pow<float>(x, 1.5f, y);
        Check(y.SequenceEqual(x.Select(v => MathF.Pow(v, 1.5f))), "Pow");
        Check(Math.Abs(Tensor.FromArray(x, 37).LogSoftmax(0).Exp().Sum().Item() - 1) < 1e-5, "LogSoftmax");
    }

    private static void LayerNorm()
    {
        foreach (int d in new[] { 1, 3, 4, 5, 37, 64 })
        {
            double[] x = Tensor.Randn([2 * d], d, DType.Float64).ToArray<double>();
            double[] y = new double[2 * d], mean = new double[2], rstd = new double[2];
            LayerNormKernels.Forward<double>(x, default, default, d, 1e-5, y, mean, rstd, 0, 2);
            for (int r = 0; r < 2; r++)
            {
                double[] row = x[(r * d)..((r + 1) * d)];
                double m = row.Average();
                double s = 1 / Math.Sqrt((row.Sum(v => (v - m) * (v - m)) / d) + 1e-5);
                Check(Math.Abs(mean[r] - m) < 1e-12 && Math.Abs(rstd[r] - s) < 1e-9 * s, $"LayerNorm statistics d={d}");
                Check(row.Select((v, i) => Math.Abs(y[(r * d) + i] - ((v - m) * s)) < 1e-9).All(ok => ok), $"LayerNorm output d={d}");
            }
        }
    }

    private static void Large()
    {
        const int N = 103 * 971;
        Tensor a = Tensor.Randn([N], 1), b = Tensor.Randn([N], 2);
        float[] xa = a.ToArray<float>(), xb = b.ToArray<float>();
        float[] sum = (a + b).ToArray<float>();
        Check(sum.Select((v, i) => v == xa[i] + xb[i]).All(ok => ok), "Add of 100,013");
        Check(a.Relu().ToArray<float>().Select((v, i) => v == Math.Max(xa[i], 0)).All(ok => ok), "Relu of 100,013");
        Check(Math.Abs(a.Sum().Item() - xa.Sum(v => (double)v)) < 1e-2, "Sum of 100,013");
        Check(a.Max().Item() == xa.Max(), "Max of 100,013");
        double[] softmax = a.Reshape(103, 971).Softmax(1).Sum(1).ToArray<double>();
        Check(softmax.All(v => Math.Abs(v - 1) < 1e-5), "Softmax rows sum to 1");
    }
}

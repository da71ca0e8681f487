using System.Collections.Concurrent;
using Autograd.Kernels;

namespace Autograd.Tests.Kernels;

[TestFixture]
public class GemmTests
{
    private static readonly ConcurrentDictionary<(int, int, int, bool, bool, bool, bool), Reference> _references = new();

    private static readonly GemmKernel[] _fastKernels = [GemmKernel.Auto, GemmKernel.RowAxpy, GemmKernel.Dot, GemmKernel.Blocked];

    // (m, n, k): degenerate vectors, primes, exact and ragged register tiles (6 or 8 rows, 8 to 32
    // columns; GemmTileTests forces each tile), and shapes crossing the cache blocks (MC 144/72, KC 256,
    // NC 4096); 61×20×530 makes two threads split rows over several K steps (shared panel, barriers,
    // claimed blocks).
    private static readonly (int M, int N, int K)[] _shapes =
    [
        (1, 1, 1), (1, 19, 7), (23, 1, 9), (11, 8, 1), (7, 13, 5), (6, 16, 32), (12, 32, 8),
        (5, 17, 3), (37, 41, 43), (150, 24, 20), (13, 40, 600), (3, 4100, 2), (1, 300, 40), (300, 1, 40),
        (61, 20, 530), (257, 129, 65),
    ];

    private static IEnumerable<TestCaseData> KernelCases()
    {
        foreach (var kernel in _fastKernels)
        {
            foreach (var single in new[] { true, false })
            {
                foreach (var threads in new[] { 1, 2 })
                {
                    yield return new TestCaseData(kernel, single, threads)
                        .SetArgDisplayNames(kernel.ToString(), single ? "float" : "double", $"{threads} threads");
                }
            }
        }
    }

    [TestCaseSource(nameof(KernelCases))]
    public void Multiply_EqualsNaive_ForEveryShapeTransposeAndAccumulate(GemmKernel kernel, bool single, int threads)
    {
        Assert.Multiple(() =>
        {
            foreach (var (m, n, k) in _shapes)
            {
                foreach (var transA in new[] { false, true })
                {
                    foreach (var transB in new[] { false, true })
                    {
                        foreach (var accumulate in new[] { false, true })
                        {
                            CheckAgainstNaive(kernel, single, threads, m, n, k, transA, transB, accumulate);
                        }
                    }
                }
            }
        });
    }

    [TestCaseSource(nameof(KernelCases))]
    public void Multiply_ThroughPublicEntry_EqualsNaive_ForALargeRaggedProduct(GemmKernel kernel, bool single, int threads)
    {
        // Big enough that the public entry's own thread heuristic engages the second core.
        const int m = 190, n = 263, k = 150;
        var random = new Random(99);
        var a = RandomValues(random, m * k);
        var b = RandomValues(random, k * n);
        var c = RandomValues(random, m * n);
        var expected = (double[])c.Clone();
        Multiply(GemmKernel.Naive, single, null, true, false, m, n, k, a, b, expected, accumulate: true);
        Multiply(kernel, single, threads, true, false, m, n, k, a, b, c, accumulate: true);
        AssertClose(c, expected, Magnitude(true, false, m, n, k, a, b, c), single, k, "190×263×150 Aᵀ·B");
    }

    [TestCase(true, false)]
    [TestCase(true, true)]
    [TestCase(false, false)]
    [TestCase(false, true)]
    public void Multiply_WithZeroK_ClearsOrKeepsC(bool single, bool accumulate)
    {
        foreach (var kernel in Enum.GetValues<GemmKernel>())
        {
            var c = new double[] { 1, 2, 3, 4, 5, 6 };
            Multiply(kernel, single, null, false, false, 2, 3, 0, [], [], c, accumulate);
            Assert.That(c, Is.EqualTo(accumulate ? new double[] { 1, 2, 3, 4, 5, 6 } : new double[6]), kernel.ToString());
        }
    }

    [Test]
    public void Multiply_WithZeroMOrN_LeavesCUntouched()
    {
        var c = new float[] { 7 };
        Gemm.Multiply(GemmKernel.Blocked, false, false, 0, 1, 3, [], [1f, 2f, 3f], c);
        Gemm.Multiply(GemmKernel.Blocked, false, false, 1, 0, 3, [1f, 2f, 3f], [], c);
        Assert.That(c[0], Is.EqualTo(7f));
    }

    [Test]
    public void Multiply_TinyProduct_IsExact()
    {
        // [2,3]·[3,2], the hot path of tiny networks.
        float[] a = [1, 2, 3, 4, 5, 6];
        float[] b = [7, 8, 9, 10, 11, 12];
        var c = new float[4];
        Gemm.Multiply(GemmKernel.Auto, false, false, 2, 2, 3, a, b, c);
        Assert.That(c, Is.EqualTo(new float[] { 58, 64, 139, 154 }));
    }

    [Test]
    public void Multiply_CalledFromManyThreadsAtOnce_StaysCorrect()
    {
        const int m = 97, n = 131, k = 113;
        var random = new Random(5);
        var a = RandomValues(random, m * k).Select(x => (float)x).ToArray();
        var b = RandomValues(random, k * n).Select(x => (float)x).ToArray();
        var expected = new float[m * n];
        Gemm.Multiply(GemmKernel.Naive, false, true, m, n, k, a, b, expected);

        var failures = 0;
        Parallel.For(0, 16, _ =>
        {
            var c = new float[m * n];
            for (var repeat = 0; repeat < 5; repeat++)
            {
                Gemm.MultiplyWithThreads<float>(GemmKernel.Blocked, false, true, m, n, k, a, b, c, false, 2);
                if (c.Zip(expected).Any(pair => Math.Abs(pair.First - pair.Second) > 1e-3f))
                {
                    Interlocked.Increment(ref failures);
                }
            }
        });
        Assert.That(failures, Is.Zero);
    }

    [TestCase(true)]
    [TestCase(false)]
    public void Multiply_TwoThreadsSplittingColumns_WithAShortLastKBlock_IsRaceFree(bool single)
    {
        // Wide and short: the parts split B's slivers and never meet at a barrier, so a part may
        // pack the short last K block while the other still reads the previous one (a past bug).
        const int m = 13, n = 200, k = 530;
        Assert.Multiple(() =>
        {
            for (var repeat = 0; repeat < 30; repeat++)
            {
                CheckAgainstNaive(GemmKernel.Blocked, single, 2, m, n, k, false, repeat % 2 == 0, false);
            }
        });
    }

    [TestCase(GemmKernel.Blocked)]
    [TestCase(GemmKernel.RowAxpy)]
    [TestCase(GemmKernel.Dot)]
    public void Multiply_WhenWarm_DoesNotAllocate(GemmKernel kernel)
    {
        const int size = 200;
        var a = new float[size * size];
        var b = new float[size * size];
        var c = new float[size * size];
        // Warm both layouts first: each takes its own per-thread scratch (Dot's B strip only when B is not
        // transposed) on first use, so measuring a layout this thread has not run yet counts that one-off array.
        Gemm.Multiply(kernel, true, true, size, size, size, a, b, c);
        Gemm.Multiply(kernel, false, false, size, size, size, a, b, c, maxThreads: 1);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Gemm.Multiply(kernel, true, true, size, size, size, a, b, c);
        Gemm.Multiply(kernel, false, false, size, size, size, a, b, c, maxThreads: 1);
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [Test]
    public void Multiply_NegativeSize_ThrowsNamingTheSizes()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(
            () => Gemm.Multiply(GemmKernel.Auto, false, false, 2, -1, 3, new float[6], new float[6], new float[6]));
        Assert.That(ex!.Message, Does.Contain("Gemm.Multiply").And.Contain("n=-1"));
    }

    [TestCase("a")]
    [TestCase("b")]
    [TestCase("c")]
    public void Multiply_SpanTooShort_ThrowsNamingTheSpanAndSizes(string shortOne)
    {
        var a = new double[shortOne == "a" ? 5 : 6];
        var b = new double[shortOne == "b" ? 11 : 12];
        var c = new double[shortOne == "c" ? 7 : 8];
        var ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply(GemmKernel.Blocked, false, true, 2, 4, 3, a, b, c));
        Assert.That(ex!.ParamName, Is.EqualTo(shortOne));
        Assert.That(ex.Message, Does.Contain("Gemm.Multiply").And.Contain("m=2, n=4, k=3"));
    }

    [Test]
    public void Multiply_MaxThreadsBelowOne_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(
            () => Gemm.Multiply(GemmKernel.Auto, false, false, 1, 1, 1, new float[1], new float[1], new float[1], maxThreads: 0));
    }

    [Test]
    public void Multiply_OutputOverlappingAnInput_Throws()
    {
        var buffer = new float[8];
        var ex = Assert.Throws<ArgumentException>(
            () => Gemm.Multiply(GemmKernel.Auto, false, false, 2, 2, 2, buffer.AsSpan(0, 4), buffer.AsSpan(4, 4), buffer.AsSpan(2, 4)));
        Assert.That(ex!.Message, Does.Contain("overlap"));
    }

    private static void CheckAgainstNaive(GemmKernel kernel, bool single, int threads,
        int m, int n, int k, bool transA, bool transB, bool accumulate)
    {
        var reference = _references.GetOrAdd((m, n, k, transA, transB, accumulate, single), CreateReference);
        var c = (double[])reference.C.Clone();
        Multiply(kernel, single, threads, transA, transB, m, n, k, reference.A, reference.B, c, accumulate);
        AssertClose(c, reference.Expected, reference.Magnitude, single, k,
            $"{m}×{n}×{k} transA={transA} transB={transB} accumulate={accumulate}");
    }

    /// <summary>Inputs and Naive's answer for one case, computed once and shared by every kernel and thread count.</summary>
    private static Reference CreateReference((int M, int N, int K, bool TransA, bool TransB, bool Accumulate, bool Single) key)
    {
        var (m, n, k, transA, transB, accumulate, single) = key;
        var random = new Random(HashCode.Combine(m, n, k, transA, transB, accumulate));
        var a = RandomValues(random, m * k);
        var b = RandomValues(random, k * n);
        var c = RandomValues(random, m * n);
        var expected = (double[])c.Clone();
        Multiply(GemmKernel.Naive, single, null, transA, transB, m, n, k, a, b, expected, accumulate);
        var magnitude = Magnitude(transA, transB, m, n, k, a, b, accumulate ? c : new double[m * n]);
        return new Reference(a, b, c, expected, magnitude);
    }

    /// <summary>Runs one product in float or double on double-held data; <paramref name="threads"/> null means the public entry.</summary>
    private static void Multiply(GemmKernel kernel, bool single, int? threads, bool transA, bool transB,
        int m, int n, int k, double[] a, double[] b, double[] c, bool accumulate)
    {
        if (!single)
        {
            if (threads is { } exact)
            {
                Gemm.MultiplyWithThreads<double>(kernel, transA, transB, m, n, k, a, b, c, accumulate, exact);
            }
            else
            {
                Gemm.Multiply(kernel, transA, transB, m, n, k, a, b, c, accumulate);
            }

            return;
        }

        var af = Array.ConvertAll(a, x => (float)x);
        var bf = Array.ConvertAll(b, x => (float)x);
        var cf = Array.ConvertAll(c, x => (float)x);
        if (threads is { } count)
        {
            Gemm.MultiplyWithThreads<float>(kernel, transA, transB, m, n, k, af, bf, cf, accumulate, count);
        }
        else
        {
            Gemm.Multiply(kernel, transA, transB, m, n, k, af, bf, cf, accumulate);
        }

        for (var i = 0; i < c.Length; i++)
        {
            c[i] = cf[i];
        }
    }

    /// <summary>|C| + |op(A)|·|op(B)| per element: the scale rounding errors are relative to.</summary>
    private static double[] Magnitude(bool transA, bool transB, int m, int n, int k, double[] a, double[] b, double[] c)
    {
        var result = new double[m * n];
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var sum = Math.Abs(c[(i * n) + j]);
                for (var p = 0; p < k; p++)
                {
                    var x = transA ? a[(p * m) + i] : a[(i * k) + p];
                    var y = transB ? b[(j * k) + p] : b[(p * n) + j];
                    sum += Math.Abs(x * y);
                }

                result[(i * n) + j] = sum;
            }
        }

        return result;
    }

    private static void AssertClose(double[] actual, double[] expected, double[] magnitude, bool single, int k, string what)
    {
        // Both sides round once per term: a worst-case bound of about 2·(k+1)·ε relative to the magnitude.
        var epsilon = single ? 1.2e-7 : 2.3e-16;
        var worst = 0.0;
        var worstAt = -1;
        for (var i = 0; i < actual.Length; i++)
        {
            var excess = Math.Abs(actual[i] - expected[i]) / (2 * (k + 1) * epsilon * (magnitude[i] + 1e-30));
            if (!(excess <= worst))
            {
                worst = excess;
                worstAt = i;
            }
        }

        Assert.That(worst, Is.LessThanOrEqualTo(1.0),
            $"{what}: element {worstAt} is {(worstAt >= 0 ? actual[worstAt] : 0)}, Naive gives {(worstAt >= 0 ? expected[worstAt] : 0)}");
    }

    private static double[] RandomValues(Random random, int count)
    {
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (random.NextDouble() * 2) - 1;
        }

        return values;
    }

    private sealed record Reference(double[] A, double[] B, double[] C, double[] Expected, double[] Magnitude);
}

using Autograd.Kernels;

namespace Autograd.Tests.Kernels;

/// <summary>Gemm.MultiplyBatched: the strided batch, broadcast operands, summed products, threads, validation.</summary>
public class BatchedGemmTests
{
    private static IEnumerable<TestCaseData> StridedCases()
    {
        // (batch, m, n, k, broadcast A, broadcast B): tiny (Naive), row/column (RowAxpy, Dot), Blocked, B broadcast
        // (folded into M), A broadcast, both broadcast; batches of 1, 3 (odd for two threads) and 8.
        int[][] sizes = [[3, 2, 3, 4], [8, 1, 40, 30], [3, 37, 1, 50], [3, 45, 70, 33], [8, 20, 17, 9], [1, 30, 30, 30]];
        foreach (int[] s in sizes)
        {
            foreach (var (broadcastA, broadcastB) in new[] { (false, false), (false, true), (true, false), (true, true) })
            {
                foreach (bool transA in new[] { false, true })
                {
                    foreach (bool transB in new[] { false, true })
                    {
                        yield return new TestCaseData(s[0], s[1], s[2], s[3], broadcastA, broadcastB, transA, transB)
                            .SetName($"Batched_{s[0]}x[{s[1]}x{s[2]}x{s[3]}]_bcastA{broadcastA}_bcastB{broadcastB}_tA{transA}_tB{transB}");
                    }
                }
            }
        }
    }

    [TestCaseSource(nameof(StridedCases))]
    public void Strided_MatchesOneNaiveProductPerItem_AndIsBitIdenticalOnOneOrTwoThreads(
        int batch, int m, int n, int k, bool broadcastA, bool broadcastB, bool transA, bool transB)
    {
        var random = new Random(HashCode.Combine(batch, m, n, k, broadcastA, broadcastB, transA, transB));
        int strideA = broadcastA ? 0 : m * k, strideB = broadcastB ? 0 : k * n;
        double[] a = Values(random, broadcastA ? m * k : batch * m * k);
        double[] b = Values(random, broadcastB ? k * n : batch * k * n);
        double[] initial = Values(random, batch * m * n);
        foreach (bool accumulate in new[] { false, true })
        {
            double[] expected = (double[])initial.Clone();
            for (int i = 0; i < batch; i++)
            {
                Gemm.Multiply(GemmKernel.Naive, transA, transB, m, n, k, a.AsSpan(i * strideA), b.AsSpan(i * strideB),
                    expected.AsSpan(i * m * n), accumulate);
            }

            double[] one = (double[])initial.Clone();
            Gemm.MultiplyBatchedWithThreads<double>(GemmKernel.Auto, transA, transB, m, n, k, batch, a, strideA, b, strideB, one, accumulate, 1);
            double[] two = (double[])initial.Clone();
            Gemm.MultiplyBatchedWithThreads<double>(GemmKernel.Auto, transA, transB, m, n, k, batch, a, strideA, b, strideB, two, accumulate, 2);
            Assert.That(two, Is.EqualTo(one), "one and two threads");
            AssertClose(one, expected, k);

            double[] publicEntry = (double[])initial.Clone();
            Gemm.MultiplyBatched(GemmKernel.Blocked, transA, transB, m, n, k, batch, a, strideA, b, strideB, publicEntry, accumulate);
            AssertClose(publicEntry, expected, k);
        }
    }

    [Test]
    public void Float_MatchesDouble()
    {
        const int batch = 4, m = 19, n = 23, k = 17;
        var random = new Random(7);
        double[] a = Values(random, batch * m * k), b = Values(random, k * n);
        double[] c = new double[batch * m * n];
        float[] cf = new float[c.Length];
        Gemm.MultiplyBatched(GemmKernel.Auto, false, false, m, n, k, batch, a, m * k, b, 0, c);
        Gemm.MultiplyBatched(GemmKernel.Auto, false, false, m, n, k, batch, Array.ConvertAll(a, x => (float)x), m * k,
            Array.ConvertAll(b, x => (float)x), 0, cf);
        for (int i = 0; i < c.Length; i++)
        {
            Assert.That(cf[i], Is.EqualTo(c[i]).Within(1e-4 * k));
        }
    }

    [Test]
    public void SummedDimension_AddsTheProducts_InBatchOrder()
    {
        // C[j] = Σ_i A[i,j]·B[i] over i (C's stride 0 along i): the gradient of a B broadcast over a batch, without a
        // temporary per item. Dimensions (i, j) = (3, 2); A is [3,2] matrices, B [3] matrices, C [2].
        const int m = 4, n = 5, k = 6;
        var random = new Random(11);
        double[] a = Values(random, 3 * 2 * m * k), b = Values(random, 3 * k * n);
        double[] expected = new double[2 * m * n];
        for (int j = 0; j < 2; j++)
        {
            for (int i = 0; i < 3; i++)
            {
                Gemm.Multiply(GemmKernel.Naive, false, false, m, n, k, a.AsSpan(((i * 2) + j) * m * k), b.AsSpan(i * k * n),
                    expected.AsSpan(j * m * n), accumulate: i > 0);
            }
        }

        var batch = GemmBatch.Create([3, 2], [2L * m * k, m * k], [k * n, 0], [0, m * n]);
        Assert.That((batch.Outputs, batch.Terms), Is.EqualTo((2L, 3L)));
        foreach (int threads in new[] { 1, 2 })
        {
            double[] c = Values(random, 2 * m * n);   // overwritten, not added to
            Gemm.MultiplyBatched<double>(GemmKernel.Auto, false, false, m, n, k, batch, a, b, c, false, exactThreads: threads);
            AssertClose(c, expected, 3 * k);
        }
    }

    [Test]
    public void SummedDimension_ContiguousInBoth_FoldsIntoK()
    {
        // Σ_i A[i]ᵀ·B[i] with A, B contiguous [3,k,m] / [3,k,n]: one product with K = 3·k; same numbers.
        const int m = 7, n = 9, k = 5;
        var random = new Random(12);
        double[] a = Values(random, 3 * k * m), b = Values(random, 3 * k * n);
        double[] expected = new double[m * n];
        Gemm.Multiply(GemmKernel.Naive, true, false, m, n, 3 * k, a, b, expected);
        var batch = GemmBatch.Create([3], [m * k], [k * n], [0]);
        double[] c = new double[m * n];
        Gemm.MultiplyBatched<double>(GemmKernel.Auto, true, false, m, n, k, batch, a, b, c, false);
        AssertClose(c, expected, 3 * k);
    }

    [Test]
    public void Batch_MergesContiguousDimensions_AndDropsOnes()
    {
        // [2,1,3] with every operand contiguous: one dimension of 6. [2,3] with B broadcast along the second only:
        // two dimensions (B's pattern differs).
        var merged = GemmBatch.Create([2, 1, 3], [30, 10, 10], [60, 20, 20], [18, 6, 6]);
        Assert.That((merged.Rank, merged.Size(0), merged.StrideA(0)), Is.EqualTo((1, 6L, 10L)));
        var split = GemmBatch.Create([2, 3], [30, 10], [20, 0], [18, 6]);
        Assert.That((split.Rank, split.KeptRank, split.Outputs, split.Terms), Is.EqualTo((2, 2, 6L, 1L)));
        var summed = GemmBatch.Create([2, 3], [30, 10], [20, 0], [0, 6]);
        Assert.That((summed.KeptRank, summed.Size(0), summed.Size(1)), Is.EqualTo((1, 3L, 2L)), "kept dimensions first");
    }

    [TestCase(0, 3, 4, 5)]
    [TestCase(3, 0, 4, 5)]
    [TestCase(3, 3, 0, 5)]
    [TestCase(3, 3, 4, 0)]
    public void ZeroSizes(int batch, int m, int n, int k)
    {
        float[] a = new float[batch * m * k], b = new float[batch * k * n];
        float[] c = Enumerable.Repeat(7f, batch * m * n).ToArray();
        Gemm.MultiplyBatched(GemmKernel.Auto, false, false, m, n, k, batch, a, m * k, b, k * n, c);
        Assert.That(c, Is.All.EqualTo(k == 0 ? 0f : 7f), "k = 0 is an empty sum: C = 0");
        float[] kept = Enumerable.Repeat(7f, batch * m * n).ToArray();
        Gemm.MultiplyBatched(GemmKernel.Auto, false, false, m, n, k, batch, a, m * k, b, k * n, kept, accumulate: true);
        Assert.That(kept, Is.All.EqualTo(7f), "accumulating an empty sum leaves C");
    }

    [Test]
    public void Warm_AllocatesNothing()
    {
        const int batch = 16, m = 32, n = 32, k = 32;
        float[] a = new float[batch * m * k], b = new float[k * n], c = new float[batch * m * n];
        float[] b2 = new float[batch * k * n];
        for (int i = 0; i < 2; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            Gemm.MultiplyBatched(GemmKernel.Auto, false, false, m, n, k, batch, a, m * k, b, 0, c, maxThreads: 1);
            Gemm.MultiplyBatched(GemmKernel.Auto, false, true, m, n, k, batch, a, m * k, b2, k * n, c, maxThreads: 1);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (i == 1)
            {
                Assert.That(allocated, Is.Zero);
            }
        }
    }

    [Test]
    public void Validation()
    {
        float[] buffer = new float[64];
        Assert.That(() => Gemm.MultiplyBatched(GemmKernel.Auto, false, false, 2, 2, 2, -1, buffer, 4, new float[8], 4, new float[8]),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("batch=-1"));
        Assert.That(() => Gemm.MultiplyBatched(GemmKernel.Auto, false, false, 2, 2, 2, 2, buffer, -4, new float[8], 4, new float[8]),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("strideA=-4"));
        Assert.That(() => Gemm.MultiplyBatched(GemmKernel.Auto, false, false, 2, 2, 2, 3, new float[8], 4, new float[12], 4, new float[12]),
            Throws.ArgumentException.With.Message.Contains("a has 8 elements but its last matrix ends at element 12"));
        Assert.That(() => Gemm.MultiplyBatched(GemmKernel.Auto, false, false, 2, 2, 2, 3, new float[12], 4, new float[12], 4, new float[11]),
            Throws.ArgumentException.With.Message.Contains("c has 11 elements"));
        Assert.That(() => Gemm.MultiplyBatched(GemmKernel.Auto, false, false, 2, 2, 2, 2, buffer.AsSpan(0, 8), 4, buffer.AsSpan(8, 8), 4,
            buffer.AsSpan(4, 8)), Throws.ArgumentException.With.Message.Contains("overlap"));
        Assert.That(() => Gemm.MultiplyBatched(GemmKernel.Auto, false, false, 2, 2, 2, 2, buffer, 4, new float[8], 4, new float[8], maxThreads: 0),
            Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    private static double[] Values(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => (random.NextDouble() * 2) - 1).ToArray();

    /// <summary>Sums of k products of values in [-1, 1]: a reordered sum may differ by a few ulps of k.</summary>
    private static void AssertClose(double[] actual, double[] expected, int k)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.That(actual[i], Is.EqualTo(expected[i]).Within(1e-13 * (k + 1)), $"element {i}");
        }
    }
}

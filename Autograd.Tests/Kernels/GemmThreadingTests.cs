using Autograd.Kernels;

namespace Autograd.Tests.Kernels;

/// <summary>
/// The worker pool behind every threaded kernel: the calling thread never waits for a worker that has not started
/// its part (it runs the part itself), parts that meet at a barrier still run together, and products come out the
/// same bits whichever thread ran which part.
/// </summary>
[NonParallelizable]
public class GemmThreadingTests
{
    /// <summary>Two parts, each filling its half of <see cref="Output"/> and noting the thread that ran it.</summary>
    private sealed class HalvesJob : GemmJob
    {
        public readonly int[] Output = new int[1000];
        public readonly int[] Threads = new int[2];

        public override void Execute(int part, int parts)
        {
            var (start, end) = Share(Output.Length, part, parts);
            for (int i = start; i < end; i++)
            {
                Output[i] = (i * 7) + 1;
            }

            Threads[part] = Environment.CurrentManagedThreadId;
        }
    }

    [Test]
    public void Run_DoesNotWaitForAWorkerThatHasNotStarted()
    {
        if (GemmThreading.MaxThreads < 2)
        {
            Assert.Ignore("one core: the pool has no worker");
        }

        using var release = new ManualResetEventSlim(false);
        var job = new HalvesJob();
        GemmThreading.WorkerWaking = () => release.Wait(TimeSpan.FromSeconds(10));
        try
        {
            GemmThreading.Run(job, 2);
            bool returnedBeforeTheWorkerWoke = !release.IsSet;
            Assert.That(returnedBeforeTheWorkerWoke, Is.True);
            Assert.That(job.Threads, Is.All.EqualTo(Environment.CurrentManagedThreadId), "the caller ran both parts");
            Assert.That(job.Output, Is.EqualTo(Enumerable.Range(0, 1000).Select(i => (i * 7) + 1)));
        }
        finally
        {
            release.Set();
            GemmThreading.WorkerWaking = null;
        }
    }

    // (m, n, k): streaming one A block split by columns (chunks claimed from a counter), two A blocks split by
    // columns (fixed shares), and rows split over a shared panel (parts meet at barriers, so the worker must run).
    private static readonly (int M, int N, int K)[] _shapes = [(64, 784, 256), (128, 128, 128), (300, 64, 40), (64, 64, 64), (61, 20, 530)];

    [Test]
    public void Products_AreBitIdentical_WithADelayedWorker([Values(false, true)] bool transB)
    {
        GemmThreading.WorkerWaking = () => Thread.Sleep(5);
        try
        {
            foreach (var (m, n, k) in _shapes)
            {
                float[] one = Product(m, n, k, transB, threads: 1), two = Product(m, n, k, transB, threads: 2);
                Assert.That(two, Is.EqualTo(one), $"{m}x{n}x{k}");
            }
        }
        finally
        {
            GemmThreading.WorkerWaking = null;
        }
    }

    [Test]
    public void ManySmallProducts_AreBitIdentical_OnOneAndTwoThreads()
    {
        var random = new Random(7);
        for (int trial = 0; trial < 400; trial++)
        {
            int m = random.Next(1, 80), n = random.Next(1, 200), k = random.Next(1, 300);
            bool transB = random.Next(2) == 0;
            float[] one = Product(m, n, k, transB, threads: 1), two = Product(m, n, k, transB, threads: 2);
            Assert.That(two, Is.EqualTo(one), $"{m}x{n}x{k} transB={transB}");
        }
    }

    private static float[] Product(int m, int n, int k, bool transB, int threads)
    {
        float[] a = Values(m * k, 1), b = Values(k * n, 2), c = new float[m * n];
        Gemm.MultiplyWithThreads<float>(GemmKernel.Blocked, false, transB, m, n, k, a, b, c, accumulate: false, threads);
        return c;
    }

    private static float[] Values(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
    }
}

using Autograd.Kernels;

namespace Autograd.Tests.Ops.Convolution;

/// <summary>
/// Batch items (for the weight gradient, fixed chunks of them) run in parallel, and a batch of one lets each product
/// use the threads instead: the output, dx, dW and db must be bit-identical whatever the thread count.
/// </summary>
[NonParallelizable]
public class ConvolutionThreadingTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        // Batch-parallel with 5 and 11 items (5 chunks, 8 chunks of the weight gradient), depthwise, strided.
        yield return new TestCaseData(new ConvCase(false, 5, 3, 9, 9, 4, 3, 3, 1, 1, 1, 1, true)).SetName("Batch5");
        yield return new TestCaseData(new ConvCase(false, 11, 4, 7, 8, 8, 3, 3, 2, 1, 1, 4, true)).SetName("Batch11_Depthwise");
        yield return new TestCaseData(new ConvCase(true, 6, 4, 1, 20, 6, 1, 5, 2, 2, 2, 2, true)).SetName("Conv1d_Batch6");
        yield return new TestCaseData(new ConvCase(false, 4, 6, 6, 6, 5, 1, 1, 1, 0, 1, 1, true)).SetName("Pointwise");

        // One item: each product large enough (≥ 2²² flops) for the GEMM to split it over the threads.
        yield return new TestCaseData(new ConvCase(false, 1, 16, 24, 24, 32, 3, 3, 1, 1, 1, 1, true)).SetName("Batch1_ThreadedProducts");
    }

    [TestCaseSource(nameof(Cases))]
    public void ForcedThreadCounts_GiveBitIdenticalResults(ConvCase c)
    {
        float[][] one = Run(c, threads: 1);
        foreach (int threads in new[] { 2, 3 })
        {
            float[][] many = Run(c, threads);
            for (int i = 0; i < one.Length; i++)
            {
                Assert.That(many[i], Is.EqualTo(one[i]), $"{_names[i]} with {threads} threads");
            }
        }
    }

    [Test]
    public void ItemJob_SpreadsItemsOverThePoolsThreads()
    {
        Assume.That(Environment.ProcessorCount, Is.GreaterThan(1), "one core: nothing to spread over");
        var job = new RecordingJob();
        job.Run(8, 2);
        Assert.That(job.Items.Order(), Is.EqualTo(Enumerable.Range(0, 8)), "every item once");
        Assert.That(job.Threads.Distinct().Count(), Is.EqualTo(2));
    }

    [Test]
    public void Pools_ForcedThreadCounts_GiveBitIdenticalResults()
    {
        // 128 planes of 9×9: several groups of planes to share out.
        float[][] Pools(int threads)
        {
            ItemJob.ForcedThreads = threads;
            try
            {
                Tensor x = Tensor.Randn([8, 16, 9, 9], seed: 5);
                x.RequiresGrad = true;
                Tensor max = Functional.MaxPool2d(x, 3, 2, 1);
                Tensor avg = Functional.AvgPool2d(x, 3, 2, 1);
                (max * Tensor.Randn(max.Shape, seed: 6) + avg * Tensor.Randn(avg.Shape, seed: 7)).Sum().Backward();
                return [max.ToArray<float>(), avg.ToArray<float>(), x.Grad!.ToArray<float>()];
            }
            finally
            {
                ItemJob.ForcedThreads = null;
            }
        }

        float[][] one = Pools(1);
        float[][] two = Pools(2);
        for (int i = 0; i < one.Length; i++)
        {
            Assert.That(two[i], Is.EqualTo(one[i]), $"result {i}");
        }
    }

    [Test]
    public void DefaultMaxThreads_OfOne_GivesTheSameResultsAsAllCores()
    {
        // Large enough (≥ 2²² flops) that the default picks every core.
        var c = new ConvCase(false, 8, 8, 16, 16, 16, 3, 3, 1, 1, 1, 1, true);
        float[][] all = Run(c, threads: null);
        int saved = Gemm.DefaultMaxThreads;
        try
        {
            Gemm.DefaultMaxThreads = 1;
            float[][] one = Run(c, threads: null);
            for (int i = 0; i < all.Length; i++)
            {
                Assert.That(one[i], Is.EqualTo(all[i]), _names[i]);
            }
        }
        finally
        {
            Gemm.DefaultMaxThreads = saved;
        }
    }

    private static readonly string[] _names = ["output", "input gradient", "weight gradient", "bias gradient"];

    private static float[][] Run(ConvCase c, int? threads)
    {
        ItemJob.ForcedThreads = threads;
        try
        {
            Tensor x = Tensor.Randn(c.InputShape, seed: 1);
            Tensor w = Tensor.Randn(c.WeightShape, seed: 2);
            Tensor b = Tensor.Randn([c.O], seed: 3);
            foreach (Tensor t in new[] { x, w, b })
            {
                t.RequiresGrad = true;
            }

            Tensor y = c.Apply(x, w, b);
            y.Backward(Tensor.Randn(c.OutputShape, seed: 4));
            return [y.ToArray<float>(), x.Grad!.ToArray<float>(), w.Grad!.ToArray<float>(), b.Grad!.ToArray<float>()];
        }
        finally
        {
            ItemJob.ForcedThreads = null;
        }
    }

    /// <summary>Each item waits (up to 5 s) until a second thread has taken one, so a slow worker wake-up cannot fail the test.</summary>
    private sealed class RecordingJob : ItemJob
    {
        private readonly ManualResetEventSlim _second = new();

        public System.Collections.Concurrent.ConcurrentBag<int> Items { get; } = [];

        public System.Collections.Concurrent.ConcurrentBag<int> Threads { get; } = [];

        protected override void RunItem(int item)
        {
            Items.Add(item);
            Threads.Add(Environment.CurrentManagedThreadId);
            if (Threads.Distinct().Count() > 1)
            {
                _second.Set();
            }

            _second.Wait(TimeSpan.FromSeconds(5));
        }
    }
}

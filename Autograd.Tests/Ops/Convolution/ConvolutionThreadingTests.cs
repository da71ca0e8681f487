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
        ConvolutionKernels.ForcedThreads = threads;
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
            ConvolutionKernels.ForcedThreads = null;
        }
    }
}

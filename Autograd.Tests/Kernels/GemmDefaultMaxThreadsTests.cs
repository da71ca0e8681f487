using Autograd.Kernels;

namespace Autograd.Tests.Kernels;

[NonParallelizable]
public class GemmDefaultMaxThreadsTests
{
    [Test]
    public void DefaultMaxThreads_RejectsLessThanOne()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.DefaultMaxThreads = 0);
    }

    [Test]
    public void DefaultMaxThreads_OfOne_GivesTheSameProductAsAllCores()
    {
        const int M = 96, N = 160, K = 200;   // large enough for the threaded path
        float[] a = Tensor.Randn([M, K], seed: 1).ToArray<float>();
        float[] b = Tensor.Randn([K, N], seed: 2).ToArray<float>();
        float[] all = new float[M * N];
        float[] one = new float[M * N];
        int saved = Gemm.DefaultMaxThreads;
        try
        {
            Gemm.Multiply(GemmKernel.Blocked, false, false, M, N, K, a, b, all);
            Gemm.DefaultMaxThreads = 1;
            Assert.That(Gemm.DefaultMaxThreads, Is.EqualTo(1));
            Gemm.Multiply(GemmKernel.Blocked, false, false, M, N, K, a, b, one);
        }
        finally
        {
            Gemm.DefaultMaxThreads = saved;
        }

        // Threads split M or N, never K: every element is summed in the same order, so the results are identical.
        Assert.That(one, Is.EqualTo(all));
    }
}

using Autograd.Kernels;

namespace Autograd.Tests.Kernels;

/// <summary>Gemm.MultiplyTiny: the engine's shortcut to the direct loop must give Auto's bits for every tiny shape.</summary>
public class GemmTinyTests
{
    [Test]
    public void EveryTinyShapeAndTransposeFlags_BitIdenticalToAuto()
    {
        var random = new Random(3);
        for (int m = 0; m <= 8; m++)
        {
            for (int n = 0; n <= 8; n++)
            {
                for (int k = 0; k <= 8; k++)
                {
                    if ((long)m * n * k > Gemm.DirectLoopWork)
                    {
                        continue;
                    }

                    float[] a = Values(random, m * k), b = Values(random, k * n);
                    foreach (bool transA in new[] { false, true })
                    {
                        foreach (bool transB in new[] { false, true })
                        {
                            float[] expected = Values(random, m * n), actual = Values(random, m * n);   // garbage: both overwrite
                            Gemm.Multiply(GemmKernel.Auto, transA, transB, m, n, k, a, b, expected);
                            Gemm.MultiplyTiny<float>(transA, transB, m, n, k, a, b, actual);
                            Assert.That(actual, Is.EqualTo(expected), $"m={m} n={n} k={k} transA={transA} transB={transB}");
                        }
                    }
                }
            }
        }
    }

    private static float[] Values(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
}

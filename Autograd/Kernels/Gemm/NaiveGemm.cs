using System.Numerics;

namespace Autograd.Kernels;

/// <summary>
/// The textbook triple loop, one dot product per element of C in k order. It is the reference
/// the tests hold every other kernel to, and, having no set-up cost, what
/// <see cref="GemmKernel.Auto"/> runs for tiny products.
/// </summary>
internal static class NaiveGemm<T>
    where T : unmanaged, INumberBase<T>
{
    public static void Multiply(in GemmProblem<T> problem)
    {
        for (var i = 0; i < problem.M; i++)
        {
            var c = problem.RowOfC(i);
            for (var j = 0; j < problem.N; j++)
            {
                var sum = T.Zero;
                for (var p = 0; p < problem.K; p++)
                {
                    sum += problem.OpA(i, p) * problem.OpB(p, j);
                }

                c[j] = problem.Accumulate ? c[j] + sum : sum;
            }
        }
    }
}

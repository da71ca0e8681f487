using System.Numerics;

namespace Autograd.Kernels;

/// <summary>
/// The textbook triple loop, one dot product per element of C in k order. It is the reference
/// the tests hold every other kernel to, and, having no set-up cost, what
/// <see cref="GemmKernel.Auto"/> runs for tiny products.
/// </summary>
/// <remarks>
/// The transpose flags become element strides once, outside the loops (the same products and sums in the same
/// order as indexing through <see cref="GemmProblem{T}.OpA"/> per element, without two branches per multiply-add:
/// tiny training steps run many of these products).
/// </remarks>
internal static unsafe class NaiveGemm<T>
    where T : unmanaged, INumberBase<T>
{
    public static void Multiply(in GemmProblem<T> problem)
    {
        int m = problem.M, n = problem.N, k = problem.K;
        nint rowStrideA = problem.TransA ? 1 : k, innerStrideA = problem.TransA ? m : 1;
        nint innerStrideB = problem.TransB ? 1 : n, columnStrideB = problem.TransB ? k : 1;
        bool accumulate = problem.Accumulate;
        for (int i = 0; i < m; i++)
        {
            T* rowA = problem.A + (i * rowStrideA);
            T* c = problem.C + ((nint)i * n);
            for (int j = 0; j < n; j++)
            {
                T* columnB = problem.B + (j * columnStrideB);
                T sum = T.Zero;
                for (int p = 0; p < k; p++)
                {
                    sum += rowA[p * innerStrideA] * columnB[p * innerStrideB];
                }

                c[j] = accumulate ? c[j] + sum : sum;
            }
        }
    }
}

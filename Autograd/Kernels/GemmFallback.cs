using System.Numerics;

namespace Autograd.Kernels;

/// <summary>Temporary reference product used until the Gemm kernel family lands.</summary>
internal static class GemmFallback
{
    public static void Multiply<T>(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                T sum = T.Zero;
                for (int p = 0; p < k; p++)
                {
                    T av = transA ? a[(p * m) + i] : a[(i * k) + p];
                    T bv = transB ? b[(j * k) + p] : b[(p * n) + j];
                    sum += av * bv;
                }

                c[(i * n) + j] = accumulate ? c[(i * n) + j] + sum : sum;
            }
        }
    }
}

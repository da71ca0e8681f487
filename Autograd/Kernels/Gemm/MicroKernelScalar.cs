using System.Numerics;
using System.Runtime.CompilerServices;

namespace Autograd.Kernels;

/// <summary>
/// The portable register tile for machines without SIMD acceleration (or with it turned off,
/// <c>DOTNET_EnableHWIntrinsic=0</c>): same operand layout and contract as the SIMD tiles, so the blocking and
/// packing stay identical and only this inner loop is slower. Each element is summed over k in the same
/// order as in the SIMD tiles, with a separate multiply and add, eight columns at a time: eight independent
/// sums hide the add latency that a single running sum per element waits on (0.6 → several GFLOP/s).
/// </summary>
internal static unsafe class MicroKernelScalar<T>
    where T : unmanaged, INumberBase<T>
{
    /// <summary>
    /// C[0..rows, 0..columns] (=|+=) Σ_p A[·, p]·B[p, ·] over <paramref name="kc"/> steps, where A[i, p] is
    /// <c>a[i·aRow + p·aStep]</c> and B[p, j] is <c>b[p·bStep + j]</c>, as in the SIMD tiles.
    /// </summary>
    public static void Run(int rows, int columns, int kc, T* a, nint aRow, nint aStep, T* b, nint bStep, T* c, nint ldc, bool overwrite)
    {
        for (var r = 0; r < rows; r++)
        {
            var row = c + (r * ldc);
            var aRowStart = a + (r * aRow);
            var j = 0;
            for (; j + 8 <= columns; j += 8)
            {
                T s0 = T.Zero, s1 = T.Zero, s2 = T.Zero, s3 = T.Zero, s4 = T.Zero, s5 = T.Zero, s6 = T.Zero, s7 = T.Zero;
                var bp = b + j;
                var ap = aRowStart;
                for (var p = 0; p < kc; p++)
                {
                    var x = *ap;
                    s0 += x * bp[0];
                    s1 += x * bp[1];
                    s2 += x * bp[2];
                    s3 += x * bp[3];
                    s4 += x * bp[4];
                    s5 += x * bp[5];
                    s6 += x * bp[6];
                    s7 += x * bp[7];
                    ap += aStep;
                    bp += bStep;
                }

                Store(row + j, 0, s0, overwrite);
                Store(row + j, 1, s1, overwrite);
                Store(row + j, 2, s2, overwrite);
                Store(row + j, 3, s3, overwrite);
                Store(row + j, 4, s4, overwrite);
                Store(row + j, 5, s5, overwrite);
                Store(row + j, 6, s6, overwrite);
                Store(row + j, 7, s7, overwrite);
            }

            for (; j < columns; j++)
            {
                var sum = T.Zero;
                for (var p = 0; p < kc; p++)
                {
                    sum += aRowStart[p * aStep] * b[(p * bStep) + j];
                }

                Store(row, j, sum, overwrite);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(T* row, int j, T sum, bool overwrite) => row[j] = overwrite ? sum : row[j] + sum;
}

using System.Numerics;

namespace Autograd.Kernels;

/// <summary>
/// The portable register tile for machines without SIMD acceleration (or with it turned off,
/// <c>DOTNET_EnableHWIntrinsic=0</c>): same operand layout and contract as the SIMD tiles, so the blocking and
/// packing stay identical and only this inner loop is slower. Each element is summed over k in the same
/// order as in the SIMD tiles, with a separate multiply and add.
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
            for (var j = 0; j < columns; j++)
            {
                var sum = T.Zero;
                for (var p = 0; p < kc; p++)
                {
                    sum += aRowStart[p * aStep] * b[(p * bStep) + j];
                }

                row[j] = overwrite ? sum : row[j] + sum;
            }
        }
    }
}

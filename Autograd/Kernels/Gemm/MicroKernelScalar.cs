using System.Numerics;

namespace Autograd.Kernels;

/// <summary>
/// The portable register tile for machines without Vector256 acceleration (or with it turned
/// off, e.g. <c>DOTNET_EnableAVX2=0</c>): same packed layout and contract as the SIMD tiles, so the
/// blocking and packing stay identical and only this inner loop is slower.
/// </summary>
internal static unsafe class MicroKernelScalar<T>
    where T : unmanaged, INumberBase<T>
{
    /// <summary>
    /// C[0..rows, 0..columns] (=|+=) a·b over <paramref name="kc"/> steps; a is packed
    /// <paramref name="rows"/> values per step, b <paramref name="columns"/> per step.
    /// </summary>
    public static void Run(int rows, int columns, int kc, T* a, T* b, T* c, nint ldc, bool overwrite)
    {
        for (var r = 0; r < rows; r++)
        {
            var row = c + (r * ldc);
            for (var j = 0; j < columns; j++)
            {
                var sum = T.Zero;
                for (var p = 0; p < kc; p++)
                {
                    sum += a[(p * rows) + r] * b[(p * columns) + j];
                }

                row[j] = overwrite ? sum : row[j] + sum;
            }
        }
    }
}

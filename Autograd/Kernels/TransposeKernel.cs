namespace Autograd.Kernels;

/// <summary>Out-of-place matrix transpose, blocked so that both reads and writes stay in cache.</summary>
internal static class TransposeKernel
{
    private const int Block = 32;

    /// <summary><c>destination[j, i] = source[i, j]</c> for a <paramref name="rows"/>×<paramref name="columns"/> source.</summary>
    public static void Transpose<T>(ReadOnlySpan<T> source, Span<T> destination, int rows, int columns)
    {
        if (source.Length < rows * columns || destination.Length < rows * columns)
        {
            throw new ArgumentException($"Transpose: spans are shorter than {rows}x{columns}.");
        }

        for (int i0 = 0; i0 < rows; i0 += Block)
        {
            int i1 = Math.Min(i0 + Block, rows);
            for (int j0 = 0; j0 < columns; j0 += Block)
            {
                int j1 = Math.Min(j0 + Block, columns);
                for (int i = i0; i < i1; i++)
                {
                    for (int j = j0; j < j1; j++)
                    {
                        destination[(j * rows) + i] = source[(i * columns) + j];
                    }
                }
            }
        }
    }
}

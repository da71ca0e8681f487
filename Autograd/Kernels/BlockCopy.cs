namespace Autograd.Kernels;

/// <summary>
/// Row-wise block copies: the data movement of Narrow, its VJP (a zero-padded copy back), Cat and Stack. A tensor
/// seen around one axis is <c>rows</c> rows (the axes before it) of contiguous blocks (the axis and everything after
/// it), so each of these ops is one contiguous copy per row.
/// </summary>
internal static class BlockCopy
{
    // Below this many elements a loop beats Span.CopyTo's call and length checks.
    private const int ShortBlock = 8;

    /// <summary>
    /// For each row r &lt; <paramref name="rows"/>: copies <paramref name="block"/> elements from
    /// <c>source[r·sourceStride + sourceOffset]</c> to <c>destination[r·destinationStride + destinationOffset]</c>.
    /// </summary>
    public static void Rows<T>(ReadOnlySpan<T> source, int sourceStride, int sourceOffset, Span<T> destination,
        int destinationStride, int destinationOffset, int rows, int block)
    {
        if (rows == 0 || block == 0)
        {
            return;
        }

        if (sourceStride == block && destinationStride == block)
        {
            // Both sides contiguous: one copy.
            source.Slice(sourceOffset, rows * block).CopyTo(destination.Slice(destinationOffset, rows * block));
            return;
        }

        if (block < ShortBlock)
        {
            ShortRows(source, sourceStride, sourceOffset, destination, destinationStride, destinationOffset, rows, block);
            return;
        }

        for (int r = 0; r < rows; r++)
        {
            source.Slice((r * sourceStride) + sourceOffset, block).CopyTo(destination.Slice((r * destinationStride) + destinationOffset, block));
        }
    }

    /// <summary>
    /// <see cref="Rows"/> into a destination of rows of <paramref name="destinationStride"/> elements whose other
    /// elements are set to zero (the zero-padded copy back of a Narrow); every destination element is written.
    /// </summary>
    public static void RowsZeroPadded<T>(ReadOnlySpan<T> source, Span<T> destination, int destinationStride, int destinationOffset,
        int rows, int block)
    {
        int after = destinationStride - destinationOffset - block;
        for (int r = 0; r < rows; r++)
        {
            Span<T> row = destination.Slice(r * destinationStride, destinationStride);
            row[..destinationOffset].Clear();
            source.Slice(r * block, block).CopyTo(row.Slice(destinationOffset, block));
            row.Slice(destinationOffset + block, after).Clear();
        }
    }

    private static void ShortRows<T>(ReadOnlySpan<T> source, int sourceStride, int sourceOffset, Span<T> destination,
        int destinationStride, int destinationOffset, int rows, int block)
    {
        int s = sourceOffset, d = destinationOffset;
        for (int r = 0; r < rows; r++, s += sourceStride, d += destinationStride)
        {
            ReadOnlySpan<T> from = source.Slice(s, block);
            Span<T> to = destination.Slice(d, block);
            for (int i = 0; i < from.Length; i++)
            {
                to[i] = from[i];
            }
        }
    }
}

namespace Autograd.Kernels;

/// <summary>
/// Selections by a Bool mask under broadcasting: Where's three-way choice, and a fill where the mask is set (MaskedFill,
/// and the masked gradients of both). Data movement only, so written for any element type.
/// </summary>
internal static class MaskKernels
{
    /// <summary>
    /// <c>destination = condition ? x : y</c>, elementwise, each operand broadcast to <paramref name="outShape"/> (the
    /// destination's shape).
    /// </summary>
    public static void Where<T>(
        ReadOnlySpan<bool> condition, ReadOnlySpan<int> conditionShape,
        ReadOnlySpan<T> x, ReadOnlySpan<int> xShape,
        ReadOnlySpan<T> y, ReadOnlySpan<int> yShape,
        Span<T> destination, ReadOnlySpan<int> outShape)
    {
        int n = destination.Length;
        if (n == 0)
        {
            return;
        }

        if (condition.Length == n && x.Length == n && y.Length == n)
        {
            for (int i = 0; i < n; i++)
            {
                destination[i] = condition[i] ? x[i] : y[i];
            }

            return;
        }

        var layout = MultiBroadcastLayout.Create(outShape, conditionShape.ToArray(), xShape.ToArray(), yShape.ToArray());
        int length = layout.RowLength;
        int sc = layout.RowStride(0), sx = layout.RowStride(1), sy = layout.RowStride(2);
        var rows = layout.Rows();
        while (rows.MoveNext())
        {
            int c = rows.Offset(0), px = rows.Offset(1), py = rows.Offset(2);
            Span<T> row = destination.Slice(rows.OffsetOut, length);
            for (int t = 0; t < length; t++)
            {
                row[t] = condition[c + (t * sc)] ? x[px + (t * sx)] : y[py + (t * sy)];
            }
        }
    }

    /// <summary>
    /// <c>destination = mask == <paramref name="when"/> ? value : source</c>, elementwise, the mask broadcast to
    /// <paramref name="shape"/> (the shape of source and destination, which may be the same span).
    /// </summary>
    public static void Fill<T>(ReadOnlySpan<bool> mask, ReadOnlySpan<int> maskShape, ReadOnlySpan<T> source,
        Span<T> destination, ReadOnlySpan<int> shape, T value, bool when)
    {
        int n = destination.Length;
        if (n == 0)
        {
            return;
        }

        if (mask.Length == n)
        {
            for (int i = 0; i < n; i++)
            {
                destination[i] = mask[i] == when ? value : source[i];
            }

            return;
        }

        var layout = MultiBroadcastLayout.Create(shape, maskShape.ToArray());
        int length = layout.RowLength;
        int stride = layout.RowStride(0);
        var rows = layout.Rows();
        while (rows.MoveNext())
        {
            int m = rows.Offset(0), offset = rows.OffsetOut;
            if (stride == 0)
            {
                // One mask value for the whole row (a mask of shape [n,1], say): a fill or a copy.
                Span<T> row = destination.Slice(offset, length);
                if (mask[m] == when)
                {
                    row.Fill(value);
                }
                else
                {
                    source.Slice(offset, length).CopyTo(row);
                }

                continue;
            }

            for (int t = 0; t < length; t++)
            {
                destination[offset + t] = mask[m + (t * stride)] == when ? value : source[offset + t];
            }
        }
    }
}

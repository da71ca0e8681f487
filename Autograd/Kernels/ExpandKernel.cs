namespace Autograd.Kernels;

/// <summary>
/// Copies a tensor into a larger shape it broadcasts to (PyTorch's expand, materialised), for any element type.
/// The layout is simplified first (size-1 output axes dropped, neighbouring axes that are both repeated or both
/// contiguous merged), so the innermost axis is either a contiguous block (a copy) or one repeated value (a fill).
/// </summary>
internal static class ExpandKernel
{
    private const int ShortBlock = 8;

    /// <summary>
    /// <paramref name="destination"/> (of <paramref name="shape"/>) = <paramref name="source"/> (of
    /// <paramref name="sourceShape"/>, aligned to the right; every axis equal or 1) repeated along the size-1 axes.
    /// </summary>
    public static void Expand<T>(ReadOnlySpan<T> source, ReadOnlySpan<int> sourceShape, Span<T> destination, ReadOnlySpan<int> shape)
    {
        if (destination.Length == 0)
        {
            return;
        }

        int rank = shape.Length, lead = rank - sourceShape.Length;
        Span<int> size = stackalloc int[rank];
        Span<int> stride = stackalloc int[rank];   // per kept axis: the source stride, 0 where repeated
        int kept = 0;
        int sourceStride = 1;
        Span<int> axisStride = stackalloc int[rank];
        for (int i = rank - 1; i >= 0; i--)
        {
            int sourceSize = i >= lead ? sourceShape[i - lead] : 1;
            axisStride[i] = sourceSize == 1 ? 0 : sourceStride;
            sourceStride *= sourceSize;
        }

        for (int i = 0; i < rank; i++)
        {
            if (shape[i] == 1)
            {
                continue;
            }

            bool bothRepeated = kept > 0 && stride[kept - 1] == 0 && axisStride[i] == 0;
            bool bothContiguous = kept > 0 && axisStride[i] != 0 && stride[kept - 1] == axisStride[i] * shape[i];
            if (bothRepeated || bothContiguous)
            {
                size[kept - 1] *= shape[i];
                stride[kept - 1] = axisStride[i];
            }
            else
            {
                size[kept] = shape[i];
                stride[kept] = axisStride[i];
                kept++;
            }
        }

        if (kept == 0)
        {
            destination[0] = source[0];
            return;
        }

        // The innermost kept axis is contiguous in the source (stride 1) or repeated (stride 0).
        int block = size[kept - 1];
        bool repeat = stride[kept - 1] == 0;
        int outer = kept - 1;
        Span<int> counter = stackalloc int[outer];
        counter.Clear();
        int from = 0;
        for (int to = 0; to < destination.Length; to += block)
        {
            Span<T> run = destination.Slice(to, block);
            if (repeat)
            {
                run.Fill(source[from]);
            }
            else if (block < ShortBlock)
            {
                for (int i = 0; i < block; i++)
                {
                    run[i] = source[from + i];
                }
            }
            else
            {
                source.Slice(from, block).CopyTo(run);
            }

            for (int k = outer - 1; k >= 0; k--)
            {
                from += stride[k];
                if (++counter[k] < size[k])
                {
                    break;
                }

                from -= stride[k] * size[k];
                counter[k] = 0;
            }
        }
    }
}

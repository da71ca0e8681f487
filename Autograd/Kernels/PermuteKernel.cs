using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Autograd.Kernels;

/// <summary>
/// Out-of-place axis permutation of a contiguous row-major tensor. The layout is first simplified (size-1 axes
/// dropped, axes that stay neighbours merged), so most permutations become one of two shapes of work: the input's
/// last axis stays last (a copy of contiguous blocks) or it moves (batches of 2-D transposes, copied in tiles so that
/// reads and writes both stay in cache). Offsets are walked incrementally: no division per element.
/// </summary>
internal static class PermuteKernel
{
    private const int Tile = 32;
    private const int ShortBlock = 8;

    /// <summary>
    /// The equivalent simplified problem: <c>Shape</c> the merged input shape, <c>Axes[i]</c> the merged input axis
    /// that output axis i takes. At most one axis means the permutation keeps the row-major order of the elements.
    /// </summary>
    public static (int[] Shape, int[] Axes) Simplify(ReadOnlySpan<int> shape, ReadOnlySpan<int> axes)
    {
        int rank = shape.Length;
        Span<int> compact = stackalloc int[rank];     // input axis -> its index among the kept (size != 1) axes, or -1
        Span<int> keptSize = stackalloc int[rank];
        int kept = 0;
        for (int i = 0; i < rank; i++)
        {
            if (shape[i] == 1)
            {
                compact[i] = -1;
            }
            else
            {
                keptSize[kept] = shape[i];
                compact[i] = kept++;
            }
        }

        // The kept input axes in output order; runs of consecutive input axes become one axis.
        Span<int> groupFirst = stackalloc int[kept];
        Span<int> groupSize = stackalloc int[kept];
        int groups = 0, previous = -2;
        for (int i = 0; i < rank; i++)
        {
            int axis = compact[axes[i]];
            if (axis < 0)
            {
                continue;
            }

            if (axis == previous + 1)
            {
                groupSize[groups - 1] *= keptSize[axis];
            }
            else
            {
                groupFirst[groups] = axis;
                groupSize[groups] = keptSize[axis];
                groups++;
            }

            previous = axis;
        }

        // A group's place in the input is its rank among the groups' first axes.
        int[] reducedShape = new int[groups];
        int[] reducedAxes = new int[groups];
        for (int g = 0; g < groups; g++)
        {
            int place = 0;
            for (int h = 0; h < groups; h++)
            {
                if (groupFirst[h] < groupFirst[g])
                {
                    place++;
                }
            }

            reducedShape[place] = groupSize[g];
            reducedAxes[g] = place;
        }

        return (reducedShape, reducedAxes);
    }

    /// <summary>True when permuting <paramref name="shape"/> by <paramref name="axes"/> leaves the elements in the same order (a view suffices).</summary>
    public static bool KeepsOrder(ReadOnlySpan<int> shape, ReadOnlySpan<int> axes) => Simplify(shape, axes).Shape.Length <= 1;

    /// <summary>
    /// <paramref name="destination"/> = <paramref name="source"/> (of <paramref name="shape"/>) with output axis i
    /// taken from input axis <paramref name="axes"/>[i] (a valid permutation; the caller checks).
    /// </summary>
    public static void Permute<T>(ReadOnlySpan<T> source, Span<T> destination, ReadOnlySpan<int> shape, ReadOnlySpan<int> axes)
    {
        if (destination.Length == 0)
        {
            return;
        }

        var (inputShape, order) = Simplify(shape, axes);
        int rank = inputShape.Length;
        if (rank <= 1)
        {
            source[..destination.Length].CopyTo(destination);
            return;
        }

        Span<int> inputStride = stackalloc int[rank];
        Span<int> size = stackalloc int[rank];             // per output axis
        Span<int> sourceStride = stackalloc int[rank];     // per output axis: its stride in the source
        Span<int> destinationStride = stackalloc int[rank];
        for (int i = rank - 1, stride = 1; i >= 0; i--)
        {
            inputStride[i] = stride;
            stride *= inputShape[i];
        }

        int moved = -1;   // the output axis that holds the input's (contiguous) last axis
        for (int i = 0; i < rank; i++)
        {
            size[i] = inputShape[order[i]];
            sourceStride[i] = inputStride[order[i]];
            if (order[i] == rank - 1)
            {
                moved = i;
            }
        }

        for (int i = rank - 1, stride = 1; i >= 0; i--)
        {
            destinationStride[i] = stride;
            stride *= size[i];
        }

        if (moved == rank - 1)
        {
            Blocks(source, destination, size[..^1], sourceStride[..^1], size[^1]);
        }
        else
        {
            Tiles(source, destination, size, sourceStride, destinationStride, moved);
        }
    }

    /// <summary>The input's last axis stays last: one contiguous block of <paramref name="block"/> per position of the outer output axes.</summary>
    private static void Blocks<T>(ReadOnlySpan<T> source, Span<T> destination, ReadOnlySpan<int> outerSize,
        ReadOnlySpan<int> outerSourceStride, int block)
    {
        int outer = outerSize.Length;
        Span<int> counter = stackalloc int[outer];
        counter.Clear();
        int from = 0;
        for (int to = 0; to < destination.Length; to += block)
        {
            if (block < ShortBlock)
            {
                for (int i = 0; i < block; i++)
                {
                    destination[to + i] = source[from + i];
                }
            }
            else
            {
                source.Slice(from, block).CopyTo(destination.Slice(to, block));
            }

            // Next position of the outer axes (an odometer: the source offset moves by strides, no division).
            for (int k = outer - 1; k >= 0; k--)
            {
                from += outerSourceStride[k];
                if (++counter[k] < outerSize[k])
                {
                    break;
                }

                from -= outerSourceStride[k] * outerSize[k];
                counter[k] = 0;
            }
        }
    }

    /// <summary>
    /// The input's last axis moves to output axis <paramref name="moved"/>: for each position of the other output
    /// axes, a 2-D transpose between output axes <paramref name="moved"/> and the last one.
    /// </summary>
    private static void Tiles<T>(ReadOnlySpan<T> source, Span<T> destination, ReadOnlySpan<int> size,
        ReadOnlySpan<int> sourceStride, ReadOnlySpan<int> destinationStride, int moved)
    {
        int rank = size.Length, last = rank - 1;
        int rows = size[moved], columns = size[last];
        int rowStride = destinationStride[moved], columnStride = sourceStride[last];

        // The other output axes, outermost first.
        int others = rank - 2;
        Span<int> otherSize = stackalloc int[others];
        Span<int> otherSource = stackalloc int[others];
        Span<int> otherDestination = stackalloc int[others];
        int total = 1;
        for (int i = 0, k = 0; i < last; i++)
        {
            if (i != moved)
            {
                otherSize[k] = size[i];
                otherSource[k] = sourceStride[i];
                otherDestination[k] = destinationStride[i];
                total *= size[i];
                k++;
            }
        }

        Span<int> counter = stackalloc int[others];
        counter.Clear();
        int from = 0, to = 0;
        for (int n = 0; n < total; n++)
        {
            Transpose(source[from..], destination[to..], rows, columns, rowStride, columnStride);
            for (int k = others - 1; k >= 0; k--)
            {
                from += otherSource[k];
                to += otherDestination[k];
                if (++counter[k] < otherSize[k])
                {
                    break;
                }

                from -= otherSource[k] * otherSize[k];
                to -= otherDestination[k] * otherSize[k];
                counter[k] = 0;
            }
        }
    }

    /// <summary>
    /// <c>destination[i·rowStride + j] = source[i + j·columnStride]</c> for i &lt; rows, j &lt; columns, in 32×32
    /// tiles (<see cref="TransposeKernel"/> with strides: the rows and columns may be spread through larger tensors).
    /// </summary>
    private static void Transpose<T>(ReadOnlySpan<T> source, Span<T> destination, int rows, int columns, int rowStride, int columnStride)
    {
        // Checked once here, so the tile loops can index without bounds checks.
        if ((long)(rows - 1) + ((long)(columns - 1) * columnStride) >= source.Length
            || ((long)(rows - 1) * rowStride) + columns > destination.Length)
        {
            throw new ArgumentException($"Permute: spans are too short for a {rows}x{columns} tile.");
        }

        ref T from = ref MemoryMarshal.GetReference(source);
        ref T to = ref MemoryMarshal.GetReference(destination);
        for (int i0 = 0; i0 < rows; i0 += Tile)
        {
            int i1 = Math.Min(i0 + Tile, rows);
            for (int j0 = 0; j0 < columns; j0 += Tile)
            {
                int j1 = Math.Min(j0 + Tile, columns);
                for (int i = i0; i < i1; i++)
                {
                    ref T row = ref Unsafe.Add(ref to, (nint)i * rowStride);
                    nint s = i + ((nint)j0 * columnStride);
                    for (int j = j0; j < j1; j++, s += columnStride)
                    {
                        Unsafe.Add(ref row, j) = Unsafe.Add(ref from, s);
                    }
                }
            }
        }
    }
}

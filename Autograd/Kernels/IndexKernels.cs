using System.Numerics;
using System.Numerics.Tensors;

namespace Autograd.Kernels;

/// <summary>
/// Index selection along an axis and its adjoint, the index add, over row-major arrays viewed as
/// [outer, length, inner]; gather and scatter-add through a <see cref="GatherLayout"/>. Large calls are split over
/// threads by output (select, gather) or by destination (add, scatter-add): every destination element receives its
/// contributions in index order on one thread, so results are bit-identical whatever the thread count.
/// </summary>
internal static class IndexKernels
{
    /// <summary>Below this many elements moved a call stays on one thread (a split costs more than it saves).</summary>
    private const int ParallelElements = 1 << 16;

    /// <summary>
    /// <c>output[o, j, :] = x[o, indices[j], :]</c>, x being [outer, length, inner] and output
    /// [outer, indices.Length, inner]. Indices are in range (checked by the caller).
    /// </summary>
    public static void IndexSelect<T>(T[] x, int outer, int length, int inner, int[] indices, T[] output)
    {
        int rows = outer * indices.Length;
        if (rows == 0 || inner == 0)
        {
            return;
        }

        int parts = Parts((long)rows * inner, rows);
        if (parts == 1)
        {
            IndexSelectRows(x, length, inner, indices, output, 0, rows);
        }
        else
        {
            IndexSelectParallel(x, length, inner, indices, output, rows, parts);
        }
    }

    private static void IndexSelectParallel<T>(T[] x, int length, int inner, int[] indices, T[] output, int rows, int parts) =>
        Parallel.For(0, parts, ParallelOptions(parts), part =>
        {
            var (start, end) = Share(rows, part, parts);
            IndexSelectRows(x, length, inner, indices, output, start, end);
        });

    /// <summary>Output rows [start, end) of <see cref="IndexSelect"/> (row r = o·k + j).</summary>
    private static void IndexSelectRows<T>(T[] x, int length, int inner, int[] indices, T[] output, int start, int end)
    {
        int k = indices.Length;
        int o = start / k, j = start - (o * k);
        for (int r = start; r < end; r++)
        {
            int source = ((o * length) + indices[j]) * inner;
            if (inner == 1)
            {
                output[r] = x[source];
            }
            else
            {
                x.AsSpan(source, inner).CopyTo(output.AsSpan(r * inner, inner));
            }

            if (++j == k)
            {
                (o, j) = (o + 1, 0);
            }
        }
    }

    /// <summary>
    /// <c>destination[o, indices[j], :] += g[o, j, :]</c> for every j in order, destination being
    /// [outer, length, inner] and already zeroed: the VJP of <see cref="IndexSelect"/>, repeated indices accumulating.
    /// </summary>
    public static void IndexAdd<T>(T[] g, int outer, int length, int inner, int[] indices, T[] destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Split by destination: whole outer blocks when there are enough, else column ranges (axis 0: one block).
        bool byOuter = outer >= MaxParts();
        int parts = Parts(g.LongLength, byOuter ? outer : inner);
        if (parts == 1)
        {
            IndexAddBlock(g, length, inner, indices, destination, 0, outer, 0, inner);
        }
        else
        {
            IndexAddParallel(g, outer, length, inner, indices, destination, parts, byOuter);
        }
    }

    private static void IndexAddParallel<T>(T[] g, int outer, int length, int inner, int[] indices, T[] destination, int parts,
        bool byOuter)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Parallel.For(0, parts, ParallelOptions(parts), part =>
        {
            var (start, end) = Share(byOuter ? outer : inner, part, parts);
            if (byOuter)
            {
                IndexAddBlock(g, length, inner, indices, destination, start, end, 0, inner);
            }
            else
            {
                IndexAddBlock(g, length, inner, indices, destination, 0, outer, start, end);
            }
        });

    /// <summary>Outer blocks [oStart, oEnd), columns [cStart, cEnd) of <see cref="IndexAdd"/>.</summary>
    private static void IndexAddBlock<T>(T[] g, int length, int inner, int[] indices, T[] destination,
        int oStart, int oEnd, int cStart, int cEnd)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = indices.Length;
        int width = cEnd - cStart;
        for (int o = oStart; o < oEnd; o++)
        {
            for (int j = 0; j < k; j++)
            {
                int source = (((o * k) + j) * inner) + cStart;
                int target = (((o * length) + indices[j]) * inner) + cStart;
                if (width == 1)
                {
                    destination[target] += g[source];
                }
                else
                {
                    Span<T> row = destination.AsSpan(target, width);
                    TensorPrimitives.Add(row, g.AsSpan(source, width), row);
                }
            }
        }
    }

    /// <summary>
    /// <c>output[p] = x[layout.SourceOffset(p, indices[p])]</c> for every position p of the index tensor (torch.gather).
    /// </summary>
    public static void Gather<T>(T[] x, GatherLayout layout, int[] indices, T[] output)
    {
        int rows = layout.Outer * layout.Length;
        if (rows == 0 || layout.Inner == 0)
        {
            return;
        }

        int parts = Parts(indices.LongLength, rows);
        if (parts == 1)
        {
            GatherRows(x, layout, indices, output, 0, rows);
        }
        else
        {
            GatherParallel(x, layout, indices, output, rows, parts);
        }
    }

    private static void GatherParallel<T>(T[] x, GatherLayout layout, int[] indices, T[] output, int rows, int parts) =>
        Parallel.For(0, parts, ParallelOptions(parts), part =>
        {
            var (start, end) = Share(rows, part, parts);
            GatherRows(x, layout, indices, output, start, end);
        });

    /// <summary>Rows [start, end) of <see cref="Gather"/>, a row being one (outer, j) pair of the index tensor.</summary>
    private static void GatherRows<T>(T[] x, GatherLayout layout, int[] indices, T[] output, int start, int end)
    {
        int length = layout.Length, inner = layout.Inner, stride = layout.SourceAxisStride;
        int[]? innerOffsets = inner == 1 ? null : layout.InnerOffsets;   // one inner position: offset 0 either way
        for (int o = start / length; o * length < end; o++)
        {
            int block = layout.OuterOffsets[o];
            int jStart = Math.Max(start - (o * length), 0), jEnd = Math.Min(end - (o * length), length);
            int p = ((o * length) + jStart) * inner;
            int pEnd = ((o * length) + jEnd) * inner;
            if (innerOffsets is null)
            {
                // Same inner layout as x: inner position i reads x's inner position i.
                for (int i = 0; p < pEnd; p++)
                {
                    output[p] = x[block + (indices[p] * stride) + i];
                    if (++i == inner)
                    {
                        i = 0;
                    }
                }
            }
            else
            {
                for (int i = 0; p < pEnd; p++)
                {
                    output[p] = x[block + (indices[p] * stride) + innerOffsets[i]];
                    if (++i == inner)
                    {
                        i = 0;
                    }
                }
            }
        }
    }

    /// <summary>
    /// <c>destination[layout.SourceOffset(p, indices[p])] += g[p]</c> for every position p of the index tensor in
    /// order, destination already zeroed: the VJP of <see cref="Gather"/> (torch.scatter_add).
    /// </summary>
    public static void ScatterAdd<T>(T[] g, GatherLayout layout, int[] indices, T[] destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Distinct outer positions, and distinct inner positions, write distinct destination elements: split by
        // either; along the axis (where indices may repeat) each destination is summed in order on one thread.
        bool byOuter = layout.Outer >= MaxParts();
        int parts = Parts(g.LongLength, byOuter ? layout.Outer : layout.Inner);
        if (parts == 1)
        {
            ScatterAddBlock(g, layout, indices, destination, 0, layout.Outer, 0, layout.Inner);
        }
        else
        {
            ScatterAddParallel(g, layout, indices, destination, parts, byOuter);
        }
    }

    private static void ScatterAddParallel<T>(T[] g, GatherLayout layout, int[] indices, T[] destination, int parts, bool byOuter)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Parallel.For(0, parts, ParallelOptions(parts), part =>
        {
            var (start, end) = Share(byOuter ? layout.Outer : layout.Inner, part, parts);
            if (byOuter)
            {
                ScatterAddBlock(g, layout, indices, destination, start, end, 0, layout.Inner);
            }
            else
            {
                ScatterAddBlock(g, layout, indices, destination, 0, layout.Outer, start, end);
            }
        });

    private static void ScatterAddBlock<T>(T[] g, GatherLayout layout, int[] indices, T[] destination,
        int oStart, int oEnd, int iStart, int iEnd)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int length = layout.Length, inner = layout.Inner, stride = layout.SourceAxisStride;
        int[]? innerOffsets = inner == 1 ? null : layout.InnerOffsets;
        for (int o = oStart; o < oEnd; o++)
        {
            int block = layout.OuterOffsets[o];
            for (int j = 0; j < length; j++)
            {
                int p = (((o * length) + j) * inner) + iStart;
                if (innerOffsets is null)
                {
                    for (int i = iStart; i < iEnd; i++, p++)
                    {
                        destination[block + (indices[p] * stride) + i] += g[p];
                    }
                }
                else
                {
                    for (int i = iStart; i < iEnd; i++, p++)
                    {
                        destination[block + (indices[p] * stride) + innerOffsets[i]] += g[p];
                    }
                }
            }
        }
    }

    /// <summary>The threads a call may use: all cores, or fewer as <see cref="Gemm.DefaultMaxThreads"/> says.</summary>
    private static int MaxParts() => Math.Min(Gemm.DefaultMaxThreads, Environment.ProcessorCount);

    /// <summary>How many parts to split <paramref name="elements"/> into, at most one per unit of <paramref name="units"/>.</summary>
    private static int Parts(long elements, int units)
    {
        if (elements < 2 * ParallelElements)
        {
            return 1;
        }

        return (int)Math.Max(1, Math.Min(Math.Min(MaxParts(), elements / ParallelElements), units));
    }

    private static ParallelOptions ParallelOptions(int parts) => new() { MaxDegreeOfParallelism = parts };

    /// <summary>Part <paramref name="part"/>'s share [Start, End) of <paramref name="count"/> items.</summary>
    private static (int Start, int End) Share(int count, int part, int parts) =>
        ((int)((long)count * part / parts), (int)((long)count * (part + 1) / parts));
}

/// <summary>
/// Where each element of an index tensor reads in the source tensor of torch.gather (and writes in scatter_add's
/// destination) along an axis: the index tensor viewed as [Outer, Length, Inner] around the axis, its outer and
/// inner coordinates mapped to source offsets (the index may be smaller than the source in those dimensions).
/// </summary>
internal sealed class GatherLayout
{
    public GatherLayout(ReadOnlySpan<int> sourceShape, ReadOnlySpan<int> indexShape, int axis)
    {
        (Outer, Length, Inner) = ShapeText.AroundAxis(indexShape, axis);
        int[] sourceStrides = new int[sourceShape.Length];
        int stride = 1;
        for (int d = sourceShape.Length - 1; d >= 0; d--)
        {
            sourceStrides[d] = stride;
            stride *= sourceShape[d];
        }

        SourceAxisStride = sourceStrides[axis];
        OuterOffsets = Offsets(indexShape[..axis], sourceStrides.AsSpan(0, axis), Outer);
        bool sameInner = indexShape[(axis + 1)..].SequenceEqual(sourceShape[(axis + 1)..]);
        InnerOffsets = sameInner ? null : Offsets(indexShape[(axis + 1)..], sourceStrides.AsSpan(axis + 1), Inner);
    }

    /// <summary>The product of the index tensor's dimensions before the axis.</summary>
    public int Outer { get; }

    /// <summary>The index tensor's size along the axis.</summary>
    public int Length { get; }

    /// <summary>The product of the index tensor's dimensions after the axis.</summary>
    public int Inner { get; }

    /// <summary>The source's stride along the axis (the product of its dimensions after it).</summary>
    public int SourceAxisStride { get; }

    /// <summary>For each outer position of the index tensor, the source offset of the same coordinates.</summary>
    public int[] OuterOffsets { get; }

    /// <summary>For each inner position, the source offset of the same coordinates; null when they are equal (same inner shape).</summary>
    public int[]? InnerOffsets { get; }

    /// <summary>Row-major positions over <paramref name="shape"/> mapped through <paramref name="strides"/>.</summary>
    private static int[] Offsets(ReadOnlySpan<int> shape, ReadOnlySpan<int> strides, int count)
    {
        int[] offsets = new int[count];
        Span<int> index = stackalloc int[shape.Length];
        int offset = 0;
        for (int p = 0; p < count; p++)
        {
            offsets[p] = offset;
            for (int d = shape.Length - 1; d >= 0; d--)
            {
                offset += strides[d];
                if (++index[d] < shape[d])
                {
                    break;
                }

                offset -= strides[d] * shape[d];
                index[d] = 0;
            }
        }

        return offsets;
    }
}

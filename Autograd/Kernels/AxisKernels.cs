using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace Autograd.Kernels;

/// <summary>
/// Reductions and normalisations along one axis of a row-major array viewed as [outer, length, inner].
/// When inner == 1 the axis is contiguous and each row is one TensorPrimitives call; otherwise whole
/// inner-rows (or groups of their columns, see <see cref="AxisUnits"/>) are combined at a time, which is still
/// contiguous. Large inputs run their independent pieces on several threads; every output element is computed by
/// the same calls whatever the split.
/// </summary>
internal static unsafe class AxisKernels
{
    /// <summary><c>destination[o, i] = Σ_j x[o, j, i]</c>; a whole contiguous line by <see cref="BlockedReductions.Sum{T}"/>.</summary>
    public static void Sum<T>(ReadOnlySpan<T> x, int outer, int length, int inner, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (outer == 1 && inner == 1)
        {
            destination[0] = BlockedReductions.Sum(x[..length], BlockedReductions.ThreadsFor(length));
            return;
        }

        var units = new AxisUnits(outer, inner);
        int threads = RangeParallel.Threads(x.Length, ParallelThresholds.Reduction);
        if (threads == 1 || units.Count == 1)
        {
            SumUnits(x, length, inner, destination, units, 0, units.Count);
            return;
        }

        fixed (T* px = x, pd = destination)
        {
            RangeParallel.Run(units.Count, threads, new SumBody<T>(new(px, x.Length), length, inner, new(pd, destination.Length), units));
        }
    }

    /// <summary><c>destination[o, j, i] = g[o, i]</c>: the VJP of a sum along the axis.</summary>
    public static void Expand<T>(ReadOnlySpan<T> g, int outer, int length, int inner, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var units = new AxisUnits(outer, inner);
        int threads = RangeParallel.Threads(destination.Length, ParallelThresholds.MemoryBound);
        if (threads == 1 || units.Count == 1)
        {
            ExpandUnits(g, length, inner, destination, units, 0, units.Count);
            return;
        }

        fixed (T* pg = g, pd = destination)
        {
            RangeParallel.Run(units.Count, threads, new ExpandBody<T>(new(pg, g.Length), length, inner, new(pd, destination.Length), units));
        }
    }

    /// <summary>
    /// <c>values[o, i] = max_j x[o, j, i]</c> and the first index attaining it (NaN wins, as in PyTorch).
    /// </summary>
    public static void Max<T>(ReadOnlySpan<T> x, int outer, int length, int inner, Span<T> values, Span<int> indices)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ReductionKernels.ArgExtremum<T, Greatest>(x, outer, length, inner, values, indices);

    /// <summary><c>destination[o, j, i] = g[o, i]</c> where j is the arg-max, else 0.</summary>
    public static void MaxBackward<T>(ReadOnlySpan<T> g, ReadOnlySpan<int> indices, int outer, int length, int inner, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var units = new AxisUnits(outer, inner);
        int threads = RangeParallel.Threads(destination.Length, ParallelThresholds.MemoryBound);
        if (threads == 1 || units.Count == 1)
        {
            MaxBackwardUnits(g, indices, length, inner, destination, units, 0, units.Count);
            return;
        }

        fixed (T* pg = g, pd = destination)
        fixed (int* pi = indices)
        {
            RangeParallel.Run(units.Count, threads,
                new MaxBackwardBody<T>(new(pg, g.Length), new(pi, indices.Length), length, inner, new(pd, destination.Length), units));
        }
    }

    /// <summary>
    /// Softmax (or log-softmax) along the axis, stable for any finite logits: the row maximum is subtracted
    /// before exponentiating, so e^(x − max) ≤ 1 and the sum is at least 1. Lines run in parallel.
    /// </summary>
    public static void Softmax<T>(ReadOnlySpan<T> x, int outer, int length, int inner, Span<T> destination, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int lines = outer * inner;
        int threads = RangeParallel.Threads(x.Length, ParallelThresholds.ComputeBound);
        if (threads == 1 || lines == 1)
        {
            SoftmaxLines(x, length, inner, destination, log, 0, lines);
            return;
        }

        fixed (T* px = x, pd = destination)
        {
            RangeParallel.Run(lines, threads, new SoftmaxBody<T>(new(px, x.Length), length, inner, new(pd, destination.Length), log));
        }
    }

    /// <summary>
    /// VJP of softmax from its output y: dx = y · (g − Σ_j g·y); of log-softmax: dx = g − e^y · Σ_j g. Lines run in
    /// parallel.
    /// </summary>
    public static void SoftmaxBackward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> g, int outer, int length, int inner, Span<T> destination, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int lines = outer * inner;
        int threads = RangeParallel.Threads(y.Length, ParallelThresholds.ComputeBound);
        if (threads == 1 || lines == 1)
        {
            SoftmaxBackwardLines(y, g, length, inner, destination, log, 0, lines);
            return;
        }

        fixed (T* py = y, pg = g, pd = destination)
        {
            RangeParallel.Run(lines, threads,
                new SoftmaxBackwardBody<T>(new(py, y.Length), new(pg, g.Length), length, inner, new(pd, destination.Length), log));
        }
    }

    private static void SumUnits<T>(ReadOnlySpan<T> x, int length, int inner, Span<T> destination, AxisUnits units, int first, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int unit = first; unit < end; unit++)
        {
            var (o, start, stop) = units[unit];
            ReadOnlySpan<T> block = x.Slice(o * length * inner, length * inner);
            if (inner == 1)
            {
                destination[o] = BlockedReductions.Sum(block, threads: 1);
                continue;
            }

            Span<T> row = destination.Slice((o * inner) + start, stop - start);
            row.Clear();
            for (int j = 0; j < length; j++)
            {
                TensorPrimitives.Add(row, block.Slice((j * inner) + start, row.Length), row);
            }
        }
    }

    private static void ExpandUnits<T>(ReadOnlySpan<T> g, int length, int inner, Span<T> destination, AxisUnits units, int first, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int unit = first; unit < end; unit++)
        {
            var (o, start, stop) = units[unit];
            Span<T> block = destination.Slice(o * length * inner, length * inner);
            if (inner == 1)
            {
                block.Fill(g[o]);
                continue;
            }

            ReadOnlySpan<T> row = g.Slice((o * inner) + start, stop - start);
            for (int j = 0; j < length; j++)
            {
                row.CopyTo(block.Slice((j * inner) + start, row.Length));
            }
        }
    }

    private static void MaxBackwardUnits<T>(ReadOnlySpan<T> g, ReadOnlySpan<int> indices, int length, int inner, Span<T> destination,
        AxisUnits units, int first, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int unit = first; unit < end; unit++)
        {
            var (o, start, stop) = units[unit];
            Span<T> block = destination.Slice(o * length * inner, length * inner);
            for (int j = 0; j < length; j++)
            {
                block.Slice((j * inner) + start, stop - start).Clear();
            }

            for (int i = start; i < stop; i++)
            {
                int flat = (o * inner) + i;
                block[(indices[flat] * inner) + i] = g[flat];
            }
        }
    }

    /// <summary>Softmax of lines [first, end), line l being (o, i) = (l / inner, l % inner).</summary>
    private static void SoftmaxLines<T>(ReadOnlySpan<T> x, int length, int inner, Span<T> destination, bool log, int first, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (length == 0)
        {
            return;
        }

        T[] scratch = ArrayPool<T>.Shared.Rent(log ? Math.Min(length, 2 * FixedBlocks.Size) : 0);
        if (inner == 1)
        {
            for (int o = first; o < end; o++)
            {
                SoftmaxRow(x.Slice(o * length, length), destination.Slice(o * length, length), log, scratch);
            }

            ArrayPool<T>.Shared.Return(scratch);
            return;
        }

        // Strided axis: gather each line into a contiguous buffer, normalise, scatter back.
        T[] line = new T[length];
        T[] result = new T[length];
        for (int l = first; l < end; l++)
        {
            int start = ((l / inner) * length * inner) + (l % inner);
            for (int j = 0; j < length; j++)
            {
                line[j] = x[start + (j * inner)];
            }

            SoftmaxRow(line, result, log, scratch);
            for (int j = 0; j < length; j++)
            {
                destination[start + (j * inner)] = result[j];
            }
        }

        ArrayPool<T>.Shared.Return(scratch);
    }

    private static void SoftmaxRow<T>(ReadOnlySpan<T> x, Span<T> destination, bool log, Span<T> scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T max = TensorPrimitives.Max(x);
        if (log)
        {
            // log softmax = (x − max) − log Σ e^(x − max), without ever forming the probabilities.
            T logSum = T.Log(BlockedReductions.SumOfExp(x, max, scratch, threads: 1));
            TensorPrimitives.Subtract(x, max, destination);
            TensorPrimitives.Subtract(destination, logSum, destination);
        }
        else
        {
            TensorPrimitives.Subtract(x, max, destination);
            MathKernels.Exp(destination, destination);
            TensorPrimitives.Divide(destination, TensorPrimitives.Sum<T>(destination), destination);
        }
    }

    private static void SoftmaxBackwardLines<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> g, int length, int inner, Span<T> destination, bool log,
        int first, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (inner == 1)
        {
            for (int o = first; o < end; o++)
            {
                int start = o * length;
                SoftmaxBackwardRow(y.Slice(start, length), g.Slice(start, length), destination.Slice(start, length), log);
            }

            return;
        }

        T[] lineY = new T[length], lineG = new T[length], lineD = new T[length];
        for (int l = first; l < end; l++)
        {
            int start = ((l / inner) * length * inner) + (l % inner);
            for (int j = 0; j < length; j++)
            {
                lineY[j] = y[start + (j * inner)];
                lineG[j] = g[start + (j * inner)];
            }

            SoftmaxBackwardRow(lineY, lineG, lineD, log);
            for (int j = 0; j < length; j++)
            {
                destination[start + (j * inner)] = lineD[j];
            }
        }
    }

    private static void SoftmaxBackwardRow<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> destination, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (log)
        {
            T total = TensorPrimitives.Sum(g);
            MathKernels.Exp(y, destination);
            TensorPrimitives.Multiply(destination, -total, destination);
            TensorPrimitives.Add(destination, g, destination);
        }
        else
        {
            T dot = TensorPrimitives.Dot(g, y);
            TensorPrimitives.Subtract(g, dot, destination);
            TensorPrimitives.Multiply(destination, y, destination);
        }
    }

    private readonly struct SumBody<T>(Pinned<T> x, int length, int inner, Pinned<T> destination, AxisUnits units) : IRangeBody
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int start, int end) => SumUnits<T>(x.Span, length, inner, destination.Span, units, start, end);
    }

    private readonly struct ExpandBody<T>(Pinned<T> g, int length, int inner, Pinned<T> destination, AxisUnits units) : IRangeBody
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int start, int end) => ExpandUnits<T>(g.Span, length, inner, destination.Span, units, start, end);
    }

    private readonly struct MaxBackwardBody<T>(Pinned<T> g, Pinned<int> indices, int length, int inner, Pinned<T> destination,
        AxisUnits units) : IRangeBody
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int start, int end) =>
            MaxBackwardUnits<T>(g.Span, indices.Span, length, inner, destination.Span, units, start, end);
    }

    private readonly struct SoftmaxBody<T>(Pinned<T> x, int length, int inner, Pinned<T> destination, bool log) : IRangeBody
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int start, int end) => SoftmaxLines<T>(x.Span, length, inner, destination.Span, log, start, end);
    }

    private readonly struct SoftmaxBackwardBody<T>(Pinned<T> y, Pinned<T> g, int length, int inner, Pinned<T> destination, bool log)
        : IRangeBody
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int start, int end) =>
            SoftmaxBackwardLines<T>(y.Span, g.Span, length, inner, destination.Span, log, start, end);
    }
}

using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace Autograd.Kernels;

/// <summary>Which of two values an arg-max or arg-min keeps (NaN is handled by the kernel: a NaN always wins).</summary>
internal interface IExtremumOrder
{
    /// <summary>True when <paramref name="candidate"/> strictly beats <paramref name="best"/>; a tie keeps the first.</summary>
    static abstract bool Beats<T>(T candidate, T best)
        where T : INumber<T>;

    /// <summary>The extremum of a non-empty span, NaN when it holds one (the sign of a zero result is not defined).</summary>
    static abstract T Of<T>(ReadOnlySpan<T> x)
        where T : INumber<T>;
}

/// <summary>The maximum: a larger value wins.</summary>
internal readonly struct Greatest : IExtremumOrder
{
    public static bool Beats<T>(T candidate, T best)
        where T : INumber<T> => candidate > best;

    public static T Of<T>(ReadOnlySpan<T> x)
        where T : INumber<T> => TensorPrimitives.Max(x);
}

/// <summary>The minimum: a smaller value wins.</summary>
internal readonly struct Least : IExtremumOrder
{
    public static bool Beats<T>(T candidate, T best)
        where T : INumber<T> => candidate < best;

    public static T Of<T>(ReadOnlySpan<T> x)
        where T : INumber<T> => TensorPrimitives.Min(x);
}

/// <summary>
/// Reductions along one axis of a row-major array viewed as [outer, length, inner] (see <see cref="AxisKernels"/>):
/// arg-extrema, variance, log-sum-exp, and the VJP kernel they share. Every output element is computed by the same
/// sequence of operations whatever else is computed, so results never depend on how work is split; large inputs run
/// their independent pieces (<see cref="AxisUnits"/>) on several threads.
/// </summary>
internal static unsafe class ReductionKernels
{
    /// <summary>Contiguous lines from this length on are searched with vector calls (<see cref="BlockedReductions"/>).</summary>
    private const int VectorLine = 32;

    /// <summary>
    /// <c>values[o, i]</c> = the extremum of <c>x[o, :, i]</c> under <typeparamref name="TOrder"/> and <c>indices[o, i]</c>
    /// the first index attaining it; a NaN wins at its first occurrence (as PyTorch's max/min/argmax/argmin on CPU).
    /// <paramref name="length"/> must be at least 1. Integers (which have no NaN) use the same code.
    /// </summary>
    public static void ArgExtremum<T, TOrder>(ReadOnlySpan<T> x, int outer, int length, int inner, Span<T> values, Span<int> indices)
        where T : unmanaged, INumber<T>
        where TOrder : struct, IExtremumOrder
    {
        if (outer == 1 && inner == 1)
        {
            (values[0], indices[0]) = BlockedReductions.ArgExtremum<T, TOrder>(x[..length], BlockedReductions.ThreadsFor(length));
            return;
        }

        var units = new AxisUnits(outer, inner);
        int threads = RangeParallel.Threads(x.Length, ParallelThresholds.Reduction);
        if (threads == 1 || units.Count == 1)
        {
            ArgExtremumUnits<T, TOrder>(x, length, inner, values, indices, units, 0, units.Count);
            return;
        }

        fixed (T* px = x, pv = values)
        fixed (int* pi = indices)
        {
            RangeParallel.Run(units.Count, threads,
                new ArgExtremumBody<T, TOrder>(new(px, x.Length), length, inner, new(pv, values.Length), new(pi, indices.Length), units));
        }
    }

    /// <summary>
    /// The mean of each line and its variance with divisor max(length − <paramref name="correction"/>, 0) (its square
    /// root when <paramref name="sqrt"/>). Two passes on data shifted by the line's first element, plus the
    /// compensation term of the corrected two-pass algorithm: Σd² − (Σd)²/n with d = x − mean. A constant line has a
    /// mean equal to that constant and a variance of exactly 0. An empty line gives NaN for both, as PyTorch.
    /// </summary>
    public static void Moments<T>(ReadOnlySpan<T> x, int outer, int length, int inner, Span<T> mean, Span<T> result,
        int correction, bool sqrt)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (length == 0)
        {
            mean.Fill(T.NaN);
            result.Fill(T.NaN);
            return;
        }

        var units = new AxisUnits(outer, inner);
        int threads = RangeParallel.Threads(x.Length, ParallelThresholds.Reduction);
        if (threads == 1 || units.Count == 1)
        {
            MomentsUnits(x, length, inner, mean, result, correction, sqrt, units, 0, units.Count);
            return;
        }

        fixed (T* px = x, pm = mean, pr = result)
        {
            RangeParallel.Run(units.Count, threads,
                new MomentsBody<T>(new(px, x.Length), length, inner, new(pm, mean.Length), new(pr, result.Length), correction, sqrt, units));
        }
    }

    /// <summary>
    /// <c>log Σ_j exp(x[o, j, i])</c>, shifted by the line's maximum so that no exponential overflows; an infinite
    /// maximum is replaced by 0 (as PyTorch), so a line of −∞ gives −∞ and a line holding +∞ gives +∞. An empty line
    /// gives −∞ (log 0).
    /// </summary>
    public static void LogSumExp<T>(ReadOnlySpan<T> x, int outer, int length, int inner, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (length == 0)
        {
            destination.Fill(T.NegativeInfinity);
            return;
        }

        if (outer == 1 && inner == 1)
        {
            // One line: its blocks' exponentials in parallel.
            T[] scratch = ArrayPool<T>.Shared.Rent(Math.Min(length, 2 * FixedBlocks.Size));
            T max = FiniteMax(TensorPrimitives.Max(x[..length]));
            int threads = RangeParallel.Threads(length, ParallelThresholds.ComputeBound);
            destination[0] = max + T.Log(BlockedReductions.SumOfExp(x[..length], max, scratch, threads));
            ArrayPool<T>.Shared.Return(scratch);
            return;
        }

        var units = new AxisUnits(outer, inner);
        int parts = RangeParallel.Threads(x.Length, ParallelThresholds.ComputeBound);
        if (parts == 1 || units.Count == 1)
        {
            LogSumExpUnits(x, length, inner, destination, units, 0, units.Count);
            return;
        }

        fixed (T* px = x, pd = destination)
        {
            RangeParallel.Run(units.Count, parts, new LogSumExpBody<T>(new(px, x.Length), length, inner, new(pd, destination.Length), units));
        }
    }

    /// <summary>
    /// <c>dx[o, j, i] = f(x[o, j, i] − shift[o, i]) · scale[o, i]</c> with f the identity, or exp when
    /// <paramref name="exp"/>: the VJP of the variance (shift = mean) and of log-sum-exp (shift = the result).
    /// </summary>
    public static void ShiftScale<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> shift, ReadOnlySpan<T> scale, int outer, int length,
        int inner, Span<T> dx, bool exp)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var units = new AxisUnits(outer, inner);
        int threads = RangeParallel.Threads(x.Length, exp ? ParallelThresholds.ComputeBound : ParallelThresholds.MemoryBound);
        if (threads == 1 || units.Count == 1)
        {
            ShiftScaleUnits(x, shift, scale, length, inner, dx, exp, units, 0, units.Count);
            return;
        }

        fixed (T* px = x, ps = shift, pc = scale, pd = dx)
        {
            RangeParallel.Run(units.Count, threads, new ShiftScaleBody<T>(new(px, x.Length), new(ps, shift.Length), new(pc, scale.Length),
                length, inner, new(pd, dx.Length), exp, units));
        }
    }

    private static void ArgExtremumUnits<T, TOrder>(ReadOnlySpan<T> x, int length, int inner, Span<T> values, Span<int> indices,
        AxisUnits units, int first, int end)
        where T : unmanaged, INumber<T>
        where TOrder : struct, IExtremumOrder
    {
        for (int unit = first; unit < end; unit++)
        {
            var (o, start, stop) = units[unit];
            ReadOnlySpan<T> block = x.Slice(o * length * inner, length * inner);
            if (inner == 1 && length >= VectorLine)
            {
                (values[o], indices[o]) = BlockedReductions.ArgExtremum<T, TOrder>(block, threads: 1);
                continue;
            }

            if (inner == 1)
            {
                int at = 0;
                T best = block[0];
                for (int j = 1; j < block.Length && !T.IsNaN(best); j++)
                {
                    T value = block[j];
                    if (TOrder.Beats(value, best) || T.IsNaN(value))
                    {
                        (at, best) = (j, value);
                    }
                }

                (values[o], indices[o]) = (best, at);
                continue;
            }

            // Strided axis: keep a running row of winners and walk the input row by row (contiguous reads).
            int width = stop - start;
            Span<T> bestRow = values.Slice((o * inner) + start, width);
            Span<int> atRow = indices.Slice((o * inner) + start, width);
            block.Slice(start, width).CopyTo(bestRow);
            atRow.Clear();
            for (int j = 1; j < length; j++)
            {
                ReadOnlySpan<T> row = block.Slice((j * inner) + start, width);
                for (int i = 0; i < width; i++)
                {
                    T value = row[i];
                    T best = bestRow[i];
                    if ((TOrder.Beats(value, best) || T.IsNaN(value)) && !T.IsNaN(best))
                    {
                        (bestRow[i], atRow[i]) = (value, j);
                    }
                }
            }
        }
    }

    private static void MomentsUnits<T>(ReadOnlySpan<T> x, int length, int inner, Span<T> mean, Span<T> result, int correction, bool sqrt,
        AxisUnits units, int first, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T n = T.CreateChecked(length);
        T divisor = T.CreateChecked(Math.Max(length - correction, 0));
        int scratchLength = inner == 1 ? length : 4 * AxisUnits.ColumnGroup;
        T[] rented = ArrayPool<T>.Shared.Rent(scratchLength);
        try
        {
            for (int unit = first; unit < end; unit++)
            {
                var (o, start, stop) = units[unit];
                ReadOnlySpan<T> block = x.Slice(o * length * inner, length * inner);
                if (inner == 1)
                {
                    Span<T> d = rented.AsSpan(0, length);
                    T shift = block[0];
                    TensorPrimitives.Subtract(block, shift, d);
                    T shiftedMean = TensorPrimitives.Sum<T>(d) / n;
                    TensorPrimitives.Subtract(d, shiftedMean, d);
                    T sum = TensorPrimitives.Sum<T>(d);
                    T variance = T.Max((TensorPrimitives.SumOfSquares<T>(d) - (sum * sum / n)) / divisor, T.Zero);
                    mean[o] = shift + shiftedMean;
                    result[o] = sqrt ? T.Sqrt(variance) : variance;
                    continue;
                }

                int width = stop - start;
                Span<T> meanRow = mean.Slice((o * inner) + start, width);
                Span<T> resultRow = result.Slice((o * inner) + start, width);
                Span<T> scratch = rented.AsSpan(0, width);
                Span<T> sums = rented.AsSpan(width, width);
                ReadOnlySpan<T> shiftRow = block.Slice(start, width);

                // Pass 1: the mean of the shifted data, accumulated row by row.
                meanRow.Clear();
                for (int j = 1; j < length; j++)
                {
                    TensorPrimitives.Subtract(block.Slice((j * inner) + start, width), shiftRow, scratch);
                    TensorPrimitives.Add(meanRow, scratch, meanRow);
                }

                TensorPrimitives.Divide(meanRow, n, meanRow);

                // Pass 2: Σd and Σd² with d = (x − shift) − shifted mean.
                sums.Clear();
                resultRow.Clear();
                for (int j = 0; j < length; j++)
                {
                    TensorPrimitives.Subtract(block.Slice((j * inner) + start, width), shiftRow, scratch);
                    TensorPrimitives.Subtract(scratch, meanRow, scratch);
                    TensorPrimitives.Add(sums, scratch, sums);
                    TensorPrimitives.MultiplyAdd(scratch, scratch, resultRow, resultRow);
                }

                for (int i = 0; i < width; i++)
                {
                    T variance = T.Max((resultRow[i] - (sums[i] * sums[i] / n)) / divisor, T.Zero);
                    resultRow[i] = sqrt ? T.Sqrt(variance) : variance;
                    meanRow[i] += shiftRow[i];
                }
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(rented);
        }
    }

    private static void LogSumExpUnits<T>(ReadOnlySpan<T> x, int length, int inner, Span<T> destination, AxisUnits units, int first, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] rented = ArrayPool<T>.Shared.Rent(inner == 1 ? Math.Min(length, 2 * FixedBlocks.Size) : 4 * AxisUnits.ColumnGroup);
        try
        {
            for (int unit = first; unit < end; unit++)
            {
                var (o, start, stop) = units[unit];
                ReadOnlySpan<T> block = x.Slice(o * length * inner, length * inner);
                if (inner == 1)
                {
                    T max = FiniteMax(TensorPrimitives.Max(block));
                    destination[o] = max + T.Log(BlockedReductions.SumOfExp(block, max, rented, threads: 1));
                    continue;
                }

                int width = stop - start;
                Span<T> maxRow = rented.AsSpan(0, width);
                Span<T> scratch = rented.AsSpan(width, width);
                Span<T> sumRow = destination.Slice((o * inner) + start, width);
                block.Slice(start, width).CopyTo(maxRow);
                for (int j = 1; j < length; j++)
                {
                    TensorPrimitives.Max(maxRow, block.Slice((j * inner) + start, width), maxRow);
                }

                for (int i = 0; i < width; i++)
                {
                    maxRow[i] = FiniteMax(maxRow[i]);
                }

                sumRow.Clear();
                for (int j = 0; j < length; j++)
                {
                    TensorPrimitives.Subtract(block.Slice((j * inner) + start, width), maxRow, scratch);
                    MathKernels.Exp(scratch, scratch);
                    TensorPrimitives.Add(sumRow, scratch, sumRow);
                }

                MathKernels.Log(sumRow, sumRow);
                TensorPrimitives.Add(sumRow, maxRow, sumRow);
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(rented);
        }
    }

    /// <summary>The shift of log-sum-exp: the maximum, or 0 when it is infinite (as PyTorch).</summary>
    private static T FiniteMax<T>(T max)
        where T : IFloatingPointIeee754<T> => T.IsInfinity(max) ? T.Zero : max;

    private static void ShiftScaleUnits<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> shift, ReadOnlySpan<T> scale, int length, int inner,
        Span<T> dx, bool exp, AxisUnits units, int first, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int unit = first; unit < end; unit++)
        {
            var (o, start, stop) = units[unit];
            if (inner == 1)
            {
                // The line is contiguous: one call per step for all of it.
                Span<T> line = dx.Slice(o * length, length);
                TensorPrimitives.Subtract(x.Slice(o * length, length), shift[o], line);
                if (exp)
                {
                    MathKernels.Exp(line, line);
                }

                TensorPrimitives.Multiply(line, scale[o], line);
                continue;
            }

            int width = stop - start;
            ReadOnlySpan<T> shiftRow = shift.Slice((o * inner) + start, width);
            ReadOnlySpan<T> scaleRow = scale.Slice((o * inner) + start, width);
            for (int j = 0; j < length; j++)
            {
                int offset = (((o * length) + j) * inner) + start;
                Span<T> row = dx.Slice(offset, width);
                TensorPrimitives.Subtract(x.Slice(offset, width), shiftRow, row);
                if (exp)
                {
                    MathKernels.Exp(row, row);
                }

                TensorPrimitives.Multiply(row, scaleRow, row);
            }
        }
    }

    private readonly struct ArgExtremumBody<T, TOrder>(Pinned<T> x, int length, int inner, Pinned<T> values, Pinned<int> indices,
        AxisUnits units) : IRangeBody
        where T : unmanaged, INumber<T>
        where TOrder : struct, IExtremumOrder
    {
        public void Run(int start, int end) =>
            ArgExtremumUnits<T, TOrder>(x.Span, length, inner, values.Span, indices.Span, units, start, end);
    }

    private readonly struct MomentsBody<T>(Pinned<T> x, int length, int inner, Pinned<T> mean, Pinned<T> result, int correction,
        bool sqrt, AxisUnits units) : IRangeBody
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int start, int end) =>
            MomentsUnits<T>(x.Span, length, inner, mean.Span, result.Span, correction, sqrt, units, start, end);
    }

    private readonly struct LogSumExpBody<T>(Pinned<T> x, int length, int inner, Pinned<T> destination, AxisUnits units) : IRangeBody
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int start, int end) => LogSumExpUnits<T>(x.Span, length, inner, destination.Span, units, start, end);
    }

    private readonly struct ShiftScaleBody<T>(Pinned<T> x, Pinned<T> shift, Pinned<T> scale, int length, int inner, Pinned<T> dx,
        bool exp, AxisUnits units) : IRangeBody
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int start, int end) =>
            ShiftScaleUnits<T>(x.Span, shift.Span, scale.Span, length, inner, dx.Span, exp, units, start, end);
    }
}

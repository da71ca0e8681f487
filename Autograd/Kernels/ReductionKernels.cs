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
}

/// <summary>The maximum: a larger value wins.</summary>
internal readonly struct Greatest : IExtremumOrder
{
    public static bool Beats<T>(T candidate, T best)
        where T : INumber<T> => candidate > best;
}

/// <summary>The minimum: a smaller value wins.</summary>
internal readonly struct Least : IExtremumOrder
{
    public static bool Beats<T>(T candidate, T best)
        where T : INumber<T> => candidate < best;
}

/// <summary>
/// Reductions along one axis of a row-major array viewed as [outer, length, inner] (see <see cref="AxisKernels"/>):
/// arg-extrema, variance, log-sum-exp, and the VJP kernel they share. Every output element is computed by the same
/// sequence of operations whatever else is computed, so results never depend on how work is split.
/// </summary>
internal static class ReductionKernels
{
    /// <summary>
    /// <c>values[o, i]</c> = the extremum of <c>x[o, :, i]</c> under <typeparamref name="TOrder"/> and <c>indices[o, i]</c>
    /// the first index attaining it; a NaN wins at its first occurrence (as PyTorch's max/min/argmax/argmin on CPU).
    /// <paramref name="length"/> must be at least 1. Integers (which have no NaN) use the same code.
    /// </summary>
    public static void ArgExtremum<T, TOrder>(ReadOnlySpan<T> x, int outer, int length, int inner, Span<T> values, Span<int> indices)
        where T : unmanaged, INumber<T>
        where TOrder : struct, IExtremumOrder
    {
        for (int o = 0; o < outer; o++)
        {
            ReadOnlySpan<T> block = x.Slice(o * length * inner, length * inner);
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
            Span<T> bestRow = values.Slice(o * inner, inner);
            Span<int> atRow = indices.Slice(o * inner, inner);
            block[..inner].CopyTo(bestRow);
            atRow.Clear();
            for (int j = 1; j < length; j++)
            {
                ReadOnlySpan<T> row = block.Slice(j * inner, inner);
                for (int i = 0; i < inner; i++)
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

        T n = T.CreateChecked(length);
        T divisor = T.CreateChecked(Math.Max(length - correction, 0));
        int scratchLength = inner == 1 ? length : 2 * inner;
        T[] rented = ArrayPool<T>.Shared.Rent(scratchLength);
        try
        {
            for (int o = 0; o < outer; o++)
            {
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

                Span<T> meanRow = mean.Slice(o * inner, inner);
                Span<T> resultRow = result.Slice(o * inner, inner);
                Span<T> scratch = rented.AsSpan(0, inner);
                Span<T> sums = rented.AsSpan(inner, inner);
                ReadOnlySpan<T> shiftRow = block[..inner];

                // Pass 1: the mean of the shifted data, accumulated row by row.
                meanRow.Clear();
                for (int j = 1; j < length; j++)
                {
                    TensorPrimitives.Subtract(block.Slice(j * inner, inner), shiftRow, scratch);
                    TensorPrimitives.Add(meanRow, scratch, meanRow);
                }

                TensorPrimitives.Divide(meanRow, n, meanRow);

                // Pass 2: Σd and Σd² with d = (x − shift) − shifted mean.
                sums.Clear();
                resultRow.Clear();
                for (int j = 0; j < length; j++)
                {
                    TensorPrimitives.Subtract(block.Slice(j * inner, inner), shiftRow, scratch);
                    TensorPrimitives.Subtract(scratch, meanRow, scratch);
                    TensorPrimitives.Add(sums, scratch, sums);
                    TensorPrimitives.MultiplyAdd(scratch, scratch, resultRow, resultRow);
                }

                for (int i = 0; i < inner; i++)
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

        T[] rented = ArrayPool<T>.Shared.Rent(inner == 1 ? length : 2 * inner);
        try
        {
            for (int o = 0; o < outer; o++)
            {
                ReadOnlySpan<T> block = x.Slice(o * length * inner, length * inner);
                if (inner == 1)
                {
                    Span<T> shifted = rented.AsSpan(0, length);
                    T max = TensorPrimitives.Max(block);
                    max = T.IsInfinity(max) ? T.Zero : max;
                    TensorPrimitives.Subtract(block, max, shifted);
                    TensorPrimitives.Exp(shifted, shifted);
                    destination[o] = max + T.Log(TensorPrimitives.Sum<T>(shifted));
                    continue;
                }

                Span<T> maxRow = rented.AsSpan(0, inner);
                Span<T> scratch = rented.AsSpan(inner, inner);
                Span<T> sumRow = destination.Slice(o * inner, inner);
                block[..inner].CopyTo(maxRow);
                for (int j = 1; j < length; j++)
                {
                    TensorPrimitives.Max(maxRow, block.Slice(j * inner, inner), maxRow);
                }

                for (int i = 0; i < inner; i++)
                {
                    maxRow[i] = T.IsInfinity(maxRow[i]) ? T.Zero : maxRow[i];
                }

                sumRow.Clear();
                for (int j = 0; j < length; j++)
                {
                    TensorPrimitives.Subtract(block.Slice(j * inner, inner), maxRow, scratch);
                    TensorPrimitives.Exp(scratch, scratch);
                    TensorPrimitives.Add(sumRow, scratch, sumRow);
                }

                TensorPrimitives.Log(sumRow, sumRow);
                TensorPrimitives.Add(sumRow, maxRow, sumRow);
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(rented);
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
        for (int o = 0; o < outer; o++)
        {
            if (inner == 1)
            {
                // The line is contiguous: one call per step for all of it.
                Span<T> line = dx.Slice(o * length, length);
                TensorPrimitives.Subtract(x.Slice(o * length, length), shift[o], line);
                if (exp)
                {
                    TensorPrimitives.Exp(line, line);
                }

                TensorPrimitives.Multiply(line, scale[o], line);
                continue;
            }

            ReadOnlySpan<T> shiftRow = shift.Slice(o * inner, inner);
            ReadOnlySpan<T> scaleRow = scale.Slice(o * inner, inner);
            for (int j = 0; j < length; j++)
            {
                int start = ((o * length) + j) * inner;
                Span<T> row = dx.Slice(start, inner);
                TensorPrimitives.Subtract(x.Slice(start, inner), shiftRow, row);
                if (exp)
                {
                    TensorPrimitives.Exp(row, row);
                }

                TensorPrimitives.Multiply(row, scaleRow, row);
            }
        }
    }
}

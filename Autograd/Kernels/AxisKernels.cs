using System.Numerics;
using System.Numerics.Tensors;

namespace Autograd.Kernels;

/// <summary>
/// Reductions and normalisations along one axis of a row-major array viewed as [outer, length, inner].
/// When inner == 1 the axis is contiguous and each row is one TensorPrimitives call; otherwise whole
/// inner-rows are combined at a time, which is still contiguous.
/// </summary>
internal static class AxisKernels
{
    /// <summary><c>destination[o, i] = Σ_j x[o, j, i]</c>.</summary>
    public static void Sum<T>(ReadOnlySpan<T> x, int outer, int length, int inner, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int o = 0; o < outer; o++)
        {
            ReadOnlySpan<T> block = x.Slice(o * length * inner, length * inner);
            if (inner == 1)
            {
                destination[o] = TensorPrimitives.Sum(block);
                continue;
            }

            Span<T> row = destination.Slice(o * inner, inner);
            row.Clear();
            for (int j = 0; j < length; j++)
            {
                TensorPrimitives.Add(row, block.Slice(j * inner, inner), row);
            }
        }
    }

    /// <summary><c>destination[o, j, i] = g[o, i]</c>: the VJP of a sum along the axis.</summary>
    public static void Expand<T>(ReadOnlySpan<T> g, int outer, int length, int inner, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int o = 0; o < outer; o++)
        {
            Span<T> block = destination.Slice(o * length * inner, length * inner);
            if (inner == 1)
            {
                block.Fill(g[o]);
                continue;
            }

            ReadOnlySpan<T> row = g.Slice(o * inner, inner);
            for (int j = 0; j < length; j++)
            {
                row.CopyTo(block.Slice(j * inner, inner));
            }
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
        destination.Clear();
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int flat = (o * inner) + i;
                destination[(o * length * inner) + (indices[flat] * inner) + i] = g[flat];
            }
        }
    }

    /// <summary>
    /// Softmax (or log-softmax) along the axis, stable for any finite logits: the row maximum is subtracted
    /// before exponentiating, so e^(x − max) ≤ 1 and the sum is at least 1.
    /// </summary>
    public static void Softmax<T>(ReadOnlySpan<T> x, int outer, int length, int inner, Span<T> destination, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++)
            {
                SoftmaxRow(x.Slice(o * length, length), destination.Slice(o * length, length), log);
            }

            return;
        }

        // Strided axis: gather each line into a contiguous buffer, normalise, scatter back.
        T[] line = new T[length];
        T[] result = new T[length];
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int start = (o * length * inner) + i;
                for (int j = 0; j < length; j++)
                {
                    line[j] = x[start + (j * inner)];
                }

                SoftmaxRow(line, result, log);
                for (int j = 0; j < length; j++)
                {
                    destination[start + (j * inner)] = result[j];
                }
            }
        }
    }

    private static void SoftmaxRow<T>(ReadOnlySpan<T> x, Span<T> destination, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.IsEmpty)
        {
            return;
        }

        T max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, destination);
        if (log)
        {
            // log softmax = (x − max) − log Σ e^(x − max), without ever forming the probabilities.
            T logSum = T.Zero;
            foreach (T shifted in destination)
            {
                logSum += T.Exp(shifted);
            }

            TensorPrimitives.Subtract(destination, T.Log(logSum), destination);
        }
        else
        {
            TensorPrimitives.Exp(destination, destination);
            TensorPrimitives.Divide(destination, TensorPrimitives.Sum(destination), destination);
        }
    }

    /// <summary>
    /// VJP of softmax from its output y: dx = y · (g − Σ_j g·y); of log-softmax: dx = g − e^y · Σ_j g.
    /// </summary>
    public static void SoftmaxBackward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> g, int outer, int length, int inner, Span<T> destination, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[]? lineY = inner == 1 ? null : new T[length];
        T[]? lineG = inner == 1 ? null : new T[length];
        T[]? lineD = inner == 1 ? null : new T[length];
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int start = (o * length * inner) + i;
                if (inner == 1)
                {
                    SoftmaxBackwardRow(y.Slice(start, length), g.Slice(start, length), destination.Slice(start, length), log);
                    continue;
                }

                for (int j = 0; j < length; j++)
                {
                    lineY![j] = y[start + (j * inner)];
                    lineG![j] = g[start + (j * inner)];
                }

                SoftmaxBackwardRow(lineY, lineG, lineD, log);
                for (int j = 0; j < length; j++)
                {
                    destination[start + (j * inner)] = lineD![j];
                }
            }
        }
    }

    private static void SoftmaxBackwardRow<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> destination, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (log)
        {
            T total = TensorPrimitives.Sum(g);
            TensorPrimitives.Exp(y, destination);
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
}

using System.Numerics;
using System.Numerics.Tensors;

namespace Autograd.Kernels;

/// <summary>
/// Batch normalisation of a row-major [n, c, s] array (s = the product of the spatial sizes, 1 for [N,C]): per
/// channel statistics over the n·s values of the channel. Ranges are channels, each computed on its own, so a split
/// over threads never changes a result. With s &gt; 1 a channel is n contiguous segments of s values (one
/// TensorPrimitives call each); with s = 1 a range of channels is contiguous in every row, and the per-channel
/// quantities become vectors over the range, combined row by row.
/// </summary>
internal static class BatchNormKernels
{
    /// <summary>For channels [start, end): the mean and the biased variance (two passes: the centred sum of squares).</summary>
    public static void Statistics<T>(ReadOnlySpan<T> x, int n, int c, int s, Span<T> mean, Span<T> variance, Span<T> scratch,
        int start, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T count = T.CreateChecked((long)n * s);
        if (s == 1)
        {
            int width = end - start;
            Span<T> m = mean[start..end], v = variance[start..end], centred = scratch[..width];
            m.Clear();
            v.Clear();
            for (int i = 0; i < n; i++)
            {
                TensorPrimitives.Add(m, x.Slice((i * c) + start, width), m);
            }

            TensorPrimitives.Divide(m, count, m);
            for (int i = 0; i < n; i++)
            {
                TensorPrimitives.Subtract(x.Slice((i * c) + start, width), m, centred);
                TensorPrimitives.MultiplyAdd(centred, centred, v, v);
            }

            TensorPrimitives.Divide(v, count, v);
            return;
        }

        Span<T> segment = scratch[..s];
        for (int ch = start; ch < end; ch++)
        {
            T sum = T.Zero;
            for (int i = 0; i < n; i++)
            {
                sum += TensorPrimitives.Sum(x.Slice(((i * c) + ch) * s, s));
            }

            T m = sum / count;
            T squares = T.Zero;
            for (int i = 0; i < n; i++)
            {
                TensorPrimitives.Subtract(x.Slice(((i * c) + ch) * s, s), m, segment);
                squares += TensorPrimitives.SumOfSquares<T>(segment);
            }

            mean[ch] = m;
            variance[ch] = squares / count;
        }
    }

    /// <summary>For channels [start, end): y = x·scale[ch] + shift[ch] (normalisation and affine folded into one pass).</summary>
    public static void Transform<T>(ReadOnlySpan<T> x, int n, int c, int s, ReadOnlySpan<T> scale, ReadOnlySpan<T> shift,
        Span<T> y, int start, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < n; i++)
        {
            if (s == 1)
            {
                int offset = (i * c) + start, width = end - start;
                TensorPrimitives.MultiplyAdd(x.Slice(offset, width), scale[start..end], shift[start..end], y.Slice(offset, width));
                continue;
            }

            for (int ch = start; ch < end; ch++)
            {
                int offset = ((i * c) + ch) * s;
                ScaleShift.Apply(x.Slice(offset, s), scale[ch], shift[ch], y.Slice(offset, s));
            }
        }
    }

    /// <summary>
    /// For channels [start, end), with M = n·s, Σg and d = Σ g·(x − mean) over the channel and k = weight·rstd:
    /// dw = d·rstd, db = Σg, and dx = k·(g − Σg/M − (x − mean)·d·rstd²/M) in training (the batch statistics depend on
    /// x) or dx = k·g in evaluation. weight, dx, dw, db are empty when absent or not wanted.
    /// <paramref name="scratch"/> holds s values (s &gt; 1) or 6·(end − start) (s = 1).
    /// </summary>
    public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> g, int n, int c, int s, ReadOnlySpan<T> mean,
        ReadOnlySpan<T> rstd, ReadOnlySpan<T> weight, bool training, Span<T> dx, Span<T> dw, Span<T> db, Span<T> scratch,
        int start, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (s == 1)
        {
            BackwardRows(x, g, n, c, mean, rstd, weight, training, dx, dw, db, scratch, start, end);
            return;
        }

        T count = T.CreateChecked((long)n * s);
        bool sums = training ? true : !dw.IsEmpty || !db.IsEmpty;
        Span<T> centred = scratch[..s];
        for (int ch = start; ch < end; ch++)
        {
            T sumG = T.Zero, dot = T.Zero;
            for (int i = 0; i < n && sums; i++)
            {
                int offset = ((i * c) + ch) * s;
                ReadOnlySpan<T> gSegment = g.Slice(offset, s);
                sumG += TensorPrimitives.Sum(gSegment);
                TensorPrimitives.Subtract(x.Slice(offset, s), mean[ch], centred);
                dot += TensorPrimitives.Dot(centred, gSegment);
            }

            if (!dw.IsEmpty)
            {
                dw[ch] = dot * rstd[ch];
            }

            if (!db.IsEmpty)
            {
                db[ch] = sumG;
            }

            if (dx.IsEmpty)
            {
                continue;
            }

            T k = weight.IsEmpty ? rstd[ch] : weight[ch] * rstd[ch];
            T p = dot * rstd[ch] * rstd[ch] / count;
            T shift = ((mean[ch] * p) - (sumG / count)) * k;
            for (int i = 0; i < n; i++)
            {
                int offset = ((i * c) + ch) * s;
                Span<T> dxSegment = dx.Slice(offset, s);
                if (training)
                {
                    TensorPrimitives.MultiplyAdd(x.Slice(offset, s), -p, g.Slice(offset, s), dxSegment);   // g − x·p
                    ScaleShift.Apply<T>(dxSegment, k, shift, dxSegment);                                    // (… + mean·p − Σg/M)·k
                }
                else
                {
                    TensorPrimitives.Multiply(g.Slice(offset, s), k, dxSegment);
                }
            }
        }
    }

    /// <summary><see cref="Backward"/> for s = 1: the per-channel scalars are vectors over the channel range.</summary>
    private static void BackwardRows<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> g, int n, int c, ReadOnlySpan<T> mean,
        ReadOnlySpan<T> rstd, ReadOnlySpan<T> weight, bool training, Span<T> dx, Span<T> dw, Span<T> db, Span<T> scratch,
        int start, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = end - start;
        T count = T.CreateChecked(n);
        ReadOnlySpan<T> m = mean[start..end], r = rstd[start..end];
        Span<T> sumG = scratch[..width], dot = scratch.Slice(width, width), centred = scratch.Slice(2 * width, width);
        Span<T> k = scratch.Slice(3 * width, width), negP = scratch.Slice(4 * width, width), shift = scratch.Slice(5 * width, width);
        sumG.Clear();
        dot.Clear();
        if (training || !dw.IsEmpty || !db.IsEmpty)
        {
            for (int i = 0; i < n; i++)
            {
                ReadOnlySpan<T> gRow = g.Slice((i * c) + start, width);
                TensorPrimitives.Add(sumG, gRow, sumG);
                TensorPrimitives.Subtract(x.Slice((i * c) + start, width), m, centred);
                TensorPrimitives.MultiplyAdd(centred, gRow, dot, dot);
            }
        }

        if (!dw.IsEmpty)
        {
            TensorPrimitives.Multiply(dot, r, dw[start..end]);
        }

        if (!db.IsEmpty)
        {
            sumG.CopyTo(db[start..end]);
        }

        if (dx.IsEmpty)
        {
            return;
        }

        if (weight.IsEmpty)
        {
            r.CopyTo(k);
        }
        else
        {
            TensorPrimitives.Multiply(weight[start..end], r, k);
        }

        // −p = −d·rstd²/M and shift = mean·p − Σg/M, as in the s > 1 loop.
        TensorPrimitives.Multiply(dot, r, negP);
        TensorPrimitives.Multiply(negP, r, negP);
        TensorPrimitives.Divide(negP, -count, negP);
        TensorPrimitives.Divide(sumG, count, shift);
        TensorPrimitives.MultiplyAdd(m, negP, shift, shift);
        TensorPrimitives.Negate(shift, shift);
        for (int i = 0; i < n; i++)
        {
            int offset = (i * c) + start;
            Span<T> dxRow = dx.Slice(offset, width);
            if (training)
            {
                TensorPrimitives.MultiplyAdd(x.Slice(offset, width), negP, g.Slice(offset, width), dxRow);
                TensorPrimitives.AddMultiply(dxRow, shift, k, dxRow);
            }
            else
            {
                TensorPrimitives.Multiply(g.Slice(offset, width), k, dxRow);
            }
        }
    }

    /// <summary><see cref="Statistics"/> over a range of channels, with its own scratch.</summary>
    internal readonly struct StatisticsBody<T>(T[] x, int n, int c, int s, T[] mean, T[] variance) : IRangeBody
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int start, int end)
        {
            T[] scratch = BufferPool.RentScratch<T>(s == 1 ? end - start : s);   // written before it is read
            Statistics<T>(x, n, c, s, mean, variance, scratch, start, end);
            BufferPool.Return(scratch);
        }
    }

    /// <summary><see cref="Transform"/> over a range of channels.</summary>
    internal readonly struct TransformBody<T>(T[] x, int n, int c, int s, T[] scale, T[] shift, T[] y) : IRangeBody
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int start, int end) => Transform<T>(x, n, c, s, scale, shift, y, start, end);
    }

    /// <summary><see cref="Backward"/> over a range of channels, with its own scratch.</summary>
    internal readonly struct BackwardBody<T>(T[] x, T[] g, int n, int c, int s, T[] mean, T[] rstd, T[]? weight, bool training,
        T[]? dx, T[]? dw, T[]? db) : IRangeBody
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int start, int end)
        {
            T[] scratch = BufferPool.RentScratch<T>(s == 1 ? 6 * (end - start) : s);   // written before it is read
            Backward<T>(x, g, n, c, s, mean, rstd, weight, training, dx, dw, db, scratch, start, end);
            BufferPool.Return(scratch);
        }
    }
}

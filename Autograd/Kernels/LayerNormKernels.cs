using System.Numerics;
using System.Numerics.Tensors;

namespace Autograd.Kernels;

/// <summary>
/// Layer normalisation over the rows of a row-major [rows, d] array: each row normalised by its own mean and biased
/// variance, then scaled and shifted elementwise by an optional weight and bias of length d. Every row is a few
/// TensorPrimitives calls; the ranges are rows (forward, input gradient) or columns (weight and bias gradients, summed
/// over the rows in order), so a split over threads never changes a result.
/// </summary>
internal static class LayerNormKernels
{
    /// <summary>
    /// For rows [start, end): mean[r], rstd[r] = 1/√(var + eps) and y[r] = (x[r] − mean)·rstd·weight + bias
    /// (weight, bias empty when absent).
    /// </summary>
    public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, int d, T eps,
        Span<T> y, Span<T> mean, Span<T> rstd, int start, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T length = T.CreateChecked(d);
        for (int r = start; r < end; r++)
        {
            ReadOnlySpan<T> row = x.Slice(r * d, d);
            Span<T> output = y.Slice(r * d, d);
            T m = TensorPrimitives.Sum(row) / length;
            TensorPrimitives.Subtract(row, m, output);                         // centred first: the two-pass variance
            T s = T.One / T.Sqrt((TensorPrimitives.SumOfSquares<T>(output) / length) + eps);
            mean[r] = m;
            rstd[r] = s;
            TensorPrimitives.Multiply(output, s, output);
            if (!weight.IsEmpty && !bias.IsEmpty)
            {
                TensorPrimitives.MultiplyAdd(output, weight, bias, output);
            }
            else if (!weight.IsEmpty)
            {
                TensorPrimitives.Multiply(output, weight, output);
            }
            else if (!bias.IsEmpty)
            {
                TensorPrimitives.Add(output, bias, output);
            }
        }
    }

    /// <summary>
    /// For rows [start, end): dx = rstd·(gw − mean(gw) − x̂·mean(gw·x̂)) with x̂ = (x − mean)·rstd and gw = g·weight
    /// (g when weight is empty). <paramref name="xhat"/> and <paramref name="gw"/> are scratch rows of length d.
    /// </summary>
    public static void BackwardInput<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> g, ReadOnlySpan<T> weight, ReadOnlySpan<T> mean,
        ReadOnlySpan<T> rstd, int d, Span<T> dx, Span<T> xhat, Span<T> gw, int start, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T length = T.CreateChecked(d);
        for (int r = start; r < end; r++)
        {
            ReadOnlySpan<T> gRow = g.Slice(r * d, d);
            Span<T> dxRow = dx.Slice(r * d, d);
            TensorPrimitives.Subtract(x.Slice(r * d, d), mean[r], xhat);
            TensorPrimitives.Multiply(xhat, rstd[r], xhat);
            ReadOnlySpan<T> scaled = gRow;
            if (!weight.IsEmpty)
            {
                TensorPrimitives.Multiply(gRow, weight, gw);
                scaled = gw;
            }

            T meanG = TensorPrimitives.Sum(scaled) / length;
            T meanGx = TensorPrimitives.Dot(scaled, xhat) / length;
            TensorPrimitives.MultiplyAdd(xhat, -meanGx, scaled, dxRow);   // gw − x̂·mean(gw·x̂)
            ScaleShift.Apply<T>(dxRow, rstd[r], -meanG * rstd[r], dxRow);  // (… − mean(gw))·rstd
        }
    }

    /// <summary>
    /// For columns [start, end): dw = Σ_rows g·x̂ and db = Σ_rows g, each summed over the rows in order (either may be
    /// empty when not wanted). <paramref name="xhat"/> is scratch of at least end − start.
    /// </summary>
    public static void BackwardAffine<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> g, ReadOnlySpan<T> mean, ReadOnlySpan<T> rstd,
        int rows, int d, Span<T> dw, Span<T> db, Span<T> xhat, int start, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = end - start;
        Span<T> dwRange = dw.IsEmpty ? default : dw.Slice(start, width);
        Span<T> dbRange = db.IsEmpty ? default : db.Slice(start, width);
        Span<T> centred = dw.IsEmpty ? default : xhat[..width];
        dwRange.Clear();
        dbRange.Clear();
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<T> gRow = g.Slice((r * d) + start, width);
            if (!dw.IsEmpty)
            {
                TensorPrimitives.Subtract(x.Slice((r * d) + start, width), mean[r], centred);
                TensorPrimitives.Multiply(centred, rstd[r], centred);
                TensorPrimitives.MultiplyAdd(gRow, centred, dwRange, dwRange);
            }

            if (!db.IsEmpty)
            {
                TensorPrimitives.Add(dbRange, gRow, dbRange);
            }
        }
    }

    /// <summary><see cref="Forward"/> over a range of rows.</summary>
    internal readonly struct ForwardBody<T>(T[] x, T[]? weight, T[]? bias, int d, T eps, T[] y, T[] mean, T[] rstd) : IRangeBody
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int start, int end) => Forward<T>(x, weight, bias, d, eps, y, mean, rstd, start, end);
    }

    /// <summary><see cref="BackwardInput"/> over a range of rows, with its own scratch rows.</summary>
    internal readonly struct InputBody<T>(T[] x, T[] g, T[]? weight, T[] mean, T[] rstd, int d, T[] dx) : IRangeBody
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int start, int end)
        {
            T[] scratch = new T[2 * d];
            BackwardInput<T>(x, g, weight, mean, rstd, d, dx, scratch.AsSpan(0, d), scratch.AsSpan(d, d), start, end);
        }
    }

    /// <summary><see cref="BackwardAffine"/> over a range of columns, with its own scratch.</summary>
    internal readonly struct AffineBody<T>(T[] x, T[] g, T[] mean, T[] rstd, int rows, int d, T[]? dw, T[]? db) : IRangeBody
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int start, int end) =>
            BackwardAffine<T>(x, g, mean, rstd, rows, d, dw, db, dw is null ? default : new T[end - start], start, end);
    }
}

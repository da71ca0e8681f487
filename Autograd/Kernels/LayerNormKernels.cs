using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Autograd.Kernels;

/// <summary>
/// Layer normalisation over the rows of a row-major [rows, d] array: each row normalised by its own mean and biased
/// variance, then scaled and shifted elementwise by an optional weight and bias of length d.
/// </summary>
/// <remarks>
/// Rows are short in practice (d = 128 to 1024), so each row is a few fused vector loops rather than a chain of
/// TensorPrimitives calls, whose fixed cost per call would dominate. The forward pass splits by rows. The backward
/// pass splits the rows into at most <see cref="MaxBlocks"/> blocks, a number that depends on the shape only: each
/// block sums its rows' share of dw and db into its own partial row, and the partials are added in block order, so
/// the result is the same bits whatever the thread count.
/// </remarks>
internal static class LayerNormKernels
{
    /// <summary>The most row blocks of the backward pass (its partial sums take MaxBlocks·d values per gradient).</summary>
    public const int MaxBlocks = 64;

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
            T m = TensorPrimitives.Sum(row) / length;
            T s = T.One / T.Sqrt((CentredSquares(row, m) / length) + eps);   // two passes: no cancellation
            mean[r] = m;
            rstd[r] = s;
            Normalise(row, m, s, weight, bias, y.Slice(r * d, d));
        }
    }

    /// <summary>
    /// For the rows of blocks [startBlock, endBlock) (rows split evenly into <paramref name="blocks"/>):
    /// dx = rstd·(gw − mean(gw) − x̂·mean(gw·x̂)) with x̂ = (x − mean)·rstd and gw = g·weight (g when weight is empty),
    /// and each block's Σ g·x̂ and Σ g into its row of <paramref name="dwPartial"/> and <paramref name="dbPartial"/>
    /// ([blocks, d] each). dx, dwPartial, dbPartial are empty when not wanted.
    /// </summary>
    public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> g, ReadOnlySpan<T> weight, ReadOnlySpan<T> mean,
        ReadOnlySpan<T> rstd, int rows, int d, int blocks, Span<T> dx, Span<T> dwPartial, Span<T> dbPartial,
        int startBlock, int endBlock)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T length = T.CreateChecked(d);
        for (int block = startBlock; block < endBlock; block++)
        {
            Span<T> dw = dwPartial.IsEmpty ? default : dwPartial.Slice(block * d, d);
            Span<T> db = dbPartial.IsEmpty ? default : dbPartial.Slice(block * d, d);
            dw.Clear();
            db.Clear();
            int first = (int)((long)rows * block / blocks), last = (int)((long)rows * (block + 1) / blocks);
            for (int r = first; r < last; r++)
            {
                ReadOnlySpan<T> xRow = x.Slice(r * d, d), gRow = g.Slice(r * d, d);
                var (sumG, sumGx) = RowSums(xRow, gRow, weight, mean[r], rstd[r], dw, db);
                if (!dx.IsEmpty)
                {
                    InputRow(xRow, gRow, weight, mean[r], rstd[r], sumG / length, sumGx / length, dx.Slice(r * d, d));
                }
            }
        }
    }

    /// <summary>dw (or db) = Σ over the blocks, in block order, of the partial rows.</summary>
    public static void SumBlocks<T>(ReadOnlySpan<T> partial, int blocks, int d, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        destination.Clear();
        for (int block = 0; block < blocks; block++)
        {
            TensorPrimitives.Add(destination, partial.Slice(block * d, d), destination);
        }
    }

    /// <summary>The number of row blocks of the backward pass for <paramref name="rows"/> rows (never the thread count).</summary>
    public static int Blocks(int rows) => Math.Min(rows, MaxBlocks);

    /// <summary>Σ (x − m)².</summary>
    private static T CentredSquares<T>(ReadOnlySpan<T> x, T m)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        T sum = T.Zero;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<T>.Count)
        {
            ref T xs = ref MemoryMarshal.GetReference(x);
            var vm = new Vector<T>(m);
            var acc = Vector<T>.Zero;
            for (; i <= x.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                Vector<T> c = Vector.LoadUnsafe(ref xs, (nuint)i) - vm;
                acc += c * c;
            }

            sum = Vector.Sum(acc);
        }

        for (; i < x.Length; i++)
        {
            T c = x[i] - m;
            sum += c * c;
        }

        return sum;
    }

    /// <summary>y = (x − m)·s·w + b, w and b optional (empty).</summary>
    private static void Normalise<T>(ReadOnlySpan<T> x, T m, T s, ReadOnlySpan<T> w, ReadOnlySpan<T> b, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool hasW = !w.IsEmpty, hasB = !b.IsEmpty;
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<T>.Count)
        {
            ref T xs = ref MemoryMarshal.GetReference(x);
            ref T ws = ref MemoryMarshal.GetReference(w);
            ref T bs = ref MemoryMarshal.GetReference(b);
            ref T ys = ref MemoryMarshal.GetReference(y);
            var vm = new Vector<T>(m);
            var vs = new Vector<T>(s);
            for (; i <= x.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                Vector<T> v = (Vector.LoadUnsafe(ref xs, (nuint)i) - vm) * vs;
                if (hasW)
                {
                    v *= Vector.LoadUnsafe(ref ws, (nuint)i);
                }

                if (hasB)
                {
                    v += Vector.LoadUnsafe(ref bs, (nuint)i);
                }

                v.StoreUnsafe(ref ys, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            T v = (x[i] - m) * s;
            if (hasW)
            {
                v *= w[i];
            }

            if (hasB)
            {
                v += b[i];
            }

            y[i] = v;
        }
    }

    /// <summary>
    /// One pass over a row: returns (Σ gw, Σ gw·x̂) and adds g·x̂ into <paramref name="dw"/> and g into
    /// <paramref name="db"/> (each when not empty).
    /// </summary>
    private static (T SumG, T SumGx) RowSums<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> g, ReadOnlySpan<T> w, T m, T s,
        Span<T> dw, Span<T> db)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool hasW = !w.IsEmpty, hasDw = !dw.IsEmpty, hasDb = !db.IsEmpty;
        int i = 0;
        T sumG = T.Zero, sumGx = T.Zero;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<T>.Count)
        {
            ref T xs = ref MemoryMarshal.GetReference(x);
            ref T gs = ref MemoryMarshal.GetReference(g);
            ref T ws = ref MemoryMarshal.GetReference(w);
            ref T dws = ref MemoryMarshal.GetReference(dw);
            ref T dbs = ref MemoryMarshal.GetReference(db);
            var vm = new Vector<T>(m);
            var vs = new Vector<T>(s);
            Vector<T> accG = Vector<T>.Zero, accGx = Vector<T>.Zero;
            for (; i <= x.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                Vector<T> xhat = (Vector.LoadUnsafe(ref xs, (nuint)i) - vm) * vs;
                Vector<T> gv = Vector.LoadUnsafe(ref gs, (nuint)i);
                Vector<T> gw = hasW ? gv * Vector.LoadUnsafe(ref ws, (nuint)i) : gv;
                accG += gw;
                accGx += gw * xhat;
                if (hasDw)
                {
                    (Vector.LoadUnsafe(ref dws, (nuint)i) + (gv * xhat)).StoreUnsafe(ref dws, (nuint)i);
                }

                if (hasDb)
                {
                    (Vector.LoadUnsafe(ref dbs, (nuint)i) + gv).StoreUnsafe(ref dbs, (nuint)i);
                }
            }

            (sumG, sumGx) = (Vector.Sum(accG), Vector.Sum(accGx));
        }

        for (; i < x.Length; i++)
        {
            T xhat = (x[i] - m) * s;
            T gw = hasW ? g[i] * w[i] : g[i];
            sumG += gw;
            sumGx += gw * xhat;
            if (hasDw)
            {
                dw[i] += g[i] * xhat;
            }

            if (hasDb)
            {
                db[i] += g[i];
            }
        }

        return (sumG, sumGx);
    }

    /// <summary>dx = (gw − meanG − x̂·meanGx)·s for one row.</summary>
    private static void InputRow<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> g, ReadOnlySpan<T> w, T m, T s, T meanG, T meanGx, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool hasW = !w.IsEmpty;
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<T>.Count)
        {
            ref T xs = ref MemoryMarshal.GetReference(x);
            ref T gs = ref MemoryMarshal.GetReference(g);
            ref T ws = ref MemoryMarshal.GetReference(w);
            ref T dxs = ref MemoryMarshal.GetReference(dx);
            Vector<T> vm = new(m), vs = new(s), vg = new(meanG), vgx = new(meanGx);
            for (; i <= x.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                Vector<T> xhat = (Vector.LoadUnsafe(ref xs, (nuint)i) - vm) * vs;
                Vector<T> gw = Vector.LoadUnsafe(ref gs, (nuint)i);
                if (hasW)
                {
                    gw *= Vector.LoadUnsafe(ref ws, (nuint)i);
                }

                ((gw - vg - (xhat * vgx)) * vs).StoreUnsafe(ref dxs, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            T xhat = (x[i] - m) * s;
            T gw = hasW ? g[i] * w[i] : g[i];
            dx[i] = (gw - meanG - (xhat * meanGx)) * s;
        }
    }

    /// <summary><see cref="Forward"/> over a range of rows.</summary>
    internal readonly struct ForwardBody<T>(T[] x, T[]? weight, T[]? bias, int d, T eps, T[] y, T[] mean, T[] rstd) : IRangeBody
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int start, int end) => Forward<T>(x, weight, bias, d, eps, y, mean, rstd, start, end);
    }

    /// <summary><see cref="Backward"/> over a range of row blocks.</summary>
    internal readonly struct BackwardBody<T>(T[] x, T[] g, T[]? weight, T[] mean, T[] rstd, int rows, int d, int blocks,
        T[]? dx, T[]? dwPartial, T[]? dbPartial) : IRangeBody
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int start, int end) =>
            Backward<T>(x, g, weight, mean, rstd, rows, d, blocks, dx, dwPartial, dbPartial, start, end);
    }
}

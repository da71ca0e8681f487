using System.Numerics;
using System.Numerics.Tensors;

namespace Autograd.Kernels;

/// <summary>
/// <see cref="Broadcast.Apply"/> for large outputs: the output is cut into <see cref="ElementwiseParallel.Blocks{T}"/>, each block is
/// computed by span calls on the pieces of the rows it covers, and blocks run on several threads from the kernel's
/// <see cref="IBinaryKernel.Cost"/>. The calls depend on the shapes only, so the bits do not depend on
/// the thread count.
/// </summary>
internal static unsafe class BroadcastBlocks
{
    /// <summary><c>destination = f(x, y)</c> over broadcast operands (<see cref="Broadcast.Apply"/>'s contract).</summary>
    public static void Apply<TKernel, T>(
        ReadOnlySpan<T> x, ReadOnlySpan<int> xShape,
        ReadOnlySpan<T> y, ReadOnlySpan<int> yShape,
        Span<T> destination, ReadOnlySpan<int> outShape)
        where TKernel : IBinaryKernel
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = destination.Length;
        ElementCost cost = TKernel.Cost;
        if (x.Length == n && y.Length == n)
        {
            ElementwiseParallel.Run(x, y, default, destination, new BothChunk<TKernel, T>(), cost);
            return;
        }

        if (y.Length == 1 && x.Length == n)
        {
            ElementwiseParallel.Run(x, default, default, destination, new ConstantRightChunk<TKernel, T>(y[0]), cost);
            return;
        }

        if (x.Length == 1 && y.Length == n)
        {
            ElementwiseParallel.Run(default, y, default, destination, new ConstantLeftChunk<TKernel, T>(x[0]), cost);
            return;
        }

        var layout = BroadcastLayout.Create(outShape, xShape, yShape);
        fixed (T* px = x, py = y, pd = destination)
        {
            var body = new RowsBody<TKernel, T>(layout, new(px, x.Length), new(py, y.Length), new(pd, n));
            BlockParallel.For(ElementwiseParallel.Blocks<T>(n, cost), RangeParallel.Threads(n, ParallelThresholds.Of(cost)), body);
        }
    }

    /// <summary>
    /// <c>destination += Σ rows of gradient</c> (rows of the destination's length), added in row order. Large gradients
    /// split the columns into groups of <see cref="AxisUnits.ColumnGroup"/> over threads: each column still adds its rows
    /// in order, so the split changes no bit.
    /// </summary>
    public static void SumRows<T>(ReadOnlySpan<T> gradient, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var groups = new FixedBlocks(destination.Length, AxisUnits.ColumnGroup);
        int threads = RangeParallel.Threads(gradient.Length, ParallelThresholds.Reduction);
        if (threads == 1 || groups.Count == 1)
        {
            SumRows(gradient, destination, 0, destination.Length);
            return;
        }

        fixed (T* pg = gradient, pd = destination)
        {
            RangeParallel.Run(groups.Count, threads, new SumRowsBody<T>(new(pg, gradient.Length), new(pd, destination.Length), groups));
        }
    }

    private static void SumRows<T>(ReadOnlySpan<T> gradient, Span<T> destination, int start, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> columns = destination[start..end];
        for (int offset = start; offset < gradient.Length; offset += destination.Length)
        {
            TensorPrimitives.Add(columns, gradient.Slice(offset, columns.Length), columns);
        }
    }

    private readonly struct SumRowsBody<T>(Pinned<T> gradient, Pinned<T> destination, FixedBlocks groups) : IRangeBody
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int start, int end) =>
            SumRows<T>(gradient.Span, destination.Span, groups.Start(start), groups.End(end - 1));
    }

    private readonly struct BothChunk<TKernel, T> : IElementwiseChunk<T>
        where TKernel : IBinaryKernel
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> c, Span<T> destination) =>
            TKernel.Apply(a, b, destination);
    }

    private readonly struct ConstantRightChunk<TKernel, T>(T y) : IElementwiseChunk<T>
        where TKernel : IBinaryKernel
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> c, Span<T> destination) =>
            TKernel.Apply(a, y, destination);
    }

    private readonly struct ConstantLeftChunk<TKernel, T>(T x) : IElementwiseChunk<T>
        where TKernel : IBinaryKernel
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> c, Span<T> destination) =>
            TKernel.Apply(x, b, destination);
    }

    /// <summary>One block of output elements [start, end): the pieces of the rows it covers, one span call each.</summary>
    private readonly struct RowsBody<TKernel, T>(BroadcastLayout layout, Pinned<T> x, Pinned<T> y, Pinned<T> destination)
        : IBlockBody
        where TKernel : IBinaryKernel
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int block, int start, int end)
        {
            ReadOnlySpan<T> xs = x.Span, ys = y.Span;
            Span<T> output = destination.Span;
            int n = layout.RowLength;
            bool xRow = layout.StrideX[^1] != 0;
            bool yRow = layout.StrideY[^1] != 0;
            var rows = layout.Rows(start / n);
            while (rows.OffsetOut + n < end && rows.MoveNext())
            {
                int from = Math.Max(start - rows.OffsetOut, 0), to = Math.Min(end - rows.OffsetOut, n);
                Span<T> piece = output.Slice(rows.OffsetOut + from, to - from);
                if (xRow && yRow)
                {
                    TKernel.Apply(xs.Slice(rows.OffsetX + from, piece.Length), ys.Slice(rows.OffsetY + from, piece.Length), piece);
                }
                else if (xRow)
                {
                    TKernel.Apply(xs.Slice(rows.OffsetX + from, piece.Length), ys[rows.OffsetY], piece);
                }
                else
                {
                    TKernel.Apply(xs[rows.OffsetX], ys.Slice(rows.OffsetY + from, piece.Length), piece);
                }
            }
        }
    }
}

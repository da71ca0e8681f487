using System.Numerics;
using System.Numerics.Tensors;

namespace Autograd.Kernels;

/// <summary>An elementwise binary operation on spans, in the three forms broadcasting needs.</summary>
internal interface IBinaryKernel
{
    /// <summary><c>destination[i] = f(x[i], y[i])</c>.</summary>
    static abstract void Apply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary><c>destination[i] = f(x[i], y)</c>.</summary>
    static abstract void Apply<T>(ReadOnlySpan<T> x, T y, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary><c>destination[i] = f(x, y[i])</c>.</summary>
    static abstract void Apply<T>(T x, ReadOnlySpan<T> y, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>What an output element costs, which decides from which size the op runs on several threads.</summary>
    static virtual ElementCost Cost => ElementCost.Memory;
}

/// <summary>A function of two scalars, for elementwise kernels that TensorPrimitives has no vector form of.</summary>
internal interface IScalarBinaryFunction
{
    /// <summary><c>f(x, y)</c>.</summary>
    static abstract T Of<T>(T x, T y)
        where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>The three broadcasting forms of <typeparamref name="TFunction"/>, one scalar call per element.</summary>
internal readonly struct ScalarBinaryKernel<TFunction> : IBinaryKernel
    where TFunction : IScalarBinaryFunction
{
    /// <summary>A scalar call per element costs several times a vector add's share.</summary>
    public static ElementCost Cost => ElementCost.Compute;

    public static void Apply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = TFunction.Of(x[i], y[i]);
        }
    }

    public static void Apply<T>(ReadOnlySpan<T> x, T y, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = TFunction.Of(x[i], y);
        }
    }

    public static void Apply<T>(T x, ReadOnlySpan<T> y, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = TFunction.Of(x, y[i]);
        }
    }
}

/// <summary><c>x + y</c>.</summary>
internal readonly struct AddKernel : IBinaryKernel
{
    public static void Apply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Add(x, y, destination);

    public static void Apply<T>(ReadOnlySpan<T> x, T y, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Add(x, y, destination);

    public static void Apply<T>(T x, ReadOnlySpan<T> y, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Add(y, x, destination);
}

/// <summary><c>x - y</c>.</summary>
internal readonly struct SubtractKernel : IBinaryKernel
{
    public static void Apply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Subtract(x, y, destination);

    public static void Apply<T>(ReadOnlySpan<T> x, T y, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Subtract(x, y, destination);

    public static void Apply<T>(T x, ReadOnlySpan<T> y, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Subtract(x, y, destination);
}

/// <summary><c>x * y</c>.</summary>
internal readonly struct MultiplyKernel : IBinaryKernel
{
    public static void Apply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Multiply(x, y, destination);

    public static void Apply<T>(ReadOnlySpan<T> x, T y, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Multiply(x, y, destination);

    public static void Apply<T>(T x, ReadOnlySpan<T> y, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Multiply(y, x, destination);
}

/// <summary><c>x / y</c>.</summary>
internal readonly struct DivideKernel : IBinaryKernel
{
    public static void Apply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Divide(x, y, destination);

    public static void Apply<T>(ReadOnlySpan<T> x, T y, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Divide(x, y, destination);

    public static void Apply<T>(T x, ReadOnlySpan<T> y, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Divide(x, y, destination);
}

/// <summary>Runs a binary kernel over broadcast operands.</summary>
internal static class Broadcast
{
    /// <summary>
    /// <c>destination = f(x, y)</c> where x has <paramref name="xShape"/>, y has <paramref name="yShape"/> and
    /// the destination has their broadcast shape <paramref name="outShape"/>.
    /// </summary>
    public static void Apply<TKernel, T>(
        ReadOnlySpan<T> x, ReadOnlySpan<int> xShape,
        ReadOnlySpan<T> y, ReadOnlySpan<int> yShape,
        Span<T> destination, ReadOnlySpan<int> outShape)
        where TKernel : IBinaryKernel
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Fast paths: equal sizes and a single-element operand need no layout.
        if (destination.IsEmpty)
        {
            return;
        }

        if (destination.Length >= 2 * FixedBlocks.Size)
        {
            BroadcastBlocks.Apply<TKernel, T>(x, xShape, y, yShape, destination, outShape);
            return;
        }

        if (x.Length == destination.Length && y.Length == destination.Length)
        {
            TKernel.Apply(x, y, destination);
            return;
        }

        if (y.Length == 1 && x.Length == destination.Length)
        {
            TKernel.Apply(x, y[0], destination);
            return;
        }

        if (x.Length == 1 && y.Length == destination.Length)
        {
            TKernel.Apply(x[0], y, destination);
            return;
        }

        // A row repeated down the output (the bias add of a linear layer): one span call per output row, and
        // no layout to build, which for small layers costs more than the arithmetic.
        if (x.Length == destination.Length && IsTrailingRow(yShape, outShape))
        {
            for (int offset = 0; offset < destination.Length; offset += y.Length)
            {
                TKernel.Apply(x.Slice(offset, y.Length), y, destination.Slice(offset, y.Length));
            }

            return;
        }

        if (y.Length == destination.Length && IsTrailingRow(xShape, outShape))
        {
            for (int offset = 0; offset < destination.Length; offset += x.Length)
            {
                TKernel.Apply(x, y.Slice(offset, x.Length), destination.Slice(offset, x.Length));
            }

            return;
        }

        var layout = BroadcastLayout.Create(outShape, xShape, yShape);
        int n = layout.RowLength;
        bool xRow = layout.StrideX[^1] != 0;
        bool yRow = layout.StrideY[^1] != 0;
        var rows = layout.Rows();
        while (rows.MoveNext())
        {
            Span<T> row = destination.Slice(rows.OffsetOut, n);
            if (xRow && yRow)
            {
                TKernel.Apply(x.Slice(rows.OffsetX, n), y.Slice(rows.OffsetY, n), row);
            }
            else if (xRow)
            {
                TKernel.Apply(x.Slice(rows.OffsetX, n), y[rows.OffsetY], row);
            }
            else
            {
                TKernel.Apply(x[rows.OffsetX], y.Slice(rows.OffsetY, n), row);
            }
        }
    }

    /// <summary>
    /// The VJP of broadcasting: sums <paramref name="gradient"/> (of <paramref name="outShape"/>) over the axes
    /// along which an operand of <paramref name="targetShape"/> was broadcast, into <paramref name="destination"/>.
    /// </summary>
    public static void SumTo<T>(ReadOnlySpan<T> gradient, ReadOnlySpan<int> outShape,
        Span<T> destination, ReadOnlySpan<int> targetShape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (destination.Length == gradient.Length)
        {
            gradient.CopyTo(destination);
            return;
        }

        if (destination.Length == 1)
        {
            destination[0] = BlockedReductions.Sum(gradient, BlockedReductions.ThreadsFor(gradient.Length));
            return;
        }

        destination.Clear();
        if (gradient.IsEmpty)
        {
            return;
        }

        // The bias gradient: the sum of the rows. Row by row keeps every read contiguous; large ones by groups of columns.
        if (IsTrailingRow(targetShape, outShape))
        {
            BroadcastBlocks.SumRows(gradient, destination);
            return;
        }

        // x = the target (strides 0 where broadcast), y = the gradient itself (contiguous).
        var layout = BroadcastLayout.Create(outShape, targetShape, outShape);
        int n = layout.RowLength;
        bool targetRow = layout.StrideX[^1] != 0;
        var rows = layout.Rows();
        while (rows.MoveNext())
        {
            ReadOnlySpan<T> row = gradient.Slice(rows.OffsetOut, n);
            if (targetRow)
            {
                Span<T> target = destination.Slice(rows.OffsetX, n);
                TensorPrimitives.Add(target, row, target);
            }
            else
            {
                destination[rows.OffsetX] += TensorPrimitives.Sum(row);
            }
        }
    }

    /// <summary>
    /// True when an operand of <paramref name="operandShape"/> is one whole row that repeats along
    /// <paramref name="outShape"/>: its shape, without leading 1s, is the trailing part of the output's shape.
    /// </summary>
    private static bool IsTrailingRow(ReadOnlySpan<int> operandShape, ReadOnlySpan<int> outShape)
    {
        int leadingOnes = 0;
        while (leadingOnes < operandShape.Length && operandShape[leadingOnes] == 1)
        {
            leadingOnes++;
        }

        ReadOnlySpan<int> row = operandShape[leadingOnes..];
        return row.Length <= outShape.Length && row.SequenceEqual(outShape[^row.Length..]);
    }
}

/// <summary><c>x</c> (y ignored): broadcasting x to the output's shape, the forward pass of ExpandTo.</summary>
internal readonly struct FirstOperandKernel : IBinaryKernel
{
    public static void Apply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => x.CopyTo(destination);

    public static void Apply<T>(ReadOnlySpan<T> x, T y, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => x.CopyTo(destination);

    public static void Apply<T>(T x, ReadOnlySpan<T> y, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => destination.Fill(x);
}

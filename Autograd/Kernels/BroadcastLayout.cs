namespace Autograd.Kernels;

/// <summary>
/// How two operands map onto an output under NumPy broadcasting, reduced to as few dimensions as
/// possible: size-1 output dimensions are dropped and dimensions that are contiguous in both operands
/// are merged. Kernels then run one span call per innermost row.
/// </summary>
internal sealed class BroadcastLayout
{
    private BroadcastLayout(int[] sizes, int[] strideX, int[] strideY)
    {
        Sizes = sizes;
        StrideX = strideX;
        StrideY = strideY;
    }

    /// <summary>Dimension sizes of the output, outermost first; never empty.</summary>
    public int[] Sizes { get; }

    /// <summary>Element strides of x per dimension; 0 where x is broadcast.</summary>
    public int[] StrideX { get; }

    /// <summary>Element strides of y per dimension; 0 where y is broadcast.</summary>
    public int[] StrideY { get; }

    /// <summary>The length of the innermost row.</summary>
    public int RowLength => Sizes[^1];

    /// <summary>The broadcast shape of <paramref name="x"/> and <paramref name="y"/>, or an error naming the op.</summary>
    public static int[] BroadcastShape(ReadOnlySpan<int> x, ReadOnlySpan<int> y, string op)
    {
        int rank = Math.Max(x.Length, y.Length);
        int[] shape = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int dx = i < rank - x.Length ? 1 : x[i - (rank - x.Length)];
            int dy = i < rank - y.Length ? 1 : y[i - (rank - y.Length)];
            if (dx != dy && dx != 1 && dy != 1)
            {
                throw new ArgumentException(
                    $"{op}: shapes {ShapeText.Format(x)} and {ShapeText.Format(y)} do not broadcast: "
                    + $"dimension {i} is {dx} in one and {dy} in the other.");
            }

            shape[i] = dx == 1 ? dy : dx;
        }

        return shape;
    }

    /// <summary>The layout of operands <paramref name="x"/> and <paramref name="y"/> against <paramref name="output"/>.</summary>
    public static BroadcastLayout Create(ReadOnlySpan<int> output, ReadOnlySpan<int> x, ReadOnlySpan<int> y)
    {
        int rank = output.Length;
        Span<int> sx = stackalloc int[rank];
        Span<int> sy = stackalloc int[rank];
        ContiguousStrides(output, x, sx);
        ContiguousStrides(output, y, sy);

        var sizes = new List<int>(rank);
        var strideX = new List<int>(rank);
        var strideY = new List<int>(rank);
        for (int i = 0; i < rank; i++)
        {
            if (output[i] == 1)
            {
                continue;
            }

            int last = sizes.Count - 1;
            if (last >= 0 && strideX[last] == sx[i] * output[i] && strideY[last] == sy[i] * output[i])
            {
                // Contiguous with the previous dimension in both operands: one longer dimension.
                sizes[last] *= output[i];
                strideX[last] = sx[i];
                strideY[last] = sy[i];
                continue;
            }

            sizes.Add(output[i]);
            strideX.Add(sx[i]);
            strideY.Add(sy[i]);
        }

        if (sizes.Count == 0)
        {
            return new BroadcastLayout([1], [1], [1]);
        }

        return new BroadcastLayout([.. sizes], [.. strideX], [.. strideY]);
    }

    /// <summary>Row-major strides of <paramref name="operand"/> aligned right against <paramref name="output"/>, 0 where it broadcasts.</summary>
    private static void ContiguousStrides(ReadOnlySpan<int> output, ReadOnlySpan<int> operand, Span<int> strides)
    {
        int offset = output.Length - operand.Length;
        int stride = 1;
        for (int i = output.Length - 1; i >= 0; i--)
        {
            int size = i < offset ? 1 : operand[i - offset];
            strides[i] = size == 1 ? 0 : stride;
            stride *= size;
        }
    }

    /// <summary>
    /// Walks the rows of the output: for each, the offsets of x, y and the output. The odometer runs over all
    /// dimensions but the innermost.
    /// </summary>
    public RowCursor Rows() => new(this, 0);

    /// <summary>The same odometer started at row <paramref name="firstRow"/> (its offsets computed once, by division).</summary>
    public RowCursor Rows(int firstRow) => new(this, firstRow);

    /// <summary>An odometer over the rows of a layout.</summary>
    public ref struct RowCursor
    {
        private readonly BroadcastLayout _layout;
        private readonly Span<int> _index;
        private int _remaining;

        internal RowCursor(BroadcastLayout layout, int firstRow)
        {
            _layout = layout;
            int rows = 1;
            for (int i = 0; i < layout.Sizes.Length - 1; i++)
            {
                rows *= layout.Sizes[i];
            }

            _remaining = rows - firstRow;
            _index = new int[layout.Sizes.Length];
            OffsetX = 0;
            OffsetY = 0;
            for (int dim = layout.Sizes.Length - 2, rest = firstRow; dim >= 0; dim--)
            {
                _index[dim] = rest % layout.Sizes[dim];
                rest /= layout.Sizes[dim];
                OffsetX += _index[dim] * layout.StrideX[dim];
                OffsetY += _index[dim] * layout.StrideY[dim];
            }

            OffsetOut = (firstRow - 1) * layout.RowLength;
            First = true;
        }

        private bool First { get; set; }

        /// <summary>Offset of the current row in x.</summary>
        public int OffsetX { get; private set; }

        /// <summary>Offset of the current row in y.</summary>
        public int OffsetY { get; private set; }

        /// <summary>Offset of the current row in the (contiguous) output.</summary>
        public int OffsetOut { get; private set; }

        /// <summary>Moves to the next row; false when done.</summary>
        public bool MoveNext()
        {
            if (_remaining-- <= 0)
            {
                return false;
            }

            OffsetOut += _layout.RowLength;
            if (First)
            {
                First = false;
                return true;
            }

            int[] sizes = _layout.Sizes;
            for (int dim = sizes.Length - 2; dim >= 0; dim--)
            {
                _index[dim]++;
                OffsetX += _layout.StrideX[dim];
                OffsetY += _layout.StrideY[dim];
                if (_index[dim] < sizes[dim])
                {
                    break;
                }

                OffsetX -= _layout.StrideX[dim] * sizes[dim];
                OffsetY -= _layout.StrideY[dim] * sizes[dim];
                _index[dim] = 0;
            }

            return true;
        }
    }
}

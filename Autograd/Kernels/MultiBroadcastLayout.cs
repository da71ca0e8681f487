namespace Autograd.Kernels;

/// <summary>
/// How any number of operands map onto an output under NumPy broadcasting (Where's three, a mask against a tensor,
/// a comparison's two), reduced like <see cref="BroadcastLayout"/>: size-1 output dimensions are dropped and
/// dimensions contiguous in every operand are merged. The output itself is contiguous; each operand's innermost
/// stride is 0 (broadcast along the row) or 1.
/// </summary>
internal sealed class MultiBroadcastLayout
{
    private MultiBroadcastLayout(int[] sizes, int[][] strides)
    {
        Sizes = sizes;
        Strides = strides;
    }

    /// <summary>Dimension sizes of the output, outermost first; never empty.</summary>
    public int[] Sizes { get; }

    /// <summary>Element strides per operand per dimension; 0 where the operand is broadcast.</summary>
    public int[][] Strides { get; }

    /// <summary>The length of the innermost row.</summary>
    public int RowLength => Sizes[^1];

    /// <summary>The innermost stride of operand <paramref name="operand"/>: 1 along a row, or 0 (one value per row).</summary>
    public int RowStride(int operand) => Strides[operand][^1];

    /// <summary>
    /// The broadcast shape of <paramref name="shapes"/>, or an <see cref="ArgumentException"/> naming the op and every
    /// operand by its name (<c>Where: condition [2,3], x [4] and y [] do not broadcast: ...</c>).
    /// </summary>
    public static int[] BroadcastShape(string op, ReadOnlySpan<string> names, params ReadOnlySpan<int[]> shapes)
    {
        int rank = 0;
        foreach (int[] shape in shapes)
        {
            rank = Math.Max(rank, shape.Length);
        }

        int[] result = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int size = 1;
            foreach (int[] shape in shapes)
            {
                int d = i < rank - shape.Length ? 1 : shape[i - (rank - shape.Length)];
                if (d != 1 && size != 1 && d != size)
                {
                    throw new ArgumentException(
                        $"{op}: {Describe(names, shapes)} do not broadcast: dimension {i} (aligned from the right) "
                        + $"is {size} in one and {d} in another.");
                }

                size = d == 1 ? size : d;
            }

            result[i] = size;
        }

        return result;
    }

    private static string Describe(ReadOnlySpan<string> names, ReadOnlySpan<int[]> shapes)
    {
        var parts = new string[shapes.Length];
        for (int i = 0; i < shapes.Length; i++)
        {
            parts[i] = $"{names[i]} {ShapeText.Format(shapes[i])}";
        }

        return parts.Length <= 1 ? string.Concat(parts) : string.Join(", ", parts[..^1]) + " and " + parts[^1];
    }

    /// <summary>The layout of <paramref name="operands"/> against <paramref name="output"/> (each broadcasts to it).</summary>
    public static MultiBroadcastLayout Create(ReadOnlySpan<int> output, params ReadOnlySpan<int[]> operands)
    {
        int rank = output.Length;
        int count = operands.Length;
        var full = new int[count][];
        for (int k = 0; k < count; k++)
        {
            full[k] = ContiguousStrides(output, operands[k]);
        }

        var sizes = new List<int>(rank);
        var strides = new List<int>[count];
        for (int k = 0; k < count; k++)
        {
            strides[k] = new List<int>(rank);
        }

        for (int i = 0; i < rank; i++)
        {
            if (output[i] == 1)
            {
                continue;
            }

            int last = sizes.Count - 1;
            bool merge = last >= 0;
            for (int k = 0; k < count && merge; k++)
            {
                merge = strides[k][last] == full[k][i] * output[i];
            }

            if (merge)
            {
                // Contiguous with the previous dimension in every operand: one longer dimension.
                sizes[last] *= output[i];
                for (int k = 0; k < count; k++)
                {
                    strides[k][last] = full[k][i];
                }

                continue;
            }

            sizes.Add(output[i]);
            for (int k = 0; k < count; k++)
            {
                strides[k].Add(full[k][i]);
            }
        }

        if (sizes.Count == 0)
        {
            sizes.Add(1);
            for (int k = 0; k < count; k++)
            {
                strides[k].Add(0);
            }
        }

        return new MultiBroadcastLayout([.. sizes], strides.Select(s => s.ToArray()).ToArray());
    }

    /// <summary>Row-major strides of <paramref name="operand"/> aligned right against <paramref name="output"/>, 0 where it broadcasts.</summary>
    private static int[] ContiguousStrides(ReadOnlySpan<int> output, ReadOnlySpan<int> operand)
    {
        int offset = output.Length - operand.Length;
        int[] strides = new int[output.Length];
        int stride = 1;
        for (int i = output.Length - 1; i >= 0; i--)
        {
            int size = i < offset ? 1 : operand[i - offset];
            strides[i] = size == 1 ? 0 : stride;
            stride *= size;
        }

        return strides;
    }

    /// <summary>Walks the rows of the output: for each, the offset of every operand and of the output.</summary>
    public RowCursor Rows() => new(this);

    /// <summary>An odometer over the rows of a layout.</summary>
    public ref struct RowCursor
    {
        private readonly MultiBroadcastLayout _layout;
        private readonly int[] _index;
        private readonly int[] _offsets;
        private int _remaining;
        private bool _first;

        internal RowCursor(MultiBroadcastLayout layout)
        {
            _layout = layout;
            int rows = 1;
            for (int i = 0; i < layout.Sizes.Length - 1; i++)
            {
                rows *= layout.Sizes[i];
            }

            _remaining = rows;
            _index = new int[layout.Sizes.Length];
            _offsets = new int[layout.Strides.Length];
            OffsetOut = -layout.RowLength;
            _first = true;
        }

        /// <summary>Offset of the current row in the (contiguous) output.</summary>
        public int OffsetOut { get; private set; }

        /// <summary>Offset of the current row in operand <paramref name="operand"/>.</summary>
        public readonly int Offset(int operand) => _offsets[operand];

        /// <summary>Moves to the next row; false when done.</summary>
        public bool MoveNext()
        {
            if (_remaining-- <= 0)
            {
                return false;
            }

            OffsetOut += _layout.RowLength;
            if (_first)
            {
                _first = false;
                return true;
            }

            int[] sizes = _layout.Sizes;
            int[][] strides = _layout.Strides;
            for (int dim = sizes.Length - 2; dim >= 0; dim--)
            {
                _index[dim]++;
                for (int k = 0; k < _offsets.Length; k++)
                {
                    _offsets[k] += strides[k][dim];
                }

                if (_index[dim] < sizes[dim])
                {
                    break;
                }

                for (int k = 0; k < _offsets.Length; k++)
                {
                    _offsets[k] -= strides[k][dim] * sizes[dim];
                }

                _index[dim] = 0;
            }

            return true;
        }
    }
}

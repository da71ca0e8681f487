namespace Autograd.Ops;

/// <summary>Validation shared by the indexing ops: index and mask dtypes, and index values against an axis.</summary>
internal static class IndexChecks
{
    /// <summary>Rejects an index tensor that is not Int64, naming the op, its shape and dtype.</summary>
    public static void Int64(string op, Tensor indices)
    {
        OpChecks.NotNull(indices, op, "indices");
        if (indices.DType != DType.Int64)
        {
            throw new ArgumentException(
                $"{op}: indices must be an Int64 tensor, got {ShapeText.Format(indices.ShapeSpan)} {indices.DType}; "
                + "convert them with To(DType.Int64).");
        }
    }

    /// <summary>Rejects a condition or mask that is not Bool, naming the op, the argument, its shape and dtype.</summary>
    public static void Bool(string op, string name, Tensor mask)
    {
        OpChecks.NotNull(mask, op, name);
        if (mask.DType != DType.Bool)
        {
            throw new ArgumentException(
                $"{op}: {name} must be a Bool tensor, got {ShapeText.Format(mask.ShapeSpan)} {mask.DType}; "
                + "make one with a comparison (x.Gt(0)) or To(DType.Bool).");
        }
    }

    /// <summary>
    /// The Int64 <paramref name="indices"/> as ints, each checked to lie in [0, <paramref name="size"/>): an index out of
    /// range (negative ones included, as PyTorch's index_select and gather) throws naming the index, its position
    /// (a flat position, or coordinates in the index tensor when <paramref name="coordinates"/>) and the axis size.
    /// </summary>
    public static int[] InRange(string op, Tensor indices, int axis, int size, bool coordinates)
    {
        ReadOnlySpan<long> values = indices.Span<long>();
        int[] result = new int[values.Length];
        for (int p = 0; p < values.Length; p++)
        {
            long index = values[p];
            if ((ulong)index >= (ulong)size)
            {
                ThrowOutOfRange(op, index, coordinates ? Coordinates(indices.ShapeSpan, p) : p.ToString(System.Globalization.CultureInfo.InvariantCulture), axis, size);
            }

            result[p] = (int)index;
        }

        return result;
    }

    private static void ThrowOutOfRange(string op, long index, string position, int axis, int size) =>
        throw new ArgumentOutOfRangeException(nameof(index),
            $"{op}: index {index} at position {position} is out of range for axis {axis} of size {size}"
            + (index < 0 ? " (negative indices are not allowed, as in PyTorch)." : "."));

    /// <summary>The coordinates of flat position <paramref name="position"/> in <paramref name="shape"/>: <c>[1,0,2]</c>.</summary>
    private static string Coordinates(ReadOnlySpan<int> shape, int position)
    {
        int[] index = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = position % shape[d];
            position /= shape[d];
        }

        return ShapeText.Format(index);
    }
}

namespace Autograd.Ops;

/// <summary>
/// Split and Chunk: consecutive slices along an axis, each one <see cref="Narrow.Slice"/> (so each piece has its
/// own tape entry, and its VJP pads its gradient back; fan-out sums the pieces' gradients). PyTorch's piece counts:
/// Split gives ceil(n / size) pieces (at least one), Chunk gives pieces of ceil(n / chunks), so possibly fewer than
/// <c>chunks</c>, and exactly <c>chunks</c> empty pieces of an empty axis.
/// </summary>
internal static class Split
{
    public static Tensor[] BySize(Tensor x, int size, int axis)
    {
        int resolved = Check(x, axis, "Split");
        int length = x.ShapeSpan[resolved];
        if (size < 0 || (size == 0 && length != 0))
        {
            throw new ArgumentException(
                $"Split: size {size} must be positive (0 only for an empty axis); axis {axis} of {ShapeText.Format(x.ShapeSpan)} "
                + $"has size {length}.");
        }

        int count = size == 0 ? 1 : Math.Max((int)(((long)length + size - 1) / size), 1);
        var pieces = new Tensor[count];
        for (int i = 0; i < count; i++)
        {
            int start = (int)Math.Min((long)i * size, length);
            pieces[i] = Narrow.Slice(x, resolved, start, Math.Min(size, length - start));
        }

        return pieces;
    }

    public static Tensor[] Chunk(Tensor x, int chunks, int axis)
    {
        int resolved = Check(x, axis, "Chunk");
        if (chunks <= 0)
        {
            throw new ArgumentException($"Chunk: chunks must be positive; got {chunks} for {ShapeText.Format(x.ShapeSpan)}.");
        }

        int length = x.ShapeSpan[resolved];
        if (length == 0)
        {
            var empty = new Tensor[chunks];
            for (int i = 0; i < chunks; i++)
            {
                empty[i] = Narrow.Slice(x, resolved, 0, 0);
            }

            return empty;
        }

        return BySize(x, (int)(((long)length + chunks - 1) / chunks), resolved);
    }

    private static int Check(Tensor x, int axis, string op)
    {
        OpChecks.NotNull(x, op, "x");
        if (x.Rank == 0)
        {
            throw new ArgumentException($"{op}: expected a tensor with at least one dimension; got a scalar (shape []).");
        }

        return ShapeText.Axis(axis, x.Rank, op);
    }
}

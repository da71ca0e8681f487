namespace Autograd;

/// <summary>Shape arithmetic and formatting shared by every op's validation.</summary>
internal static class ShapeText
{
    /// <summary>Formats a shape as PyTorch users read it in errors: <c>[2,3]</c>, <c>[]</c> for a scalar.</summary>
    public static string Format(ReadOnlySpan<int> shape) => "[" + string.Join(",", shape.ToArray()) + "]";

    /// <summary>The number of elements of <paramref name="shape"/>; throws when it overflows int.</summary>
    public static int Count(ReadOnlySpan<int> shape, string op)
    {
        long count = 1;
        foreach (int d in shape)
        {
            if (d < 0)
            {
                throw new ArgumentException($"{op}: shape {Format(shape)} has a negative dimension.");
            }

            count *= d;
            if (count > Array.MaxLength)
            {
                throw new ArgumentException($"{op}: shape {Format(shape)} has more elements than an array can hold.");
            }
        }

        return (int)count;
    }

    /// <summary>Resolves a possibly negative axis against <paramref name="rank"/>.</summary>
    public static int Axis(int axis, int rank, string op)
    {
        int resolved = axis < 0 ? axis + rank : axis;
        if (resolved < 0 || resolved >= rank)
        {
            throw new ArgumentOutOfRangeException(nameof(axis),
                $"{op}: axis {axis} is out of range for a tensor of rank {rank} (expected {-rank} to {rank - 1}).");
        }

        return resolved;
    }

    /// <summary>Splits <paramref name="shape"/> around <paramref name="axis"/> into (outer, axis length, inner).</summary>
    public static (int Outer, int Length, int Inner) AroundAxis(ReadOnlySpan<int> shape, int axis)
    {
        int outer = 1;
        int inner = 1;
        for (int i = 0; i < axis; i++)
        {
            outer *= shape[i];
        }

        for (int i = axis + 1; i < shape.Length; i++)
        {
            inner *= shape[i];
        }

        return (outer, shape[axis], inner);
    }

    /// <summary>The shape after reducing <paramref name="axis"/>: removed, or kept as 1.</summary>
    public static int[] Reduced(ReadOnlySpan<int> shape, int axis, bool keepDim)
    {
        if (keepDim)
        {
            int[] kept = shape.ToArray();
            kept[axis] = 1;
            return kept;
        }

        int[] result = new int[shape.Length - 1];
        for (int i = 0, j = 0; i < shape.Length; i++)
        {
            if (i != axis)
            {
                result[j++] = shape[i];
            }
        }

        return result;
    }
}

namespace Autograd.Ops;

/// <summary>
/// Squeeze, Unsqueeze and Flatten: new shapes over the same storage (views, as Reshape), since none of them moves
/// an element. VJP: the gradient viewed with the input's shape, again a view (recorded when the pass creates a graph).
/// </summary>
internal static class ViewOps
{
    /// <summary>x without axis <paramref name="axis"/> when its size is 1; otherwise x's shape unchanged (as PyTorch).</summary>
    public static Tensor Squeeze(Tensor x, int axis)
    {
        OpChecks.NotNull(x, "Squeeze", "x");
        // A scalar takes axis 0 or -1, as in PyTorch.
        int resolved = ShapeText.Axis(axis, Math.Max(x.Rank, 1), "Squeeze");
        if (x.Rank == 0 || x.ShapeSpan[resolved] != 1)
        {
            return As("Squeeze", x, x.ShapeArray);
        }

        int[] shape = new int[x.Rank - 1];
        for (int i = 0, j = 0; i < x.Rank; i++)
        {
            if (i != resolved)
            {
                shape[j++] = x.ShapeSpan[i];
            }
        }

        return As("Squeeze", x, shape);
    }

    /// <summary>x with a new axis of size 1 at <paramref name="axis"/> (−rank−1 ≤ axis ≤ rank).</summary>
    public static Tensor Unsqueeze(Tensor x, int axis)
    {
        OpChecks.NotNull(x, "Unsqueeze", "x");
        int resolved = ShapeText.Axis(axis, x.Rank + 1, "Unsqueeze");
        return As("Unsqueeze", x, Inserted(x.ShapeSpan, resolved, 1));
    }

    /// <summary>x with axes <paramref name="startAxis"/> to <paramref name="endAxis"/> (inclusive) merged into one.</summary>
    public static Tensor Flatten(Tensor x, int startAxis, int endAxis)
    {
        OpChecks.NotNull(x, "Flatten", "x");
        if (x.Rank == 0)
        {
            // PyTorch: a scalar flattens to one element, whatever the (valid) axes.
            ShapeText.Axis(startAxis, 1, "Flatten");
            ShapeText.Axis(endAxis, 1, "Flatten");
            return As("Flatten", x, [1]);
        }

        int start = ShapeText.Axis(startAxis, x.Rank, "Flatten");
        int end = ShapeText.Axis(endAxis, x.Rank, "Flatten");
        if (start > end)
        {
            throw new ArgumentException(
                $"Flatten: start axis {startAxis} comes after end axis {endAxis} for {ShapeText.Format(x.ShapeSpan)}.");
        }

        int[] shape = new int[x.Rank - (end - start)];
        int merged = 1;
        for (int i = start; i <= end; i++)
        {
            merged *= x.ShapeSpan[i];
        }

        for (int i = 0, j = 0; i < x.Rank; i++)
        {
            if (i < start || i > end)
            {
                shape[j++] = x.ShapeSpan[i];
            }
            else if (i == start)
            {
                shape[j++] = merged;
            }
        }

        return As("Flatten", x, shape);
    }

    /// <summary>
    /// x viewed with <paramref name="shape"/> (same element count, not checked), recorded as <paramref name="op"/>:
    /// the view every op here returns, and the VJP of each of them.
    /// </summary>
    internal static Tensor As(string op, Tensor x, int[] shape)
    {
        Tensor output = Tensor.View(x, shape);
        // RequiresGrad first, as in every shape op: see Cat.AnyRequiresGrad.
        if (x.RequiresGrad && Tape.ShouldRecord(op, output, x))
        {
            output.SetGradFn(new ViewEntry(op, x));
        }

        return output;
    }

    /// <summary><paramref name="shape"/> with <paramref name="value"/> inserted at <paramref name="axis"/>.</summary>
    internal static int[] Inserted(ReadOnlySpan<int> shape, int axis, int value)
    {
        int[] result = new int[shape.Length + 1];
        shape[..axis].CopyTo(result);
        result[axis] = value;
        shape[axis..].CopyTo(result.AsSpan(axis + 1));
        return result;
    }

    private sealed class ViewEntry(string op, Tensor x) : TapeEntry(op, x)
    {
        // A view of the gradient on both paths (recorded when the pass creates a graph).
        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads) =>
            inputGrads[0] = As(Name, gradOutput, InputShape(0));
    }
}

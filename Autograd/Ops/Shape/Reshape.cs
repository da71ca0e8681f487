namespace Autograd.Ops;

/// <summary>
/// A new shape over the same storage (a view, as PyTorch's reshape of a contiguous tensor); one dimension
/// may be −1 and is inferred. VJP: the gradient reshaped back, again a view.
/// </summary>
internal static class Reshape
{
    public static Tensor Forward(Tensor x, params int[] shape)
    {
        OpChecks.NotNull(x, "Reshape", "x");
        ArgumentNullException.ThrowIfNull(shape);
        int[] resolved = Resolve(x, shape);
        Tensor output = Tensor.View(x, resolved);
        if (Tape.ShouldRecord("Reshape", output, x))
        {
            output.SetGradFn(new ReshapeEntry(x));
        }

        return output;
    }

    private static int[] Resolve(Tensor x, int[] shape)
    {
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == -1)
            {
                if (inferred >= 0)
                {
                    throw new ArgumentException(
                        $"Reshape: {ShapeText.Format(x.ShapeSpan)} to {ShapeText.Format(shape)}: only one dimension can be -1.");
                }

                inferred = i;
            }
            else if (shape[i] < 0)
            {
                throw new ArgumentException(
                    $"Reshape: {ShapeText.Format(x.ShapeSpan)} to {ShapeText.Format(shape)}: dimension {i} is negative.");
            }
            else
            {
                known *= shape[i];
            }
        }

        int[] resolved = (int[])shape.Clone();
        if (inferred >= 0)
        {
            if (known == 0 || x.Count % known != 0)
            {
                throw new ArgumentException(
                    $"Reshape: {ShapeText.Format(x.ShapeSpan)} ({x.Count} elements) cannot be viewed as {ShapeText.Format(shape)}.");
            }

            resolved[inferred] = (int)(x.Count / known);
        }
        else if (known != x.Count)
        {
            throw new ArgumentException(
                $"Reshape: {ShapeText.Format(x.ShapeSpan)} ({x.Count} elements) cannot be viewed as "
                + $"{ShapeText.Format(shape)} ({known} elements).");
        }

        return resolved;
    }

    private sealed class ReshapeEntry(Tensor x) : TapeEntry("Reshape", x)
    {
        // A view of the gradient on both paths (recorded when the pass creates a graph).
        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads) =>
            inputGrads[0] = Forward(gradOutput, InputShape(0));
    }
}

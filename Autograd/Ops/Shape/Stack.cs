namespace Autograd.Ops;

/// <summary>
/// Joins tensors of one shape along a new axis: the same block copies as <see cref="Cat"/> (each input is one
/// block per row of the axes before the new one), without viewing each input first. One tape entry for all inputs.
/// VJP: input i's gradient is g's slice i along the new axis with that axis squeezed away (a slice copy, then a
/// view; both recorded when the pass creates a graph).
/// </summary>
internal static class Stack
{
    public static Tensor Forward(Tensor[] tensors, int axis)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Length == 0)
        {
            throw new ArgumentException("Stack: expected a non-empty list of tensors.");
        }

        Tensor first = Cat.CheckNotNull(tensors, 0, "Stack");
        for (int i = 1; i < tensors.Length; i++)
        {
            Tensor t = Cat.CheckNotNull(tensors, i, "Stack");
            Cat.CheckDType("Stack", first, t, i);
            if (!t.ShapeSpan.SequenceEqual(first.ShapeSpan))
            {
                throw new ArgumentException(
                    $"Stack: every tensor must have the same shape, but tensor 0 is {ShapeText.Format(first.ShapeSpan)} and "
                    + $"tensor {i} is {ShapeText.Format(t.ShapeSpan)}.");
            }
        }

        int resolved = ShapeText.Axis(axis, first.Rank + 1, "Stack");
        int[] shape = ViewOps.Inserted(first.ShapeSpan, resolved, tensors.Length);
        Tensor output = Tensor.Empty(shape, first.DType);
        var (rows, _, inner) = ShapeText.AroundAxis(shape, resolved);
        for (int i = 0; i < tensors.Length; i++)
        {
            Cat.CopyInto(tensors[i], output, rows, inner, tensors.Length * inner, i * inner);
        }

        if (Cat.AnyRequiresGrad(tensors) && Tape.ShouldRecord("Stack", output, tensors))
        {
            output.SetGradFn(new StackEntry(tensors, resolved));
        }

        return output;
    }

    private sealed class StackEntry(Tensor[] tensors, int axis) : TapeEntry("Stack", tensors)
    {
        private readonly int[] _inputShape = tensors[0].ShapeArray;

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            for (int i = 0; i < inputGrads.Length; i++)
            {
                if (context.NeedsInputGrad(i))
                {
                    inputGrads[i] = ViewOps.As("Squeeze", Narrow.Slice(gradOutput, axis, i, 1), _inputShape);
                }
            }
        }
    }
}

using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// PyTorch's expand: size-1 axes repeated (and new leading axes added) up to a shape; −1 keeps a size. The result
/// is materialised (tensors are dense; see "Views and copies" in docs/ARCHITECTURE.md); a shape equal to the input's
/// is a view. VJP: the gradient summed back to the input's shape (<see cref="BroadcastTo.SumTo"/>, recorded, whose
/// own VJP is <see cref="BroadcastTo.ExpandTo"/>).
/// </summary>
internal static class Expand
{
    public static Tensor Forward(Tensor x, int[] shape)
    {
        OpChecks.NotNull(x, "Expand", "x");
        ArgumentNullException.ThrowIfNull(shape);
        int[] resolved = Resolve(x.ShapeSpan, shape);
        Tensor output;
        if (resolved.AsSpan().SequenceEqual(x.ShapeSpan))
        {
            output = Tensor.View(x, x.ShapeArray);
        }
        else
        {
            output = Tensor.Empty(resolved, x.DType);
            var action = new ExpandAction(x, output);
            DTypeDispatch.Any(x.DType, ref action);
        }

        // RequiresGrad first, as in every shape op: see Cat.AnyRequiresGrad.
        if (x.RequiresGrad && Tape.ShouldRecord("Expand", output, x))
        {
            output.SetGradFn(new ExpandEntry(x));
        }

        return output;
    }

    /// <summary>The target shape with −1 replaced, checked as PyTorch's expand checks it.</summary>
    private static int[] Resolve(ReadOnlySpan<int> from, int[] shape)
    {
        if (shape.Length < from.Length)
        {
            throw new ArgumentException(
                $"Expand: {ShapeText.Format(from)} to {ShapeText.Format(shape)}: {shape.Length} sizes given for a tensor of "
                + $"{from.Length} dimensions; give at least as many sizes as dimensions.");
        }

        int lead = shape.Length - from.Length;
        int[] resolved = new int[shape.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            int target = shape[i];
            int size = i >= lead ? from[i - lead] : 1;
            if (target == -1)
            {
                if (i < lead)
                {
                    throw new ArgumentException(
                        $"Expand: {ShapeText.Format(from)} to {ShapeText.Format(shape)}: -1 is not allowed at the new leading "
                        + $"dimension {i}.");
                }

                target = size;
            }
            else if (target < 0)
            {
                throw new ArgumentException(
                    $"Expand: {ShapeText.Format(from)} to {ShapeText.Format(shape)}: size {target} at dimension {i} is negative.");
            }
            else if (target != size && size != 1)
            {
                throw new ArgumentException(
                    $"Expand: {ShapeText.Format(from)} to {ShapeText.Format(shape)}: the expanded size {target} must match the "
                    + $"existing size {size} at non-singleton dimension {i}.");
            }

            resolved[i] = target;
        }

        ShapeText.Count(resolved, "Expand");
        return resolved;
    }

    private readonly struct ExpandAction(Tensor x, Tensor output) : IAnyAction
    {
        public void Invoke<T>()
            where T : unmanaged =>
            ExpandKernel.Expand<T>(x.Span<T>(), x.ShapeSpan, output.Span<T>(), output.ShapeSpan);
    }

    private sealed class ExpandEntry(Tensor x) : TapeEntry("Expand", x)
    {
        // SumTo records when the pass creates a graph (its VJP is ExpandTo); an equal shape passes g through.
        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads) =>
            inputGrads[0] = BroadcastTo.SumTo(gradOutput, InputShape(0));
    }
}

using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// A slice <c>[start, start + length)</c> along one axis, copied into new storage (one block copy per row: tensors
/// are dense, and a view with an offset would make every kernel handle strides; see "Views and copies" in
/// docs/ARCHITECTURE.md). The whole axis is a view. VJP: the gradient copied back into zeros of the input's shape
/// (<see cref="Pad"/>), a recorded op whose own VJP is this slice, so both are differentiable to any order.
/// </summary>
internal static class Narrow
{
    public static Tensor Forward(Tensor x, int axis, int start, int length)
    {
        OpChecks.NotNull(x, "Narrow", "x");
        if (x.Rank == 0)
        {
            throw new ArgumentException("Narrow: cannot be applied to a scalar (shape []).");
        }

        int resolved = ShapeText.Axis(axis, x.Rank, "Narrow");
        int size = x.ShapeSpan[resolved];
        if (length < 0)
        {
            throw new ArgumentException(
                $"Narrow: length {length} is negative (axis {axis} of {ShapeText.Format(x.ShapeSpan)}).");
        }

        // As PyTorch: start may be negative (from the end), and may equal the size (an empty slice at the end).
        if (start != size && (start < -size || start >= size))
        {
            throw new ArgumentOutOfRangeException(nameof(start),
                $"Narrow: start {start} is out of range for axis {axis} of size {size} in {ShapeText.Format(x.ShapeSpan)} "
                + $"(expected {-size} to {size}).");
        }

        int first = start < 0 ? start + size : start;
        if ((long)first + length > size)
        {
            throw new ArgumentException(
                $"Narrow: start {first} + length {length} exceeds the size {size} of axis {axis} of {ShapeText.Format(x.ShapeSpan)}.");
        }

        return Slice(x, resolved, first, length);
    }

    /// <summary>The slice of already checked arguments (axis resolved, 0 ≤ start, start + length ≤ size).</summary>
    internal static Tensor Slice(Tensor x, int axis, int start, int length)
    {
        Tensor output;
        if (length == x.ShapeSpan[axis])
        {
            output = Tensor.View(x, x.ShapeArray);
        }
        else
        {
            int[] shape = x.Shape;
            shape[axis] = length;
            output = Tensor.Empty(shape, x.DType);
            var (rows, size, inner) = ShapeText.AroundAxis(x.ShapeSpan, axis);
            var action = new SliceAction(x, output, rows, size * inner, start * inner, length * inner);
            DTypeDispatch.Any(x.DType, ref action);
        }

        // RequiresGrad first, as in every shape op: see Cat.AnyRequiresGrad.
        if (x.RequiresGrad && Tape.ShouldRecord("Narrow", output, x))
        {
            output.SetGradFn(new NarrowEntry("Narrow", x, axis, start, x.ShapeSpan[axis], pads: true));
        }

        return output;
    }

    /// <summary>
    /// g (the slice's gradient) placed at <c>[start, start + g.shape[axis])</c> along <paramref name="axis"/> of zeros
    /// of size <paramref name="size"/> there: the VJP of <see cref="Slice"/>, recorded as "NarrowBackward".
    /// </summary>
    internal static Tensor Pad(Tensor g, int axis, int start, int size)
    {
        int length = g.ShapeSpan[axis];
        Tensor output;
        if (length == size)
        {
            output = Tensor.View(g, g.ShapeArray);
        }
        else
        {
            int[] shape = g.Shape;
            shape[axis] = size;
            output = Tensor.Empty(shape, g.DType);
            var (rows, _, inner) = ShapeText.AroundAxis(g.ShapeSpan, axis);
            var action = new PadAction(g, output, rows, size * inner, start * inner, length * inner);
            DTypeDispatch.Any(g.DType, ref action);
        }

        // RequiresGrad first, as in every shape op: see Cat.AnyRequiresGrad.
        if (g.RequiresGrad && Tape.ShouldRecord("NarrowBackward", output, g))
        {
            output.SetGradFn(new NarrowEntry("NarrowBackward", g, axis, start, length, pads: false));
        }

        return output;
    }

    private readonly struct SliceAction(Tensor x, Tensor output, int rows, int rowLength, int offset, int block) : IAnyAction
    {
        public void Invoke<T>()
            where T : unmanaged =>
            BlockCopy.Rows<T>(x.Span<T>(), rowLength, offset, output.Span<T>(), block, 0, rows, block);
    }

    private readonly struct PadAction(Tensor g, Tensor output, int rows, int rowLength, int offset, int block) : IAnyAction
    {
        public void Invoke<T>()
            where T : unmanaged =>
            BlockCopy.RowsZeroPadded<T>(g.Span<T>(), output.Span<T>(), rowLength, offset, rows, block);
    }

    /// <summary>
    /// The entry of a slice (its VJP pads the gradient back to <paramref name="extent"/>, the input's size along the
    /// axis) or of a pad (its VJP slices <paramref name="extent"/>, the slice's length, back out). Either way the VJP
    /// is the other op, recorded when the pass creates a graph.
    /// </summary>
    private sealed class NarrowEntry(string name, Tensor x, int axis, int start, int extent, bool pads) : TapeEntry(name, x)
    {
        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads) =>
            inputGrads[0] = pads ? Pad(gradOutput, axis, start, extent) : Slice(gradOutput, axis, start, extent);
    }
}

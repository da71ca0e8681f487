using Autograd.Ops;

namespace Autograd;

// Shape ops and joining (PyTorch's narrow, permute, transpose, squeeze, unsqueeze, expand, flatten, cat, stack,
// split, chunk). All work on every dtype and are differentiable; axes may be negative. Ops that only relabel the
// shape are views of the same storage; ops that move elements copy (see "Views and copies" in docs/ARCHITECTURE.md).
public sealed partial class Tensor
{
    /// <summary>
    /// The elements <c>[start, start + length)</c> along <paramref name="axis"/> (a copy; the whole axis is a view).
    /// <paramref name="start"/> may be negative (counted from the end), as in PyTorch.
    /// </summary>
    public Tensor Narrow(int axis, int start, int length) => Ops.Narrow.Forward(this, axis, start, length);

    /// <summary>The axes reordered: output axis i is input axis <paramref name="axes"/>[i] (a copy, or a view when the order of the elements does not change).</summary>
    public Tensor Permute(params int[] axes) => Ops.Permute.Forward(this, axes);

    /// <summary>Axes <paramref name="axis0"/> and <paramref name="axis1"/> swapped, for a tensor of any rank (a copy).</summary>
    public Tensor Transpose(int axis0, int axis1) => Ops.Permute.Transpose(this, axis0, axis1);

    /// <summary>Axis <paramref name="axis"/> removed when its size is 1; otherwise the same shape (as PyTorch). A view.</summary>
    public Tensor Squeeze(int axis) => ViewOps.Squeeze(this, axis);

    /// <summary>A new axis of size 1 inserted at <paramref name="axis"/> (from −rank−1 to rank). A view.</summary>
    public Tensor Unsqueeze(int axis) => ViewOps.Unsqueeze(this, axis);

    /// <summary>
    /// Size-1 axes repeated to <paramref name="shape"/>, which may add leading axes; −1 keeps a size. Only size-1
    /// axes can grow (as PyTorch's expand). The result is a copy (a view when the shape is unchanged).
    /// </summary>
    public Tensor Expand(params int[] shape) => Ops.Expand.Forward(this, shape);

    /// <summary>Axes <paramref name="startAxis"/> to <paramref name="endAxis"/> (inclusive) merged into one. A view.</summary>
    public Tensor Flatten(int startAxis = 0, int endAxis = -1) => ViewOps.Flatten(this, startAxis, endAxis);

    /// <summary>
    /// The tensors joined along <paramref name="axis"/>: same dtype, same rank, equal sizes on every other axis.
    /// </summary>
    public static Tensor Cat(Tensor[] tensors, int axis = 0) => Ops.Cat.Forward(tensors, axis);

    /// <summary>Tensors of one shape joined along a new axis <paramref name="axis"/> (from −rank−1 to rank).</summary>
    public static Tensor Stack(Tensor[] tensors, int axis = 0) => Ops.Stack.Forward(tensors, axis);

    /// <summary>Consecutive pieces of <paramref name="size"/> along <paramref name="axis"/>; the last may be smaller.</summary>
    public Tensor[] Split(int size, int axis = 0) => Ops.Split.BySize(this, size, axis);

    /// <summary>
    /// At most <paramref name="chunks"/> pieces along <paramref name="axis"/>, each of ceil(n / chunks) but the last
    /// (as PyTorch: possibly fewer pieces than asked for).
    /// </summary>
    public Tensor[] Chunk(int chunks, int axis = 0) => Ops.Split.Chunk(this, chunks, axis);
}

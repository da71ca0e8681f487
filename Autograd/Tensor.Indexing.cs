namespace Autograd;

// Indexing and selection (PyTorch's index_select, gather, where, masked_fill); the ops are in Ops/Indexing/.
public sealed partial class Tensor
{
    /// <summary>
    /// The slices of this tensor at <paramref name="indices"/> along <paramref name="axis"/>, in the indices' order
    /// (torch.index_select): the result has this shape with the axis resized to the number of indices. Repeated indices
    /// repeat slices, and their gradients accumulate. Works for every dtype; differentiable for floating point.
    /// </summary>
    /// <param name="axis">The axis to select along (negative counts from the end).</param>
    /// <param name="indices">A 1-D (or 0-D) Int64 tensor of positions in [0, size of the axis).</param>
    /// <exception cref="ArgumentException">The indices are not Int64 or not 1-D, the axis is out of range, or an index is
    /// out of range (negative ones included, as in PyTorch; the message names the index, its position and the size).</exception>
    public Tensor IndexSelect(int axis, Tensor indices) => Ops.IndexSelect.Forward(this, axis, indices);

    /// <summary>
    /// Values picked along <paramref name="axis"/> by an index tensor of the same rank (torch.gather): for axis 1 of a
    /// 3-D tensor, <c>out[i,j,k] = this[i, indices[i,j,k], k]</c>. The result has the indices' shape, which may be
    /// smaller than this tensor's in the other dimensions. Gradients of repeated indices accumulate (a scatter-add).
    /// Works for every dtype; differentiable for floating point.
    /// </summary>
    /// <param name="axis">The axis to gather along (negative counts from the end).</param>
    /// <param name="indices">An Int64 tensor of this tensor's rank, each value in [0, size of the axis).</param>
    /// <exception cref="ArgumentException">The indices are not Int64, their rank differs, they are larger than this tensor
    /// in a dimension other than the axis, the axis is out of range, or an index is out of range.</exception>
    public Tensor Gather(int axis, Tensor indices) => Ops.Gather.Forward(this, axis, indices);

    /// <summary>
    /// <c>condition ? x : y</c>, elementwise (torch.where), the three broadcast to one shape. x and y must have the same
    /// dtype (any of the four); the gradient reaches x where the condition holds and y where it does not, each summed
    /// down to its own shape.
    /// </summary>
    /// <param name="condition">A Bool tensor.</param>
    /// <param name="x">The values where the condition holds.</param>
    /// <param name="y">The values where it does not.</param>
    /// <exception cref="ArgumentException">The condition is not Bool, x and y have different dtypes, or the three shapes
    /// do not broadcast (the message names all three).</exception>
    public static Tensor Where(Tensor condition, Tensor x, Tensor y) => Ops.Where.Forward(condition, x, y);

    /// <summary>
    /// This tensor with <paramref name="value"/> wherever <paramref name="mask"/> is true (torch.masked_fill); the mask
    /// broadcasts into this tensor's shape, which the result keeps. The gradient is zero at the filled elements. Works
    /// for every dtype (the value converted as <see cref="To"/> converts).
    /// </summary>
    /// <param name="mask">A Bool tensor whose shape broadcasts to this one's.</param>
    /// <param name="value">The value written where the mask is set.</param>
    /// <exception cref="ArgumentException">The mask is not Bool, or does not broadcast to this tensor's shape.</exception>
    public Tensor MaskedFill(Tensor mask, double value) => Ops.MaskedFill.Forward(this, mask, value);
}

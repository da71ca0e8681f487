using Autograd.Ops;

namespace Autograd;

/// <summary>Reductions beyond Sum/Mean/Max of one axis: several axes, extrema, spread, log-sum-exp, arg-extrema.</summary>
public sealed partial class Tensor
{
    /// <summary>
    /// The sum over <paramref name="axes"/> (negative counts from the end; each axis at most once), as
    /// torch.sum(x, dim=[...]). An empty array sums over every axis, as PyTorch 1.13 does. With
    /// <paramref name="keepDim"/> the summed axes stay as size 1.
    /// </summary>
    public Tensor Sum(int[] axes, bool keepDim = false) => SumAxes.Sum(this, axes, keepDim);

    /// <summary>
    /// The mean over <paramref name="axes"/> (as <see cref="Sum(int[], bool)"/>, divided by the number of elements
    /// summed; NaN when that number is 0, as PyTorch).
    /// </summary>
    public Tensor Mean(int[] axes, bool keepDim = false) => SumAxes.Mean(this, axes, keepDim);

    /// <summary>
    /// The largest element, as a scalar (NaN if any element is NaN). The gradient is shared equally among all elements
    /// equal to it, as PyTorch's max(). Throws for a tensor with no elements.
    /// </summary>
    public Tensor Max() => Extremum.All(this, minimum: false);

    /// <summary>
    /// The smallest element, as a scalar (NaN if any element is NaN). The gradient is shared equally among all
    /// elements equal to it, as PyTorch's min(). Throws for a tensor with no elements.
    /// </summary>
    public Tensor Min() => Extremum.All(this, minimum: true);

    /// <summary>
    /// The minimum along <paramref name="axis"/> (the values of torch.min(x, dim)); the gradient flows to the first
    /// arg-min, the index <see cref="ArgMin"/> returns. A NaN is the minimum of its line.
    /// </summary>
    public Tensor Min(int axis, bool keepDim = false) => Ops.Max.Axis(this, axis, keepDim, minimum: true);

    /// <summary>
    /// The variance along <paramref name="axis"/>: Σ (x − mean)² / (n − 1), or / n when <paramref name="unbiased"/> is
    /// false. One element with <paramref name="unbiased"/> gives NaN, as PyTorch.
    /// </summary>
    public Tensor Var(int axis, bool unbiased = true, bool keepDim = false) =>
        Variance.Forward(this, axis, unbiased, keepDim, std: false);

    /// <summary>
    /// The standard deviation along <paramref name="axis"/>, the square root of <see cref="Var"/>. Where it is 0 the
    /// gradient is 0 (PyTorch's choice at the kink of the square root).
    /// </summary>
    public Tensor Std(int axis, bool unbiased = true, bool keepDim = false) =>
        Variance.Forward(this, axis, unbiased, keepDim, std: true);

    /// <summary>
    /// log Σ exp(x) along <paramref name="axis"/>, computed stably (finite for inputs of ±1000; −∞ for a line of −∞
    /// or an empty axis). Its gradient is the softmax of the line.
    /// </summary>
    public Tensor LogSumExp(int axis, bool keepDim = false) => Ops.LogSumExp.Forward(this, axis, keepDim);

    /// <summary>
    /// The index of the maximum along <paramref name="axis"/>, as an Int64 tensor (no gradient): the first one on ties,
    /// the first NaN when there is one, as PyTorch. Works on Float32, Float64 and Int64 tensors.
    /// </summary>
    public Tensor ArgMax(int axis, bool keepDim = false) => Ops.ArgMax.Forward(this, axis, keepDim, minimum: false);

    /// <summary>
    /// The index of the minimum along <paramref name="axis"/>, as an Int64 tensor (no gradient): the first one on ties,
    /// the first NaN when there is one, as PyTorch. Works on Float32, Float64 and Int64 tensors.
    /// </summary>
    public Tensor ArgMin(int axis, bool keepDim = false) => Ops.ArgMax.Forward(this, axis, keepDim, minimum: true);
}

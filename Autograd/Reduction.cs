namespace Autograd;

/// <summary>How a loss combines its per-element losses (PyTorch's <c>reduction</c> argument).</summary>
public enum Reduction
{
    /// <summary>
    /// The mean over the elements (the default). For <see cref="Loss.CrossEntropy(Tensor, Tensor, Tensor?, int, double, Reduction)"/>
    /// and <see cref="Loss.NllLoss"/> with class indices, the weighted mean: the sum divided by the total weight of the
    /// targets that are not ignored.
    /// </summary>
    Mean,

    /// <summary>The sum over the elements.</summary>
    Sum,

    /// <summary>No reduction: one loss per element (per sample and position for the class losses).</summary>
    None,
}

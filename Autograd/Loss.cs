namespace Autograd;

/// <summary>Loss functions, each reduced by the mean over all elements (PyTorch's default reduction).</summary>
public static class Loss
{
    /// <summary>Mean squared error: mean((prediction − target)²). Shapes must match.</summary>
    public static Tensor Mse(Tensor prediction, Tensor target)
    {
        Ops.OpChecks.NotNull(prediction, "Mse", "prediction");
        Ops.OpChecks.NotNull(target, "Mse", "target");
        Ops.OpChecks.SameShape("Mse", prediction, target, "prediction", "target");
        Tensor difference = prediction - target;
        return (difference * difference).Mean();
    }

    /// <summary>
    /// Binary cross-entropy on probabilities in [0, 1], with each log clamped at −100 as PyTorch does.
    /// Shapes must match.
    /// </summary>
    public static Tensor BinaryCrossEntropy(Tensor probabilities, Tensor target) =>
        Ops.BinaryCrossEntropy.Forward(probabilities, target);

    /// <summary>Binary cross-entropy on logits (sigmoid folded in), stable for logits of any size.</summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor target) =>
        Ops.BinaryCrossEntropyWithLogits.Forward(logits, target);

    /// <summary>Softmax cross-entropy of logits [N,C] against class indices in [0, C).</summary>
    public static Tensor CrossEntropy(Tensor logits, int[] labels) => Ops.CrossEntropy.Forward(logits, labels);
}

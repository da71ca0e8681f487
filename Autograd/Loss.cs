namespace Autograd;

/// <summary>
/// Loss functions, with PyTorch's options and semantics. Each takes a <see cref="Reduction"/> (the mean over the
/// elements by default, PyTorch's default too): Mean and Sum give a scalar, None the per-element losses.
/// </summary>
public static class Loss
{
    /// <summary>Squared error (prediction − target)², reduced. Shapes must match.</summary>
    public static Tensor Mse(Tensor prediction, Tensor target, Reduction reduction = Reduction.Mean)
    {
        Ops.OpChecks.NotNull(prediction, "Mse", "prediction");
        Ops.OpChecks.NotNull(target, "Mse", "target");
        Ops.OpChecks.SameShape("Mse", prediction, target, "prediction", "target");
        Ops.LossReduction.Check("Mse", reduction);
        Tensor difference = prediction - target;
        return Ops.LossReduction.Apply(difference * difference, reduction);
    }

    /// <summary>
    /// Absolute error |prediction − target|, reduced (PyTorch's L1Loss; its gradient is sign(prediction − target),
    /// 0 where they are equal). Shapes must match.
    /// </summary>
    public static Tensor L1(Tensor prediction, Tensor target, Reduction reduction = Reduction.Mean)
    {
        Ops.OpChecks.NotNull(prediction, "L1", "prediction");
        Ops.OpChecks.NotNull(target, "L1", "target");
        Ops.OpChecks.SameShape("L1", prediction, target, "prediction", "target");
        Ops.LossReduction.Check("L1", reduction);
        return Ops.LossReduction.Apply((prediction - target).Abs(), reduction);
    }

    /// <summary>
    /// PyTorch's HuberLoss on d = prediction − target: ½d² where |d| &lt; <paramref name="delta"/>, else
    /// delta·(|d| − ½·delta), reduced. Its gradient is clamp(d, −delta, delta); its second derivative 1 where
    /// |d| &lt; delta and 0 elsewhere, as PyTorch. Shapes must match; delta must be positive.
    /// </summary>
    public static Tensor Huber(Tensor prediction, Tensor target, double delta = 1.0, Reduction reduction = Reduction.Mean)
    {
        Ops.OpChecks.NotNull(prediction, "Huber", "prediction");
        Ops.OpChecks.NotNull(target, "Huber", "target");
        Ops.OpChecks.SameShape("Huber", prediction, target, "prediction", "target");
        Ops.LossReduction.Check("Huber", reduction);
        if (!(delta > 0) || double.IsPositiveInfinity(delta))
        {
            throw new ArgumentOutOfRangeException(nameof(delta), delta, $"Huber: delta must be positive and finite; got {delta}.");
        }

        return Ops.LossReduction.Apply(Ops.Unary.Apply(prediction - target, new Ops.HuberOp(delta)), reduction);
    }

    /// <summary>
    /// Binary cross-entropy on probabilities in [0, 1], with each log clamped at −100 as PyTorch does, reduced.
    /// Shapes must match.
    /// </summary>
    public static Tensor BinaryCrossEntropy(Tensor probabilities, Tensor target, Reduction reduction = Reduction.Mean) =>
        Ops.BinaryCrossEntropy.Forward(probabilities, target, reduction);

    /// <summary>Binary cross-entropy on logits (sigmoid folded in), stable for logits of any size, reduced.</summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor target, Reduction reduction = Reduction.Mean) =>
        Ops.BinaryCrossEntropyWithLogits.Forward(logits, target, reduction);

    /// <summary>Mean softmax cross-entropy of logits [N,C] against class indices in [0, C).</summary>
    public static Tensor CrossEntropy(Tensor logits, int[] labels) => Ops.CrossEntropy.Forward(logits, labels);

    /// <summary>
    /// Softmax cross-entropy as PyTorch's <c>F.cross_entropy</c>, one fused op (a max-shifted log-softmax: finite for
    /// logits of ±1000). <paramref name="logits"/> is [N,C] or [N,C,d1,...] with the classes on axis 1, or [C] for one
    /// sample. <paramref name="target"/> is either
    /// <list type="bullet">
    /// <item>Int64 class indices of the logits' shape without the class axis ([N], [N,d1,...], or [] for [C] logits),
    /// each in [0, C) or equal to <paramref name="ignoreIndex"/> (those positions contribute nothing); or</item>
    /// <item>class probabilities, a floating-point tensor of the logits' shape and dtype (it gets a gradient too);
    /// ignoreIndex must then stay negative.</item>
    /// </list>
    /// <paramref name="weight"/> ([C], no gradient) weighs each class. <paramref name="labelSmoothing"/> ε mixes the
    /// target with the uniform distribution as PyTorch 1.13: per position
    /// (1−ε)·w_y·(−log p_y) + (ε/C)·Σ_k w_k·(−log p_k). With class indices, Mean divides the sum by the total weight
    /// of the targets not ignored (their count without weights), so an all-ignored batch gives NaN, as PyTorch; with
    /// probabilities it divides by the number of positions. None returns one loss per position, the target's shape.
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor target, Tensor? weight = null, int ignoreIndex = -100,
        double labelSmoothing = 0, Reduction reduction = Reduction.Mean) =>
        Ops.CrossEntropy.Forward(logits, target, weight, ignoreIndex, labelSmoothing, reduction);

    /// <summary>
    /// Negative log-likelihood as PyTorch's <c>F.nll_loss</c>: −w_y·logProbabilities[y] per position (use it after
    /// <see cref="Tensor.LogSoftmax"/>; <see cref="CrossEntropy(Tensor, Tensor, Tensor?, int, double, Reduction)"/> fuses
    /// both). Shapes, the Int64 target, <paramref name="weight"/>, <paramref name="ignoreIndex"/> and the mean's
    /// denominator are as for CrossEntropy with class indices.
    /// </summary>
    public static Tensor NllLoss(Tensor logProbabilities, Tensor target, Tensor? weight = null, int ignoreIndex = -100,
        Reduction reduction = Reduction.Mean) =>
        Ops.NllLoss.Forward(logProbabilities, target, weight, ignoreIndex, reduction);
}

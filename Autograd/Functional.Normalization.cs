namespace Autograd;

// Normalisation layers, PyTorch's F.layer_norm and F.batch_norm (Ops/Normalization/).
public static partial class Functional
{
    /// <summary>
    /// Layer normalisation, PyTorch's <c>F.layer_norm</c>: over the trailing dimensions given by
    /// <paramref name="normalizedShape"/>, each slice is normalised by its own mean and biased variance,
    /// <c>y = (x − mean) / √(var + eps) · weight + bias</c>. One fused op with its own gradient for the input, the weight
    /// and the bias.
    /// </summary>
    /// <param name="input">A tensor whose shape ends with <paramref name="normalizedShape"/>.</param>
    /// <param name="normalizedShape">The trailing dimensions to normalise over (at least one).</param>
    /// <param name="weight">Elementwise scale of shape <paramref name="normalizedShape"/>, or null for none.</param>
    /// <param name="bias">Elementwise shift of shape <paramref name="normalizedShape"/>, or null for none.</param>
    /// <param name="eps">Added to the variance for numerical stability.</param>
    /// <returns>A tensor of the input's shape.</returns>
    /// <exception cref="ArgumentException">The input does not end with <paramref name="normalizedShape"/>, or the weight
    /// or bias has another shape or dtype.</exception>
    public static Tensor LayerNorm(Tensor input, int[] normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5) =>
        Ops.LayerNorm.Forward(input, normalizedShape, weight, bias, eps);

    /// <summary>
    /// Batch normalisation, PyTorch's <c>F.batch_norm</c>, on [N,C], [N,C,L] or [N,C,H,W] (channels on axis 1): per
    /// channel, <c>y = (x − mean) / √(var + eps) · weight + bias</c>. With <paramref name="training"/> the mean and biased
    /// variance are the batch's (over N and the spatial axes), and the running statistics, when given, are updated in
    /// place: <c>running = (1 − momentum)·running + momentum·statistic</c>, with the unbiased variance for
    /// <paramref name="runningVar"/>. Without it the running statistics are used, and y is affine in x. One fused op
    /// with its own gradient for the input, the weight and the bias; the running statistics get none.
    /// </summary>
    /// <param name="input">[N,C] or [N,C,d1,...].</param>
    /// <param name="runningMean">Per-channel running mean [C] (not requiring a gradient), or null; required when not training.</param>
    /// <param name="runningVar">Per-channel running variance [C] (not requiring a gradient), or null; required when not training.</param>
    /// <param name="weight">Per-channel scale [C], or null for none.</param>
    /// <param name="bias">Per-channel shift [C], or null for none.</param>
    /// <param name="training">Normalise with the batch statistics and update the running ones (training mode).</param>
    /// <param name="momentum">The weight of the batch statistic in the running update.</param>
    /// <param name="eps">Added to the variance for numerical stability.</param>
    /// <returns>A tensor of the input's shape.</returns>
    /// <exception cref="ArgumentException">The input has fewer than two dimensions, a per-channel tensor is not [C] or has
    /// another dtype, a running statistic requires a gradient or is missing in evaluation mode, or training sees a
    /// single value per channel.</exception>
    public static Tensor BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null, Tensor? bias = null,
        bool training = false, double momentum = 0.1, double eps = 1e-5) =>
        Ops.BatchNorm.Forward(input, runningMean, runningVar, weight, bias, training, momentum, eps);
}

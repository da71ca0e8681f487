namespace Autograd.NN;

/// <summary>
/// Batch normalisation over [N,C,H,W] inputs, PyTorch's <c>nn.BatchNorm2d</c>: per channel (axis 1), statistics over
/// the batch and the spatial positions. Parameters, buffers and train/eval behaviour as <see cref="BatchNorm"/>.
/// </summary>
public sealed class BatchNorm2d : BatchNorm
{
    /// <summary>Creates the layer with PyTorch's defaults.</summary>
    /// <param name="numFeatures">The number of channels C.</param>
    /// <param name="eps">Added to the variance for numerical stability.</param>
    /// <param name="momentum">The weight of each batch in the running statistics; null for a cumulative moving average.</param>
    /// <param name="affine">Whether to learn a per-channel weight (ones) and bias (zeros).</param>
    /// <param name="trackRunningStats">Whether to keep running statistics (and use them in evaluation mode).</param>
    /// <param name="dtype">Element type of the parameters and running statistics.</param>
    public BatchNorm2d(int numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool trackRunningStats = true,
        DType dtype = DType.Float32)
        : base(numFeatures, eps, momentum, affine, trackRunningStats, dtype)
    {
    }

    /// <inheritdoc/>
    protected override string Layout => "[N,C,H,W]";

    /// <inheritdoc/>
    protected override bool AcceptsRank(int rank) => rank == 4;
}

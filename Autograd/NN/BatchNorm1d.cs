namespace Autograd.NN;

/// <summary>
/// Batch normalisation over [N,C] or [N,C,L] inputs, PyTorch's <c>nn.BatchNorm1d</c>: per channel (axis 1), statistics
/// over the batch (and L). Parameters, buffers and train/eval behaviour as <see cref="BatchNorm"/>.
/// </summary>
public sealed class BatchNorm1d : BatchNorm
{
    /// <summary>Creates the layer with PyTorch's defaults.</summary>
    /// <param name="numFeatures">The number of channels C.</param>
    /// <param name="eps">Added to the variance for numerical stability.</param>
    /// <param name="momentum">The weight of each batch in the running statistics; null for a cumulative moving average.</param>
    /// <param name="affine">Whether to learn a per-channel weight (ones) and bias (zeros).</param>
    /// <param name="trackRunningStats">Whether to keep running statistics (and use them in evaluation mode).</param>
    /// <param name="dtype">Element type of the parameters and running statistics.</param>
    public BatchNorm1d(int numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool trackRunningStats = true,
        DType dtype = DType.Float32)
        : base(numFeatures, eps, momentum, affine, trackRunningStats, dtype)
    {
    }

    /// <inheritdoc/>
    protected override string Layout => "[N,C] or [N,C,L]";

    /// <inheritdoc/>
    protected override bool AcceptsRank(int rank) => rank is 2 or 3;
}

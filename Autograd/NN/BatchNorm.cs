using System.Globalization;

namespace Autograd.NN;

/// <summary>
/// What <see cref="BatchNorm1d"/> and <see cref="BatchNorm2d"/> share, PyTorch's <c>_BatchNorm</c>: per-channel
/// parameters <c>weight</c> (ones) and <c>bias</c> (zeros), the buffers <c>running_mean</c> (zeros), <c>running_var</c>
/// (ones) and <c>num_batches_tracked</c> (an Int64 scalar), and the forward pass. In training mode
/// (<see cref="Module.IsTraining"/>) it normalises with the batch statistics and updates the running ones; in
/// evaluation mode it normalises with the running statistics (with the batch's when it does not track them).
/// </summary>
public abstract class BatchNorm : Module
{
    /// <summary>Creates the parameters and buffers.</summary>
    /// <param name="numFeatures">The number of channels C (axis 1 of the input).</param>
    /// <param name="eps">Added to the variance for numerical stability.</param>
    /// <param name="momentum">The weight of each batch in the running statistics; null for a cumulative moving average
    /// (every batch weighs the same: 1/<c>num_batches_tracked</c>).</param>
    /// <param name="affine">Whether to learn a per-channel weight and bias.</param>
    /// <param name="trackRunningStats">Whether to keep running statistics (and use them in evaluation mode).</param>
    /// <param name="dtype">Element type of the parameters and running statistics.</param>
    protected BatchNorm(int numFeatures, double eps, double? momentum, bool affine, bool trackRunningStats, DType dtype)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numFeatures);
        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        if (affine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones([numFeatures], dtype));
            Bias = RegisterParameter("bias", Tensor.Zeros([numFeatures], dtype));
        }

        if (trackRunningStats)
        {
            RunningMean = RegisterBuffer("running_mean", Tensor.Zeros([numFeatures], dtype));
            RunningVar = RegisterBuffer("running_var", Tensor.Ones([numFeatures], dtype));
            NumBatchesTracked = RegisterBuffer("num_batches_tracked", Tensor.Scalar(0, DType.Int64));
        }
    }

    /// <summary>The number of channels C.</summary>
    public int NumFeatures { get; }

    /// <summary>Added to the variance for numerical stability.</summary>
    public double Eps { get; }

    /// <summary>The weight of each batch in the running statistics, or null for a cumulative moving average.</summary>
    public double? Momentum { get; }

    /// <summary>The per-channel scale [C] (ones at first), or null when not affine; its name is <c>"weight"</c>.</summary>
    public Tensor? Weight { get; }

    /// <summary>The per-channel shift [C] (zeros at first), or null when not affine; its name is <c>"bias"</c>.</summary>
    public Tensor? Bias { get; }

    /// <summary>The running mean [C] (a buffer, <c>"running_mean"</c>), or null when running statistics are not tracked.</summary>
    public Tensor? RunningMean { get; }

    /// <summary>The running unbiased variance [C] (a buffer, <c>"running_var"</c>), or null when not tracked.</summary>
    public Tensor? RunningVar { get; }

    /// <summary>The number of training batches seen, an Int64 scalar (a buffer, <c>"num_batches_tracked"</c>), or null when not tracked.</summary>
    public Tensor? NumBatchesTracked { get; }

    /// <summary>The input layout this layer accepts, for errors: <c>"[N,C,H,W]"</c>.</summary>
    protected abstract string Layout { get; }

    /// <summary>Whether <paramref name="rank"/> is a rank this layer accepts.</summary>
    /// <param name="rank">The input's number of dimensions.</param>
    /// <returns>True when the layer accepts it.</returns>
    protected abstract bool AcceptsRank(int rank);

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        string name = GetType().Name;
        if (!AcceptsRank(input.Rank))
        {
            throw new ArgumentException($"{name}: input must be {Layout}; got {ShapeText.Format(input.ShapeSpan)}.", nameof(input));
        }

        if (input.ShapeSpan[1] != NumFeatures)
        {
            throw new ArgumentException(
                $"{name}: input {ShapeText.Format(input.ShapeSpan)} has {input.ShapeSpan[1]} channels (axis 1 of {Layout}); "
                + $"the layer was built for num_features {NumFeatures}.", nameof(input));
        }

        // As PyTorch: count the batch first; momentum null averages every batch so far with the same weight.
        double factor = Momentum ?? 0;
        if (IsTraining && NumBatchesTracked is { } tracked)
        {
            using (Tape.NoGrad())
            {
                tracked.Fill(tracked.Item() + 1);
            }

            factor = Momentum ?? 1 / tracked.Item();
        }

        bool batchStatistics = IsTraining || RunningMean is null;
        return Functional.BatchNorm(input, RunningMean, RunningVar, Weight, Bias, batchStatistics, factor, Eps);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{GetType().Name}({NumFeatures}, eps={Eps.ToString(CultureInfo.InvariantCulture)}, "
        + $"momentum={Momentum?.ToString(CultureInfo.InvariantCulture) ?? "None"}, affine={Weight is not null}, "
        + $"track_running_stats={RunningMean is not null})";
}

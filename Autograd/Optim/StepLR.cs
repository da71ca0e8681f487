namespace Autograd.Optim;

/// <summary>
/// Step decay, PyTorch's <c>StepLR</c>: the learning rate is multiplied by <see cref="Gamma"/>
/// every <see cref="StepSize"/> epochs, so at epoch e it is <c>base·gamma^⌊e/stepSize⌋</c>.
/// </summary>
public sealed class StepLR : LRScheduler
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="optimizer">The optimizer whose learning rate is scheduled.</param>
    /// <param name="stepSize">Epochs between decays, ≥ 1.</param>
    /// <param name="gamma">Multiplicative factor of each decay.</param>
    public StepLR(Optimizer optimizer, int stepSize, double gamma = 0.1)
        : base(optimizer)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepSize);
        StepSize = stepSize;
        Gamma = gamma;
    }

    /// <summary>Epochs between decays.</summary>
    public int StepSize { get; }

    /// <summary>Multiplicative factor of each decay.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    protected override double NextLearningRate(double current) =>
        LastEpoch % StepSize == 0 ? current * Gamma : current;
}

namespace Autograd.Optim;

/// <summary>
/// Cosine annealing, PyTorch's <c>CosineAnnealingLR</c>:
/// <c>η_e = ηmin + (base − ηmin)·(1 + cos(π·e/tMax))/2</c>, reaching <see cref="EtaMin"/> at epoch
/// <see cref="TMax"/> and rising again after it (period 2·tMax). Computed with PyTorch's recursive
/// form, so the sequence matches PyTorch's to the last bits.
/// </summary>
public sealed class CosineAnnealingLR : LRScheduler
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="optimizer">The optimizer whose learning rate is scheduled.</param>
    /// <param name="tMax">Epochs of the half period, ≥ 1.</param>
    /// <param name="etaMin">The minimum learning rate.</param>
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin = 0)
        : base(optimizer)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tMax);
        TMax = tMax;
        EtaMin = etaMin;
    }

    /// <summary>Epochs of the half period.</summary>
    public int TMax { get; }

    /// <summary>The minimum learning rate.</summary>
    public double EtaMin { get; }

    /// <inheritdoc/>
    protected override double NextLearningRate(double current)
    {
        var epoch = LastEpoch;
        if ((epoch - 1 - TMax) % (2 * TMax) == 0)
        {
            return current + ((BaseLearningRate - EtaMin) * (1 - Math.Cos(Math.PI / TMax)) / 2);
        }

        return ((1 + Math.Cos(Math.PI * epoch / TMax)) / (1 + Math.Cos(Math.PI * (epoch - 1) / TMax))
            * (current - EtaMin)) + EtaMin;
    }
}

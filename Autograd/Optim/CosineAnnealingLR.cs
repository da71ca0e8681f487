using System.Text.Json.Nodes;

namespace Autograd.Optim;

/// <summary>
/// Cosine annealing, PyTorch's <c>CosineAnnealingLR</c>:
/// <c>η_e = ηmin + (base − ηmin)·(1 + cos(π·e/tMax))/2</c> per group, reaching <see cref="EtaMin"/> at epoch
/// <see cref="TMax"/> and rising again after it (period 2·tMax). Computed with PyTorch's recursive
/// form, so the sequence matches PyTorch's to the last bits.
/// </summary>
public sealed class CosineAnnealingLR : LRScheduler
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="optimizer">The optimizer whose learning rates are scheduled.</param>
    /// <param name="tMax">Epochs of the half period, ≥ 1.</param>
    /// <param name="etaMin">The minimum learning rate.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tMax"/> is not positive.</exception>
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin = 0)
        : base(optimizer)
    {
        TMax = HyperParameter.Positive(tMax, nameof(tMax));
        EtaMin = etaMin;
        InitialStep();
    }

    /// <summary>Epochs of the half period.</summary>
    public int TMax { get; private set; }

    /// <summary>The minimum learning rate.</summary>
    public double EtaMin { get; private set; }

    /// <inheritdoc/>
    protected override double NextLearningRate(int group, double current)
    {
        var epoch = LastEpoch;
        if (epoch == 0)
        {
            return current;
        }

        if ((epoch - 1 - TMax) % (2 * TMax) == 0)
        {
            return current + ((BaseLearningRates[group] - EtaMin) * (1 - Math.Cos(Math.PI / TMax)) / 2);
        }

        return ((1 + Math.Cos(Math.PI * epoch / TMax)) / (1 + Math.Cos(Math.PI * (epoch - 1) / TMax))
            * (current - EtaMin)) + EtaMin;
    }

    /// <inheritdoc/>
    protected override double ClosedFormLearningRate(int group, double current) =>
        EtaMin + ((BaseLearningRates[group] - EtaMin) * (1 + Math.Cos(Math.PI * LastEpoch / TMax)) / 2);

    /// <inheritdoc/>
    protected override void WriteState(JsonObject json)
    {
        json["T_max"] = TMax;
        json["eta_min"] = StateJson.Number(EtaMin);
    }

    /// <inheritdoc/>
    protected override Action ReadState(JsonObject json, string what)
    {
        var tMax = HyperParameter.Positive(StateJson.ReadInt(StateJson.Required(json, "T_max", what), $"{what}: T_max"), "T_max");
        var etaMin = StateJson.ReadNumber(StateJson.Required(json, "eta_min", what), $"{what}: eta_min");
        return () => (TMax, EtaMin) = (tMax, etaMin);
    }
}

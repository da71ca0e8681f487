using System.Text.Json.Nodes;

namespace Autograd.Optim;

/// <summary>
/// Exponential decay, PyTorch's <c>ExponentialLR</c>: each group's learning rate is multiplied by
/// <see cref="Gamma"/> every epoch, <c>base·gamma^e</c>.
/// </summary>
public sealed class ExponentialLR : LRScheduler
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="optimizer">The optimizer whose learning rates are scheduled.</param>
    /// <param name="gamma">Multiplicative factor of each epoch.</param>
    public ExponentialLR(Optimizer optimizer, double gamma)
        : base(optimizer)
    {
        Gamma = gamma;
        InitialStep();
    }

    /// <summary>Multiplicative factor of each epoch.</summary>
    public double Gamma { get; private set; }

    /// <inheritdoc/>
    protected override double NextLearningRate(int group, double current) => LastEpoch == 0 ? current : current * Gamma;

    /// <inheritdoc/>
    protected override double ClosedFormLearningRate(int group, double current) =>
        BaseLearningRates[group] * Math.Pow(Gamma, LastEpoch);

    /// <inheritdoc/>
    protected override void WriteState(JsonObject json) => json["gamma"] = StateJson.Number(Gamma);

    /// <inheritdoc/>
    protected override Action ReadState(JsonObject json, string what)
    {
        var gamma = StateJson.ReadNumber(StateJson.Required(json, "gamma", what), $"{what}: gamma");
        return () => Gamma = gamma;
    }
}

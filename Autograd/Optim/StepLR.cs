using System.Text.Json.Nodes;

namespace Autograd.Optim;

/// <summary>
/// Step decay, PyTorch's <c>StepLR</c>: each group's learning rate is multiplied by <see cref="Gamma"/>
/// every <see cref="StepSize"/> epochs, so at epoch e it is <c>base·gamma^⌊e/stepSize⌋</c>.
/// </summary>
public sealed class StepLR : LRScheduler
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="optimizer">The optimizer whose learning rates are scheduled.</param>
    /// <param name="stepSize">Epochs between decays, ≥ 1.</param>
    /// <param name="gamma">Multiplicative factor of each decay.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stepSize"/> is not positive.</exception>
    public StepLR(Optimizer optimizer, int stepSize, double gamma = 0.1)
        : base(optimizer)
    {
        StepSize = HyperParameter.Positive(stepSize, nameof(stepSize));
        Gamma = gamma;
        InitialStep();
    }

    /// <summary>Epochs between decays.</summary>
    public int StepSize { get; private set; }

    /// <summary>Multiplicative factor of each decay.</summary>
    public double Gamma { get; private set; }

    /// <inheritdoc/>
    protected override double NextLearningRate(int group, double current) =>
        LastEpoch == 0 || LastEpoch % StepSize != 0 ? current : current * Gamma;

    /// <inheritdoc/>
    protected override double ClosedFormLearningRate(int group, double current) =>
        BaseLearningRates[group] * Math.Pow(Gamma, LastEpoch / StepSize);

    /// <inheritdoc/>
    protected override void WriteState(JsonObject json)
    {
        json["step_size"] = StepSize;
        json["gamma"] = StateJson.Number(Gamma);
    }

    /// <inheritdoc/>
    protected override Action ReadState(JsonObject json, string what)
    {
        var stepSize = StateJson.ReadInt(StateJson.Required(json, "step_size", what), $"{what}: step_size");
        HyperParameter.Positive(stepSize, "step_size");
        var gamma = StateJson.ReadNumber(StateJson.Required(json, "gamma", what), $"{what}: gamma");
        return () => (StepSize, Gamma) = (stepSize, gamma);
    }
}

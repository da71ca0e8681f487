using System.Text.Json.Nodes;

namespace Autograd.Optim;

/// <summary>
/// Linear change of the learning rate's factor, PyTorch's <c>LinearLR</c>: the factor goes from
/// <see cref="StartFactor"/> at epoch 0 to <see cref="EndFactor"/> at epoch <see cref="TotalIters"/>, then stays.
/// The usual warmup, to be followed by another schedule in a <see cref="SequentialLR"/>:
/// <code>new LinearLR(optimizer, startFactor: 0.01, totalIters: 500)</code>
/// </summary>
public sealed class LinearLR : LRScheduler
{
    /// <summary>Creates the schedule and applies <paramref name="startFactor"/>.</summary>
    /// <param name="optimizer">The optimizer whose learning rates are scheduled.</param>
    /// <param name="startFactor">The factor at epoch 0, in (0, 1].</param>
    /// <param name="endFactor">The factor from epoch <paramref name="totalIters"/> on, in [0, 1].</param>
    /// <param name="totalIters">The epochs the change takes, ≥ 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">A factor out of range, or <paramref name="totalIters"/> not positive.</exception>
    public LinearLR(Optimizer optimizer, double startFactor = 1.0 / 3, double endFactor = 1.0, int totalIters = 5)
        : base(optimizer)
    {
        if (!(startFactor > 0 && startFactor <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(startFactor), startFactor,
                $"Starting multiplicative factor expected to be greater than 0 and less or equal to 1, got {startFactor}.");
        }

        if (!(endFactor >= 0 && endFactor <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(endFactor), endFactor,
                $"Ending multiplicative factor expected to be between 0 and 1, got {endFactor}.");
        }

        StartFactor = startFactor;
        EndFactor = endFactor;
        TotalIters = HyperParameter.Positive(totalIters, nameof(totalIters));
        InitialStep();
    }

    /// <summary>The factor at epoch 0.</summary>
    public double StartFactor { get; private set; }

    /// <summary>The factor from epoch <see cref="TotalIters"/> on.</summary>
    public double EndFactor { get; private set; }

    /// <summary>The epochs the change takes.</summary>
    public int TotalIters { get; private set; }

    /// <inheritdoc/>
    protected override double NextLearningRate(int group, double current)
    {
        if (LastEpoch == 0)
        {
            return current * StartFactor;
        }

        if (LastEpoch > TotalIters)
        {
            return current;
        }

        return current * (1.0 + ((EndFactor - StartFactor)
            / ((TotalIters * StartFactor) + ((LastEpoch - 1) * (EndFactor - StartFactor)))));
    }

    /// <inheritdoc/>
    protected override double ClosedFormLearningRate(int group, double current) =>
        BaseLearningRates[group] * (StartFactor + ((EndFactor - StartFactor) * Math.Min(TotalIters, LastEpoch) / TotalIters));

    /// <inheritdoc/>
    protected override void WriteState(JsonObject json)
    {
        json["start_factor"] = StateJson.Number(StartFactor);
        json["end_factor"] = StateJson.Number(EndFactor);
        json["total_iters"] = TotalIters;
    }

    /// <inheritdoc/>
    protected override Action ReadState(JsonObject json, string what)
    {
        var start = StateJson.ReadNumber(StateJson.Required(json, "start_factor", what), $"{what}: start_factor");
        var end = StateJson.ReadNumber(StateJson.Required(json, "end_factor", what), $"{what}: end_factor");
        var total = HyperParameter.Positive(
            StateJson.ReadInt(StateJson.Required(json, "total_iters", what), $"{what}: total_iters"), "total_iters");
        return () => (StartFactor, EndFactor, TotalIters) = (start, end, total);
    }
}

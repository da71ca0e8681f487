using System.Text.Json.Nodes;

namespace Autograd.Optim;

/// <summary>
/// Schedules applied together, PyTorch's <c>ChainedScheduler</c>: each <see cref="Step"/> steps every schedule in
/// order, so their factors compound (a warmup times an exponential decay, say). The schedules are built on the
/// optimizer first, each taking its initial step as usual.
/// <code>
/// var schedule = new ChainedScheduler([new LinearLR(optimizer, startFactor: 0.1, totalIters: 5), new ExponentialLR(optimizer, gamma: 0.95)]);
/// </code>
/// </summary>
public sealed class ChainedScheduler : LRScheduler
{
    private readonly LRScheduler[] _schedulers;

    /// <summary>Chains <paramref name="schedulers"/>, which must all belong to one optimizer.</summary>
    /// <param name="schedulers">The schedules, stepped in this order.</param>
    /// <exception cref="ArgumentException">No schedule, or schedules of different optimizers.</exception>
    public ChainedScheduler(IReadOnlyList<LRScheduler> schedulers)
        : base(CommonOptimizer(schedulers))
    {
        _schedulers = schedulers.ToArray();
        LastEpoch = 0;
        RecordLearningRates();
    }

    /// <summary>The schedules, in the order they are stepped.</summary>
    public IReadOnlyList<LRScheduler> Schedulers => _schedulers;

    /// <inheritdoc/>
    public override void Step()
    {
        StepCount++;
        LastEpoch++;
        foreach (var scheduler in _schedulers)
        {
            scheduler.Step();
        }

        RecordLearningRates();
    }

    /// <inheritdoc/>
    protected override void WriteState(JsonObject json) =>
        json["_schedulers"] = new JsonArray(_schedulers.Select(s => (JsonNode?)s.StateDict()).ToArray());

    /// <inheritdoc/>
    protected override Action ReadState(JsonObject json, string what) => CompositeState.PrepareChildren(json, _schedulers, what);

    private static Optimizer CommonOptimizer(IReadOnlyList<LRScheduler> schedulers)
    {
        ArgumentNullException.ThrowIfNull(schedulers);
        if (schedulers.Count == 0)
        {
            throw new ArgumentException("ChainedScheduler expects at least one scheduler.", nameof(schedulers));
        }

        for (var i = 0; i < schedulers.Count; i++)
        {
            if (schedulers[i] is null || schedulers[i].Optimizer != schedulers[0]?.Optimizer)
            {
                throw new ArgumentException(
                    $"ChainedScheduler expects all schedulers to belong to the same optimizer, but got schedulers at index 0 and {i} to be different.",
                    nameof(schedulers));
            }
        }

        return schedulers[0].Optimizer;
    }
}

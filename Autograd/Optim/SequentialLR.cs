using System.Text.Json.Nodes;

namespace Autograd.Optim;

/// <summary>
/// Schedules one after another, PyTorch's <c>SequentialLR</c>: <c>schedulers[i]</c> runs from milestone i − 1 to
/// milestone i, restarted at epoch 0 (in closed form) when its turn comes. Warmup, then cosine decay:
/// <code>
/// var warmup = new LinearLR(optimizer, startFactor: 0.01, totalIters: 500);
/// var decay = new CosineAnnealingLR(optimizer, tMax: totalSteps - 500);
/// var schedule = new SequentialLR(optimizer, [warmup, decay], milestones: [500]);
/// </code>
/// Construction resets every group to its <c>initial_lr</c> and restarts the first schedule, as PyTorch's.
/// </summary>
public sealed class SequentialLR : LRScheduler
{
    private readonly LRScheduler[] _schedulers;
    private int[] _milestones;

    /// <summary>Chains <paramref name="schedulers"/> at <paramref name="milestones"/>.</summary>
    /// <param name="optimizer">The optimizer all the schedules belong to.</param>
    /// <param name="schedulers">The schedules, in order (not SequentialLR or ChainedScheduler themselves).</param>
    /// <param name="milestones">The epochs at which the next schedule takes over: one fewer than schedules, increasing.</param>
    /// <exception cref="ArgumentException">No schedule, a schedule of another optimizer or a composite one, or
    /// milestones that are not one fewer than the schedules or not increasing.</exception>
    public SequentialLR(Optimizer optimizer, IReadOnlyList<LRScheduler> schedulers, IReadOnlyList<int> milestones)
        : base(optimizer)
    {
        ArgumentNullException.ThrowIfNull(schedulers);
        ArgumentNullException.ThrowIfNull(milestones);
        if (schedulers.Count == 0)
        {
            throw new ArgumentException("SequentialLR expects at least one scheduler.", nameof(schedulers));
        }

        for (var i = 0; i < schedulers.Count; i++)
        {
            if (schedulers[i] is null || schedulers[i].Optimizer != optimizer)
            {
                throw new ArgumentException(
                    $"SequentialLR expects all schedulers to belong to the optimizer passed in, but scheduler {i} does not.", nameof(schedulers));
            }

            if (schedulers[i] is SequentialLR or ChainedScheduler)
            {
                throw new ArgumentException($"SequentialLR cannot restart a {schedulers[i].GetType().Name} (scheduler {i}).", nameof(schedulers));
            }
        }

        if (milestones.Count != schedulers.Count - 1)
        {
            throw new ArgumentException(
                $"SequentialLR expects one milestone fewer than schedulers, but got {schedulers.Count} schedulers and {milestones.Count} milestones.",
                nameof(milestones));
        }

        for (var i = 1; i < milestones.Count; i++)
        {
            if (milestones[i] <= milestones[i - 1])
            {
                throw new ArgumentException($"SequentialLR: milestones must increase, got [{string.Join(", ", milestones)}].", nameof(milestones));
            }
        }

        _schedulers = schedulers.ToArray();
        _milestones = milestones.ToArray();
        LastEpoch = 0;
        foreach (var group in optimizer.ParamGroups)
        {
            group.SetLearningRateUnchecked(group.InitialLearningRate!.Value);
        }

        foreach (var scheduler in _schedulers)
        {
            scheduler.LastEpoch--;   // undo the step each schedule took when it was built
        }

        _schedulers[0].Restart();
        RecordLearningRates();
    }

    /// <summary>The schedules, in order.</summary>
    public IReadOnlyList<LRScheduler> Schedulers => _schedulers;

    /// <summary>The epochs at which the next schedule takes over.</summary>
    public IReadOnlyList<int> Milestones => _milestones;

    /// <inheritdoc/>
    public override void Step()
    {
        StepCount++;
        LastEpoch++;
        var index = 0;
        while (index < _milestones.Length && _milestones[index] <= LastEpoch)
        {
            index++;   // Python's bisect_right
        }

        var scheduler = _schedulers[index];
        if (index > 0 && _milestones[index - 1] == LastEpoch)
        {
            scheduler.StepTo(0);
        }
        else
        {
            scheduler.Step();
        }

        RecordLearningRates();
    }

    /// <inheritdoc/>
    protected override void WriteState(JsonObject json)
    {
        json["_milestones"] = StateJson.Ints(_milestones);
        json["_schedulers"] = new JsonArray(_schedulers.Select(s => (JsonNode?)s.StateDict()).ToArray());
    }

    /// <inheritdoc/>
    protected override Action ReadState(JsonObject json, string what)
    {
        var milestones = StateJson.ReadInts(StateJson.Required(json, "_milestones", what), $"{what}: _milestones");
        if (milestones.Length != _milestones.Length)
        {
            throw new ArgumentException($"{what}: the state dict has {milestones.Length} milestones, the schedule {_milestones.Length}.");
        }

        var loads = CompositeState.PrepareChildren(json, _schedulers, what);
        return () =>
        {
            _milestones = milestones;
            loads();
        };
    }
}

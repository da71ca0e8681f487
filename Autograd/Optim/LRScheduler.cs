using System.Text.Json.Nodes;

namespace Autograd.Optim;

/// <summary>
/// Base class of learning-rate schedules, PyTorch 1.13's <c>torch.optim.lr_scheduler._LRScheduler</c>. Call
/// <see cref="Step"/> after the optimizer's steps (once per epoch or per batch, as the schedule is meant); it
/// advances <see cref="LastEpoch"/> and writes each group's new rate into its <see cref="ParamGroup.LearningRate"/>.
/// </summary>
/// <remarks>
/// Each group has its own base rate, PyTorch's <c>initial_lr</c>: the first schedule attached to an optimizer
/// records every group's current rate there, and every schedule takes its <see cref="BaseLearningRates"/> from it,
/// so schedules chained on one optimizer (<see cref="SequentialLR"/>, <see cref="ChainedScheduler"/>) share the
/// same bases. Construction performs PyTorch's initial step (epoch 0), which most schedules leave at the current
/// rate; <see cref="LambdaLR"/>, <see cref="LinearLR"/> and <see cref="OneCycleLR"/> set their epoch-0 rate there.
/// The rates are PyTorch's chainable (recursive) formulas, so the sequences agree with PyTorch's to the last bits.
/// </remarks>
public abstract class LRScheduler
{
    private readonly double[] _baseLearningRates;
    private double[] _lastLearningRates;

    /// <summary>Attaches the schedule to <paramref name="optimizer"/>: sets each group's <c>initial_lr</c> unless a
    /// schedule did already, and takes those as the base rates. Call <see cref="InitialStep"/> at the end of the
    /// derived constructor.</summary>
    /// <param name="optimizer">The optimizer whose learning rates are scheduled.</param>
    protected LRScheduler(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        foreach (var group in optimizer.ParamGroups)
        {
            group.InitialLearningRate ??= group.LearningRate;
        }

        _baseLearningRates = optimizer.ParamGroups.Select(g => g.InitialLearningRate!.Value).ToArray();
        _lastLearningRates = CurrentLearningRates();
        LastEpoch = -1;
    }

    /// <summary>The optimizer whose learning rates are scheduled.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>Each group's base rate (PyTorch's <c>base_lrs</c>).</summary>
    public IReadOnlyList<double> BaseLearningRates => _baseLearningRates;

    /// <summary>The base rate, when every group has the same (PyTorch's <c>base_lrs[0]</c> for one group).</summary>
    /// <exception cref="InvalidOperationException">The groups' base rates differ: read <see cref="BaseLearningRates"/>.</exception>
    public double BaseLearningRate => Single(_baseLearningRates, "base learning rates", nameof(BaseLearningRates));

    /// <summary>The number of <see cref="Step"/> calls so far (PyTorch's <c>last_epoch</c>).</summary>
    public int LastEpoch { get; internal set; }

    /// <summary>Each group's rate after the last step (PyTorch's <c>get_last_lr()</c>).</summary>
    public IReadOnlyList<double> LastLearningRates => _lastLearningRates;

    /// <summary>The rate the last step set, when every group has the same.</summary>
    /// <exception cref="InvalidOperationException">The groups' rates differ: read <see cref="LastLearningRates"/>.</exception>
    public double LastLearningRate => Single(_lastLearningRates, "learning rates", nameof(LastLearningRates));

    /// <summary>The number of steps taken, construction's included (PyTorch's <c>_step_count</c>).</summary>
    internal int StepCount { get; set; }

    /// <summary>Advances one epoch and sets every group's learning rate (PyTorch's <c>step()</c>).</summary>
    public virtual void Step()
    {
        StepCount++;
        LastEpoch++;
        Apply(NextLearningRate);
    }

    /// <summary>
    /// The schedule's state, PyTorch's <c>state_dict()</c>: its hyper-parameters under PyTorch's names and
    /// <c>base_lrs</c>, <c>last_epoch</c>, <c>_step_count</c>, <c>_last_lr</c> (a function, as LambdaLR's, is not
    /// state). Save the optimizer's state with it: the groups' <c>initial_lr</c> and rates live there.
    /// </summary>
    /// <returns>A new JSON object.</returns>
    public JsonObject StateDict()
    {
        var json = new JsonObject();
        WriteState(json);
        json["base_lrs"] = StateJson.Numbers(_baseLearningRates);
        json["last_epoch"] = LastEpoch;
        json["_step_count"] = StepCount;
        json["_last_lr"] = StateJson.Numbers(_lastLearningRates);
        return json;
    }

    /// <summary>
    /// Restores a state written by <see cref="StateDict"/>, PyTorch's <c>load_state_dict</c> (hyper-parameters
    /// included, as PyTorch's <c>__dict__.update</c>). PyTorch's <c>verbose</c> and
    /// <c>_get_lr_called_within_step</c> are accepted and ignored. Everything is checked before anything changes.
    /// </summary>
    /// <param name="stateDict">The state.</param>
    /// <exception cref="ArgumentException">A missing or malformed key, or a count of rates that differs from the
    /// optimizer's number of groups.</exception>
    public void LoadStateDict(JsonObject stateDict)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        PrepareLoad(stateDict, $"{GetType().Name}.LoadStateDict")();
    }

    /// <summary>Checks a state dict and returns the action that loads it (composite schedules check every child
    /// before any loads).</summary>
    internal Action PrepareLoad(JsonObject stateDict, string what)
    {
        var groups = Optimizer.ParamGroups.Count;
        var baseLearningRates = StateJson.ReadNumbers(StateJson.Required(stateDict, "base_lrs", what), $"{what}: base_lrs");
        StateJson.CheckGroupCount(baseLearningRates.Length, groups, $"{what}: base_lrs");
        var lastEpoch = StateJson.ReadInt(StateJson.Required(stateDict, "last_epoch", what), $"{what}: last_epoch");
        var stepCount = StateJson.ReadInt(StateJson.Required(stateDict, "_step_count", what), $"{what}: _step_count");
        var lastLearningRates = StateJson.ReadNumbers(StateJson.Required(stateDict, "_last_lr", what), $"{what}: _last_lr");
        StateJson.CheckGroupCount(lastLearningRates.Length, groups, $"{what}: _last_lr");
        var commit = ReadState(stateDict, what);
        return () =>
        {
            commit();
            baseLearningRates.CopyTo(_baseLearningRates, 0);
            LastEpoch = lastEpoch;
            StepCount = stepCount;
            _lastLearningRates = lastLearningRates;
        };
    }

    /// <summary>
    /// PyTorch's <c>get_lr()</c> for one group, in its chainable form: the rate for epoch <see cref="LastEpoch"/>
    /// (already advanced) from the group's current one. The base class keeps the current rate (a constant
    /// schedule); schedules that step differently (<see cref="SequentialLR"/>) override <see cref="Step"/> instead.
    /// </summary>
    /// <param name="group">The group's position.</param>
    /// <param name="current">The group's learning rate before this step.</param>
    /// <returns>The new learning rate.</returns>
    protected virtual double NextLearningRate(int group, double current) => current;

    /// <summary>
    /// The rate for epoch <see cref="LastEpoch"/> in closed form, used when <see cref="SequentialLR"/> restarts a
    /// schedule at epoch 0 (PyTorch's <c>_get_closed_form_lr</c>, or <c>get_lr()</c> for schedules without one).
    /// </summary>
    /// <param name="group">The group's position.</param>
    /// <param name="current">The group's learning rate before this step.</param>
    /// <returns>The new learning rate.</returns>
    protected virtual double ClosedFormLearningRate(int group, double current) => NextLearningRate(group, current);

    /// <summary>Writes the derived schedule's hyper-parameters and state, under PyTorch's names.</summary>
    /// <param name="json">The state dict being written.</param>
    protected virtual void WriteState(JsonObject json)
    {
    }

    /// <summary>Reads and checks what <see cref="WriteState"/> wrote, changing nothing; returns the action that
    /// stores it, run once everything is checked.</summary>
    /// <param name="json">The state dict being loaded.</param>
    /// <param name="what">The prefix of error messages.</param>
    /// <returns>The action that stores the values read.</returns>
    protected virtual Action ReadState(JsonObject json, string what) => () => { };

    /// <summary>PyTorch's <c>_initial_step</c>: resets the step count and takes the epoch-0 step. Derived
    /// constructors call it last, once their fields are set.</summary>
    protected void InitialStep()
    {
        StepCount = 0;
        Step();
    }

    /// <summary>PyTorch's <c>_initial_step</c> on a schedule SequentialLR restarts.</summary>
    internal void Restart() => InitialStep();

    /// <summary>Sets <see cref="LastEpoch"/> to <paramref name="epoch"/> and the rates in closed form (PyTorch's
    /// deprecated <c>step(epoch)</c>, which SequentialLR calls with 0 at a milestone).</summary>
    internal void StepTo(int epoch)
    {
        StepCount++;
        LastEpoch = epoch;
        Apply(ClosedFormLearningRate);
    }

    /// <summary>Records every group's current rate as the last one (for schedules that set the rates themselves).</summary>
    protected void RecordLearningRates() => _lastLearningRates = CurrentLearningRates();

    /// <summary>Sets every group's rate from <paramref name="rate"/>, group by group, then records them.</summary>
    private void Apply(Func<int, double, double> rate)
    {
        var groups = Optimizer.ParamGroups;
        if (groups.Count != _baseLearningRates.Length)
        {
            throw new InvalidOperationException(
                $"{GetType().Name}: the optimizer has {groups.Count} parameter groups, the schedule was built for {_baseLearningRates.Length}; "
                + "build the schedule after AddParamGroup.");
        }

        for (var g = 0; g < groups.Count; g++)
        {
            groups[g].SetLearningRateUnchecked(rate(g, groups[g].LearningRate!.Value));
        }

        RecordLearningRates();
    }

    private double[] CurrentLearningRates() => Optimizer.ParamGroups.Select(g => g.LearningRate!.Value).ToArray();

    private static double Single(double[] values, string what, string listName)
    {
        if (values.Any(v => v != values[0]))
        {
            throw new InvalidOperationException(
                $"The schedule's {values.Length} parameter groups have different {what} ({string.Join(", ", values)}); read {listName}.");
        }

        return values[0];
    }
}

using System.Text.Json.Nodes;

namespace Autograd.Optim;

/// <summary>
/// The 1cycle policy, PyTorch's <c>OneCycleLR</c>, stepped once per batch: each group's rate rises from
/// <c>maxLr/divFactor</c> to <c>maxLr</c> over the first <c>pctStart</c> of the steps, then falls to
/// <c>maxLr/divFactor/finalDivFactor</c> (with <c>threePhase</c>: back down to the start, then to the minimum).
/// With <c>cycleMomentum</c> the momentum (or Adam's β1) moves the opposite way between <c>maxMomentum</c> and
/// <c>baseMomentum</c>. The schedule writes <c>initial_lr</c>, <c>max_lr</c>, <c>min_lr</c>, <c>max_momentum</c>
/// and <c>base_momentum</c> into the groups, as PyTorch's. It may be stepped <c>totalSteps</c> times; one more
/// step throws. As in PyTorch, the last of those steps extrapolates one step past the end of the last phase.
/// </summary>
public sealed class OneCycleLR : LRScheduler
{
    private Phase[] _phases;

    /// <summary>Creates the schedule with the same peak rate for every group.</summary>
    /// <param name="optimizer">The optimizer whose learning rates (and momenta) are scheduled.</param>
    /// <param name="maxLr">The peak learning rate.</param>
    /// <param name="totalSteps">The number of steps of the cycle; or give <paramref name="epochs"/> and <paramref name="stepsPerEpoch"/>.</param>
    /// <param name="epochs">The number of epochs, with <paramref name="stepsPerEpoch"/>, when <paramref name="totalSteps"/> is null.</param>
    /// <param name="stepsPerEpoch">The number of steps per epoch.</param>
    /// <param name="pctStart">The fraction of the steps spent raising the rate, in [0, 1].</param>
    /// <param name="annealStrategy">Cosine or linear annealing within each phase.</param>
    /// <param name="cycleMomentum">Cycle the momentum (SGD, RMSprop) or β1 (Adam, AdamW) inversely to the rate.</param>
    /// <param name="baseMomentum">The momentum at the peak rate.</param>
    /// <param name="maxMomentum">The momentum at the start and end of the cycle.</param>
    /// <param name="divFactor">The start rate is <c>maxLr/divFactor</c>.</param>
    /// <param name="finalDivFactor">The final rate is the start rate divided by this.</param>
    /// <param name="threePhase">Use PyTorch's three phases (up, down to the start rate, down to the minimum).</param>
    /// <exception cref="ArgumentException">No way to know the number of steps, a count or fraction out of range, or
    /// momentum cycling for an optimizer without momentum or betas.</exception>
    public OneCycleLR(Optimizer optimizer, double maxLr, int? totalSteps = null, int? epochs = null, int? stepsPerEpoch = null,
        double pctStart = 0.3, AnnealStrategy annealStrategy = AnnealStrategy.Cos, bool cycleMomentum = true,
        double baseMomentum = 0.85, double maxMomentum = 0.95, double divFactor = 25, double finalDivFactor = 1e4,
        bool threePhase = false)
        : this(optimizer, Settings.Create(optimizer, Repeat(optimizer, maxLr), totalSteps, epochs, stepsPerEpoch, pctStart,
            annealStrategy, cycleMomentum, Repeat(optimizer, baseMomentum), Repeat(optimizer, maxMomentum), divFactor,
            finalDivFactor, threePhase))
    {
    }

    /// <summary>Creates the schedule with a peak rate (and optionally momenta) per group.</summary>
    /// <param name="optimizer">The optimizer whose learning rates (and momenta) are scheduled.</param>
    /// <param name="maxLrs">The peak learning rate of each group.</param>
    /// <param name="totalSteps">The number of steps of the cycle; or give <paramref name="epochs"/> and <paramref name="stepsPerEpoch"/>.</param>
    /// <param name="epochs">The number of epochs, with <paramref name="stepsPerEpoch"/>, when <paramref name="totalSteps"/> is null.</param>
    /// <param name="stepsPerEpoch">The number of steps per epoch.</param>
    /// <param name="pctStart">The fraction of the steps spent raising the rate, in [0, 1].</param>
    /// <param name="annealStrategy">Cosine or linear annealing within each phase.</param>
    /// <param name="cycleMomentum">Cycle the momentum (or β1) inversely to the rate.</param>
    /// <param name="baseMomentums">The momentum at the peak rate, per group (null: 0.85 for each).</param>
    /// <param name="maxMomentums">The momentum at the start and end, per group (null: 0.95 for each).</param>
    /// <param name="divFactor">The start rate is <c>maxLr/divFactor</c>.</param>
    /// <param name="finalDivFactor">The final rate is the start rate divided by this.</param>
    /// <param name="threePhase">Use PyTorch's three phases.</param>
    /// <exception cref="ArgumentException">As the other constructor, or a list whose length is not the number of groups.</exception>
    public OneCycleLR(Optimizer optimizer, IReadOnlyList<double> maxLrs, int? totalSteps = null, int? epochs = null,
        int? stepsPerEpoch = null, double pctStart = 0.3, AnnealStrategy annealStrategy = AnnealStrategy.Cos,
        bool cycleMomentum = true, IReadOnlyList<double>? baseMomentums = null, IReadOnlyList<double>? maxMomentums = null,
        double divFactor = 25, double finalDivFactor = 1e4, bool threePhase = false)
        : this(optimizer, Settings.Create(optimizer, maxLrs, totalSteps, epochs, stepsPerEpoch, pctStart, annealStrategy,
            cycleMomentum, baseMomentums ?? Repeat(optimizer, 0.85), maxMomentums ?? Repeat(optimizer, 0.95), divFactor,
            finalDivFactor, threePhase))
    {
    }

    private OneCycleLR(Optimizer optimizer, Settings settings)
        : base(settings.Prepare(optimizer))
    {
        TotalSteps = settings.TotalSteps;
        _phases = settings.Phases;
        AnnealStrategy = settings.AnnealStrategy;
        CycleMomentum = settings.CycleMomentum;
        UseBeta1 = settings.UseBeta1;
        InitialStep();
    }

    /// <summary>Names the group values the phases run between (PyTorch's keys).</summary>
    private enum GroupValue
    {
        InitialLr,
        MaxLr,
        MinLr,
        MaxMomentum,
        BaseMomentum,
    }

    /// <summary>The number of steps of the cycle.</summary>
    public int TotalSteps { get; private set; }

    /// <summary>Cosine or linear annealing.</summary>
    public AnnealStrategy AnnealStrategy { get; private set; }

    /// <summary>Whether the momentum (or β1) cycles.</summary>
    public bool CycleMomentum { get; private set; }

    /// <summary>Whether the cycled momentum is Adam's β1 (the optimizer has betas) rather than a momentum.</summary>
    public bool UseBeta1 { get; private set; }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">Stepped more than <see cref="TotalSteps"/> times.</exception>
    protected override double NextLearningRate(int group, double current)
    {
        var step = LastEpoch;
        if (step > TotalSteps)
        {
            throw new InvalidOperationException(
                $"OneCycleLR: tried to step {step + 1} times; the specified number of total steps is {TotalSteps}.");
        }

        var paramGroup = Optimizer.ParamGroups[group];
        double startStep = 0;
        for (var i = 0; i < _phases.Length; i++)
        {
            var phase = _phases[i];
            if (step <= phase.EndStep || i == _phases.Length - 1)
            {
                var length = phase.EndStep - startStep;
                if (length == 0)
                {
                    throw new InvalidOperationException(
                        $"OneCycleLR: phase {i} has no steps (it ends at step {phase.EndStep}); choose pctStart and totalSteps so that every phase has some.");
                }

                var pct = (step - startStep) / length;
                if (CycleMomentum)
                {
                    var momentum = Anneal(Read(paramGroup, phase.StartMomentum), Read(paramGroup, phase.EndMomentum), pct);
                    if (UseBeta1)
                    {
                        paramGroup.SetBetasUnchecked((momentum, paramGroup.Betas!.Value.Beta2));
                    }
                    else
                    {
                        paramGroup.SetMomentumUnchecked(momentum);
                    }
                }

                return Anneal(Read(paramGroup, phase.StartLr), Read(paramGroup, phase.EndLr), pct);
            }

            startStep = phase.EndStep;
        }

        throw new InvalidOperationException("OneCycleLR has no phases.");
    }

    /// <inheritdoc/>
    protected override void WriteState(JsonObject json)
    {
        json["total_steps"] = TotalSteps;
        json["_schedule_phases"] = new JsonArray(_phases.Select(p => (JsonNode?)new JsonObject
        {
            ["end_step"] = StateJson.Number(p.EndStep),
            ["start_lr"] = Name(p.StartLr),
            ["end_lr"] = Name(p.EndLr),
            ["start_momentum"] = Name(p.StartMomentum),
            ["end_momentum"] = Name(p.EndMomentum),
        }).ToArray());
        json["anneal_strategy"] = AnnealStrategy == AnnealStrategy.Cos ? "cos" : "linear";
        json["cycle_momentum"] = CycleMomentum;
        if (CycleMomentum)
        {
            json["use_beta1"] = UseBeta1;
        }
    }

    /// <inheritdoc/>
    protected override Action ReadState(JsonObject json, string what)
    {
        var totalSteps = HyperParameter.Positive(
            StateJson.ReadInt(StateJson.Required(json, "total_steps", what), $"{what}: total_steps"), "total_steps");
        var phases = StateJson.ReadArray(StateJson.Required(json, "_schedule_phases", what), $"{what}: _schedule_phases")
            .Select((node, i) => ReadPhase(StateJson.ReadObject(node, $"{what}: _schedule_phases[{i}]"), $"{what}: _schedule_phases[{i}]"))
            .ToArray();
        if (phases.Length == 0)
        {
            throw new ArgumentException($"{what}: _schedule_phases is empty.");
        }

        var anneal = StateJson.ReadString(StateJson.Required(json, "anneal_strategy", what), $"{what}: anneal_strategy") switch
        {
            "cos" => AnnealStrategy.Cos,
            "linear" => AnnealStrategy.Linear,
            var other => throw new ArgumentException($"{what}: anneal_strategy must be 'cos' or 'linear', got '{other}'."),
        };
        var cycle = StateJson.ReadBool(StateJson.Required(json, "cycle_momentum", what), $"{what}: cycle_momentum");
        var useBeta1 = cycle && StateJson.ReadBool(StateJson.Required(json, "use_beta1", what), $"{what}: use_beta1");
        return () => (TotalSteps, _phases, AnnealStrategy, CycleMomentum, UseBeta1) = (totalSteps, phases, anneal, cycle, useBeta1);
    }

    private static double[] Repeat(Optimizer optimizer, double value)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        return Enumerable.Repeat(value, optimizer.ParamGroups.Count).ToArray();
    }

    private double Anneal(double start, double end, double pct) => AnnealStrategy == AnnealStrategy.Cos
        ? end + ((start - end) / 2.0 * (Math.Cos(Math.PI * pct) + 1))
        : ((end - start) * pct) + start;

    private static double Read(ParamGroup group, GroupValue value) => (value switch
    {
        GroupValue.InitialLr => group.InitialLearningRate,
        GroupValue.MaxLr => group.MaxLearningRate,
        GroupValue.MinLr => group.MinLearningRate,
        GroupValue.MaxMomentum => group.MaxMomentum,
        _ => group.BaseMomentum,
    }) ?? throw new InvalidOperationException($"OneCycleLR: the parameter group has no '{Name(value)}'.");

    private static string Name(GroupValue value) => value switch
    {
        GroupValue.InitialLr => "initial_lr",
        GroupValue.MaxLr => "max_lr",
        GroupValue.MinLr => "min_lr",
        GroupValue.MaxMomentum => "max_momentum",
        _ => "base_momentum",
    };

    private static Phase ReadPhase(JsonObject json, string what)
    {
        GroupValue Value(string key)
        {
            var name = StateJson.ReadString(StateJson.Required(json, key, what), $"{what}.{key}");
            return Enum.GetValues<GroupValue>().Where(v => Name(v) == name).Select(v => (GroupValue?)v).FirstOrDefault()
                ?? throw new ArgumentException($"{what}.{key}: '{name}' is not a OneCycleLR group value.");
        }

        return new Phase(StateJson.ReadNumber(StateJson.Required(json, "end_step", what), $"{what}.end_step"),
            Value("start_lr"), Value("end_lr"), Value("start_momentum"), Value("end_momentum"));
    }

    /// <summary>One phase: it ends at <see cref="EndStep"/> and anneals between the named group values.</summary>
    private readonly record struct Phase(double EndStep, GroupValue StartLr, GroupValue EndLr, GroupValue StartMomentum,
        GroupValue EndMomentum);

    /// <summary>The checked arguments, and the writing of the group values, done before the base constructor
    /// (PyTorch sets <c>initial_lr</c> before the base class reads it).</summary>
    private sealed record Settings(int TotalSteps, Phase[] Phases, AnnealStrategy AnnealStrategy, bool CycleMomentum,
        bool UseBeta1, double[] MaxLrs, double[] BaseMomentums, double[] MaxMomentums, double DivFactor, double FinalDivFactor)
    {
        public static Settings Create(Optimizer optimizer, IReadOnlyList<double> maxLrs, int? totalSteps, int? epochs,
            int? stepsPerEpoch, double pctStart, AnnealStrategy annealStrategy, bool cycleMomentum,
            IReadOnlyList<double> baseMomentums, IReadOnlyList<double> maxMomentums, double divFactor, double finalDivFactor,
            bool threePhase)
        {
            ArgumentNullException.ThrowIfNull(optimizer);
            ArgumentNullException.ThrowIfNull(maxLrs);
            int steps;
            if (totalSteps is { } total)
            {
                steps = HyperParameter.Positive(total, nameof(totalSteps));
            }
            else if (epochs is { } e && stepsPerEpoch is { } perEpoch)
            {
                steps = checked(HyperParameter.Positive(e, nameof(epochs)) * HyperParameter.Positive(perEpoch, nameof(stepsPerEpoch)));
            }
            else
            {
                throw new ArgumentException("OneCycleLR: you must define either totalSteps OR (epochs AND stepsPerEpoch).");
            }

            if (!(pctStart >= 0 && pctStart <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(pctStart), pctStart,
                    $"Expected a pctStart between 0 and 1, but got {pctStart}.");
            }

            if (!Enum.IsDefined(annealStrategy))
            {
                throw new ArgumentOutOfRangeException(nameof(annealStrategy), annealStrategy, "annealStrategy must be Cos or Linear.");
            }

            var phases = threePhase
                ? new Phase[]
                {
                    new((pctStart * steps) - 1, GroupValue.InitialLr, GroupValue.MaxLr, GroupValue.MaxMomentum, GroupValue.BaseMomentum),
                    new((2 * pctStart * steps) - 2, GroupValue.MaxLr, GroupValue.InitialLr, GroupValue.BaseMomentum, GroupValue.MaxMomentum),
                    new(steps - 1, GroupValue.InitialLr, GroupValue.MinLr, GroupValue.MaxMomentum, GroupValue.MaxMomentum),
                }
                : new Phase[]
                {
                    new((pctStart * steps) - 1, GroupValue.InitialLr, GroupValue.MaxLr, GroupValue.MaxMomentum, GroupValue.BaseMomentum),
                    new(steps - 1, GroupValue.MaxLr, GroupValue.MinLr, GroupValue.BaseMomentum, GroupValue.MaxMomentum),
                };

            var groups = optimizer.ParamGroups.Count;
            var useBeta1 = false;
            if (cycleMomentum)
            {
                var hasMomentum = optimizer.Defaults.Momentum is not null;
                useBeta1 = optimizer.Defaults.Betas is not null;
                if (!hasMomentum && !useBeta1)
                {
                    throw new ArgumentException(
                        $"OneCycleLR: {optimizer.GetType().Name} has neither a momentum nor betas to cycle; pass cycleMomentum: false.",
                        nameof(cycleMomentum));
                }
            }

            return new Settings(steps, phases, annealStrategy, cycleMomentum, useBeta1,
                PerGroup(maxLrs, groups, "max_lr"), PerGroup(baseMomentums, groups, "base_momentum"),
                PerGroup(maxMomentums, groups, "max_momentum"), divFactor, finalDivFactor);
        }

        /// <summary>Writes the groups' start, peak and final rates and (when cycling) momenta; returns the optimizer.</summary>
        public Optimizer Prepare(Optimizer optimizer)
        {
            for (var g = 0; g < optimizer.ParamGroups.Count; g++)
            {
                var group = optimizer.ParamGroups[g];
                group.InitialLearningRate = MaxLrs[g] / DivFactor;
                group.MaxLearningRate = MaxLrs[g];
                group.MinLearningRate = group.InitialLearningRate / FinalDivFactor;
                if (CycleMomentum)
                {
                    if (UseBeta1)
                    {
                        group.SetBetasUnchecked((MaxMomentums[g], group.Betas!.Value.Beta2));
                    }
                    else
                    {
                        group.SetMomentumUnchecked(MaxMomentums[g]);
                    }

                    group.MaxMomentum = MaxMomentums[g];
                    group.BaseMomentum = BaseMomentums[g];
                }
            }

            return optimizer;
        }

        /// <summary>One value per group: a single value repeated, or a list of exactly as many.</summary>
        private static double[] PerGroup(IReadOnlyList<double> values, int groups, string name)
        {
            ArgumentNullException.ThrowIfNull(values, name);
            return values.Count == groups
                ? values.ToArray()
                : throw new ArgumentException($"OneCycleLR: expected {groups} values for {name}, got {values.Count}.", name);
        }
    }
}

using System.Text.Json.Nodes;

namespace Autograd.Optim;

/// <summary>
/// A parameter group, PyTorch's <c>param_groups[i]</c>: parameters with their own options. An option left null
/// takes the optimizer's default when the group joins it (constructor or <see cref="Optimizer.AddParamGroup"/>),
/// as PyTorch's <c>setdefault</c>; afterwards every option the optimizer uses is set, and the optimizer reads
/// the group's values at each step, so changing one (say <see cref="LearningRate"/>) takes effect at the next
/// step. No weight decay on biases and normalisation weights, for example:
/// <code>
/// var decay = model.NamedParameters().Where(p => p.Value.Rank &gt;= 2).Select(p => p.Value);
/// var noDecay = model.NamedParameters().Where(p => p.Value.Rank &lt; 2).Select(p => p.Value);
/// var optimizer = new AdamW([new ParamGroup(decay), new ParamGroup(noDecay) { WeightDecay = 0 }], lr: 3e-4);
/// </code>
/// Setting an option the optimizer does not have (<see cref="Betas"/> on <see cref="Sgd"/>) makes the join
/// throw. The options after <see cref="InitialLearningRate"/> are written by schedules, as in PyTorch.
/// </summary>
public sealed class ParamGroup
{
    private static readonly OptionInfo[] _options =
    [
        new("lr", OptionKind.Number, false),
        new("momentum", OptionKind.Number, false),
        new("dampening", OptionKind.Number, false),
        new("alpha", OptionKind.Number, false),
        new("betas", OptionKind.Pair, false),
        new("betas[1]", OptionKind.PairSecond, false),
        new("eps", OptionKind.Number, false),
        new("lr_decay", OptionKind.Number, false),
        new("weight_decay", OptionKind.Number, false),
        new("initial_accumulator_value", OptionKind.Number, false),
        new("nesterov", OptionKind.Flag, false),
        new("amsgrad", OptionKind.Flag, false),
        new("centered", OptionKind.Flag, false),
        new("maximize", OptionKind.Flag, false),
        new("initial_lr", OptionKind.Number, true),
        new("max_lr", OptionKind.Number, true),
        new("min_lr", OptionKind.Number, true),
        new("max_momentum", OptionKind.Number, true),
        new("base_momentum", OptionKind.Number, true),
    ];

    // Flags are stored as 0/1 and betas in two slots, so that one array holds every option.
    private readonly double?[] _values = new double?[_options.Length];

    /// <summary>A group of <paramref name="parameters"/> whose options are all unset (the optimizer's defaults).</summary>
    /// <param name="parameters">Leaf tensors, each once; the optimizer checks them when the group joins.</param>
    public ParamGroup(IEnumerable<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters.ToArray();
    }

    private enum OptionKind
    {
        Number,
        Flag,
        Pair,
        PairSecond,
    }

    private enum Option
    {
        Lr,
        Momentum,
        Dampening,
        Alpha,
        Beta1,
        Beta2,
        Eps,
        LrDecay,
        WeightDecay,
        InitialAccumulatorValue,
        Nesterov,
        Amsgrad,
        Centered,
        Maximize,
        InitialLr,
        MaxLr,
        MinLr,
        MaxMomentum,
        BaseMomentum,
    }

    /// <summary>The group's parameters, in the order given.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>Learning rate (<c>lr</c>), ≥ 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative value or NaN.</exception>
    public double? LearningRate
    {
        get => _values[(int)Option.Lr];
        set => _values[(int)Option.Lr] = Checked(value, nameof(LearningRate), "learning rate");
    }

    /// <summary>Momentum factor (<c>momentum</c>: <see cref="Sgd"/>, <see cref="RMSprop"/>), ≥ 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative value or NaN.</exception>
    public double? Momentum
    {
        get => _values[(int)Option.Momentum];
        set => _values[(int)Option.Momentum] = Checked(value, nameof(Momentum), "momentum value");
    }

    /// <summary>Dampening of the momentum (<c>dampening</c>: <see cref="Sgd"/>).</summary>
    public double? Dampening
    {
        get => _values[(int)Option.Dampening];
        set => _values[(int)Option.Dampening] = value;
    }

    /// <summary>Smoothing constant of the squared-gradient average (<c>alpha</c>: <see cref="RMSprop"/>), ≥ 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative value or NaN.</exception>
    public double? Alpha
    {
        get => _values[(int)Option.Alpha];
        set => _values[(int)Option.Alpha] = Checked(value, nameof(Alpha), "alpha value");
    }

    /// <summary>Decays of the moment averages (<c>betas</c>: <see cref="Adam"/>, <see cref="AdamW"/>), each in [0, 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A beta outside [0, 1).</exception>
    public (double Beta1, double Beta2)? Betas
    {
        get => _values[(int)Option.Beta1] is { } beta1 ? (beta1, _values[(int)Option.Beta2]!.Value) : null;
        set
        {
            if (value is { } betas)
            {
                HyperParameter.Beta(betas.Beta1, "beta1");
                HyperParameter.Beta(betas.Beta2, "beta2");
            }

            SetBetasUnchecked(value);
        }
    }

    /// <summary>Term added to the denominator for stability (<c>eps</c>), ≥ 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative value or NaN.</exception>
    public double? Eps
    {
        get => _values[(int)Option.Eps];
        set => _values[(int)Option.Eps] = Checked(value, nameof(Eps), "epsilon value");
    }

    /// <summary>Learning-rate decay per step (<c>lr_decay</c>: <see cref="Adagrad"/>), ≥ 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative value or NaN.</exception>
    public double? LrDecay
    {
        get => _values[(int)Option.LrDecay];
        set => _values[(int)Option.LrDecay] = Checked(value, nameof(LrDecay), "lr_decay value");
    }

    /// <summary>Weight decay (<c>weight_decay</c>): an L2 term in the gradient, or decoupled for <see cref="AdamW"/>; ≥ 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative value or NaN.</exception>
    public double? WeightDecay
    {
        get => _values[(int)Option.WeightDecay];
        set => _values[(int)Option.WeightDecay] = Checked(value, nameof(WeightDecay), "weight_decay value");
    }

    /// <summary>Starting value of the squared-gradient sums (<c>initial_accumulator_value</c>: <see cref="Adagrad"/>), ≥ 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative value or NaN.</exception>
    public double? InitialAccumulatorValue
    {
        get => _values[(int)Option.InitialAccumulatorValue];
        set => _values[(int)Option.InitialAccumulatorValue] =
            Checked(value, nameof(InitialAccumulatorValue), "initial_accumulator_value value");
    }

    /// <summary>Nesterov momentum (<c>nesterov</c>: <see cref="Sgd"/>; needs momentum &gt; 0 and dampening 0).</summary>
    public bool? Nesterov
    {
        get => Flag(Option.Nesterov);
        set => SetFlag(Option.Nesterov, value);
    }

    /// <summary>The AMSGrad variant (<c>amsgrad</c>: <see cref="Adam"/>, <see cref="AdamW"/>).</summary>
    public bool? Amsgrad
    {
        get => Flag(Option.Amsgrad);
        set => SetFlag(Option.Amsgrad, value);
    }

    /// <summary>Normalise by the gradient's estimated variance (<c>centered</c>: <see cref="RMSprop"/>).</summary>
    public bool? Centered
    {
        get => Flag(Option.Centered);
        set => SetFlag(Option.Centered, value);
    }

    /// <summary>Maximise the objective instead of minimising it (<c>maximize</c>: every optimizer).</summary>
    public bool? Maximize
    {
        get => Flag(Option.Maximize);
        set => SetFlag(Option.Maximize, value);
    }

    /// <summary>The learning rate a schedule starts from (<c>initial_lr</c>), set by the first schedule attached.</summary>
    public double? InitialLearningRate
    {
        get => _values[(int)Option.InitialLr];
        set => _values[(int)Option.InitialLr] = value;
    }

    /// <summary>The peak learning rate of <see cref="OneCycleLR"/> (<c>max_lr</c>).</summary>
    public double? MaxLearningRate
    {
        get => _values[(int)Option.MaxLr];
        set => _values[(int)Option.MaxLr] = value;
    }

    /// <summary>The final learning rate of <see cref="OneCycleLR"/> (<c>min_lr</c>).</summary>
    public double? MinLearningRate
    {
        get => _values[(int)Option.MinLr];
        set => _values[(int)Option.MinLr] = value;
    }

    /// <summary>The momentum (or β1) at the ends of <see cref="OneCycleLR"/>'s cycle (<c>max_momentum</c>).</summary>
    public double? MaxMomentum
    {
        get => _values[(int)Option.MaxMomentum];
        set => _values[(int)Option.MaxMomentum] = value;
    }

    /// <summary>The momentum (or β1) at <see cref="OneCycleLR"/>'s peak learning rate (<c>base_momentum</c>).</summary>
    public double? BaseMomentum
    {
        get => _values[(int)Option.BaseMomentum];
        set => _values[(int)Option.BaseMomentum] = value;
    }

    /// <summary>The optimizer the group has joined, or null.</summary>
    internal Optimizer? Owner { get; set; }

    /// <summary>Sets the learning rate without the range check: schedules write PyTorch's formulas as they come
    /// (OneCycleLR's linear annealing ends slightly below zero, as in PyTorch).</summary>
    internal void SetLearningRateUnchecked(double value) => _values[(int)Option.Lr] = value;

    /// <summary>Sets the momentum without the range check (a schedule's value).</summary>
    internal void SetMomentumUnchecked(double value) => _values[(int)Option.Momentum] = value;

    /// <summary>Sets the betas without the range check (a schedule's value).</summary>
    internal void SetBetasUnchecked((double Beta1, double Beta2)? value)
    {
        _values[(int)Option.Beta1] = value?.Beta1;
        _values[(int)Option.Beta2] = value?.Beta2;
    }

    /// <summary>The PyTorch names of the optimizer options set here (not the schedule-owned ones).</summary>
    internal IEnumerable<string> OptimizerOptionNames()
    {
        for (var i = 0; i < _options.Length; i++)
        {
            if (_values[i] is not null && !_options[i].SetBySchedule && _options[i].Kind != OptionKind.PairSecond)
            {
                yield return _options[i].Name;
            }
        }
    }

    /// <summary>Whether the option named <paramref name="name"/> (PyTorch's key) is set.</summary>
    internal bool Has(string name) => Array.FindIndex(_options, o => o.Name == name) is var i and >= 0 && _values[i] is not null;

    /// <summary>Copies every option set in <paramref name="defaults"/> that is unset here (PyTorch's setdefault).</summary>
    internal void FillFrom(ParamGroup defaults)
    {
        for (var i = 0; i < _values.Length; i++)
        {
            _values[i] ??= defaults._values[i];
        }
    }

    /// <summary>A copy of the options (not the parameters), for an optimizer's defaults.</summary>
    internal void CopyOptionsFrom(ParamGroup source) => Array.Copy(source._values, _values, _values.Length);

    /// <summary>The options set, under PyTorch's names, as a state dict's <c>param_groups[i]</c> without <c>params</c>.</summary>
    internal JsonObject OptionsToJson()
    {
        var json = new JsonObject();
        for (var i = 0; i < _options.Length; i++)
        {
            if (_values[i] is not { } value || _options[i].Kind == OptionKind.PairSecond)
            {
                continue;
            }

            json[_options[i].Name] = _options[i].Kind switch
            {
                OptionKind.Flag => JsonValue.Create(value != 0),
                OptionKind.Pair => new JsonArray(value, _values[i + 1]!.Value),
                _ => JsonValue.Create(value),
            };
        }

        return json;
    }

    /// <summary>
    /// Reads options from a state dict's <c>param_groups[i]</c> into this group, unchecked (PyTorch loads them as
    /// saved). Keys must be options that <paramref name="defaults"/> sets, or schedule-owned ones; <c>params</c> and
    /// PyTorch's device flags (<c>foreach</c>, <c>capturable</c>, <c>differentiable</c>, <c>fused</c>) are skipped.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown key, or a value of the wrong JSON type.</exception>
    internal void ReadOptions(JsonObject json, ParamGroup defaults, string context)
    {
        foreach (var (key, node) in json)
        {
            if (key is "params" or "foreach" or "capturable" or "differentiable" or "fused")
            {
                continue;
            }

            var index = Array.FindIndex(_options, o => o.Name == key && o.Kind != OptionKind.PairSecond);
            if (index < 0 || (!_options[index].SetBySchedule && defaults._values[index] is null))
            {
                throw new ArgumentException($"{context}: the optimizer has no option '{key}'.");
            }

            switch (_options[index].Kind)
            {
                case OptionKind.Flag:
                    _values[index] = StateJson.ReadBool(node, $"{context}.{key}") ? 1 : 0;
                    break;
                case OptionKind.Pair:
                    var pair = StateJson.ReadNumbers(node, $"{context}.{key}");
                    if (pair.Length != 2)
                    {
                        throw new ArgumentException($"{context}.{key}: expected 2 numbers, got {pair.Length}.");
                    }

                    (_values[index], _values[index + 1]) = (pair[0], pair[1]);
                    break;
                default:
                    _values[index] = StateJson.ReadNumber(node, $"{context}.{key}");
                    break;
            }
        }
    }

    private static double? Checked(double? value, string name, string description) =>
        value is { } v ? HyperParameter.NonNegative(v, name, description) : null;

    private bool? Flag(Option option) => _values[(int)option] is { } value ? value != 0 : null;

    private void SetFlag(Option option, bool? value) => _values[(int)option] = value is { } flag ? (flag ? 1 : 0) : null;

    private readonly record struct OptionInfo(string Name, OptionKind Kind, bool SetBySchedule);
}

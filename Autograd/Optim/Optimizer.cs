using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace Autograd.Optim;

/// <summary>
/// Base class of the optimizers, PyTorch's <c>torch.optim.Optimizer</c>: parameters in one or more
/// <see cref="ParamGroup"/>s, each with its own options; <see cref="ZeroGrad"/> clears the gradients,
/// <see cref="Step"/> updates every parameter that has a gradient, in place on its storage and without recording
/// on the tape. Per-parameter state (momentum buffers, moment averages, step counts) lives here, keyed by the
/// parameter's position across all groups, and moves in and out with <see cref="StateDict"/> and
/// <see cref="LoadStateDict"/> in PyTorch's layout.
/// </summary>
public abstract class Optimizer
{
    // Scratch slots 0-2 are the optimizers'; the last holds the negated gradient of a maximising group.
    private const int ScratchSlots = 4;
    private const int NegatedGradientSlot = ScratchSlots - 1;

    private readonly ParamGroup _defaults = new([]);
    private readonly List<ParamGroup> _paramGroups = [];
    private readonly List<Tensor> _parameters = [];
    private readonly List<StateEntry> _state = [];
    private readonly float[][] _scratchFloat = [[], [], [], []];
    private readonly double[][] _scratchDouble = [[], [], [], []];

    /// <summary>Takes the parameters to optimise, as one group with the default options.</summary>
    /// <param name="parameters">Leaf tensors, each once (e.g. <c>module.Parameters()</c>).</param>
    /// <param name="defaults">Every option this optimizer has, with its default value (PyTorch's <c>defaults</c>).</param>
    /// <exception cref="ArgumentException">The list is empty, or holds null, a non-leaf tensor or a tensor twice.</exception>
    protected Optimizer(IEnumerable<Tensor> parameters, ParamGroup defaults)
        : this(SingleGroup(parameters), defaults, nameof(parameters))
    {
    }

    /// <summary>Takes parameter groups; the options a group leaves unset take <paramref name="defaults"/>' values.</summary>
    /// <param name="paramGroups">The groups, at least one; no tensor in two groups.</param>
    /// <param name="defaults">Every option this optimizer has, with its default value (PyTorch's <c>defaults</c>).</param>
    /// <exception cref="ArgumentException">No group, a group that already belongs to an optimizer, a bad parameter,
    /// a parameter in two groups, or an option this optimizer does not have.</exception>
    protected Optimizer(IEnumerable<ParamGroup> paramGroups, ParamGroup defaults)
        : this(paramGroups, defaults, nameof(paramGroups))
    {
    }

    private Optimizer(IEnumerable<ParamGroup> paramGroups, ParamGroup defaults, string argument)
    {
        ArgumentNullException.ThrowIfNull(paramGroups, argument);
        ArgumentNullException.ThrowIfNull(defaults);
        ParamGroups = _paramGroups.AsReadOnly();
        Parameters = _parameters.AsReadOnly();
        _defaults.CopyOptionsFrom(defaults);
        var groups = paramGroups.ToList();
        if (groups.Count == 0)
        {
            throw new ArgumentException("The optimizer got an empty list of parameter groups.", argument);
        }

        // Check every group before the first joins, so that a failure leaves the groups free for another optimizer.
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        for (var g = 0; g < groups.Count; g++)
        {
            Check(groups[g], g, seen, argument);
        }

        foreach (var group in groups)
        {
            Join(group);
        }
    }

    /// <summary>The parameter groups, PyTorch's <c>param_groups</c>; each group's options can be changed between steps.</summary>
    public IReadOnlyList<ParamGroup> ParamGroups { get; }

    /// <summary>Every parameter, group by group, in the order given: position i here is the key of its state.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>
    /// The learning rate of every group. Reading it with groups of different rates throws (read
    /// <c>ParamGroups[i].LearningRate</c>); setting it sets every group's, as PyTorch's
    /// <c>for g in optimizer.param_groups: g["lr"] = lr</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative value or NaN.</exception>
    /// <exception cref="InvalidOperationException">Read while the groups' learning rates differ.</exception>
    public double LearningRate
    {
        get
        {
            var learningRate = _paramGroups[0].LearningRate!.Value;
            if (_paramGroups.Any(g => g.LearningRate != learningRate))
            {
                throw new InvalidOperationException(
                    $"The optimizer's {_paramGroups.Count} parameter groups have different learning rates "
                    + $"({string.Join(", ", _paramGroups.Select(g => g.LearningRate))}); read ParamGroups[i].LearningRate.");
            }

            return learningRate;
        }

        set
        {
            HyperParameter.NonNegative(value, nameof(LearningRate), "learning rate");
            foreach (var group in _paramGroups)
            {
                group.LearningRate = value;
            }
        }
    }

    /// <summary>The default options (PyTorch's <c>defaults</c>): a group without parameters.</summary>
    internal ParamGroup Defaults => _defaults;

    /// <summary>The names of the per-parameter buffers, PyTorch's state keys, by slot.</summary>
    protected abstract IReadOnlyList<string> StateNames { get; }

    /// <summary>Whether each parameter's state counts its steps (PyTorch's <c>state[i]["step"]</c>).</summary>
    protected virtual bool CountsSteps => false;

    /// <summary>Adds a group, PyTorch's <c>add_param_group</c> (fine-tuning layers unfrozen later, for example).</summary>
    /// <param name="paramGroup">The group; its unset options take the optimizer's defaults.</param>
    /// <exception cref="ArgumentException">The group belongs to an optimizer already, holds a bad parameter or one
    /// that another group holds, or sets an option this optimizer does not have.</exception>
    public void AddParamGroup(ParamGroup paramGroup)
    {
        var seen = new HashSet<Tensor>(_parameters, ReferenceEqualityComparer.Instance);
        Check(paramGroup, _paramGroups.Count, seen, nameof(paramGroup));
        Join(paramGroup);
    }

    /// <summary>Sets every parameter's gradient to null, as PyTorch's <c>zero_grad(set_to_none=True)</c>.</summary>
    public void ZeroGrad()
    {
        foreach (var parameter in _parameters)
        {
            parameter.ZeroGrad();
        }
    }

    /// <summary>Performs one update of every parameter whose gradient is not null, group by group.</summary>
    /// <exception cref="InvalidOperationException">A gradient whose size or dtype differs from its parameter's.</exception>
    public void Step()
    {
        Tape.EnterNoGrad();   // as Tape.NoGrad(), without allocating a scope object at every step
        try
        {
            var index = 0;
            for (var g = 0; g < _paramGroups.Count; g++)
            {
                var group = _paramGroups[g];
                var parameters = group.Parameters;
                for (var p = 0; p < parameters.Count; p++, index++)
                {
                    var parameter = parameters[p];
                    if (parameter.Grad is not { } gradient)
                    {
                        continue;
                    }

                    if (gradient.Count != parameter.Count || gradient.DType != parameter.DType)
                    {
                        throw new InvalidOperationException(
                            $"Parameter {index}: its gradient ({gradient.DType}, {gradient.Count} elements) does not match it ({parameter.DType}, {parameter.Count} elements).");
                    }

                    DTypeDispatch.Float(parameter.DType, new UpdateAction(this, index, group, parameter, gradient));
                    _state[index].Exists = true;   // PyTorch lists every stepped parameter, even with no buffer (SGD without momentum)

                    parameter.BumpVersion();   // a graph that saved the old values must refuse to back-propagate
                }
            }
        }
        finally
        {
            Tape.ExitNoGrad();
        }
    }

    /// <summary>
    /// The state in PyTorch's layout, as a snapshot: copies of the buffers, so later steps leave it unchanged.
    /// A parameter that was never stepped (it never had a gradient) has no entry, except with <see cref="Adagrad"/>,
    /// whose state starts at construction, as PyTorch's; one stepped without buffers (SGD without momentum) has an
    /// empty entry, where PyTorch's holds <c>momentum_buffer: None</c>.
    /// </summary>
    /// <returns>The per-parameter state and the groups' options.</returns>
    public OptimizerStateDict StateDict() => BuildStateDict(copyBuffers: true);

    /// <summary>
    /// The state dict; without <paramref name="copyBuffers"/> its tensors are the live buffers themselves (see
    /// <see cref="Tensor.Borrow"/>), for a checkpoint save that only reads them before the next step.
    /// </summary>
    internal OptimizerStateDict BuildStateDict(bool copyBuffers)
    {
        var names = StateNames;
        var state = new SortedDictionary<int, ParameterState>();
        for (var i = 0; i < _state.Count; i++)
        {
            var entry = _state[i];
            if (!entry.Exists)
            {
                continue;
            }

            var tensors = new Dictionary<string, Tensor>();
            for (var slot = 0; slot < names.Count; slot++)
            {
                if (entry.Buffers[slot] is { } buffer)
                {
                    tensors[names[slot]] = copyBuffers
                        ? new Tensor((Array)buffer.Clone(), _parameters[i].Shape)
                        : Tensor.Borrow(buffer, _parameters[i].ShapeArray);
                }
            }

            var scalars = new Dictionary<string, double>();
            if (CountsSteps)
            {
                scalars["step"] = entry.Step;
            }

            state[i] = new ParameterState(tensors, scalars);
        }

        var groups = new List<JsonObject>();
        var first = 0;
        foreach (var group in _paramGroups)
        {
            var json = group.OptionsToJson();
            json["params"] = StateJson.Ints(Enumerable.Range(first, group.Parameters.Count));
            first += group.Parameters.Count;
            groups.Add(json);
        }

        return new OptimizerStateDict(state, groups);
    }

    /// <summary>
    /// Restores a state written by <see cref="StateDict"/> (or converted from PyTorch's), PyTorch's
    /// <c>load_state_dict</c>: the groups must match in number and size; the saved positions are mapped onto this
    /// optimizer's parameters in order; the groups' options (learning rate, schedule keys, ...) are taken from the
    /// state dict. Buffers are copied (converted to the parameter's dtype, as PyTorch's cast). Everything is
    /// checked before anything changes, so a failed load leaves the optimizer as it was.
    /// </summary>
    /// <param name="stateDict">The state.</param>
    /// <exception cref="ArgumentException">A different number of groups or of parameters in a group, state for a
    /// position no group lists, a buffer this optimizer does not keep or of another shape than its parameter, an
    /// unknown option, or a malformed value.</exception>
    public void LoadStateDict(OptimizerStateDict stateDict)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        var what = $"{GetType().Name}.LoadStateDict";
        if (stateDict.ParamGroups.Count != _paramGroups.Count)
        {
            throw new ArgumentException(
                $"{what}: the state dict has {stateDict.ParamGroups.Count} parameter groups, the optimizer {_paramGroups.Count}.",
                nameof(stateDict));
        }

        var positions = new Dictionary<int, int>();
        var options = new ParamGroup[_paramGroups.Count];
        var first = 0;
        for (var g = 0; g < _paramGroups.Count; g++)
        {
            var saved = stateDict.ParamGroups[g];
            var ids = StateJson.ReadInts(StateJson.Required(saved, "params", $"{what}: param_groups[{g}]"), $"{what}: param_groups[{g}].params");
            var count = _paramGroups[g].Parameters.Count;
            if (ids.Length != count)
            {
                throw new ArgumentException(
                    $"{what}: parameter group {g} has {ids.Length} parameters in the state dict, {count} in the optimizer.",
                    nameof(stateDict));
            }

            for (var k = 0; k < ids.Length; k++)
            {
                if (!positions.TryAdd(ids[k], first + k))
                {
                    throw new ArgumentException($"{what}: the state dict lists parameter {ids[k]} twice.", nameof(stateDict));
                }
            }

            options[g] = new ParamGroup([]);
            options[g].CopyOptionsFrom(_paramGroups[g]);
            options[g].ReadOptions(saved, _defaults, $"{what}: param_groups[{g}]");
            first += count;
        }

        var loaded = new Dictionary<int, (Array?[] Buffers, long Step)>();
        foreach (var (id, entry) in stateDict.State)
        {
            if (!positions.TryGetValue(id, out var index))
            {
                throw new ArgumentException($"{what}: the state dict has state for parameter {id}, which no parameter group lists.", nameof(stateDict));
            }

            loaded[index] = ReadEntry(id, index, entry, what);
        }

        for (var i = 0; i < _state.Count; i++)
        {
            _state[i] = new StateEntry(StateNames.Count);
            if (loaded.TryGetValue(i, out var entry))
            {
                (_state[i].Buffers, _state[i].Step, _state[i].Exists) = (entry.Buffers, entry.Step, true);
            }
        }

        for (var g = 0; g < _paramGroups.Count; g++)
        {
            _paramGroups[g].CopyOptionsFrom(options[g]);
        }
    }

    /// <summary>Updates parameter <paramref name="index"/> in place from its gradient.</summary>
    /// <typeparam name="T">float or double, the parameter's element type.</typeparam>
    /// <param name="index">Position of the parameter in <see cref="Parameters"/>, the key of its state.</param>
    /// <param name="group">The parameter's group, whose options apply.</param>
    /// <param name="parameter">The parameter's storage.</param>
    /// <param name="gradient">The gradient's storage (already negated when the group maximises).</param>
    protected abstract void Update<T>(int index, ParamGroup group, Span<T> parameter, ReadOnlySpan<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Checks the options of a group about to join (defaults filled in); throws <see cref="ArgumentException"/>
    /// naming the group when they do not go together. The base accepts every combination.</summary>
    /// <param name="group">The group's options, defaults filled in.</param>
    /// <param name="groupIndex">Its position among the groups.</param>
    protected virtual void CheckParamGroup(ParamGroup group, int groupIndex)
    {
    }

    /// <summary>Creates the state a parameter has before any step (none by default; Adagrad's sums).</summary>
    /// <param name="index">The parameter's position.</param>
    /// <param name="group">Its group.</param>
    protected virtual void InitializeState(int index, ParamGroup group)
    {
    }

    /// <summary>The buffer in <paramref name="slot"/> of parameter <paramref name="index"/>'s state, or null if it has none yet.</summary>
    /// <typeparam name="T">The parameter's element type.</typeparam>
    /// <param name="index">The parameter's position.</param>
    /// <param name="slot">The buffer's position in <see cref="StateNames"/>.</param>
    /// <returns>The buffer, or null.</returns>
    protected T[]? StateBuffer<T>(int index, int slot)
        where T : unmanaged => _state[index].Buffers[slot] as T[];

    /// <summary>Creates the buffer in <paramref name="slot"/> of parameter <paramref name="index"/>'s state, zero-filled.</summary>
    /// <typeparam name="T">The parameter's element type.</typeparam>
    /// <param name="index">The parameter's position.</param>
    /// <param name="slot">The buffer's position in <see cref="StateNames"/>.</param>
    /// <returns>The new buffer, as long as the parameter.</returns>
    protected T[] CreateStateBuffer<T>(int index, int slot)
        where T : unmanaged
    {
        var buffer = new T[_parameters[index].Count];
        _state[index].Buffers[slot] = buffer;
        _state[index].Exists = true;
        return buffer;
    }

    /// <summary>Counts one more step of parameter <paramref name="index"/> and returns the count (1 at the first step).</summary>
    /// <param name="index">The parameter's position.</param>
    /// <returns>The new step count.</returns>
    protected long AdvanceStep(int index)
    {
        _state[index].Exists = true;
        return ++_state[index].Step;
    }

    /// <summary>A temporary buffer of <paramref name="length"/> elements, shared by all parameters of one element type.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="slot">0, 1 or 2: three distinct buffers are available.</param>
    /// <param name="length">Number of elements.</param>
    /// <returns>The buffer; its contents are undefined.</returns>
    protected Span<T> Scratch<T>(int slot, int length)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, NegatedGradientSlot);
        return ScratchSlot<T>(slot, length);
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming <paramref name="name"/> unless <paramref name="value"/> ≥ 0.</summary>
    /// <param name="value">The hyper-parameter.</param>
    /// <param name="name">Its parameter name.</param>
    /// <param name="description">What it is, for the message.</param>
    protected static void CheckNonNegative(double value, string name, string description) =>
        HyperParameter.NonNegative(value, name, description);

    private static IEnumerable<ParamGroup> SingleGroup(IEnumerable<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var list = parameters.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("The optimizer got an empty parameter list.", nameof(parameters));
        }

        return [new ParamGroup(list)];
    }

    private Span<T> ScratchSlot<T>(int slot, int length)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            ref var floats = ref _scratchFloat[slot];
            if (floats.Length < length)
            {
                floats = new float[length];
            }

            return MemoryMarshal.Cast<float, T>(floats.AsSpan(0, length));
        }

        ref var doubles = ref _scratchDouble[slot];
        if (doubles.Length < length)
        {
            doubles = new double[length];
        }

        return MemoryMarshal.Cast<double, T>(doubles.AsSpan(0, length));
    }

    /// <summary>Throws unless <paramref name="group"/> can join as group <paramref name="groupIndex"/>; adds its
    /// parameters to <paramref name="seen"/>.</summary>
    private void Check(ParamGroup group, int groupIndex, HashSet<Tensor> seen, string argument)
    {
        if (group is null)
        {
            throw new ArgumentException($"Parameter group {groupIndex} is null.", argument);
        }

        if (group.Owner is not null)
        {
            throw new ArgumentException(
                $"Parameter group {groupIndex} already belongs to an optimizer ({group.Owner.GetType().Name}); give each optimizer its own ParamGroup.",
                argument);
        }

        var ownParameters = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < group.Parameters.Count; i++)
        {
            var parameter = group.Parameters[i];
            var where = $"parameter {i} of parameter group {groupIndex}";
            if (parameter is null)
            {
                throw new ArgumentException($"Parameter {i} of parameter group {groupIndex} is null.", argument);
            }

            if (!parameter.IsLeaf)
            {
                throw new ArgumentException($"Cannot optimize a non-leaf tensor ({where}).", argument);
            }

            if (!DTypeDispatch.IsFloatingPoint(parameter.DType))
            {
                throw new ArgumentException($"Cannot optimize a {parameter.DType} tensor ({where}): parameters are Float32 or Float64.", argument);
            }

            if (!ownParameters.Add(parameter))
            {
                throw new ArgumentException($"Parameter {i} of parameter group {groupIndex} appears more than once.", argument);
            }

            if (!seen.Add(parameter))
            {
                throw new ArgumentException(
                    $"Parameter {i} of parameter group {groupIndex} is in another parameter group too; a parameter belongs to one group.",
                    argument);
            }
        }

        foreach (var name in group.OptimizerOptionNames())
        {
            if (!_defaults.Has(name))
            {
                throw new ArgumentException($"{GetType().Name} has no option '{name}' (parameter group {groupIndex}).", argument);
            }
        }

        var resolved = new ParamGroup([]);
        resolved.CopyOptionsFrom(group);
        resolved.FillFrom(_defaults);
        CheckParamGroup(resolved, groupIndex);
    }

    private void Join(ParamGroup group)
    {
        group.FillFrom(_defaults);
        group.Owner = this;
        _paramGroups.Add(group);
        foreach (var parameter in group.Parameters)
        {
            _parameters.Add(parameter);
            _state.Add(new StateEntry(StateNames.Count));
            InitializeState(_parameters.Count - 1, group);
        }
    }

    private (Array?[] Buffers, long Step) ReadEntry(int id, int index, ParameterState entry, string what)
    {
        var parameter = _parameters[index];
        var names = StateNames;
        var buffers = new Array?[names.Count];
        foreach (var (name, tensor) in entry.Tensors)
        {
            var slot = IndexOf(names, name);
            if (slot < 0)
            {
                throw new ArgumentException(
                    $"{what}: state {id} has '{name}', which {GetType().Name} does not keep (it keeps {string.Join(", ", names)}).");
            }

            if (tensor is null || !tensor.ShapeSpan.SequenceEqual(parameter.ShapeSpan) || !DTypeDispatch.IsFloatingPoint(tensor.DType))
            {
                throw new ArgumentException(
                    $"{what}: state {id}.{name} is {Describe(tensor)}, but parameter {index} is {Describe(parameter)}.");
            }

            buffers[slot] = parameter.DType == DType.Float32 ? tensor.ToArray<float>() : tensor.ToArray<double>();
        }

        long step = 0;
        foreach (var (name, value) in entry.Scalars)
        {
            if (name != "step" || !CountsSteps)
            {
                throw new ArgumentException($"{what}: state {id} has the scalar '{name}', which {GetType().Name} does not keep.");
            }

            if (!(value >= 0 && value == Math.Floor(value) && value <= long.MaxValue))
            {
                throw new ArgumentException($"{what}: state {id}.step is {value}, not a step count.");
            }

            step = (long)value;
        }

        return (buffers, step);
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] == name)
            {
                return i;
            }
        }

        return -1;
    }

    private static string Describe(Tensor? tensor) =>
        tensor is null ? "null" : $"{tensor.DType} {ShapeText.Format(tensor.ShapeArray)}";

    /// <summary>One parameter's state: buffers by slot, step count, and whether PyTorch would list it.</summary>
    private sealed class StateEntry(int slots)
    {
        public Array?[] Buffers { get; set; } = new Array?[slots];

        public long Step { get; set; }

        public bool Exists { get; set; }
    }

    /// <summary>Calls <see cref="Update{T}"/> with the parameter's element type.</summary>
    private readonly struct UpdateAction(Optimizer optimizer, int index, ParamGroup group, Tensor parameter, Tensor gradient)
        : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlySpan<T> values = gradient.Span<T>();
            if (group.Maximize == true)
            {
                var negated = optimizer.ScratchSlot<T>(NegatedGradientSlot, values.Length);
                TensorPrimitives.Negate(values, negated);
                values = negated;
            }

            optimizer.Update(index, group, parameter.Span<T>(), values);
        }
    }
}

namespace Autograd.NN;

/// <summary>
/// Base class of every layer and model, PyTorch's <c>torch.nn.Module</c>: it owns named parameters,
/// named buffers (state that is saved but not trained, such as BatchNorm's running statistics) and named
/// child modules, and gives them back as PyTorch-style dotted names (<c>"0.weight"</c>, <c>"bn1.running_mean"</c>).
/// Subclasses register what they own in their constructor with <see cref="RegisterParameter"/>,
/// <see cref="RegisterBuffer"/> and <see cref="RegisterModule{TModule}"/>, and implement
/// <see cref="Forward"/> with Tensor operations only, so gradients come from the tape.
/// </summary>
public abstract class Module
{
    private readonly List<(string Name, Tensor Value)> _parameters = [];
    private readonly List<(string Name, Tensor Value, bool Persistent)> _buffers = [];
    private readonly List<(string Name, Module Value)> _children = [];
    private readonly List<(string Name, SplitMix64 Value)> _generators = [];

    /// <summary>Whether the module is in training mode (<see cref="Train"/>) or evaluation mode (<see cref="Eval"/>). New modules train.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>Computes the module's output for <paramref name="input"/>, recording on the tape when gradients are enabled.</summary>
    /// <param name="input">The input tensor; its expected shape is documented by each module.</param>
    /// <returns>The output tensor.</returns>
    public abstract Tensor Forward(Tensor input);

    /// <summary>The module's own parameters and those of its descendants, each once, in registration order.</summary>
    /// <returns>The parameters, as PyTorch's <c>parameters()</c>.</returns>
    public IEnumerable<Tensor> Parameters()
    {
        foreach (var (_, value) in NamedParameters())
        {
            yield return value;
        }
    }

    /// <summary>
    /// The parameters with their dotted names, as PyTorch's <c>named_parameters()</c>: own parameters
    /// first, then each child's under its name (<c>"0.weight"</c>). A tensor shared between modules
    /// appears once, under its first name.
    /// </summary>
    /// <returns>The named parameters in registration order.</returns>
    public IEnumerable<(string Name, Tensor Value)> NamedParameters()
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (name, value) in AllNamedParameters(""))
        {
            if (seen.Add(value))
            {
                yield return (name, value);
            }
        }
    }

    /// <summary>The module's own buffers and those of its descendants, each once, in registration order.</summary>
    /// <returns>The buffers, as PyTorch's <c>buffers()</c>.</returns>
    public IEnumerable<Tensor> Buffers() => NamedBuffers().Select(b => b.Value);

    /// <summary>
    /// The buffers with their dotted names, as PyTorch's <c>named_buffers()</c>: own buffers first, then each
    /// child's under its name. Buffers are state that is not trained (no gradient): running statistics, counters.
    /// </summary>
    /// <returns>The named buffers in registration order.</returns>
    public IEnumerable<(string Name, Tensor Value)> NamedBuffers()
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (name, value, _) in AllNamedBuffers(""))
        {
            if (seen.Add(value))
            {
                yield return (name, value);
            }
        }
    }

    /// <summary>
    /// The random generators that the module and its descendants draw from in <see cref="Forward"/> (Dropout's masks),
    /// with dotted names (<c>"2.generator"</c>), own first: the random state to save in a checkpoint, as
    /// <see cref="StateDict"/> is the rest. Setting each generator's <see cref="SplitMix64.State"/> back to the saved
    /// value makes the next forward passes draw what they would have drawn. PyTorch keeps one global generator instead.
    /// </summary>
    /// <returns>The named generators in registration order; one shared by several modules appears once, under its first name.</returns>
    public IEnumerable<(string Name, SplitMix64 Generator)> NamedGenerators()
    {
        var seen = new HashSet<SplitMix64>(ReferenceEqualityComparer.Instance);
        foreach (var (name, generator) in AllNamedGenerators(""))
        {
            if (seen.Add(generator))
            {
                yield return (name, generator);
            }
        }
    }

    /// <summary>The direct children with their names, as PyTorch's <c>named_children()</c>.</summary>
    /// <returns>The child modules in registration order.</returns>
    public IEnumerable<(string Name, Module Value)> NamedChildren() => _children;

    /// <summary>Sets training mode (<paramref name="training"/> true) or evaluation mode on this module and all its descendants.</summary>
    /// <param name="training">True for training mode, false for evaluation mode.</param>
    /// <returns>This module.</returns>
    public Module Train(bool training = true)
    {
        IsTraining = training;
        foreach (var (_, child) in _children)
        {
            child.Train(training);
        }

        return this;
    }

    /// <summary>Sets evaluation mode on this module and all its descendants (Dropout becomes the identity); same as <c>Train(false)</c>.</summary>
    /// <returns>This module.</returns>
    public Module Eval() => Train(false);

    /// <summary>Sets every parameter's gradient to null, as PyTorch's <c>zero_grad(set_to_none=True)</c>.</summary>
    public void ZeroGrad()
    {
        foreach (var parameter in Parameters())
        {
            parameter.ZeroGrad();
        }
    }

    /// <summary>
    /// The module's state as PyTorch's <c>state_dict()</c>: every parameter and persistent buffer under its dotted
    /// name, in PyTorch's order (each module's parameters, then its buffers, then its children), detached from the
    /// tape but sharing the storage (as PyTorch's does, so it reflects later training). Pass it to
    /// <see cref="SafeTensors.Save"/> or to <see cref="LoadStateDict"/> of an equivalent module.
    /// </summary>
    /// <returns>The named tensors.</returns>
    public IReadOnlyDictionary<string, Tensor> StateDict()
    {
        var state = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, value) in StateEntries())
        {
            state.Add(name, value.Detach());
        }

        return state;
    }

    /// <summary>Parameters and persistent buffers, in state-dict order, each tensor once (under its first name).</summary>
    private List<(string Name, Tensor Value)> StateEntries()
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var entries = new List<(string Name, Tensor Value)>();
        foreach (var entry in AllStateEntries(""))
        {
            if (seen.Add(entry.Value))
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    private IEnumerable<(string Name, Tensor Value)> AllStateEntries(string prefix)
    {
        foreach (var (name, value) in _parameters)
        {
            yield return (prefix + name, value);
        }

        foreach (var (name, value, persistent) in _buffers)
        {
            if (persistent)
            {
                yield return (prefix + name, value);
            }
        }

        foreach (var (name, child) in _children)
        {
            foreach (var item in child.AllStateEntries(prefix + name + "."))
            {
                yield return item;
            }
        }
    }

    /// <summary>
    /// Copies <paramref name="state"/> into the parameters and persistent buffers, strictly: every name of
    /// <see cref="StateDict"/> must be present, no other names may be, and shapes and dtypes must be equal.
    /// Everything is checked before anything is copied, so on failure the module is unchanged.
    /// </summary>
    /// <param name="state">Tensors by dotted name, e.g. from <see cref="StateDict"/> or <see cref="SafeTensors.Load(string)"/>.</param>
    /// <exception cref="ArgumentException">A name is missing or unexpected, or a shape or dtype differs; the message names every offending key.</exception>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var own = StateEntries();
        var problems = new List<string>();
        var missing = own.Where(p => !state.ContainsKey(p.Name)).Select(p => $"'{p.Name}'").ToList();
        if (missing.Count > 0)
        {
            problems.Add($"missing key(s): {string.Join(", ", missing)}");
        }

        var ownNames = own.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var unexpected = state.Keys.Where(k => !ownNames.Contains(k)).Select(k => $"'{k}'").ToList();
        if (unexpected.Count > 0)
        {
            problems.Add($"unexpected key(s): {string.Join(", ", unexpected)}");
        }

        foreach (var (name, parameter) in own)
        {
            if (!state.TryGetValue(name, out var source))
            {
                continue;
            }

            if (source is null)
            {
                problems.Add($"'{name}' is null");
            }
            else if (!source.Shape.AsSpan().SequenceEqual(parameter.Shape))
            {
                problems.Add($"size mismatch for '{name}': the state has shape {ShapeText.Format(source.Shape)}, the module {ShapeText.Format(parameter.Shape)}");
            }
            else if (source.DType != parameter.DType)
            {
                problems.Add($"dtype mismatch for '{name}': the state has {source.DType}, the module {parameter.DType}");
            }
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException(
                $"Error loading the state into {GetType().Name} (module unchanged): {string.Join("; ", problems)}.",
                nameof(state));
        }

        using (Tape.NoGrad())
        {
            foreach (var (name, parameter) in own)
            {
                CopyInto(parameter, state[name]);
            }
        }
    }

    /// <summary>Saves <see cref="StateDict"/> to a safetensors file at <paramref name="path"/>.</summary>
    /// <param name="path">The file to write (replaced if it exists).</param>
    public void Save(string path) => SafeTensors.Save(path, StateDict());

    /// <summary>
    /// Loads the parameters from a safetensors file, strictly as <see cref="LoadStateDict"/>. The
    /// file is read and validated completely first, so on any failure the module is unchanged.
    /// </summary>
    /// <param name="path">A safetensors file, e.g. written by <see cref="Save"/> or by PyTorch.</param>
    /// <exception cref="InvalidDataException">The file is not a valid safetensors file.</exception>
    /// <exception cref="ArgumentException">The file's names, shapes or dtypes do not match the module.</exception>
    public void Load(string path) => LoadStateDict(SafeTensors.Load(path));

    /// <summary>Registers a parameter under <paramref name="name"/> and makes it require gradients.</summary>
    /// <param name="name">A name without dots, unique within this module.</param>
    /// <param name="parameter">A leaf tensor.</param>
    /// <returns><paramref name="parameter"/>, for assignment to a property.</returns>
    protected Tensor RegisterParameter(string name, Tensor parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        CheckName(name);
        if (!parameter.IsLeaf)
        {
            throw new ArgumentException($"Parameter '{name}' must be a leaf tensor (use Detach()).", nameof(parameter));
        }

        parameter.RequiresGrad = true;
        _parameters.Add((name, parameter));
        return parameter;
    }

    /// <summary>
    /// Registers a buffer under <paramref name="name"/>: state that moves with the module but is not trained (it
    /// never requires a gradient), as PyTorch's <c>register_buffer</c>. A persistent buffer is part of
    /// <see cref="StateDict"/> and is loaded by <see cref="LoadStateDict"/>; a non-persistent one is not.
    /// </summary>
    /// <param name="name">A name without dots, unique within this module.</param>
    /// <param name="buffer">A leaf tensor that does not require a gradient (any dtype: Int64 counters are common).</param>
    /// <param name="persistent">Whether the buffer is saved in the state dict.</param>
    /// <returns><paramref name="buffer"/>, for assignment to a property.</returns>
    protected Tensor RegisterBuffer(string name, Tensor buffer, bool persistent = true)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        CheckName(name);
        if (!buffer.IsLeaf || buffer.RequiresGrad)
        {
            throw new ArgumentException(
                $"Buffer '{name}' must be a leaf tensor that does not require a gradient (use Detach()); buffers are not trained.",
                nameof(buffer));
        }

        _buffers.Add((name, buffer, persistent));
        return buffer;
    }

    /// <summary>Registers a child module under <paramref name="name"/>; its parameters are named <c>name.child</c>.</summary>
    /// <typeparam name="TModule">The child's type.</typeparam>
    /// <param name="name">A name without dots, unique within this module.</param>
    /// <param name="module">The child.</param>
    /// <returns><paramref name="module"/>, for assignment to a property.</returns>
    protected TModule RegisterModule<TModule>(string name, TModule module)
        where TModule : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        CheckName(name);
        if (ReferenceEquals(module, this))
        {
            throw new ArgumentException("A module cannot be its own child.", nameof(module));
        }

        _children.Add((name, module));
        return module;
    }

    /// <summary>
    /// Registers a random generator that <see cref="Forward"/> draws from, so that <see cref="NamedGenerators"/> lists
    /// it and a checkpoint can save and restore its state.
    /// </summary>
    /// <param name="name">A name without dots, unique within this module.</param>
    /// <param name="generator">The generator.</param>
    /// <returns><paramref name="generator"/>, for assignment to a property.</returns>
    protected SplitMix64 RegisterGenerator(string name, SplitMix64 generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        CheckName(name);
        _generators.Add((name, generator));
        return generator;
    }

    private IEnumerable<(string Name, SplitMix64 Generator)> AllNamedGenerators(string prefix)
    {
        foreach (var (name, value) in _generators)
        {
            yield return (prefix + name, value);
        }

        foreach (var (name, child) in _children)
        {
            foreach (var item in child.AllNamedGenerators(prefix + name + "."))
            {
                yield return item;
            }
        }
    }

    private IEnumerable<(string Name, Tensor Value)> AllNamedParameters(string prefix)
    {
        foreach (var (name, value) in _parameters)
        {
            yield return (prefix + name, value);
        }

        foreach (var (name, child) in _children)
        {
            foreach (var item in child.AllNamedParameters(prefix + name + "."))
            {
                yield return item;
            }
        }
    }

    private IEnumerable<(string Name, Tensor Value, bool Persistent)> AllNamedBuffers(string prefix)
    {
        foreach (var (name, value, persistent) in _buffers)
        {
            yield return (prefix + name, value, persistent);
        }

        foreach (var (name, child) in _children)
        {
            foreach (var item in child.AllNamedBuffers(prefix + name + "."))
            {
                yield return item;
            }
        }
    }

    private void CheckName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('.'))
        {
            throw new ArgumentException($"Name '{name}' must not contain '.'.", nameof(name));
        }

        if (_parameters.Any(p => p.Name == name) || _buffers.Any(b => b.Name == name) || _children.Any(c => c.Name == name)
            || _generators.Any(g => g.Name == name))
        {
            throw new ArgumentException($"{GetType().Name} already has a member named '{name}'.", nameof(name));
        }
    }

    private static void CopyInto(Tensor destination, Tensor source)
    {
        using (Tape.NoGrad())
        {
            destination.CopyFrom(source);   // converts the dtype; bumps the version, so a graph that saved the old
        }                                   // values refuses to back-propagate
    }
}

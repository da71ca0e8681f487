using System.Runtime.InteropServices;

namespace Autograd;

/// <summary>
/// One recorded op (PyTorch's grad_fn node): the inputs that need a gradient, the tensors its backward saved from
/// the forward pass (with their versions), and <see cref="Backward"/>, which returns the gradient of every input
/// in one call. Subclasses live next to their forward pass in <c>Ops/</c>.
/// </summary>
/// <remarks>
/// Up to three inputs are held inline in the entry (recording a unary, binary or Linear op allocates the entry and
/// nothing else: the tape's fixed cost per op is what tiny training steps pay); more go into an array.
/// Saved tensors are kept as they are, not Detach()ed, so that a backward pass with createGraph can differentiate
/// through them; each one's version is remembered, and a Backward after an in-place change throws before any
/// gradient is written (<see cref="CheckSavedVersions"/>).
/// </remarks>
internal abstract class TapeEntry
{
    private InlineInputs _inputs;        // inputs 0 to 2 (null where one needs no gradient), when there are at most three
    private InlineProducers _producers;  // their producers when recorded (null for a leaf): an in-place op may rebase an
                                         // input's GradFn later, and this entry's gradient must still reach the old one
    private Tensor? _saved0, _saved1;  // the first two saved tensors, inline
    private int _savedVersion0, _savedVersion1;
    private byte _savedCount;
    private readonly byte _inlineInputCount;  // InputCount when the inputs are inline (a byte: the entry stays 8 bytes smaller)
    private EntryExtras? _extras;      // what few entries need: more inputs or saved tensors, hooks, a call site

    /// <param name="name">The op's name, as shown in errors and ToString (e.g. "MatMul").</param>
    /// <param name="x">The op's only input.</param>
    protected TapeEntry(string name, Tensor x)
    {
        Name = name;
        _inlineInputCount = 1;
        if (x.RequiresGrad)
        {
            (_inputs[0], _producers[0]) = (x, x.GradFn);
        }
    }

    /// <param name="name">The op's name.</param>
    /// <param name="x">The op's first input.</param>
    /// <param name="y">The op's second input.</param>
    protected TapeEntry(string name, Tensor x, Tensor y)
    {
        Name = name;
        _inlineInputCount = 2;
        if (x.RequiresGrad)
        {
            (_inputs[0], _producers[0]) = (x, x.GradFn);
        }

        if (y.RequiresGrad)
        {
            (_inputs[1], _producers[1]) = (y, y.GradFn);
        }
    }

    /// <param name="name">The op's name.</param>
    /// <param name="inputs">Every input of the op, in order (any number).</param>
    protected TapeEntry(string name, ReadOnlySpan<Tensor> inputs)
    {
        Name = name;
        if (inputs.Length <= InlineInputs.Length)
        {
            _inlineInputCount = (byte)inputs.Length;
            for (int i = 0; i < inputs.Length; i++)
            {
                if (inputs[i].RequiresGrad)
                {
                    (_inputs[i], _producers[i]) = (inputs[i], inputs[i].GradFn);
                }
            }
        }
        else
        {
            var many = new Tensor?[inputs.Length];
            var producers = new TapeEntry?[inputs.Length];
            for (int i = 0; i < inputs.Length; i++)
            {
                if (inputs[i].RequiresGrad)
                {
                    (many[i], producers[i]) = (inputs[i], inputs[i].GradFn);
                }
            }

            Extras.ManyInputs = many;
            Extras.ManyProducers = producers;
            Extras.ManyInputCount = inputs.Length;
        }
    }

    /// <summary>The op's name.</summary>
    public string Name { get; }

    /// <summary>True once Backward has freed what this entry saved.</summary>
    public bool IsReleased { get; private set; }

    /// <summary>The number of inputs of the op, whether or not they need a gradient.</summary>
    internal int InputCount => _extras is { ManyInputCount: > 0 } extras ? extras.ManyInputCount : _inlineInputCount;

    /// <summary>The inputs that need a gradient (null where an input needs none); empty once released.</summary>
    internal ReadOnlySpan<Tensor?> Inputs =>
        IsReleased ? default : _extras?.ManyInputs ?? MemoryMarshal.CreateReadOnlySpan(ref _inputs[0], _inlineInputCount);

    /// <summary>
    /// The entry that produced each input when this entry was recorded (null for a leaf or an input that needs no
    /// gradient): where the backward pass sends each input's gradient. Empty once released.
    /// </summary>
    internal ReadOnlySpan<TapeEntry?> Producers =>
        IsReleased ? default : _extras?.ManyProducers ?? MemoryMarshal.CreateReadOnlySpan(ref _producers[0], _inlineInputCount);

    /// <summary>
    /// True when the gradients <see cref="Backward"/> returns are either new storage or views of the incoming
    /// gradient (every built-in op); the engine may then take them over. False for user code
    /// (<see cref="Function"/>), whose results may be anything the user holds.
    /// </summary>
    internal bool OwnsResults { get; private protected init; } = true;

    /// <summary>"File.cs:42" of the user code that recorded this op; set only inside <see cref="Tape.DetectAnomaly"/>.</summary>
    internal string? CallSite
    {
        get => _extras?.CallSite;
        set => Extras.CallSite = value;
    }

    /// <summary>Hooks registered on the tensor this entry produced (see <see cref="Tensor.RegisterHook"/>).</summary>
    internal List<Func<Tensor, Tensor?>>? Hooks => _extras?.Hooks;

    private EntryExtras Extras => _extras ??= new EntryExtras();

    // Scratch state of the backward pass that is currently walking this entry (see BackwardPass).
    internal int VisitMark;
    internal int PendingConsumers;
    internal Tensor? PendingGrad;
    internal bool PendingGradExclusive;

    /// <summary>
    /// Computes the gradient of every input that <see cref="BackwardContext.NeedsInputGrad"/> names, writing it to
    /// <paramref name="inputGrads"/>[i] (a tensor of input i's shape and dtype; null means zero).
    /// Without <see cref="BackwardContext.CreateGraph"/> this is the fast path: recording is off, and results are
    /// either new storage or views of <paramref name="gradOutput"/>, never storage that something else owns
    /// (checked in debug builds). With it, recording is on and results must be computed from recorded Tensor ops
    /// on <paramref name="gradOutput"/> and the saved tensors, so that they can be differentiated again.
    /// </summary>
    internal abstract void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads);

    /// <summary>
    /// The shape of input <paramref name="index"/>, read from the input itself (held while it needs a gradient, and a
    /// VJP asks only for those): entries need no shape fields of their own to sum a gradient down to an input's shape.
    /// </summary>
    protected int[] InputShape(int index) => (_extras?.ManyInputs is { } many ? many[index] : _inputs[index])!.ShapeArray;

    /// <summary>Saves <paramref name="tensor"/> for the backward pass, remembering its version.</summary>
    protected void Save(Tensor tensor)
    {
        switch (_savedCount)
        {
            case 0:
                (_saved0, _savedVersion0) = (tensor, tensor.Version);
                break;
            case 1:
                (_saved1, _savedVersion1) = (tensor, tensor.Version);
                break;
            default:
                (Extras.MoreSaved ??= []).Add(new SavedTensor(tensor, tensor.Version));
                break;
        }

        _savedCount++;
    }

    /// <summary>The <paramref name="index"/>-th tensor passed to <see cref="Save"/>.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    protected Tensor Saved(int index)
    {
        Tensor? saved = index == 0 ? _saved0 : index == 1 ? _saved1 : MoreSaved(index);
        return saved ?? throw SavedReleased();
    }

    private Tensor? MoreSaved(int index) =>
        _extras?.MoreSaved is { } more && index - 2 < more.Count ? more[index - 2].Tensor : null;

    private InvalidOperationException SavedReleased() =>
        new($"{Name}: the saved tensors were released by an earlier Backward (or none was saved at that index).");

    /// <summary>
    /// Throws when a saved tensor was changed in place after it was saved: the backward pass would silently use
    /// the new values. Called by the engine for every entry of a graph before any gradient is written.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal void CheckSavedVersions()
    {
        // Inline for the usual one or two saved tensors; the rest (and a Function's) out of line.
        if (_saved0 is not null && _saved0.Version != _savedVersion0)
        {
            throw SavedTensor.SavedTensorModified(Name, 0, _saved0, _savedVersion0);
        }

        if (_saved1 is not null && _saved1.Version != _savedVersion1)
        {
            throw SavedTensor.SavedTensorModified(Name, 1, _saved1, _savedVersion1);
        }

        if (_savedCount > 2 || KeepsOtherSavedTensors)
        {
            CheckMoreSavedVersions();
        }
    }

    /// <summary>True for an entry that keeps saved tensors of its own (a Function's context): checked out of line.</summary>
    private protected bool KeepsOtherSavedTensors { get; init; }

    /// <summary>The saved tensors beyond the first two, and those an entry keeps itself (a Function's context).</summary>
    private protected virtual void CheckMoreSavedVersions()
    {
        for (int i = 2; i < _savedCount; i++)
        {
            _extras!.MoreSaved![i - 2].Check(Name, i);
        }
    }

    /// <summary>Adds a hook on the tensor this entry produced; the returned handle removes it.</summary>
    internal IDisposable AddHook(Func<Tensor, Tensor?> hook)
    {
        List<Func<Tensor, Tensor?>> hooks = Extras.Hooks ??= [];
        hooks.Add(hook);
        return new HookHandle(hooks, hook);
    }

    /// <summary>Drops references to saved state that is not a saved tensor; override when the entry keeps any.</summary>
    protected virtual void ReleaseSaved()
    {
    }

    /// <summary>Frees everything the entry holds, so the graph's buffers can be collected.</summary>
    internal void Release()
    {
        IsReleased = true;
        _inputs = default;
        _producers = default;
        _saved0 = _saved1 = null;
        _savedCount = 0;
        if (_extras is { } extras)
        {
            extras.ManyInputs = null;
            extras.ManyProducers = null;
            extras.MoreSaved = null;
        }

        PendingGrad = null;
        ReleaseSaved();
    }

    /// <summary>The rarely used part of an entry, allocated on first use so that ordinary entries stay small.</summary>
    private sealed class EntryExtras
    {
        public Tensor?[]? ManyInputs;
        public TapeEntry?[]? ManyProducers;
        public int ManyInputCount;   // the number of inputs when there are more than fit inline
        public List<SavedTensor>? MoreSaved;
        public List<Func<Tensor, Tensor?>>? Hooks;
        public string? CallSite;
    }
}

/// <summary>A tensor an op saved for its backward pass and the version it had then.</summary>
internal readonly struct SavedTensor(Tensor tensor, int version)
{
    public Tensor? Tensor { get; } = tensor;

    public int Version { get; } = version;

    /// <summary>Throws when the tensor was modified in place since it was saved.</summary>
    public void Check(string op, int index)
    {
        if (Tensor is { } tensor && tensor.Version != Version)
        {
            throw SavedTensorModified(op, index, tensor, Version);
        }
    }

    internal static InvalidOperationException SavedTensorModified(string op, int index, Tensor tensor, int savedVersion) => new(
        $"Backward: {op} saved a tensor for its gradient (saved tensor {index}, {ShapeText.Format(tensor.ShapeSpan)} "
        + $"{tensor.DType}) that was modified in place afterwards (version {savedVersion} when saved, {tensor.Version} "
        + "now), by an in-place op, an optimizer step, Init or LoadStateDict. Its gradient would use the new values. "
        + "Run the forward pass again after the change, or make the change out of place (y = y * 2, not y.MulInPlace(2)).");
}

/// <summary>Removes a hook from its list when disposed (once).</summary>
internal sealed class HookHandle(List<Func<Tensor, Tensor?>> hooks, Func<Tensor, Tensor?> hook) : IDisposable
{
    private bool _disposed;

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            hooks.Remove(hook);
        }
    }
}

/// <summary>Room for the producers of an entry's inputs inside the entry itself.</summary>
[System.Runtime.CompilerServices.InlineArray(InlineInputs.Length)]
internal struct InlineProducers
{
    private TapeEntry? _element;
}

/// <summary>Room for an entry's inputs inside the entry itself: up to three (a Linear layer's x, W, b).</summary>
[System.Runtime.CompilerServices.InlineArray(Length)]
internal struct InlineInputs
{
    public const int Length = 3;

    private Tensor? _element;
}

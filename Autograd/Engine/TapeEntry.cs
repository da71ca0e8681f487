namespace Autograd;

/// <summary>
/// One recorded op: references to the inputs that need a gradient, whatever the op saved from its
/// forward pass, and its vector-Jacobian product (VJP). Subclasses live next to their forward pass in <c>Ops/</c>.
/// </summary>
/// <remarks>
/// Every op has one or two inputs, so they are an inline pair rather than an array: recording an op allocates
/// the entry and nothing else (the tape's fixed cost per op is what tiny training steps pay).
/// Entries save tensors as they are, not Detach()ed: a saved tensor that requires a gradient is reachable through
/// the inputs anyway, and one that does not has no graph behind it, so a detached wrapper would only cost an
/// allocation. Shapes are saved as the tensors' own (immutable) arrays.
/// </remarks>
internal abstract class TapeEntry
{
    // The inputs that need a gradient (null where one needs none), inline in the entry; cleared once released.
    private InputPair _inputs;

    /// <param name="name">The op's name, as shown in errors and ToString (e.g. "MatMul").</param>
    /// <param name="x">The op's only input.</param>
    protected TapeEntry(string name, Tensor x)
    {
        Name = name;
        InputCount = 1;
        _inputs[0] = x.RequiresGrad ? x : null;
    }

    /// <param name="name">The op's name, as shown in errors and ToString (e.g. "MatMul").</param>
    /// <param name="x">The op's first input.</param>
    /// <param name="y">The op's second input.</param>
    protected TapeEntry(string name, Tensor x, Tensor y)
    {
        Name = name;
        InputCount = 2;
        _inputs[0] = x.RequiresGrad ? x : null;
        _inputs[1] = y.RequiresGrad ? y : null;
    }

    /// <summary>The op's name.</summary>
    public string Name { get; }

    /// <summary>True once Backward has freed what this entry saved.</summary>
    public bool IsReleased { get; private set; }

    /// <summary>The number of inputs of the op (1 or 2), whether or not they need a gradient.</summary>
    internal int InputCount { get; }

    /// <summary>The inputs that need a gradient (null where an input needs none); empty once released.</summary>
    internal ReadOnlySpan<Tensor?> Inputs => IsReleased ? default : ((ReadOnlySpan<Tensor?>)_inputs)[..InputCount];

    // Scratch state of the backward pass that is currently walking this entry (see BackwardPass).
    internal int VisitMark;
    internal int PendingConsumers;
    internal Tensor? PendingGrad;
    internal bool PendingGradExclusive;

    /// <summary>
    /// True while <see cref="Vjp"/> runs when gradOutput's buffer belongs to this entry alone and only one input
    /// receives a gradient: the VJP may then write its result over gradOutput and return it (saving a buffer).
    /// </summary>
    internal bool CanOverwriteGradOutput;

    /// <summary>
    /// The gradient of input <paramref name="index"/> given the gradient of the output. Returns a tensor of
    /// the input's shape that is either freshly allocated or a view of <paramref name="gradOutput"/>'s storage;
    /// it must never return storage that something else owns.
    /// </summary>
    internal abstract Tensor Vjp(int index, Tensor gradOutput);

    /// <summary>Drops references to saved buffers; override when the entry saves any.</summary>
    protected virtual void ReleaseSaved()
    {
    }

    /// <summary>Frees everything the entry holds, so the graph's buffers can be collected.</summary>
    internal void Release()
    {
        IsReleased = true;
        _inputs = default;
        PendingGrad = null;
        ReleaseSaved();
    }
}

/// <summary>Room for an entry's one or two inputs inside the entry itself.</summary>
[System.Runtime.CompilerServices.InlineArray(2)]
internal struct InputPair
{
    private Tensor? _element;
}

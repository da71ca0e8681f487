namespace Autograd;

/// <summary>
/// One recorded op: references to the inputs that need a gradient, whatever the op saved from its
/// forward pass, and its vector-Jacobian product (VJP). Subclasses live next to their forward pass in <c>Ops/</c>.
/// </summary>
internal abstract class TapeEntry
{
    private Tensor?[]? _inputs;   // null once released

    /// <param name="name">The op's name, as shown in errors and ToString (e.g. "MatMul").</param>
    /// <param name="inputs">The op's inputs, in order. Inputs that need no gradient are not kept.</param>
    protected TapeEntry(string name, params Tensor[] inputs)
    {
        Name = name;
        _inputs = new Tensor?[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            _inputs[i] = inputs[i].RequiresGrad ? inputs[i] : null;
        }
    }

    /// <summary>The op's name.</summary>
    public string Name { get; }

    /// <summary>True once Backward has freed what this entry saved.</summary>
    public bool IsReleased => _inputs is null;

    /// <summary>The inputs that need a gradient (null where an input needs none); empty once released.</summary>
    internal ReadOnlySpan<Tensor?> Inputs => _inputs;

    /// <summary>Whether input <paramref name="index"/> receives a gradient.</summary>
    protected bool NeedsGrad(int index) => _inputs is not null && _inputs[index] is not null;

    // Scratch state of the backward pass that is currently walking this entry (see BackwardPass).
    internal int VisitMark;
    internal int PendingConsumers;
    internal Tensor? PendingGrad;
    internal bool PendingGradExclusive;

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
        _inputs = null;
        PendingGrad = null;
        ReleaseSaved();
    }
}

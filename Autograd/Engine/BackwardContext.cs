namespace Autograd;

/// <summary>What the engine tells an entry's <see cref="TapeEntry.Backward"/> about the call.</summary>
internal readonly struct BackwardContext
{
    private readonly ulong _needsMask;          // bit i: input i wants a gradient (inputs 0..63)
    private readonly bool[]? _needsBeyond64;    // the whole mask, for entries with more than 64 inputs

    internal BackwardContext(ulong needsMask, bool[]? needsBeyond64, bool createGraph, bool canOverwriteGradOutput)
    {
        _needsMask = needsMask;
        _needsBeyond64 = needsBeyond64;
        CreateGraph = createGraph;
        CanOverwriteGradOutput = canOverwriteGradOutput;
    }

    /// <summary>
    /// True when the backward pass is itself recorded (<c>Backward(createGraph: true)</c>, <see cref="Tape.Grad"/>
    /// with createGraph): gradients must then be computed with recorded Tensor ops, never on raw buffers.
    /// </summary>
    public bool CreateGraph { get; }

    /// <summary>
    /// True when gradOutput's buffer belongs to this entry alone and only one input receives a gradient: the fast
    /// path may then write that input's gradient over gradOutput and return gradOutput (saving a buffer).
    /// </summary>
    public bool CanOverwriteGradOutput { get; }

    /// <summary>Whether input <paramref name="index"/> wants a gradient (others must be left null).</summary>
    public bool NeedsInputGrad(int index) =>
        _needsBeyond64 is { } all ? all[index] : (_needsMask & (1UL << index)) != 0;
}

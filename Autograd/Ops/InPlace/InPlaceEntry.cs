namespace Autograd.Ops.InPlace;

/// <summary>
/// The entry of an in-place op: input 0 is the tensor that stands for the old value (<see cref="Tensor.SplitHistory"/>),
/// which shares the target's storage by construction, so such an entry is not a view op.
/// </summary>
internal abstract class InPlaceEntry : TapeEntry
{
    /// <param name="name">The op's name.</param>
    /// <param name="previous">The old value.</param>
    protected InPlaceEntry(string name, Tensor previous)
        : base(name, previous)
    {
    }

    /// <param name="name">The op's name.</param>
    /// <param name="previous">The old value.</param>
    /// <param name="operand">The other operand.</param>
    protected InPlaceEntry(string name, Tensor previous, Tensor operand)
        : base(name, previous, operand)
    {
    }
}

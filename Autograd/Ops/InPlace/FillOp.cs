namespace Autograd.Ops.InPlace;

/// <summary>
/// Every element ← c in place (Fill, PyTorch's fill_; Zero, zero_). VJP: d/dprevious = 0, the old values being gone.
/// Saves nothing.
/// </summary>
internal static class FillOp
{
    public static Tensor Apply(Tensor target, double value, string op)
    {
        ArgumentNullException.ThrowIfNull(target);
        bool record = InPlaceOp.Begin(op, target, operand: null);
        Tensor? before = InPlaceOp.SnapshotForAnomaly(target);
        FillEntry? entry = record ? new FillEntry(op, target.SplitHistory()) : null;
        var fill = new FillKernel(target, value);
        DTypeDispatch.Any(target.DType, ref fill);
        return InPlaceOp.End(op, target, operand: null, before, entry);
    }

    private readonly struct FillKernel(Tensor target, double value) : IAnyAction
    {
        public void Invoke<T>()
            where T : unmanaged => target.Span<T>().Fill(ElementConversion.FromDouble<T>(value));
    }

    /// <summary>Input: the old value.</summary>
    private sealed class FillEntry(string op, Tensor previous) : InPlaceEntry(op, previous)
    {
        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads) =>
            inputGrads[0] = Tensor.Zeros(gradOutput.ShapeArray, gradOutput.DType);
    }
}

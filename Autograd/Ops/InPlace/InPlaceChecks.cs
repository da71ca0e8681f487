namespace Autograd.Ops.InPlace;

/// <summary>
/// The rules an in-place op checks before it writes anything, as PyTorch's; every message names the op, and the shape
/// errors both shapes.
/// </summary>
internal static class InPlaceChecks
{
    /// <summary>The operand is not null, has the target's dtype and broadcasts to the target's shape.</summary>
    public static void Operand(string op, Tensor target, Tensor? operand, bool sameDType = true)
    {
        if (operand is null)
        {
            throw new ArgumentNullException(nameof(operand), $"{op}: the other tensor is null.");
        }

        if (sameDType && operand.DType != target.DType)
        {
            throw new ArgumentException(
                $"{op}: dtypes differ (this tensor {ShapeText.Format(target.ShapeSpan)} {target.DType}, the other "
                + $"{ShapeText.Format(operand.ShapeSpan)} {operand.DType}); convert the other with To({target.DType}) first.");
        }

        if (!Arithmetic.BroadcastsInto(operand.ShapeSpan, target.ShapeSpan))
        {
            throw new ArgumentException(
                $"{op}: {ShapeText.Format(target.ShapeSpan)} and {ShapeText.Format(operand.ShapeSpan)}: the other tensor "
                + $"must broadcast to this tensor's shape {ShapeText.Format(target.ShapeSpan)} (an in-place op never "
                + "changes the shape of the tensor it writes).");
        }
    }

    /// <summary>
    /// A leaf that requires a gradient may only be written with recording off: its Grad is accumulated for the values
    /// the graph saw, and a recorded write would turn it into an op output (PyTorch raises the same error).
    /// </summary>
    public static void NotARecordedLeaf(string op, Tensor target)
    {
        if (target.IsLeaf && target.RequiresGrad)
        {
            throw new InvalidOperationException(
                $"{op}: a leaf tensor that requires a gradient ({ShapeText.Format(target.ShapeSpan)} {target.DType}) "
                + "cannot be modified in place while the tape records; wrap the update in "
                + "using (Tape.NoGrad()) { ... } (as optimizers do), or use the out-of-place op.");
        }
    }

    /// <summary>
    /// Refuses a recorded write to a view of a recorded tensor (a Reshape output, say): the view's base would change
    /// without its history knowing (PyTorch rewrites the base's history for this; we do not).
    /// </summary>
    public static void NotAViewOfARecordedTensor(string op, Tensor target)
    {
        if (target.GradFn is not { } producer || producer is InPlaceEntry)
        {
            return;   // after an in-place op the target is still the tensor that passed this check the first time
        }

        foreach (Tensor? input in producer.Inputs)
        {
            if (input is not null && input.SharesStorageWith(target))
            {
                throw new NotSupportedException(
                    $"{op}: this tensor ({ShapeText.Format(target.ShapeSpan)}) is a view of another tensor in the graph "
                    + $"(the output of {producer.Name}, sharing its input's storage); in-place ops on such views are "
                    + "not supported while the tape records. Use the out-of-place op (y = y + other, y = y * other), "
                    + "or apply the in-place op before taking the view.");
            }
        }
    }

    /// <summary>
    /// Refuses an operand that is a view of the target carrying its own graph (target.Reshape(...), say): its history
    /// leads back to the target, whose history the write replaces, so the gradient could not be routed.
    /// </summary>
    public static void NotARecordedViewOfTarget(string op, Tensor target, Tensor operand)
    {
        if (!ReferenceEquals(operand, target) && operand.GradFn is not null && operand.SharesStorageWith(target))
        {
            throw new NotSupportedException(
                $"{op}: the other tensor ({ShapeText.Format(operand.ShapeSpan)}) is a recorded view of the tensor being "
                + "written (they share storage); this is not supported while the tape records. Pass the tensor itself, "
                + "or use the out-of-place op.");
        }
    }
}

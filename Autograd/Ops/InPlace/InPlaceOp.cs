namespace Autograd.Ops.InPlace;

/// <summary>
/// What every in-place op does around its kernel, as PyTorch does it: check the leaf and view rules, and when the tape
/// records, move the target's history to a new tensor that stands for the old value (<see cref="Tensor.SplitHistory"/>)
/// before writing; after writing, bump the version (so an op that saved the target refuses to back-propagate) and
/// make the op's entry the target's GradFn (rebase_history).
/// </summary>
/// <remarks>
/// Usage: <c>record = Begin(...)</c>; when recording, <c>previous = target.SplitHistory()</c> and build the entry
/// (it saves what it needs: a copy of the old values, never the target itself); write the data; <c>End(...)</c>.
/// </remarks>
internal static class InPlaceOp
{
    /// <summary>
    /// Checks that <paramref name="op"/> may write <paramref name="target"/> now and says whether the write must be
    /// recorded: recording is on and the target or the operand requires a gradient.
    /// </summary>
    public static bool Begin(string op, Tensor target, Tensor? operand)
    {
        if (!Tape.IsGradEnabled)
        {
            return false;   // NoGrad: write the data (any tensor, parameters included), record nothing
        }

        InPlaceChecks.NotARecordedLeaf(op, target);
        bool record = target.RequiresGrad || operand is { RequiresGrad: true };
        if (record)
        {
            InPlaceChecks.NotAViewOfARecordedTensor(op, target);
            if (operand is not null)
            {
                InPlaceChecks.NotARecordedViewOfTarget(op, target, operand);
            }
        }

        return record;
    }

    /// <summary>
    /// The old values, kept only inside <see cref="Tape.DetectAnomaly"/> so that <see cref="End"/> can tell whether the
    /// write made a new NaN.
    /// </summary>
    public static Tensor? SnapshotForAnomaly(Tensor target) => Tape.IsAnomalyDetectionEnabled ? target.CloneData() : null;

    /// <summary>
    /// The operand as an input of the op's entry: the tensor that stands for the old value when the operand is the
    /// target itself (x.AddInPlace(x)), so that the entry never lists the tensor it rewrites as its own input.
    /// </summary>
    public static Tensor GraphOperand(Tensor target, Tensor previous, Tensor operand) =>
        ReferenceEquals(operand, target) ? previous : operand;

    /// <summary>
    /// A copy of the old values taken before the write, for a VJP that needs them. Recorded from
    /// <paramref name="previous"/> when it carries a graph, so that a backward pass with createGraph can differentiate
    /// through it; a plain copy otherwise.
    /// </summary>
    public static Tensor CopyOfOldValues(Tensor target, Tensor previous) =>
        previous.RequiresGrad ? previous.Clone() : target.CloneData();

    /// <summary>
    /// After the write: bumps the target's version, makes <paramref name="entry"/> (when recorded) its GradFn, and inside
    /// <see cref="Tape.DetectAnomaly"/> throws when the write made a NaN that neither the old values nor the operand held.
    /// </summary>
    public static Tensor End(string op, Tensor target, Tensor? operand, Tensor? before, TapeEntry? entry)
    {
        target.BumpVersion();
        if (entry is not null)
        {
            target.RebaseGradFn(entry);   // (inside DetectAnomaly it keeps the caller's source line too)
        }

        if (before is not null)
        {
            Anomaly.CheckForward(op, target, operand is null ? [before] : [before, operand]);
        }

        return target;
    }
}

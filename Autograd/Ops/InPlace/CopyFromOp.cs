using System.Numerics;
using Autograd.Kernels;

namespace Autograd.Ops.InPlace;

/// <summary>
/// this ← source in place (PyTorch's copy_): source broadcast to this shape and converted Float32 ↔ Float64 when the
/// dtypes differ. VJP: d/dprevious = 0 (the old values are gone), d/dsource = SumTo(g, source's shape) converted back
/// to source's dtype. Saves nothing.
/// </summary>
internal static class CopyFromOp
{
    private const string Op = "CopyFrom";

    public static Tensor Apply(Tensor target, Tensor source)
    {
        ArgumentNullException.ThrowIfNull(target);
        InPlaceChecks.Operand(Op, target, source, sameDType: false);
        bool record = InPlaceOp.Begin(Op, target, source);
        Tensor? before = InPlaceOp.SnapshotForAnomaly(target);
        CopyFromEntry? entry = null;
        if (record)
        {
            Tensor previous = target.SplitHistory();
            entry = new CopyFromEntry(previous, InPlaceOp.GraphOperand(target, previous, source));
        }

        Tensor values = source;
        if (source.DType != target.DType)
        {
            using (Tape.NoGrad())
            {
                values = source.To(target.DType);   // a converted copy of the (smaller) source, then broadcast
            }
        }

        if (!DTypeDispatch.IsFloatingPoint(target.DType))
        {
            CopyData(target, values);
        }
        else
        {
            DTypeDispatch.Float(target.DType, new CopyKernel(values, target));
        }

        return InPlaceOp.End(Op, target, source, before, entry);
    }

    /// <summary>Int64 and Bool: a plain copy of the same shape (they have no broadcast kernels).</summary>
    private static void CopyData(Tensor target, Tensor values)
    {
        if (!values.ShapeSpan.SequenceEqual(target.ShapeSpan))
        {
            throw new ArgumentException(
                $"{Op}: a {target.DType} tensor copies only a source of its own shape; got {ShapeText.Format(values.ShapeSpan)} "
                + $"into {ShapeText.Format(target.ShapeSpan)}.");
        }

        values.CopyElementsTo(target, 0);
    }

    /// <summary>destination ← source, broadcast (FirstOperandKernel ignores its second operand, here the destination).</summary>
    private readonly struct CopyKernel(Tensor source, Tensor destination) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Span<T> output = destination.Span<T>();
            Broadcast.Apply<FirstOperandKernel, T>(
                source.Span<T>(), source.ShapeSpan, output, destination.ShapeSpan, output, destination.ShapeSpan);
        }
    }

    /// <summary>Inputs: the old value and the source.</summary>
    private sealed class CopyFromEntry(Tensor previous, Tensor source) : InPlaceEntry(Op, previous, source)
    {
        private readonly int[] _sourceShape = source.ShapeArray;
        private readonly DType _sourceType = source.DType;

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            // The same calls on both paths: SumTo and To are recorded exactly when the pass creates a graph.
            if (context.NeedsInputGrad(0))
            {
                inputGrads[0] = Tensor.Zeros(gradOutput.ShapeArray, gradOutput.DType);
            }

            if (context.NeedsInputGrad(1))
            {
                inputGrads[1] = BroadcastTo.SumTo(gradOutput, _sourceShape).To(_sourceType);
            }
        }
    }
}

using System.Numerics;
using System.Numerics.Tensors;
using Autograd.Kernels;

namespace Autograd.Ops.InPlace;

/// <summary>
/// this += α·other in place (AddInPlace; SubInPlace is α negated), other broadcast to this shape.
/// VJP: d/dprevious = g, d/dother = α·SumTo(g, other's shape). Saves nothing.
/// </summary>
internal static class AddInPlaceOp
{
    public static Tensor Apply(Tensor target, Tensor other, double alpha, string op)
    {
        ArgumentNullException.ThrowIfNull(target);
        InPlaceChecks.Operand(op, target, other);
        OpChecks.FloatingPoint(op, target);
        bool record = InPlaceOp.Begin(op, target, other);
        Tensor? before = InPlaceOp.SnapshotForAnomaly(target);
        AddInPlaceEntry? entry = null;
        if (record)
        {
            Tensor previous = target.SplitHistory();
            entry = new AddInPlaceEntry(op, previous, InPlaceOp.GraphOperand(target, previous, other), alpha);
        }

        DTypeDispatch.Float(target.DType, new AddScaledKernel(target, other, alpha));
        return InPlaceOp.End(op, target, other, before, entry);
    }

    /// <summary>target[i] += α·other[i] (broadcast). α = ±1 is a plain add or subtract: the same bits as x + y, x − y.</summary>
    private readonly struct AddScaledKernel(Tensor target, Tensor other, double alpha) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Span<T> x = target.Span<T>();
            ReadOnlySpan<T> y = other.Span<T>();
            if (alpha == 1)
            {
                Broadcast.Apply<AddKernel, T>(x, target.ShapeSpan, y, other.ShapeSpan, x, target.ShapeSpan);
                return;
            }

            if (alpha == -1)
            {
                Broadcast.Apply<SubtractKernel, T>(x, target.ShapeSpan, y, other.ShapeSpan, x, target.ShapeSpan);
                return;
            }

            T factor = T.CreateChecked(alpha);
            if (y.Length == x.Length)
            {
                TensorPrimitives.MultiplyAdd(y, factor, x, x);   // the optimizer step's shape: no temporary
                return;
            }

            // Broadcast: scale the (smaller) operand once, then add it row by row. (α·y) + x rounds as MultiplyAdd does.
            T[] scaled = GC.AllocateUninitializedArray<T>(y.Length);
            TensorPrimitives.Multiply(y, factor, scaled);
            Broadcast.Apply<AddKernel, T>(x, target.ShapeSpan, scaled, other.ShapeSpan, x, target.ShapeSpan);
        }
    }

    /// <summary>destination = g · α.</summary>
    private readonly struct ScaleKernel(Tensor g, double alpha, Tensor destination) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T> =>
            TensorPrimitives.Multiply(g.Span<T>(), T.CreateChecked(alpha), destination.Span<T>());
    }

    /// <summary>Inputs: the old value and the operand.</summary>
    private sealed class AddInPlaceEntry(string op, Tensor previous, Tensor other, double alpha)
        : InPlaceEntry(op, previous, other)
    {
        private readonly int[] _otherShape = other.ShapeArray;

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            if (context.NeedsInputGrad(0))
            {
                inputGrads[0] = gradOutput;
            }

            if (!context.NeedsInputGrad(1))
            {
                return;
            }

            // SumTo is recorded exactly when the pass creates a graph; it returns gradOutput itself when nothing was broadcast.
            Tensor reduced = BroadcastTo.SumTo(gradOutput, _otherShape);
            if (alpha == 1)
            {
                inputGrads[1] = reduced;
            }
            else if (context.CreateGraph)
            {
                inputGrads[1] = reduced * alpha;
            }
            else
            {
                bool writable = !reduced.SharesStorageWith(gradOutput) || context.CanOverwriteGradOutput;
                Tensor scaled = writable ? reduced : Tensor.Empty(_otherShape, reduced.DType);
                DTypeDispatch.Float(reduced.DType, new ScaleKernel(reduced, alpha, scaled));
                inputGrads[1] = scaled;
            }
        }
    }
}

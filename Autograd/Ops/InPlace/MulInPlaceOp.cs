using System.Numerics;
using System.Numerics.Tensors;
using Autograd.Kernels;

namespace Autograd.Ops.InPlace;

/// <summary>
/// this *= other (broadcast to this shape) and this *= c, in place.
/// VJP of the tensor form: d/dprevious = g·other, d/dother = SumTo(g·old, other's shape); it saves other (for the
/// first) and a copy of the old values taken before the write (for the second), each only when needed.
/// VJP of the constant form: d/dprevious = g·c; saves nothing.
/// </summary>
internal static class MulInPlaceOp
{
    private const string Op = "MulInPlace";

    public static Tensor Apply(Tensor target, Tensor other)
    {
        ArgumentNullException.ThrowIfNull(target);
        InPlaceChecks.Operand(Op, target, other);
        OpChecks.FloatingPoint(Op, target);
        bool record = InPlaceOp.Begin(Op, target, other);
        Tensor? before = InPlaceOp.SnapshotForAnomaly(target);
        MulInPlaceEntry? entry = null;
        if (record)
        {
            Tensor previous = target.SplitHistory();
            Tensor graphOther = InPlaceOp.GraphOperand(target, previous, other);
            Tensor? old = graphOther.RequiresGrad ? InPlaceOp.CopyOfOldValues(target, previous) : null;

            // The operand's values must survive the write: when it is the target they are the old values (and
            // graphOther is previous, so old was copied); when it is a view of the target, a copy.
            Tensor? otherValues = !previous.RequiresGrad ? null
                : ReferenceEquals(other, target) ? old
                : other.SharesStorageWith(target) ? other.CloneData()
                : other;
            entry = new MulInPlaceEntry(previous, graphOther, otherValues, old);
        }

        DTypeDispatch.Float(target.DType, new MultiplyKernel(target, other));
        return InPlaceOp.End(Op, target, other, before, entry);
    }

    public static Tensor Apply(Tensor target, double value)
    {
        ArgumentNullException.ThrowIfNull(target);
        OpChecks.FloatingPoint(Op, target);
        bool record = InPlaceOp.Begin(Op, target, operand: null);
        Tensor? before = InPlaceOp.SnapshotForAnomaly(target);
        ScaleEntry? entry = record ? new ScaleEntry(target.SplitHistory(), value) : null;
        DTypeDispatch.Float(target.DType, new ScaleKernel(target, value, target));
        return InPlaceOp.End(Op, target, operand: null, before, entry);
    }

    /// <summary>target[i] *= other[i] (broadcast).</summary>
    private readonly struct MultiplyKernel(Tensor target, Tensor other) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Span<T> x = target.Span<T>();
            Broadcast.Apply<Kernels.MultiplyKernel, T>(x, target.ShapeSpan, other.Span<T>(), other.ShapeSpan, x, target.ShapeSpan);
        }
    }

    /// <summary>destination = x · c.</summary>
    private readonly struct ScaleKernel(Tensor x, double value, Tensor destination) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T> =>
            TensorPrimitives.Multiply(x.Span<T>(), T.CreateChecked(value), destination.Span<T>());
    }

    /// <summary>destination = g · y, y broadcast to g's shape (destination may be g).</summary>
    private readonly struct ProductKernel(Tensor g, Tensor y, Tensor destination) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Span<T> output = destination.Span<T>();
            Broadcast.Apply<Kernels.MultiplyKernel, T>(g.Span<T>(), g.ShapeSpan, y.Span<T>(), y.ShapeSpan, output, g.ShapeSpan);
        }
    }

    /// <summary>Inputs: the old value and the operand. Saved: the operand's values (slot 0, when the old value needs a
    /// gradient) and the old values (next slot, when the operand needs one).</summary>
    private sealed class MulInPlaceEntry : InPlaceEntry
    {
        private readonly int _otherSlot = -1, _oldSlot = -1;
        private readonly int[] _otherShape;

        public MulInPlaceEntry(Tensor previous, Tensor other, Tensor? otherValues, Tensor? old)
            : base(Op, previous, other)
        {
            _otherShape = other.ShapeArray;
            int slots = 0;
            if (previous.RequiresGrad)
            {
                Save(otherValues!);
                _otherSlot = slots++;
            }

            if (other.RequiresGrad)
            {
                Save(old!);
                _oldSlot = slots;
            }
        }

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            if (context.CreateGraph)
            {
                inputGrads[0] = context.NeedsInputGrad(0) ? gradOutput * Saved(_otherSlot) : null;
                inputGrads[1] = context.NeedsInputGrad(1) ? BroadcastTo.SumTo(gradOutput * Saved(_oldSlot), _otherShape) : null;
                return;
            }

            // gradOutput may be overwritten only when a single input receives a gradient.
            if (context.NeedsInputGrad(0))
            {
                Tensor dPrevious = context.CanOverwriteGradOutput ? gradOutput : Tensor.Empty(gradOutput.ShapeArray, gradOutput.DType);
                DTypeDispatch.Float(gradOutput.DType, new ProductKernel(gradOutput, Saved(_otherSlot), dPrevious));
                inputGrads[0] = dPrevious;
            }

            if (context.NeedsInputGrad(1))
            {
                Tensor product = context.CanOverwriteGradOutput ? gradOutput : Tensor.Empty(gradOutput.ShapeArray, gradOutput.DType);
                DTypeDispatch.Float(gradOutput.DType, new ProductKernel(gradOutput, Saved(_oldSlot), product));
                inputGrads[1] = BroadcastTo.SumTo(product, _otherShape);
            }
        }
    }

    /// <summary>Input: the old value. Saves nothing.</summary>
    private sealed class ScaleEntry(Tensor previous, double value) : InPlaceEntry(Op, previous)
    {
        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            if (context.CreateGraph)
            {
                inputGrads[0] = gradOutput * value;
                return;
            }

            Tensor dPrevious = context.CanOverwriteGradOutput ? gradOutput : Tensor.Empty(gradOutput.ShapeArray, gradOutput.DType);
            DTypeDispatch.Float(gradOutput.DType, new ScaleKernel(gradOutput, value, dPrevious));
            inputGrads[0] = dPrevious;
        }
    }
}

using System.Numerics;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// Σ over all elements or along one axis. VJP: the gradient broadcast back over the summed axis.
/// Mean is composed: Sum times 1/n.
/// </summary>
internal static class Sum
{
    public static Tensor All(Tensor x)
    {
        OpChecks.NotNull(x, "Sum", "x");
        OpChecks.FloatingPoint("Sum", x);
        Tensor output = Tensor.Empty([], x.DType);
        DTypeDispatch.Float(x.DType, new SumAllAction(x, output));
        if (Tape.ShouldRecord("Sum", output, x))
        {
            output.SetGradFn(new SumEntry(x, outer: 1, length: x.Count, inner: 1, axis: -1));
        }

        return output;
    }

    public static Tensor Axis(Tensor x, int axis, bool keepDim)
    {
        OpChecks.NotNull(x, "Sum", "x");
        OpChecks.FloatingPoint("Sum", x);
        int resolved = ShapeText.Axis(axis, x.Rank, "Sum");
        var (outer, length, inner) = ShapeText.AroundAxis(x.ShapeSpan, resolved);
        Tensor output = Tensor.Empty(ShapeText.Reduced(x.ShapeSpan, resolved, keepDim), x.DType);
        DTypeDispatch.Float(x.DType, new SumAxisAction(x, outer, length, inner, output));
        if (Tape.ShouldRecord("Sum", output, x))
        {
            output.SetGradFn(new SumEntry(x, outer, length, inner, resolved));
        }

        return output;
    }

    public static Tensor Mean(Tensor x) => Unary.Apply(All(x), new MultiplyScalarOp(1.0 / x.Count));

    public static Tensor Mean(Tensor x, int axis, bool keepDim)
    {
        int length = x.ShapeSpan[ShapeText.Axis(axis, x.Rank, "Mean")];
        return Unary.Apply(Axis(x, axis, keepDim), new MultiplyScalarOp(1.0 / length));
    }

    private readonly struct SumAllAction(Tensor x, Tensor output) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T> => output.Span<T>()[0] = BlockedReductions.Sum<T>(x.Span<T>(), BlockedReductions.ThreadsFor(x.Count));
    }

    private readonly struct SumAxisAction(Tensor x, int outer, int length, int inner, Tensor output) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T> =>
            AxisKernels.Sum<T>(x.Span<T>(), outer, length, inner, output.Span<T>());
    }

    private readonly struct ExpandAction(Tensor g, int outer, int length, int inner, Tensor destination) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T> =>
            AxisKernels.Expand<T>(g.Span<T>(), outer, length, inner, destination.Span<T>());
    }

    /// <summary>
    /// dx = g repeated along the summed axis. Graph path: g viewed with the axis kept (size 1), then ExpandTo the
    /// input's shape, both recorded.
    /// </summary>
    // axis: the summed axis, or −1 for a sum over all elements.
    private sealed class SumEntry(Tensor x, int outer, int length, int inner, int axis) : TapeEntry("Sum", x)
    {
        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            if (context.CreateGraph)
            {
                inputGrads[0] = BroadcastTo.ExpandTo(Reshape.Forward(gradOutput, KeptShape()), InputShape(0));
                return;
            }

            Tensor dx = Tensor.Empty(InputShape(0), gradOutput.DType);
            DTypeDispatch.Float(dx.DType, new ExpandAction(gradOutput, outer, length, inner, dx));
            inputGrads[0] = dx;
        }

        /// <summary>The output's shape with the summed axes kept as size 1 (every axis for a sum of all elements).</summary>
        private int[] KeptShape()
        {
            int[] kept = (int[])InputShape(0).Clone();
            for (int i = 0; i < kept.Length; i++)
            {
                if (axis < 0 || i == axis)
                {
                    kept[i] = 1;
                }
            }

            return kept;
        }
    }
}

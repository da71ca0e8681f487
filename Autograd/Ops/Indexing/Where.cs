using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// torch.where: <c>condition ? x : y</c>, elementwise, the three broadcast to one shape. VJP: g where the condition
/// holds for x, g where it does not for y (zeros elsewhere), each summed down to its operand's shape. With a graph,
/// the masking is Where itself on g and a zero scalar, so it is differentiable again.
/// </summary>
internal static class Where
{
    public static Tensor Forward(Tensor condition, Tensor x, Tensor y)
    {
        const string Op = "Where";
        IndexChecks.Bool(Op, "condition", condition);
        OpChecks.NotNull(x, Op, "x");
        OpChecks.NotNull(y, Op, "y");
        OpChecks.SameDType(Op, x, y);
        int[] shape = MultiBroadcastLayout.BroadcastShape(Op, ["condition", "x", "y"], condition.ShapeArray, x.ShapeArray, y.ShapeArray);
        Tensor output = Tensor.Empty(shape, x.DType);
        var action = new WhereAction(condition, x, y, output);
        DTypeDispatch.Any(x.DType, ref action);
        // Only floating-point results can carry a gradient; Int64 and Bool ones never reach the tape.
        if (DTypeDispatch.IsFloatingPoint(x.DType) && Tape.ShouldRecord(Op, output, x, y))
        {
            output.SetGradFn(new WhereEntry(condition, x, y));
        }

        return output;
    }

    /// <summary>g where the condition equals <paramref name="keepWhen"/>, zero elsewhere, into new storage or over g.</summary>
    private static Tensor Masked(Tensor condition, Tensor g, bool keepWhen, bool overwrite)
    {
        Tensor destination = overwrite ? g : Tensor.Empty(g.ShapeArray, g.DType);
        var action = new FillAction(condition, g, destination, 0, when: !keepWhen);
        DTypeDispatch.Any(g.DType, ref action);
        return destination;
    }

    private readonly struct WhereAction(Tensor condition, Tensor x, Tensor y, Tensor output) : IAnyAction
    {
        public void Invoke<T>()
            where T : unmanaged =>
            MaskKernels.Where<T>(condition.Span<bool>(), condition.ShapeSpan, x.Span<T>(), x.ShapeSpan, y.Span<T>(), y.ShapeSpan,
                output.Span<T>(), output.ShapeSpan);
    }

    /// <summary>d where(c, x, y) = (SumTo(c ? g : 0), SumTo(c ? 0 : g)); the condition is saved.</summary>
    private sealed class WhereEntry : TapeEntry
    {
        private readonly int[] _xShape, _yShape;

        public WhereEntry(Tensor condition, Tensor x, Tensor y)
            : base("Where", x, y)
        {
            _xShape = x.ShapeArray;
            _yShape = y.ShapeArray;
            Save(condition);
        }

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            Tensor condition = Saved(0);
            if (context.CreateGraph)
            {
                Tensor zero = Tensor.Zeros([], gradOutput.DType);
                inputGrads[0] = context.NeedsInputGrad(0) ? BroadcastTo.SumTo(Forward(condition, gradOutput, zero), _xShape) : null;
                inputGrads[1] = context.NeedsInputGrad(1) ? BroadcastTo.SumTo(Forward(condition, zero, gradOutput), _yShape) : null;
                return;
            }

            // The engine allows writing over g only when a single input needs a gradient.
            bool overwrite = context.CanOverwriteGradOutput;
            if (context.NeedsInputGrad(0))
            {
                inputGrads[0] = BroadcastTo.SumTo(Masked(condition, gradOutput, keepWhen: true, overwrite), _xShape);
            }

            if (context.NeedsInputGrad(1))
            {
                inputGrads[1] = BroadcastTo.SumTo(Masked(condition, gradOutput, keepWhen: false, overwrite), _yShape);
            }
        }
    }
}

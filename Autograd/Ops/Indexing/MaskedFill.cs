using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// torch.masked_fill: x with <c>value</c> where the Bool mask is set; the mask broadcasts into x's shape, which the
/// result keeps. VJP: g with zeros where the mask is set; with a graph, that is MaskedFill itself on g (value 0), so
/// it is differentiable again.
/// </summary>
internal static class MaskedFill
{
    public static Tensor Forward(Tensor x, Tensor mask, double value)
    {
        const string Op = "MaskedFill";
        OpChecks.NotNull(x, Op, "x");
        IndexChecks.Bool(Op, "mask", mask);
        if (!Arithmetic.BroadcastsInto(mask.ShapeSpan, x.ShapeSpan))
        {
            throw new ArgumentException(
                $"{Op}: mask {ShapeText.Format(mask.ShapeSpan)} does not broadcast to the tensor's shape "
                + $"{ShapeText.Format(x.ShapeSpan)} (the result keeps the tensor's shape).");
        }

        Tensor output = Tensor.Empty(x.ShapeArray, x.DType);
        var action = new FillAction(mask, x, output, value, when: true);
        DTypeDispatch.Any(x.DType, ref action);
        // Only a floating-point result can carry a gradient; an Int64 or Bool one never reaches the tape.
        if (DTypeDispatch.IsFloatingPoint(x.DType) && Tape.ShouldRecord(Op, output, x))
        {
            output.SetGradFn(new MaskedFillEntry(x, mask));
        }

        return output;
    }

    /// <summary>d masked_fill(x) = g with zeros where the mask is set; the mask is saved.</summary>
    private sealed class MaskedFillEntry : TapeEntry
    {
        public MaskedFillEntry(Tensor x, Tensor mask)
            : base("MaskedFill", x) => Save(mask);

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            Tensor mask = Saved(0);
            if (context.CreateGraph)
            {
                inputGrads[0] = Forward(gradOutput, mask, 0);
                return;
            }

            Tensor dx = context.CanOverwriteGradOutput ? gradOutput : Tensor.Empty(gradOutput.ShapeArray, gradOutput.DType);
            var action = new FillAction(mask, gradOutput, dx, 0, when: true);
            DTypeDispatch.Any(dx.DType, ref action);
            inputGrads[0] = dx;
        }
    }
}

/// <summary><c>destination = mask == when ? value : source</c> (<see cref="MaskKernels.Fill"/>) for any element type.</summary>
internal readonly struct FillAction(Tensor mask, Tensor source, Tensor destination, double value, bool when) : IAnyAction
{
    public void Invoke<T>()
        where T : unmanaged =>
        MaskKernels.Fill(mask.Span<bool>(), mask.ShapeSpan, source.Span<T>(), destination.Span<T>(), destination.ShapeSpan,
            ElementConversion.FromDouble<T>(value), when);
}
